// Fused softmax-family kernels over rows of logits (N, C): one pass over each row gives the loss and, in the same
// pass, the gradient with respect to the logits (softmax minus the target distribution, scaled). Declared once per
// CPU capability.
#pragma once

#include "capability.h"

#include <cstdint>

namespace lk {
namespace kernels {

enum class RowwiseKind : int32_t {
  // Cross-entropy with PyTorch's label smoothing (p0 = eps in [0, 1]): (1 - eps) * w_y * NLL + (eps / C) * sum_c w_c * (-log p_c).
  CrossEntropy = 0,
  // (The seed convention's label smoothing, 1 - eps on y and eps / (C - 1) elsewhere, is CrossEntropy with
  // p0 = eps * C / (C - 1), weights included.)
  // Softmax focal loss (p0 = gamma >= 0): -w_y * (1 - p_y)^gamma * log p_y.
  Focal = 1,
};

struct RowwiseProblem {
  const void* logits = nullptr;      // rows x classes, contiguous
  const int64_t* target = nullptr;   // rows class indices (ignore_index allowed)
  const void* weight = nullptr;      // classes values, or null
  int64_t ignore_index = -100;
  void* losses = nullptr;            // per-row losses (reduction none), or null
  void* grad = nullptr;              // rows x classes: grad_scale * d loss / d logits, or null
  int64_t rows = 0;
  int64_t classes = 0;
  double grad_scale = 1.0;
  bool is_double = false;
  RowwiseKind kind = RowwiseKind::CrossEntropy;
  double p0 = 0.0;
};

}  // namespace kernels
}  // namespace lk

// Returns the sum of the per-row losses (ignored rows contribute 0). Targets must already be validated.
LK_DECLARE_FOR_EACH_CAPABILITY(double rowwise_loss(const RowwiseProblem& problem))
