// Autograd function over the fused CTC kernel (ctc.h), and its C ABI.
//
// Values and gradient follow libtorch's ctc_loss exactly (same recursions, same reductions, same zero_infinity rule,
// same gradient convention: d loss / d log_probs = exp(log_probs) - occupancy on the frames t < T_n, i.e. the
// gradient that is exact once chained through log_softmax). Forward runs alpha, and when log_probs requires grad
// also beta and the gradient (already scaled by the reduction), batch group by batch group while each group's alphas
// are still in cache; only that gradient, one (T, N, C) tensor as libtorch's, is kept for backward, which hands it
// over as is when the upstream gradient is 1 and scales it otherwise. Double backward is not supported here.
//
// One deliberate difference: a sample with input length 0 has loss 0 (empty target) or +inf (otherwise), as in
// current PyTorch; libtorch 1.13's kernel reads an uninitialised row there.
#include "../common.h"
#include "ctc.h"
#include "saved_gradient.h"

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace {

using lk::kernels::CtcOutputs;
using lk::kernels::CtcProblem;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct CtcCall {
  at::Tensor log_probs, targets, target_start, input_lengths, target_lengths;
  int64_t blank, reduction;
  bool zero_infinity;
};

// Runs the kernel; returns the (reduced or per-sample) loss and, if asked, the gradient scaled for the reduction.
std::pair<at::Tensor, at::Tensor> run(const CtcCall& c, bool with_grad) {
  const at::Tensor& lp = c.log_probs;
  const int64_t N = lp.size(1);
  const int64_t* tl = c.target_lengths.data_ptr<int64_t>();
  // libtorch's mean: loss_n / max(S_n, 1), averaged over the batch.
  std::vector<double> scale(static_cast<size_t>(N), 1.0);
  if (c.reduction == at::Reduction::Mean)
    for (int64_t n = 0; n < N; ++n) scale[static_cast<size_t>(n)] = 1.0 / (static_cast<double>(std::max<int64_t>(tl[n], 1)) * static_cast<double>(N));

  CtcProblem p;
  p.log_probs = lp.data_ptr();
  p.targets = c.targets.data_ptr<int64_t>();
  p.target_start = c.target_start.data_ptr<int64_t>();
  p.input_length = c.input_lengths.data_ptr<int64_t>();
  p.target_length = tl;
  p.time = lp.size(0);
  p.batch = N;
  p.classes = lp.size(2);
  p.blank = c.blank;
  p.is_double = lp.scalar_type() == at::kDouble;
  at::Tensor nll = at::empty({N}, lp.options());
  at::Tensor grad = with_grad ? at::empty_like(lp, at::MemoryFormat::Contiguous) : at::Tensor();
  CtcOutputs o;
  o.nll = nll.data_ptr();
  o.grad = with_grad ? grad.data_ptr() : nullptr;
  o.grad_scale = scale.data();
  o.zero_infinity = c.zero_infinity;
  LK_DISPATCH(ctc_loss, p, o);

  at::Tensor out;
  AT_DISPATCH_FLOATING_TYPES(lp.scalar_type(), "lk_fused_ctc_loss", [&] {
    scalar_t* v = nll.data_ptr<scalar_t>();
    if (c.zero_infinity)
      for (int64_t n = 0; n < N; ++n)
        if (v[n] == std::numeric_limits<scalar_t>::infinity()) v[n] = 0;
    if (c.reduction == at::Reduction::None) {
      out = nll;
    } else {
      double total = 0;
      for (int64_t n = 0; n < N; ++n)
        total += c.reduction == at::Reduction::Mean ? static_cast<double>(v[n]) / static_cast<double>(std::max<int64_t>(tl[n], 1))
                                                    : static_cast<double>(v[n]);
      // LossKit's rule for the mean over nothing (N = 0): 0.
      if (c.reduction == at::Reduction::Mean) total = N > 0 ? total / static_cast<double>(N) : 0.0;
      out = at::scalar_tensor(total, lp.options());
    }
  });
  return {out, grad};
}

class FusedCtcFunction : public torch::autograd::Function<FusedCtcFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& log_probs, const at::Tensor& targets,
                            const at::Tensor& target_start, const at::Tensor& input_lengths, const at::Tensor& target_lengths,
                            int64_t blank, int64_t reduction, int64_t zero_infinity, bool with_grad) {
    CtcCall c{log_probs, targets, target_start, input_lengths, target_lengths, blank, reduction, zero_infinity != 0};
    auto [out, grad] = run(c, with_grad);
    if (with_grad) {
      ctx->save_for_backward({log_probs, targets, target_start, input_lengths, target_lengths});
      ctx->saved_data["grad"] = grad;
      ctx->saved_data["blank"] = blank;
      ctx->saved_data["reduction"] = reduction;
      ctx->saved_data["zero_infinity"] = zero_infinity;
    }
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "the fused CPU CTC kernel does not support double backward (create_graph=true); "
                "set LossKit.Torch.FusedKernels.Enabled = false to use the composed path (libtorch's ctc_loss)");
    auto saved = ctx->get_saved_variables();
    const int64_t reduction = ctx->saved_data["reduction"].toInt();
    at::Tensor grad = lk::kernels::take_saved_gradient(ctx);
    if (!grad.defined()) {
      // A second backward (retain_graph): recompute.
      CtcCall c{saved[0], saved[1], saved[2], saved[3], saved[4], ctx->saved_data["blank"].toInt(), reduction,
                ctx->saved_data["zero_infinity"].toInt() != 0};
      grad = run(c, true).second;
    }
    const at::Tensor& go = grad_outputs[0];
    if (reduction == at::Reduction::None) {
      grad.mul_(go.reshape({1, -1, 1}));
    } else {
      const double g = go.item<double>();
      if (g != 1.0) grad.mul_(g);
    }
    return {grad, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

LK_API lk_tensor lk_fused_ctc_loss(lk_tensor log_probs_, lk_tensor targets_, lk_tensor input_lengths_, lk_tensor target_lengths_,
                                   int64_t blank, int64_t reduction, int32_t zero_infinity) {
  return lk::tensor_call([&] {
    const at::Tensor& lp = lk::T(log_probs_);
    const at::Tensor& targets = lk::T(targets_);
    const at::Tensor& il_ = lk::T(input_lengths_);
    const at::Tensor& tl_ = lk::T(target_lengths_);
    TORCH_CHECK(lp.device().is_cpu() && targets.device().is_cpu() && il_.device().is_cpu() && tl_.device().is_cpu(),
                "fused loss kernels run on the CPU");
    TORCH_CHECK(lp.scalar_type() == at::kFloat || lp.scalar_type() == at::kDouble,
                "fused loss kernels take float32 or float64 log-probabilities, got ", lp.scalar_type());
    TORCH_CHECK(lp.dim() == 3, "fused CTC: log_probs must be (T, N, C), got ", lp.sizes());
    const int64_t T = lp.size(0), N = lp.size(1), C = lp.size(2);
    TORCH_CHECK_INDEX(blank >= 0 && blank < C, "fused CTC: blank ", blank, " is outside the classes [0, ", C, ")");
    TORCH_CHECK(C < (int64_t{1} << 24), "fused CTC: at most 2^24 classes, got ", C);
    TORCH_CHECK(targets.scalar_type() == at::kLong && (targets.dim() == 1 || targets.dim() == 2),
                "fused CTC: targets must be int64, padded (N, S) or concatenated, got ", targets.scalar_type(), " ", targets.sizes());
    TORCH_CHECK(targets.dim() == 1 || targets.size(0) == N, "fused CTC: padded targets must be (N, S) with N = ", N, ", got ", targets.sizes());
    for (const at::Tensor* l : {&il_, &tl_})
      TORCH_CHECK(l->scalar_type() == at::kLong && l->dim() == 1 && l->size(0) == N,
                  "fused CTC: lengths must be int64 (N) = (", N, "), got ", l->scalar_type(), " ", l->sizes());
    TORCH_CHECK(!targets.requires_grad(), "fused CTC: targets cannot require grad");
    const at::Tensor il = il_.contiguous(), tl = tl_.contiguous();
    const at::Tensor tg = targets.contiguous();
    const int64_t* in = il.data_ptr<int64_t>();
    const int64_t* len = tl.data_ptr<int64_t>();
    // Where each sample's labels start, with the checks that keep the kernel's reads in bounds.
    at::Tensor start = at::empty({N}, at::TensorOptions().dtype(at::kLong));
    int64_t* st = start.data_ptr<int64_t>();
    const int64_t* y = tg.data_ptr<int64_t>();
    int64_t pos = 0;
    for (int64_t n = 0; n < N; ++n) {
      TORCH_CHECK_INDEX(in[n] >= 0 && in[n] <= T, "fused CTC: input_lengths[", n, "] = ", in[n], " is outside [0, ", T, "]");
      TORCH_CHECK_INDEX(len[n] >= 0, "fused CTC: target_lengths[", n, "] = ", len[n], " is negative");
      if (tg.dim() == 2) {
        TORCH_CHECK_INDEX(len[n] <= tg.size(1), "fused CTC: target_lengths[", n, "] = ", len[n], " exceeds the ", tg.size(1), " columns of the targets");
        st[n] = n * tg.size(1);
      } else {
        st[n] = pos;
        pos += len[n];
        TORCH_CHECK_INDEX(pos <= tg.numel(), "fused CTC: target_lengths add up to more than the ", tg.numel(), " concatenated labels");
      }
      for (int64_t k = 0; k < len[n]; ++k)
        TORCH_CHECK_INDEX(y[st[n] + k] >= 0 && y[st[n] + k] < C, "Target ", y[st[n] + k], " is out of bounds (", C, " classes).");
    }
    TORCH_CHECK(tg.dim() == 2 || pos == tg.numel(), "fused CTC: target_lengths add up to ", pos, " but ", tg.numel(), " labels are concatenated");
    // The gradient is computed during forward only when a backward can follow (grad mode is off inside forward itself).
    const bool with_grad = at::GradMode::is_enabled() && lp.requires_grad();
    return FusedCtcFunction::apply(lp.contiguous(), tg, start, il, tl, blank, lk::reduction(reduction),
                                   static_cast<int64_t>(zero_infinity != 0), with_grad);
  });
}
