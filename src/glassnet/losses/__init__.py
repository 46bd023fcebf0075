"""Loss functions: how wrong is the prediction? Keras-style classes and functions.

Each loss is written twice, as in Keras:

- a *function* ``mean_squared_error(y_true, y_pred)`` that holds the math and returns one loss
  value per sample (the mean over the last axis, where Keras takes it), and
- a *class* ``MeanSquaredError(reduction=..., name=...)`` whose call reduces those per-sample
  values to the one number that ``backward()`` starts from.

``y_true`` is a constant (an ndarray, list or Tensor; never differentiated) and ``y_pred`` is the
model's output Tensor. Reductions (``reduction=``):

- ``"sum_over_batch_size"`` (default): sum of the (weighted) per-sample losses / their number;
- ``"sum"``: the plain sum;
- ``"none"`` (or ``None``): the per-sample losses, unreduced;
- ``"mean_with_sample_weight"``: sum of the weighted losses / sum of the weights.

The package, by concept:

- ``loss.py``: the ``Loss`` base class, ``LossFunctionWrapper``, ``reduce_weighted_values``;
- ``regression.py``: mean squared / absolute / absolute percentage error, Huber, cosine
  similarity;
- ``probabilistic.py``: binary, categorical and sparse categorical cross-entropy (fused with a
  preceding softmax or sigmoid), KL divergence, hinge;
- here: ``get``, ``serialize`` and ``deserialize``, which turn names and configs into losses.

Example:
    >>> import numpy as np
    >>> from glassnet import Tensor, losses
    >>> loss_fn = losses.get("mse")
    >>> y_pred = Tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    >>> loss = loss_fn(np.array([[1.0, 1.0], [3.0, 3.0]]), y_pred)   # ((0+1)/2 + (0+4)/2) / 2
    >>> float(loss.data)
    1.25
    >>> loss.backward()
"""
from __future__ import annotations

from glassnet.losses.loss import (
    EPSILON, REDUCTIONS, Loss, LossFunctionWrapper, reduce_weighted_values)
from glassnet.losses.probabilistic import (
    BinaryCrossentropy, CategoricalCrossentropy, Hinge, KLDivergence, SparseCategoricalCrossentropy,
    binary_crossentropy, categorical_crossentropy, hinge, kl_divergence, sparse_categorical_crossentropy)
from glassnet.losses.regression import (
    CosineSimilarity, Huber, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
    cosine_similarity, huber, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error)
from glassnet.utils.lookup import Lookup

__all__ = ["Loss", "LossFunctionWrapper", "reduce_weighted_values", "EPSILON", "REDUCTIONS",
           "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error", "huber",
           "cosine_similarity", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "kl_divergence", "hinge",
           "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "Huber", "CosineSimilarity",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence",
           "Hinge", "mse", "MSE", "mae", "MAE", "mape", "MAPE", "kld", "KLD", "kullback_leibler_divergence",
           "get", "serialize", "deserialize"]

# short names
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
kld = KLD = kullback_leibler_divergence = kl_divergence

_FUNCTIONS = {fn.__name__: fn for fn in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, huber,
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, kl_divergence,
    cosine_similarity, hinge)}

# the class that each functional form stands for
_CLASS_OF_FUNCTION = {mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
                      mean_absolute_percentage_error: MeanAbsolutePercentageError, huber: Huber,
                      binary_crossentropy: BinaryCrossentropy, categorical_crossentropy: CategoricalCrossentropy,
                      sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
                      kl_divergence: KLDivergence, cosine_similarity: CosineSimilarity, hinge: Hinge}

# names (each function's name, plus Keras's short aliases) and class names -> the class
_LOOKUP = Lookup(
    "loss",
    names={**{name: _CLASS_OF_FUNCTION[fn] for name, fn in _FUNCTIONS.items()},
           "mse": MeanSquaredError, "mae": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
           "huber_loss": Huber, "kld": KLDivergence, "kullback_leibler_divergence": KLDivergence},
    classes=_CLASS_OF_FUNCTION.values())


def _loss_function(name, custom_objects=None):
    """The per-sample loss function a saved ``LossFunctionWrapper`` names."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name not in _FUNCTIONS:
        raise ValueError(f"LossFunctionWrapper: cannot find the loss function {name!r}; "
                         f"expected one of {sorted(_FUNCTIONS)} (or pass it in custom_objects)")
    return _FUNCTIONS[name]


def get(identifier, custom_objects=None):
    """Resolve ``identifier`` to a ``Loss`` instance.

    Args:
        identifier: a name (``"mse"``, ``"sparse_categorical_crossentropy"``, a class name such
            as ``"Huber"``; case is ignored, see ``glassnet.utils.lookup``), a Loss class or
            instance, a config dict ``{"class_name": ..., "config": ...}``, a plain callable
            ``fn(y_true, y_pred)`` returning per-sample losses (wrapped in
            ``LossFunctionWrapper``), or None.
        custom_objects: optional dict of extra names -> Loss classes or functions.

    Raises:
        ValueError: for an unknown name, listing the known ones, or an identifier of another type.

    Example:
        >>> get("mse")
        <MeanSquaredError name='mean_squared_error' reduction='sum_over_batch_size'>
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, dict):
        class_name, config = _LOOKUP.config_parts(identifier)
        if class_name == "LossFunctionWrapper":  # a wrapped function, saved by its name
            config["fn"] = _loss_function(config.get("fn"), custom_objects)
            return LossFunctionWrapper.from_config(config)
        return _LOOKUP.find_class(class_name, custom_objects).from_config(config)
    if isinstance(identifier, str):
        obj = _LOOKUP.find(identifier, custom_objects)
        return get(obj) if custom_objects and identifier in custom_objects else obj()
    if callable(identifier):
        if identifier in _CLASS_OF_FUNCTION:
            return _CLASS_OF_FUNCTION[identifier]()
        return LossFunctionWrapper(identifier)
    raise _LOOKUP.not_understood(identifier, "a name, a Loss, a config dict or a function")


def serialize(loss) -> dict:
    """``{"class_name": ..., "config": ...}`` describing ``loss`` (JSON-friendly).

    Example:
        >>> serialize(Huber(delta=2.0))["config"]["delta"]
        2.0
    """
    loss = get(loss)
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


def deserialize(config: dict, custom_objects=None) -> Loss:
    """The inverse of ``serialize``.

    Example:
        >>> deserialize({"class_name": "Huber", "config": {"delta": 2.0}}).get_config()["delta"]
        2.0
    """
    return get(config, custom_objects)
