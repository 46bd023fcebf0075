"""Benchmark: one training step of the course's MNIST CNN, glassnet's ``train_on_batch``
against a PyTorch CPU step, side by side.

    Conv2D(32, 3x3, same) - ReLU - MaxPool 2 - Conv2D(64, 3x3, same) - ReLU - MaxPool 2
    - Flatten - Dense(10), softmax cross-entropy, SGD, batch 64, 28x28x1 inputs

    python -m benchmarks.cnn                 # 11 interleaved rounds, prints the median ratio
    python -m benchmarks.cnn --part conv1    # only Conv2D 1 -> 32 on 28x28, forward + backward
    python -m benchmarks.cnn --part conv2    # only Conv2D 32 -> 64 on 14x14, forward + backward
    python -m benchmarks.cnn --profile       # where one glassnet step spends its time

Each contender runs in its own process and the rounds alternate their order (see
``benchmarks/harness.py``). PyTorch keeps its default threads, as in ``benchmarks/mlp.py``.
The same network in PyTorch is channels-first (its native layout); glassnet is channels-last
like Keras.
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from benchmarks.harness import compare, profile_ops, time_steps, torch_sgd_step

# (height, in_channels, filters, input needs a gradient) of the two convolutions
CONV_PARTS = {"conv1": (28, 1, 32, False), "conv2": (14, 32, 64, True)}


def _data(batch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, size=batch)
    return x, y


def flops_per_step(batch) -> float:
    """2 x multiply-adds of the convolutions and the Dense layer, x 3 for forward and both
    gradients (the first convolution needs no input gradient: x 2)."""
    conv1 = 2 * batch * 28 * 28 * 9 * 1 * 32
    conv2 = 2 * batch * 14 * 14 * 9 * 32 * 64
    dense = 2 * batch * 7 * 7 * 64 * 10
    return 2 * conv1 + 3 * (conv2 + dense)


# ---------------------------------------------------------------------------- whole training step
def glassnet_model(lr):
    import glassnet as gn
    from glassnet import layers
    model = gn.Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(10, activation="softmax")])
    model.compile(optimizer=gn.optimizers.SGD(learning_rate=lr), loss="sparse_categorical_crossentropy")
    return model


def glassnet_step(batch, lr):
    model = glassnet_model(lr)
    x, y = _data(batch)
    return lambda: model.train_on_batch(x, y)


def torch_step(batch, lr):
    import torch
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(64 * 7 * 7, 10))
    x, y = _data(batch)
    return torch_sgd_step(model, torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))),
                          torch.from_numpy(y), lr)


# ---------------------------------------------------------------------------- one convolution
def _conv_arrays(part, batch):
    h, c, f, _ = CONV_PARTS[part]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, h, h, c)).astype(np.float32)
    w = (rng.standard_normal((3, 3, c, f)) * 0.1).astype(np.float32)
    g = rng.standard_normal((batch, h, h, f)).astype(np.float32)
    return x, w, g


def glassnet_conv_step(part, batch):
    import glassnet as gn
    x, w, g = _conv_arrays(part, batch)
    xt = gn.Tensor(x, requires_grad=CONV_PARTS[part][3])
    wt = gn.Tensor(w, requires_grad=True)
    bt = gn.Tensor(np.zeros(w.shape[-1], np.float32), requires_grad=True)

    def step():
        xt.grad = wt.grad = bt.grad = None
        gn.ops.conv2d(xt, wt, bt, padding="same").backward(g)
    return step


def torch_conv_step(part, batch):
    import torch
    x, w, g = _conv_arrays(part, batch)
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=CONV_PARTS[part][3])
    wt = torch.tensor(w.transpose(3, 2, 0, 1), requires_grad=True)
    bt = torch.zeros(w.shape[-1], requires_grad=True)
    gt = torch.tensor(g.transpose(0, 3, 1, 2))

    def step():
        xt.grad = wt.grad = bt.grad = None
        torch.nn.functional.conv2d(xt, wt, bt, padding=1).backward(gt)
    return step


CONTENDERS = {"pytorch": torch_step, "glassnet": glassnet_step}
CONV_CONTENDERS = {"pytorch": torch_conv_step, "glassnet": glassnet_conv_step}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--part", choices=["model"] + list(CONV_PARTS), default="model")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--worker", choices=list(CONTENDERS))
    parser.add_argument("--args")
    ns = parser.parse_args()
    if ns.profile:
        profile_ops(glassnet_step(ns.batch, 0.01), ns.steps, f"glassnet CNN step, batch {ns.batch}")
        return
    if ns.worker:
        a = json.loads(ns.args)
        if a["part"] == "model":
            step = CONTENDERS[ns.worker](a["batch"], 0.01)
        else:
            step = CONV_CONTENDERS[ns.worker](a["part"], a["batch"])
        print(time_steps(step, warmup=5, steps=a["steps"]))
        return
    if ns.part == "model":
        title = f"MNIST CNN training step, batch {ns.batch}, SGD, 2-core CPU"
    else:
        h, c, f, _ = CONV_PARTS[ns.part]
        title = f"Conv2D {c} -> {f} filters 3x3 same on {h}x{h}, forward + backward, batch {ns.batch}"
    compare("benchmarks.cnn", list(CONTENDERS), {"batch": ns.batch, "steps": ns.steps, "part": ns.part},
            ns.rounds, title)


if __name__ == "__main__":
    main()
