"""Shared pieces of the CNN labs (course sections 3-4): MNIST as images, and the small ResNet
of exercise 4 with its plain twin. Not a lab itself (the leading underscore keeps it out of
``glassnet labs list``)."""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import layers


def load_mnist_images(data_dir=None, train_limit=None, test_limit=None):
    """MNIST as float32 images (n, 28, 28, 1) scaled to [0, 1], with integer labels.

    ``train_limit``/``test_limit`` keep the first samples only (quick runs).
    """
    (x_train, y_train), (x_test, y_test) = gn.datasets.mnist.load_data(data_dir)
    x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    x_test, y_test = x_test[:test_limit], y_test[:test_limit]
    # channels-last: a grey image has one channel, the last axis
    x_train = (x_train.astype(np.float32) / 255.0)[..., None]
    x_test = (x_test.astype(np.float32) / 255.0)[..., None]
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


def split_validation(x, y, fraction: float):
    """The last ``fraction`` of the training samples held out for validation."""
    n_val = int(round(len(x) * fraction))
    return (x[:-n_val], y[:-n_val]), (x[-n_val:], y[-n_val:])


def _conv_unit(x, filters, strides, batch_norm, name, bn_momentum=0.99):
    """Conv 3x3 -> (BN) -> ReLU. With batch norm the conv needs no bias: BN's beta replaces it."""
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=not batch_norm,
                      kernel_initializer="he_normal", name=f"{name}_conv")(x)
    if batch_norm:
        x = layers.BatchNormalization(momentum=bn_momentum, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def residual_block(x, filters, strides=1, skip=True, batch_norm=False, name="block", bn_momentum=0.99):
    """Two 3x3 convolutions; with ``skip`` their result is added to the block's input.

    The course's ResNet idea: the block learns a residual F(x) and outputs relu(F(x) + x), so
    the gradient reaches early layers through the identity path undiminished. When the block
    changes the shape (stride 2 or more filters), the shortcut is a 1x1 convolution with the
    same stride (a *projection* shortcut); otherwise it is the identity.
    """
    shortcut = x
    y = _conv_unit(x, filters, strides, batch_norm, f"{name}_a", bn_momentum)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm,
                      kernel_initializer="he_normal", name=f"{name}_b_conv")(y)
    if batch_norm:
        y = layers.BatchNormalization(momentum=bn_momentum, name=f"{name}_b_bn")(y)
    if skip:
        if strides != 1 or shortcut.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=not batch_norm,
                                     name=f"{name}_projection")(shortcut)
            if batch_norm:
                shortcut = layers.BatchNormalization(momentum=bn_momentum, name=f"{name}_projection_bn")(shortcut)
        y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.Activation("relu", name=f"{name}_out")(y)


def small_resnet(skip=True, batch_norm=False, widths=(16, 32, 64), blocks_per_stage=1, name=None,
                 bn_momentum=0.99):
    """A small ResNet for 28x28x1 digits: a stem conv, then one stage per width (the first at
    full resolution, each later one halving it with stride 2), global average pooling and a
    softmax classifier. ``skip=False`` builds the plain twin: same layers, no shortcuts.

    ``bn_momentum`` is the batch norm's moving-average momentum (Keras's default 0.99). The
    moving statistics are what the network uses at evaluation; after t steps they still hold
    ``momentum ** t`` of their starting values (mean 0, variance 1), so a short run on little
    data wants a lower momentum (0.9: 0.9 ** 75 is about 4e-4 after one epoch of 75 steps).
    """
    inputs = gn.Input((28, 28, 1))
    x = _conv_unit(inputs, widths[0], 1, batch_norm, "stem", bn_momentum)
    for stage, filters in enumerate(widths):
        for b in range(blocks_per_stage):
            strides = 2 if stage > 0 and b == 0 else 1
            x = residual_block(x, filters, strides, skip, batch_norm, name=f"stage{stage + 1}_block{b + 1}",
                               bn_momentum=bn_momentum)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(10, activation="softmax", name="classifier")(x)
    default = ("resnet" if skip else "plain") + ("_bn" if batch_norm else "")
    return gn.Model(inputs, outputs, name=name or default)
