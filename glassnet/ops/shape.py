"""Shape and indexing: reshape, transpose, slicing, joining, splitting and padding.

These ops move values around without arithmetic, so each backward moves the gradient back
to where the value came from.
"""
from __future__ import annotations

import numpy as np

from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import as_tensor


class Reshape(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, a):
        self.in_shape = a.shape
        return a.reshape(self.shape)

    def backward(self, g):
        return (g.reshape(self.in_shape),)


class Transpose(Function):
    def __init__(self, axes=None):
        self.axes = None if axes is None else tuple(axes)

    def forward(self, a):
        return a.transpose(self.axes)

    def backward(self, g):
        if self.axes is None:
            return (g.transpose(),)
        # the inverse permutation; negative axes are normalised first (argsort of [-1, 0]
        # would be wrong)
        return (g.transpose(np.argsort([a % g.ndim for a in self.axes])),)


class GetItem(Function):
    """``a[index]`` for basic slices and integer/boolean array indices."""

    def __init__(self, index):
        self.index = index

    def forward(self, a):
        self.in_shape, self.dtype = a.shape, a.dtype
        return np.asarray(a[self.index])

    def backward(self, g):
        grad = np.zeros(self.in_shape, dtype=g.dtype)
        if _is_basic_index(self.index):
            grad[self.index] = g  # a view: each element is picked at most once
        else:
            # add.at accumulates when an advanced index repeats an element (x[[0, 0]])
            np.add.at(grad, self.index, g)
        return (grad,)


def _is_basic_index(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (slice, int, np.integer)) or i is None or i is Ellipsis for i in items)


class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, a):
        self.in_shape = a.shape
        return np.broadcast_to(a, self.shape)

    def backward(self, g):
        from glassnet.ops._util import unbroadcast
        return (unbroadcast(g, self.in_shape),)


class Concatenate(Function):
    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *arrays):
        self.sizes = [a.shape[self.axis] for a in arrays]
        return np.concatenate(arrays, axis=self.axis)

    def backward(self, g):
        bounds = np.cumsum(self.sizes)[:-1]
        return tuple(np.split(g, bounds, axis=self.axis))


class Stack(Function):
    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *arrays):
        return np.stack(arrays, axis=self.axis)

    def backward(self, g):
        n = g.shape[self.axis]
        return tuple(np.take(g, i, axis=self.axis) for i in range(n))


class Pad(Function):
    """Constant padding; the gradient is the centre crop."""

    def __init__(self, pad_width, constant_values=0.0):
        self.pad_width = pad_width
        self.constant_values = constant_values

    def forward(self, a):
        self.width = np.broadcast_to(np.asarray(self.pad_width, dtype=int), (a.ndim, 2))
        self.in_shape = a.shape
        return np.pad(a, self.width, mode="constant", constant_values=self.constant_values)

    def backward(self, g):
        crop = tuple(slice(lo, lo + n) for (lo, _), n in zip(self.width, self.in_shape))
        return (g[crop],)


def reshape(a, shape) -> Tensor:
    """``a`` with a new shape (one dimension may be -1)."""
    return Reshape(shape)(a)


def transpose(a, axes=None) -> Tensor:
    """Permute axes (reverse them when ``axes`` is None)."""
    return Transpose(axes)(a)


def getitem(a, index) -> Tensor:
    """``a[index]``: slices, integers, integer or boolean arrays."""
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return GetItem(index)(a)


def broadcast_to(a, shape) -> Tensor:
    """``a`` broadcast to ``shape``; the gradient is summed back."""
    return BroadcastTo(shape)(a)


def concatenate(tensors, axis=0) -> Tensor:
    """Join tensors along an existing axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate: expected at least one tensor, received none")
    return Concatenate(axis)(*[as_tensor(t, tensors[0] if isinstance(tensors[0], Tensor) else None) for t in tensors])


def stack(tensors, axis=0) -> Tensor:
    """Join tensors along a new axis."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected at least one tensor, received none")
    return Stack(axis)(*tensors)


def split(a, indices_or_sections, axis=0) -> list:
    """Split into pieces like ``numpy.split`` (a number of equal parts, or split points).

    Each piece is a slice of ``a``, so gradients flow back into the right part.
    """
    a = as_tensor(a)
    n = a.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % indices_or_sections:
            raise ValueError(f"split: axis {axis} of size {n} does not divide into "
                             f"{indices_or_sections} equal parts")
        step = n // indices_or_sections
        points = list(range(step, n, step))
    else:
        points = list(indices_or_sections)
    bounds = [0] + points + [n]
    axis = axis % a.ndim
    pieces = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        index = (slice(None),) * axis + (slice(lo, hi),)
        pieces.append(getitem(a, index))
    return pieces


def pad(a, pad_width, constant_values=0.0) -> Tensor:
    """Pad with a constant, ``pad_width`` as in ``numpy.pad`` (per axis (before, after))."""
    return Pad(pad_width, constant_values)(a)


def squeeze(a, axis=None) -> Tensor:
    """Remove axes of length one (all of them, or those in ``axis``)."""
    a = as_tensor(a)
    return reshape(a, np.squeeze(_shape_probe(a.shape), axis=axis).shape)


def expand_dims(a, axis) -> Tensor:
    """Insert an axis of length one at ``axis``."""
    a = as_tensor(a)
    return reshape(a, np.expand_dims(_shape_probe(a.shape), axis).shape)


def _shape_probe(shape):
    """A zero-memory array of ``shape``, to let NumPy work out (and validate) a new shape."""
    return np.broadcast_to(np.empty((), dtype=bool), shape)


def flatten(a) -> Tensor:
    """Keep the first (batch) axis, flatten the rest: (N, ...) -> (N, prod(...))."""
    a = as_tensor(a)
    return reshape(a, (a.shape[0], -1))
