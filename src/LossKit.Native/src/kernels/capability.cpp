#include "capability.h"

#include "../common.h"

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

}  // namespace

Capability detected() noexcept {
  static const Capability best = compute_detected();
  return best;
}

namespace {

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

// The process-wide choice from LOSSKIT_CPU_CAPABILITY (-1: automatic), read once.
int32_t environment_choice() noexcept {
  static const int32_t choice = from_environment(detected());
  return choice;
}

// A per-thread override (-1: none), so tests can pin a capability without affecting other threads. The choice is
// made on the calling thread before a kernel fans out to libtorch's worker threads, so it covers the whole call.
thread_local int32_t thread_override = -1;

}  // namespace

void set_override(int32_t capability) noexcept { thread_override = capability; }

Capability active() noexcept {
  if (thread_override >= 0) return static_cast<Capability>(thread_override);
  const int32_t env = environment_choice();
  return env < 0 ? detected() : static_cast<Capability>(env);
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
