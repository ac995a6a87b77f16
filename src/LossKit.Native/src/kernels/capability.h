// Which instruction set the fused CPU kernels use. Every kernel is compiled once per capability
// (src/kernels/cpu/*.cpp, built three times with different flags) and chosen at run time, so the library
// runs on any x86-64 and uses AVX2 or AVX-512 where the CPU has them.
#pragma once

#include <cstdint>

namespace lk {
namespace kernels {

enum class Capability : int32_t { Default = 0, AVX2 = 1, AVX512 = 2 };

// The capability in use on the calling thread: the best the CPU supports (and the build contains), unless
// overridden for this thread by lk_kernels_set_capability, or for the process by the LOSSKIT_CPU_CAPABILITY
// environment variable ("default", "avx2", "avx512").
Capability active() noexcept;

// Forces a capability on the calling thread (-1 = automatic again). The caller checks it is supported.
void set_override(int32_t capability) noexcept;

// The best capability this CPU and this build support.
Capability detected() noexcept;

}  // namespace kernels
}  // namespace lk

// Declares `decl` in the namespace of each capability (lk::kernels::DEFAULT, ::AVX2, ::AVX512).
#define LK_DECLARE_FOR_EACH_CAPABILITY(decl) \
  namespace lk {                              \
  namespace kernels {                         \
  namespace DEFAULT { decl; }                 \
  namespace AVX2 { decl; }                    \
  namespace AVX512 { decl; }                  \
  }                                           \
  }

// Calls lk::kernels::<capability>::fn(args...) for the active capability.
#define LK_DISPATCH(fn, ...)                                                              \
  (::lk::kernels::active() == ::lk::kernels::Capability::AVX512 ? ::lk::kernels::AVX512::fn(__VA_ARGS__) \
   : ::lk::kernels::active() == ::lk::kernels::Capability::AVX2 ? ::lk::kernels::AVX2::fn(__VA_ARGS__)   \
                                                                    : ::lk::kernels::DEFAULT::fn(__VA_ARGS__))
