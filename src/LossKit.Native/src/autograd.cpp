// Reverse-mode autograd: Tensor.backward() and torch.autograd.grad().
#include "common.h"

#include <torch/csrc/autograd/autograd.h>

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
