"""Golden values for the binary / multi-label losses and KL divergence.

  binary_cross_entropy              PyTorch's F.binary_cross_entropy (weights per element / per class, p exactly 0 and 1)
  binary_cross_entropy_with_logits  PyTorch's F.binary_cross_entropy_with_logits (weight, pos_weight, (N, C), extreme logits)
  sigmoid_focal_loss                composed in PyTorch from ops exactly as torchvision.ops.sigmoid_focal_loss defines it
                                    (torchvision is not installed here; Debian has python3-torchvision 0.14.1, same formula)
  kl_div                            PyTorch's F.kl_div, every reduction including batchmean, log_target both ways

float32 and float64, every reduction. The focal cases with float32 inputs carry the float64 result of the same
(float32-rounded) inputs: torchvision's formula goes through probabilities (1 - p_t in float32 has an absolute error
of ~6e-8), so its own float32 output is not a reference for a log-space implementation.
Run: /usr/bin/python3 tools/golden/gen_binary.py
"""
import torch
import torch.nn.functional as F

from common import case, write

torch.manual_seed(20261123)
REDUCTIONS = ("none", "mean", "sum")
cases = []


def tv_sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction):
    """torchvision.ops.sigmoid_focal_loss (0.14), verbatim; alpha < 0 disables the alpha weighting."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


def leaf(t, grad=True):
    return t.detach().clone().requires_grad_(grad)


for dtype, tag in ((torch.float64, "f64"), (torch.float32, "f32")):
    # ---------------- binary_cross_entropy (probabilities) ----------------
    for shape in ((7,), (4, 5), (2, 3, 4)):
        s = "x".join(str(d) for d in shape)
        p = torch.sigmoid(torch.randn(shape, dtype=dtype) * 2)
        hard = torch.randint(0, 2, shape).to(dtype)
        soft = torch.rand(shape, dtype=dtype)
        w_elem = torch.rand(shape, dtype=dtype) * 2
        w_class = torch.rand(shape[-1:], dtype=dtype) * 2
        variants = [("hard", hard, None), ("soft", soft, None), ("welem", hard, w_elem), ("wclass", soft, w_class)]
        for vname, y, w in variants:
            for red in REDUCTIONS:
                inputs = {"input": leaf(p), "target": y}
                if w is not None:
                    inputs["weight"] = w
                cases.append(case(f"bce_{vname}_{red}_{s}_{tag}", "binary_cross_entropy",
                                  lambda input, target, weight=None: F.binary_cross_entropy(input, target, weight=weight, reduction=red),
                                  inputs, {"reduction": red}))
    # p exactly 0 and 1: each log clamped at -100 (loss 100 per wrong certain prediction), gradient (p - y) / max(p(1 - p), 1e-12).
    p = torch.tensor([0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.5, 1e-30, 1 - 2 ** -20], dtype=dtype)
    y = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.25, 0.75, 1.0, 1.0, 0.0], dtype=dtype)
    w = torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0, 1.0, 1.0], dtype=dtype)
    for red in REDUCTIONS:
        cases.append(case(f"bce_clamp_{red}_{tag}", "binary_cross_entropy",
                          lambda input, target, weight: F.binary_cross_entropy(input, target, weight=weight, reduction=red),
                          {"input": leaf(p), "target": y, "weight": w}, {"reduction": red}))

    # ---------------- binary_cross_entropy_with_logits ----------------
    N, C = 6, 4
    x = torch.randn(N, C, dtype=dtype) * 3
    hard = torch.randint(0, 2, (N, C)).to(dtype)
    soft = torch.rand(N, C, dtype=dtype)
    w_class = torch.rand(C, dtype=dtype) * 2
    w_elem = torch.rand(N, C, dtype=dtype) * 2
    pw_class = torch.tensor([0.5, 1.0, 3.0, 10.0], dtype=dtype)
    pw_scalar = torch.tensor([2.5], dtype=dtype)
    x3 = torch.randn(2, 3, C, dtype=dtype) * 3
    y3 = torch.randint(0, 2, (2, 3, C)).to(dtype)
    x1 = torch.randn(7, dtype=dtype) * 3
    y1 = torch.randint(0, 2, (7,)).to(dtype)
    xe = torch.tensor([[1e4, -1e4, 50.0, -50.0], [100.0, -100.0, 0.0, 1e4], [-1e4, 20.0, -20.0, 37.0]], dtype=dtype)
    ye = torch.tensor([[1.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.5, 0.25, 1.0]], dtype=dtype)
    pwe = torch.tensor([1.0, 4.0, 0.25, 2.0], dtype=dtype)
    variants = [
        ("plain", x, hard, None, None, False),
        ("soft", x, soft, None, None, True),
        ("wclass", x, hard, w_class, None, False),
        ("welem", x, soft, w_elem, None, False),
        ("posw", x, hard, None, pw_class, False),
        ("poswscalar", x, soft, None, pw_scalar, False),
        ("wposw", x, soft, w_class, pw_class, True),
        ("3d_posw", x3, y3, None, pw_class, False),
        ("1d", x1, y1, None, None, False),
        ("extreme", xe, ye, None, None, False),
        ("extreme_posw", xe, ye, w_class[:4], pwe, False),
    ]
    for vname, xv, yv, wv, pwv, tgrad in variants:
        for red in REDUCTIONS:
            inputs = {"input": leaf(xv), "target": leaf(yv, tgrad)}
            if wv is not None:
                inputs["weight"] = wv
            if pwv is not None:
                inputs["pos_weight"] = pwv
            cases.append(case(f"bcel_{vname}_{red}_{tag}", "binary_cross_entropy_with_logits",
                              lambda input, target, weight=None, pos_weight=None: F.binary_cross_entropy_with_logits(
                                  input, target, weight=weight, pos_weight=pos_weight, reduction=red),
                              inputs, {"reduction": red}))

    # ---------------- sigmoid focal loss (composed in PyTorch, torchvision's formula) ----------------
    xf = torch.randn(N, C, dtype=dtype) * 2.5
    yf_hard = torch.randint(0, 2, (N, C)).to(dtype)
    yf_soft = torch.rand(N, C, dtype=dtype)
    yf_soft[0, :2] = torch.tensor([0.0, 1.0], dtype=dtype)  # soft targets may still hit 0 and 1
    xfe = torch.tensor([[1e4, -1e4, 1e4, -1e4], [30.0, -30.0, 15.0, -15.0]], dtype=dtype)
    yfe = torch.tensor([[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]], dtype=dtype)
    variants = [("hard", xf, yf_hard, True), ("soft", xf, yf_soft, True)]
    params = [(0.25, 2.0), (None, 2.0), (0.25, 0.0), (None, 0.0), (0.75, 0.5), (0.25, 5.0)]
    for vname, xv, yv, tgrad in variants:
        for alpha, gamma in params:
            for red in REDUCTIONS:
                a = "none" if alpha is None else alpha
                # float64 composition (see the module docstring); float32 cases keep their float32 inputs.
                inputs = {"input": leaf(xv), "target": leaf(yv, tgrad)}
                c = case(f"focal_{vname}_a{a}_g{gamma}_{red}_{tag}", "sigmoid_focal_loss (composed in PyTorch)",
                         lambda input, target: tv_sigmoid_focal_loss(input.double(), target.double(), -1 if alpha is None else alpha, gamma, red),
                         inputs, {"reduction": red, "alpha": alpha, "gamma": gamma})
                cases.append(c)
    # Extreme logits: gamma >= 1 only (torchvision's (1 - p_t) ** gamma has an infinite derivative at 1 - p_t = 0 for gamma < 1).
    for alpha, gamma in ((0.25, 2.0), (None, 1.0)):
        for red in REDUCTIONS:
            a = "none" if alpha is None else alpha
            cases.append(case(f"focal_extreme_a{a}_g{gamma}_{red}_{tag}", "sigmoid_focal_loss (composed in PyTorch)",
                              lambda input, target: tv_sigmoid_focal_loss(input.double(), target.double(), -1 if alpha is None else alpha, gamma, red),
                              {"input": leaf(xfe), "target": yfe}, {"reduction": red, "alpha": alpha, "gamma": gamma}))

    # ---------------- kl_div ----------------
    for shape in ((4, 5), (2, 3, 4)):
        s = "x".join(str(d) for d in shape)
        logp = torch.log_softmax(torch.randn(shape, dtype=dtype) * 2, dim=1)
        q = torch.softmax(torch.randn(shape, dtype=dtype) * 2, dim=1)
        q_zeros = q.clone()
        q_zeros.view(-1)[::3] = 0  # targets containing zeros (not renormalised: kl_div does not require it)
        for red in REDUCTIONS + ("batchmean",):
            cases.append(case(f"kl_prob_{red}_{s}_{tag}", "kl_div",
                              lambda input, target: F.kl_div(input, target, reduction=red, log_target=False),
                              {"input": leaf(logp), "target": q}, {"reduction": red, "log_target": False}))
            cases.append(case(f"kl_zeros_{red}_{s}_{tag}", "kl_div",
                              lambda input, target: F.kl_div(input, target, reduction=red, log_target=False),
                              {"input": leaf(logp), "target": q_zeros}, {"reduction": red, "log_target": False}))
            # log_target: the target's gradient is checked too (finite here: no -inf targets, see KLDivLoss's docs).
            cases.append(case(f"kl_logtarget_{red}_{s}_{tag}", "kl_div",
                              lambda input, target: F.kl_div(input, target, reduction=red, log_target=True),
                              {"input": leaf(logp), "target": leaf(q.log())}, {"reduction": red, "log_target": True}))

write("binary", cases)
