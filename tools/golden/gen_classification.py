"""Golden values for the softmax classification losses.

PyTorch functions: cross_entropy (class indices and probabilities, spatial dimensions, weights, ignore_index with
some rows ignored, label smoothing with and without weights and ignore_index) and nll_loss.

PyTorch has no focal loss and no label smoothing in the "confidence" convention (1 - eps on the true class,
eps / (C - 1) on the others). Those cases ("loss": "... composed in PyTorch") are built here from PyTorch operations
exactly as LOSS_SEMANTICS.md defines them, in the most direct way (an explicit target distribution, (1 - p) ** gamma
on probabilities): a cross-check of LossKit's log-space implementation, not an independent library's output.

No case ignores every row (PyTorch's mean is NaN there; LossKit defines it as 0 and tests that separately).
Run: /usr/bin/python3 tools/golden/gen_classification.py
"""
import torch
import torch.nn.functional as F

from common import case, write

torch.manual_seed(20261123)
REDUCTIONS = ("none", "mean", "sum")
IGNORE = -100


def rows(x, y):
    """(N, C, d1, ...) / (N, d1, ...) -> (rows, C) / (rows); (C) / () -> (1, C) / (1)."""
    c = x.shape[0] if x.dim() == 1 else x.shape[1]
    if x.dim() == 1:
        return x.unsqueeze(0), y.reshape(1)
    return x.movedim(1, -1).reshape(-1, c), y.reshape(-1)


def reduce_rows(loss, denom, red, shape):
    if red == "none":
        return loss.reshape(shape)
    if red == "sum":
        return loss.sum()
    return loss.sum() / denom


def target_weights(weight, y, ignore_index, dtype):
    keep = y != ignore_index
    safe = torch.where(keep, y, torch.zeros_like(y))
    w = torch.ones(safe.shape, dtype=dtype) if weight is None else weight[safe]
    return w * keep.to(dtype), keep, safe


def focal_composed(input, target, gamma, weight, ignore_index, red):
    x, y = rows(input, target)
    wy, keep, safe = target_weights(weight, y, ignore_index, x.dtype)
    logp = F.log_softmax(x, dim=1).gather(1, safe.unsqueeze(1)).squeeze(1)
    p = logp.exp()
    loss = -wy * (1 - p) ** gamma * logp
    loss = torch.where(keep, loss, torch.zeros_like(loss))
    return reduce_rows(loss, wy.sum(), red, target.shape)


def seed_smoothing_composed(input, target, smoothing, weight, ignore_index, red):
    x, y = rows(input, target)
    c = x.shape[1]
    wy, keep, safe = target_weights(weight, y, ignore_index, x.dtype)
    dist = torch.full(x.shape, smoothing / (c - 1), dtype=x.dtype)
    dist.scatter_(1, safe.unsqueeze(1), 1 - smoothing)
    w = torch.ones(c, dtype=x.dtype) if weight is None else weight
    loss = -(w * dist * F.log_softmax(x, dim=1)).sum(1)
    loss = torch.where(keep, loss, torch.zeros_like(loss))
    return reduce_rows(loss, wy.sum(), red, target.shape)


def indices(shape, c, ignored=0, ignore_index=IGNORE):
    y = torch.randint(0, c, shape)
    flat = y.reshape(-1)
    if ignored:
        # Ignore some rows, never all of them.
        assert ignored < flat.numel()
        flat[torch.randperm(flat.numel())[:ignored]] = ignore_index
    return flat.reshape(shape)


def tag(t):
    return "f64" if t == torch.float64 else "f32"


def shape_name(shape):
    return "x".join(str(d) for d in shape) if shape else "scalar"


cases = []
for dtype in (torch.float64, torch.float32):
    t = tag(dtype)
    # (input shape, target shape, C)
    layouts = [((6, 5), (6,), 5), ((2, 3, 2, 3), (2, 2, 3), 3), ((2, 4, 3), (2, 3), 4), ((5,), (), 5)]
    for in_shape, t_shape, c in layouts:
        s = shape_name(in_shape)
        x = (torch.randn(in_shape, dtype=dtype) * 2).requires_grad_(True)
        w = torch.rand(c, dtype=dtype) + 0.25
        n_rows = max(1, torch.Size(t_shape).numel())
        y_plain = indices(t_shape, c)
        y_ign = indices(t_shape, c, ignored=max(1, n_rows // 3)) if t_shape else y_plain
        # ignore_index = 1 (a real class): the rows whose target is 1 are skipped.
        y_ign1 = indices(t_shape, c)
        if t_shape:
            y_ign1.reshape(-1)[0] = 1
            y_ign1.reshape(-1)[-1] = 0
        variants = [("plain", y_plain, None, IGNORE), ("w", y_plain, w, IGNORE)]
        if t_shape:
            variants += [("ign", y_ign, None, IGNORE), ("w_ign", y_ign, w, IGNORE), ("ign1", y_ign1, None, 1), ("w_ign1", y_ign1, w, 1)]
        if dtype == torch.float32:
            # float32: fewer variants (the float64 cases cover the options; these check the float32 kernels).
            variants = [v for v in variants if v[0] in (("plain", "w_ign") if t_shape else ("plain", "w"))]
        for red in REDUCTIONS:
            for vname, y, weight, ii in variants:
                for ls in (0.0, 0.3):
                    name = f"ce_idx_{vname}_ls{ls}_{red}_{s}_{t}"
                    opts = {"reduction": red, "ignore_index": ii, "label_smoothing": ls, "weighted": weight is not None}
                    inputs = {"input": x, "target": y}
                    if weight is not None:
                        inputs["weight"] = weight
                    cases.append(case(name, "cross_entropy",
                                      lambda input, target, weight=None: F.cross_entropy(input, target, weight=weight, ignore_index=ii,
                                                                                          reduction=red, label_smoothing=ls),
                                      inputs, opts))
                lp = F.log_softmax(x.detach() * 1.3, dim=0 if x.dim() == 1 else 1).requires_grad_(True)
                inputs = {"input": lp, "target": y}
                if weight is not None:
                    inputs["weight"] = weight
                cases.append(case(f"nll_{vname}_{red}_{s}_{t}", "nll_loss",
                                  lambda input, target, weight=None: F.nll_loss(input, target, weight=weight, ignore_index=ii, reduction=red),
                                  inputs, {"reduction": red, "ignore_index": ii, "weighted": weight is not None}))
                if vname in ("ign", "w", "w_ign1") and t_shape:
                    continue  # composed cases: a subset of the variants keeps the file small
                for gamma in (0.5, 2.0):
                    inputs = {"input": x, "target": y}
                    if weight is not None:
                        inputs["weight"] = weight
                    cases.append(case(f"focal_g{gamma}_{vname}_{red}_{s}_{t}", "focal_loss (composed in PyTorch)",
                                      lambda input, target, weight=None: focal_composed(input, target, gamma, weight, ii, red),
                                      inputs, {"reduction": red, "ignore_index": ii, "gamma": gamma, "weighted": weight is not None}))
                for eps in (0.1, 0.4):
                    inputs = {"input": x, "target": y}
                    if weight is not None:
                        inputs["weight"] = weight
                    cases.append(case(f"lsseed_e{eps}_{vname}_{red}_{s}_{t}", "label smoothing 1-eps / eps/(C-1) (composed in PyTorch)",
                                      lambda input, target, weight=None: seed_smoothing_composed(input, target, eps, weight, ii, red),
                                      inputs, {"reduction": red, "ignore_index": ii, "smoothing": eps, "classes": c,
                                               "weighted": weight is not None}))
        # Probability targets: the input's shape, rows summing to 1 (any real values would do; PyTorch does not check).
        cdim = 0 if len(in_shape) == 1 else 1
        probs = torch.softmax(torch.randn(in_shape, dtype=dtype) * 2, dim=cdim)
        for red in REDUCTIONS:
            for weight in (None, w):
                for ls in (0.0, 0.2):
                    name = f"ce_prob_{'w' if weight is not None else 'plain'}_ls{ls}_{red}_{s}_{t}"
                    inputs = {"input": x, "target": probs}
                    if weight is not None:
                        inputs["weight"] = weight
                    cases.append(case(name, "cross_entropy",
                                      lambda input, target, weight=None: F.cross_entropy(input, target, weight=weight, reduction=red,
                                                                                          label_smoothing=ls),
                                      inputs, {"reduction": red, "ignore_index": IGNORE, "label_smoothing": ls, "weighted": weight is not None}))
write("classification", cases)
