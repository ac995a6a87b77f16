"""Golden values for the CTC loss from torch.nn.functional.ctc_loss.

float32 and float64, padded (N, S) and concatenated targets, every reduction, zero_infinity with a sample whose
input is too short for its target, a non-zero blank, and an unbatched (T, C) case. log_probs is the leaf whose
gradient is recorded (PyTorch's gradient form, which includes exp(log_probs) on the used frames); one family of
cases also records the gradient with respect to the logits through log_softmax.
Run: /usr/bin/python3 tools/golden/gen_ctc.py
"""
import torch
import torch.nn.functional as F

from common import case, write

torch.manual_seed(20261124)
cases = []


def concatenated(targets, target_lengths):
    return torch.cat([targets[i, : int(target_lengths[i])] for i in range(targets.shape[0])])


for dtype, tag in ((torch.float64, "f64"), (torch.float32, "f32")):
    T, N, C, S = 12, 4, 5, 4
    logits = torch.randn(T, N, C, dtype=dtype) * 2
    lp = logits.log_softmax(2).detach().requires_grad_(True)
    targets = torch.randint(1, C, (N, S))
    target_lengths = torch.tensor([4, 2, 0, 3])
    input_lengths = torch.tensor([12, 9, 5, 10])
    # A padded target may hold anything past its length.
    targets[1, 2:] = 0
    flat = concatenated(targets, target_lengths)
    for red in ("none", "mean", "sum"):
        for layout, tg in (("padded", targets), ("concat", flat)):
            cases.append(case(f"ctc_{layout}_{red}_{tag}", "ctc_loss",
                              lambda log_probs, targets, input_lengths, target_lengths:
                              F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=red),
                              {"log_probs": lp, "targets": tg, "input_lengths": input_lengths, "target_lengths": target_lengths},
                              {"reduction": red, "blank": 0, "zero_infinity": False}))

    # zero_infinity: sample 1 needs 1 + 2 + 1 = 4 frames for [2, 2, 3] (repeat needs a blank) but has 3.
    T2, N2 = 6, 3
    lp2 = (torch.randn(T2, N2, C, dtype=dtype) * 2).log_softmax(2).detach().requires_grad_(True)
    tg2 = torch.tensor([[1, 2, 3], [2, 2, 3], [4, 1, 0]])
    tl2 = torch.tensor([3, 3, 2])
    il2 = torch.tensor([6, 3, 6])
    for red in ("none", "mean", "sum"):
        for layout, tg in (("padded", tg2), ("concat", concatenated(tg2, tl2))):
            cases.append(case(f"ctc_zeroinf_{layout}_{red}_{tag}", "ctc_loss",
                              lambda log_probs, targets, input_lengths, target_lengths:
                              F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=red, zero_infinity=True),
                              {"log_probs": lp2, "targets": tg, "input_lengths": il2, "target_lengths": tl2},
                              {"reduction": red, "blank": 0, "zero_infinity": True}))

    # Without zero_infinity the impossible sample is +inf (no gradient recorded: it is NaN).
    lp2_nograd = lp2.detach()
    cases.append(case(f"ctc_inf_none_{tag}", "ctc_loss",
                      lambda log_probs, targets, input_lengths, target_lengths:
                      F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="none"),
                      {"log_probs": lp2_nograd, "targets": tg2, "input_lengths": il2, "target_lengths": tl2},
                      {"reduction": "none", "blank": 0, "zero_infinity": False}))

    # A non-zero blank (the last class).
    lp3 = (torch.randn(8, 2, 4, dtype=dtype) * 2).log_softmax(2).detach().requires_grad_(True)
    tg3 = torch.tensor([[0, 1, 1], [2, 0, 2]])
    tl3 = torch.tensor([3, 2])
    il3 = torch.tensor([8, 7])
    for red in ("none", "mean"):
        cases.append(case(f"ctc_blank3_{red}_{tag}", "ctc_loss",
                          lambda log_probs, targets, input_lengths, target_lengths:
                          F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=3, reduction=red),
                          {"log_probs": lp3, "targets": tg3, "input_lengths": il3, "target_lengths": tl3},
                          {"reduction": red, "blank": 3, "zero_infinity": False}))

    # Unbatched (T, C) with scalar lengths.
    lp4 = (torch.randn(7, 4, dtype=dtype) * 2).log_softmax(1).detach().requires_grad_(True)
    for red in ("none", "mean", "sum"):
        cases.append(case(f"ctc_unbatched_{red}_{tag}", "ctc_loss",
                          lambda log_probs, targets, input_lengths, target_lengths:
                          F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=red),
                          {"log_probs": lp4, "targets": torch.tensor([3, 1, 1]), "input_lengths": torch.tensor(7), "target_lengths": torch.tensor(3)},
                          {"reduction": red, "blank": 0, "zero_infinity": False}))

    # Gradient with respect to logits through log_softmax (the intended use).
    x = (torch.randn(T, N, C, dtype=dtype) * 2).requires_grad_(True)
    for red in ("none", "mean", "sum"):
        cases.append(case(f"ctc_logits_{red}_{tag}", "ctc_loss(log_softmax(logits, 2))",
                          lambda logits, targets, input_lengths, target_lengths:
                          F.ctc_loss(logits.log_softmax(2), targets, input_lengths, target_lengths, blank=0, reduction=red),
                          {"logits": x, "targets": targets, "input_lengths": input_lengths, "target_lengths": target_lengths},
                          {"reduction": red, "blank": 0, "zero_infinity": False}))
write("ctc", cases)
