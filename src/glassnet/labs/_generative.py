"""Shared pieces of the generative labs (``vae``, ``gan``): Fashion-MNIST as images, image
mosaics, and a small "judge" classifier that scores generated images. Not a lab itself (the
leading underscore keeps it out of ``glassnet labs list``).

How good is a generated image? There is no label to compare it with. A common proxy (the
Inception Score of Salimans et al., 2016) asks a classifier trained on the real data: a
good sample is one it files confidently under one class (low entropy of p(y|x)), and good
samples as a whole cover every class (high entropy of the average p(y)). The score

    exp( mean over images of KL( p(y|x) || p(y) ) )

runs from 1 (every image gets the same answer, or none is recognisable) to the number of
classes (each image confidently one class, all classes equally often). Here the classifier is
a small MLP trained in seconds on Fashion-MNIST, so the score is only comparable within
glassnet: the labs print the same judge's score on real test images beside it as the ceiling,
and on noise as the floor.
"""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import layers
from glassnet.datasets import fashion_mnist

CLASS_NAMES = fashion_mnist.CLASS_NAMES


def load_fashion_images(data_dir=None, train_limit=None, test_limit=None):
    """Fashion-MNIST as float32 images (n, 28, 28, 1) in [0, 1], with integer labels.

    ``train_limit``/``test_limit`` keep the first images only (the shared data's files are
    shuffled with a fixed per-class split, so the first images mix all classes).
    """
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(data_dir=data_dir)
    x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    x_test, y_test = x_test[:test_limit], y_test[:test_limit]
    x_train = (x_train.astype(np.float32) / 255.0)[..., None]
    x_test = (x_test.astype(np.float32) / 255.0)[..., None]
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


def mosaic(images, ncols: int, pad: int = 1) -> np.ndarray:
    """Images (n, h, w) or (n, h, w, 1) tiled into one (rows * (h + pad), ncols * (w + pad))
    array, row by row; empty cells stay 0."""
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    n, h, w = images.shape
    nrows = -(-n // ncols)
    out = np.zeros((nrows * (h + pad) - pad, ncols * (w + pad) - pad), dtype=np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = image
    return out


def image_grid_figure(images, ncols: int, title: str, row_labels=None, col_labels=None, vmin=0.0, vmax=1.0):
    """A figure showing ``images`` as one mosaic (one ``imshow``: fast for hundreds of images).

    ``row_labels``/``col_labels`` label the rows / columns along the axes (e.g. latent values).
    """
    import matplotlib.pyplot as plt
    grid = mosaic(images, ncols)
    nrows = -(-len(images) // ncols)
    fig, ax = plt.subplots(figsize=(0.45 * ncols + 1.2, 0.45 * nrows + 0.9))
    ax.imshow(grid, cmap="gray_r", vmin=vmin, vmax=vmax)
    side = np.asarray(images).shape[1] + 1
    if col_labels is None:
        ax.set_xticks([])
    else:
        ax.set_xticks(np.arange(ncols) * side + side / 2 - 1, col_labels, fontsize=7)
    if row_labels is None:
        ax.set_yticks([])
    else:
        ax.set_yticks(np.arange(nrows) * side + side / 2 - 1, row_labels, fontsize=7)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- the judge

def build_judge() -> gn.Sequential:
    """The judge: a 784-256-10 MLP, about 0.87 accurate on Fashion-MNIST after 3 epochs."""
    return gn.Sequential([
        layers.Input((28, 28, 1)),
        layers.Flatten(),
        layers.Dense(256, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="judge")


def train_judge(x, y, epochs: int, x_test=None, y_test=None):
    """Train the judge on images ``x`` in [0, 1]; returns ``(model, test accuracy or None)``."""
    judge = build_judge()
    judge.compile(optimizer=gn.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    judge.fit(x, y, epochs=epochs, batch_size=128, verbose=0)
    accuracy = None
    if x_test is not None:
        accuracy = float(judge.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1])
    return judge, accuracy


def judge_images(judge, images) -> dict:
    """What the judge says about ``images`` in [0, 1]: its mean confidence (highest class
    probability), the classifier score (see the module docstring), and how the images spread
    over the classes (``classes``: the fraction filed under each)."""
    p = judge.predict(np.asarray(images, np.float32), batch_size=1000).astype(np.float64)
    p = np.clip(p, 1e-12, 1.0)
    marginal = p.mean(axis=0)
    kl = (p * (np.log(p) - np.log(marginal))).sum(axis=1)
    classes = np.bincount(p.argmax(axis=1), minlength=p.shape[1]) / len(p)
    return {"confidence": float(p.max(axis=1).mean()), "score": float(np.exp(kl.mean())), "classes": classes}


def noise_like(images, rng) -> np.ndarray:
    """Uniform noise images with the pixel mean of ``images`` (the judge's floor)."""
    images = np.asarray(images)
    mean = float(images.mean())
    return np.clip(rng.uniform(0.0, 2.0 * mean, images.shape), 0.0, 1.0).astype(np.float32)
