// Tensor lifetime, metadata, data transfer in and out, and creation functions.
#include "common.h"

#include <ATen/ScalarOps.h>

#include <cstring>

namespace lk {

at::ScalarType dtype(int32_t code) {
  switch (static_cast<at::ScalarType>(code)) {
    case at::kByte: case at::kChar: case at::kShort: case at::kInt: case at::kLong:
    case at::kHalf: case at::kFloat: case at::kDouble: case at::kBool: case at::kBFloat16:
      return static_cast<at::ScalarType>(code);
    default:
      throw std::invalid_argument("unsupported dtype code " + std::to_string(code));
  }
}

c10::optional<at::ScalarType> opt_dtype(int32_t code) {
  if (code == LK_DTYPE_DEFAULT) return c10::nullopt;
  return dtype(code);
}

at::Device device(int32_t type, int32_t index) {
  if (type != static_cast<int32_t>(at::kCPU) && type != static_cast<int32_t>(at::kCUDA))
    throw std::invalid_argument("unsupported device type code " + std::to_string(type));
  if (index < -1) throw std::invalid_argument("device index must be >= -1, got " + std::to_string(index));
  return at::Device(static_cast<at::DeviceType>(type), static_cast<at::DeviceIndex>(index));
}

at::TensorOptions options(int32_t dtype_code, int32_t device_type, int32_t device_index) {
  // requires_grad is applied after creation (finish): ATen's factories do not take it in their options.
  auto o = at::TensorOptions().device(device(device_type, device_index));
  if (dtype_code != LK_DTYPE_DEFAULT) o = o.dtype(dtype(dtype_code));
  return o;
}

at::Tensor finish(at::Tensor t, int32_t requires_grad) {
  if (requires_grad != 0) t.set_requires_grad(true);
  return t;
}

at::Scalar scalar(const lk_scalar& s) {
  switch (s.kind) {
    case 0: return at::Scalar(s.f);
    case 1: return at::Scalar(static_cast<int64_t>(s.i));
    case 2: return at::Scalar(s.i != 0);
    default: throw std::invalid_argument("unsupported scalar kind " + std::to_string(s.kind));
  }
}

at::Tensor wrapped_scalar(const lk_scalar& s, const at::Device& dev) {
  at::Tensor t = c10::scalar_to_tensor(scalar(s), dev);
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

int64_t reduction(int64_t code) {
  if (code < 0 || code > 2) throw std::invalid_argument("reduction code must be 0 (none), 1 (mean) or 2 (sum), got " + std::to_string(code));
  return code;
}

}  // namespace lk

using lk::T;

LK_API void lk_tensor_free(lk_tensor t) {
  // Releasing a reference never throws in libtorch; the guard is belt and braces for the ABI promise.
  try {
    delete reinterpret_cast<at::Tensor*>(t);
  } catch (...) {
    lk::record_current_exception();
  }
}

LK_API lk_tensor lk_tensor_alias(lk_tensor t) {
  return lk::tensor_call([&] { return T(t); });
}

LK_API int64_t lk_tensor_dim(lk_tensor t) {
  return lk::value_call<int64_t>(-1, [&] { return T(t).dim(); });
}

LK_API int64_t lk_tensor_sizes(lk_tensor t, int64_t* out, int32_t capacity) {
  return lk::value_call<int64_t>(-1, [&] {
    auto sizes = T(t).sizes();
    const int64_t n = static_cast<int64_t>(sizes.size());
    for (int64_t i = 0; i < n && i < capacity; ++i) out[i] = sizes[i];
    return n;
  });
}

LK_API int64_t lk_tensor_numel(lk_tensor t) {
  return lk::value_call<int64_t>(-1, [&] { return T(t).numel(); });
}

// The address of the first element (for tests of memory layout and allocation; never dereferenced by the caller).
LK_API int64_t lk_tensor_data_address(lk_tensor t) {
  return lk::value_call<int64_t>(-1, [&] { return static_cast<int64_t>(reinterpret_cast<intptr_t>(T(t).data_ptr())); });
}

LK_API int32_t lk_tensor_dtype(lk_tensor t) {
  return lk::value_call<int32_t>(-1, [&] { return static_cast<int32_t>(T(t).scalar_type()); });
}

LK_API lk_status lk_tensor_device(lk_tensor t, int32_t* type, int32_t* index) {
  return lk::status_call([&] {
    auto d = T(t).device();
    *type = static_cast<int32_t>(d.type());
    *index = static_cast<int32_t>(d.index());
  });
}

LK_API int64_t lk_tensor_storage_nbytes(lk_tensor t) {
  return lk::value_call<int64_t>(-1, [&]() -> int64_t {
    const at::Tensor& x = T(t);
    if (!x.defined() || !x.has_storage()) return 0;
    return static_cast<int64_t>(x.storage().nbytes());
  });
}

LK_API int32_t lk_tensor_is_contiguous(lk_tensor t) {
  return lk::value_call<int32_t>(-1, [&] { return T(t).is_contiguous() ? 1 : 0; });
}

LK_API int32_t lk_tensor_requires_grad(lk_tensor t) {
  return lk::value_call<int32_t>(-1, [&] { return T(t).requires_grad() ? 1 : 0; });
}

LK_API lk_status lk_tensor_set_requires_grad(lk_tensor t, int32_t requires_grad) {
  // requires_grad_ (not the lower-level set_requires_grad) so that clearing the flag of a non-leaf fails as in
  // PyTorch: on a non-leaf set_requires_grad(false) is silently ignored (requires_grad() still reads true).
  return lk::status_call([&] { T(t).requires_grad_(requires_grad != 0); });
}

LK_API int32_t lk_tensor_is_leaf(lk_tensor t) {
  return lk::value_call<int32_t>(-1, [&] { return T(t).is_leaf() ? 1 : 0; });
}

LK_API lk_status lk_tensor_grad(lk_tensor t, lk_tensor* out) {
  return lk::status_call([&] {
    *out = nullptr;
    const at::Tensor& g = T(t).grad();
    if (g.defined()) *out = lk::release(g);
  });
}

LK_API lk_status lk_tensor_set_grad(lk_tensor t, lk_tensor grad) {
  return lk::status_call([&] {
    at::Tensor& x = T(t);
    if (grad == nullptr) {
      x.mutable_grad() = at::Tensor();
      return;
    }
    const at::Tensor& g = T(grad);
    TORCH_CHECK(g.sizes() == x.sizes(), "assigned grad has shape ", g.sizes(), " but the tensor has shape ", x.sizes());
    TORCH_CHECK(g.scalar_type() == x.scalar_type(), "assigned grad has dtype ", g.scalar_type(),
                " but the tensor has dtype ", x.scalar_type());
    TORCH_CHECK(g.device() == x.device(), "assigned grad is on ", g.device(), " but the tensor is on ", x.device());
    x.mutable_grad() = g;
  });
}

LK_API lk_status lk_tensor_retain_grad(lk_tensor t) {
  return lk::status_call([&] { T(t).retain_grad(); });
}

LK_API lk_status lk_tensor_copy_to_buffer(lk_tensor t, void* dst, int64_t nbytes) {
  return lk::status_call([&] {
    // Reading values is not part of any graph.
    at::Tensor x = T(t).detach().to(at::kCPU).contiguous();
    const int64_t need = x.numel() * static_cast<int64_t>(x.element_size());
    TORCH_CHECK(nbytes == need, "the destination holds ", nbytes, " bytes but the tensor has ", need);
    if (need > 0) std::memcpy(dst, x.data_ptr(), static_cast<size_t>(need));
  });
}

LK_API lk_tensor lk_tensor_from_buffer(const void* src, int64_t nbytes, int32_t dtype, const int64_t* shape,
                                       int32_t ndim, int32_t device_type, int32_t device_index,
                                       int32_t requires_grad) {
  return lk::tensor_call([&] {
    at::Tensor x = at::empty(lk::dims(shape, ndim), at::TensorOptions().dtype(lk::dtype(dtype)));
    const int64_t need = x.numel() * static_cast<int64_t>(x.element_size());
    TORCH_CHECK(nbytes == need, nbytes, " bytes of data given for shape ", x.sizes(), " which needs ", need);
    if (need > 0) std::memcpy(x.data_ptr(), src, static_cast<size_t>(need));
    at::Device dev = lk::device(device_type, device_index);
    if (dev != x.device()) x = x.to(dev);
    if (requires_grad != 0) x.set_requires_grad(true);
    return x;
  });
}

LK_API lk_tensor lk_empty(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                          int32_t device_index, int32_t requires_grad) {
  return lk::tensor_call([&] { return lk::finish(at::empty(lk::dims(shape, ndim), lk::options(dtype, device_type, device_index)), requires_grad); });
}

LK_API lk_tensor lk_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                          int32_t device_index, int32_t requires_grad) {
  return lk::tensor_call([&] { return lk::finish(at::zeros(lk::dims(shape, ndim), lk::options(dtype, device_type, device_index)), requires_grad); });
}

LK_API lk_tensor lk_ones(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                         int32_t device_index, int32_t requires_grad) {
  return lk::tensor_call([&] { return lk::finish(at::ones(lk::dims(shape, ndim), lk::options(dtype, device_type, device_index)), requires_grad); });
}

LK_API lk_tensor lk_full(const int64_t* shape, int32_t ndim, lk_scalar value, int32_t dtype, int32_t device_type,
                         int32_t device_index, int32_t requires_grad) {
  return lk::tensor_call([&] {
    return lk::finish(at::full(lk::dims(shape, ndim), lk::scalar(value), lk::options(dtype, device_type, device_index)), requires_grad);
  });
}

LK_API lk_tensor lk_rand(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                         int32_t device_index, int32_t requires_grad) {
  return lk::tensor_call([&] { return lk::finish(at::rand(lk::dims(shape, ndim), lk::options(dtype, device_type, device_index)), requires_grad); });
}

LK_API lk_tensor lk_randn(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                          int32_t device_index, int32_t requires_grad) {
  return lk::tensor_call([&] { return lk::finish(at::randn(lk::dims(shape, ndim), lk::options(dtype, device_type, device_index)), requires_grad); });
}

LK_API lk_tensor lk_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, int32_t dtype,
                            int32_t device_type, int32_t device_index, int32_t requires_grad) {
  return lk::tensor_call([&] {
    auto o = lk::options(dtype == LK_DTYPE_DEFAULT ? static_cast<int32_t>(at::kLong) : dtype, device_type, device_index);
    return lk::finish(at::randint(low, high, lk::dims(shape, ndim), o), requires_grad);
  });
}

LK_API lk_tensor lk_arange(lk_scalar start, lk_scalar end, lk_scalar step, int32_t dtype, int32_t device_type,
                           int32_t device_index, int32_t requires_grad) {
  return lk::tensor_call([&] {
    return lk::finish(at::arange(lk::scalar(start), lk::scalar(end), lk::scalar(step), lk::options(dtype, device_type, device_index)), requires_grad);
  });
}

LK_API lk_tensor lk_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t device_type,
                             int32_t device_index, int32_t requires_grad) {
  return lk::tensor_call([&] {
    return lk::finish(at::linspace(start, end, steps, lk::options(dtype, device_type, device_index)), requires_grad);
  });
}

LK_API int64_t lk_tensor_pressure_nbytes(lk_tensor t, int64_t min_bytes) {
  // Called without a GC transition for every new handle: no allocation, no exception, a handful of loads. noexcept
  // accessors only (storage() and nbytes() cannot throw for a tensor that has storage).
  if (t == nullptr) return 0;
  const at::Tensor& x = *reinterpret_cast<const at::Tensor*>(t);
  // Another handle (lk_tensor_alias) or autograd holding the same TensorImpl: not this handle's alone.
  if (!x.defined() || x.use_count() != 1) return 0;
  // unsafe_storage: a default (empty) Storage for tensors without one (sparse, opaque), where storage() would throw.
  const c10::Storage& s = x.unsafeGetTensorImpl()->unsafe_storage();
  if (!s || s.use_count() != 1 || s.device_type() != c10::DeviceType::CPU) return 0;
  const int64_t n = static_cast<int64_t>(s.nbytes());
  return n >= min_bytes ? n : 0;
}
