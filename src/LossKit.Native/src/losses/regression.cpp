// libtorch's regression loss kernels: mse_loss, l1_loss, huber_loss, smooth_l1_loss.
#include "../common.h"

using lk::T;

LK_API lk_tensor lk_mse_loss(lk_tensor input, lk_tensor target, int64_t reduction) {
  return lk::tensor_call([&] { return at::mse_loss(T(input), T(target), lk::reduction(reduction)); });
}

LK_API lk_tensor lk_l1_loss(lk_tensor input, lk_tensor target, int64_t reduction) {
  return lk::tensor_call([&] { return at::l1_loss(T(input), T(target), lk::reduction(reduction)); });
}

LK_API lk_tensor lk_huber_loss(lk_tensor input, lk_tensor target, int64_t reduction, double delta) {
  return lk::tensor_call([&] { return at::huber_loss(T(input), T(target), lk::reduction(reduction), delta); });
}

LK_API lk_tensor lk_smooth_l1_loss(lk_tensor input, lk_tensor target, int64_t reduction, double beta) {
  return lk::tensor_call([&] { return at::smooth_l1_loss(T(input), T(target), lk::reduction(reduction), beta); });
}
