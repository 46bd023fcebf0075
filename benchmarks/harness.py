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
PEAK_RSS_PREFIX = "peak_rss_mb: "


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (``ru_maxrss``: KB on Linux, bytes
    on macOS). A contender's peak includes its framework's import (PyTorch's is about 300 MB)."""
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def load_average() -> str:
    """The machine's 1-minute load average, printed beside every table: on a shared 2-core
    machine a load above 2 means the contenders competed with other work for the cores."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (OSError, AttributeError):
        return "unknown"


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
    """Run ``python -m <module> --worker <contender>``; return (seconds per step, thread pools,
    peak RSS in MB)."""
    cmd = [sys.executable, "-m", module, "--worker", contender, "--args", json.dumps(args)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=root, env=contender_env())
    if out.returncode != 0:
        raise RuntimeError(f"{contender} worker failed:\n{out.stderr[-3000:]}")
    lines = out.stdout.strip().splitlines()
    pools = next((line[len(BLAS_PREFIX):] for line in lines if line.startswith(BLAS_PREFIX)), "not reported")
    peak = next((float(line[len(PEAK_RSS_PREFIX):]) for line in lines if line.startswith(PEAK_RSS_PREFIX)),
                float("nan"))
    return float(lines[-1]), pools, peak


def compare(module: str, contenders: list, args: dict, rounds: int, title: str) -> dict:
    """Time every contender ``rounds`` times, interleaved; print and return the ratios.

    The first contender in the list is the reference (PyTorch); the others are divided by it.
    """
    times = {c: [] for c in contenders}
    pools, peaks = {}, {c: [] for c in contenders}
    print(f"{title}: {rounds} rounds, load average {load_average()} at the start", flush=True)
    for r in range(rounds):
        order = contenders if r % 2 == 0 else list(reversed(contenders))
        for c in order:
            seconds, pools[c], peak = run_worker(module, c, args)
            times[c].append(seconds)
            peaks[c].append(peak)
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
    print(f"\n{title} (load average {load_average()} at the end)")
    print(f"{'contender':<24}{'median ms/step':>16}{'ratio vs ' + reference:>22}{'peak RSS MB':>14}")
    result = {}
    for c in contenders:
        ratios = [t / ref for t, ref in zip(times[c], times[reference])]
        result[c] = {"median_ms": statistics.median(times[c]) * 1e3, "median_ratio": statistics.median(ratios),
                     "peak_rss_mb": max(peaks[c])}
        print(f"{c:<24}{result[c]['median_ms']:>16.2f}{result[c]['median_ratio']:>21.2f}x"
              f"{result[c]['peak_rss_mb']:>14.0f}")
    return result


def torch_sgd_step(model, x, y, lr, loss_fn=None):
    """One PyTorch training step of ``model`` on tensors ``x``, ``y`` (SGD; cross-entropy unless
    ``loss_fn`` is given), as a closure: the PyTorch side of every benchmark here."""
    import torch
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = loss_fn or torch.nn.CrossEntropyLoss()

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
    print(PEAK_RSS_PREFIX + f"{peak_rss_mb():.1f}")
    return statistics.median(samples)


def profile_ops(step, steps: int, title: str) -> None:
    """Where one glassnet training step spends its time: every op's forward and backward is
    wrapped with a timer (per op class; a convolution is named by its channels); per-op medians
    over ``steps`` calls of ``step()``, and the rest of the step is "other" (graph, optimizer,
    Python). Medians: a shared machine's stalls do not skew them."""
    import time

    from glassnet.core.tensor import Function
    totals = {}

    def timed(cls, name):
        original = getattr(cls, name)

        def wrapper(self, *args):
            t0 = time.perf_counter()
            try:
                return original(self, *args)
            finally:
                w = getattr(self, "w", None)
                label = cls.__name__ if w is None or w.ndim != 4 else f"{cls.__name__} {w.shape[2]}->{w.shape[3]}"
                totals[(label, name)] = totals.get((label, name), 0.0) + time.perf_counter() - t0
        setattr(cls, name, wrapper)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in list(subclasses(Function)):
        for name in ("forward", "backward"):
            if name in cls.__dict__:
                timed(cls, name)
    for _ in range(5):
        step()
    per_step, samples = [], []
    for _ in range(steps):
        totals.clear()
        t0 = time.perf_counter()
        step()
        samples.append(time.perf_counter() - t0)
        per_step.append(dict(totals))
    keys = sorted({k for d in per_step for k in d}, key=lambda k: -statistics.median(d.get(k, 0.0) for d in per_step))
    step_ms = statistics.median(samples) * 1e3
    print(f"{title}: {step_ms:.2f} ms per step (median of {steps}), load average {load_average()}")
    print(f"{'op':<30}{'pass':<10}{'ms/step':>10}{'share':>8}")
    accounted = 0.0
    for op, name in keys:
        ms = statistics.median(d.get((op, name), 0.0) for d in per_step) * 1e3
        accounted += ms
        if ms >= 0.05:
            print(f"{op:<30}{name:<10}{ms:>10.2f}{ms / step_ms:>8.0%}")
    other = step_ms - accounted
    print(f"{'other (graph, optimizer)':<40}{other:>10.2f}{other / step_ms:>8.0%}")
