// Helpers shared by the per-capability kernel files. Everything here lives in the capability's namespace
// (CPU_CAPABILITY is DEFAULT, AVX2 or AVX512 for each compilation), so copies built with different
// instruction sets never collide.
#pragma once

#include <ATen/cpu/vec/functional.h>
#include <ATen/cpu/vec/vec.h>

#include <cmath>
#include <cstdint>
#include <limits>

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

// Maximum of x[0, n); NaN when any element is NaN (at::vec::maximum propagates NaN, std::max would drop it).
template <typename T>
inline T row_max(const T* x, int64_t n) {
  constexpr int64_t V = Vec<T>::size();
  Vec<T> m0(-std::numeric_limits<T>::infinity()), m1 = m0;
  int64_t i = 0;
  for (; i + 2 * V <= n; i += 2 * V) {
    m0 = at::vec::maximum(m0, Vec<T>::loadu(x + i));
    m1 = at::vec::maximum(m1, Vec<T>::loadu(x + i + V));
  }
  for (; i + V <= n; i += V) m0 = at::vec::maximum(m0, Vec<T>::loadu(x + i));
  alignas(64) T lanes[V];
  at::vec::maximum(m0, m1).store(lanes);
  T best = lanes[0];
  bool nan = false;
  for (int64_t k = 0; k < V; ++k) {
    nan |= std::isnan(lanes[k]);
    best = std::max(best, lanes[k]);
  }
  for (; i < n; ++i) {
    nan |= std::isnan(x[i]);
    best = std::max(best, x[i]);
  }
  return nan ? std::numeric_limits<T>::quiet_NaN() : best;
}

// Deterministic, cache-sized work units for sums: block boundaries do not depend on the thread count.
constexpr int64_t kBlock = 16384;
// Vector accumulators are flushed into double this often, to keep float32 sums accurate.
constexpr int64_t kFlush = 1024;

}  // namespace CPU_CAPABILITY
}  // namespace kernels
}  // namespace lk
