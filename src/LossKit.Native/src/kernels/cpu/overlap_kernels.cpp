// Fused soft F1 / Dice kernels (compiled once per CPU capability; see CMakeLists.txt).
#include "../overlap.h"
#include "vec_common.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <limits>
#include <vector>

namespace lk {
namespace kernels {
namespace CPU_CAPABILITY {
namespace {

// Writes p = softmax(x) into p (n values) and returns nothing; p may alias scratch memory.
template <typename T>
void softmax_row(const T* x, T* p, int64_t n) {
  constexpr int64_t V = Vec<T>::size();
  const Vec<T> m(row_max(x, n));
  Vec<T> acc(T(0));
  double total = 0;
  int64_t since = 0;
  for (int64_t i = 0; i < n; i += V) {
    const int64_t count = std::min<int64_t>(V, n - i);
    const Vec<T> e = first_lanes((Vec<T>::loadu(x + i, count) - m).exp(), count);
    e.store(p + i, static_cast<int>(count));
    acc = acc + e;
    if (++since * V >= kFlush) {
      total += hsum(acc);
      acc = Vec<T>(T(0));
      since = 0;
    }
  }
  total += hsum(acc);
  const Vec<T> inv(static_cast<T>(1.0 / total));
  for (int64_t i = 0; i < n; i += V) {
    const int64_t count = std::min<int64_t>(V, n - i);
    (Vec<T>::loadu(p + i, count) * inv).store(p + i, static_cast<int>(count));
  }
}

// A fixed number of work units (independent of the thread count) keeps the sums deterministic.
constexpr int64_t kUnits = 16;
// Rows summed in the element type before being flushed into double.
constexpr int64_t kRowsPerFlush = 32;

template <typename T>
void counts(const OverlapProblem& p, const OverlapCounts& out) {
  const T* logits = static_cast<const T*>(p.logits);
  const int64_t C = p.classes;
  constexpr int64_t V = Vec<T>::size();
  const int64_t units = std::max<int64_t>(1, std::min(kUnits, p.rows));
  std::vector<double> unit_sum(static_cast<size_t>(units * C), 0.0), unit_tp(static_cast<size_t>(units * C), 0.0),
      unit_count(static_cast<size_t>(units * C), 0.0);
  at::parallel_for(0, units, 1, [&](int64_t u0, int64_t u1) {
    std::vector<T> prob(static_cast<size_t>(C)), partial(static_cast<size_t>(C));
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t r0 = p.rows * u / units, r1 = p.rows * (u + 1) / units;
      double* S = unit_sum.data() + u * C;
      double* tp = unit_tp.data() + u * C;
      double* cnt = unit_count.data() + u * C;
      std::fill(partial.begin(), partial.end(), T(0));
      int64_t pending = 0;
      auto flush = [&] {
        for (int64_t c = 0; c < C; ++c) S[c] += static_cast<double>(partial[static_cast<size_t>(c)]);
        std::fill(partial.begin(), partial.end(), T(0));
        pending = 0;
      };
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t y = p.target[r];
        if (y == p.ignore_index) continue;
        softmax_row(logits + r * C, prob.data(), C);
        for (int64_t i = 0; i < C; i += V) {
          const int64_t count = std::min<int64_t>(V, C - i);
          (Vec<T>::loadu(partial.data() + i, count) + Vec<T>::loadu(prob.data() + i, count)).store(partial.data() + i, static_cast<int>(count));
        }
        tp[y] += static_cast<double>(prob[static_cast<size_t>(y)]);
        cnt[y] += 1.0;
        if (++pending == kRowsPerFlush) flush();
      }
      flush();
    }
  });
  for (int64_t c = 0; c < C; ++c) {
    double s = 0, t = 0, n = 0;
    for (int64_t u = 0; u < units; ++u) {
      s += unit_sum[static_cast<size_t>(u * C + c)];
      t += unit_tp[static_cast<size_t>(u * C + c)];
      n += unit_count[static_cast<size_t>(u * C + c)];
    }
    out.probability_sum[c] = s;
    out.true_positive[c] = t;
    out.target_count[c] = n;
  }
}

template <typename T>
void grad_rows(const OverlapProblem& p, const double* u_in, const double* v, void* grad_out) {
  const T* logits = static_cast<const T*>(p.logits);
  T* grad = static_cast<T*>(grad_out);
  const int64_t C = p.classes;
  constexpr int64_t V = Vec<T>::size();
  std::vector<T> u(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) u[static_cast<size_t>(c)] = static_cast<T>(u_in[c]);
  at::parallel_for(0, p.rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(C, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      T* g = grad + r * C;
      const int64_t y = p.target[r];
      if (y == p.ignore_index) {
        std::fill(g, g + C, T(0));
        continue;
      }
      softmax_row(logits + r * C, g, C);  // g holds p for now
      // dot = sum_k g_k p_k = sum_k u_k p_k + v_y p_y
      Vec<T> acc(T(0));
      double dot = 0;
      int64_t since = 0;
      for (int64_t i = 0; i < C; i += V) {
        const int64_t count = std::min<int64_t>(V, C - i);
        acc = acc + first_lanes(Vec<T>::loadu(g + i, count) * Vec<T>::loadu(u.data() + i, count), count);
        if (++since * V >= kFlush) {
          dot += hsum(acc);
          acc = Vec<T>(T(0));
          since = 0;
        }
      }
      const double py = static_cast<double>(g[y]);
      dot += hsum(acc) + v[y] * py;
      const Vec<T> dv(static_cast<T>(dot));
      for (int64_t i = 0; i < C; i += V) {
        const int64_t count = std::min<int64_t>(V, C - i);
        const Vec<T> pv = Vec<T>::loadu(g + i, count);
        (pv * (Vec<T>::loadu(u.data() + i, count) - dv)).store(g + i, static_cast<int>(count));
      }
      g[y] = static_cast<T>(static_cast<double>(g[y]) + py * v[y]);
    }
  });
}

}  // namespace

void overlap_counts(const OverlapProblem& problem, const OverlapCounts& counts_out) {
  if (problem.is_double) counts<double>(problem, counts_out);
  else counts<float>(problem, counts_out);
}

void overlap_grad(const OverlapProblem& problem, const double* u, const double* v, void* grad) {
  if (problem.is_double) grad_rows<double>(problem, u, v, grad);
  else grad_rows<float>(problem, u, v, grad);
}

}  // namespace CPU_CAPABILITY
}  // namespace kernels
}  // namespace lk
