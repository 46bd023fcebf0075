"""Every speed workload of glassnet against PyTorch, in one command, with one table at the end.

    python -m benchmarks                  # all workloads, 5 interleaved rounds each (about 10 min)
    python -m benchmarks --rounds 11      # steadier medians
    python -m benchmarks --only mlp cnn   # some of them

For each workload: PyTorch's and glassnet's median time per step (one process per contender,
rounds interleaved: see ``benchmarks/harness.py``), the median ratio, the NumPy-by-hand floor
where there is one, the target, each contender's peak memory, and how far glassnet is from the
machine's limit: the step's GEMM FLOPs against the GEMM peak that ``numpy.matmul`` reaches on
this machine (measured first, in a contender process, so with the same BLAS kernel).

Contenders run without ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE``; the load average printed
with every table says whether other work shared the cores.
"""
from __future__ import annotations

import argparse
import datetime
import subprocess
import sys

from benchmarks import autoencoder, cnn, fit_epoch, lstm, mlp
from benchmarks.harness import compare, contender_env, load_average

# name -> (module, worker args, table label, FLOPs per step, target ratio as text)
WORKLOADS = {
    "mlp": ("benchmarks.mlp", {"batch": 128, "steps": 60}, "MLP 784-512-256-10, batch 128",
            mlp.flops_per_step(128), "<= 1.0x"),
    "cnn": ("benchmarks.cnn", {"batch": 64, "steps": 30, "part": "model"},
            "course CNN 32c3-pool-64c3-pool-10, batch 64", cnn.flops_per_step(64), "<= 1.2x"),
    "autoencoder": ("benchmarks.autoencoder", {"batch": 32, "steps": 30},
                    "conv denoising autoencoder, batch 32", autoencoder.flops_per_step(32), "<= 1.2x"),
    "lstm20": ("benchmarks.lstm", {"units": 20, "batch": 32, "steps": 30},
               "2 x LSTM(20), 50 steps, batch 32", lstm.flops_per_step(20, 32), "<= 0.8x"),
    "lstm128": ("benchmarks.lstm", {"units": 128, "batch": 32, "steps": 30},
                "2 x LSTM(128), 50 steps, batch 32", lstm.flops_per_step(128, 32), "<= 1.0x"),
    "fit": ("benchmarks.fit_epoch", {"samples": fit_epoch.SAMPLES, "epochs": 2},
            "fit: one MNIST-size epoch, quick-start MLP (ms per epoch)", fit_epoch.flops_per_epoch(fit_epoch.SAMPLES),
            "<= 1.0x"),
}
CONTENDERS = {"mlp": list(mlp.CONTENDERS), "cnn": list(cnn.CONTENDERS), "autoencoder": list(autoencoder.CONTENDERS),
              "lstm20": list(lstm.CONTENDERS), "lstm128": list(lstm.CONTENDERS), "fit": list(fit_epoch.CONTENDERS)}

# the contender whose ratio is the "floor" column: the least an engine on NumPy (or fit) can cost
FLOOR_CONTENDERS = ("numpy-by-hand", "glassnet-steps")

PEAK_SCRIPT = """
import time, numpy as np
a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(np.float32)
b = a.copy(); a @ b
best = min((lambda t0: (a @ b, time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(10))
print(2 * 2048 ** 3 / best / 1e9)
"""


def gemm_peak_gflops() -> float:
    """GFLOP/s of a 2048^3 float32 ``numpy.matmul`` (best of 10), in a contender's environment."""
    out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT], capture_output=True, text=True, env=contender_env(),
                         check=True)
    return float(out.stdout.strip())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", nargs="+", choices=list(WORKLOADS), default=list(WORKLOADS))
    ns = parser.parse_args(argv)
    peak = gemm_peak_gflops()
    print(f"{datetime.date.today()}: numpy.matmul peak here {peak:.0f} GFLOP/s (float32, 2048^3, "
          f"contender environment); load average {load_average()}\n", flush=True)
    rows = []
    for name in ns.only:
        module, args, label, flops, target = WORKLOADS[name]
        result = compare(module, CONTENDERS[name], args, ns.rounds, label)
        print(flush=True)
        rows.append((name, label, flops, target, result))
    print(f"\nSummary ({datetime.date.today()}, {ns.rounds} rounds, median ratio to PyTorch; "
          f"GEMM peak {peak:.0f} GFLOP/s; load average now {load_average()})\n")
    print("| workload | PyTorch ms | glassnet ms | ratio | floor | target | GFLOP/step | at GEMM peak ms "
          "| glassnet % of peak | peak RSS MB glassnet / PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, label, flops, target, r in rows:
        torch_ms, ours_ms = r["pytorch"]["median_ms"], r["glassnet"]["median_ms"]
        floor = next((f"{r[k]['median_ratio']:.2f}x" for k in FLOOR_CONTENDERS if k in r), "")
        at_peak_ms = flops / (peak * 1e9) * 1e3
        print(f"| {label} | {torch_ms:.2f} | {ours_ms:.2f} | {r['glassnet']['median_ratio']:.2f}x | {floor} "
              f"| {target} | {flops / 1e9:.3f} | {at_peak_ms:.2f} | {at_peak_ms / ours_ms:.0%} "
              f"| {r['glassnet']['peak_rss_mb']:.0f} / {r['pytorch']['peak_rss_mb']:.0f} |")
    print("\n(floor: the NumPy-by-hand MLP; for fit, glassnet's own train_on_batch loop without fit)")
    for name, label, flops, target, r in rows:
        if "pytorch-flush-denormal" in r:  # see benchmarks/fit_epoch.py
            ratio = r["glassnet"]["median_ms"] / r["pytorch-flush-denormal"]["median_ms"]
            print(f"({label}: glassnet against PyTorch with set_flush_denormal(True): {ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
