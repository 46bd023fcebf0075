"""What ``keras.layers`` gives under ``glassnet run``: glassnet's layers plus Keras's functional
forms of the merge layers (``add``, ``concatenate``, ...).

Example:
    >>> from glassnet.compat import keras_layers as layers
    >>> a, b = layers.Input((3,)), layers.Input((3,))
    >>> layers.add([a, b]).shape
    (None, 3)
"""
from __future__ import annotations

from glassnet import layers as _layers

__all__ = sorted({n for n in dir(_layers) if not n.startswith("_")}
                 | {"add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate"})


def __getattr__(name):
    try:
        return getattr(_layers, name)
    except AttributeError:
        raise AttributeError(f"keras.layers.{name} is not in glassnet (yet)") from None


def add(inputs, **kwargs):
    """``layers.Add(**kwargs)(inputs)``."""
    return _layers.Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``layers.Subtract(**kwargs)(inputs)``."""
    return _layers.Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``layers.Multiply(**kwargs)(inputs)``."""
    return _layers.Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``layers.Average(**kwargs)(inputs)``."""
    return _layers.Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``layers.Maximum(**kwargs)(inputs)``."""
    return _layers.Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``layers.Minimum(**kwargs)(inputs)``."""
    return _layers.Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``layers.Concatenate(axis=axis, **kwargs)(inputs)``."""
    return _layers.Concatenate(axis=axis, **kwargs)(inputs)
