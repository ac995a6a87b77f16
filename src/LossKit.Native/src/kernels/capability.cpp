#include "capability.h"

#include "../common.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace lk {
namespace kernels {
namespace {

Capability compute_detected() noexcept {
#if defined(LOSSKIT_HAVE_X86_KERNELS) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma"))
    return Capability::AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Capability::AVX2;
#endif
  return Capability::Default;
}

int32_t from_environment(Capability best) noexcept {
  const char* env = std::getenv("LOSSKIT_CPU_CAPABILITY");
  if (env == nullptr) return -1;
  std::string v(env);
  Capability wanted;
  if (v == "default" || v == "DEFAULT") wanted = Capability::Default;
  else if (v == "avx2" || v == "AVX2") wanted = Capability::AVX2;
  else if (v == "avx512" || v == "AVX512") wanted = Capability::AVX512;
  else return -1;
  // Never above what the CPU can run.
  return static_cast<int32_t>(wanted) <= static_cast<int32_t>(best) ? static_cast<int32_t>(wanted) : static_cast<int32_t>(best);
}

std::atomic<int32_t>& override_slot() {
  static std::atomic<int32_t> slot{-2};  // -2: not initialised; -1: automatic
  return slot;
}

}  // namespace

Capability detected() noexcept {
  static const Capability best = compute_detected();
  return best;
}

void set_override(int32_t capability) noexcept { override_slot().store(capability, std::memory_order_relaxed); }

Capability active() noexcept {
  auto& slot = override_slot();
  int32_t v = slot.load(std::memory_order_relaxed);
  if (v == -2) {
    v = from_environment(detected());
    slot.store(v, std::memory_order_relaxed);
  }
  return v < 0 ? detected() : static_cast<Capability>(v);
}

}  // namespace kernels
}  // namespace lk

LK_API int32_t lk_kernels_capability(void) { return static_cast<int32_t>(lk::kernels::active()); }

LK_API int32_t lk_kernels_detected_capability(void) { return static_cast<int32_t>(lk::kernels::detected()); }

LK_API lk_status lk_kernels_set_capability(int32_t capability) {
  return lk::status_call([&] {
    auto best = static_cast<int32_t>(lk::kernels::detected());
    TORCH_CHECK_VALUE(capability >= -1 && capability <= 2, "capability must be -1 (automatic), 0 (default), 1 (AVX2) or 2 (AVX-512), got ", capability);
    TORCH_CHECK_VALUE(capability <= best, "this CPU (or build) supports capabilities up to ", best, ", not ", capability);
    lk::kernels::set_override(capability);
  });
}
