// The fused kernels write the input gradient during forward and keep it in the autograd context for backward.
#pragma once

#include <torch/csrc/autograd/custom_function.h>

namespace lk {
namespace kernels {

// Hands the gradient forward saved under "grad" over to backward, removing it from the context so that autograd can
// take it without a copy. Undefined on a second backward through a retained graph: the caller then recomputes it.
inline at::Tensor take_saved_gradient(torch::autograd::AutogradContext* ctx) {
  auto it = ctx->saved_data.find("grad");
  if (it == ctx->saved_data.end()) return at::Tensor();
  at::Tensor grad = it->second.toTensor();
  ctx->saved_data.erase(it);
  return grad;
}

}  // namespace kernels
}  // namespace lk
