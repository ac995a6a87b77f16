#include "capability.h"

#include "../common.h"

#include <cstdlib>
#include <cstring>
#include <string>

#if defined(LOSSKIT_HAVE_X86_KERNELS)
#if defined(_MSC_VER)
#include <immintrin.h>
#include <intrin.h>
#elif defined(__GNUC__) || defined(__clang__)
#include <cpuid.h>
#endif
#endif

namespace lk {
namespace kernels {
namespace {

#if defined(LOSSKIT_HAVE_X86_KERNELS) && (defined(_MSC_VER) || defined(__GNUC__) || defined(__clang__))
#define LOSSKIT_CPUID_DETECTION 1

// CPUID leaf `leaf`, sub-leaf `sub`: {eax, ebx, ecx, edx}.
void cpuid(uint32_t leaf, uint32_t sub, uint32_t regs[4]) noexcept {
#if defined(_MSC_VER)
  int r[4];
  __cpuidex(r, static_cast<int>(leaf), static_cast<int>(sub));
  for (int i = 0; i < 4; ++i) regs[i] = static_cast<uint32_t>(r[i]);
#else
  __cpuid_count(leaf, sub, regs[0], regs[1], regs[2], regs[3]);
#endif
}

// XCR0: which register states the operating system saves on a context switch. Only called when CPUID says
// OSXSAVE, so XGETBV exists. (Inline assembly on GCC/Clang: _xgetbv there needs -mxsave on this file.)
uint64_t xcr0() noexcept {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
#endif
}

bool bit(uint32_t value, int n) noexcept { return ((value >> n) & 1u) != 0; }
#endif

// The same test on every compiler (MSVC has no __builtin_cpu_supports), so the path Windows takes is the one the
// tests run here: the CPU must report the instructions AND the operating system must save the wider registers,
// or AVX code faults on the first context switch.
Capability compute_detected() noexcept {
#if defined(LOSSKIT_CPUID_DETECTION)
  uint32_t r[4];
  cpuid(0, 0, r);
  const uint32_t max_leaf = r[0];
  if (max_leaf < 7) return Capability::Default;
  cpuid(1, 0, r);
  const uint32_t ecx1 = r[2];
  const bool fma = bit(ecx1, 12), osxsave = bit(ecx1, 27), avx = bit(ecx1, 28), f16c = bit(ecx1, 29);
  if (!osxsave || !avx) return Capability::Default;
  const uint64_t xcr = xcr0();
  const bool os_ymm = (xcr & 0x6) == 0x6;         // XMM and YMM state
  const bool os_zmm = (xcr & 0xE6) == 0xE6;       // and opmask, ZMM0-15 upper halves, ZMM16-31
  cpuid(7, 0, r);
  const uint32_t ebx7 = r[1];
  const bool avx2 = bit(ebx7, 5), avx512f = bit(ebx7, 16), avx512dq = bit(ebx7, 17), avx512bw = bit(ebx7, 30),
             avx512vl = bit(ebx7, 31);
  // The AVX2 and AVX-512 kernels are compiled with FMA and F16C enabled (see CMakeLists.txt).
  if (os_zmm && avx512f && avx512bw && avx512vl && avx512dq && avx2 && fma && f16c) return Capability::AVX512;
  if (os_ymm && avx2 && fma && f16c) return Capability::AVX2;
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
