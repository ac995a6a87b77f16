// Layer primitives the managed modules are built from.
#include "common.h"

using lk::T;

LK_API lk_tensor lk_linear(lk_tensor input, lk_tensor weight, lk_tensor bias) {
  return lk::tensor_call([&] { return at::linear(T(input), T(weight), lk::opt(bias)); });
}

LK_API lk_tensor lk_dropout(lk_tensor input, double p, int32_t train) {
  return lk::tensor_call([&] {
    TORCH_CHECK_VALUE(p >= 0.0 && p <= 1.0, "dropout probability has to be between 0 and 1, but got ", p);
    return at::dropout(T(input), p, train != 0);
  });
}
