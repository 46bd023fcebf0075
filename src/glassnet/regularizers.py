"""Weight penalties, as Keras's ``keras.regularizers``.

A regularizer maps a weight tensor to a scalar penalty that is added to the training loss,
pulling weights towards zero: ``Dense(64, kernel_regularizer=L2(1e-4))``. The penalty is built
from differentiable glassnet ops, so ``loss.backward()`` also gives its gradient:

- L1: ``l1 * sum(|w|)``, gradient ``l1 * sign(w)``: pushes small weights to exactly 0 (sparsity).
- L2: ``l2 * sum(w^2)``, gradient ``2 * l2 * w``: shrinks every weight in proportion
  ("weight decay"). Keras has no 1/2 in front, so with plain SGD this is weight decay with
  coefficient ``2 * lr * l2``. (In PyTorch, weight decay is usually an optimizer option,
  ``SGD(weight_decay=wd)``, which adds ``wd * w`` to the gradient: the same as ``L2(wd / 2)``.)

Penalties count in the loss that ``fit`` minimises and in the loss that ``fit`` and ``evaluate``
report, as in Keras (its ``compute_loss`` adds ``model.losses`` in training and evaluation).

Example:
    >>> from glassnet import Tensor, regularizers
    >>> regularizers.L2(0.5)(Tensor([1.0, -2.0]))
    Tensor(2.5, dtype=float32)
"""
from __future__ import annotations

import inspect
import math

import numpy as np

from glassnet import ops
from glassnet.backend import array_module, is_device_array
from glassnet.core.tensor import Tensor
from glassnet.utils.lookup import Lookup, serialize_object


def _check_factor(value, name: str, who: str) -> float:
    if (isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
            or not math.isfinite(value) or value < 0):
        raise ValueError(f"{who}: expected {name} to be a non-negative number, received {value!r}")
    return float(value)


def _as_tensor(x) -> Tensor:
    """A Tensor, keeping the dtype of a float array (a float64 weight stays float64)."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x) if not is_device_array(x) else x
    return Tensor(arr, dtype=arr.dtype if arr.dtype.kind == "f" else None)


class Regularizer:
    """Base class: call it on a weight tensor to get a scalar penalty Tensor.

    Subclasses implement ``__call__(x)`` with glassnet ops (so it is differentiable) and
    ``get_config()``. Any function ``weight -> scalar Tensor`` also works as a regularizer.

    Example:
        >>> class MaxPenalty(Regularizer):
        ...     def __init__(self, c=0.1):
        ...         self.c = c
        ...     def __call__(self, x):
        ...         return self.c * ops.max(ops.abs(x))
        ...     def get_config(self):
        ...         return {"c": self.c}
    """

    def __call__(self, x) -> Tensor:  # pragma: no cover - interface
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(x)")

    def get_config(self) -> dict:
        """The constructor arguments, JSON-serialisable."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        """Rebuild a regularizer from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """L1 penalty: ``l1 * sum(|x|)``.

    Args:
        l1: the factor (non-negative). Also used for the string ``"l1"``.

    Example:
        >>> L1(0.1)(Tensor([1.0, -3.0]))
        Tensor(0.4, dtype=float32)
    """

    def __init__(self, l1=0.01):
        self.l1 = _check_factor(0.01 if l1 is None else l1, "l1", "L1")

    def __call__(self, x):
        return self.l1 * ops.sum(ops.abs(_as_tensor(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """L2 penalty: ``l2 * sum(x^2)`` (no 1/2 factor, as in Keras).

    Args:
        l2: the factor (non-negative). Also used for the string ``"l2"``.

    Example:
        >>> L2(0.1)(Tensor([1.0, -3.0]))
        Tensor(1., dtype=float32)
    """

    def __init__(self, l2=0.01):
        self.l2 = _check_factor(0.01 if l2 is None else l2, "l2", "L2")

    def __call__(self, x):
        x = _as_tensor(x)
        return self.l2 * ops.sum(ops.square(x))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """Both penalties: ``l1 * sum(|x|) + l2 * sum(x^2)``.

    Args:
        l1: the L1 factor (default 0).
        l2: the L2 factor (default 0).

    The string ``"l1_l2"`` gives ``L1L2(l1=0.01, l2=0.01)``, as Keras documents. (Keras 3's
    code actually builds ``L1L2()`` with both factors 0 from that string, a penalty of zero;
    glassnet follows the documentation.)

    Example:
        >>> L1L2(l1=0.1, l2=0.1)(Tensor([1.0, -3.0]))
        Tensor(1.4, dtype=float32)
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = _check_factor(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, x):
        x = _as_tensor(x)
        terms = []  # a zero factor costs nothing (no pass over the weights)
        if self.l1:
            terms.append(self.l1 * ops.sum(ops.abs(x)))
        if self.l2:
            terms.append(self.l2 * ops.sum(ops.square(x)))
        if not terms:
            return Tensor(array_module(x.data).zeros((), dtype=x.dtype))
        return terms[0] if len(terms) == 1 else terms[0] + terms[1]

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


_LOOKUP = Lookup("regularizer", names={"l1": L1, "l2": L2, "l1_l2": L1L2},
                 classes=(L1, L2, L1L2))
# the name "l1_l2" means 0.01 of each penalty (Keras 2's ``l1_l2()``), not the class's zeros
_NAME_DEFAULTS = {L1L2: {"l1": 0.01, "l2": 0.01}}


def _from_name(name: str, custom_objects=None):
    obj = _LOOKUP.find(name, custom_objects)
    if not inspect.isclass(obj):
        return obj  # a custom function is the regularizer itself
    return obj(**_NAME_DEFAULTS.get(obj, {}))


def serialize(regularizer):
    """``{"class_name": ..., "config": ...}`` for a regularizer (None stays None).

    A plain function is saved by its ``__name__`` (load it back with ``custom_objects``).

    Example:
        >>> serialize(L2(0.001))
        {'class_name': 'L2', 'config': {'l2': 0.001}}
    """
    return serialize_object(regularizer, Regularizer)


def deserialize(config, custom_objects=None):
    """Rebuild a regularizer from ``serialize``'s output (or a name).

    Args:
        config: a dict ``{"class_name": ..., "config": {...}}`` or a name.
        custom_objects: optional ``{name: class or function}`` for your own regularizers.
    """
    if isinstance(config, str):
        return _from_name(config, custom_objects)
    class_name, kwargs = _LOOKUP.config_parts(config)
    cls = _LOOKUP.find_class(class_name, custom_objects)
    if not inspect.isclass(cls):
        return cls
    return cls.from_config(kwargs) if hasattr(cls, "from_config") else cls(**kwargs)


def get(identifier):
    """Resolve a regularizer: None, ``"l1"``, ``"l2"``, ``"l1_l2"``, a config dict, an instance
    or a function ``weight -> scalar Tensor``. Names and class names (``"L1L2"``) ignore case;
    see ``glassnet.utils.lookup``.

    Raises:
        ValueError: for an unknown name, listing the known ones, or an identifier of another type.

    Example:
        >>> get("l2")
        L2(l2=0.01)
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Regularizer):
        return identifier()
    if callable(identifier):
        return identifier
    raise _LOOKUP.not_understood(identifier, "a name, a config dict, a Regularizer or a function")
