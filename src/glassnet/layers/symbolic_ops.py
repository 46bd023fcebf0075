"""Arithmetic on symbolic tensors: ``x + residual``, ``x * 0.5``, ``-x`` in functional code.

Keras 3 lets functional code write ``x = x + shortcut`` (and ``x += shortcut``) between layer
outputs. Here each operator becomes the layer Keras programs would write by hand, so the model
saves and loads like any other: two symbolic tensors -> ``Add``, ``Subtract`` or ``Multiply``;
a symbolic tensor and a number -> ``Rescaling(scale, offset)``.

The operators are set on ``SymbolicTensor`` from this module because ``symbolic.py`` sits below
every layer (the merge layers import it), so it cannot import them back.

Example:
    >>> from glassnet import layers
    >>> inputs = layers.Input((4,))
    >>> x = layers.Dense(4)(inputs)
    >>> x += inputs                      # an Add layer
    >>> (2 * x - 1).shape
    (None, 4)
"""
from __future__ import annotations

import numbers

from glassnet.layers.merge import Add, Multiply, Subtract
from glassnet.layers.preprocessing.numerical import Rescaling
from glassnet.layers.symbolic import SymbolicTensor


def _binary(merge, scale_of, offset_of, reverse=False):
    def op(self, other):
        if isinstance(other, SymbolicTensor):
            return merge()([other, self] if reverse else [self, other])
        if isinstance(other, numbers.Real):
            return Rescaling(scale=scale_of(other), offset=offset_of(other))(self)
        return NotImplemented
    return op


SymbolicTensor.__add__ = SymbolicTensor.__radd__ = _binary(Add, lambda c: 1.0, lambda c: float(c))
SymbolicTensor.__sub__ = _binary(Subtract, lambda c: 1.0, lambda c: -float(c))
SymbolicTensor.__rsub__ = _binary(Subtract, lambda c: -1.0, lambda c: float(c), reverse=True)
SymbolicTensor.__mul__ = SymbolicTensor.__rmul__ = _binary(Multiply, lambda c: float(c), lambda c: 0.0)
SymbolicTensor.__truediv__ = lambda self, c: (Rescaling(scale=1.0 / float(c))(self)
                                              if isinstance(c, numbers.Real) else NotImplemented)
SymbolicTensor.__neg__ = lambda self: Rescaling(scale=-1.0)(self)
