// Autograd function over the fused soft F1 / Dice kernels (overlap.h), and its C ABI.
//
// score_c = (a_c + eps) / (b_c + eps) with a_c = 2 tp_c and b_c = S_c + count_c (= 2tp + fp + fn = sum p + sum y):
// F1 and Dice are the same function. Classes without a counted target are left out of the macro mean; with no class
// present at all the loss is 0. Forward reads the logits once (the counts); backward reads them once more and writes
// the gradient, so only the (C)-sized counts are kept in between.
#include "../common.h"
#include "overlap.h"

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <vector>

namespace {

using lk::kernels::OverlapCounts;
using lk::kernels::OverlapProblem;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

OverlapProblem problem_of(const at::Tensor& input, const at::Tensor& target, int64_t ignore_index) {
  OverlapProblem p;
  p.logits = input.data_ptr();
  p.target = target.data_ptr<int64_t>();
  p.ignore_index = ignore_index;
  p.rows = input.size(0);
  p.classes = input.size(1);
  p.is_double = input.scalar_type() == at::kDouble;
  return p;
}

class FusedOverlapFunction : public torch::autograd::Function<FusedOverlapFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& target, double eps,
                            int64_t ignore_index, int64_t micro, int64_t reduction) {
    const int64_t C = input.size(1);
    // counts: row 0 = S (sum of p), row 1 = tp, row 2 = target count.
    at::Tensor counts = at::zeros({3, C}, at::TensorOptions().dtype(at::kDouble));
    double* S = counts.data_ptr<double>();
    double* tp = S + C;
    double* cnt = S + 2 * C;
    LK_DISPATCH(overlap_counts, problem_of(input, target, ignore_index), OverlapCounts{S, tp, cnt});
    at::Tensor out;
    if (micro != 0) {
      double A = 0, B = 0;
      bool any = false;
      for (int64_t c = 0; c < C; ++c) {
        A += 2 * tp[c];
        B += S[c] + cnt[c];
        any |= cnt[c] > 0;
      }
      out = at::scalar_tensor(any ? 1.0 - (A + eps) / (B + eps) : 0.0, input.options());
    } else {
      at::Tensor per_class = at::zeros({C}, at::TensorOptions().dtype(at::kDouble));
      double* l = per_class.data_ptr<double>();
      double total = 0;
      int64_t present = 0;
      for (int64_t c = 0; c < C; ++c) {
        if (cnt[c] <= 0) continue;
        l[c] = 1.0 - (2 * tp[c] + eps) / (S[c] + cnt[c] + eps);
        total += l[c];
        ++present;
      }
      if (reduction == at::Reduction::None) out = per_class.to(input.scalar_type());
      else if (reduction == at::Reduction::Sum) out = at::scalar_tensor(total, input.options());
      else out = at::scalar_tensor(present > 0 ? total / static_cast<double>(present) : 0.0, input.options());
    }
    if (input.requires_grad()) {
      ctx->save_for_backward({input, target});
      ctx->saved_data["counts"] = counts;
      ctx->saved_data["eps"] = eps;
      ctx->saved_data["ignore_index"] = ignore_index;
      ctx->saved_data["micro"] = micro;
      ctx->saved_data["reduction"] = reduction;
    }
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "the fused CPU F1/Dice kernel does not support double backward (create_graph=true); "
                "set LossKit.Torch.FusedKernels.Enabled = false to use the composed, twice-differentiable path");
    auto saved = ctx->get_saved_variables();
    const at::Tensor& input = saved[0];
    const at::Tensor& target = saved[1];
    const at::Tensor counts = ctx->saved_data["counts"].toTensor();
    const double eps = ctx->saved_data["eps"].toDouble();
    const int64_t ignore_index = ctx->saved_data["ignore_index"].toInt();
    const bool micro = ctx->saved_data["micro"].toInt() != 0;
    const int64_t reduction = ctx->saved_data["reduction"].toInt();
    const int64_t C = input.size(1);
    const double* S = counts.data_ptr<double>();
    const double* tp = S + C;
    const double* cnt = S + 2 * C;
    const at::Tensor go = grad_outputs[0].to(at::kDouble).contiguous();
    // d loss / d p_{n,k} = u_k + [y_n = k] v_k.
    std::vector<double> u(static_cast<size_t>(C), 0.0), v(static_cast<size_t>(C), 0.0);
    if (micro) {
      double A = 0, B = 0;
      bool any = false;
      for (int64_t c = 0; c < C; ++c) {
        A += 2 * tp[c];
        B += S[c] + cnt[c];
        any |= cnt[c] > 0;
      }
      if (any) {
        const double g = go.item<double>();
        std::fill(u.begin(), u.end(), g * (A + eps) / ((B + eps) * (B + eps)));
        std::fill(v.begin(), v.end(), g * -2.0 / (B + eps));
      }
    } else {
      int64_t present = 0;
      for (int64_t c = 0; c < C; ++c) present += cnt[c] > 0 ? 1 : 0;
      const double* gv = reduction == at::Reduction::None ? go.data_ptr<double>() : nullptr;
      const double g = gv != nullptr ? 0.0 : go.item<double>() / (reduction == at::Reduction::Mean && present > 0 ? present : 1);
      for (int64_t c = 0; c < C; ++c) {
        if (cnt[c] <= 0) continue;
        const double w = gv != nullptr ? gv[c] : g;
        const double a = 2 * tp[c] + eps, b = S[c] + cnt[c] + eps;
        u[static_cast<size_t>(c)] = w * a / (b * b);
        v[static_cast<size_t>(c)] = w * -2.0 / b;
      }
    }
    at::Tensor grad = at::empty_like(input, at::MemoryFormat::Contiguous);
    LK_DISPATCH(overlap_grad, problem_of(input, target, ignore_index), u.data(), v.data(), grad.data_ptr());
    return {grad, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

LK_API lk_tensor lk_fused_overlap_loss(lk_tensor input_, lk_tensor target_, double epsilon, int64_t ignore_index, int32_t micro,
                                       int64_t reduction) {
  return lk::tensor_call([&] {
    const at::Tensor& input = lk::T(input_);
    const at::Tensor& target = lk::T(target_);
    TORCH_CHECK(input.device().is_cpu() && target.device().is_cpu(), "fused loss kernels run on the CPU");
    TORCH_CHECK(input.scalar_type() == at::kFloat || input.scalar_type() == at::kDouble,
                "fused loss kernels take float32 or float64 logits, got ", input.scalar_type());
    TORCH_CHECK(input.dim() == 2, "fused F1/Dice: logits must be (N, C), got ", input.sizes());
    TORCH_CHECK(target.scalar_type() == at::kLong && target.dim() == 1 && target.size(0) == input.size(0),
                "fused F1/Dice: target must be int64 (N) = (", input.size(0), "), got ", target.scalar_type(), " ", target.sizes());
    TORCH_CHECK(!target.requires_grad(), "fused F1/Dice: target cannot require grad");
    TORCH_CHECK(epsilon >= 0, "fused F1/Dice: epsilon must be >= 0");
    TORCH_CHECK(micro == 0 || reduction == at::Reduction::Mean, "fused F1/Dice: micro averaging reduces to a mean");
    const int64_t C = input.size(1);
    const at::Tensor t = target.contiguous();
    const int64_t* y = t.data_ptr<int64_t>();
    for (int64_t i = 0; i < t.numel(); ++i)
      TORCH_CHECK_INDEX(y[i] == ignore_index || (y[i] >= 0 && y[i] < C), "Target ", y[i], " is out of bounds (", C, " classes).");
    return FusedOverlapFunction::apply(input.contiguous(), t, epsilon, ignore_index, static_cast<int64_t>(micro), lk::reduction(reduction));
  });
}
