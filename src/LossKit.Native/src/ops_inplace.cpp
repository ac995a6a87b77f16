// In-place updates. They return a status; the managed side hands back the same tensor object.
#include "common.h"

using lk::T;

LK_API lk_status lk_add_(lk_tensor a, lk_tensor b, lk_scalar alpha) {
  return lk::status_call([&] { T(a).add_(T(b), lk::scalar(alpha)); });
}

LK_API lk_status lk_add_scalar_(lk_tensor a, lk_scalar b, lk_scalar alpha) {
  return lk::status_call([&] { T(a).add_(lk::scalar(b), lk::scalar(alpha)); });
}

LK_API lk_status lk_sub_(lk_tensor a, lk_tensor b, lk_scalar alpha) {
  return lk::status_call([&] { T(a).sub_(T(b), lk::scalar(alpha)); });
}

LK_API lk_status lk_sub_scalar_(lk_tensor a, lk_scalar b, lk_scalar alpha) {
  return lk::status_call([&] { T(a).sub_(lk::scalar(b), lk::scalar(alpha)); });
}

LK_API lk_status lk_mul_(lk_tensor a, lk_tensor b) {
  return lk::status_call([&] { T(a).mul_(T(b)); });
}

LK_API lk_status lk_mul_scalar_(lk_tensor a, lk_scalar b) {
  return lk::status_call([&] { T(a).mul_(lk::scalar(b)); });
}

LK_API lk_status lk_div_(lk_tensor a, lk_tensor b) {
  return lk::status_call([&] { T(a).div_(T(b)); });
}

LK_API lk_status lk_div_scalar_(lk_tensor a, lk_scalar b) {
  return lk::status_call([&] { T(a).div_(lk::scalar(b)); });
}

LK_API lk_status lk_addcmul_(lk_tensor a, lk_tensor t1, lk_tensor t2, lk_scalar value) {
  return lk::status_call([&] { T(a).addcmul_(T(t1), T(t2), lk::scalar(value)); });
}

LK_API lk_status lk_addcdiv_(lk_tensor a, lk_tensor t1, lk_tensor t2, lk_scalar value) {
  return lk::status_call([&] { T(a).addcdiv_(T(t1), T(t2), lk::scalar(value)); });
}

LK_API lk_status lk_copy_(lk_tensor a, lk_tensor src) {
  return lk::status_call([&] { T(a).copy_(T(src)); });
}

LK_API lk_status lk_zero_(lk_tensor a) {
  return lk::status_call([&] { T(a).zero_(); });
}

LK_API lk_status lk_fill_(lk_tensor a, lk_scalar value) {
  return lk::status_call([&] { T(a).fill_(lk::scalar(value)); });
}

LK_API lk_status lk_clamp_(lk_tensor a, const lk_scalar* min, const lk_scalar* max) {
  return lk::status_call([&] {
    TORCH_CHECK(min != nullptr || max != nullptr, "at least one of min and max must be given");
    T(a).clamp_(lk::opt_scalar(min), lk::opt_scalar(max));
  });
}

LK_API lk_status lk_sqrt_(lk_tensor a) {
  return lk::status_call([&] { T(a).sqrt_(); });
}

LK_API lk_status lk_neg_(lk_tensor a) {
  return lk::status_call([&] { T(a).neg_(); });
}

LK_API lk_status lk_maximum_(lk_tensor a, lk_tensor b) {
  // No maximum_ in ATen: write through the out= overload into a itself.
  return lk::status_call([&] {
    at::Tensor& x = T(a);
    at::maximum_out(x, x, T(b));
  });
}

LK_API lk_status lk_masked_fill_(lk_tensor a, lk_tensor mask, lk_scalar value) {
  return lk::status_call([&] { T(a).masked_fill_(T(mask), lk::scalar(value)); });
}

LK_API lk_status lk_uniform_(lk_tensor a, double from, double to) {
  return lk::status_call([&] { T(a).uniform_(from, to); });
}

LK_API lk_status lk_normal_(lk_tensor a, double mean, double std) {
  return lk::status_call([&] { T(a).normal_(mean, std); });
}
