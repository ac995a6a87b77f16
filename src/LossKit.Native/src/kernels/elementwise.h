// Fused element-wise loss kernels: one vectorised sweep computes the per-element losses (or their sum) and,
// in the same pass, the gradient with respect to the input. Declared once per CPU capability.
#pragma once

#include "capability.h"

#include <cstdint>

namespace lk {
namespace kernels {

enum class ElementwiseKind : int32_t {
  MSE = 0,            // (x - y)^2
  L1 = 1,             // |x - y|
  Huber = 2,          // p0 = delta
  SmoothL1 = 3,       // p0 = beta (> 0)
  Smooth = 4,         // p0 = delta, p1 = alpha
  BCEWithLogits = 5,  // pos_weight optional (per column)
  SigmoidFocal = 6,   // p0 = alpha (< 0: none), p1 = gamma
  KLDiv = 7,          // input = log q, target = p (p0 = 0) or log p (p0 = 1): p (log p - x) or exp(t) (t - x)
  BCE = 8,            // input = probabilities: -(y log p + (1 - y) log(1 - p)), each log clamped to >= -100
};

// Range checks done inside the sweep (no extra pass over memory). NaN passes (it propagates into the loss).
enum ElementwiseCheck : int32_t {
  kCheckNone = 0,
  kCheckTargetUnit = 1,  // every target in [0, 1]
  kCheckInputUnit = 2,   // every input in [0, 1]
  kCheckTargetNonNegative = 4,  // every target >= 0
};

enum class WeightMode : int32_t { None = 0, PerColumn = 1, Full = 2 };

// The tensor is viewed as rows x cols (row-major, cols = the last dimension) so that per-class weights and
// pos_weight can be indexed by column.
struct ElementwiseProblem {
  const void* input = nullptr;
  const void* target = nullptr;
  const void* weight = nullptr;      // by weight_mode
  WeightMode weight_mode = WeightMode::None;
  const void* pos_weight = nullptr;  // cols values, or null
  void* losses = nullptr;            // per-element weighted losses (reduction none), or null
  void* grad = nullptr;              // grad_scale * d(weighted loss_i)/d input_i, or null
  int64_t rows = 0;
  int64_t cols = 0;
  double grad_scale = 1.0;
  bool is_double = false;
  ElementwiseKind kind = ElementwiseKind::MSE;
  double p0 = 0.0;
  double p1 = 0.0;
  int32_t checks = kCheckNone;   // ElementwiseCheck bits
  // Out: set when a check fails (the kernel still completes; the caller reports the error).
  mutable bool target_out_of_range = false;
  mutable bool input_out_of_range = false;
};

}  // namespace kernels
}  // namespace lk

// Returns the sum of the weighted per-element losses (accumulated in double, deterministic for any thread count).
LK_DECLARE_FOR_EACH_CAPABILITY(double elementwise_loss(const ElementwiseProblem& problem))
