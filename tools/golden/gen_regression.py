"""Golden values for the regression losses that PyTorch has: l1_loss, mse_loss, huber_loss, smooth_l1_loss.

RMSE and the smooth loss are LossKit's own (no PyTorch function); their tests use hand-computed values and
independent references instead. Run: /usr/bin/python3 tools/golden/gen_regression.py
"""
import torch
import torch.nn.functional as F

from common import case, write

torch.manual_seed(20261122)
cases = []
for dtype, tag in ((torch.float64, "f64"), (torch.float32, "f32")):
    for shape in ((7,), (4, 5), (2, 3, 4)):
        x = (torch.randn(shape, dtype=dtype) * 2).requires_grad_(True)
        y = torch.randn(shape, dtype=dtype) * 2
        s = "x".join(str(d) for d in shape)
        for red in ("none", "mean", "sum"):
            cases.append(case(f"mse_{red}_{s}_{tag}", "mse_loss", lambda input, target: F.mse_loss(input, target, reduction=red),
                              {"input": x, "target": y}, {"reduction": red}))
            cases.append(case(f"l1_{red}_{s}_{tag}", "l1_loss", lambda input, target: F.l1_loss(input, target, reduction=red),
                              {"input": x, "target": y}, {"reduction": red}))
            for delta in (0.5, 1.0, 3.0):
                cases.append(case(f"huber_d{delta}_{red}_{s}_{tag}", "huber_loss",
                                  lambda input, target: F.huber_loss(input, target, reduction=red, delta=delta),
                                  {"input": x, "target": y}, {"reduction": red, "delta": delta}))
            for beta in (0.0, 0.5, 1.0, 2.0):
                cases.append(case(f"smoothl1_b{beta}_{red}_{s}_{tag}", "smooth_l1_loss",
                                  lambda input, target: F.smooth_l1_loss(input, target, reduction=red, beta=beta),
                                  {"input": x, "target": y}, {"reduction": red, "beta": beta}))
write("regression", cases)
