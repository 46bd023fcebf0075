"""Symbolic tensors: placeholders that record how layers are wired in the functional API.

``Input(shape=(784,))`` returns a ``SymbolicTensor``. Calling a layer on symbolic tensors does
not compute anything: it builds the layer, works out the output shape and records a ``Node``
(this layer, applied to these tensors, gave those). ``Model(inputs, outputs)`` later walks the
nodes back from its outputs to find what to run, in which order.
"""
from __future__ import annotations

import numpy as np


class SymbolicTensor:
    """A placeholder with a shape (batch axis None) and a dtype, made by a layer's ``Node``.

    Args:
        shape: full shape including the batch axis (usually None).
        dtype: dtype of the values it stands for.
        node: the ``Node`` that produces it (None only while being made).
        index: which output of that node it is.
    """

    def __init__(self, shape, dtype="float32", node=None, index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.node = node
        self.index = index
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self):
        layer = self.node.layer.name if self.node is not None else "?"
        return f"<SymbolicTensor shape={self.shape} dtype={self.dtype.name} from layer '{layer}'>"

    def __array__(self, *args, **kwargs):
        raise TypeError("a SymbolicTensor from Input() has no values; it describes the wiring of a "
                        "functional Model. Pass real arrays to model(...) or model.predict(...)")


class Node:
    """One application of a layer in a graph: ``outputs = layer(inputs)``.

    ``inputs`` keeps the structure the layer was called with (a tensor or a list of tensors),
    so the graph can call the layer the same way again.
    """

    def __init__(self, layer, inputs, outputs, call_kwargs=None):
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs
        self.call_kwargs = call_kwargs or {}
        layer._inbound_nodes.append(self)

    @property
    def input_tensors(self) -> list:
        return list(flatten(self.inputs))


def flatten(structure):
    """Yield the leaves of nested lists/tuples/dicts (dicts in key order)."""
    if isinstance(structure, (list, tuple)):
        for item in structure:
            yield from flatten(item)
    elif isinstance(structure, dict):
        for key in structure:
            yield from flatten(structure[key])
    else:
        yield structure


def map_structure(fn, structure):
    """Apply ``fn`` to every leaf, keeping the list/tuple/dict structure."""
    if isinstance(structure, list):
        return [map_structure(fn, s) for s in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)


def is_symbolic(structure) -> bool:
    """True if any leaf of ``structure`` is a SymbolicTensor."""
    return any(isinstance(x, SymbolicTensor) for x in flatten(structure))
