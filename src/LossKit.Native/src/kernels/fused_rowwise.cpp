// Autograd function over the fused softmax-family kernels (rowwise.h), and its C ABI.
//
// Forward computes the loss and the gradient with respect to the logits in one pass; only that gradient (one N x C
// tensor) is kept for backward, which hands it over as is when the upstream gradient is 1 and scales it in place
// otherwise. The mean's denominator (the sum of the weights of the non-ignored targets) is computed first, from the
// targets alone, so the gradient can be written already scaled.
#include "../common.h"
#include "rowwise.h"
#include "saved_gradient.h"

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/custom_function.h>

namespace {

using lk::kernels::RowwiseKind;
using lk::kernels::RowwiseProblem;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct RowwiseCall {
  at::Tensor input, target, weight;
  RowwiseKind kind;
  double p0;
  int64_t ignore_index, reduction;
};

// Sum of w[y_n] over the rows whose target is not ignore_index; also checks every target is a valid class.
double target_weight_sum(const RowwiseCall& c) {
  const int64_t* t = c.target.data_ptr<int64_t>();
  const int64_t n = c.target.numel();
  const int64_t classes = c.input.size(1);
  double total = 0;
  const bool dbl = c.input.scalar_type() == at::kDouble;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t y = t[i];
    if (y == c.ignore_index) continue;
    TORCH_CHECK_INDEX(y >= 0 && y < classes, "Target ", y, " is out of bounds (", classes, " classes).");
    if (!c.weight.defined()) total += 1.0;
    else total += dbl ? c.weight.data_ptr<double>()[y] : static_cast<double>(c.weight.data_ptr<float>()[y]);
  }
  return total;
}

std::pair<at::Tensor, at::Tensor> run(const RowwiseCall& c, bool with_grad) {
  const double denominator = target_weight_sum(c);
  const int64_t rows = c.input.size(0);
  at::Tensor grad = with_grad ? at::empty_like(c.input, at::MemoryFormat::Contiguous) : at::Tensor();
  at::Tensor out = c.reduction == at::Reduction::None ? at::empty({rows}, c.input.options()) : at::Tensor();
  RowwiseProblem p;
  p.logits = c.input.data_ptr();
  p.target = c.target.data_ptr<int64_t>();
  p.weight = c.weight.defined() ? c.weight.data_ptr() : nullptr;
  p.ignore_index = c.ignore_index;
  p.losses = out.defined() ? out.data_ptr() : nullptr;
  p.grad = with_grad ? grad.data_ptr() : nullptr;
  p.rows = rows;
  p.classes = c.input.size(1);
  // LossKit's rule: the mean over nothing (no counted target, or all their weights 0) is 0 with zero gradient.
  p.grad_scale = c.reduction == at::Reduction::Mean ? (denominator != 0 ? 1.0 / denominator : 0.0) : 1.0;
  p.is_double = c.input.scalar_type() == at::kDouble;
  p.kind = c.kind;
  p.p0 = c.p0;
  const double sum = LK_DISPATCH(rowwise_loss, p);
  if (!out.defined()) {
    const double value = c.reduction == at::Reduction::Mean ? (denominator != 0 ? sum / denominator : 0.0) : sum;
    out = at::scalar_tensor(value, c.input.options());
  }
  return {out, grad};
}

class FusedRowwiseFunction : public torch::autograd::Function<FusedRowwiseFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& target,
                            const c10::optional<at::Tensor>& weight, int64_t kind, double p0, int64_t ignore_index,
                            int64_t reduction) {
    RowwiseCall c{input, target, weight.value_or(at::Tensor()), static_cast<RowwiseKind>(kind), p0, ignore_index, reduction};
    const bool with_grad = input.requires_grad();
    auto [out, grad] = run(c, with_grad);
    if (with_grad) {
      ctx->save_for_backward({input, target, c.weight});
      ctx->saved_data["grad"] = grad;
      ctx->saved_data["kind"] = kind;
      ctx->saved_data["p0"] = p0;
      ctx->saved_data["ignore_index"] = ignore_index;
      ctx->saved_data["reduction"] = reduction;
    }
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "the fused CPU loss kernel does not support double backward (create_graph=true); "
                "set LossKit.Torch.FusedKernels.Enabled = false to use the composed, twice-differentiable path");
    auto saved = ctx->get_saved_variables();
    const int64_t reduction = ctx->saved_data["reduction"].toInt();
    at::Tensor grad = lk::kernels::take_saved_gradient(ctx);
    if (!grad.defined()) {
      RowwiseCall c{saved[0], saved[1], saved[2], static_cast<RowwiseKind>(ctx->saved_data["kind"].toInt()),
                    ctx->saved_data["p0"].toDouble(), ctx->saved_data["ignore_index"].toInt(), reduction};
      grad = run(c, true).second;
    }
    const at::Tensor& go = grad_outputs[0];
    if (reduction == at::Reduction::None) {
      grad.mul_(go.unsqueeze(1));
    } else {
      const double g = go.item<double>();
      if (g != 1.0) grad.mul_(g);
    }
    return {grad, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

LK_API lk_tensor lk_fused_rowwise_loss(lk_tensor input_, lk_tensor target_, lk_tensor weight_, int32_t kind, double p0,
                                       int64_t ignore_index, int64_t reduction) {
  return lk::tensor_call([&] {
    const at::Tensor& input = lk::T(input_);
    const at::Tensor& target = lk::T(target_);
    TORCH_CHECK(input.device().is_cpu() && target.device().is_cpu(), "fused loss kernels run on the CPU");
    TORCH_CHECK(input.scalar_type() == at::kFloat || input.scalar_type() == at::kDouble,
                "fused loss kernels take float32 or float64 logits, got ", input.scalar_type());
    TORCH_CHECK(input.dim() == 2, "fused row-wise loss: logits must be (N, C), got ", input.sizes());
    TORCH_CHECK(target.scalar_type() == at::kLong, "fused row-wise loss: target must be int64, got ", target.scalar_type());
    TORCH_CHECK(target.dim() == 1 && target.size(0) == input.size(0), "fused row-wise loss: target must be (N) = (",
                input.size(0), "), got ", target.sizes());
    TORCH_CHECK(kind >= 0 && kind <= static_cast<int32_t>(RowwiseKind::Focal), "unknown fused row-wise kernel ", kind);
    TORCH_CHECK(!target.requires_grad(), "fused row-wise loss: target cannot require grad");
    c10::optional<at::Tensor> weight;
    if (weight_ != nullptr) {
      const at::Tensor& w = lk::T(weight_);
      TORCH_CHECK(w.device().is_cpu() && w.scalar_type() == input.scalar_type() && w.dim() == 1 && w.size(0) == input.size(1),
                  "fused row-wise loss: weight must be a CPU ", input.scalar_type(), " tensor of shape (", input.size(1),
                  "), got ", w.scalar_type(), " ", w.sizes());
      TORCH_CHECK(!w.requires_grad(), "fused row-wise loss: weight cannot require grad");
      weight = w.contiguous();
    }
    // Without autograd (torch.no_grad(), or logits that do not require grad): no node, no gradient sweep.
    if (!at::GradMode::is_enabled() || !input.requires_grad()) {
      RowwiseCall c{input.contiguous(), target.contiguous(), weight.value_or(at::Tensor()), static_cast<RowwiseKind>(kind),
                    p0, ignore_index, lk::reduction(reduction)};
      return run(c, false).first;
    }
    return FusedRowwiseFunction::apply(input.contiguous(), target.contiguous(), weight, static_cast<int64_t>(kind), p0,
                                       ignore_index, lk::reduction(reduction));
  });
}

// ---- NLL on log-probabilities ---------------------------------------------------------------------------------
// libtorch's nll_loss is already a single pass each way, so LossKit keeps its kernel (and its autograd node) and
// only adds its rule for the mean over nothing: libtorch returns 0/0 = NaN (with a zero gradient) when no target
// counts; LossKit returns 0. The total weight comes out of the same forward call, so the rule costs nothing.
LK_API lk_tensor lk_nll_loss_zero_empty(lk_tensor input_, lk_tensor target_, lk_tensor weight_, int64_t ignore_index,
                                        int64_t reduction) {
  return lk::tensor_call([&] {
    const at::Tensor& input = lk::T(input_);
    const at::Tensor& target = lk::T(target_);
    TORCH_CHECK(input.dim() == 1 || input.dim() == 2, "nll_loss: input must be (C) or (N, C), got ", input.sizes());
    auto result = at::nll_loss_forward(input, target, lk::opt(weight_), lk::reduction(reduction), ignore_index);
    at::Tensor out = std::get<0>(result);
    // Nothing counted: 0, connected to the input with a zero gradient (the sum of an empty slice), whatever NaN or
    // infinity the input holds. (libtorch's own backward would give 0 * (0/0) = NaN when the weights sum to 0.)
    if (reduction == at::Reduction::Mean && std::get<1>(result).item<double>() == 0.0) return input.narrow(0, 0, 0).sum();
    return out;
  });
}
