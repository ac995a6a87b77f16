// Fused softmax-family kernels (compiled once per CPU capability; see CMakeLists.txt).
// Per row: pass 1 finds the maximum, pass 2 writes exp(x - max) into the gradient row (which stays in cache) and
// sums it, pass 3 turns it into the gradient. The logits are read from memory once and the gradient written once.
#include "../rowwise.h"
#include "vec_common.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <limits>
#include <vector>

namespace lk {
namespace kernels {
namespace CPU_CAPABILITY {
namespace {

// e[c] = exp(x[c] - m) written to e (if non-null); returns sum_c e[c]; also sum_c x[c] * w[c] (or sum_c x[c]) in *sx.
template <typename T>
double exp_sum(const T* x, T* e, int64_t n, T m, const T* w, bool want_sx, double* sx) {
  constexpr int64_t V = Vec<T>::size();
  const Vec<T> mv(m);
  Vec<T> s0(T(0)), s1(T(0)), x0(T(0));
  double total = 0, xtotal = 0;
  int64_t since = 0;
  for (int64_t i = 0; i < n; i += V) {
    const int64_t count = std::min<int64_t>(V, n - i);
    const Vec<T> xv = Vec<T>::loadu(x + i, count);
    const Vec<T> ev = first_lanes((xv - mv).exp(), count);
    if (e != nullptr) ev.store(e + i, static_cast<int>(count));
    if ((i / V) % 2 == 0) s0 = s0 + ev; else s1 = s1 + ev;
    if (want_sx) x0 = x0 + first_lanes(w != nullptr ? xv * Vec<T>::loadu(w + i, count) : xv, count);
    if (++since * V >= kFlush) {
      total += hsum(s0 + s1);
      if (want_sx) xtotal += hsum(x0);
      s0 = s1 = x0 = Vec<T>(T(0));
      since = 0;
    }
  }
  total += hsum(s0 + s1);
  if (want_sx) *sx = xtotal + hsum(x0);
  return total;
}

template <typename T>
double run_rows(const RowwiseProblem& p) {
  const T* logits = static_cast<const T*>(p.logits);
  const T* w = static_cast<const T*>(p.weight);
  T* losses = static_cast<T*>(p.losses);
  T* grad = static_cast<T*>(p.grad);
  const int64_t C = p.classes;
  constexpr int64_t V = Vec<T>::size();
  const double eps = p.p0;
  double W = static_cast<double>(C);
  if (w != nullptr) {
    W = 0;
    for (int64_t c = 0; c < C; ++c) W += static_cast<double>(w[c]);
  }

  auto one_row = [&](int64_t r) -> double {
    const T* x = logits + r * C;
    T* g = grad != nullptr ? grad + r * C : nullptr;
    const int64_t y = p.target[r];
    if (y == p.ignore_index) {
      if (g != nullptr) std::fill(g, g + C, T(0));
      if (losses != nullptr) losses[r] = T(0);
      return 0.0;
    }
    const double wy = w != nullptr ? static_cast<double>(w[y]) : 1.0;
    const T m = row_max(x, C);
    const bool want_sx = p.kind != RowwiseKind::Focal && eps != 0.0;
    double sx = 0;
    const double s = exp_sum(x, g, C, m, w, want_sx, &sx);
    const double lse = static_cast<double>(m) + std::log(s);
    const double logp_y = static_cast<double>(x[y]) - lse;
    double loss = 0;
    // Gradient: g_c = scale * (a * p_c - b * (w_c or 1)) - scale * d_y at c = y; p_c = e_c / s.
    double a = 0, b = 0, d_y = 0;
    bool weighted_b = false;
    switch (p.kind) {
      case RowwiseKind::CrossEntropy: {
        // (1 - eps) w_y (-log p_y) + (eps / C) sum_c w_c (lse - x_c)
        loss = (1 - eps) * wy * (-logp_y) + (eps != 0.0 ? eps / C * (W * lse - sx) : 0.0);
        a = (1 - eps) * wy + eps / C * W;
        b = eps / C;
        weighted_b = w != nullptr;
        d_y = (1 - eps) * wy;
        break;
      }
      case RowwiseKind::Focal: {
        // f = -(1 - q)^gamma log q with q = p_y; df/dx_c = (delta_cy - p_c) * A,
        // A = -(1 - q)^gamma + gamma q (1 - q)^(gamma - 1) log q, all from log q in log space.
        const double gamma = eps;
        const double one_minus_q = -std::expm1(logp_y);  // 1 - q, accurate when q -> 1
        const double q = std::exp(logp_y);
        const double pow_g = gamma == 0 ? 1.0 : std::pow(one_minus_q, gamma);
        // gamma q (1 - q)^(gamma - 1) log q = gamma (1 - q)^gamma (q log q) / (1 - q): q log q -> 0 as q -> 0 and
        // log q / (1 - q) -> -1 as q -> 1, so both ends stay finite (no 0 * inf).
        double term = 0;
        if (gamma != 0) {
          const double q_log_q = q > 0 ? q * logp_y : 0.0;
          term = one_minus_q > 0 ? gamma * pow_g * q_log_q / one_minus_q : -gamma * pow_g * q;
        }
        const double A = -pow_g + term;
        loss = -wy * pow_g * logp_y;
        a = -wy * A;      // coefficient of p_c
        b = 0;
        d_y = -wy * A;    // delta term
        break;
      }
    }
    if (losses != nullptr) losses[r] = static_cast<T>(loss);
    if (g != nullptr) {
      const double scale = p.grad_scale;
      const Vec<T> av(static_cast<T>(scale * a / s)), bv(static_cast<T>(scale * b));
      for (int64_t i = 0; i < C; i += V) {
        const int64_t count = std::min<int64_t>(V, C - i);
        Vec<T> gv = Vec<T>::loadu(g + i, count) * av;
        if (b != 0) gv = gv - (weighted_b ? bv * Vec<T>::loadu(w + i, count) : bv);
        gv.store(g + i, static_cast<int>(count));
      }
      g[y] = static_cast<T>(static_cast<double>(g[y]) - scale * d_y);
    }
    return loss;
  };

  const int64_t rows_per_block = std::max<int64_t>(1, kBlock / std::max<int64_t>(C, 1));
  const int64_t blocks = (p.rows + rows_per_block - 1) / rows_per_block;
  std::vector<double> partial(static_cast<size_t>(blocks), 0.0);
  at::parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      double total = 0;
      const int64_t r1 = std::min(p.rows, (b + 1) * rows_per_block);
      for (int64_t r = b * rows_per_block; r < r1; ++r) total += one_row(r);
      partial[static_cast<size_t>(b)] = total;
    }
  });
  double total = 0;
  for (double v : partial) total += v;
  return total;
}

}  // namespace

double rowwise_loss(const RowwiseProblem& problem) {
  return problem.is_double ? run_rows<double>(problem) : run_rows<float>(problem);
}

}  // namespace CPU_CAPABILITY
}  // namespace kernels
}  // namespace lk
