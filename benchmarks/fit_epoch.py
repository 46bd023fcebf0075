"""Benchmark: one epoch of ``fit`` for the Keras quick-start network against the same training
loop written in PyTorch, side by side.

    Flatten - Dense(128, ReLU) - Dropout(0.2) - Dense(10, softmax), Adam, sparse categorical
    cross-entropy, accuracy metric, batch 32 (Keras's default), 60,000 MNIST-shaped images,
    shuffled every epoch

    python -m benchmarks.fit_epoch            # 5 interleaved rounds, prints the median ratio
    python -m benchmarks.fit_epoch --profile  # cProfile of one glassnet epoch: what fit adds

Contenders:

- ``pytorch``: the loop a PyTorch user writes: a fresh permutation, then per batch index the
  tensors, forward, loss, backward, ``Adam.step``, and the running accuracy (``argmax == y``
  summed, as Keras's metric does), with ``torch.no_grad`` around the metric.
- ``glassnet``: ``model.fit(x, y, epochs=1, batch_size=32, verbose=0)``.
- ``glassnet-steps``: the same batches through ``train_on_batch`` in a plain Python loop, no
  ``fit``: the floor for ``fit``. The gap between it and ``glassnet`` is what ``fit`` itself
  costs (batching, shuffling, metrics, callbacks, the history).
- ``pytorch-flush-denormal``: ``pytorch`` after ``torch.set_flush_denormal(True)``. With random
  labels most hidden units die, and the Adam moments of their weights decay into float32's
  subnormal numbers, on which the CPU computes up to 100x slower; PyTorch keeps them by default
  and slows down from the third 6,000-image epoch on (0.31 -> 0.50 s per epoch, measured
  2026-12-03), glassnet's optimizers clear them (``Optimizer._flush_subnormal_state``). This
  contender shows PyTorch without that handicap, for a fair reading of the ratio.

The images are random bytes scaled to [0, 1] (MNIST's shape and value range): the timing does not
depend on the pixels, and the benchmark needs no data set. Each worker first trains on 64
batches so that imports and first-call costs are not counted.
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from benchmarks.harness import compare, time_steps

SAMPLES, BATCH = 60000, 32
WARMUP_BATCHES = 64  # trained before timing: imports and first calls are not the epoch


def _data(samples):
    rng = np.random.default_rng(0)
    x = (rng.integers(0, 256, (samples, 28, 28), dtype=np.uint8) / np.float32(255)).astype(np.float32)
    y = rng.integers(0, 10, samples)
    return x, y


def flops_per_epoch(samples) -> float:
    """The GEMM FLOPs of one epoch: 2 x multiply-adds of the two Dense layers, x 3 for the
    forward and the two gradients (the first layer's input gradient is skipped: x 2)."""
    return 2 * samples * (784 * 128 * 2 + 128 * 10 * 3)


def _glassnet_model():
    import glassnet as gn
    from glassnet import layers
    model = gn.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(128, activation="relu"),
                           layers.Dropout(0.2), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def glassnet_epoch(samples):
    model = _glassnet_model()
    x, y = _data(samples)
    model.fit(x[:WARMUP_BATCHES * BATCH], y[:WARMUP_BATCHES * BATCH], epochs=1, batch_size=BATCH, verbose=0)
    return lambda: model.fit(x, y, epochs=1, batch_size=BATCH, verbose=0)


def glassnet_steps_epoch(samples):
    model = _glassnet_model()
    x, y = _data(samples)
    rng = np.random.default_rng(1)
    for i in range(min(WARMUP_BATCHES, samples // BATCH)):
        model.train_on_batch(x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH])

    def epoch():
        order = rng.permutation(samples)
        for start in range(0, samples, BATCH):
            index = order[start:start + BATCH]
            model.train_on_batch(x[index], y[index])
    return epoch


def torch_epoch(samples):
    import torch
    nn = torch.nn
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)  # Keras's defaults
    loss_fn = nn.CrossEntropyLoss()
    x_np, y_np = _data(samples)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)

    def epoch(limit=samples):
        model.train()
        order = torch.randperm(limit)
        correct = 0
        for start in range(0, limit, BATCH):
            index = order[start:start + BATCH]
            xb, yb = x[index], y[index]
            opt.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            with torch.no_grad():
                correct += (logits.argmax(1) == yb).sum().item()
        return correct / limit
    epoch(min(WARMUP_BATCHES * BATCH, samples))
    return epoch


def torch_flush_denormal_epoch(samples):
    import torch
    torch.set_flush_denormal(True)  # process-wide: this worker runs only this contender
    return torch_epoch(samples)


CONTENDERS = {"pytorch": torch_epoch, "glassnet": glassnet_epoch, "glassnet-steps": glassnet_steps_epoch,
              "pytorch-flush-denormal": torch_flush_denormal_epoch}


def profile(samples):
    """cProfile of one glassnet ``fit`` epoch: the functions with the most own time, so what
    ``fit`` adds to the training steps (the trainer, batching, metrics, callbacks) shows up
    beside the ops and the optimizer."""
    import cProfile
    import pstats
    epoch = glassnet_epoch(samples)
    profiler = cProfile.Profile()
    profiler.enable()
    epoch()
    profiler.disable()
    print(f"glassnet fit, one epoch of {samples} samples, batch {BATCH}")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=SAMPLES)
    parser.add_argument("--epochs", type=int, default=2, help="epochs timed per worker (median)")
    parser.add_argument("--profile", action="store_true", help="cProfile of one glassnet fit epoch")
    parser.add_argument("--worker", choices=list(CONTENDERS))
    parser.add_argument("--args")
    ns = parser.parse_args()
    if ns.profile:
        profile(ns.samples)
        return
    if ns.worker:
        a = json.loads(ns.args)
        print(time_steps(CONTENDERS[ns.worker](a["samples"]), warmup=0, steps=a["epochs"]))
        return
    compare("benchmarks.fit_epoch", list(CONTENDERS), {"samples": ns.samples, "epochs": ns.epochs}, ns.rounds,
            f"fit: one epoch of {ns.samples} images, Keras quick-start MLP, Adam, batch {BATCH}, 2-core CPU "
            f"(ms per epoch)")


if __name__ == "__main__":
    main()
