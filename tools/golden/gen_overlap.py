"""Golden values for the soft F1 / Dice losses, COMPOSED IN PYTORCH.

PyTorch has no F1 or Dice loss, so this file implements LossKit's documented definition with plain PyTorch ops
(softmax / sigmoid, one_hot, sums) and autograd, as an independent cross-check of the C# implementation:
  probabilities p: softmax over dim 1 (multiclass, class-index target) or sigmoid (binary, multilabel), or the input
  itself when from_logits is False; entries whose target equals ignore_index are left out of every count.
  F1 form:   tp = sum y p, fp = sum (1 - y) p, fn = sum y (1 - p); F1_c = (2 tp + eps) / (2 tp + fp + fn + eps)
  Dice form: Dice_c = (2 sum p y + eps) / (sum p + sum y + eps)
  present classes: sum y > 0; macro: mean over present classes of 1 - score (0 if none), sum: their sum,
  none: per-class vector with 0 for absent classes; micro: pool the counts over all classes (0 if no class present).
Run: /usr/bin/python3 tools/golden/gen_overlap.py
"""
import torch
import torch.nn.functional as F

from common import case, write

torch.manual_seed(20261123)


def flatten(p, y, mode):
    """(rows, C) probabilities and float targets with the class dimension last."""
    if mode == "binary":
        return p.reshape(-1, 1), y.reshape(-1, 1)
    c = p.shape[1]
    perm = [0] + list(range(2, p.dim())) + [1]
    return p.permute(*perm).reshape(-1, c), y.permute(*perm).reshape(-1, c)


def counts(input, target, mode, from_logits, ignore_index):
    if mode == "multiclass":
        p = torch.softmax(input, 1) if from_logits else input
        keep = target != ignore_index
        onehot = F.one_hot(torch.where(keep, target, torch.zeros_like(target)), input.shape[1]).to(input.dtype)
        onehot = onehot * keep.unsqueeze(-1).to(input.dtype)
        perm = [0] + list(range(2, input.dim())) + [1]
        prow = p.permute(*perm).reshape(-1, input.shape[1])
        keep_rows = keep.reshape(-1, 1).to(input.dtype)
        return prow * keep_rows, onehot.reshape(-1, input.shape[1])
    p = torch.sigmoid(input) if from_logits else input
    prow, yrow = flatten(p, target, mode)
    keep = (yrow != ignore_index).to(input.dtype)
    return prow * keep, torch.where(yrow != ignore_index, yrow, torch.zeros_like(yrow))


def overlap(input, target, form, mode, from_logits, average, eps, ignore_index, reduction):
    p, y = counts(input, target, mode, from_logits, ignore_index)
    if form == "f1":
        tp = (y * p).sum(0)
        fp = ((1 - y) * p).sum(0)
        fn = (y * (1 - p)).sum(0)
        num, den = 2 * tp, 2 * tp + fp + fn
    else:
        num, den = 2 * (p * y).sum(0), p.sum(0) + y.sum(0)
    present = y.sum(0) > 0
    if average == "micro":
        if not bool(present.any()):
            return (input * 0).sum()
        return 1 - (num.sum() + eps) / (den.sum() + eps)
    per_class = torch.where(present, 1 - (num + eps) / torch.where(present, den + eps, torch.ones_like(den)), torch.zeros_like(den))
    if reduction == "none":
        return per_class
    if reduction == "sum":
        return per_class.sum()
    k = int(present.sum())
    return per_class.sum() / k if k > 0 else per_class.sum()


cases = []
for dtype, tag in ((torch.float64, "f64"), (torch.float32, "f32")):
    data = []
    # multiclass (N, C, H, W) with ignored pixels and an absent class 3
    x = (torch.randn(3, 4, 2, 3, dtype=dtype) * 1.5).requires_grad_(True)
    t = torch.randint(0, 3, (3, 2, 3))
    t[0, 0, 1] = -100
    t[2, 1, 2] = -100
    data.append(("mc4d", "multiclass", True, x, t, -100))
    # multiclass (N, C)
    x = (torch.randn(8, 5, dtype=dtype) * 2).requires_grad_(True)
    t = torch.randint(0, 5, (8,))
    t[3] = 2
    data.append(("mc2d", "multiclass", True, x, t, -100))
    # multiclass probabilities
    x = torch.softmax(torch.randn(6, 3, dtype=dtype) * 2, 1).detach().requires_grad_(True)
    t = torch.tensor([0, 1, 2, 1, 0, 1])
    data.append(("mcprob", "multiclass", False, x, t, -100))
    # binary (N, 1, H, W) with a soft label and ignored pixels (255)
    x = (torch.randn(2, 1, 3, 3, dtype=dtype) * 2).requires_grad_(True)
    y = torch.randint(0, 2, (2, 1, 3, 3)).to(dtype)
    y[0, 0, 0, 0] = 1
    y[1, 0, 1, 1] = 0.25
    y[1, 0, 2, 2] = 255
    data.append(("bin", "binary", True, x, y, 255))
    # multilabel (N, C) with an all-negative class and ignored entries (-1)
    x = (torch.randn(6, 4, dtype=dtype) * 2).requires_grad_(True)
    y = torch.randint(0, 2, (6, 4)).to(dtype)
    y[:, 3] = 0
    y[0, 0] = 1
    y[2, 1] = -1
    data.append(("ml", "multilabel", True, x, y, -1))
    # multilabel probabilities (N, C, L)
    x = (torch.rand(3, 3, 4, dtype=dtype) * 0.96 + 0.02).requires_grad_(True)
    y = torch.randint(0, 2, (3, 3, 4)).to(dtype)
    y[0, :, 0] = 1
    data.append(("mlprob", "multilabel", False, x, y, -100))

    for dname, mode, from_logits, x, t, ignore in data:
        for form in ("f1", "dice"):
            configs = [("macro", "mean", 1e-7), ("macro", "sum", 1e-7), ("macro", "none", 1e-7), ("macro", "mean", 0.5), ("micro", "mean", 1e-7), ("micro", "mean", 0.0)]
            for average, red, eps in configs:
                opts = {"mode": mode, "from_logits": from_logits, "average": average, "epsilon": eps, "ignore_index": ignore, "reduction": red}
                name = f"{form}_{dname}_{average}_{red}_eps{eps}_{tag}"
                cases.append(case(name, f"{form} loss composed in PyTorch",
                                  lambda input, target: overlap(input, target, form, mode, from_logits, average, eps, ignore, red),
                                  {"input": x, "target": t}, opts))
write("overlap", cases)
