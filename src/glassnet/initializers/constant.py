"""Initializers with fixed values: ``Zeros``, ``Ones``, ``Constant`` and ``Identity``.

Example:
    >>> Constant(0.1)((2,))
    array([0.1, 0.1], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from glassnet.initializers.initializer import Initializer, _check_dtype, _check_shape


# ---------------------------------------------------------------------------- constants
class Zeros(Initializer):
    """All zeros (the default for biases).

    Example:
        >>> Zeros()((2, 2))
        array([[0., 0.],
               [0., 0.]], dtype=float32)
    """

    def __call__(self, shape, dtype=None):
        return np.zeros(_check_shape(shape, "Zeros"), dtype=_check_dtype(dtype, "Zeros"))


class Ones(Initializer):
    """All ones (the default for batch-norm scales).

    Example:
        >>> Ones()((3,))
        array([1., 1., 1.], dtype=float32)
    """

    def __call__(self, shape, dtype=None):
        return np.ones(_check_shape(shape, "Ones"), dtype=_check_dtype(dtype, "Ones"))


class Constant(Initializer):
    """Every value equal to ``value`` (a number, or an array that broadcasts to the shape).

    Args:
        value: the constant.

    Example:
        >>> Constant(0.1)((2,))
        array([0.1, 0.1], dtype=float32)
    """

    def __init__(self, value=0.0):
        arr = np.asarray(value)
        if arr.dtype.kind not in "fiub":
            raise ValueError(f"Constant: expected a number or numeric array, received {value!r}")
        self.value = value

    def __call__(self, shape, dtype=None):
        shape = _check_shape(shape, "Constant")
        value = np.asarray(self.value)
        try:
            np.broadcast_shapes(value.shape, shape)
        except ValueError:
            raise ValueError(f"Constant: value of shape {value.shape} cannot fill shape {shape}") from None
        return np.full(shape, value, dtype=_check_dtype(dtype, "Constant"))

    def get_config(self):
        value = self.value
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        return {"value": value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; non-square gives ones on the diagonal).

    Args:
        gain: multiplicative factor.

    Example:
        >>> Identity()((2, 2))
        array([[1., 0.],
               [0., 1.]], dtype=float32)
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _check_shape(shape, "Identity")
        if len(shape) != 2:
            raise ValueError(f"Identity: expected a 2-D shape, received {shape} of rank {len(shape)}")
        dtype = _check_dtype(dtype, "Identity")
        out = np.eye(shape[0], shape[1], dtype=dtype)
        out *= np.asarray(self.gain, dtype=dtype)
        return out

    def get_config(self):
        return {"gain": self.gain}
