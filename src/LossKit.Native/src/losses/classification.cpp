// libtorch's classification loss kernels: nll, cross-entropy, binary cross-entropy (with logits), KL divergence.
#include "../common.h"

using lk::T;

LK_API lk_tensor lk_nll_loss(lk_tensor input, lk_tensor target, lk_tensor weight, int64_t reduction,
                             int64_t ignore_index) {
  return lk::tensor_call([&] {
    // nll_loss_nd handles any number of extra (spatial) dimensions, like torch.nn.functional.nll_loss.
    return at::nll_loss_nd(T(input), T(target), lk::opt(weight), lk::reduction(reduction), ignore_index);
  });
}

LK_API lk_tensor lk_cross_entropy(lk_tensor input, lk_tensor target, lk_tensor weight, int64_t reduction,
                                  int64_t ignore_index, double label_smoothing) {
  return lk::tensor_call([&] {
    return at::cross_entropy_loss(T(input), T(target), lk::opt(weight), lk::reduction(reduction), ignore_index,
                                  label_smoothing);
  });
}

LK_API lk_tensor lk_binary_cross_entropy(lk_tensor input, lk_tensor target, lk_tensor weight, int64_t reduction) {
  return lk::tensor_call([&] {
    return at::binary_cross_entropy(T(input), T(target), lk::opt(weight), lk::reduction(reduction));
  });
}

LK_API lk_tensor lk_binary_cross_entropy_with_logits(lk_tensor input, lk_tensor target, lk_tensor weight,
                                                     lk_tensor pos_weight, int64_t reduction) {
  return lk::tensor_call([&] {
    return at::binary_cross_entropy_with_logits(T(input), T(target), lk::opt(weight), lk::opt(pos_weight),
                                                lk::reduction(reduction));
  });
}

LK_API lk_tensor lk_kl_div(lk_tensor input, lk_tensor target, int64_t reduction, int32_t log_target) {
  return lk::tensor_call([&] { return at::kl_div(T(input), T(target), lk::reduction(reduction), log_target != 0); });
}
