"""Shared helpers of LossKit's golden-file generators.

Each generator (gen_<family>.py) builds cases with PyTorch (Debian's python3-torch, run with /usr/bin/python3),
and writes tests/LossKit.Tests/Golden/<family>.json. The C# tests read these files, so Python is only needed
to regenerate them, never to run the tests. Everything is seeded: running a generator twice gives the same file.

Case format (one JSON object per case):
  name      unique, descriptive
  loss      the PyTorch function used (for the reader)
  options   keyword options (reduction as "none" / "mean" / "sum" / "batchmean")
  inputs    name -> {dtype, shape, data (row-major), requires_grad}
  output    {dtype, shape, data}
  grads     name -> {dtype, shape, data}: d(sum(output * upstream))/d(input) for inputs with requires_grad,
            where upstream is all ones (the sum of the output)
"""
import json
import os
import sys

import torch

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GOLDEN_DIR = os.path.join(REPO, "tests", "LossKit.Tests", "Golden")

DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.int32: "int32", torch.bool: "bool"}


def encode(t):
    t = t.detach().cpu().contiguous()
    data = t.reshape(-1).tolist()
    if t.dtype in (torch.float32, torch.float64):
        # repr of a Python float round-trips exactly; float32 values are exactly representable as doubles.
        data = [float(v) if v == v and abs(v) != float("inf") else str(v) for v in data]
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def case(name, loss, fn, inputs, options=None):
    """Runs fn(**inputs) (inputs: name -> tensor; those with requires_grad are differentiated) and returns a case."""
    for t in inputs.values():
        if t.requires_grad and t.grad is not None:
            t.grad = None
    out = fn(**inputs)
    grads = {}
    diff = {k: v for k, v in inputs.items() if v.requires_grad}
    if diff and out.requires_grad:
        out.sum().backward()
        for k, v in diff.items():
            grads[k] = encode(v.grad if v.grad is not None else torch.zeros_like(v))
    encoded = {}
    for k, v in inputs.items():
        e = encode(v)
        e["requires_grad"] = bool(v.requires_grad)
        encoded[k] = e
    return {"name": name, "loss": loss, "options": options or {}, "inputs": encoded, "output": encode(out), "grads": grads}


def write(family, cases):
    names = [c["name"] for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit(f"duplicate case names: {sorted(dup)}")
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    path = os.path.join(GOLDEN_DIR, f"{family}.json")
    doc = {
        "generator": f"tools/golden/gen_{family}.py",
        "torch_version": torch.__version__,
        "cases": cases,
    }
    # One case per line: compact, and a regenerated file diffs case by case.
    with open(path, "w") as f:
        f.write("{\n")
        f.write(f' "generator": {json.dumps(doc["generator"])},\n')
        f.write(f' "torch_version": {json.dumps(doc["torch_version"])},\n')
        f.write(' "cases": [\n')
        f.write(",\n".join("  " + json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n ]\n}\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(path, REPO)}")
