// Fused soft F1 / Dice (multi-class, from logits): pass 1 accumulates the per-class soft counts from the softmax of
// each row; backward is pass 2, which recomputes each row's softmax and writes the gradient with respect to the
// logits from two per-class coefficients. Declared once per CPU capability.
#pragma once

#include "capability.h"

#include <cstdint>

namespace lk {
namespace kernels {

struct OverlapCounts {
  double* probability_sum = nullptr;  // classes: S_c = sum over counted rows of p_{n,c}
  double* true_positive = nullptr;    // classes: tp_c = sum over counted rows with y_n = c of p_{n,c}
  double* target_count = nullptr;     // classes: number of counted rows with y_n = c
};

struct OverlapProblem {
  const void* logits = nullptr;     // rows x classes, contiguous
  const int64_t* target = nullptr;  // rows (validated; ignore_index allowed)
  int64_t ignore_index = -100;
  int64_t rows = 0;
  int64_t classes = 0;
  bool is_double = false;
};

}  // namespace kernels
}  // namespace lk

// Pass 1: the soft counts (deterministic for any thread count).
LK_DECLARE_FOR_EACH_CAPABILITY(void overlap_counts(const OverlapProblem& problem, const OverlapCounts& counts))
// Pass 2: grad[n, c] = p_{n,c} (g_{n,c} - sum_k g_{n,k} p_{n,k}) with g_{n,k} = u_k + [k = y_n] v_k (0 for ignored rows).
LK_DECLARE_FOR_EACH_CAPABILITY(void overlap_grad(const OverlapProblem& problem, const double* u, const double* v, void* grad))
