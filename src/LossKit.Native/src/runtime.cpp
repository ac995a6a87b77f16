// Process- and thread-wide settings: seeds, intra-op threads, devices, grad mode.
#include "common.h"

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <ATen/detail/CUDAHooksInterface.h>

LK_API lk_status lk_manual_seed(uint64_t seed) {
  return lk::status_call([&] {
    // at::manual_seed seeds the CPU generator and, when CUDA is present, every CUDA generator,
    // like torch.manual_seed in Python.
    at::manual_seed(seed);
  });
}

LK_API lk_status lk_set_num_threads(int32_t n) {
  return lk::status_call([&] {
    if (n < 1) throw std::invalid_argument("the thread count must be >= 1, got " + std::to_string(n));
    at::set_num_threads(n);
  });
}

LK_API int32_t lk_get_num_threads(void) {
  return lk::value_call<int32_t>(-1, [] { return static_cast<int32_t>(at::get_num_threads()); });
}

LK_API int32_t lk_cuda_is_available(void) {
  return lk::value_call<int32_t>(0, [] { return at::detail::getCUDAHooks().hasCUDA() ? 1 : 0; });
}

LK_API int32_t lk_cuda_device_count(void) {
  return lk::value_call<int32_t>(0, [] {
    return at::detail::getCUDAHooks().hasCUDA() ? static_cast<int32_t>(at::detail::getCUDAHooks().getNumGPUs()) : 0;
  });
}

LK_API int32_t lk_set_grad_enabled(int32_t enabled) {
  // GradMode is thread-local in libtorch, exactly like torch.no_grad() in Python.
  return lk::value_call<int32_t>(-1, [&] {
    bool previous = at::GradMode::is_enabled();
    at::GradMode::set_enabled(enabled != 0);
    return previous ? 1 : 0;
  });
}

LK_API int32_t lk_is_grad_enabled(void) {
  return lk::value_call<int32_t>(-1, [] { return at::GradMode::is_enabled() ? 1 : 0; });
}
