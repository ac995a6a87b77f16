// Reductions (whole tensor or over dimensions) and the softmax family.
#include "common.h"

#include <tuple>

using lk::T;

LK_API lk_tensor lk_sum(lk_tensor a, int32_t dtype) {
  return lk::tensor_call([&] { return at::sum(T(a), lk::opt_dtype(dtype)); });
}

LK_API lk_tensor lk_sum_dims(lk_tensor a, const int64_t* dims, int32_t ndims, int32_t keepdim, int32_t dtype) {
  return lk::tensor_call([&] { return at::sum(T(a), lk::dims(dims, ndims), keepdim != 0, lk::opt_dtype(dtype)); });
}

LK_API lk_tensor lk_mean(lk_tensor a, int32_t dtype) {
  return lk::tensor_call([&] { return at::mean(T(a), lk::opt_dtype(dtype)); });
}

LK_API lk_tensor lk_mean_dims(lk_tensor a, const int64_t* dims, int32_t ndims, int32_t keepdim, int32_t dtype) {
  return lk::tensor_call([&] { return at::mean(T(a), lk::dims(dims, ndims), keepdim != 0, lk::opt_dtype(dtype)); });
}

LK_API lk_tensor lk_max_all(lk_tensor a) {
  return lk::tensor_call([&] { return at::max(T(a)); });
}

LK_API lk_tensor lk_min_all(lk_tensor a) {
  return lk::tensor_call([&] { return at::min(T(a)); });
}

LK_API lk_status lk_max_dim(lk_tensor a, int64_t dim, int32_t keepdim, lk_tensor* values, lk_tensor* indices) {
  return lk::status_call([&] {
    auto r = at::max(T(a), dim, keepdim != 0);
    *values = lk::release(std::get<0>(r));
    *indices = lk::release(std::get<1>(r));
  });
}

LK_API lk_status lk_min_dim(lk_tensor a, int64_t dim, int32_t keepdim, lk_tensor* values, lk_tensor* indices) {
  return lk::status_call([&] {
    auto r = at::min(T(a), dim, keepdim != 0);
    *values = lk::release(std::get<0>(r));
    *indices = lk::release(std::get<1>(r));
  });
}

LK_API lk_tensor lk_argmax(lk_tensor a) {
  return lk::tensor_call([&] { return at::argmax(T(a)); });
}

LK_API lk_tensor lk_argmax_dim(lk_tensor a, int64_t dim, int32_t keepdim) {
  return lk::tensor_call([&] { return at::argmax(T(a), dim, keepdim != 0); });
}

LK_API lk_tensor lk_argmin(lk_tensor a) {
  return lk::tensor_call([&] { return at::argmin(T(a)); });
}

LK_API lk_tensor lk_argmin_dim(lk_tensor a, int64_t dim, int32_t keepdim) {
  return lk::tensor_call([&] { return at::argmin(T(a), dim, keepdim != 0); });
}

LK_API lk_tensor lk_logsumexp(lk_tensor a, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  return lk::tensor_call([&] { return at::logsumexp(T(a), lk::dims(dims, ndims), keepdim != 0); });
}

LK_API lk_tensor lk_softmax(lk_tensor a, int64_t dim, int32_t dtype) {
  return lk::tensor_call([&] { return at::softmax(T(a), dim, lk::opt_dtype(dtype)); });
}

LK_API lk_tensor lk_log_softmax(lk_tensor a, int64_t dim, int32_t dtype) {
  return lk::tensor_call([&] { return at::log_softmax(T(a), dim, lk::opt_dtype(dtype)); });
}

LK_API lk_tensor lk_all(lk_tensor a) {
  return lk::tensor_call([&] { return at::all(T(a)); });
}

LK_API lk_tensor lk_any(lk_tensor a) {
  return lk::tensor_call([&] { return at::any(T(a)); });
}

LK_API lk_tensor lk_cumsum(lk_tensor a, int64_t dim, int32_t dtype) {
  return lk::tensor_call([&] { return at::cumsum(T(a), dim, lk::opt_dtype(dtype)); });
}

LK_API lk_status lk_allclose(lk_tensor a, lk_tensor b, double rtol, double atol, int32_t equal_nan, int32_t* out) {
  return lk::status_call([&] { *out = at::allclose(T(a), T(b), rtol, atol, equal_nan != 0) ? 1 : 0; });
}

LK_API lk_status lk_equal(lk_tensor a, lk_tensor b, int32_t* out) {
  return lk::status_call([&] { *out = at::equal(T(a), T(b)) ? 1 : 0; });
}
