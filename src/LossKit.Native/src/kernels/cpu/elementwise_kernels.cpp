// Fused element-wise loss kernels (compiled once per CPU capability; see CMakeLists.txt).
// For each element: e = x - y (or the logit form), the loss and its derivative with respect to x are computed
// together from registers, so the input and target are read once and the gradient written once.
#include "../elementwise.h"
#include "vec_common.h"

#include <ATen/Parallel.h>

#include <atomic>
#include <cmath>
#include <limits>
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
    const Vec<T> zero(T(0)), inf(std::numeric_limits<T>::infinity());
    if (log_target) {
      // A zero probability (t = -inf) contributes 0 whatever x is (unless x is NaN).
      const Vec<T> et = t.exp();
      const Vec<T> none = (t == inf.neg()) & (x == x);
      loss = et * Vec<T>::blendv(t - x, zero, none);
      dloss = et.neg();
    } else {
      // xlogy(t, t) - t x, with t x taken as 0 where t = 0 and x is infinite (0 * inf is 0 here by definition).
      const Vec<T> t0 = t == zero;
      const Vec<T> tlogt = Vec<T>::blendv(t * t.log(), zero, t0);
      const Vec<T> tx = Vec<T>::blendv(t * x, zero, t0 & (x.abs() == inf));
      loss = tlogt - tx;
      dloss = t.neg();
    }
  }
};

// Sigmoid focal loss in log space (LossKit's definition, see SigmoidFocalLoss.cs): with s = sigmoid(x),
// q = 1 - p_t = y (1 - s) + (1 - y) s, ce = BCE-with-logits(x, y), M = q^gamma = exp(gamma log q) and
// alpha_t = alpha y + (1 - alpha)(1 - y): loss = alpha_t ce M,
// d/dx = alpha_t ((s - y) M + ce gamma M s (1 - s)(1 - 2y) / q). For hard labels log q is log sigmoid(-+x), exactly.
template <typename T>
struct SigmoidFocalOp {
  T alpha;  // < 0: no alpha weighting
  T gamma;
  void operator()(const Vec<T>& x, const Vec<T>& y, const Vec<T>&, Vec<T>& loss, Vec<T>& dloss) const {
    const Vec<T> one(T(1)), zero(T(0)), two(T(2));
    const Vec<T> lse = x.abs().neg().exp().log1p();            // log(1 + e^-|x|)
    const Vec<T> log_s = (lse + at::vec::maximum(x.neg(), zero)).neg();   // log sigmoid(x)
    const Vec<T> log_sn = (lse + at::vec::maximum(x, zero)).neg();        // log sigmoid(-x)
    // sigmoid written as BceLogitsOp writes it, so that gamma = 0 without alpha reproduces BCE-with-logits bit for bit.
    const Vec<T> s = one / (one + x.neg().exp()), sn = one / (one + x.exp());
    const Vec<T> ce = (one - y) * x - log_s;  // (1 - y) x + softplus(-x)
    const Vec<T> q = y * sn + (one - y) * s;
    const Vec<T> hard_one = y == one, hard_zero = y == zero;
    Vec<T> log_q = q.log();
    log_q = Vec<T>::blendv(log_q, log_sn, hard_one);
    log_q = Vec<T>::blendv(log_q, log_s, hard_zero);
    const Vec<T> m = gamma == T(0) ? one : (log_q * Vec<T>(gamma)).exp();
    const Vec<T> r = Vec<T>::blendv(s * sn / q, zero, q == zero);
    Vec<T> l = ce * m;
    Vec<T> d = (s - y) * m + ce * Vec<T>(gamma) * m * r * (one - two * y);
    if (alpha >= T(0)) {
      const Vec<T> at = y * Vec<T>(alpha) + (one - y) * Vec<T>(T(1) - alpha);
      l = at * l;
      d = at * d;
    }
    loss = l;
    dloss = d;
  }
};

// Binary cross-entropy on probabilities, as libtorch computes it: loss = -(y max(log p, -100) + (1 - y) max(log(1 - p),
// -100)), gradient (p - y) / max(p (1 - p), 1e-12) with the 1e-12 rounded to float32 (libtorch's EPSILON).
template <typename T>
struct BceOp {
  void operator()(const Vec<T>& p, const Vec<T>& y, const Vec<T>&, Vec<T>& loss, Vec<T>& dloss) const {
    const Vec<T> one(T(1)), floor(T(-100)), eps(static_cast<T>(static_cast<float>(1e-12)));
    const Vec<T> lp = at::vec::maximum(p.log(), floor);
    const Vec<T> l1p = at::vec::maximum((one - p).log(), floor);
    loss = (y * lp + (one - y) * l1p).neg();
    dloss = (p - y) / at::vec::maximum((one - p) * p, eps);
  }
};

template <typename T>
inline bool out_of_unit(const Vec<T>& v, const Vec<T>& zero, const Vec<T>& one) {
  const Vec<T> bad = (v < zero) | (v > one);
  alignas(64) T lanes[Vec<T>::size()];
  bad.store(lanes);
  for (int i = 0; i < Vec<T>::size(); ++i)
    if (lanes[i] != T(0)) return true;
  return false;
}

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
  std::atomic<bool> bad_target{false}, bad_input{false};
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
      if (p.checks != kCheckNone) {
        // Lanes past `count` were loaded as 0, which is inside [0, 1]. NaN compares false: it passes.
        const Vec<T> zero(T(0)), one(T(1));
        if ((p.checks & kCheckTargetUnit) && out_of_unit(yv, zero, one)) bad_target = true;
        if ((p.checks & kCheckInputUnit) && out_of_unit(xv, zero, one)) bad_input = true;
        if ((p.checks & kCheckTargetNonNegative) && out_of_unit(yv, zero, Vec<T>(std::numeric_limits<T>::infinity()))) bad_target = true;
      }
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
    p.target_out_of_range = bad_target;
    p.input_out_of_range = bad_input;
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
  p.target_out_of_range = bad_target;
  p.input_out_of_range = bad_input;
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
    case ElementwiseKind::SigmoidFocal: return sweep<T>(p, SigmoidFocalOp<T>{static_cast<T>(p.p0), static_cast<T>(p.p1)});
    case ElementwiseKind::BCE: return sweep<T>(p, BceOp<T>{});
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
