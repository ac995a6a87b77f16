/*
 * losskit.h: the whole C ABI of the LossKit native library (liblosskit_native), grouped by area.
 *
 * Every exported symbol starts with "lk_". Nothing but these functions is visible from the library
 * (it is built with -fvisibility=hidden), so this header is the complete contract with the managed side.
 *
 * Conventions (the managed binding relies on every one of them):
 * - A tensor handle (lk_tensor) owns one reference to a libtorch tensor. Every function that returns a
 *   handle returns a NEW handle that the caller must release with lk_tensor_free; input handles are
 *   borrowed and never freed by the callee.
 * - No C++ exception ever crosses this boundary. A function that fails records the error for the calling
 *   thread (lk_last_error_kind / lk_last_error_message) and reports it through its return value:
 *     - functions returning lk_tensor return NULL on failure (they never return NULL on success);
 *     - functions returning lk_status return LK_OK (0) on success and the error kind otherwise;
 *     - functions returning a count return -1 on failure.
 *   Checking the return value instead of polling the last error after every call saves one native
 *   transition per operation; the message is only fetched on the failure path.
 * - Shapes and dimension lists are (const int64_t* values, int32_t count) pairs.
 * - dtype codes are c10::ScalarType values (Float32 = 6, Float64 = 7, Int64 = 4, Int32 = 3, Bool = 11);
 *   LK_DTYPE_DEFAULT (-1) means "let libtorch infer or use its default".
 * - Device codes are c10::DeviceType values (CPU = 0, CUDA = 1) with an index (-1 = current device).
 * - Reductions use ATen's integer codes: none = 0, mean = 1, sum = 2.
 */
#ifndef LOSSKIT_H
#define LOSSKIT_H

#include <stdint.h>

#if defined(_WIN32)
#define LK_EXPORT __declspec(dllexport)
#else
#define LK_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
#define LK_API extern "C" LK_EXPORT
#else
#define LK_API LK_EXPORT
#endif

/* Bumped whenever a signature in this file changes or an entry point the managed side needs is added; the managed side
 * refuses a mismatched library. 2: lk_check_finite, lk_last_non_finite, lk_tensor_pressure_nbytes. */
#define LK_ABI_VERSION 2

typedef struct lk_tensor_opaque* lk_tensor;
typedef int32_t lk_status;

enum lk_error_kind {
  LK_OK = 0,
  LK_ERR_GENERIC = 1,         /* c10::Error and any other std::exception: shape mismatch, bad dtype, ... */
  LK_ERR_INDEX = 2,           /* c10::IndexError, std::out_of_range: index or dimension out of range */
  LK_ERR_VALUE = 3,           /* c10::ValueError, std::invalid_argument: bad argument value */
  LK_ERR_TYPE = 4,            /* c10::TypeError: unsupported dtype for an operation */
  LK_ERR_NOT_IMPLEMENTED = 5, /* c10::NotImplementedError: no kernel for this dtype/device */
  LK_ERR_OUT_OF_MEMORY = 6,   /* std::bad_alloc, c10 out-of-memory errors */
  LK_ERR_UNKNOWN = 7,         /* anything that is not a std::exception */
  LK_ERR_NON_FINITE = 8       /* lk_check_finite found a NaN or infinite gradient (details: lk_last_non_finite) */
};

#define LK_DTYPE_DEFAULT (-1)

/* A scalar argument: kind 0 = floating (f), 1 = integral (i), 2 = boolean (i != 0). */
typedef struct lk_scalar {
  double f;
  int64_t i;
  int32_t kind;
  int32_t reserved;
} lk_scalar;

/* ---------------------------------------------------------------------------------------------
 * errors.cpp: the calling thread's last error, and library identity
 * ------------------------------------------------------------------------------------------- */
LK_API int32_t lk_abi_version(void);
LK_API const char* lk_torch_version(void);
LK_API int32_t lk_last_error_kind(void);
/* Valid until the next failing call on the same thread. Never NULL. */
LK_API const char* lk_last_error_message(void);
/* Test hook: raises a C++ exception of the given kind inside a guarded entry point. */
LK_API lk_status lk_debug_raise(int32_t kind, const char* message);
/* Details of the calling thread's last LK_ERR_NON_FINITE error (valid until the next failing call on the thread): the
 * names given to lk_check_finite, how many of how many elements were NaN or infinite, the flat index and value of the
 * first one. The strings are never NULL. Returns LK_OK, or LK_ERR_VALUE when the last error is of another kind. */
LK_API lk_status lk_last_non_finite(const char** loss, const char** argument, int64_t* count, int64_t* numel, int64_t* index,
                                    double* value);

/* ---------------------------------------------------------------------------------------------
 * runtime.cpp: threads, seeds, devices, grad mode
 * ------------------------------------------------------------------------------------------- */
LK_API lk_status lk_manual_seed(uint64_t seed);
LK_API lk_status lk_set_num_threads(int32_t n);
LK_API int32_t lk_get_num_threads(void);
LK_API int32_t lk_cuda_is_available(void);
LK_API int32_t lk_cuda_device_count(void);
/* Sets the thread-local grad mode and returns the previous one (0/1). */
LK_API int32_t lk_set_grad_enabled(int32_t enabled);
LK_API int32_t lk_is_grad_enabled(void);

/* ---------------------------------------------------------------------------------------------
 * cpu_allocator.cpp: a layer over libtorch's CPU allocator for blocks of 2 MiB or more (not on Windows): freed blocks
 * are cached for reuse up to a limit, fresh ones are advised transparent huge pages (Linux).
 * ------------------------------------------------------------------------------------------- */
/* 1 when fresh large blocks are 2 MiB-aligned and advised MADV_HUGEPAGE, else 0. On by default on Linux unless
 * LOSSKIT_HUGE_PAGES=0 or the kernel's THP mode is "never". */
LK_API int32_t lk_cpu_huge_pages(void);
/* Turns it on (1) or off (0) and returns the previous setting; turning it on where unavailable changes nothing. */
LK_API int32_t lk_set_cpu_huge_pages(int32_t enabled);
/* The most bytes of freed large blocks kept for reuse (default 256 MiB, or LOSSKIT_CPU_CACHE_MB; 0: no cache). */
LK_API int64_t lk_cpu_cache_limit(void);
/* Sets it (negative means 0) and returns the previous limit; a lower limit empties the cache now. */
LK_API int64_t lk_set_cpu_cache_limit(int64_t bytes);
/* Bytes of freed large blocks held for reuse now. */
LK_API int64_t lk_cpu_cached_bytes(void);
/* Frees every cached block and returns the bytes released. */
LK_API int64_t lk_cpu_empty_cache(void);

/* ---------------------------------------------------------------------------------------------
 * tensor.cpp: lifetime, metadata, data transfer, creation
 * ------------------------------------------------------------------------------------------- */
LK_API void lk_tensor_free(lk_tensor t);
/* A second handle to the same tensor (same storage, same autograd identity). */
LK_API lk_tensor lk_tensor_alias(lk_tensor t);
LK_API int64_t lk_tensor_dim(lk_tensor t);
/* Writes min(dim, capacity) sizes into out and returns dim (-1 on failure). */
LK_API int64_t lk_tensor_sizes(lk_tensor t, int64_t* out, int32_t capacity);
LK_API int64_t lk_tensor_numel(lk_tensor t);
/* The address of the first element, or -1 on error (for layout and allocation tests). */
LK_API int64_t lk_tensor_data_address(lk_tensor t);
LK_API int32_t lk_tensor_dtype(lk_tensor t);
LK_API lk_status lk_tensor_device(lk_tensor t, int32_t* type, int32_t* index);
/* Bytes of the storage the tensor views (0 for undefined tensors). */
LK_API int64_t lk_tensor_storage_nbytes(lk_tensor t);
/* The bytes the managed side reports to its GC as memory pressure for a new handle: the size of the tensor's CPU storage
 * when this handle is the only user of both the tensor and its storage (a view, an alias or a tensor autograd also holds
 * reports 0, so a storage is not counted twice) and it holds at least min_bytes; otherwise 0. NULL gives 0. Never fails and never throws, and
 * does no more than read a few fields, so it may be called without a GC transition. */
LK_API int64_t lk_tensor_pressure_nbytes(lk_tensor t, int64_t min_bytes);
LK_API int32_t lk_tensor_is_contiguous(lk_tensor t);
LK_API int32_t lk_tensor_requires_grad(lk_tensor t);
LK_API lk_status lk_tensor_set_requires_grad(lk_tensor t, int32_t requires_grad);
LK_API int32_t lk_tensor_is_leaf(lk_tensor t);
/* *out = the accumulated gradient, or NULL when there is none. */
LK_API lk_status lk_tensor_grad(lk_tensor t, lk_tensor* out);
/* grad may be NULL to clear the gradient. */
LK_API lk_status lk_tensor_set_grad(lk_tensor t, lk_tensor grad);
LK_API lk_status lk_tensor_retain_grad(lk_tensor t);
/* Copies the values (converted to CPU, contiguous, row-major) into dst, which holds nbytes bytes. */
LK_API lk_status lk_tensor_copy_to_buffer(lk_tensor t, void* dst, int64_t nbytes);
/* A new tensor holding a copy of nbytes of row-major data of the given dtype and shape. */
LK_API lk_tensor lk_tensor_from_buffer(const void* src, int64_t nbytes, int32_t dtype, const int64_t* shape,
                                       int32_t ndim, int32_t device_type, int32_t device_index,
                                       int32_t requires_grad);

LK_API lk_tensor lk_empty(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                          int32_t device_index, int32_t requires_grad);
LK_API lk_tensor lk_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                          int32_t device_index, int32_t requires_grad);
LK_API lk_tensor lk_ones(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                         int32_t device_index, int32_t requires_grad);
LK_API lk_tensor lk_full(const int64_t* shape, int32_t ndim, lk_scalar value, int32_t dtype, int32_t device_type,
                         int32_t device_index, int32_t requires_grad);
LK_API lk_tensor lk_rand(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                         int32_t device_index, int32_t requires_grad);
LK_API lk_tensor lk_randn(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                          int32_t device_index, int32_t requires_grad);
LK_API lk_tensor lk_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, int32_t dtype,
                            int32_t device_type, int32_t device_index, int32_t requires_grad);
LK_API lk_tensor lk_arange(lk_scalar start, lk_scalar end, lk_scalar step, int32_t dtype, int32_t device_type,
                           int32_t device_index, int32_t requires_grad);
LK_API lk_tensor lk_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t device_type,
                             int32_t device_index, int32_t requires_grad);

/* ---------------------------------------------------------------------------------------------
 * ops_pointwise.cpp: element-wise math, comparisons, logic (broadcasting as in PyTorch)
 * ------------------------------------------------------------------------------------------- */
LK_API lk_tensor lk_neg(lk_tensor a);
LK_API lk_tensor lk_abs(lk_tensor a);
LK_API lk_tensor lk_sign(lk_tensor a);
LK_API lk_tensor lk_exp(lk_tensor a);
LK_API lk_tensor lk_log(lk_tensor a);
LK_API lk_tensor lk_log1p(lk_tensor a);
LK_API lk_tensor lk_expm1(lk_tensor a);
LK_API lk_tensor lk_sqrt(lk_tensor a);
LK_API lk_tensor lk_rsqrt(lk_tensor a);
LK_API lk_tensor lk_square(lk_tensor a);
LK_API lk_tensor lk_reciprocal(lk_tensor a);
LK_API lk_tensor lk_sigmoid(lk_tensor a);
LK_API lk_tensor lk_log_sigmoid(lk_tensor a);
LK_API lk_tensor lk_tanh(lk_tensor a);
LK_API lk_tensor lk_relu(lk_tensor a);
LK_API lk_tensor lk_floor(lk_tensor a);
LK_API lk_tensor lk_ceil(lk_tensor a);
LK_API lk_tensor lk_round(lk_tensor a);
LK_API lk_tensor lk_sin(lk_tensor a);
LK_API lk_tensor lk_cos(lk_tensor a);
LK_API lk_tensor lk_isnan(lk_tensor a);
LK_API lk_tensor lk_isinf(lk_tensor a);
LK_API lk_tensor lk_isfinite(lk_tensor a);
LK_API lk_tensor lk_logical_not(lk_tensor a);
LK_API lk_tensor lk_softplus(lk_tensor a, double beta, double threshold);
/* min / max may be NULL (no bound). */
LK_API lk_tensor lk_clamp(lk_tensor a, const lk_scalar* min, const lk_scalar* max);
/* min_t / max_t may be NULL (no bound); broadcast against a. */
LK_API lk_tensor lk_clamp_tensor(lk_tensor a, lk_tensor min_t, lk_tensor max_t);

LK_API lk_tensor lk_add(lk_tensor a, lk_tensor b, lk_scalar alpha);
LK_API lk_tensor lk_sub(lk_tensor a, lk_tensor b, lk_scalar alpha);
LK_API lk_tensor lk_mul(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_div(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_pow(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_maximum(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_minimum(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_xlogy(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_eq(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_ne(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_lt(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_le(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_gt(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_ge(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_logical_and(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_logical_or(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_logical_xor(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_bitwise_and(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_bitwise_or(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_bitwise_xor(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_bitwise_not(lk_tensor a);
LK_API lk_tensor lk_remainder(lk_tensor a, lk_tensor b);
LK_API lk_tensor lk_where(lk_tensor condition, lk_tensor a, lk_tensor b);

LK_API lk_tensor lk_add_scalar(lk_tensor a, lk_scalar b, lk_scalar alpha);
LK_API lk_tensor lk_sub_scalar(lk_tensor a, lk_scalar b, lk_scalar alpha);
LK_API lk_tensor lk_mul_scalar(lk_tensor a, lk_scalar b);
LK_API lk_tensor lk_div_scalar(lk_tensor a, lk_scalar b);
LK_API lk_tensor lk_pow_scalar(lk_tensor a, lk_scalar exponent);
LK_API lk_tensor lk_remainder_scalar(lk_tensor a, lk_scalar b);
/* scalar OP tensor, with the scalar taking part in type promotion as a Python number would. */
LK_API lk_tensor lk_rsub_scalar(lk_scalar a, lk_tensor b);
LK_API lk_tensor lk_rdiv_scalar(lk_scalar a, lk_tensor b);
LK_API lk_tensor lk_rpow_scalar(lk_scalar base, lk_tensor exponent);
LK_API lk_tensor lk_eq_scalar(lk_tensor a, lk_scalar b);
LK_API lk_tensor lk_ne_scalar(lk_tensor a, lk_scalar b);
LK_API lk_tensor lk_lt_scalar(lk_tensor a, lk_scalar b);
LK_API lk_tensor lk_le_scalar(lk_tensor a, lk_scalar b);
LK_API lk_tensor lk_gt_scalar(lk_tensor a, lk_scalar b);
LK_API lk_tensor lk_ge_scalar(lk_tensor a, lk_scalar b);
LK_API lk_tensor lk_masked_fill(lk_tensor a, lk_tensor mask, lk_scalar value);
LK_API lk_tensor lk_matmul(lk_tensor a, lk_tensor b);
/* a + value * t1 * t2 and a + value * t1 / t2, with ATen's fused kernels (the same rounding as the in-place forms). */
LK_API lk_tensor lk_addcmul(lk_tensor a, lk_tensor t1, lk_tensor t2, lk_scalar value);
LK_API lk_tensor lk_addcdiv(lk_tensor a, lk_tensor t1, lk_tensor t2, lk_scalar value);

/* ---------------------------------------------------------------------------------------------
 * ops_reduce.cpp: reductions and normalisations over dimensions
 * ------------------------------------------------------------------------------------------- */
LK_API lk_tensor lk_sum(lk_tensor a, int32_t dtype);
LK_API lk_tensor lk_sum_dims(lk_tensor a, const int64_t* dims, int32_t ndims, int32_t keepdim, int32_t dtype);
LK_API lk_tensor lk_mean(lk_tensor a, int32_t dtype);
LK_API lk_tensor lk_mean_dims(lk_tensor a, const int64_t* dims, int32_t ndims, int32_t keepdim, int32_t dtype);
LK_API lk_tensor lk_max_all(lk_tensor a);
LK_API lk_tensor lk_min_all(lk_tensor a);
LK_API lk_status lk_max_dim(lk_tensor a, int64_t dim, int32_t keepdim, lk_tensor* values, lk_tensor* indices);
LK_API lk_status lk_min_dim(lk_tensor a, int64_t dim, int32_t keepdim, lk_tensor* values, lk_tensor* indices);
LK_API lk_tensor lk_argmax(lk_tensor a);
LK_API lk_tensor lk_argmax_dim(lk_tensor a, int64_t dim, int32_t keepdim);
LK_API lk_tensor lk_argmin(lk_tensor a);
LK_API lk_tensor lk_argmin_dim(lk_tensor a, int64_t dim, int32_t keepdim);
LK_API lk_tensor lk_logsumexp(lk_tensor a, const int64_t* dims, int32_t ndims, int32_t keepdim);
LK_API lk_tensor lk_softmax(lk_tensor a, int64_t dim, int32_t dtype);
LK_API lk_tensor lk_log_softmax(lk_tensor a, int64_t dim, int32_t dtype);
LK_API lk_tensor lk_all(lk_tensor a);
LK_API lk_tensor lk_any(lk_tensor a);
LK_API lk_tensor lk_cumsum(lk_tensor a, int64_t dim, int32_t dtype);
/* *out = 1 when all |a - b| <= atol + rtol * |b|. */
LK_API lk_status lk_allclose(lk_tensor a, lk_tensor b, double rtol, double atol, int32_t equal_nan, int32_t* out);
/* *out = 1 when both have the same shape and the same values. */
LK_API lk_status lk_equal(lk_tensor a, lk_tensor b, int32_t* out);

/* ---------------------------------------------------------------------------------------------
 * ops_shape.cpp: views, reshaping, joining, indexing, conversion
 * ------------------------------------------------------------------------------------------- */
LK_API lk_tensor lk_reshape(lk_tensor a, const int64_t* shape, int32_t ndim);
LK_API lk_tensor lk_view(lk_tensor a, const int64_t* shape, int32_t ndim);
LK_API lk_tensor lk_flatten(lk_tensor a, int64_t start_dim, int64_t end_dim);
LK_API lk_tensor lk_unsqueeze(lk_tensor a, int64_t dim);
LK_API lk_tensor lk_squeeze(lk_tensor a);
LK_API lk_tensor lk_squeeze_dim(lk_tensor a, int64_t dim);
LK_API lk_tensor lk_transpose(lk_tensor a, int64_t dim0, int64_t dim1);
LK_API lk_tensor lk_permute(lk_tensor a, const int64_t* dims, int32_t ndims);
LK_API lk_tensor lk_contiguous(lk_tensor a);
LK_API lk_tensor lk_expand(lk_tensor a, const int64_t* shape, int32_t ndim);
LK_API lk_tensor lk_repeat(lk_tensor a, const int64_t* repeats, int32_t ndim);
LK_API lk_tensor lk_cat(const lk_tensor* tensors, int32_t count, int64_t dim);
LK_API lk_tensor lk_stack(const lk_tensor* tensors, int32_t count, int64_t dim);
LK_API lk_tensor lk_narrow(lk_tensor a, int64_t dim, int64_t start, int64_t length);
LK_API lk_tensor lk_select(lk_tensor a, int64_t dim, int64_t index);

/* One entry of an index expression t[...], as in at::indexing::TensorIndex. */
enum lk_index_kind {
  LK_INDEX_SINGLE = 0,   /* an integer: selects and removes the dimension (start) */
  LK_INDEX_SLICE = 1,    /* start:stop:step; LK_INDEX_NONE_VALUE for an omitted start or stop */
  LK_INDEX_ELLIPSIS = 2, /* ... */
  LK_INDEX_NEWAXIS = 3,  /* None: inserts a dimension of size 1 */
  LK_INDEX_TENSOR = 4,   /* an integer or boolean tensor (advanced indexing) */
  LK_INDEX_BOOL = 5      /* True / False (start != 0) */
};
#define LK_INDEX_NONE_VALUE INT64_MIN
typedef struct lk_index {
  int32_t kind;
  int32_t reserved;
  int64_t start;
  int64_t stop;
  int64_t step;
  lk_tensor tensor;
} lk_index;
LK_API lk_tensor lk_index_get(lk_tensor a, const lk_index* indices, int32_t count);
LK_API lk_status lk_index_put_(lk_tensor a, const lk_index* indices, int32_t count, lk_tensor value);
LK_API lk_status lk_index_put_scalar_(lk_tensor a, const lk_index* indices, int32_t count, lk_scalar value);

LK_API lk_tensor lk_index_select(lk_tensor a, int64_t dim, lk_tensor index);
LK_API lk_tensor lk_gather(lk_tensor a, int64_t dim, lk_tensor index);
LK_API lk_tensor lk_scatter(lk_tensor a, int64_t dim, lk_tensor index, lk_tensor src);
LK_API lk_tensor lk_scatter_scalar(lk_tensor a, int64_t dim, lk_tensor index, lk_scalar value);
LK_API lk_tensor lk_scatter_add(lk_tensor a, int64_t dim, lk_tensor index, lk_tensor src);
LK_API lk_tensor lk_one_hot(lk_tensor a, int64_t num_classes);
LK_API lk_tensor lk_masked_select(lk_tensor a, lk_tensor mask);
LK_API lk_tensor lk_clone(lk_tensor a);
LK_API lk_tensor lk_detach(lk_tensor a);
/* dtype LK_DTYPE_DEFAULT keeps the dtype; device_type -1 keeps the device. */
LK_API lk_tensor lk_to(lk_tensor a, int32_t dtype, int32_t device_type, int32_t device_index, int32_t copy);

/* ---------------------------------------------------------------------------------------------
 * ops_inplace.cpp: the in-place updates optimizers and initialisers need (they return a status)
 * ------------------------------------------------------------------------------------------- */
LK_API lk_status lk_add_(lk_tensor a, lk_tensor b, lk_scalar alpha);
LK_API lk_status lk_add_scalar_(lk_tensor a, lk_scalar b, lk_scalar alpha);
LK_API lk_status lk_sub_(lk_tensor a, lk_tensor b, lk_scalar alpha);
LK_API lk_status lk_sub_scalar_(lk_tensor a, lk_scalar b, lk_scalar alpha);
LK_API lk_status lk_mul_(lk_tensor a, lk_tensor b);
LK_API lk_status lk_mul_scalar_(lk_tensor a, lk_scalar b);
LK_API lk_status lk_div_(lk_tensor a, lk_tensor b);
LK_API lk_status lk_div_scalar_(lk_tensor a, lk_scalar b);
LK_API lk_status lk_addcmul_(lk_tensor a, lk_tensor t1, lk_tensor t2, lk_scalar value);
LK_API lk_status lk_addcdiv_(lk_tensor a, lk_tensor t1, lk_tensor t2, lk_scalar value);
LK_API lk_status lk_copy_(lk_tensor a, lk_tensor src);
LK_API lk_status lk_zero_(lk_tensor a);
LK_API lk_status lk_fill_(lk_tensor a, lk_scalar value);
LK_API lk_status lk_clamp_(lk_tensor a, const lk_scalar* min, const lk_scalar* max);
LK_API lk_status lk_sqrt_(lk_tensor a);
LK_API lk_status lk_neg_(lk_tensor a);
LK_API lk_status lk_maximum_(lk_tensor a, lk_tensor b);
LK_API lk_status lk_masked_fill_(lk_tensor a, lk_tensor mask, lk_scalar value);
LK_API lk_status lk_uniform_(lk_tensor a, double from, double to);
LK_API lk_status lk_normal_(lk_tensor a, double mean, double std);

/* ---------------------------------------------------------------------------------------------
 * autograd.cpp
 * ------------------------------------------------------------------------------------------- */
/* gradient may be NULL for a scalar output. */
LK_API lk_status lk_backward(lk_tensor t, lk_tensor gradient, int32_t retain_graph, int32_t create_graph);
/* grad_outputs may be NULL, or hold NULL entries. retain_graph < 0 means "same as create_graph".
 * results receives n_inputs handles; an unused input gives NULL when allow_unused is set. */
LK_API lk_status lk_autograd_grad(const lk_tensor* outputs, int32_t n_outputs, const lk_tensor* inputs,
                                  int32_t n_inputs, const lk_tensor* grad_outputs, int32_t retain_graph,
                                  int32_t create_graph, int32_t allow_unused, lk_tensor* results);

/* The identity on tensor (a view of it, recorded in the graph when it requires grad) whose backward checks the
 * gradient flowing back through it: a NaN or infinite element fails backward (lk_backward, lk_autograd_grad) with
 * LK_ERR_NON_FINITE, naming loss and argument (copied; both may be NULL). The gradient itself passes unchanged. */
LK_API lk_tensor lk_check_finite(lk_tensor tensor, const char* loss, const char* argument);

/* ---------------------------------------------------------------------------------------------
 * nn.cpp: layers and activations used by modules
 * ------------------------------------------------------------------------------------------- */
/* bias may be NULL. */
LK_API lk_tensor lk_linear(lk_tensor input, lk_tensor weight, lk_tensor bias);
LK_API lk_tensor lk_dropout(lk_tensor input, double p, int32_t train);

/* ---------------------------------------------------------------------------------------------
 * losses/: libtorch's own loss kernels. weight / pos_weight may be NULL. reduction: 0 none, 1 mean, 2 sum.
 * ------------------------------------------------------------------------------------------- */
LK_API lk_tensor lk_mse_loss(lk_tensor input, lk_tensor target, int64_t reduction);
LK_API lk_tensor lk_l1_loss(lk_tensor input, lk_tensor target, int64_t reduction);
LK_API lk_tensor lk_huber_loss(lk_tensor input, lk_tensor target, int64_t reduction, double delta);
LK_API lk_tensor lk_smooth_l1_loss(lk_tensor input, lk_tensor target, int64_t reduction, double beta);
LK_API lk_tensor lk_nll_loss(lk_tensor input, lk_tensor target, lk_tensor weight, int64_t reduction,
                             int64_t ignore_index);
LK_API lk_tensor lk_cross_entropy(lk_tensor input, lk_tensor target, lk_tensor weight, int64_t reduction,
                                  int64_t ignore_index, double label_smoothing);
LK_API lk_tensor lk_binary_cross_entropy(lk_tensor input, lk_tensor target, lk_tensor weight, int64_t reduction);
LK_API lk_tensor lk_binary_cross_entropy_with_logits(lk_tensor input, lk_tensor target, lk_tensor weight,
                                                     lk_tensor pos_weight, int64_t reduction);
LK_API lk_tensor lk_kl_div(lk_tensor input, lk_tensor target, int64_t reduction, int32_t log_target);
/* input_lengths and target_lengths are int64 tensors of shape (N). */
LK_API lk_tensor lk_ctc_loss(lk_tensor log_probs, lk_tensor targets, lk_tensor input_lengths,
                             lk_tensor target_lengths, int64_t blank, int64_t reduction, int32_t zero_infinity);

/* ---------------------------------------------------------------------------------------------
 * kernels/: LossKit's fused CPU loss kernels (custom autograd functions). Float32/float64 CPU tensors only;
 * the managed side uses the composed libtorch ops for anything else.
 * ------------------------------------------------------------------------------------------- */
/* 0 = portable, 1 = AVX2, 2 = AVX-512: the instruction set the kernels use now, and the best available. */
LK_API int32_t lk_kernels_capability(void);
LK_API int32_t lk_kernels_detected_capability(void);
/* Forces a capability for the calling thread (-1 = automatic). Fails for one the CPU or the build does not support.
 * The LOSSKIT_CPU_CAPABILITY environment variable ("default", "avx2", "avx512") sets it for the whole process. */
LK_API lk_status lk_kernels_set_capability(int32_t capability);

/* Element-wise losses (kind: 0 MSE, 1 L1, 2 Huber(p0 = delta), 3 SmoothL1(p0 = beta > 0), 4 Smooth(p0 = delta,
 * p1 = alpha), 5 BCE with logits, 6 sigmoid focal(p0 = alpha or < 0 for none, p1 = gamma), 7 KL divergence of
 * log-probability input (p0 = 1: log-probability target); reduction 3 = batchmean, KL only; 8 BCE on probabilities).
 * checks: bit 0 = every target in [0, 1], bit 1 = every input in [0, 1], bit 2 = every target >= 0 (done during the sweep; a failure is a
 * value error after it). input and target
 * have the same shape; weight (NULL, weight_mode 1: one per last-dimension entry, 2: same shape as input) and
 * pos_weight (NULL or one per last-dimension entry) are optional. Only the input is differentiated. */
LK_API lk_tensor lk_fused_elementwise_loss(lk_tensor input, lk_tensor target, lk_tensor weight, int32_t weight_mode,
                                           lk_tensor pos_weight, int32_t kind, double p0, double p1, int64_t reduction,
                                           int32_t checks);
/* Softmax-family losses over logits (N, C) and int64 class indices (N) (kind: 0 cross-entropy with PyTorch's label
 * smoothing p0, 1 softmax focal with gamma p0); weight (C) optional. (The seed convention's label smoothing eps is
 * cross-entropy with p0 = eps * C / (C - 1).)
 * Mean divides by the sum of the weights of the non-ignored targets (0 when that is 0). */
LK_API lk_tensor lk_fused_rowwise_loss(lk_tensor input, lk_tensor target, lk_tensor weight, int32_t kind, double p0,
                                       int64_t ignore_index, int64_t reduction);
/* libtorch's nll_loss of log-probabilities (C) or (N, C) against int64 class indices, weight (C) optional, except that
 * the mean over nothing (no target counted, or their weights sum to 0) is 0 instead of NaN. Any device. */
LK_API lk_tensor lk_nll_loss_zero_empty(lk_tensor input, lk_tensor target, lk_tensor weight, int64_t ignore_index, int64_t reduction);
/* Soft F1 / Dice (identical) of the softmax of logits (N, C) against int64 class indices (N): per class
 * 1 - (2 tp + eps) / (sum p + count + eps), classes without a target left out of the mean (reduction none gives the
 * (C) per-class losses, 0 for those); micro != 0 pools the counts (reduction mean only). */
LK_API lk_tensor lk_fused_overlap_loss(lk_tensor input, lk_tensor target, double epsilon, int64_t ignore_index, int32_t micro,
                                       int64_t reduction);
/* sqrt(reduce((input - target)^2) + eps), reduction mean (1) or sum (2). */
LK_API lk_tensor lk_fused_rmse_loss(lk_tensor input, lk_tensor target, double eps, int64_t reduction);
/* CTC loss of log_probs (T, N, C) against int64 targets, padded (N, S) or concatenated (sum of target_lengths), with
 * int64 input_lengths and target_lengths (N): libtorch's ctc_loss values and gradient convention (d loss / d log_probs =
 * exp(log_probs) - occupancy on the frames t < T_n), reduction 0 none, 1 mean (loss_n / max(S_n, 1) averaged), 2 sum;
 * zero_infinity != 0 turns infinite losses and their gradients into 0. An input length of 0 gives 0 (empty target) or
 * +inf. Labels within each target length must lie in [0, C). */
LK_API lk_tensor lk_fused_ctc_loss(lk_tensor log_probs, lk_tensor targets, lk_tensor input_lengths, lk_tensor target_lengths,
                                   int64_t blank, int64_t reduction, int32_t zero_infinity);

#endif /* LOSSKIT_H */
