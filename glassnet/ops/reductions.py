"""Reductions: sum, mean, max, min and variance over axes, with ``keepdims``."""
from __future__ import annotations

import numpy as np

from glassnet import backend
from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import normalize_axis


def _expand_to_input(g, in_shape, axes, keepdims):
    """Re-insert reduced axes into ``g`` (if dropped) so it broadcasts against the input."""
    if axes is None:
        return g.reshape((1,) * len(in_shape))
    if not keepdims:
        g = np.expand_dims(g, axes)
    return g


class Sum(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self.axes = normalize_axis(self.axis, a.ndim)
        self.in_shape = a.shape
        return np.asarray(a.sum(axis=self.axes, keepdims=self.keepdims))

    def backward(self, g):
        g = _expand_to_input(g, self.in_shape, self.axes, self.keepdims)
        return (np.broadcast_to(g, self.in_shape),)


class Mean(Sum):
    def forward(self, a):
        out = super().forward(a)
        self.count = a.size // out.size if out.size else 1
        # the mean of ints or bools (an accuracy) is a float: floatx, not the input's dtype
        dtype = a.dtype if a.dtype.kind == "f" else np.dtype(backend.floatx())
        return (out / np.asarray(self.count, dtype=dtype)).astype(dtype, copy=False)

    def backward(self, g):
        (g,) = super().backward(g)
        return (g / np.asarray(self.count, dtype=g.dtype),)


class Max(Function):
    """Max over axes; ties share the gradient evenly (PyTorch's ``amax`` rule)."""

    reducer = staticmethod(np.max)

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self.axes = normalize_axis(self.axis, a.ndim)
        self.a = a
        self.out = np.asarray(self.reducer(a, axis=self.axes, keepdims=True))
        return self.out if self.keepdims else np.asarray(self.out.reshape(
            [n for i, n in enumerate(a.shape) if self.axes is not None and i not in self.axes]))

    def backward(self, g):
        g = _expand_to_input(g, self.a.shape, self.axes, self.keepdims)
        hit = (self.a == self.out)
        count = hit.sum(axis=self.axes, keepdims=True).astype(g.dtype)
        return (hit * (g / count),)


class Min(Max):
    reducer = staticmethod(np.min)


class Var(Function):
    """Variance with ``ddof`` (0 = population variance, as Keras; PyTorch defaults to 1).

    d var / d a_i = 2 (a_i - mean) / (N - ddof).
    """

    def __init__(self, axis=None, keepdims=False, ddof=0):
        self.axis, self.keepdims, self.ddof = axis, keepdims, ddof

    def forward(self, a):
        self.axes = normalize_axis(self.axis, a.ndim)
        self.in_shape = a.shape
        self.centered = a - a.mean(axis=self.axes, keepdims=True)
        self.n = int(np.prod([a.shape[i] for i in (self.axes if self.axes is not None else range(a.ndim))]))
        denom = np.asarray(self.n - self.ddof, dtype=a.dtype)
        return np.asarray((self.centered * self.centered).sum(axis=self.axes, keepdims=self.keepdims) / denom)

    def backward(self, g):
        g = _expand_to_input(g, self.in_shape, self.axes, self.keepdims)
        scale = np.asarray(2.0 / (self.n - self.ddof), dtype=g.dtype)
        return (g * self.centered * scale,)


def sum(a, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (int, tuple or None for all)."""
    return Sum(axis, keepdims)(a)


def mean(a, axis=None, keepdims=False) -> Tensor:
    """Mean over ``axis``."""
    return Mean(axis, keepdims)(a)


def max(a, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    """Maximum over ``axis``."""
    return Max(axis, keepdims)(a)


def min(a, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    """Minimum over ``axis``."""
    return Min(axis, keepdims)(a)


def var(a, axis=None, keepdims=False, ddof=0) -> Tensor:
    """Variance over ``axis``; ``ddof=0`` (population) like Keras, ``ddof=1`` like torch.var."""
    return Var(axis, keepdims, ddof)(a)
