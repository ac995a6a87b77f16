// Fused element-wise loss kernels (compiled once per CPU capability; see CMakeLists.txt).
// For each element: e = x - y (or the logit form), the loss and its derivative with respect to x are computed
// together from registers, so the input and target are read once and the gradient written once.
#include "../elementwise.h"
#include "vec_common.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <vector>

namespace lk {
namespace kernels {
namespace CPU_CAPABILITY {
namespace {

template <typename T>
struct MseOp {
  void operator()(const Vec<T>& x, const Vec<T>& y, const Vec<T>&, Vec<T>& loss, Vec<T>& dloss) const {
    Vec<T> d = x - y;
    loss = d * d;
    dloss = d + d;
  }
};

template <typename T>
struct L1Op {
  void operator()(const Vec<T>& x, const Vec<T>& y, const Vec<T>&, Vec<T>& loss, Vec<T>& dloss) const {
    Vec<T> d = x - y;
    loss = d.abs();
    const Vec<T> one(T(1)), zero(T(0));
    // sign(d): +1, -1, or 0 at d = 0 (libtorch's subgradient).
    dloss = Vec<T>::blendv(zero, one, d > zero) - Vec<T>::blendv(zero, one, d < zero);
  }
};

template <typename T>
struct HuberOp {
  T delta;
  void operator()(const Vec<T>& x, const Vec<T>& y, const Vec<T>&, Vec<T>& loss, Vec<T>& dloss) const {
    const Vec<T> d = x - y, a = d.abs(), dv(delta), half(T(0.5));
    loss = Vec<T>::blendv(dv * (a - half * dv), half * d * d, a < dv);
    dloss = at::vec::clamp(d, dv.neg(), dv);
  }
};

template <typename T>
struct SmoothL1Op {
  T beta;
  void operator()(const Vec<T>& x, const Vec<T>& y, const Vec<T>&, Vec<T>& loss, Vec<T>& dloss) const {
    const Vec<T> d = x - y, a = d.abs(), b(beta), half(T(0.5)), one(T(1));
    loss = Vec<T>::blendv(a - half * b, half * d * d / b, a < b);
    dloss = at::vec::clamp(d / b, one.neg(), one);
  }
};

// The exp-linear smooth loss: u = clip(e / alpha, -1, 1), loss = delta * exp(1 - |u|) * u * e.
// d/de = delta * exp(1 - |u|) * u * (2 - |u|) inside |e| <= alpha, delta * u outside.
template <typename T>
struct SmoothOp {
  T delta, alpha;
  void operator()(const Vec<T>& x, const Vec<T>& y, const Vec<T>&, Vec<T>& loss, Vec<T>& dloss) const {
    const Vec<T> one(T(1)), two(T(2)), dv(delta), av(alpha);
    const Vec<T> e = x - y;
    const Vec<T> u = at::vec::clamp(e / av, one.neg(), one);
    const Vec<T> au = u.abs();
    const Vec<T> g = (one - au).exp() * u * dv;
    loss = g * e;
    dloss = Vec<T>::blendv(g, g * (two - au), e.abs() <= av);
  }
};

// Binary cross-entropy with logits, pos_weight p: loss = (1 - y) x + (1 + (p - 1) y) softplus(-x),
// softplus(-x) = log1p(exp(-|x|)) + max(-x, 0); d/dx = (1 + (p - 1) y) sigmoid(x) - p y.
template <typename T>
struct BceLogitsOp {
  void operator()(const Vec<T>& x, const Vec<T>& y, const Vec<T>& pw, Vec<T>& loss, Vec<T>& dloss) const {
    const Vec<T> one(T(1)), zero(T(0));
    const Vec<T> lw = one + (pw - one) * y;
    const Vec<T> sp = x.abs().neg().exp().log1p() + at::vec::maximum(x.neg(), zero);
    loss = (one - y) * x + lw * sp;
    const Vec<T> sig = one / (one + x.neg().exp());
    dloss = lw * sig - pw * y;
  }
};

// KL divergence with log-probability input x: t (log t - x) with 0 where t = 0 (PyTorch's xlogy(t, t) - t x), or,
// for a log-probability target, exp(t) (t - x). d/dx = -t, or -exp(t).
template <typename T>
struct KlDivOp {
  bool log_target;
  void operator()(const Vec<T>& x, const Vec<T>& t, const Vec<T>&, Vec<T>& loss, Vec<T>& dloss) const {
    if (log_target) {
      const Vec<T> et = t.exp();
      loss = et * (t - x);
      dloss = et.neg();
    } else {
      const Vec<T> zero(T(0));
      const Vec<T> tlogt = Vec<T>::blendv(t * t.log(), zero, t == zero);
      loss = tlogt - t * x;
      dloss = t.neg();
    }
  }
};

template <typename T, typename Op>
double sweep(const ElementwiseProblem& p, const Op& op) {
  const T* x = static_cast<const T*>(p.input);
  const T* y = static_cast<const T*>(p.target);
  const T* w = static_cast<const T*>(p.weight);
  const T* pw = static_cast<const T*>(p.pos_weight);
  T* out = static_cast<T*>(p.losses);
  T* grad = static_cast<T*>(p.grad);
  const T scale = static_cast<T>(p.grad_scale);
  const int64_t n = p.rows * p.cols;
  constexpr int64_t V = Vec<T>::size();
  const bool per_column = p.weight_mode == WeightMode::PerColumn || pw != nullptr;

  // Processes flat indices [i0, i0 + len) whose columns are c0, c0 + 1, ... (no wrap); returns the loss sum.
  auto segment = [&](int64_t i0, int64_t len, int64_t c0) -> double {
    double total = 0;
    Vec<T> acc(T(0));
    int64_t since_flush = 0;
    for (int64_t k = 0; k < len; k += V) {
      const int64_t count = std::min<int64_t>(V, len - k);
      const int64_t i = i0 + k;
      const Vec<T> xv = Vec<T>::loadu(x + i, count);
      const Vec<T> yv = Vec<T>::loadu(y + i, count);
      const Vec<T> pv = pw != nullptr ? Vec<T>::loadu(pw + c0 + k, count) : Vec<T>(T(1));
      Vec<T> loss, dloss;
      op(xv, yv, pv, loss, dloss);
      if (w != nullptr) {
        const Vec<T> wv = p.weight_mode == WeightMode::Full ? Vec<T>::loadu(w + i, count) : Vec<T>::loadu(w + c0 + k, count);
        loss = loss * wv;
        dloss = dloss * wv;
      }
      if (grad != nullptr) (dloss * Vec<T>(scale)).store(grad + i, static_cast<int>(count));
      if (out != nullptr) {
        loss.store(out + i, static_cast<int>(count));
      } else {
        acc = acc + first_lanes(loss, count);
        if (++since_flush * V >= kFlush) {
          total += hsum(acc);
          acc = Vec<T>(T(0));
          since_flush = 0;
        }
      }
    }
    return total + hsum(acc);
  };

  if (n == 0) return 0.0;
  if (!per_column) {
    const int64_t blocks = (n + kBlock - 1) / kBlock;
    std::vector<double> partial(static_cast<size_t>(blocks), 0.0);
    at::parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t i0 = b * kBlock;
        partial[static_cast<size_t>(b)] = segment(i0, std::min(kBlock, n - i0), 0);
      }
    });
    double total = 0;
    for (double v : partial) total += v;
    return total;
  }
  // Per-column parameters: whole rows per work unit, vectorised along the row.
  const int64_t rows_per_block = std::max<int64_t>(1, kBlock / std::max<int64_t>(p.cols, 1));
  const int64_t blocks = (p.rows + rows_per_block - 1) / rows_per_block;
  std::vector<double> partial(static_cast<size_t>(blocks), 0.0);
  at::parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      double s = 0;
      const int64_t r1 = std::min(p.rows, (b + 1) * rows_per_block);
      for (int64_t r = b * rows_per_block; r < r1; ++r) s += segment(r * p.cols, p.cols, 0);
      partial[static_cast<size_t>(b)] = s;
    }
  });
  double total = 0;
  for (double v : partial) total += v;
  return total;
}

template <typename T>
double run(const ElementwiseProblem& p) {
  switch (p.kind) {
    case ElementwiseKind::MSE: return sweep<T>(p, MseOp<T>{});
    case ElementwiseKind::L1: return sweep<T>(p, L1Op<T>{});
    case ElementwiseKind::Huber: return sweep<T>(p, HuberOp<T>{static_cast<T>(p.p0)});
    case ElementwiseKind::SmoothL1: return sweep<T>(p, SmoothL1Op<T>{static_cast<T>(p.p0)});
    case ElementwiseKind::Smooth: return sweep<T>(p, SmoothOp<T>{static_cast<T>(p.p0), static_cast<T>(p.p1)});
    case ElementwiseKind::BCEWithLogits: return sweep<T>(p, BceLogitsOp<T>{});
    case ElementwiseKind::KLDiv: return sweep<T>(p, KlDivOp<T>{p.p0 != 0.0});
    default: throw std::invalid_argument("unsupported element-wise kernel kind");
  }
}

}  // namespace

double elementwise_loss(const ElementwiseProblem& problem) {
  return problem.is_double ? run<double>(problem) : run<float>(problem);
}

}  // namespace CPU_CAPABILITY
}  // namespace kernels
}  // namespace lk
