// Autograd functions over the fused element-wise kernels (elementwise.h), and their C ABI.
//
// Forward runs one sweep that produces the loss AND the gradient with respect to the input, so backward has
// nothing left to read: with an upstream gradient of exactly 1 (loss.backward() on a reduced loss) it hands the
// saved gradient over without touching it; otherwise it scales it in place. Only the gradient is kept between
// the passes (the input and target are saved as references, for the version check and for a second backward
// with retain_graph). Double backward (create_graph) is not supported by the fused path: use the composed path.
#include "../common.h"
#include "elementwise.h"
#include "saved_gradient.h"

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/custom_function.h>

namespace {

using lk::kernels::ElementwiseKind;
using lk::kernels::ElementwiseProblem;
using lk::kernels::WeightMode;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// KL divergence's batchmean: sum / batch size (one past ATen's last reduction code).
constexpr int64_t kBatchMean = 3;

struct ElementwiseCall {
  at::Tensor input, target, weight, pos_weight;
  WeightMode weight_mode;
  ElementwiseKind kind;
  double p0, p1;
  int64_t reduction;
  int32_t checks = lk::kernels::kCheckNone;
};

// Runs the kernel; returns the (reduced or per-element) loss and, if asked, grad_scale * d loss / d input.
std::pair<at::Tensor, at::Tensor> run(const ElementwiseCall& c, bool with_grad, double upstream) {
  const at::Tensor& x = c.input;
  const int64_t n = x.numel();
  const int64_t cols = x.dim() == 0 ? 1 : x.size(-1);
  at::Tensor grad = with_grad ? at::empty_like(x, at::MemoryFormat::Contiguous) : at::Tensor();
  at::Tensor out = c.reduction == at::Reduction::None ? at::empty_like(x, at::MemoryFormat::Contiguous) : at::Tensor();
  ElementwiseProblem p;
  p.input = x.data_ptr();
  p.target = c.target.data_ptr();
  p.weight = c.weight.defined() ? c.weight.data_ptr() : nullptr;
  p.weight_mode = c.weight.defined() ? c.weight_mode : WeightMode::None;
  p.pos_weight = c.pos_weight.defined() ? c.pos_weight.data_ptr() : nullptr;
  p.losses = out.defined() ? out.data_ptr() : nullptr;
  p.grad = with_grad ? grad.data_ptr() : nullptr;
  p.cols = cols;
  p.rows = cols == 0 ? 0 : n / cols;
  // Mean divides by the element count; batchmean (code 3, KL divergence) by the size of the first dimension.
  const double divisor = c.reduction == at::Reduction::Mean ? static_cast<double>(n)
                         : c.reduction == kBatchMean ? static_cast<double>(x.dim() == 0 ? 1 : x.size(0)) : 1.0;
  p.grad_scale = upstream * (divisor > 0 ? 1.0 / divisor : 1.0);
  p.is_double = x.scalar_type() == at::kDouble;
  p.kind = c.kind;
  p.p0 = c.p0;
  p.p1 = c.p1;
  p.checks = c.checks;
  const double sum = LK_DISPATCH(elementwise_loss, p);
  // The managed caller turns these into exceptions naming the loss, the value and its position.
  TORCH_CHECK_VALUE(!p.target_out_of_range, "fused loss: a target value lies outside its valid range");
  TORCH_CHECK_VALUE(!p.input_out_of_range, "fused loss: an input value lies outside [0, 1]");
  if (!out.defined()) out = at::scalar_tensor(divisor > 0 ? sum / divisor : 0.0, x.options());
  return {out, grad};
}

class FusedElementwiseFunction : public torch::autograd::Function<FusedElementwiseFunction> {
 public:
  // Optional tensors travel as c10::optional: custom functions cannot take undefined at::Tensor arguments.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& target,
                            const c10::optional<at::Tensor>& weight_, const c10::optional<at::Tensor>& pos_weight_,
                            int64_t weight_mode, int64_t kind, double p0, double p1, int64_t reduction, int64_t checks) {
    const at::Tensor weight = weight_.value_or(at::Tensor());
    const at::Tensor pos_weight = pos_weight_.value_or(at::Tensor());
    ElementwiseCall c{input, target, weight, pos_weight, static_cast<WeightMode>(weight_mode),
                      static_cast<ElementwiseKind>(kind), p0, p1, reduction, static_cast<int32_t>(checks)};
    const bool with_grad = input.requires_grad();
    auto [out, grad] = run(c, with_grad, 1.0);
    if (with_grad) {
      ctx->save_for_backward({input, target, weight, pos_weight});
      ctx->saved_data["grad"] = grad;
      ctx->saved_data["weight_mode"] = weight_mode;
      ctx->saved_data["kind"] = kind;
      ctx->saved_data["p0"] = p0;
      ctx->saved_data["p1"] = p1;
      ctx->saved_data["reduction"] = reduction;
    }
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "the fused CPU loss kernel does not support double backward (create_graph=true); "
                "set LossKit.Torch.FusedKernels.Enabled = false to use the composed, twice-differentiable path");
    auto saved = ctx->get_saved_variables();  // also checks that nothing was modified in place since forward
    const int64_t reduction = ctx->saved_data["reduction"].toInt();
    at::Tensor go = grad_outputs[0];
    at::Tensor grad = lk::kernels::take_saved_gradient(ctx);
    if (!grad.defined()) {
      // A second backward through a retained graph: recompute the gradient (one more sweep).
      ElementwiseCall c{saved[0], saved[1], saved[2], saved[3],
                        static_cast<WeightMode>(ctx->saved_data["weight_mode"].toInt()),
                        static_cast<ElementwiseKind>(ctx->saved_data["kind"].toInt()), ctx->saved_data["p0"].toDouble(),
                        ctx->saved_data["p1"].toDouble(), reduction};
      grad = run(c, true, 1.0).second;
    }
    if (reduction == at::Reduction::None) {
      grad.mul_(go);
    } else {
      const double g = go.item<double>();
      if (g != 1.0) grad.mul_(g);
    }
    return {grad, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

void check_operand(const at::Tensor& input, const at::Tensor& t, const char* name) {
  TORCH_CHECK(t.device() == input.device(), "fused loss: ", name, " is on ", t.device(), " but input is on ", input.device());
  TORCH_CHECK(t.scalar_type() == input.scalar_type(), "fused loss: ", name, " is ", t.scalar_type(), " but input is ", input.scalar_type());
  TORCH_CHECK(!t.requires_grad(), "fused loss: ", name, " requires grad; the fused kernel differentiates only the input");
}

at::Tensor fused_elementwise(const at::Tensor& input_, const at::Tensor& target_, const c10::optional<at::Tensor>& weight_,
                             int32_t weight_mode, const c10::optional<at::Tensor>& pos_weight_, int32_t kind, double p0,
                             double p1, int64_t reduction, int32_t checks) {
  TORCH_CHECK(input_.device().is_cpu(), "fused loss kernels run on the CPU; input is on ", input_.device());
  TORCH_CHECK(input_.scalar_type() == at::kFloat || input_.scalar_type() == at::kDouble,
              "fused loss kernels take float32 or float64, got ", input_.scalar_type());
  TORCH_CHECK(kind >= 0 && kind <= static_cast<int32_t>(ElementwiseKind::BCE), "unknown fused kernel kind ", kind);
  TORCH_CHECK(reduction >= 0 && reduction <= kBatchMean, "reduction code must be 0 (none), 1 (mean), 2 (sum) or 3 (batchmean)");
  TORCH_CHECK(reduction != kBatchMean || kind == static_cast<int32_t>(ElementwiseKind::KLDiv), "batchmean is only for KL divergence");
  TORCH_CHECK(weight_mode >= 0 && weight_mode <= 2, "unknown weight mode ", weight_mode);
  check_operand(input_, target_, "target");
  TORCH_CHECK(target_.sizes() == input_.sizes(), "fused loss: target has shape ", target_.sizes(), " but input has ", input_.sizes());
  at::Tensor input = input_.contiguous(), target = target_.contiguous(), weight, pos_weight;
  const int64_t cols = input.dim() == 0 ? 1 : input.size(-1);
  if (weight_.has_value() && weight_->defined()) {
    check_operand(input, *weight_, "weight");
    weight = weight_->contiguous();
    if (weight_mode == static_cast<int32_t>(WeightMode::Full)) {
      TORCH_CHECK(weight.numel() == input.numel(), "fused loss: full weight has ", weight.numel(), " elements for ", input.numel());
    } else {
      TORCH_CHECK(weight.numel() == cols, "fused loss: per-column weight has ", weight.numel(), " elements for ", cols, " columns");
    }
  }
  if (pos_weight_.has_value() && pos_weight_->defined()) {
    check_operand(input, *pos_weight_, "pos_weight");
    pos_weight = pos_weight_->contiguous();
    TORCH_CHECK(pos_weight.numel() == cols, "fused loss: pos_weight has ", pos_weight.numel(), " elements for ", cols, " columns");
  }
  // Without autograd (torch.no_grad(), or an input that does not require grad) no node is recorded and the kernel
  // skips the gradient sweep: an evaluation loop pays for the loss alone. (Inside apply() grad mode is always off,
  // so forward itself cannot tell no_grad from a recorded call.)
  if (!at::GradMode::is_enabled() || !input.requires_grad()) {
    ElementwiseCall c{input, target, weight, pos_weight, static_cast<WeightMode>(weight_mode),
                      static_cast<ElementwiseKind>(kind), p0, p1, reduction, checks};
    return run(c, false, 1.0).first;
  }
  return FusedElementwiseFunction::apply(input, target, weight.defined() ? c10::optional<at::Tensor>(weight) : c10::nullopt,
                                         pos_weight.defined() ? c10::optional<at::Tensor>(pos_weight) : c10::nullopt,
                                         static_cast<int64_t>(weight_mode), static_cast<int64_t>(kind), p0, p1, reduction,
                                         static_cast<int64_t>(checks));
}

// RMSE = sqrt(reduce((x - y)^2) + eps): forward needs only the sum of squares; backward writes the gradient
// (x - y) / (n * rmse) in one sweep from the saved input and target.
class FusedRmseFunction : public torch::autograd::Function<FusedRmseFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& target, double eps, int64_t reduction) {
    ElementwiseCall c{input, target, at::Tensor(), at::Tensor(), WeightMode::None, ElementwiseKind::MSE, 0, 0, reduction};
    const double reduced = run(c, false, 1.0).first.item<double>();
    const double root = std::sqrt(reduced + eps);
    ctx->save_for_backward({input, target});
    ctx->saved_data["root"] = root;
    ctx->saved_data["reduction"] = reduction;
    return at::scalar_tensor(root, input.options());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "the fused CPU RMSE kernel does not support double backward (create_graph=true); "
                "set LossKit.Torch.FusedKernels.Enabled = false to use the composed path");
    auto saved = ctx->get_saved_variables();
    const double root = ctx->saved_data["root"].toDouble();
    const int64_t reduction = ctx->saved_data["reduction"].toInt();
    // d root / d x_i = (d reduced / d x_i) / (2 root); the MSE kernel's gradient is d reduced / d x_i.
    ElementwiseCall c{saved[0], saved[1], at::Tensor(), at::Tensor(), WeightMode::None, ElementwiseKind::MSE, 0, 0, reduction};
    const double upstream = grad_outputs[0].item<double>() / (2.0 * root);
    at::Tensor grad = run(c, true, upstream).second;
    return {grad, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

LK_API lk_tensor lk_fused_elementwise_loss(lk_tensor input, lk_tensor target, lk_tensor weight, int32_t weight_mode,
                                           lk_tensor pos_weight, int32_t kind, double p0, double p1, int64_t reduction,
                                           int32_t checks) {
  return lk::tensor_call([&] {
    return fused_elementwise(lk::T(input), lk::T(target), lk::opt(weight), weight_mode, lk::opt(pos_weight), kind, p0, p1,
                             reduction, checks);
  });
}

LK_API lk_tensor lk_fused_rmse_loss(lk_tensor input_, lk_tensor target_, double eps, int64_t reduction) {
  return lk::tensor_call([&] {
    const at::Tensor& input = lk::T(input_);
    const at::Tensor& target = lk::T(target_);
    TORCH_CHECK(input.device().is_cpu(), "fused loss kernels run on the CPU; input is on ", input.device());
    TORCH_CHECK(input.scalar_type() == at::kFloat || input.scalar_type() == at::kDouble, "fused loss kernels take float32 or float64");
    check_operand(input, target, "target");
    TORCH_CHECK(target.sizes() == input.sizes(), "fused RMSE: target has shape ", target.sizes(), " but input has ", input.sizes());
    TORCH_CHECK(reduction == at::Reduction::Mean || reduction == at::Reduction::Sum, "fused RMSE supports mean and sum reductions");
    return FusedRmseFunction::apply(input.contiguous(), target.contiguous(), eps, reduction);
  });
}
