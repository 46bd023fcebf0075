"""Reductions: sum, mean, max, min and variance over axes, with ``keepdims``.

Each backward first puts the reduced axes back into the incoming gradient ``g`` (as size-1
axes) so that it broadcasts against the input.
"""
from __future__ import annotations

import math

import numpy as np

from glassnet import backend
from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import normalize_axis


def _expand_to_input(g, in_shape, axes, keepdims):
    """Re-insert reduced axes into ``g`` (if dropped) so it broadcasts against the input."""
    if axes is None:
        return g.reshape((1,) * len(in_shape))
    if not keepdims:
        kept = iter(g.shape)
        g = g.reshape([1 if i in axes else next(kept) for i in range(len(in_shape))])
    return g


class Sum(Function):
    """s = sum of a over axes;  da_i = g (every summand gets the whole gradient)."""

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self.axes = normalize_axis(self.axis, a.ndim)
        self.in_shape = a.shape
        return self.xp.asarray(a.sum(axis=self.axes, keepdims=self.keepdims))

    def backward(self, g):
        g = _expand_to_input(g, self.in_shape, self.axes, self.keepdims)
        return (self.xp.broadcast_to(g, self.in_shape),)


class Mean(Sum):
    """m = (1/N) sum of a over axes;  da_i = g / N."""

    def forward(self, a):
        out = super().forward(a)
        self.count = a.size // out.size if out.size else 1
        # the mean of ints or bools (an accuracy) is a float: floatx, not the input's dtype
        dtype = a.dtype if a.dtype.kind == "f" else np.dtype(backend.floatx())
        return (out / dtype.type(self.count)).astype(dtype, copy=False)

    def backward(self, g):
        (g,) = super().backward(g)
        return (g / g.dtype.type(self.count),)


class Max(Function):
    """m = max of a over axes;  da_i = g / k where a_i = m (k = number of tied maxima), else 0
    (ties share the gradient evenly: PyTorch's ``amax`` rule)."""

    reducer = "max"

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, a):
        self.axes = normalize_axis(self.axis, a.ndim)
        self.a = a
        self.out = self.xp.asarray(getattr(a, self.reducer)(axis=self.axes, keepdims=True))
        return self.out if self.keepdims else self.xp.asarray(self.out.reshape(
            [n for i, n in enumerate(a.shape) if self.axes is not None and i not in self.axes]))

    def backward(self, g):
        g = _expand_to_input(g, self.a.shape, self.axes, self.keepdims)
        hit = (self.a == self.out)
        count = hit.sum(axis=self.axes, keepdims=True).astype(g.dtype)
        return (hit * (g / count),)


class Min(Max):
    """m = min of a over axes; the gradient rule of ``Max``."""

    reducer = "min"


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
        self.n = math.prod(a.shape[i] for i in (self.axes if self.axes is not None else range(a.ndim)))
        denom = a.dtype.type(self.n - self.ddof)
        return self.xp.asarray((self.centered * self.centered).sum(axis=self.axes, keepdims=self.keepdims) / denom)

    def backward(self, g):
        g = _expand_to_input(g, self.in_shape, self.axes, self.keepdims)
        scale = g.dtype.type(2.0 / (self.n - self.ddof))
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
