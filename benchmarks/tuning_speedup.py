"""Wall time of one random search (8 trials of a small MLP on MNIST) on each executor.

    GLASSNET_DATA=../shared/data python benchmarks/tuning_speedup.py [--trials 8] [--rounds 2]

Runs the same search (same seed, so the same trials) on: "local" (one process, BLAS free to
use every core), "processes" with 1 and 2 workers, "ray" with 1 and 2 tasks in flight (each
worker pinned to one BLAS thread). Ray is started, and its workers warmed up, before the clock
starts: a cluster is started once and serves many searches. A process pool is spawned per
search, so its start-up is counted. Prints the median of ``--rounds`` rounds, interleaved.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--train", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args(argv)

    import glassnet as gn
    from glassnet.tuning import RandomSearch, init_ray, run_tasks
    from glassnet.tuning.mlp import MLPBuilder

    (x, y), _ = gn.datasets.mnist.load_data()
    x = x.astype(np.float32) / 255.0
    n = args.train
    data = (x[:n], y[:n]), (x[n:n + 2000], y[n:n + 2000])
    # a small MLP: one or two hidden layers of 64..256 units, Adam
    table = {"layers": {"type": "int", "min": 1, "max": 2}, "units": [64, 128, 256],
             "dropout": {"type": "float", "min": 0.0, "max": 0.3, "step": 0.1},
             "learning_rate": {"type": "float", "min": 1e-4, "max": 1e-2, "sampling": "log"}}
    build = MLPBuilder(table, (28, 28), 10)
    setups = [("local", None), ("processes", 1), ("processes", 2)]
    if not args.no_ray:
        init_ray(num_cpus=os.cpu_count())
        run_tasks(_warm, [0] * (os.cpu_count() or 1), executor="ray")  # workers import glassnet once
        setups += [("ray", 1), ("ray", 2)]
    load_before = os.getloadavg()[0]
    times = {s: [] for s in setups}
    trial_seconds = []
    scores = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for executor, workers in setups:
                tuner = RandomSearch(build, objective="val_accuracy", max_trials=args.trials, seed=0, directory=tmp,
                                     project_name=f"{executor}{workers}", overwrite=True, executor=executor,
                                     workers=workers)
                tuner.search(*data[0], validation_data=data[1], epochs=args.epochs, batch_size=64, verbose=0)
                times[(executor, workers)].append(tuner.search_seconds)
                scores[(executor, workers)] = [round(t.score, 6) for t in tuner.trials]
                if executor == "processes" and workers == 1:
                    trial_seconds += [t.seconds for t in tuner.trials]
    print(f"{args.trials} trials, {args.epochs} epochs on {n} MNIST images, batch 64; "
          f"{os.cpu_count()} cores; median of {args.rounds} rounds; load average before "
          f"{load_before:.1f}, after {os.getloadavg()[0]:.1f} (other work on the machine)")
    print(f"one trial on one pinned worker: median {statistics.median(trial_seconds):.2f} s")
    base = statistics.median(times[("processes", 1)])
    for (executor, workers), ts in times.items():
        label = executor + ("" if workers is None else f", {workers} worker{'s' if workers > 1 else ''}")
        m = statistics.median(ts)
        print(f"{label:<22} {m:6.1f} s   speed-up vs processes/1: {base / m:4.2f}x")
    same = len({tuple(v) for v in scores.values()}) == 1
    print(f"same trial scores on every executor: {'yes' if same else 'NO'}")
    return 0


def _warm(task, shared):
    import glassnet  # noqa: F401
    return task


if __name__ == "__main__":
    sys.exit(main())
