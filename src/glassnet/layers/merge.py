"""Merge layers: combine a list of tensors into one (functional API).

Example:
    >>> a, b = Input((3,)), Input((5,))
    >>> joined = Concatenate()([a, b])      # shape (None, 8)
"""
from __future__ import annotations

from functools import reduce

from glassnet import ops
from glassnet.layers.base import Layer


class _Merge(Layer):
    """Base of merge layers: checks it receives a list of at least two tensors."""

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"{type(self).__name__} '{self.name}': expected a list of at least 2 inputs, "
                             f"received {type(inputs).__name__}")

    def build(self, input_shape):
        self._check(input_shape)

    def compute_mask(self, inputs, mask=None):
        """A step is real in the output if it is real in every input that has a mask (Keras's
        rule; inputs without a mask count as all real)."""
        if mask is None:
            return None
        masks = [m for m in mask if m is not None]
        if not masks:
            return None
        out = masks[0]
        for m in masks[1:]:
            out = out & m
        return out

    def call(self, inputs):
        self._check(inputs)
        self._broadcast_shape([tuple(x.shape) for x in inputs])
        return reduce(self._merge, inputs)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return self._broadcast_shape([tuple(s) for s in input_shape])

    def _broadcast_shape(self, shapes: list) -> tuple:
        """The shape element-wise merging gives (NumPy's broadcasting, None for an unknown size),
        or a ValueError naming the layer, the shapes and the first axis that does not fit."""
        rank = max(len(s) for s in shapes)
        out = []
        for axis in range(-rank, 0):
            sizes = [s[axis] for s in shapes if len(s) >= -axis]
            known = {d for d in sizes if d is not None and d != 1}
            if len(known) > 1:
                raise ValueError(f"{type(self).__name__} '{self.name}': expected inputs of the same shape (or "
                                 f"shapes that broadcast), received shapes {[tuple(s) for s in shapes]}: axis "
                                 f"{rank + axis} has sizes {sorted(known)}")
            out.append(known.pop() if known else (None if None in sizes else 1))
        return tuple(out)


class Add(_Merge):
    """Element-wise sum of the inputs (residual connections)."""

    @staticmethod
    def _merge(a, b):
        return a + b


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def call(self, inputs):
        self._check(inputs)
        if len(inputs) != 2:
            raise ValueError(f"Subtract '{self.name}': expected exactly 2 inputs, received {len(inputs)}")
        self._broadcast_shape([tuple(x.shape) for x in inputs])
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Element-wise product of the inputs."""

    @staticmethod
    def _merge(a, b):
        return a * b


class Maximum(_Merge):
    """Element-wise maximum of the inputs."""

    _merge = staticmethod(ops.maximum)


class Minimum(_Merge):
    """Element-wise minimum of the inputs."""

    _merge = staticmethod(ops.minimum)


class Average(_Merge):
    """Element-wise mean of the inputs."""

    def call(self, inputs):
        self._check(inputs)
        self._broadcast_shape([tuple(x.shape) for x in inputs])
        return reduce(lambda a, b: a + b, inputs) * (1.0 / len(inputs))


class Concatenate(_Merge):
    """Joins the inputs along ``axis`` (default the last, the feature axis).

    Args:
        axis: the axis to join along; every other axis must match.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"Concatenate '{self.name}': expected axis to be an integer, received {axis!r}")
        self.axis = axis

    def call(self, inputs):
        self._check(inputs)
        self.compute_output_shape([tuple(x.shape) for x in inputs])  # a clear error for shapes that do not fit
        return ops.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        shapes = [list(s) for s in input_shape]
        rank = len(shapes[0])
        if not -rank <= self.axis < rank:
            raise ValueError(f"Concatenate '{self.name}': expected axis in [{-rank}, {rank - 1}] for inputs of rank "
                             f"{rank}, received axis={self.axis} (shapes {[tuple(x) for x in input_shape]})")
        axis = self.axis % rank
        for s in shapes[1:]:
            if len(s) != rank or any(a != b for i, (a, b) in enumerate(zip(s, shapes[0]))
                                     if i != axis and a is not None and b is not None):
                raise ValueError(f"Concatenate '{self.name}': inputs must match except on axis {self.axis}, "
                                 f"received shapes {[tuple(x) for x in input_shape]}")
        out = list(shapes[0])
        sizes = [s[axis] for s in shapes]
        out[axis] = None if any(d is None for d in sizes) else sum(sizes)
        return tuple(out)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
