"""What the autoencoder labs of COURSE.md section 6 share: Fashion-MNIST split as Géron's
*Hands-On Machine Learning* (chapter 17) splits it, the course's "rounded accuracy", the
stacked 784-100-30 autoencoder and a plot of image rows (input / reconstruction / ...)."""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import layers

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def load_fashion(data_dir=None, train_limit=0, valid_size=5000, test_limit=0):
    """Fashion-MNIST as float32 images in [0, 1], shape (n, 28, 28), with their labels.

    As Géron: the last ``valid_size`` of the 60,000 training images are the validation set,
    the 55,000 before them the training set. ``train_limit`` keeps the first N training images
    (0: all), ``test_limit`` the first N test images.

    Returns:
        ``(x_train, y_train), (x_valid, y_valid), (x_test, y_test)``.
    """
    (x_full, y_full), (x_test, y_test) = gn.datasets.fashion_mnist.load_data(data_dir=data_dir or None)
    x_full = x_full.astype("float32") / 255.0
    x_test = x_test.astype("float32") / 255.0
    x_train, y_train = x_full[:-valid_size], y_full[:-valid_size]
    x_valid, y_valid = x_full[-valid_size:], y_full[-valid_size:]
    if train_limit:
        x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    if test_limit:
        x_test, y_test = x_test[:test_limit], y_test[:test_limit]
    return (x_train, y_train), (x_valid, y_valid), (x_test, y_test)


def rounded_accuracy(y_true, y_pred):
    """The course's metric: each pixel rounded to 0 or 1 in the target and in the
    reconstruction; the share of pixels that agree, per image.

    A custom metric for ``compile(metrics=[rounded_accuracy])``: NumPy arrays in, one value per
    sample out (Keras: ``binary_accuracy(round(y_true), round(y_pred))``).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    agree = np.round(y_true) == np.round(y_pred)
    return agree.reshape(len(agree), -1).mean(axis=1)


def stacked_encoder(codings=30, hidden=100, first=None, name="encoder"):
    """Flatten, then Dense(hidden, SELU) and Dense(codings, SELU): 784 -> 100 -> 30.

    ``first``: an optional layer put before the dense ones (GaussianNoise, Dropout: a
    denoising autoencoder corrupts its input there, in training only).
    """
    stack = [layers.Input((28, 28)), layers.Flatten()]
    if first is not None:
        stack.append(first)
    stack += [layers.Dense(hidden, activation="selu"), layers.Dense(codings, activation="selu")]
    return gn.Sequential(stack, name=name)


def stacked_decoder(codings=30, hidden=100, name="decoder"):
    """The mirror image: Dense(hidden, SELU), Dense(784, sigmoid) (pixels in [0, 1]), 28 x 28."""
    return gn.Sequential([layers.Input((codings,)), layers.Dense(hidden, activation="selu"),
                          layers.Dense(28 * 28, activation="sigmoid"), layers.Reshape((28, 28))],
                         name=name)


def autoencoder(encoder, decoder, name="autoencoder"):
    """``decoder(encoder(x))`` as one model whose target is its input."""
    return gn.Sequential([layers.Input((28, 28)), encoder, decoder], name=name)


def mse_per_image(a, b):
    """Mean squared difference of each pair of images: shape (n,)."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    return (d.reshape(len(d), -1) ** 2).mean(axis=1)


def plot_image_rows(rows, title=None, cell=1.0):
    """One row of images per ``(label, images)`` pair, images clipped to [0, 1] for display.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    n = max(len(images) for _, images in rows)
    fig, axes = plt.subplots(len(rows), n, figsize=(cell * n + 1.2, cell * len(rows) + 0.4), squeeze=False)
    for r, (label, images) in enumerate(rows):
        for c in range(n):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            for side in ax.spines.values():
                side.set_visible(False)
            if c < len(images):
                ax.imshow(np.clip(np.asarray(images[c]).reshape(28, 28), 0, 1), cmap="binary", vmin=0, vmax=1)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def history_rows(history, metric="rounded_accuracy"):
    """``(epoch, loss, val_loss, metric, val_metric)`` rows of a fit's history."""
    h = history.history
    return [(e + 1, h["loss"][e], h["val_loss"][e], h[metric][e], h["val_" + metric][e])
            for e in range(len(h["loss"]))]
