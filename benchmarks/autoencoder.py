"""Benchmark: one training step of the course's convolutional denoising autoencoder (the
`denoising-autoencoder` lab's shape), glassnet's ``train_on_batch`` against a PyTorch CPU step.

    Conv2D(32, 3x3, same, ReLU) - MaxPool 2 - Conv2D(32, 3x3, same, ReLU) - MaxPool 2
    - Conv2DTranspose(32, 3x3, stride 2, same, ReLU) x 2 - Conv2D(1, 3x3, same, sigmoid),
    binary cross-entropy against the clean image, SGD, batch 32, 28x28x1 inputs

    python -m benchmarks.autoencoder         # 11 interleaved rounds, prints the median ratio
    python -m benchmarks.autoencoder --profile   # where glassnet's step goes, op by op

PyTorch's ``ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1)`` is Keras's
``Conv2DTranspose(32, 3, strides=2, padding="same")`` (each doubles 7 -> 14 -> 28). Each
contender runs in its own process (see ``benchmarks/harness.py``).
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from benchmarks.harness import compare, profile_ops, time_steps, torch_sgd_step

SIDE, FILTERS = 28, 32


def _data(batch):
    rng = np.random.default_rng(0)
    clean = rng.uniform(0, 1, (batch, SIDE, SIDE, 1)).astype(np.float32)
    noisy = np.clip(clean + 0.5 * rng.standard_normal(clean.shape).astype(np.float32), 0, 1)
    return noisy, clean


def flops_per_step(batch) -> float:
    """Multiply-adds x 2 of the convolutions' forward pass, times 3 for forward + the two
    gradients (the first convolution needs no input gradient: 2)."""
    def conv(out_side, c_in, c_out):
        return 2 * batch * out_side * out_side * 9 * c_in * c_out
    first = conv(28, 1, FILTERS) * 2
    rest = conv(14, FILTERS, FILTERS) + conv(14, FILTERS, FILTERS) + conv(28, FILTERS, FILTERS) + conv(28, FILTERS, 1)
    # a transposed convolution's product is the size of the convolution it transposes, counted
    # above on its output grid (14x14 and 28x28 with 32 -> 32 channels)
    return first + 3 * rest


def glassnet_model(lr):
    import glassnet as gn
    from glassnet import layers
    model = gn.Sequential([
        layers.Input((SIDE, SIDE, 1)),
        layers.Conv2D(FILTERS, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(FILTERS, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2DTranspose(FILTERS, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(FILTERS, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(1, 3, padding="same", activation="sigmoid")])
    model.compile(optimizer=gn.optimizers.SGD(learning_rate=lr), loss="binary_crossentropy")
    return model


def torch_model():
    import torch
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, FILTERS, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(FILTERS, FILTERS, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.ConvTranspose2d(FILTERS, FILTERS, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(FILTERS, FILTERS, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.Conv2d(FILTERS, 1, 3, padding=1), nn.Sigmoid())


def glassnet_step(batch, lr):
    model = glassnet_model(lr)
    noisy, clean = _data(batch)
    return lambda: model.train_on_batch(noisy, clean)


def torch_step(batch, lr):
    import torch
    noisy, clean = (torch.from_numpy(np.ascontiguousarray(a.transpose(0, 3, 1, 2))) for a in _data(batch))
    return torch_sgd_step(torch_model(), noisy, clean, lr, torch.nn.BCELoss())


CONTENDERS = {"pytorch": torch_step, "glassnet": glassnet_step}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="where glassnet's step goes, op by op")
    parser.add_argument("--worker", choices=list(CONTENDERS))
    parser.add_argument("--args")
    ns = parser.parse_args()
    if ns.profile:
        profile_ops(glassnet_step(ns.batch, 0.01), ns.steps, f"glassnet conv autoencoder step, batch {ns.batch}")
        return
    if ns.worker:
        a = json.loads(ns.args)
        print(time_steps(CONTENDERS[ns.worker](a["batch"], 0.01), warmup=5, steps=a["steps"]))
        return
    compare("benchmarks.autoencoder", list(CONTENDERS), {"batch": ns.batch, "steps": ns.steps}, ns.rounds,
            f"Conv denoising autoencoder training step, batch {ns.batch}, BCE, SGD, 2-core CPU")


if __name__ == "__main__":
    main()
