// Fused CTC kernel (compiled once per CPU capability; see CMakeLists.txt and ../ctc.h).
//
// Layout: a group of V = Vec<T>::size() samples is processed together, one sample per vector lane. For each time step
// the emissions of the group's extended-label states are gathered into [state][lane] vectors (every blank state of a
// lane shares one emission, lp[t, n, blank]), and the recursions run on whole vectors:
//   alpha_t(s) = LSE(alpha_{t-1}(s), alpha_{t-1}(s-1), [skip(s)] alpha_{t-1}(s-2)) + e_t(s)
//   beta_t(s)  = LSE(beta_{t+1}(s), beta_{t+1}(s+1), [skip(s+2)] beta_{t+1}(s+2)) + e_t(s)
// (libtorch's definitions: beta includes the emission at t, as alpha does). Even states are blanks for every lane, so
// only the label states need the per-lane skip mask (label k differs from label k-1). Per-lane lengths are masks too:
//  - the recursions start from a virtual row, alpha_{-1} = [0, -inf, ...] and beta_{T_n} = 0 at state 2 S_n only,
//    which reproduce libtorch's initial rows exactly, and a lane keeps its row unchanged on frames t >= T_n;
//  - label states beyond a lane's target get e = -inf, so they stay -inf and never feed the states that exist.
// The gradient of frame t is then libtorch's (exp(lp) - exp(log sum_s alpha beta + nll - lp)) with the sum over the
// states s of each class taken in the linear domain: occupancy(s) = exp(alpha_t(s) + beta_t(s) + nll - e_t(s)),
// added per lane into a (lane, class) table, then one vectorised pass over the group's C-wide rows of frame t.
#include "../ctc.h"
#include "vec_common.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace lk {
namespace kernels {
namespace CPU_CAPABILITY {
namespace {

template <typename T>
constexpr T neg_inf() {
  return -std::numeric_limits<T>::infinity();
}

// A lane mask in Vectorized's convention (all bits set = true).
template <typename T>
T mask_bits(bool on) {
  T v;
  if (on) std::memset(&v, 0xFF, sizeof(T));
  else std::memset(&v, 0, sizeof(T));
  return v;
}

// log(exp(a) + exp(b)), -inf when both are -inf; NaN propagates.
template <typename T>
inline Vec<T> lse2(const Vec<T>& a, const Vec<T>& b) {
  const Vec<T> m = at::vec::maximum(a, b);
  const Vec<T> r = m + (at::vec::minimum(a, b) - m).exp().log1p();
  return Vec<T>::blendv(r, m, m == Vec<T>(neg_inf<T>()));
}

// log(exp(a) + exp(b) + exp(c)): the two smaller terms relative to the largest (2 exp + 1 log1p).
template <typename T>
inline Vec<T> lse3(const Vec<T>& a, const Vec<T>& b, const Vec<T>& c) {
  const Vec<T> hi = at::vec::maximum(a, b);
  const Vec<T> lo = at::vec::minimum(a, b);
  const Vec<T> m = at::vec::maximum(hi, c);
  const Vec<T> mid = at::vec::minimum(hi, c);
  const Vec<T> r = m + ((lo - m).exp() + (mid - m).exp()).log1p();
  return Vec<T>::blendv(r, m, m == Vec<T>(neg_inf<T>()));
}

// Per-thread scratch memory, reused from group to group.
template <typename T>
struct Workspace {
  std::vector<T> alpha;          // rows x states x V: rows = T_g + 1 with the gradient (row t + 1 = alpha_t), else 2
  std::vector<T> beta;           // 2 x states x V
  std::vector<T> emit;           // S_g x V: label emissions of the current frame
  std::vector<T> label_valid;    // S_g x V masks: k < S_n
  std::vector<T> skip;           // (S_g + 1) x V masks: label k may be reached from label k - 1 (k < S_n, l_k != l_{k-1})
  std::vector<int64_t> offset;   // S_g x V: n C + l_k (a valid position even beyond the target)
  std::vector<int64_t> column;   // S_g x V: l_k, or C (a scratch column) beyond the target
  std::vector<T> gamma;          // V x (C + 1): occupancy per class of the current frame
  alignas(64) T blank_emit[64];  // V
  alignas(64) T lane_tmp[64];    // V
};

struct Lane {
  int64_t n = 0;           // sample index
  int64_t input_len = 0;   // T_n (0 for the padding lanes of a partial group)
  int64_t target_len = 0;  // S_n
  int64_t blank_offset = 0;
};

template <typename T>
class Group {
 public:
  static constexpr int64_t V = Vec<T>::size();

  Group(const CtcProblem& p, const CtcOutputs& o, int64_t n0, Workspace<T>& ws) : p_(p), o_(o), ws_(ws) {
    lanes_ = std::min<int64_t>(V, p.batch - n0);
    const int64_t C = p.classes;
    for (int64_t i = 0; i < V; ++i) {
      Lane& l = lane_[i];
      l.n = i < lanes_ ? n0 + i : n0;
      l.input_len = i < lanes_ ? p.input_length[l.n] : 0;
      l.target_len = i < lanes_ ? p.target_length[l.n] : 0;
      l.blank_offset = l.n * C + p.blank;
      time_ = std::max(time_, l.input_len);
      labels_ = std::max(labels_, l.target_len);
      input_len_[i] = static_cast<T>(l.input_len);
    }
    states_ = 2 * labels_ + 1;
    const int64_t S = labels_;
    ws.emit.assign(static_cast<size_t>(S * V), T(0));
    ws.label_valid.assign(static_cast<size_t>(S * V), mask_bits<T>(false));
    ws.skip.assign(static_cast<size_t>((S + 1) * V), mask_bits<T>(false));
    ws.offset.assign(static_cast<size_t>(S * V), 0);
    ws.column.assign(static_cast<size_t>(S * V), C);
    for (int64_t i = 0; i < V; ++i) {
      const Lane& l = lane_[i];
      const int64_t* y = p.targets + (i < lanes_ ? p.target_start[l.n] : 0);
      for (int64_t k = 0; k < S; ++k) {
        const size_t at = static_cast<size_t>(k * V + i);
        if (k < l.target_len) {
          ws.offset[at] = l.n * C + y[k];
          ws.column[at] = y[k];
          ws.label_valid[at] = mask_bits<T>(true);
          ws.skip[at] = mask_bits<T>(k > 0 && y[k] != y[k - 1]);
        } else {
          ws.offset[at] = l.blank_offset;
        }
      }
    }
  }

  int64_t time() const { return time_; }

  // Emissions of frame t: the blank's per lane, and the labels' per state and lane (-inf beyond each target).
  void gather(int64_t t) {
    const T* row = static_cast<const T*>(p_.log_probs) + t * p_.batch * p_.classes;
    for (int64_t i = 0; i < V; ++i) ws_.blank_emit[i] = row[lane_[i].blank_offset];
    const int64_t* off = ws_.offset.data();
    T* e = ws_.emit.data();
    const T* valid = ws_.label_valid.data();
    const Vec<T> ninf(neg_inf<T>());
    for (int64_t k = 0; k < labels_; ++k) {
      for (int64_t i = 0; i < V; ++i) ws_.lane_tmp[i] = row[off[k * V + i]];
      Vec<T>::blendv(ninf, Vec<T>::loadu(ws_.lane_tmp), Vec<T>::loadu(valid + k * V)).store(e + k * V);
    }
  }

  // One alpha step: cur = alpha_t from prev = alpha_{t-1} (lanes with t >= T_n keep prev).
  void alpha_step(int64_t t, const T* prev, T* cur) {
    gather(t);
    const Vec<T> ninf(neg_inf<T>());
    const Vec<T> active = Vec<T>(static_cast<T>(t)) < Vec<T>::loadu(input_len_);
    const Vec<T> eb = Vec<T>::loadu(ws_.blank_emit);
    const T* e = ws_.emit.data();
    const T* skip = ws_.skip.data();
    Vec<T> below = Vec<T>::loadu(prev);  // alpha_{t-1}(0)
    Vec<T>::blendv(below, below + eb, active).store(cur);
    Vec<T> below2 = ninf;  // alpha_{t-1}(s - 2) for the label state s
    for (int64_t k = 0; k < labels_; ++k) {
      const int64_t s = 2 * k + 1;
      const Vec<T> a1 = Vec<T>::loadu(prev + s * V);
      const Vec<T> a3 = Vec<T>::blendv(ninf, below2, Vec<T>::loadu(skip + k * V));
      const Vec<T> label = lse3(a1, below, a3) + Vec<T>::loadu(e + k * V);
      Vec<T>::blendv(a1, label, active).store(cur + s * V);
      const Vec<T> b1 = Vec<T>::loadu(prev + (s + 1) * V);
      const Vec<T> blank = lse2(b1, a1) + eb;
      Vec<T>::blendv(b1, blank, active).store(cur + (s + 1) * V);
      below2 = a1;
      below = b1;
    }
  }

  // One beta step: cur = beta_t from next = beta_{t+1} (lanes with t >= T_n keep next).
  void beta_step(int64_t t, const T* next, T* cur) {
    const Vec<T> ninf(neg_inf<T>());
    const Vec<T> active = Vec<T>(static_cast<T>(t)) < Vec<T>::loadu(input_len_);
    const Vec<T> eb = Vec<T>::loadu(ws_.blank_emit);
    const T* e = ws_.emit.data();
    const T* skip = ws_.skip.data();
    const int64_t last = states_ - 1;
    Vec<T> above = Vec<T>::loadu(next + last * V);  // beta_{t+1}(s + 1) for the state s below
    Vec<T>::blendv(above, above + eb, active).store(cur + last * V);
    Vec<T> above2 = ninf;                            // beta_{t+1}(s + 2) for the label state s
    for (int64_t k = labels_ - 1; k >= 0; --k) {
      const int64_t s = 2 * k + 1;
      const Vec<T> b1 = Vec<T>::loadu(next + s * V);
      const Vec<T> b3 = Vec<T>::blendv(ninf, above2, Vec<T>::loadu(skip + (k + 1) * V));
      const Vec<T> label = lse3(b1, above, b3) + Vec<T>::loadu(e + k * V);
      Vec<T>::blendv(b1, label, active).store(cur + s * V);
      const Vec<T> c1 = Vec<T>::loadu(next + (s - 1) * V);
      const Vec<T> blank = lse2(c1, b1) + eb;
      Vec<T>::blendv(c1, blank, active).store(cur + (s - 1) * V);
      above2 = b1;
      above = c1;
    }
  }

  // Forward: nll of every lane (written to the outputs); keeps every alpha row when the gradient follows.
  void forward(bool keep) {
    const int64_t row = states_ * V;
    const int64_t rows = keep ? time_ + 1 : 2;
    ws_.alpha.resize(static_cast<size_t>(rows * row));
    T* a = ws_.alpha.data();
    std::fill(a, a + row, neg_inf<T>());
    std::fill(a, a + V, T(0));  // alpha_{-1}(0) = 0
    T* last = a;
    for (int64_t t = 0; t < time_; ++t) {
      T* prev = keep ? a + t * row : a + (t % 2) * row;
      T* cur = keep ? a + (t + 1) * row : a + ((t + 1) % 2) * row;
      alpha_step(t, prev, cur);
      last = cur;
    }
    // The likelihood sums the last two states of alpha_{T_n - 1} (the last row holds it for every lane), as libtorch.
    for (int64_t i = 0; i < V; ++i) {
      const Lane& l = lane_[i];
      T value;
      if (l.target_len == 0) {
        value = -last[i];
      } else {
        const T l1 = last[(2 * l.target_len) * V + i];
        const T l2 = last[(2 * l.target_len - 1) * V + i];
        T m = std::max(l1, l2);
        m = m == neg_inf<T>() ? T(0) : m;
        value = -(std::log(std::exp(l1 - m) + std::exp(l2 - m)) + m);
      }
      nll_[i] = i < lanes_ ? value : T(0);
      if (i < lanes_) static_cast<T*>(o_.nll)[l.n] = value;
    }
  }

  // Backward (after forward(true)): beta, then the gradient rows of every frame of the group's samples.
  void backward() {
    const int64_t N = p_.batch, C = p_.classes;
    const int64_t row = states_ * V;
    ws_.beta.resize(static_cast<size_t>(2 * row));
    ws_.gamma.assign(static_cast<size_t>(V * (C + 1)), T(0));
    T* b = ws_.beta.data();
    T* first = b + (time_ % 2) * row;  // beta_{T_g}, the "next" row of the first step
    std::fill(first, first + row, neg_inf<T>());
    for (int64_t i = 0; i < V; ++i) first[(2 * lane_[i].target_len) * V + i] = T(0);  // beta_{T_n}(2 S_n) = 0
    const T* lp = static_cast<const T*>(p_.log_probs);
    T* grad = static_cast<T*>(o_.grad);
    // Frames no lane of the group reaches: zero rows.
    for (int64_t t = time_; t < p_.time; ++t)
      std::fill(grad + (t * N + lane_[0].n) * C, grad + (t * N + lane_[0].n + lanes_) * C, T(0));
    bool zero[64], nan_rows[64];
    T scale[64];
    for (int64_t i = 0; i < V; ++i) {
      const T v = nll_[i];
      zero[i] = o_.zero_infinity && v == std::numeric_limits<T>::infinity();
      nan_rows[i] = !zero[i] && !(v < std::numeric_limits<T>::infinity());  // NaN or +inf: libtorch's gradient is NaN
      scale[i] = i < lanes_ ? static_cast<T>(o_.grad_scale[lane_[i].n]) : T(0);
    }
    const Vec<T> nllv = Vec<T>::loadu(nll_);
    const Vec<T> ninf(neg_inf<T>());
    const Vec<T> nan(std::numeric_limits<T>::quiet_NaN());
    constexpr int64_t W = Vec<T>::size();
    for (int64_t t = time_ - 1; t >= 0; --t) {
      T* next = b + ((t + 1) % 2) * row;
      T* cur = b + (t % 2) * row;
      gather(t);
      beta_step(t, next, cur);
      const T* a = ws_.alpha.data() + (t + 1) * row;
      const Vec<T> eb = Vec<T>::loadu(ws_.blank_emit);
      const T* e = ws_.emit.data();
      // Occupancies: blanks summed as vectors, labels added per lane into their class's column.
      Vec<T> blank_sum = ((Vec<T>::loadu(a) + Vec<T>::loadu(cur)) + nllv - eb).exp();
      T* gamma = ws_.gamma.data();
      const int64_t* column = ws_.column.data();
      for (int64_t k = 0; k < labels_; ++k) {
        const int64_t s = 2 * k + 1;
        const Vec<T> occ = ((Vec<T>::loadu(a + s * V) + Vec<T>::loadu(cur + s * V)) + nllv - Vec<T>::loadu(e + k * V)).exp();
        occ.store(ws_.lane_tmp);
        for (int64_t i = 0; i < lanes_; ++i) gamma[i * (C + 1) + column[k * V + i]] += ws_.lane_tmp[i];
        const Vec<T> occ_blank = ((Vec<T>::loadu(a + (s + 1) * V) + Vec<T>::loadu(cur + (s + 1) * V)) + nllv - eb).exp();
        blank_sum = blank_sum + occ_blank;
      }
      blank_sum.store(ws_.lane_tmp);
      for (int64_t i = 0; i < lanes_; ++i) {
        const Lane& l = lane_[i];
        T* out = grad + (t * N + l.n) * C;
        T* g = gamma + i * (C + 1);
        if (t >= l.input_len || zero[i]) {
          std::fill(out, out + C, T(0));
        } else if (nan_rows[i]) {
          std::fill(out, out + C, std::numeric_limits<T>::quiet_NaN());
        } else {
          g[p_.blank] += ws_.lane_tmp[i];
          const T* x = lp + (t * N + l.n) * C;
          const Vec<T> sc(scale[i]);
          for (int64_t c = 0; c < C; c += W) {
            const int64_t count = std::min<int64_t>(W, C - c);
            const Vec<T> lpv = Vec<T>::loadu(x + c, count);
            const Vec<T> gv = (lpv.exp() - Vec<T>::loadu(g + c, count)) * sc;
            // exp(-inf + nll - lp) with lp = -inf is NaN in libtorch's formula, whether or not the class is used.
            Vec<T>::blendv(gv, nan, lpv == ninf).store(out + c, static_cast<int>(count));
          }
        }
        std::fill(g, g + C + 1, T(0));
      }
    }
  }

 private:
  const CtcProblem& p_;
  const CtcOutputs& o_;
  Workspace<T>& ws_;
  Lane lane_[64];
  alignas(64) T input_len_[64] = {};
  alignas(64) T nll_[64] = {};
  int64_t lanes_ = 0;
  int64_t time_ = 0;    // max T_n of the group
  int64_t labels_ = 0;  // max S_n of the group
  int64_t states_ = 1;
};

template <typename T>
void run(const CtcProblem& p, const CtcOutputs& o) {
  constexpr int64_t V = Vec<T>::size();
  static_assert(V <= 64, "lane arrays hold at most 64 lanes");
  const int64_t groups = (p.batch + V - 1) / V;
  const bool with_grad = o.grad != nullptr;
  at::parallel_for(0, groups, 1, [&](int64_t g0, int64_t g1) {
    Workspace<T> ws;
    for (int64_t g = g0; g < g1; ++g) {
      Group<T> group(p, o, g * V, ws);
      group.forward(with_grad);
      if (with_grad) group.backward();
    }
  });
}

}  // namespace

void ctc_loss(const CtcProblem& problem, const CtcOutputs& outputs) {
  if (problem.is_double) run<double>(problem, outputs);
  else run<float>(problem, outputs);
}

}  // namespace CPU_CAPABILITY
}  // namespace kernels
}  // namespace lk
