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
#include <type_traits>
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

// The transcendental work of the recursions: exp, and the log-sum-exp of two terms (-inf when both are -inf, NaN
// when either is NaN). The generic form uses Vectorized's SLEEF functions; float on AVX2 / AVX-512 (the common case)
// has inlined versions below, which keep the hot loop free of calls (and of the register spills around them).
template <typename T>
struct Math {
  static Vec<T> exp(const Vec<T>& x) { return x.exp(); }

  static Vec<T> lse2(const Vec<T>& a, const Vec<T>& b) {
    const Vec<T> m = at::vec::maximum(a, b);
    const Vec<T> r = m + (at::vec::minimum(a, b) - m).exp().log1p();
    return Vec<T>::blendv(r, m, m == Vec<T>(neg_inf<T>()));
  }

  static void lse2x2(const Vec<T>& a0, const Vec<T>& b0, const Vec<T>& a1, const Vec<T>& b1, Vec<T>& r0, Vec<T>& r1) {
    r0 = lse2(a0, b0);
    r1 = lse2(a1, b1);
  }
};

// Cephes' single-precision exp and log polynomials (about 1 ulp): exp(x) = 2^n e^r with |r| <= ln2 / 2, and
// log(y) = e ln2 + log(1 + f) with 1 + f in [sqrt(1/2), sqrt(2)).
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kExpP[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
constexpr float kLogP[9] = {7.0376836292e-2f, -1.1514610310e-1f, 1.1676998740e-1f, -1.2420140846e-1f, 1.4249322787e-1f,
                            -1.6668057665e-1f, 2.0000714765e-1f, -2.4999993993e-1f, 3.3333331174e-1f};

#if defined(CPU_CAPABILITY_AVX512)
template <>
struct Math<float> {
  // exp for any x: 0 below about -103 (exactly 0 for -inf), +inf above about 88.7, NaN for NaN.
  static inline __m512 exp(__m512 x) {
    // max/min return their second operand when either is NaN, so a NaN x passes through.
    x = _mm512_max_ps(_mm512_set1_ps(-110.f), _mm512_min_ps(_mm512_set1_ps(89.f), x));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), r);
    __m512 p = _mm512_set1_ps(kExpP[0]);
    for (int i = 1; i < 6; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP[i]));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.f)));
    return _mm512_scalef_ps(p, n);  // p 2^n, rounding to 0 / +inf out of range
  }

  // log(y) for y >= 1 (y = 1 + a sum of exps <= 1, as in the log-sum-exps), +inf and NaN passed through.
  static inline __m512 log_ge1(__m512 y) {
    __m512 m = _mm512_getmant_ps(y, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);  // [1, 2)
    __m512 e = _mm512_getexp_ps(y);
    const __mmask16 big = _mm512_cmp_ps_mask(m, _mm512_set1_ps(1.41421356237f), _CMP_GT_OQ);
    m = _mm512_mask_mul_ps(m, big, m, _mm512_set1_ps(0.5f));
    e = _mm512_mask_add_ps(e, big, e, _mm512_set1_ps(1.f));
    const __m512 f = _mm512_sub_ps(m, _mm512_set1_ps(1.f));
    const __m512 z = _mm512_mul_ps(f, f);
    __m512 p = _mm512_set1_ps(kLogP[0]);
    for (int i = 1; i < 9; ++i) p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(kLogP[i]));
    __m512 r = _mm512_mul_ps(_mm512_mul_ps(p, f), z);
    r = _mm512_fmadd_ps(e, _mm512_set1_ps(kLn2Lo), r);
    r = _mm512_fnmadd_ps(_mm512_set1_ps(0.5f), z, r);
    r = _mm512_add_ps(f, r);
    r = _mm512_fmadd_ps(e, _mm512_set1_ps(kLn2Hi), r);
    return r;
  }

  static inline Vec<float> exp(const Vec<float>& x) { return exp(static_cast<__m512>(x)); }

  // m + log(1 + exp(lo - m)); -inf where m is -inf; NaN where a or b is.
  static inline void lse2x2(const Vec<float>& va0, const Vec<float>& vb0, const Vec<float>& va1, const Vec<float>& vb1,
                            Vec<float>& r0, Vec<float>& r1) {
    const __m512 a0 = va0, b0 = vb0, a1 = va1, b1 = vb1;
    const __m512 m0 = _mm512_max_ps(a0, b0), m1 = _mm512_max_ps(a1, b1);
    const __m512 lo0 = _mm512_min_ps(a0, b0), lo1 = _mm512_min_ps(a1, b1);
    const __m512 e0 = exp(_mm512_sub_ps(lo0, m0)), e1 = exp(_mm512_sub_ps(lo1, m1));
    const __m512 l0 = log_ge1(_mm512_add_ps(_mm512_set1_ps(1.f), e0)), l1 = log_ge1(_mm512_add_ps(_mm512_set1_ps(1.f), e1));
    __m512 x0 = _mm512_add_ps(m0, l0), x1 = _mm512_add_ps(m1, l1);
    x0 = _mm512_mask_mov_ps(x0, _mm512_cmp_ps_mask(m0, _mm512_set1_ps(neg_inf<float>()), _CMP_EQ_OQ), m0);
    x1 = _mm512_mask_mov_ps(x1, _mm512_cmp_ps_mask(m1, _mm512_set1_ps(neg_inf<float>()), _CMP_EQ_OQ), m1);
    r0 = _mm512_mask_add_ps(x0, _mm512_cmp_ps_mask(a0, b0, _CMP_UNORD_Q), a0, b0);
    r1 = _mm512_mask_add_ps(x1, _mm512_cmp_ps_mask(a1, b1, _CMP_UNORD_Q), a1, b1);
  }

  static inline Vec<float> lse2(const Vec<float>& va, const Vec<float>& vb) {
    const __m512 a = va, b = vb;
    const __m512 m = _mm512_max_ps(a, b);
    const __m512 lo = _mm512_min_ps(a, b);
    __m512 r = _mm512_add_ps(m, log_ge1(_mm512_add_ps(_mm512_set1_ps(1.f), exp(_mm512_sub_ps(lo, m)))));
    r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(m, _mm512_set1_ps(neg_inf<float>()), _CMP_EQ_OQ), m);
    return _mm512_mask_add_ps(r, _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), a, b);
  }
};
#elif defined(CPU_CAPABILITY_AVX2)
template <>
struct Math<float> {
  // exp for any x: 0 below about -86.6, +inf above about 88.72, NaN for NaN.
  static inline __m256 exp(__m256 x0) {
    const __m256 x = _mm256_max_ps(_mm256_set1_ps(-87.f), _mm256_min_ps(_mm256_set1_ps(88.75f), x0));  // NaN passes
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
    __m256 p = _mm256_set1_ps(kExpP[0]);
    for (int i = 1; i < 6; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP[i]));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.f)));
    // 2^n as 2 * 2^(n - 1), so n = 128 (x up to ln(FLT_MAX)) still has a normal power of two.
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(126)), 23);
    __m256 y = _mm256_mul_ps(_mm256_add_ps(p, p), _mm256_castsi256_ps(bits));
    y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(x0, _mm256_set1_ps(-86.6f), _CMP_LT_OQ));
    return _mm256_blendv_ps(y, _mm256_set1_ps(std::numeric_limits<float>::infinity()),
                            _mm256_cmp_ps(x0, _mm256_set1_ps(88.7228f), _CMP_GT_OQ));
  }

  // log(y) for y >= 1; +inf and NaN passed through.
  static inline __m256 log_ge1(__m256 y) {
    const __m256i bits = _mm256_castps_si256(y);
    __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f800000)));
    const __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356237f), _CMP_GT_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
    e = _mm256_blendv_ps(e, _mm256_add_ps(e, _mm256_set1_ps(1.f)), big);
    const __m256 f = _mm256_sub_ps(m, _mm256_set1_ps(1.f));
    const __m256 z = _mm256_mul_ps(f, f);
    __m256 p = _mm256_set1_ps(kLogP[0]);
    for (int i = 1; i < 9; ++i) p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(kLogP[i]));
    __m256 r = _mm256_mul_ps(_mm256_mul_ps(p, f), z);
    r = _mm256_fmadd_ps(e, _mm256_set1_ps(kLn2Lo), r);
    r = _mm256_fnmadd_ps(_mm256_set1_ps(0.5f), z, r);
    r = _mm256_add_ps(f, r);
    r = _mm256_fmadd_ps(e, _mm256_set1_ps(kLn2Hi), r);
    // Not below +inf: +inf or NaN, returned as is.
    return _mm256_blendv_ps(r, y, _mm256_cmp_ps(y, _mm256_set1_ps(std::numeric_limits<float>::infinity()), _CMP_NLT_UQ));
  }

  static inline Vec<float> exp(const Vec<float>& x) { return exp(static_cast<__m256>(x)); }

  static inline void lse2x2(const Vec<float>& a0, const Vec<float>& b0, const Vec<float>& a1, const Vec<float>& b1,
                            Vec<float>& r0, Vec<float>& r1) {
    r0 = lse2(a0, b0);
    r1 = lse2(a1, b1);
  }

  static inline Vec<float> lse2(const Vec<float>& va, const Vec<float>& vb) {
    const __m256 a = va, b = vb;
    const __m256 m = _mm256_max_ps(a, b);
    const __m256 lo = _mm256_min_ps(a, b);
    __m256 r = _mm256_add_ps(m, log_ge1(_mm256_add_ps(_mm256_set1_ps(1.f), exp(_mm256_sub_ps(lo, m)))));
    r = _mm256_blendv_ps(r, m, _mm256_cmp_ps(m, _mm256_set1_ps(neg_inf<float>()), _CMP_EQ_OQ));
    return _mm256_blendv_ps(r, _mm256_add_ps(a, b), _mm256_cmp_ps(a, b, _CMP_UNORD_Q));
  }
};
#endif

// Lane indices into a frame's occupancy table (lanes x C, small): int32 for float, int64 for double, as the AVX-512
// scatter of each element type takes them.
template <typename T>
using Index = at::vec::int_same_size_t<T>;

// base[idx[i]] += v[i] for the V lanes; the indices must be distinct except where the values do not matter.
template <typename T>
inline void scatter_add(T* base, const Index<T>* idx, const Vec<T>& v, T* tmp) {
#if defined(CPU_CAPABILITY_AVX512)
  if constexpr (std::is_same_v<T, float>) {
    const __m512i i = _mm512_loadu_si512(idx);
    _mm512_i32scatter_ps(base, i, _mm512_add_ps(_mm512_i32gather_ps(i, base, 4), v), 4);
  } else {
    const __m512i i = _mm512_loadu_si512(idx);
    _mm512_i64scatter_pd(base, i, _mm512_add_pd(_mm512_i64gather_pd(i, base, 8), v), 8);
  }
  (void)tmp;
#else
  v.store(tmp);
  for (int64_t j = 0; j < Vec<T>::size(); ++j) base[idx[j]] += tmp[j];
#endif
}

// Scratch memory of one task, reused from group to group.
template <typename T>
struct Workspace {
  std::vector<T> alpha;          // rows x states x V: rows = T_g + 1 with the gradient (row t + 1 = alpha_t), else 2
  std::vector<T> beta;           // 2 x states x V
  std::vector<T> emit;           // S_g x V: label emissions of the current frame
  std::vector<T> blank_sum;      // (S_g + 1) x V: the blanks' log-sum-exps before the emission, in a step
  std::vector<T> label_valid;    // S_g x V masks: k < S_n
  std::vector<T> skip;           // (S_g + 1) x V masks: label k may be reached from label k - 1 (k < S_n, l_k != l_{k-1})
  std::vector<int64_t> offset;   // S_g x V: n C + l_k (a valid position even beyond the target)
  std::vector<Index<T>> column;  // S_g x V: i C + l_k in the occupancy table, or V C (a scratch slot) beyond the target
  std::vector<T> gamma;          // V C + 1: occupancy per (lane, class) of the current frame, then the scratch slot
  std::vector<T> scale;          // lanes x C: the gradient scale of each element of the group's rows
  alignas(64) T blank_emit[64];  // V
  alignas(64) Index<T> blank_column[64];  // V: i C + blank, or V C for the padding lanes
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
    ws.blank_sum.assign(static_cast<size_t>((S + 1) * V), T(0));
    ws.label_valid.assign(static_cast<size_t>(S * V), mask_bits<T>(false));
    ws.skip.assign(static_cast<size_t>((S + 1) * V), mask_bits<T>(false));
    ws.offset.assign(static_cast<size_t>(S * V), 0);
    ws.column.assign(static_cast<size_t>(S * V), static_cast<Index<T>>(V * C));
    for (int64_t i = 0; i < V; ++i) {
      ws.blank_column[i] = static_cast<Index<T>>(i < lanes_ ? i * C + p.blank : V * C);
    }
    for (int64_t i = 0; i < lanes_; ++i) {
      const Lane& l = lane_[i];
      const int64_t* y = p.targets + p.target_start[l.n];
      for (int64_t k = 0; k < S; ++k) {
        const size_t at = static_cast<size_t>(k * V + i);
        if (k < l.target_len) {
          ws.offset[at] = l.n * C + y[k];
          ws.column[at] = static_cast<Index<T>>(i * C + y[k]);
          ws.label_valid[at] = mask_bits<T>(true);
          ws.skip[at] = mask_bits<T>(k > 0 && y[k] != y[k - 1]);
        } else {
          ws.offset[at] = l.blank_offset;
        }
      }
    }
    for (int64_t i = lanes_; i < V; ++i)
      for (int64_t k = 0; k < S; ++k) ws.offset[static_cast<size_t>(k * V + i)] = lane_[i].blank_offset;
  }

  // Emissions of frame t: the blank's per lane, and the labels' per state and lane (-inf beyond each target). Scalar
  // loads: measured faster than the gather instructions here.
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

  // One alpha step: cur = alpha_t from prev = alpha_{t-1} (lanes with t >= T_n keep prev). Every state is a two-term
  // log-sum-exp: the skip transition of label state 2k+1 reuses the blank 2k's sum before its emission,
  // LSE(a(2k+1), a(2k), a(2k-1)) = LSE(a(2k+1), LSE(a(2k), a(2k-1))). The blanks go first, in their own loop, so
  // that no iteration of either loop waits for another (the latency of one log-sum-exp is long).
  void alpha_step(int64_t t, const T* prev, T* cur) {
    gather(t);
    const Vec<T> active = Vec<T>::loadu(input_len_) > Vec<T>(static_cast<T>(t));
    const Vec<T> eb = Vec<T>::loadu(ws_.blank_emit);
    const T* e = ws_.emit.data();
    const T* skip = ws_.skip.data();
    T* sums = ws_.blank_sum.data();  // LSE(alpha_{t-1}(2k), alpha_{t-1}(2k-1)) for k = 0..S_g
    Vec<T> blank = Vec<T>::loadu(prev);
    blank.store(sums);
    Vec<T>::blendv(blank, blank + eb, active).store(cur);
    int64_t k = 1;
    for (; k + 1 <= labels_; k += 2) {
      const Vec<T> b0 = Vec<T>::loadu(prev + 2 * k * V), b1 = Vec<T>::loadu(prev + 2 * (k + 1) * V);
      Vec<T> s0, s1;
      Math<T>::lse2x2(b0, Vec<T>::loadu(prev + (2 * k - 1) * V), b1, Vec<T>::loadu(prev + (2 * k + 1) * V), s0, s1);
      s0.store(sums + k * V);
      s1.store(sums + (k + 1) * V);
      Vec<T>::blendv(b0, s0 + eb, active).store(cur + 2 * k * V);
      Vec<T>::blendv(b1, s1 + eb, active).store(cur + 2 * (k + 1) * V);
    }
    for (; k <= labels_; ++k) {
      blank = Vec<T>::loadu(prev + 2 * k * V);
      const Vec<T> sum = Math<T>::lse2(blank, Vec<T>::loadu(prev + (2 * k - 1) * V));
      sum.store(sums + k * V);
      Vec<T>::blendv(blank, sum + eb, active).store(cur + 2 * k * V);
    }
    k = 0;
    for (; k + 1 < labels_; k += 2) {
      const int64_t s = 2 * k + 1;
      const Vec<T> a0 = Vec<T>::loadu(prev + s * V), a1 = Vec<T>::loadu(prev + (s + 2) * V);
      const Vec<T> f0 = Vec<T>::blendv(Vec<T>::loadu(prev + (s - 1) * V), Vec<T>::loadu(sums + k * V), Vec<T>::loadu(skip + k * V));
      const Vec<T> f1 = Vec<T>::blendv(Vec<T>::loadu(prev + (s + 1) * V), Vec<T>::loadu(sums + (k + 1) * V), Vec<T>::loadu(skip + (k + 1) * V));
      Vec<T> l0, l1;
      Math<T>::lse2x2(a0, f0, a1, f1, l0, l1);
      Vec<T>::blendv(a0, l0 + Vec<T>::loadu(e + k * V), active).store(cur + s * V);
      Vec<T>::blendv(a1, l1 + Vec<T>::loadu(e + (k + 1) * V), active).store(cur + (s + 2) * V);
    }
    for (; k < labels_; ++k) {
      const int64_t s = 2 * k + 1;
      const Vec<T> a = Vec<T>::loadu(prev + s * V);
      const Vec<T> from = Vec<T>::blendv(Vec<T>::loadu(prev + (s - 1) * V), Vec<T>::loadu(sums + k * V), Vec<T>::loadu(skip + k * V));
      const Vec<T> label = Math<T>::lse2(a, from) + Vec<T>::loadu(e + k * V);
      Vec<T>::blendv(a, label, active).store(cur + s * V);
    }
  }

  // One beta step: cur = beta_t from next = beta_{t+1} (lanes with t >= T_n keep next), mirroring alpha_step.
  void beta_step(int64_t t, const T* next, T* cur) {
    const Vec<T> active = Vec<T>::loadu(input_len_) > Vec<T>(static_cast<T>(t));
    const Vec<T> eb = Vec<T>::loadu(ws_.blank_emit);
    const T* e = ws_.emit.data();
    const T* skip = ws_.skip.data();
    T* sums = ws_.blank_sum.data();  // LSE(beta_{t+1}(2k), beta_{t+1}(2k+1)) for k = 0..S_g
    const int64_t last = labels_;
    Vec<T> blank = Vec<T>::loadu(next + 2 * last * V);
    blank.store(sums + last * V);
    Vec<T>::blendv(blank, blank + eb, active).store(cur + 2 * last * V);
    for (int64_t k = 0; k < last; ++k) {
      blank = Vec<T>::loadu(next + 2 * k * V);
      const Vec<T> sum = Math<T>::lse2(blank, Vec<T>::loadu(next + (2 * k + 1) * V));
      sum.store(sums + k * V);
      Vec<T>::blendv(blank, sum + eb, active).store(cur + 2 * k * V);
    }
    for (int64_t k = 0; k < labels_; ++k) {
      const int64_t s = 2 * k + 1;
      const Vec<T> b = Vec<T>::loadu(next + s * V);
      const Vec<T> from = Vec<T>::blendv(Vec<T>::loadu(next + (s + 1) * V), Vec<T>::loadu(sums + (k + 1) * V), Vec<T>::loadu(skip + (k + 1) * V));
      const Vec<T> label = Math<T>::lse2(b, from) + Vec<T>::loadu(e + k * V);
      Vec<T>::blendv(b, label, active).store(cur + s * V);
    }
  }

  // Forward: nll of every lane (written to the outputs); keeps every alpha row when the gradient follows.
  void forward(bool keep) {
    const int64_t row = states_ * V;
    const int64_t rows = keep ? time_ + 1 : 2;
    if (ws_.alpha.size() < static_cast<size_t>(rows * row)) ws_.alpha.resize(static_cast<size_t>(rows * row));
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
    const int64_t width = lanes_ * C;  // the group's rows of one frame are contiguous in the gradient
    ws_.beta.resize(static_cast<size_t>(2 * row));
    ws_.gamma.assign(static_cast<size_t>(V * C + 1), T(0));
    ws_.scale.resize(static_cast<size_t>(width));
    T* b = ws_.beta.data();
    T* first = b + (time_ % 2) * row;  // beta_{T_g}, the "next" row of the first step
    std::fill(first, first + row, neg_inf<T>());
    for (int64_t i = 0; i < V; ++i) first[(2 * lane_[i].target_len) * V + i] = T(0);  // beta_{T_n}(2 S_n) = 0
    const T* lp = static_cast<const T*>(p_.log_probs);
    T* grad = static_cast<T*>(o_.grad);
    const int64_t n0 = lane_[0].n;
    // Frames no lane of the group reaches: zero rows.
    for (int64_t t = time_; t < p_.time; ++t) std::fill(grad + (t * N + n0) * C, grad + (t * N + n0) * C + width, T(0));
    bool zero[64], nan_rows[64];
    for (int64_t i = 0; i < lanes_; ++i) {
      const T v = nll_[i];
      zero[i] = o_.zero_infinity && v == std::numeric_limits<T>::infinity();
      nan_rows[i] = !zero[i] && !(v < std::numeric_limits<T>::infinity());  // NaN or +inf: libtorch's gradient is NaN
      std::fill(ws_.scale.begin() + i * C, ws_.scale.begin() + (i + 1) * C, static_cast<T>(o_.grad_scale[lane_[i].n]));
    }
    const Vec<T> nllv = Vec<T>::loadu(nll_);
    const Vec<T> ninf(neg_inf<T>());
    const Vec<T> zerov(T(0));
    T* gamma = ws_.gamma.data();
    const T* scale = ws_.scale.data();
    const Index<T>* column = ws_.column.data();
    for (int64_t t = time_ - 1; t >= 0; --t) {
      T* next = b + ((t + 1) % 2) * row;
      T* cur = b + (t % 2) * row;
      gather(t);
      beta_step(t, next, cur);
      // Occupancies exp(alpha + beta + nll - e): blanks summed as vectors, labels added per lane into their class.
      const T* a = ws_.alpha.data() + (t + 1) * row;
      const Vec<T> eb = Vec<T>::loadu(ws_.blank_emit);
      const T* e = ws_.emit.data();
      Vec<T> blank_sum = Math<T>::exp((Vec<T>::loadu(a) + Vec<T>::loadu(cur)) + nllv - eb);
      for (int64_t k = 0; k < labels_; ++k) {
        const int64_t s = 2 * k + 1;
        scatter_add(gamma, column + k * V, Math<T>::exp((Vec<T>::loadu(a + s * V) + Vec<T>::loadu(cur + s * V)) + nllv - Vec<T>::loadu(e + k * V)),
                    ws_.lane_tmp);
        blank_sum = blank_sum + Math<T>::exp((Vec<T>::loadu(a + (s + 1) * V) + Vec<T>::loadu(cur + (s + 1) * V)) + nllv - eb);
      }
      scatter_add(gamma, ws_.blank_column, blank_sum, ws_.lane_tmp);
      // grad = (exp(lp) - occupancy) * scale over the group's rows of frame t, as one vector sweep.
      const int64_t base = (t * N + n0) * C;
      const T* x = lp + base;
      T* out = grad + base;
      for (int64_t j = 0; j < width; j += V) {
        const int64_t count = std::min<int64_t>(V, width - j);
        const Vec<T> lpv = Vec<T>::loadu(x + j, count);
        const Vec<T> gv = (Math<T>::exp(lpv) - Vec<T>::loadu(gamma + j, count)) * Vec<T>::loadu(scale + j, count);
        // A probability of 0 (lp = -inf) is on no alignment: its true derivative is 0. libtorch's formula gives
        // exp(-inf + inf) = NaN there; LossKit defines 0 on both paths (CTCLoss.ZeroGradientWhereImpossible).
        Vec<T>::blendv(gv, zerov, lpv == ninf).store(out + j, static_cast<int>(count));
        Vec<T>(T(0)).store(gamma + j, static_cast<int>(count));
      }
      // Rows past their input length (0), of zeroed infinite losses (0), of infinite or NaN losses (NaN).
      for (int64_t i = 0; i < lanes_; ++i) {
        if (t >= lane_[i].input_len || zero[i]) std::fill(out + i * C, out + (i + 1) * C, T(0));
        else if (nan_rows[i])
          for (int64_t c = 0; c < C; ++c)  // still 0 at lp = -inf, as on the libtorch path
            out[i * C + c] = x[i * C + c] == neg_inf<T>() ? T(0) : std::numeric_limits<T>::quiet_NaN();
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
    // One workspace per task, reused by its groups. (A thread_local one, kept between calls to save the page faults of
    // the alpha buffer, measured clearly slower.)
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
