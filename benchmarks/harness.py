"""Side-by-side timing: each contender runs in its own process, rounds are interleaved, and
the reported figure is the median over rounds of (contender time / PyTorch time).

Separate processes keep one framework's threads, caches and allocator from slowing the
other; interleaving spreads any drift of the machine (other load, CPU clocks) over both.

Contenders run without ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE``: these machines may set
them, which keeps NumPy's OpenBLAS on older kernels than a user's machine gets. Each contender
reports the BLAS and thread pools it ran with (via threadpoolctl), printed before the table.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys


# set by some machines here to pin OpenBLAS to an older kernel; a user's machine has neither
MACHINE_BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
BLAS_PREFIX = "threadpools: "


def contender_env() -> dict:
    """The environment of a contender process: this one's, less the BLAS kernel overrides."""
    return {k: v for k, v in os.environ.items() if k not in MACHINE_BLAS_OVERRIDES}


def thread_pools() -> str:
    """The BLAS / OpenMP pools loaded in this process, one short phrase each (threadpoolctl);
    for OpenBLAS the kernel ("architecture") it chose for this CPU."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl)"
    pools = []
    for p in threadpool_info():
        kernel = f" kernel {p['architecture']}" if p.get("architecture") else ""
        version = f" {p['version']}" if p.get("version") else ""
        pools.append(f"{p['internal_api']}{version}{kernel}, {p['num_threads']} threads")
    return "; ".join(pools) or "none loaded"


def run_worker(module: str, contender: str, args: dict) -> tuple:
    """Run ``python -m <module> --worker <contender>``; return (seconds per step, thread pools)."""
    cmd = [sys.executable, "-m", module, "--worker", contender, "--args", json.dumps(args)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=root, env=contender_env())
    if out.returncode != 0:
        raise RuntimeError(f"{contender} worker failed:\n{out.stderr[-3000:]}")
    lines = out.stdout.strip().splitlines()
    pools = next((line[len(BLAS_PREFIX):] for line in lines if line.startswith(BLAS_PREFIX)), "not reported")
    return float(lines[-1]), pools


def compare(module: str, contenders: list, args: dict, rounds: int, title: str) -> dict:
    """Time every contender ``rounds`` times, interleaved; print and return the ratios.

    The first contender in the list is the reference (PyTorch); the others are divided by it.
    """
    times = {c: [] for c in contenders}
    pools = {}
    for r in range(rounds):
        order = contenders if r % 2 == 0 else list(reversed(contenders))
        for c in order:
            seconds, pools[c] = run_worker(module, c, args)
            times[c].append(seconds)
        if r == 0:
            unset = ", ".join(MACHINE_BLAS_OVERRIDES)
            print(f"(contenders run without {unset}; this shell has "
                  + (", ".join(f"{k}={os.environ[k]}" for k in MACHINE_BLAS_OVERRIDES if k in os.environ) or "neither")
                  + ")")
            for c in contenders:
                print(f"{c} thread pools: {pools[c]}")
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
    """Seconds per call of ``step()``: the median of ``steps`` timed calls after ``warmup``.
    Also prints this process's thread pools (a line ``run_worker`` reads), once the step has
    loaded its libraries."""
    import time
    for _ in range(warmup):
        step()
    samples = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        samples.append(time.perf_counter() - t0)
    print(BLAS_PREFIX + thread_pools())
    return statistics.median(samples)
