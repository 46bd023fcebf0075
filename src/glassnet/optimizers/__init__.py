"""Optimizers, as Keras's ``keras.optimizers``: SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta,
Adamax, Nadam, Ftrl, Lion.

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

from glassnet.optimizers.adadelta import Adadelta
from glassnet.optimizers.adagrad import Adagrad
from glassnet.optimizers.adam import Adam
from glassnet.optimizers.adamax import Adamax
from glassnet.optimizers.adamw import AdamW
from glassnet.optimizers.base import Optimizer
from glassnet.optimizers.clipping import clip_by_global_norm, clip_by_norm, global_norm
from glassnet.optimizers.ftrl import Ftrl
from glassnet.optimizers.lion import Lion
from glassnet.optimizers.nadam import Nadam
from glassnet.optimizers.rmsprop import RMSprop
from glassnet.optimizers.sgd import SGD
from glassnet.optimizers import schedules  # noqa: E402  (the module: optimizers.schedules.StepDecay)
from glassnet.utils.lookup import Lookup

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "Nadam", "Ftrl",
           "Lion", "get", "serialize", "deserialize",
           "global_norm", "clip_by_norm", "clip_by_global_norm", "schedules"]

_CLASSES = (SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta, Adamax, Nadam, Ftrl, Lion)
_LOOKUP = Lookup("optimizer", names={cls.__name__.lower(): cls for cls in _CLASSES}, classes=_CLASSES)


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
        return _LOOKUP.find(config, custom_objects)()
    class_name, kwargs = _LOOKUP.config_parts(config)
    cls = _LOOKUP.find_class(class_name, custom_objects)
    return cls.from_config(kwargs, custom_objects=custom_objects)


def get(identifier) -> Optimizer:
    """Resolve an optimizer: a name (``"sgd"``, ``"adam"``, ``"rmsprop"``, ``"adagrad"``,
    ``"adamw"``, ``"adadelta"``, ``"adamax"``, ``"nadam"``, ``"ftrl"``, ``"lion"``, any case; see
    ``glassnet.utils.lookup``), a config dict, an ``Optimizer`` instance (returned as
    is) or class.

    Names give the Keras defaults (``"adam"`` is ``Adam(learning_rate=0.001)``).

    Raises:
        ValueError: for an unknown name, listing the known ones, or an identifier of another type.

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
    raise _LOOKUP.not_understood(identifier, "a name, a config dict or an Optimizer")
