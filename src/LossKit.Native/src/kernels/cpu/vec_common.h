// Helpers shared by the per-capability kernel files. Everything here lives in the capability's namespace
// (CPU_CAPABILITY is DEFAULT, AVX2 or AVX512 for each compilation), so copies built with different
// instruction sets never collide.
#pragma once

#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>

#include <cstdint>

namespace lk {
namespace kernels {
namespace CPU_CAPABILITY {

template <typename T>
using Vec = at::vec::Vectorized<T>;

// Sum of the lanes in double.
template <typename T>
inline double hsum(const Vec<T>& v) {
  alignas(64) T lanes[Vec<T>::size()];
  v.store(lanes);
  double s = 0;
  for (int i = 0; i < Vec<T>::size(); ++i) s += static_cast<double>(lanes[i]);
  return s;
}

// Lanes [0, count) of `v`, zeros elsewhere (for partial vectors at the end of a range).
template <typename T>
inline Vec<T> first_lanes(const Vec<T>& v, int64_t count) {
  if (count >= Vec<T>::size()) return v;
  return Vec<T>::set(Vec<T>(T(0)), v, count);
}

// Deterministic, cache-sized work units for sums: block boundaries do not depend on the thread count.
constexpr int64_t kBlock = 16384;
// Vector accumulators are flushed into double this often, to keep float32 sums accurate.
constexpr int64_t kFlush = 1024;

}  // namespace CPU_CAPABILITY
}  // namespace kernels
}  // namespace lk
