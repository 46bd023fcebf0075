"""Side-by-side timing: each contender runs in its own process, rounds are interleaved, and
the reported figure is the median over rounds of (contender time / PyTorch time).

Separate processes keep one framework's threads, caches and allocator from slowing the
other; interleaving spreads any drift of the machine (other load, CPU clocks) over both.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys


def run_worker(module: str, contender: str, args: dict) -> float:
    """Run ``python -m <module> --worker <contender>`` and return its seconds per step."""
    cmd = [sys.executable, "-m", module, "--worker", contender, "--args", json.dumps(args)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    if out.returncode != 0:
        raise RuntimeError(f"{contender} worker failed:\n{out.stderr[-3000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def compare(module: str, contenders: list, args: dict, rounds: int, title: str) -> dict:
    """Time every contender ``rounds`` times, interleaved; print and return the ratios.

    The first contender in the list is the reference (PyTorch); the others are divided by it.
    """
    times = {c: [] for c in contenders}
    for r in range(rounds):
        order = contenders if r % 2 == 0 else list(reversed(contenders))
        for c in order:
            times[c].append(run_worker(module, c, args))
        print(f"round {r + 1}/{rounds}: " + ", ".join(f"{c} {times[c][-1] * 1e3:.2f} ms" for c in contenders),
              flush=True)
    reference = contenders[0]
    print(f"\n{title}")
    print(f"{'contender':<18}{'median ms/step':>16}{'ratio vs ' + reference:>22}")
    result = {}
    for c in contenders:
        ratios = [t / ref for t, ref in zip(times[c], times[reference])]
        result[c] = {"median_ms": statistics.median(times[c]) * 1e3, "median_ratio": statistics.median(ratios)}
        print(f"{c:<18}{result[c]['median_ms']:>16.2f}{result[c]['median_ratio']:>21.2f}x")
    return result


def torch_sgd_step(model, x, y, lr):
    """One PyTorch training step of ``model`` on tensors ``x``, ``y`` (SGD, cross-entropy), as
    a closure: the PyTorch side of every benchmark here."""
    import torch
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def time_steps(step, warmup: int, steps: int) -> float:
    """Seconds per call of ``step()``: the median of ``steps`` timed calls after ``warmup``."""
    import time
    for _ in range(warmup):
        step()
    samples = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)
