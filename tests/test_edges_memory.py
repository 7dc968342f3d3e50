"""Memory of a training step's forward and backward pass, the package against torch (same measurement for both).

Each library runs in a fresh process with glibc's mmap threshold at 64 KiB, so every array
larger than that is mapped on allocation and unmapped when freed: the process's peak resident
memory (VmHWM, reset through /proc/self/clear_refs) then follows the arrays alive at once.
The step: an MLP 64 -> 256 -> 256 -> 10 (ReLU), cross-entropy, batch 4096, after two warm-up steps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import gc, json, sys
import numpy as np

def status():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

def peak_mib(step):
    step(); step(); gc.collect()
    base, _ = status()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak to the current resident size
    step()
    return (status()[1] - base) / 1024

library, results = sys.argv[1], {}
sizes, batch = [64, 256, 256, 10], 4096
for dtype in ("float64", "float32"):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(batch, 64)).astype(dtype), rng.integers(0, 10, size=batch)
    if library == "torch":
        import torch
        torch.set_num_threads(1)
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [torch.nn.Linear(a, b, dtype=getattr(torch, dtype)), torch.nn.ReLU()]
        model, Xt, yt = torch.nn.Sequential(*layers[:-1]), torch.from_numpy(X), torch.from_numpy(y)
        results[dtype] = peak_mib(lambda: torch.nn.functional.cross_entropy(model(Xt), yt).backward())
    else:
        from nonlinear import nn
        model = nn.MLP(sizes, activation="relu", seed=0, dtype=dtype)
        for retain in (False, True):
            results[f"{dtype} retain_graph={retain}"] = peak_mib(
                lambda: nn.cross_entropy(model(X), y).backward(retain_graph=retain))
print(json.dumps(results))
"""


def measure(library: str) -> dict:
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, library], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not os.access("/proc/self/clear_refs", os.W_OK), reason="needs Linux's /proc/self/clear_refs")
def test_forward_and_backward_memory_within_one_and_a_half_times_torch():
    ours, torch_ = measure("numpy"), measure("torch")
    report = {
        k: f"{v:.1f} MiB ({v / torch_[k.split()[0]]:.2f}x torch's {torch_[k.split()[0]]:.1f})" for k, v in ours.items()
    }
    print(report)
    for dtype in ("float64", "float32"):
        # the default, as in torch: the graph is freed as the backward pass goes
        assert ours[f"{dtype} retain_graph=False"] <= 1.5 * torch_[dtype], report
        # retain_graph=True (to draw the graph afterwards) keeps every node's value: one more array per layer
        assert ours[f"{dtype} retain_graph=True"] <= 1.7 * torch_[dtype], report
