"""Shape and indexing: reshape, transpose, slicing, joining, splitting and padding.

These ops move values around without arithmetic, so each backward moves the gradient back
to where the value came from.
"""
from __future__ import annotations

import itertools

import numpy as np

from glassnet.backend import array_module
from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import as_tensor, is_int, unbroadcast


class Reshape(Function):
    """The same values in a new shape;  da = g reshaped back to a's shape."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, a):
        self.in_shape = a.shape
        return a.reshape(self.shape)

    def backward(self, g):
        return (g.reshape(self.in_shape),)


class Transpose(Function):
    """Axes permuted by ``axes``;  da = g permuted by the inverse permutation."""

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
    """``a[index]`` for basic slices and integer/boolean array indices;  da = zeros with g
    added at the picked positions (added, not written: an index may pick an element twice)."""

    def __init__(self, index):
        self.index = index

    def forward(self, a):
        self.in_shape, self.dtype = a.shape, a.dtype
        return self.xp.asarray(a[self.index])

    def backward(self, g):
        xp = self.xp
        grad = xp.zeros(self.in_shape, dtype=g.dtype)
        if _is_basic_index(self.index):
            grad[self.index] = g  # a view: each element is picked at most once
        else:
            # add.at accumulates when an advanced index repeats an element (x[[0, 0]])
            xp.add.at(grad, self.index, g)
        return (grad,)


def _is_basic_index(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(is_int(i) or isinstance(i, slice) or i is None or i is Ellipsis for i in items)


class Take(Function):
    """Rows of ``a`` picked by an integer array (``a[indices]`` along axis 0, the lookup of an
    embedding table), shape ``indices.shape + a.shape[1:]``;  da = zeros with each row of g
    added to the row it was taken from (a row taken twice receives both)."""

    def __init__(self, indices):
        self.indices = indices

    def forward(self, a):
        self.in_shape = a.shape
        return a[self.indices]

    def backward(self, g):
        grad = self.xp.zeros(self.in_shape, dtype=g.dtype)
        self.xp.add.at(grad, self.indices.reshape(-1), g.reshape((-1,) + self.in_shape[1:]))
        return (grad,)


class BroadcastTo(Function):
    """``a`` repeated along broadcast axes;  da = g summed over those axes (``unbroadcast``)."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, a):
        self.in_shape = a.shape
        return self.xp.broadcast_to(a, self.shape)

    def backward(self, g):
        return (unbroadcast(g, self.in_shape),)


class Concatenate(Function):
    """Inputs joined along ``axis``;  each input's gradient is its slice of g along ``axis``."""

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *arrays):
        self.sizes = [a.shape[self.axis] for a in arrays]
        return self.xp.concatenate(arrays, axis=self.axis)

    def backward(self, g):
        bounds = list(itertools.accumulate(self.sizes))[:-1]
        return tuple(self.xp.split(g, bounds, axis=self.axis))


class Stack(Function):
    """Inputs joined along a new axis;  input i's gradient is g at index i of that axis."""

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *arrays):
        return self.xp.stack(arrays, axis=self.axis)

    def backward(self, g):
        n = g.shape[self.axis]
        return tuple(self.xp.take(g, i, axis=self.axis) for i in range(n))


class Pad(Function):
    """Constant padding;  da = the centre crop of g (the padding received no input)."""

    def __init__(self, pad_width, constant_values=0.0):
        self.pad_width = pad_width
        self.constant_values = constant_values

    def forward(self, a):
        # pad widths are host numbers (shape arithmetic), not device data
        self.width = np.broadcast_to(np.asarray(self.pad_width, dtype=int), (a.ndim, 2)).tolist()
        self.in_shape = a.shape
        return self.xp.pad(a, self.width, mode="constant", constant_values=self.constant_values)

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
    """``a[index]``: slices, integers, integer or boolean arrays.

    Index arrays given as lists or host arrays are moved to where ``a`` lives.
    """
    a = as_tensor(a)
    xp = array_module(a.data)

    def one(i):
        if isinstance(i, Tensor):
            i = i.data
        if isinstance(i, (list, np.ndarray)):
            return xp.asarray(i)
        return i

    index = tuple(one(i) for i in index) if isinstance(index, tuple) else one(index)
    return GetItem(index)(a)


def take(a, indices) -> Tensor:
    """Rows of ``a`` at integer ``indices`` (any shape): ``a[indices]`` along axis 0.

    Example:
        >>> import numpy as np
        >>> take(Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([[2, 0]])).shape
        (1, 2, 2)
    """
    a = as_tensor(a)
    indices = indices.data if isinstance(indices, Tensor) else indices
    indices = array_module(a.data).asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"take: expected integer indices, received dtype {indices.dtype}")
    if indices.size and (int(indices.min()) < -a.shape[0] or int(indices.max()) >= a.shape[0]):
        raise IndexError(f"take: expected indices in [0, {a.shape[0] - 1}] for {a.shape[0]} rows, "
                         f"received values from {int(indices.min())} to {int(indices.max())}")
    return Take(indices)(a)


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
    if is_int(indices_or_sections):
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
