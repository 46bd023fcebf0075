"""Weight initializers, as Keras's ``keras.initializers``.

An initializer is an object you call with a shape (and optionally a dtype) to get a NumPy
array of starting values: ``GlorotUniform()((784, 128))``. Layers accept them by name
(``Dense(10, kernel_initializer="he_normal")``) and turn the name into an object with ``get``.

Host only: initializers create weights in host memory with NumPy (and glassnet's seeded
random generators); the backend moves weights to a device later, so the same seed gives the
same weights everywhere.

The package, by concept:

- ``initializer.py``: the ``Initializer`` base class, shared argument checks, ``compute_fans``;
- ``constant.py``: ``Zeros``, ``Ones``, ``Constant``, ``Identity``;
- ``random.py``: ``RandomNormal``, ``RandomUniform``, ``TruncatedNormal``, ``VarianceScaling``
  and its presets (Glorot, He, LeCun; why the scale matters is explained there), ``Orthogonal``;
- here: ``get``, ``serialize`` and ``deserialize``, which turn names and configs into
  initializers.

Example:
    >>> from glassnet import initializers
    >>> w = initializers.get("glorot_uniform")((3, 2))
    >>> w.shape, w.dtype
    ((3, 2), dtype('float32'))
"""
from __future__ import annotations

import contextlib
import contextvars
import inspect

import numpy as np

from glassnet.initializers.constant import Constant, Identity, Ones, Zeros
from glassnet.initializers.initializer import Initializer, compute_fans
from glassnet.initializers.random import (
    GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal, RandomInitializer,
    RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling)
from glassnet.utils.lookup import Lookup, serialize_object

__all__ = ["Initializer", "RandomInitializer", "compute_fans", "Zeros", "Ones", "Constant", "Identity",
           "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling", "GlorotUniform",
           "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "Orthogonal",
           "get", "serialize", "deserialize"]

_LOOKUP = Lookup("initializer", names={
    "zeros": Zeros, "ones": Ones, "constant": Constant, "identity": Identity,
    "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform, "orthogonal": Orthogonal,
    # Keras aliases
    "zero": Zeros, "one": Ones, "normal": RandomNormal, "uniform": RandomUniform,
    "xavier_uniform": GlorotUniform, "xavier_normal": GlorotNormal,
}, classes=(Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal))


def serialize(initializer):
    """``{"class_name": ..., "config": ...}`` for an initializer (None stays None).

    A plain function is saved by its ``__name__`` (load it back with ``custom_objects``).

    Example:
        >>> serialize(HeNormal(seed=1))
        {'class_name': 'HeNormal', 'config': {'seed': 1}}
    """
    return serialize_object(initializer, Initializer)


def deserialize(config, custom_objects=None):
    """Rebuild an initializer from ``serialize``'s output (or a name).

    Args:
        config: a dict ``{"class_name": ..., "config": {...}}`` or a name.
        custom_objects: optional ``{name: class or function}`` for your own initializers.

    Example:
        >>> deserialize({"class_name": "Constant", "config": {"value": 2.0}})
        Constant(value=2.0)
    """
    if isinstance(config, str):
        obj = _LOOKUP.find(config, custom_objects)
        return obj() if inspect.isclass(obj) else obj
    class_name, kwargs = _LOOKUP.config_parts(config)
    cls = _LOOKUP.find_class(class_name, custom_objects)
    if not inspect.isclass(cls):
        return cls
    return cls.from_config(kwargs) if hasattr(cls, "from_config") else cls(**kwargs)


def get(identifier):
    """Resolve an initializer: None, a name, a config dict, an instance, a class or a function.

    Names are Keras's: ``"zeros"``, ``"ones"``, ``"glorot_uniform"``, ``"he_normal"``,
    ``"truncated_normal"``, ``"random_normal"``, ... (class names such as ``"HeNormal"`` work
    too; case is ignored, see ``glassnet.utils.lookup``). A function must take
    ``(shape, dtype=None)`` and return an array.

    Raises:
        ValueError: for an unknown name, listing the known ones, or an identifier of another type.

    Example:
        >>> get("he_normal")
        HeNormal(seed=None)
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise _LOOKUP.not_understood(identifier, "a name, a config dict, an Initializer or a function")


# --------------------------------------------------------------------------- weights from a file
_WEIGHT_SOURCE = contextvars.ContextVar("glassnet_weight_source", default=None)


def initial_value(initializer, shape, dtype, name=None):
    """The starting values of a new weight (what ``Layer.add_weight`` calls).

    ``get(initializer)(shape, dtype=dtype)``, unless a loader supplies the values (see
    ``weight_source``): then ``source(name, shape, dtype)`` returns them, or refuses a weight
    that the file does not hold, before anything of that size is allocated.

    Example:
        >>> initial_value("zeros", (2,), "float32", name="dense/bias")
        array([0., 0.], dtype=float32)
    """
    source = _WEIGHT_SOURCE.get()
    if source is not None:
        return source(name, tuple(shape), np.dtype(dtype))
    return get(initializer)(tuple(shape), dtype=dtype)


@contextlib.contextmanager
def weight_source(source):
    """Within the block, new weights take their values from ``source(name, shape, dtype)``
    instead of their initializers: ``load_model`` builds a model from a file's arrays this way,
    checking each declared shape against the file before allocating it.

    Example:
        >>> import numpy as np
        >>> with weight_source(lambda name, shape, dtype: np.ones(shape, dtype)):
        ...     initial_value("zeros", (2,), "float32")
        array([1., 1.], dtype=float32)
    """
    token = _WEIGHT_SOURCE.set(source)
    try:
        yield
    finally:
        _WEIGHT_SOURCE.reset(token)
