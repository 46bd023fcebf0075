"""Activation *layers* (classes): Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax, Maxout.

Not to be confused with ``glassnet.ops.activations`` (the activation functions as
differentiable ops, with their derivatives) or ``glassnet.activations`` (the name -> function
lookup behind ``activation="relu"``). ``Activation("name")`` wraps any of those functions as a
layer; the other classes here have arguments (slopes, bounds, axes) or weights of their own.
"""
from __future__ import annotations

import numbers

import numpy as np

from glassnet import activations, initializers, ops, regularizers
from glassnet.layers.base import Layer

__all__ = ["Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "Maxout"]


class Activation(Layer):
    """Applies an activation function: ``Activation("relu")``.

    Example:
        >>> import numpy as np
        >>> Activation("tanh")(np.zeros((1, 2)))
        Tensor([[0. 0.]], dtype=float32)
    """

    supports_masking = True  # a mask on the input passes through unchanged

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


def _real(layer, argument: str, value, minimum=None) -> float:
    """``value`` as a float, refused (naming the layer and argument) when it is not a real
    number, e.g. the string "0.1", which ``float()`` would silently accept."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{type(layer).__name__} '{layer.name}': expected {argument} to be a number, received "
                        f"{value!r} of type {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{type(layer).__name__} '{layer.name}': expected {argument} >= {minimum}, received {value}")
    return float(value)


class _ShapePreserving(Layer):
    supports_masking = True  # a mask on the input passes through unchanged

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_ShapePreserving):
    """``min(max(x, threshold-aware), max_value)`` as Keras's ReLU layer.

    Args:
        max_value: optional upper bound (``ReLU(6.0)`` is ReLU6).
        negative_slope: slope below ``threshold`` (0: plain ReLU).
        threshold: values below it are cut (or scaled by ``negative_slope``).

    Example:
        >>> import numpy as np
        >>> ReLU()(np.array([[-1.0, 2.0]]))
        Tensor([[0. 2.]], dtype=float32)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = None if max_value is None else _real(self, "max_value", max_value, minimum=0)
        self.negative_slope = _real(self, "negative_slope", negative_slope, minimum=0)
        self.threshold = _real(self, "threshold", threshold)

    def call(self, inputs):
        if self.negative_slope == 0 and self.threshold == 0:
            out = ops.relu(inputs)
        else:
            shifted = inputs - self.threshold
            below = ops.multiply(shifted, self.negative_slope)
            out = ops.where(inputs.data >= self.threshold, inputs, below)
        if self.max_value is not None:
            out = ops.minimum(out, self.max_value)
        return out

    def get_config(self):
        config = super().get_config()
        config.update(max_value=self.max_value, negative_slope=self.negative_slope, threshold=self.threshold)
        return config


class LeakyReLU(_ShapePreserving):
    """``x`` for x > 0, else ``negative_slope * x`` (Keras's layer default 0.3; the course uses 0.1).

    ``alpha=`` is accepted as the older Keras name of ``negative_slope``.

    Example:
        >>> import numpy as np
        >>> LeakyReLU(negative_slope=0.1)(np.array([[-10.0, 3.0]]))
        Tensor([[-1.  3.]], dtype=float32)
    """

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = _real(self, "negative_slope", alpha if alpha is not None else negative_slope, minimum=0)

    def call(self, inputs):
        return ops.leaky_relu(inputs, self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


class PReLU(_ShapePreserving):
    """Parametric ReLU: ``x`` for x > 0, else ``alpha * x`` with ``alpha`` learned per unit.

    Args:
        alpha_initializer: initial alpha (default zeros, so it starts as ReLU, as in Keras).
        shared_axes: axes along which alpha is shared (e.g. ``[1, 2]`` for one alpha per
            channel of an image).

    Weights: ``alpha`` of the input's shape without the batch axis (1 on shared axes).
    """

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else list(shared_axes)

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"PReLU '{self.name}': input axes must be known or shared, received {input_shape}")
        self.alpha = self.add_weight("alpha", tuple(shape), self.alpha_initializer, self.alpha_regularizer)

    def call(self, inputs):
        return ops.prelu(inputs, self.alpha)

    def get_config(self):
        config = super().get_config()
        config.update(alpha_initializer=initializers.serialize(self.alpha_initializer),
                      alpha_regularizer=regularizers.serialize(self.alpha_regularizer),
                      shared_axes=self.shared_axes)
        return config


class ELU(_ShapePreserving):
    """Exponential linear unit: ``x`` for x > 0, else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = _real(self, "alpha", alpha)

    def call(self, inputs):
        return ops.elu(inputs, self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class Softmax(_ShapePreserving):
    """Softmax along ``axis`` (default the last): outputs are positive and sum to 1."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return ops.softmax(inputs, self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Maxout(Layer):
    """Maxout (Goodfellow et al. 2013): ``units`` outputs, each the max of ``pieces`` affine maps.

    h_j(x) = max_k (x W_jk + b_jk). With enough pieces it learns any convex activation.
    Computed as one Dense of ``units * pieces`` outputs, reshaped and maxed over the pieces.

    Args:
        units: number of outputs.
        pieces: number of linear pieces per output.

    Weights: ``kernel`` (in, units * pieces), ``bias`` (units * pieces,), piece-major per unit.

    Example:
        >>> import numpy as np
        >>> Maxout(4, pieces=3)(np.ones((2, 5))).shape
        (2, 4)
    """

    def __init__(self, units, pieces=2, kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if units <= 0 or pieces <= 0:
            raise ValueError(f"Maxout '{self.name}': expected positive units and pieces, "
                             f"received units={units}, pieces={pieces}")
        self.units, self.pieces = int(units), int(pieces)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        n = self.units * self.pieces
        self.kernel = self.add_weight("kernel", (input_shape[-1], n), self.kernel_initializer)
        self.bias = self.add_weight("bias", (n,), self.bias_initializer)

    def call(self, inputs):
        z = ops.linear(inputs, self.kernel, self.bias)
        z = ops.reshape(z, tuple(z.shape[:-1]) + (self.units, self.pieces))
        return ops.max(z, axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, pieces=self.pieces,
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer))
        return config


_ = np  # numpy is used in doctest examples
