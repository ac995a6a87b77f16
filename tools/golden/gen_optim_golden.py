#!/usr/bin/python3
"""Golden values for LossKit.Torch's optimizers and learning-rate schedulers, computed by PyTorch.

Run with Debian's PyTorch 1.13 (python3-torch), from anywhere:

    /usr/bin/python3 tools/golden/gen_optim_golden.py

It writes tests/LossKit.Torch.Tests/Golden/optim.json, which the tests in tests/LossKit.Torch.Tests/Optim/ read
(so Python is not needed to run them). Everything is deterministic: fixed inputs, and the one random metric
sequence comes from random.Random with a fixed seed.

Optimizers: three parameters p0 (shape [4]), p1 ([2, 3]) and p2 ([2]) start from fixed values; each step sets
the gradients by backpropagating loss = sum(a0*p0*p0) + sum(b0*p0) + sum(a1*p1*p1) + sum(b1*p1) (gradient
2*a*p + b), then calls optimizer.step(). p2 is not in the loss, so it has no gradient and must not move. The
parameters after every step are recorded. "lr_changes" maps a step index k to learning rates set on the groups
(param_group['lr'] = ...) just before step k.

Schedulers: an SGD optimizer with two groups (lr 0.1 and 0.02) is stepped (without gradients, so nothing moves)
and then each scheduler of the configuration is stepped, once per epoch; the groups' learning rates are recorded
after construction and after every epoch. ReduceLROnPlateau gets a given metric sequence, and its best,
num_bad_epochs and cooldown_counter are recorded as well (best is null while infinite).
"""
import json
import math
import os
import random
import sys
import warnings

import torch

warnings.simplefilter("ignore")  # PyTorch's "lr_scheduler.step() before optimizer.step()"-style warnings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "LossKit.Torch.Tests", "Golden", "optim.json")

# ----- the optimization problem ------------------------------------------------------------------------------

SHAPES = [[4], [2, 3], [2]]
INIT = [
    [0.5, -1.5, 2.0, -0.25],
    [0.3, -0.7, 1.1, -2.0, 0.05, 0.9],
    [1.25, -0.75],
]
A = [
    [1.0, 0.5, 2.0, 3.0],
    [0.2, 1.5, 0.7, 1.0, 2.5, 0.4],
]
B = [
    [0.3, -0.2, 0.1, 0.05],
    [-0.4, 0.25, 0.0, 0.6, -0.1, 0.35],
]
IN_LOSS = [True, True, False]

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def make_optimizer(kind, params, defaults, groups):
    def torch_options(options):
        o = dict(options)
        if "beta1" in o or "beta2" in o:
            o["betas"] = (o.pop("beta1", 0.9), o.pop("beta2", 0.999))
        return o

    param_groups = [dict(params=[params[i] for i in g["params"]], **torch_options(g.get("options", {}))) for g in groups]
    d = torch_options(defaults)
    if kind == "SGD":
        return torch.optim.SGD(param_groups, **d)
    if kind == "Adam":
        return torch.optim.Adam(param_groups, **d)
    if kind == "AdamW":
        return torch.optim.AdamW(param_groups, **d)
    if kind == "RMSprop":
        return torch.optim.RMSprop(param_groups, **d)
    raise ValueError(kind)


def run_optimizer(cfg):
    dtype = DTYPES[cfg["dtype"]]
    params = [torch.tensor(v, dtype=dtype).reshape(s).requires_grad_() for v, s in zip(INIT, SHAPES)]
    a = [torch.tensor(v, dtype=dtype).reshape(s) for v, s in zip(A, SHAPES)]
    b = [torch.tensor(v, dtype=dtype).reshape(s) for v, s in zip(B, SHAPES)]
    opt = make_optimizer(cfg["optimizer"], params, cfg["defaults"], cfg["groups"])
    trajectory = []
    for k in range(cfg["steps"]):
        for i, lr in enumerate(cfg.get("lr_changes", {}).get(str(k), [])):
            opt.param_groups[i]["lr"] = lr
        opt.zero_grad(set_to_none=True)
        loss = None
        for i, used in enumerate(IN_LOSS):
            if not used:
                continue
            term = (a[i] * params[i] * params[i]).sum() + (b[i] * params[i]).sum()
            loss = term if loss is None else loss + term
        loss.backward()
        opt.step()
        trajectory.append([p.detach().reshape(-1).tolist() for p in params])
    out = dict(cfg)
    out["trajectory"] = trajectory
    return out


def opt_cfg(name, optimizer, defaults, steps=8, dtype="float64", groups=None, lr_changes=None):
    cfg = {
        "name": name,
        "optimizer": optimizer,
        "dtype": dtype,
        "defaults": defaults,
        "groups": groups if groups is not None else [{"params": [0, 1, 2], "options": {}}],
        "steps": steps,
    }
    if lr_changes:
        cfg["lr_changes"] = lr_changes
    return cfg


OPTIMIZERS = [
    # SGD
    opt_cfg("sgd_plain", "SGD", {"lr": 0.1}),
    opt_cfg("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    opt_cfg("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    opt_cfg("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    opt_cfg("sgd_weight_decay", "SGD", {"lr": 0.05, "weight_decay": 0.1}),
    opt_cfg("sgd_momentum_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    opt_cfg("sgd_maximize", "SGD", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.05, "maximize": True}),
    opt_cfg("sgd_nesterov_weight_decay_maximize", "SGD",
            {"lr": 0.02, "momentum": 0.7, "weight_decay": 0.2, "nesterov": True, "maximize": True}),
    # Adam
    opt_cfg("adam_default", "Adam", {}),
    opt_cfg("adam_betas", "Adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.95}),
    opt_cfg("adam_weight_decay", "Adam", {"lr": 0.01, "weight_decay": 0.1}),
    opt_cfg("adam_amsgrad", "Adam", {"lr": 0.1, "beta1": 0.9, "beta2": 0.9, "amsgrad": True}, steps=10),
    opt_cfg("adam_maximize", "Adam", {"lr": 0.01, "weight_decay": 0.05, "maximize": True}),
    opt_cfg("adam_eps", "Adam", {"lr": 0.02, "eps": 0.01}),
    opt_cfg("adam_all", "Adam",
            {"lr": 0.03, "beta1": 0.85, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.2, "amsgrad": True, "maximize": True}, steps=10),
    # AdamW
    opt_cfg("adamw_default", "AdamW", {}),
    opt_cfg("adamw_weight_decay", "AdamW", {"lr": 0.05, "weight_decay": 0.5}),
    opt_cfg("adamw_no_weight_decay", "AdamW", {"lr": 0.05, "weight_decay": 0.0}),
    opt_cfg("adamw_amsgrad", "AdamW", {"lr": 0.1, "beta1": 0.9, "beta2": 0.9, "weight_decay": 0.1, "amsgrad": True}, steps=10),
    opt_cfg("adamw_maximize", "AdamW", {"lr": 0.01, "weight_decay": 0.05, "maximize": True}),
    # RMSprop
    opt_cfg("rmsprop_default", "RMSprop", {}),
    opt_cfg("rmsprop_alpha", "RMSprop", {"lr": 0.02, "alpha": 0.9}),
    opt_cfg("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}),
    opt_cfg("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}),
    opt_cfg("rmsprop_weight_decay", "RMSprop", {"lr": 0.01, "weight_decay": 0.1}),
    opt_cfg("rmsprop_eps", "RMSprop", {"lr": 0.01, "eps": 0.1}),
    opt_cfg("rmsprop_all", "RMSprop",
            {"lr": 0.005, "alpha": 0.95, "eps": 1e-6, "weight_decay": 0.1, "momentum": 0.8, "centered": True, "maximize": True}),
    # parameter groups, with learning rates changed between steps
    opt_cfg("sgd_groups", "SGD", {"lr": 0.01, "momentum": 0.5},
            groups=[{"params": [0], "options": {"lr": 0.1, "momentum": 0.9}}, {"params": [1, 2], "options": {}}],
            lr_changes={"3": [0.05, 0.02], "6": [0.0, 0.03]}),
    opt_cfg("adam_groups", "Adam", {"lr": 0.01},
            groups=[{"params": [0, 2], "options": {"lr": 0.05, "beta1": 0.8, "amsgrad": True}},
                    {"params": [1], "options": {"weight_decay": 0.1, "maximize": True}}],
            lr_changes={"4": [0.02, 0.005]}),
    opt_cfg("adamw_groups", "AdamW", {"lr": 0.01, "weight_decay": 0.1},
            groups=[{"params": [0], "options": {"weight_decay": 0.0}}, {"params": [1], "options": {"lr": 0.1, "beta2": 0.9}}]),
    opt_cfg("rmsprop_groups", "RMSprop", {"lr": 0.01},
            groups=[{"params": [0], "options": {"centered": True, "momentum": 0.5}}, {"params": [1, 2], "options": {"alpha": 0.8}}],
            lr_changes={"2": [0.02, 0.001]}),
    # float32: the same kernels, so the same float32 results
    opt_cfg("sgd_nesterov_float32", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}, dtype="float32"),
    opt_cfg("adam_amsgrad_float32", "Adam", {"lr": 0.1, "beta2": 0.9, "amsgrad": True}, dtype="float32"),
    opt_cfg("adamw_float32", "AdamW", {"lr": 0.05}, dtype="float32"),
    opt_cfg("rmsprop_centered_momentum_float32", "RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9}, dtype="float32"),
]

# ----- schedulers --------------------------------------------------------------------------------------------

SCHED_LRS = [0.1, 0.02]


def sched_optimizer(initial_lrs):
    params = [torch.zeros(1, requires_grad=True) for _ in initial_lrs]
    return torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, initial_lrs)], lr=initial_lrs[0])


def make_scheduler(opt, spec):
    kind = spec["type"]
    kw = {k: v for k, v in spec.items() if k != "type"}
    return getattr(torch.optim.lr_scheduler, kind)(opt, **kw)


def run_scheduler(cfg):
    opt = sched_optimizer(cfg["initial_lrs"])
    if cfg.get("initial_lr") is not None:
        for g, lr in zip(opt.param_groups, cfg["initial_lr"]):
            g["initial_lr"] = lr
    scheds = [make_scheduler(opt, s) for s in cfg["schedulers"]]
    lrs = [[g["lr"] for g in opt.param_groups]]
    last_lr = [scheds[-1].get_last_lr()]
    epochs = [[s.last_epoch for s in scheds]]
    for k in range(cfg["steps"]):
        for i, lr in enumerate(cfg.get("lr_changes", {}).get(str(k), [])):
            opt.param_groups[i]["lr"] = lr
        opt.step()
        for s in scheds:
            s.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        last_lr.append(scheds[-1].get_last_lr())
        epochs.append([s.last_epoch for s in scheds])
    out = dict(cfg)
    out["lrs"] = lrs
    out["last_lr"] = last_lr
    out["last_epochs"] = epochs
    return out


def sched_cfg(name, schedulers, steps, initial_lrs=SCHED_LRS, initial_lr=None, lr_changes=None):
    cfg = {"name": name, "initial_lrs": initial_lrs, "schedulers": schedulers, "steps": steps}
    if initial_lr is not None:
        cfg["initial_lr"] = initial_lr
    if lr_changes:
        cfg["lr_changes"] = lr_changes
    return cfg


SCHEDULERS = [
    sched_cfg("steplr", [{"type": "StepLR", "step_size": 3, "gamma": 0.5}], 12),
    sched_cfg("steplr_default_gamma", [{"type": "StepLR", "step_size": 2}], 9),
    sched_cfg("steplr_step_size_1", [{"type": "StepLR", "step_size": 1, "gamma": 0.7}], 30),
    sched_cfg("multisteplr", [{"type": "MultiStepLR", "milestones": [2, 5, 9], "gamma": 0.3}], 12),
    sched_cfg("multisteplr_repeated_unsorted", [{"type": "MultiStepLR", "milestones": [7, 3, 3, 1]}], 10),
    sched_cfg("exponentiallr", [{"type": "ExponentialLR", "gamma": 0.9}], 40),
    sched_cfg("exponentiallr_long", [{"type": "ExponentialLR", "gamma": 0.97}], 150, initial_lrs=[0.3, 0.0123]),
    sched_cfg("chained_step_exponential", [{"type": "StepLR", "step_size": 4, "gamma": 0.5}, {"type": "ExponentialLR", "gamma": 0.95}], 13),
    sched_cfg("chained_multistep_exponential", [{"type": "ExponentialLR", "gamma": 0.9}, {"type": "MultiStepLR", "milestones": [3, 6], "gamma": 0.1}], 9),
    sched_cfg("exponentiallr_manual_change", [{"type": "ExponentialLR", "gamma": 0.9}], 8, lr_changes={"3": [0.5, 0.05]}),
    sched_cfg("steplr_resume", [{"type": "StepLR", "step_size": 3, "gamma": 0.5, "last_epoch": 5}], 7,
              initial_lrs=[0.05, 0.01], initial_lr=[0.1, 0.02]),
    sched_cfg("exponentiallr_resume", [{"type": "ExponentialLR", "gamma": 0.8, "last_epoch": 2}], 4,
              initial_lrs=[0.05, 0.01], initial_lr=[0.1, 0.02]),
]

# ----- ReduceLROnPlateau -------------------------------------------------------------------------------------


def run_plateau(cfg):
    opt = sched_optimizer(cfg["initial_lrs"])
    s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **cfg["kwargs"])
    lrs, best, bad, cool, epochs = [], [], [], [], []
    for m in cfg["metrics"]:
        opt.step()
        s.step(m)
        lrs.append([g["lr"] for g in opt.param_groups])
        best.append(s.best if math.isfinite(s.best) else None)
        bad.append(s.num_bad_epochs)
        cool.append(s.cooldown_counter)
        epochs.append(s.last_epoch)
    out = dict(cfg)
    out.update(lrs=lrs, best=best, num_bad_epochs=bad, cooldown_counter=cool, last_epoch=epochs)
    return out


rng = random.Random(1234)
NOISY = [round(1.0 / (1 + 0.1 * k) + rng.uniform(-0.05, 0.05), 6) for k in range(60)]
rng_max = random.Random(99)
NOISY_MAX = [round(0.5 + 0.4 * (1 - math.exp(-k / 10)) + rng_max.uniform(-0.03, 0.03), 6) for k in range(50)]

PLATEAUS = [
    {"name": "plateau_default", "initial_lrs": SCHED_LRS, "kwargs": {},
     "metrics": [1.0] + [0.99995] * 14 + [0.5] + [0.5] * 12},
    {"name": "plateau_min_rel", "initial_lrs": SCHED_LRS, "kwargs": {"patience": 2, "factor": 0.5},
     "metrics": [1.0, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.8, 0.79995, 0.7999, 0.8, 0.81, 0.82, 0.5]},
    {"name": "plateau_min_abs", "initial_lrs": SCHED_LRS, "kwargs": {"patience": 1, "factor": 0.5, "threshold": 0.05, "threshold_mode": "abs"},
     "metrics": [1.0, 0.96, 0.95, 0.9, 0.9, 0.86, 0.85, 0.84, 0.7, 0.66, 0.65, 0.65, 0.65]},
    {"name": "plateau_max_rel", "initial_lrs": SCHED_LRS, "kwargs": {"mode": "max", "patience": 2, "factor": 0.2, "threshold": 0.01},
     "metrics": [0.5, 0.504, 0.506, 0.505, 0.52, 0.5252, 0.5251, 0.53, 0.5, 0.4, 0.9]},
    {"name": "plateau_max_abs", "initial_lrs": SCHED_LRS, "kwargs": {"mode": "max", "patience": 1, "factor": 0.5, "threshold": 0.01, "threshold_mode": "abs"},
     "metrics": [0.5, 0.505, 0.52, 0.525, 0.528, 0.6, 0.6, 0.61, 0.605, 0.7]},
    {"name": "plateau_zero_threshold_equal_metric", "initial_lrs": SCHED_LRS, "kwargs": {"patience": 1, "threshold": 0.0, "threshold_mode": "abs"},
     "metrics": [1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 0.9]},
    {"name": "plateau_cooldown", "initial_lrs": SCHED_LRS, "kwargs": {"patience": 1, "cooldown": 2, "factor": 0.1},
     "metrics": [1.0] * 12 + [0.5, 0.5, 0.5, 0.5, 0.4]},
    {"name": "plateau_min_lr", "initial_lrs": SCHED_LRS, "kwargs": {"patience": 0, "factor": 0.5, "min_lr": 0.01},
     "metrics": [1.0] * 10},
    {"name": "plateau_min_lr_list", "initial_lrs": SCHED_LRS, "kwargs": {"patience": 0, "factor": 0.5, "min_lr": [0.03, 0.004]},
     "metrics": [1.0] * 8},
    {"name": "plateau_eps", "initial_lrs": SCHED_LRS, "kwargs": {"patience": 0, "factor": 0.5, "eps": 0.02},
     "metrics": [1.0] * 5},
    {"name": "plateau_noisy_min", "initial_lrs": SCHED_LRS, "kwargs": {"patience": 3, "factor": 0.5, "threshold": 0.05, "cooldown": 1, "min_lr": 1e-4},
     "metrics": NOISY},
    {"name": "plateau_noisy_max_abs", "initial_lrs": [0.3, 0.003], "kwargs": {"mode": "max", "patience": 2, "factor": 0.3, "threshold": 0.005, "threshold_mode": "abs", "cooldown": 3},
     "metrics": NOISY_MAX},
]


def main():
    data = {
        "generator": "tools/golden/gen_optim_golden.py",
        "torch_version": torch.__version__,
        "problem": {"shapes": SHAPES, "init": INIT, "a": A, "b": B, "in_loss": IN_LOSS},
        "optimizers": [run_optimizer(c) for c in OPTIMIZERS],
        "schedulers": [run_scheduler(c) for c in SCHEDULERS],
        "plateaus": [run_plateau(c) for c in PLATEAUS],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(data['optimizers'])} optimizer, {len(data['schedulers'])} scheduler "
          f"and {len(data['plateaus'])} ReduceLROnPlateau configurations (torch {torch.__version__})")


if __name__ == "__main__":
    sys.exit(main())
