"""Benchmark: one training step of the course's stacked LSTM forecaster, glassnet's
``train_on_batch`` against a PyTorch CPU step, side by side.

    LSTM(units, return_sequences=True) - LSTM(units) - Dense(1), mean squared error, SGD,
    batch 32, 50 time steps of 1 feature (course section 5: "an LSTM(20) x 2 forecasts the next
    value from 50 steps")

    python -m benchmarks.lstm                  # LSTM(20) then LSTM(128): 11 interleaved rounds each
    python -m benchmarks.lstm --units 128      # one size only
    python -m benchmarks.lstm --profile        # cProfile of glassnet steps (where the time goes)

glassnet runs its layers (``glassnet.layers.LSTM``, which call the fused op
``glassnet.ops.lstm``: one autograd node per layer call, hand-written backpropagation through
time). PyTorch runs ``torch.nn.LSTM`` (batch_first) with the last step's output into a
``Linear``. Each contender runs in its own process and the rounds alternate their order (see
``benchmarks/harness.py``); PyTorch keeps its default threads, as in ``benchmarks/mlp.py``.
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from benchmarks.harness import compare, time_steps

STEPS, FEATURES = 50, 1


def _data(batch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, STEPS, FEATURES)).astype(np.float32)
    y = rng.standard_normal((batch, 1)).astype(np.float32)
    return x, y


def flops_per_step(units, batch) -> float:
    """2 x multiply-adds of the gate GEMMs of both layers over all steps ((inputs + units) x
    4 units per sample and step), x 3 for forward and both gradients."""
    per_step = (FEATURES + units) * 4 * units + (units + units) * 4 * units
    return 2 * batch * STEPS * per_step * 3


def glassnet_model(units, lr):
    import glassnet as gn
    from glassnet import layers
    model = gn.Sequential([layers.Input((STEPS, FEATURES)), layers.LSTM(units, return_sequences=True),
                           layers.LSTM(units), layers.Dense(1)])
    model.compile(optimizer=gn.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def glassnet_step(units, batch, lr):
    model = glassnet_model(units, lr)
    x, y = _data(batch)
    return lambda: model.train_on_batch(x, y)


def torch_step(units, batch, lr):
    import torch

    class Forecaster(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm1 = torch.nn.LSTM(FEATURES, units, batch_first=True)
            self.lstm2 = torch.nn.LSTM(units, units, batch_first=True)
            self.head = torch.nn.Linear(units, 1)

        def forward(self, x):
            sequence, _ = self.lstm1(x)
            sequence, _ = self.lstm2(sequence)
            return self.head(sequence[:, -1])

    model = Forecaster()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = (torch.from_numpy(a) for a in _data(batch))

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


CONTENDERS = {"pytorch": torch_step, "glassnet": glassnet_step}


def profile(units, batch, steps):
    """cProfile of ``steps`` glassnet training steps: the functions with the most own time."""
    import cProfile
    import pstats
    step = glassnet_step(units, batch, 0.01)
    for _ in range(5):
        step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    print(f"glassnet LSTM({units}) x 2, batch {batch}: {steps} steps")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, nargs="+", default=[20, 128])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--worker", choices=list(CONTENDERS))
    parser.add_argument("--args")
    ns = parser.parse_args()
    if ns.worker:
        a = json.loads(ns.args)
        step = CONTENDERS[ns.worker](a["units"], a["batch"], 0.01)
        print(time_steps(step, warmup=5, steps=a["steps"]))
        return
    for units in ns.units:
        if ns.profile:
            profile(units, ns.batch, ns.steps)
            continue
        compare("benchmarks.lstm", list(CONTENDERS), {"units": units, "batch": ns.batch, "steps": ns.steps},
                ns.rounds, f"LSTM({units}) x 2 + Dense(1) training step, {STEPS} steps x {FEATURES} feature, "
                           f"batch {ns.batch}, MSE, SGD, 2-core CPU")
        print()


if __name__ == "__main__":
    main()
