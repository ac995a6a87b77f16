// Internal helpers shared by every translation unit of the shim. Not part of the ABI.
#pragma once

#include "losskit.h"

#include <ATen/ATen.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lk {

// Raised by lk_check_finite's backward when the gradient holds a NaN or infinite element. It carries the details
// lk_last_non_finite hands out: record_current_exception copies them to the thread that reports the error (backward
// may run the check on another thread, and the exception object travels back to the caller through the engine).
struct NonFiniteError : std::runtime_error {
  NonFiniteError(const std::string& message, std::string loss_, std::string argument_, int64_t count_, int64_t numel_,
                 int64_t index_, double value_)
      : std::runtime_error(message), loss(std::move(loss_)), argument(std::move(argument_)), count(count_), numel(numel_),
        index(index_), value(value_) {}
  std::string loss, argument;
  int64_t count, numel, index;
  double value;
};

// Records the exception currently being handled (call only inside a catch block) for the calling
// thread and returns its kind. Defined in errors.cpp.
lk_status record_current_exception() noexcept;

// ----- handles -------------------------------------------------------------------------------
// A handle is a heap-allocated at::Tensor: one intrusive reference to the TensorImpl.

inline at::Tensor& T(lk_tensor h) {
  if (h == nullptr) throw std::invalid_argument("a tensor argument is null (disposed or never created)");
  return *reinterpret_cast<at::Tensor*>(h);
}

// An optional tensor argument: NULL means "not given".
inline c10::optional<at::Tensor> opt(lk_tensor h) {
  if (h == nullptr) return c10::nullopt;
  return *reinterpret_cast<at::Tensor*>(h);
}

inline lk_tensor release(at::Tensor t) { return reinterpret_cast<lk_tensor>(new at::Tensor(std::move(t))); }

// ----- guarded calls ---------------------------------------------------------------------------
// Every entry point runs its body through one of these, so no exception crosses the C ABI.

template <class F>
lk_tensor tensor_call(F&& body) noexcept {
  try {
    return release(body());
  } catch (...) {
    record_current_exception();
    return nullptr;
  }
}

template <class F>
lk_status status_call(F&& body) noexcept {
  try {
    body();
    return LK_OK;
  } catch (...) {
    return record_current_exception();
  }
}

template <class R, class F>
R value_call(R on_error, F&& body) noexcept {
  try {
    return body();
  } catch (...) {
    record_current_exception();
    return on_error;
  }
}

// ----- argument conversion ---------------------------------------------------------------------

inline at::IntArrayRef dims(const int64_t* values, int32_t count) {
  if (count < 0) throw std::invalid_argument("a dimension count is negative");
  if (count > 0 && values == nullptr) throw std::invalid_argument("a dimension list is null");
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

at::ScalarType dtype(int32_t code);
c10::optional<at::ScalarType> opt_dtype(int32_t code);
at::Device device(int32_t type, int32_t index);
at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index);
// Marks a freshly created tensor as requiring grad when asked.
at::Tensor finish(at::Tensor t, int32_t requires_grad);
at::Scalar scalar(const lk_scalar& s);
inline c10::optional<at::Scalar> opt_scalar(const lk_scalar* s) {
  if (s == nullptr) return c10::nullopt;
  return scalar(*s);
}
// A scalar as a 0-dim "wrapped number" tensor, which takes part in type promotion like a Python number.
at::Tensor wrapped_scalar(const lk_scalar& s, const at::Device& device);
int64_t reduction(int64_t code);

}  // namespace lk
