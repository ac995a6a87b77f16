// Fused CTC (connectionist temporal classification) kernel: the alpha recursion (loss) and, when asked, the beta
// recursion and the gradient with respect to the log-probabilities, in libtorch's convention. Declared once per CPU
// capability.
//
// Samples are the vector lanes: a group of Vec<T>::size() samples runs the recursions together, with the alphas and
// betas stored as [state][lane] and the per-lane differences (input and target lengths, labels, the skip transition)
// handled by masks. Groups are independent, so the result does not depend on the thread count.
#pragma once

#include "capability.h"

#include <cstdint>

namespace lk {
namespace kernels {

struct CtcProblem {
  const void* log_probs = nullptr;         // (T, N, C) contiguous, float or double
  const int64_t* targets = nullptr;        // labels of sample n: targets[target_start[n] + k], k < target_length[n]
  const int64_t* target_start = nullptr;   // (N)
  const int64_t* input_length = nullptr;   // (N), each in [0, T]
  const int64_t* target_length = nullptr;  // (N), each >= 0
  int64_t time = 0;                        // T
  int64_t batch = 0;                       // N
  int64_t classes = 0;                     // C
  int64_t blank = 0;
  bool is_double = false;
};

struct CtcOutputs {
  void* nll = nullptr;  // (N) -log p(target | input), element type; +inf when no alignment exists
  // (T, N, C) or null: libtorch's gradient of sample n's loss, (exp(lp) - occupancy) * grad_scale[n] on frames t < T_n
  // and 0 beyond (NaN rows for infinite or NaN losses, NaN entries where lp = -inf, as libtorch).
  void* grad = nullptr;
  const double* grad_scale = nullptr;  // (N), with grad
  bool zero_infinity = false;          // the gradient of a sample with an infinite loss is 0 (the loss is left as is)
};

}  // namespace kernels
}  // namespace lk

LK_DECLARE_FOR_EACH_CAPABILITY(void ctc_loss(const CtcProblem& problem, const CtcOutputs& outputs))
