"""Small helpers shared by every op module."""
from __future__ import annotations

import math

import numpy as np

from glassnet.backend import array_module
from glassnet.core.tensor import Tensor


def sum_leading(a: np.ndarray, k: int) -> np.ndarray:
    """``a`` summed over its first ``k`` axes, keeping them as size-1 axes.

    Written as ``ones @ a.reshape(rows, rest)`` (one BLAS matrix-vector product) because
    NumPy's ``a.sum(axis=0)`` on a tall, narrow array (a bias gradient, a batch-norm
    statistic over 50,000 positions of 32 channels) walks it one short row at a time and is
    several times slower.
    """
    rows = math.prod(a.shape[:k])
    if not a.flags.c_contiguous or a.dtype.kind != "f" or rows < 64:
        return a.sum(axis=tuple(range(k)), keepdims=True)
    total = array_module(a).ones(rows, dtype=a.dtype) @ a.reshape(rows, -1)
    return total.reshape((1,) * k + a.shape[k:])


def sum_over(a: np.ndarray, axes: tuple) -> np.ndarray:
    """``a`` summed over ``axes``, keeping them as size-1 axes; a BLAS product (``sum_leading``)
    when they are the leading axes, as for a bias gradient or a channels-last batch statistic."""
    if axes == tuple(range(len(axes))):
        return sum_leading(a, len(axes))
    return a.sum(axis=axes, keepdims=True)


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``.

    If ``a`` of shape (3, 1) was broadcast to (2, 3, 4) in ``a + b``, each element of ``a``
    was used 2 * 4 times, so its gradient is the sum of those uses: sum over axis 0 (added)
    and axis 2 (stretched from 1). Every binary op passes its input gradients through here.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    if axes:
        grad = sum_over(grad, axes)
    return grad.reshape(shape)


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor. A Python number or a float64 array next to a tensor ``like``
    takes ``like``'s float dtype, so ``x * 2.0`` stays float32 (no silent float64)."""
    if isinstance(x, Tensor):
        return x
    if like is not None and like.data.dtype.kind == "f":
        # a constant goes where ``like`` lives (a host array next to a device tensor)
        arr = array_module(like.data).asarray(x)
        if arr.dtype.kind in "fiub":
            return Tensor(arr, dtype=like.data.dtype)
    return Tensor(x)


def pair(a, b) -> tuple:
    """Both operands of a binary op as tensors, constants taking the tensor's dtype."""
    if isinstance(a, Tensor):
        return a, as_tensor(b, a)
    b = as_tensor(b)
    return as_tensor(a, b), b


def normalize_axis(axis, ndim: int):
    """``axis`` (int, tuple or None) as a tuple of non-negative ints, or None for all axes."""
    if axis is None:
        return None
    if is_int(axis):
        axis = (int(axis),)
    out = []
    for a in axis:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor of rank {ndim}")
        out.append(a % ndim)
    return tuple(out)


def int_tuple(value, rank: int, what: str, who: str) -> tuple:
    """``value`` (an int, or a sequence of ``rank`` ints, each >= 1) as a tuple of ints: the
    kernel sizes, strides, pool sizes and dilations of the spatial ops and layers."""
    if is_int(value):
        out = (int(value),) * rank
    else:
        try:
            out = tuple(value)
        except TypeError:
            out = None
        if out is None or len(out) != rank or not all(is_int(v) for v in out):
            raise ValueError(f"{who}: expected {what} to be an int or a tuple of {rank} ints, "
                             f"received {value!r}")
        out = tuple(int(v) for v in out)
    if any(v < 1 for v in out):
        raise ValueError(f"{who}: expected {what} to be positive: a positive int or a tuple of {rank} "
                         f"positive ints, received {value!r}")
    return out


def is_int(value) -> bool:
    """True for Python and NumPy integers, not for bools (``True`` is no kernel size)."""
    return type(value) is int or isinstance(value, np.integer)  # type(True) is bool, not int


def check_padding(padding, who: str) -> str:
    """``"valid"`` or ``"same"`` (any case), lower-cased; anything else is an error."""
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"{who}: expected padding 'valid' or 'same', received {padding!r}")
    return padding.lower()
