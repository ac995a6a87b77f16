// Reverse-mode autograd: Tensor.backward() and torch.autograd.grad(), and the gradient check of lk_check_finite.
#include "common.h"

#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <sstream>

using lk::T;

LK_API lk_status lk_backward(lk_tensor t, lk_tensor gradient, int32_t retain_graph, int32_t create_graph) {
  return lk::status_call([&] {
    const at::Tensor& out = T(t);
    TORCH_CHECK(out.requires_grad(),
                "the tensor does not require grad and has no grad_fn (was it computed under no_grad, "
                "or from tensors that do not require grad?)");
    at::Tensor g = gradient != nullptr ? T(gradient) : at::Tensor();
    out.backward(g, retain_graph != 0 ? c10::optional<bool>(true) : c10::optional<bool>(false), create_graph != 0);
  });
}

LK_API lk_status lk_autograd_grad(const lk_tensor* outputs, int32_t n_outputs, const lk_tensor* inputs,
                                  int32_t n_inputs, const lk_tensor* grad_outputs, int32_t retain_graph,
                                  int32_t create_graph, int32_t allow_unused, lk_tensor* results) {
  return lk::status_call([&] {
    TORCH_CHECK(n_outputs > 0 && outputs != nullptr, "no outputs given");
    TORCH_CHECK(n_inputs > 0 && inputs != nullptr, "no inputs given");
    torch::autograd::variable_list outs, ins, gouts;
    for (int32_t i = 0; i < n_outputs; ++i) {
      outs.push_back(T(outputs[i]));
      gouts.push_back(grad_outputs != nullptr && grad_outputs[i] != nullptr ? T(grad_outputs[i]) : at::Tensor());
    }
    for (int32_t i = 0; i < n_inputs; ++i) ins.push_back(T(inputs[i]));
    c10::optional<bool> retain = retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0);
    auto grads = torch::autograd::grad(outs, ins, gouts, retain, create_graph != 0, allow_unused != 0);
    // All results are materialised before any is handed out, so a failure leaks nothing.
    for (int32_t i = 0; i < n_inputs; ++i) results[i] = nullptr;
    for (int32_t i = 0; i < n_inputs; ++i) {
      if (grads[static_cast<size_t>(i)].defined()) results[i] = lk::release(grads[static_cast<size_t>(i)]);
    }
  });
}

// ----- lk_check_finite: the identity whose backward checks the gradient ------------------------------------------

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Infinity" : "-Infinity";
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

// Throws lk::NonFiniteError when g has a NaN or infinite element. One fused reduction on the fast path (isfinite, all);
// the slow path (only on failure) counts and locates the first offender.
void check_gradient(const at::Tensor& g, const std::string& loss, const std::string& argument) {
  if (!g.defined() || !at::isFloatingType(g.scalar_type()) || g.numel() == 0) return;
  at::NoGradGuard no_grad;
  const at::Tensor flat = g.detach().reshape(-1);
  if (at::isfinite(flat).all().item<bool>()) return;
  const at::Tensor bad = at::isfinite(flat).logical_not();
  const int64_t count = bad.sum().item<int64_t>();
  const int64_t index = bad.to(at::kByte).argmax().item<int64_t>();
  const double value = flat[index].item<double>();
  std::ostringstream m;
  m << loss << ": the gradient flowing back to " << argument << " is not finite: " << count << " of " << flat.numel()
    << " elements are NaN or infinite; the first is " << format_value(value) << " at flat index " << index << " ("
    << argument << " has shape " << g.sizes() << ", " << g.scalar_type() << ").";
  throw lk::NonFiniteError(m.str(), loss, argument, count, flat.numel(), index, value);
}

class CheckFiniteFunction : public torch::autograd::Function<CheckFiniteFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const std::string& loss, const std::string& argument) {
    ctx->saved_data["loss"] = loss;
    ctx->saved_data["argument"] = argument;
    // Returning the input unchanged: autograd turns it into a view of the input that carries this node as grad_fn.
    return input;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const at::Tensor& g = grad_outputs[0];
    check_gradient(g, ctx->saved_data["loss"].toStringRef(), ctx->saved_data["argument"].toStringRef());
    return {g, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

LK_API lk_tensor lk_check_finite(lk_tensor tensor, const char* loss, const char* argument) {
  return lk::tensor_call([&]() -> at::Tensor {
    const at::Tensor& x = T(tensor);
    const std::string l = loss != nullptr && *loss != '\0' ? loss : "loss";
    const std::string a = argument != nullptr && *argument != '\0' ? argument : "input";
    if (!x.requires_grad() || !at::GradMode::is_enabled()) return x;  // nothing flows back: a plain second handle
    return CheckFiniteFunction::apply(x, l, a);
  });
}
