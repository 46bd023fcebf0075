"""The name -> activation function lookup behind ``activation="relu"`` (``keras.activations``).

Each function is the differentiable op from ``glassnet.ops.activations`` (read the math
there); the layer classes (``Activation``, ``ReLU``, ``PReLU``...) are in
``glassnet.layers.activation_layers``. ``get`` turns a string such as ``"relu"`` into the
function, which is how layers accept ``activation="relu"``.

Names, as in Keras 3: ``linear``, ``sigmoid``, ``tanh``, ``relu``, ``relu6``, ``leaky_relu``,
``elu``, ``selu``, ``softplus``, ``softsign``, ``exponential``, ``hard_sigmoid``, ``gelu`` (the
exact erf form; ``gelu(x, approximate=True)`` is the tanh one), ``silu`` (= ``swish``), ``mish``,
``softmax``, ``log_softmax``; and the course's ``identity``, ``binary_step``, ``arctan``,
``gaussian``.

Example:
    >>> from glassnet import Tensor, activations
    >>> f = activations.get("relu")
    >>> f(Tensor([-1.0, 2.0]))
    Tensor([0. 2.], dtype=float32)
"""
from __future__ import annotations

from glassnet.ops.activations import (  # noqa: F401
    arctan, binary_step, elu, exponential, gaussian, gelu, hard_sigmoid, identity, leaky_relu, linear,
    log_softmax, mish, relu, relu6, selu, sigmoid, silu, softmax, softplus, softsign, swish, tanh)
from glassnet.utils.lookup import Lookup

_BY_NAME = {
    "linear": linear, "identity": identity, "binary_step": binary_step, "sigmoid": sigmoid,
    "tanh": tanh, "arctan": arctan, "relu": relu, "leaky_relu": leaky_relu, "elu": elu,
    "selu": selu, "softplus": softplus, "gaussian": gaussian, "softmax": softmax,
    "log_softmax": log_softmax, "gelu": gelu, "silu": silu, "swish": swish, "mish": mish,
    "hard_sigmoid": hard_sigmoid, "relu6": relu6, "softsign": softsign, "exponential": exponential,
}
_LOOKUP = Lookup("activation", names=_BY_NAME)


def get(identifier):
    """Resolve an activation: None (identity), a name (case is ignored, see
    ``glassnet.utils.lookup``), or a callable (returned as is).

    Raises:
        ValueError: for an unknown name, listing the known ones, or an identifier of another type.

    Example:
        >>> get("ReLU") is relu
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return _LOOKUP.find(identifier)
    if callable(identifier):
        return identifier
    raise _LOOKUP.not_understood(identifier, "a name or a function")


def serialize(fn) -> str:
    """The name of an activation function, for saving. Custom callables keep their __name__."""
    for name, f in _BY_NAME.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", repr(fn))
