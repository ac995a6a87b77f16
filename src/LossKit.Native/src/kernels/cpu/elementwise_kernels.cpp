// Fused element-wise loss kernels (compiled once per CPU capability; see CMakeLists.txt).
// For each element: e = x - y (or the logit form), the loss and its derivative with respect to x are computed
// together from registers, so the input and target are read once and the gradient written once.
#include "../elementwise.h"
#include "vec_common.h"

#include <ATen/Parallel.h>

#include <atomic>
#include <cstring>
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

// Pieces of the logistic function from one exponential: e = exp(-|x|), then
// sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) otherwise (and the mirror image for sigmoid(-x)),
// softplus(-x) = log1p(e) + max(-x, 0), so log sigmoid(x) = -softplus(-x) and log sigmoid(-x) = -(log1p(e) + max(x, 0)).
template <typename T>
struct Logistic {
  Vec<T> sig, sig_neg, log1p_e;
  explicit Logistic(const Vec<T>& x) {
    const Vec<T> one(T(1)), zero(T(0));
    const Vec<T> e = x.abs().neg().exp();
    const Vec<T> inv = one / (one + e);
    const Vec<T> pos = x >= zero;
    sig = Vec<T>::blendv(e * inv, inv, pos);
    sig_neg = Vec<T>::blendv(inv, e * inv, pos);
    // log1p(e) for e in (0, 1] as log(u) + (e - (u - 1)) / u with u = 1 + e: the second term corrects the rounding
    // of u to first order (and gives e where u rounds to 1), reusing 1 / u from the sigmoid. A plain log plus this
    // costs much less than SLEEF's log1p, and is as accurate.
    const Vec<T> u = one + e;
    log1p_e = u.log() + (e - (u - one)) * inv;
  }
};

// Binary cross-entropy with logits, pos_weight p: loss = (1 - y) x + (1 + (p - 1) y) softplus(-x),
// d/dx = (1 + (p - 1) y) sigmoid(x) - p y.
template <typename T>
struct BceLogitsOp {
  void operator()(const Vec<T>& x, const Vec<T>& y, const Vec<T>& pw, Vec<T>& loss, Vec<T>& dloss) const {
    const Vec<T> one(T(1)), zero(T(0));
    const Logistic<T> l(x);
    const Vec<T> lw = one + (pw - one) * y;
    const Vec<T> sp = l.log1p_e + at::vec::maximum(x.neg(), zero);
    loss = (one - y) * x + lw * sp;
    dloss = lw * l.sig - pw * y;
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
// q = 1 - p_t = y (1 - s) + (1 - y) s, ce = BCE-with-logits(x, y), M = q^gamma and alpha_t = alpha y + (1 - alpha)(1 - y):
// loss = alpha_t ce M, d/dx = alpha_t ((s - y) M + ce gamma M s (1 - s)(1 - 2y) / q).
// For hard labels log q is log sigmoid(-x) or log sigmoid(x), exactly; gamma 1 and 2 avoid the pow.
template <typename T>
struct SigmoidFocalOp {
  T alpha;  // < 0: no alpha weighting
  T gamma;
  void operator()(const Vec<T>& x, const Vec<T>& y, const Vec<T>&, Vec<T>& loss, Vec<T>& dloss) const {
    const Vec<T> one(T(1)), zero(T(0)), two(T(2));
    const Logistic<T> l(x);
    const Vec<T> s = l.sig, sn = l.sig_neg;
    const Vec<T> sp = l.log1p_e + at::vec::maximum(x.neg(), zero);  // softplus(-x) = -log s
    const Vec<T> ce = (one - y) * x + sp;                            // as BceLogitsOp with p = 1
    const Vec<T> q = y * sn + (one - y) * s;
    Vec<T> m;
    if (gamma == T(0)) {
      m = one;
    } else if (gamma == T(1)) {
      m = q;
    } else if (gamma == T(2)) {
      m = q * q;
    } else {
      const Vec<T> log_sn = (l.log1p_e + at::vec::maximum(x, zero)).neg();
      Vec<T> log_q = Vec<T>::blendv(q.log(), log_sn, y == one);
      log_q = Vec<T>::blendv(log_q, sp.neg(), y == zero);
      m = (log_q * Vec<T>(gamma)).exp();
    }
    Vec<T> lv = ce * m;
    Vec<T> d = (s - y) * m;
    if (gamma != T(0)) {
      const Vec<T> r = Vec<T>::blendv(s * sn / q, zero, q == zero);
      d = d + ce * Vec<T>(gamma) * m * r * (one - two * y);
    }
    if (alpha >= T(0)) {
      const Vec<T> at = y * Vec<T>(alpha) + (one - y) * Vec<T>(T(1) - alpha);
      lv = at * lv;
      d = at * d;
    }
    loss = lv;
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

// True when any lane of a comparison mask is set (set lanes are all-ones bit patterns, i.e. NaN as numbers).
template <typename T>
inline bool any_lane(const Vec<T>& mask) {
  alignas(64) T lanes[Vec<T>::size()];
  mask.store(lanes);
  for (int i = 0; i < Vec<T>::size(); ++i) {
    uint64_t bits = 0;
    std::memcpy(&bits, &lanes[i], sizeof(T));
    if (bits != 0) return true;
  }
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
    Vec<T> bad_y(T(0)), bad_x(T(0));  // all-ones lanes where a check failed
    int64_t since_flush = 0;
    for (int64_t k = 0; k < len; k += V) {
      const int64_t count = std::min<int64_t>(V, len - k);
      const int64_t i = i0 + k;
      const Vec<T> xv = Vec<T>::loadu(x + i, count);
      const Vec<T> yv = Vec<T>::loadu(y + i, count);
      const Vec<T> pv = pw != nullptr ? Vec<T>::loadu(pw + c0 + k, count) : Vec<T>(T(1));
      if (p.checks != kCheckNone) {
        // Lanes past `count` were loaded as 0, which passes every check; NaN compares false, so it passes too.
        const Vec<T> zero(T(0)), one(T(1));
        if (p.checks & kCheckTargetUnit) bad_y = bad_y | (yv < zero) | (yv > one);
        if (p.checks & kCheckTargetNonNegative) bad_y = bad_y | (yv < zero);
        if (p.checks & kCheckInputUnit) bad_x = bad_x | (xv < zero) | (xv > one);
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
    if (p.checks != kCheckNone) {
      if (any_lane(bad_y)) bad_target = true;
      if (any_lane(bad_x)) bad_input = true;
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
