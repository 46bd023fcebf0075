"""Activation functions by name, as Keras's ``keras.activations``.

Each function is the differentiable op from ``glassnet.ops.activations`` (read the math
there). ``get`` turns a string such as ``"relu"`` into the function, which is how layers accept
``activation="relu"``.

Example:
    >>> from glassnet import activations
    >>> f = activations.get("relu")
    >>> f(Tensor([-1.0, 2.0]))
    Tensor([0. 2.], dtype=float32)
"""
from __future__ import annotations

from glassnet.ops.activations import (  # noqa: F401
    arctan, binary_step, elu, gaussian, identity, leaky_relu, linear, log_softmax, relu, selu,
    sigmoid, softmax, softplus, tanh)

_BY_NAME = {
    "linear": linear, "identity": identity, "binary_step": binary_step, "sigmoid": sigmoid,
    "tanh": tanh, "arctan": arctan, "relu": relu, "leaky_relu": leaky_relu, "elu": elu,
    "selu": selu, "softplus": softplus, "gaussian": gaussian, "softmax": softmax,
    "log_softmax": log_softmax,
}


def get(identifier):
    """Resolve an activation: None (identity), a name, or a callable (returned as is).

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _BY_NAME:
            raise ValueError(f"unknown activation {identifier!r}; expected one of {sorted(_BY_NAME)}")
        return _BY_NAME[key]
    if callable(identifier):
        return identifier
    raise TypeError(f"activation: expected a name or a callable, received {type(identifier).__name__}")


def serialize(fn) -> str:
    """The name of an activation function, for saving. Custom callables keep their __name__."""
    for name, f in _BY_NAME.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", repr(fn))
