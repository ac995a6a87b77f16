// libtorch's connectionist temporal classification loss.
#include "../common.h"

using lk::T;

LK_API lk_tensor lk_ctc_loss(lk_tensor log_probs, lk_tensor targets, lk_tensor input_lengths,
                             lk_tensor target_lengths, int64_t blank, int64_t reduction, int32_t zero_infinity) {
  return lk::tensor_call([&] {
    return at::ctc_loss(T(log_probs), T(targets), T(input_lengths), T(target_lengths), blank,
                        lk::reduction(reduction), zero_infinity != 0);
  });
}
