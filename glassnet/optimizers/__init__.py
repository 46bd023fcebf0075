"""Optimizers, as Keras's ``keras.optimizers``: SGD, Adagrad, RMSprop, Adam.

Each optimizer's docstring writes out its update rule (and where PyTorch's differs); the
code of its ``update_step`` follows the rule line by line. The shared machinery (clipping,
learning-rate schedules, state saving) is in ``base.py``.

``get`` turns a name into an optimizer, which is how ``model.compile(optimizer="adam")`` works.
Learning-rate schedules (``ExponentialDecay``, ``StepDecay``, ``CosineDecay``...) live in
``glassnet.optimizers.schedules``; any of them can be an optimizer's ``learning_rate``.

Example:
    >>> from glassnet import optimizers
    >>> opt = optimizers.get("adam")
    >>> opt.learning_rate
    0.001
"""
from __future__ import annotations

import inspect

from glassnet.optimizers.adagrad import Adagrad
from glassnet.optimizers.adam import Adam
from glassnet.optimizers.base import Optimizer, clip_by_global_norm, clip_by_norm, global_norm
from glassnet.optimizers.rmsprop import RMSprop
from glassnet.optimizers.sgd import SGD
from glassnet.optimizers import schedules  # noqa: E402  (the module: optimizers.schedules.StepDecay)

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "get", "serialize", "deserialize",
           "global_norm", "clip_by_norm", "clip_by_global_norm", "schedules"]

_BY_NAME = {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam}


def _lookup(name, custom_objects=None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    cls = _BY_NAME.get(str(name).lower())
    if cls is None:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {sorted(_BY_NAME)}")
    return cls


def serialize(optimizer) -> dict:
    """``{"class_name": ..., "config": ...}`` for saving an optimizer's configuration.

    Example:
        >>> serialize(SGD(0.1))["class_name"]
        'SGD'
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"serialize: expected an Optimizer, received {type(optimizer).__name__}")
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config, custom_objects=None) -> Optimizer:
    """A new optimizer from ``serialize``'s output (or a name).

    Args:
        config: ``{"class_name": "Adam", "config": {...}}`` or a name such as ``"adam"``.
        custom_objects: optional ``{class name: class}`` for your own optimizers or schedules.
    """
    if isinstance(config, str):
        return _lookup(config, custom_objects)()
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"optimizer config: expected a dict with 'class_name' and 'config', received {config!r}")
    cls = _lookup(config["class_name"], custom_objects)
    return cls.from_config(config.get("config") or {}, custom_objects=custom_objects)


def get(identifier) -> Optimizer:
    """Resolve an optimizer: a name (``"sgd"``, ``"adam"``, ``"rmsprop"``, ``"adagrad"``, any
    case), a config dict, an ``Optimizer`` instance (returned as is) or class.

    Names give the Keras defaults (``"adam"`` is ``Adam(learning_rate=0.001)``).

    Raises:
        ValueError: for an unknown name, listing the known ones.

    Example:
        >>> get("SGD")
        SGD(name='sgd', learning_rate=0.01, momentum=0.0, nesterov=False)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"could not interpret optimizer: expected one of {sorted(_BY_NAME)}, a config dict or an "
                     f"Optimizer, received {identifier!r}")
