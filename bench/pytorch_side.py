"""PyTorch half of LossKit's side-by-side benchmark (bench/LossKit.Bench starts it; do not run it by hand).

It reads one JSON request per line on stdin and answers one JSON line on stdout, so the C# runner can alternate
LossKit and PyTorch measurements of the same case within one invocation. Run with Debian's python3-torch
(/usr/bin/python3): the same libtorch build LossKit binds. Each case builds the same inputs as the LossKit side
(same shapes, same seed, same libtorch generator) and runs forward + backward the way a PyTorch user would write
it: libtorch's own function where PyTorch has one, the usual composition of eager ops where it does not.

Requests: {"op": "version"}                           -> {"torch": ..., "python": ...}
          {"op": "setup", "case": name, "threads": n} -> {"ok": true, "input_bytes": ...}
          {"op": "time", "iters": k}                  -> {"ms": [per-iteration milliseconds]}
          {"op": "peak"}                              -> {"extra_bytes": peak RSS growth of one iteration}
          {"op": "overhead", "kind": "add"|"small_ce"|"small_mse", "iters": k} -> {"us": microseconds per call}
          {"op": "quit"}
"""
import ctypes
import json
import sys
import time

import torch
import torch.nn.functional as F

LIBC = ctypes.CDLL("libc.so.6")
N_ELEMWISE = 4 * 1024 * 1024


def rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def extra_peak_bytes(run):
    """Peak resident memory one iteration adds over what is resident before it (freed heap returned first)."""
    LIBC.malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current RSS
    base = rss_kib("VmRSS")
    run()
    return (rss_kib("VmHWM") - base) * 1024


def elementwise(kind):
    torch.manual_seed(0)
    if kind in ("bce",):
        x = torch.rand(N_ELEMWISE).clamp_(1e-4, 1 - 1e-4).requires_grad_(True)
        y = (torch.rand(N_ELEMWISE) > 0.5).float()
    elif kind in ("bce_logits", "bce_logits_pos_weight", "sigmoid_focal"):
        x = torch.randn(N_ELEMWISE).mul_(2).requires_grad_(True)
        y = (torch.rand(N_ELEMWISE) > 0.5).float()
    else:
        x = torch.randn(N_ELEMWISE).requires_grad_(True)
        y = torch.randn(N_ELEMWISE)
    if kind == "bce_logits_pos_weight":
        x = x.detach().view(4096, 1024).requires_grad_(True)
        y = y.view(4096, 1024)
    pos_weight = torch.linspace(0.5, 2.0, 1024)

    def smooth(delta=1.0, alpha=2.0):
        e = x - y
        u = (e / alpha).clamp(-1, 1)
        return (delta * torch.exp(1 - u.abs()) * u * e).mean()

    def sigmoid_focal(alpha=0.25, gamma=2.0):
        p = torch.sigmoid(x)
        ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
        p_t = p * y + (1 - p) * (1 - y)
        loss = ce * ((1 - p_t) ** gamma)
        alpha_t = alpha * y + (1 - alpha) * (1 - y)
        return (alpha_t * loss).mean()

    fns = {
        "mse": lambda: F.mse_loss(x, y),
        "l1": lambda: F.l1_loss(x, y),
        "huber": lambda: F.huber_loss(x, y, delta=1.0),
        "smooth_l1": lambda: F.smooth_l1_loss(x, y, beta=1.0),
        "rmse": lambda: torch.sqrt(F.mse_loss(x, y) + 1e-8),
        "smooth": smooth,
        "bce": lambda: F.binary_cross_entropy(x, y),
        "bce_logits": lambda: F.binary_cross_entropy_with_logits(x, y),
        "bce_logits_pos_weight": lambda: F.binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight),
        "sigmoid_focal": sigmoid_focal,
    }
    return x, fns[kind]


def classification(kind, n, c):
    torch.manual_seed(0)
    x = torch.randn(n, c).requires_grad_(True)
    y = torch.randint(0, c, (n,))
    eps = 0.1

    def focal(gamma=2.0):
        lp = F.log_softmax(x, 1)
        p = lp.exp()
        return F.nll_loss(((1 - p) ** gamma) * lp, y)

    def seed_smoothing():
        lp = F.log_softmax(x, 1)
        t = torch.full_like(lp, eps / (c - 1))
        t.scatter_(1, y.unsqueeze(1), 1 - eps)
        return (-(t * lp).sum(1)).mean()

    def soft_f1(epsilon=1e-7):
        p = F.softmax(x, 1)
        oh = F.one_hot(y, c).to(p.dtype)
        tp = (p * oh).sum(0)
        fp = (p * (1 - oh)).sum(0)
        fn = ((1 - p) * oh).sum(0)
        f1 = (2 * tp + epsilon) / (2 * tp + fp + fn + epsilon)
        return 1 - f1.mean()

    if kind == "nll":
        x = F.log_softmax(torch.randn(n, c), 1).requires_grad_(True)
        return x, lambda: F.nll_loss(x, y)
    if kind == "kl":
        x = F.log_softmax(torch.randn(n, c), 1).requires_grad_(True)
        t = F.softmax(torch.randn(n, c), 1)
        return x, lambda: F.kl_div(x, t, reduction="batchmean")
    fns = {
        "ce": lambda: F.cross_entropy(x, y),
        "focal": focal,
        "label_smoothing_pytorch": lambda: F.cross_entropy(x, y, label_smoothing=eps),
        "label_smoothing_seed": seed_smoothing,
        "f1": soft_f1,
    }
    return x, fns[kind]


def ctc():
    torch.manual_seed(0)
    T, N, C, S = 150, 64, 28, 40
    x = torch.randn(T, N, C).log_softmax(2).detach().requires_grad_(True)
    targets = torch.randint(1, C, (N, S))
    input_lengths = torch.full((N,), T, dtype=torch.long)
    target_lengths = torch.randint(S // 2, S + 1, (N,))
    return x, lambda: F.ctc_loss(x, targets, input_lengths, target_lengths)


def build(name):
    kind, _, size = name.partition("@")
    if size == "":
        return elementwise(kind) if kind != "ctc" else ctc()
    n, c = (int(v) for v in size.split("x"))
    return classification(kind, n, c)


def main():
    state = {}
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        if op == "quit":
            break
        if op == "version":
            sys.stdout.write(json.dumps({"torch": torch.__version__, "python": sys.version.split()[0]}) + "\n")
            sys.stdout.flush()
            continue
        if op == "setup":
            torch.set_num_threads(int(req["threads"]))
            state.clear()
            x, fn = build(req["case"])

            def step(x=x, fn=fn):
                loss = fn()
                loss.backward()
                x.grad = None

            step()  # warm-up
            state["step"] = step
            resp = {"ok": True, "input_bytes": x.numel() * x.element_size(), "threads": torch.get_num_threads()}
        elif op == "time":
            step = state["step"]
            ms = []
            for _ in range(int(req["iters"])):
                t0 = time.perf_counter()
                step()
                ms.append((time.perf_counter() - t0) * 1e3)
            resp = {"ms": ms}
        elif op == "peak":
            resp = {"extra_bytes": extra_peak_bytes(state["step"])}
        elif op == "overhead":
            iters = int(req["iters"])
            kind = req["kind"]
            if kind == "add":
                a, b = torch.ones(1), torch.ones(1)
                fn = lambda: a + b
            else:
                torch.manual_seed(0)
                x = torch.randn(8, 10, requires_grad=True)
                y = torch.randint(0, 10, (8,)) if kind == "small_ce" else torch.randn(8, 10)
                loss = F.cross_entropy if kind == "small_ce" else F.mse_loss

                def fn():
                    loss(x, y).backward()
                    x.grad = None
            for _ in range(min(iters, 1000)):
                fn()
            t0 = time.perf_counter()
            for _ in range(iters):
                fn()
            resp = {"us": (time.perf_counter() - t0) * 1e6 / iters}
        else:
            resp = {"error": f"unknown op {op}"}
        sys.stdout.write(json.dumps(resp) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
