"""Benchmark: one training step of the MLP 784-512-256-10 (ReLU, softmax cross-entropy,
SGD, batch 128), glassnet's ``train_on_batch`` against a PyTorch CPU step, side by side.

    python -m benchmarks.mlp            # 7 interleaved rounds, prints the median ratio

A third contender, ``numpy-by-hand``, is the same network written directly in NumPy with the
backward pass by hand: the floor an engine on NumPy can reach, so the gap between it and
glassnet is glassnet's own overhead.
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from benchmarks.harness import compare, time_steps, torch_sgd_step

SIZES = (784, 512, 256, 10)


def _data(batch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], size=batch)
    return x, y


def flops_per_step(batch) -> float:
    """2 x multiply-adds of the three GEMMs, x 3 for forward and both gradients (the input
    layer's gradient is skipped: x 2)."""
    products = [a * b for a, b in zip(SIZES, SIZES[1:])]
    return 2 * batch * (3 * sum(products) - products[0])


def glassnet_step(batch, lr):
    import glassnet as gn
    from glassnet import layers
    model = gn.Sequential([layers.Input((SIZES[0],)), layers.Dense(SIZES[1], activation="relu"),
                           layers.Dense(SIZES[2], activation="relu"), layers.Dense(SIZES[3], activation="softmax")])
    model.compile(optimizer=gn.optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy")
    x, y = _data(batch)
    return lambda: model.train_on_batch(x, y)


def torch_step(batch, lr):
    import torch
    model = torch.nn.Sequential(torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.ReLU(),
                                torch.nn.Linear(SIZES[1], SIZES[2]), torch.nn.ReLU(),
                                torch.nn.Linear(SIZES[2], SIZES[3]))
    x, y = _data(batch)
    return torch_sgd_step(model, torch.from_numpy(x), torch.from_numpy(y), lr)


def numpy_step(batch, lr):
    rng = np.random.default_rng(0)
    ws = [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(np.float32) for a, b in zip(SIZES, SIZES[1:])]
    bs = [np.zeros(b, np.float32) for b in SIZES[1:]]
    x, y = _data(batch)
    lr = np.float32(lr)

    def step():
        h1 = x @ ws[0]; h1 += bs[0]; m1 = h1 > 0; a1 = h1 * m1
        h2 = a1 @ ws[1]; h2 += bs[1]; m2 = h2 > 0; a2 = h2 * m2
        z = a2 @ ws[2]; z += bs[2]
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z); p = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(batch), y]).mean()
        dz = p; dz[np.arange(batch), y] -= 1; dz /= batch
        gw2 = a2.T @ dz; gb2 = dz.sum(0); da2 = (dz @ ws[2].T) * m2
        gw1 = a1.T @ da2; gb1 = da2.sum(0); da1 = (da2 @ ws[1].T) * m1
        gw0 = x.T @ da1; gb0 = da1.sum(0)
        for w, g in zip(ws + bs, (gw0, gw1, gw2, gb0, gb1, gb2)):
            w -= lr * g
        return loss
    return step


CONTENDERS = {"pytorch": torch_step, "glassnet": glassnet_step, "numpy-by-hand": numpy_step}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--worker", choices=list(CONTENDERS))
    parser.add_argument("--args")
    ns = parser.parse_args()
    if ns.worker:
        a = json.loads(ns.args)
        step = CONTENDERS[ns.worker](a["batch"], 0.01)
        print(time_steps(step, warmup=10, steps=a["steps"]))
        return
    compare("benchmarks.mlp", list(CONTENDERS), {"batch": ns.batch, "steps": ns.steps}, ns.rounds,
            f"MLP {'-'.join(map(str, SIZES))} training step, batch {ns.batch}, SGD, 2-core CPU")


if __name__ == "__main__":
    main()
