"""Metrics: numbers that tell *people* how well a model does (no gradients, plain NumPy).

A metric object keeps running totals over the batches of an epoch:

    metric.reset_state()                         # start of the epoch
    metric.update_state(y_true, y_pred)          # after every batch
    metric.result()                              # the value over everything seen so far

Most metrics are the mean of a per-sample function (``MeanMetricWrapper``): the totals are the
sum of the per-sample values and the number of samples, so the epoch value is exactly the mean
over all samples, however the batches were cut. ``RootMeanSquaredError`` keeps the running mean
of squared errors and takes the square root at the end (the mean of per-batch roots would be
wrong); ``Precision`` and ``Recall`` keep running counts of true/false positives.

Running totals are Python floats (float64), so a long epoch does not lose precision; per-sample
functions return the float dtype of ``y_pred``.

Host only: metrics take arrays, device arrays or Tensors, bring them to host memory with
``glassnet.backend.to_host`` and compute with NumPy. They never build a graph, and no module
here imports the autograd stack (``glassnet.core``, ``ops``, ``losses``, ``layers``, ``models``);
what ``"accuracy"`` means for a given loss is decided by ``compile``, in
``glassnet.models.compile_utils``.

The package, by kind:

- ``metric.py``: the ``Metric`` base class, ``Mean`` and ``MeanMetricWrapper``;
- ``accuracy_metrics.py``: binary, categorical, sparse categorical and exact accuracy, and
  ``AutoAccuracy`` (``"accuracy"``);
- ``regression_metrics.py``: mean squared / absolute / absolute percentage error, RMSE;
- ``probabilistic_metrics.py``: the cross-entropies;
- ``confusion_metrics.py``: ``confusion_matrix``, ``classification_report``;
- ``threshold_metrics.py``: ``Precision``, ``Recall`` (thresholds, ``top_k``, ``class_id``) and
  ``AUC`` (ROC or PR), from running counts at thresholds;
- ``top_k_metrics.py``: ``TopKCategoricalAccuracy``, ``SparseTopKCategoricalAccuracy``;
- ``ranking.py``: ``roc_curve`` and ``roc_auc_score``, exact, from all the scores at once;
- here: ``get`` and ``serialize``, which turn names and configs into metrics.

Example:
    >>> import numpy as np
    >>> from glassnet import metrics
    >>> acc = metrics.get("sparse_categorical_accuracy")
    >>> acc.update_state(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]]))
    >>> acc.result()
    0.5
"""
from __future__ import annotations

from glassnet.metrics.accuracy_metrics import (
    Accuracy, AutoAccuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, accuracy,
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy)
from glassnet.metrics.confusion_metrics import (
    Precision, Recall, classification_report, confusion_matrix)
from glassnet.metrics.metric import EPSILON, Mean, MeanMetricWrapper, Metric, log_value
from glassnet.metrics.probabilistic_metrics import (
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, binary_crossentropy,
    categorical_crossentropy, sparse_categorical_crossentropy)
from glassnet.metrics.regression_metrics import (
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError, RootMeanSquaredError,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error)
from glassnet.metrics.ranking import roc_auc_score, roc_curve
from glassnet.metrics.threshold_metrics import AUC
from glassnet.metrics.top_k_metrics import (
    SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy)
from glassnet.utils.lookup import Lookup

__all__ = ["Metric", "Mean", "MeanMetricWrapper", "EPSILON", "log_value",
           "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
           "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "Accuracy", "AutoAccuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
           "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "RootMeanSquaredError",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "Precision", "Recall", "confusion_matrix", "classification_report",
           "AUC", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "top_k_categorical_accuracy",
           "sparse_top_k_categorical_accuracy", "roc_curve", "roc_auc_score",
           "mse", "MSE", "mae", "MAE", "mape", "MAPE", "get", "serialize", "deserialize"]

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error

_CLASSES = (
    Mean, Accuracy, AutoAccuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, RootMeanSquaredError,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Precision, Recall,
    AUC, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy)

# names -> class. "accuracy" and "crossentropy" without a loss to ask: decided from the
# shapes (AutoAccuracy), categorical cross-entropy; compile resolves them by the loss.
_LOOKUP = Lookup("metric", names={
    "accuracy": AutoAccuracy, "acc": AutoAccuracy,
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "rmse": RootMeanSquaredError, "root_mean_squared_error": RootMeanSquaredError,
    "crossentropy": CategoricalCrossentropy, "ce": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy, "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "precision": Precision, "recall": Recall, "auc": AUC,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
}, classes=_CLASSES)

_CLASS_OF_FUNCTION = {
    binary_accuracy: BinaryAccuracy, categorical_accuracy: CategoricalAccuracy,
    sparse_categorical_accuracy: SparseCategoricalAccuracy, accuracy: Accuracy,
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError, binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy, sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    top_k_categorical_accuracy: TopKCategoricalAccuracy,
    sparse_top_k_categorical_accuracy: SparseTopKCategoricalAccuracy,
}


def get(identifier):
    """Resolve ``identifier`` to a ``Metric`` (a new object, so each model keeps its own state).

    Args:
        identifier: a name (``"accuracy"``/``"acc"``, ``"mse"``, ``"mae"``, ``"rmse"``, ``"mape"``,
            ``"binary_accuracy"``, ``"precision"``... or a class name such as ``"Recall"``; case
            is ignored, see ``glassnet.utils.lookup``), a Metric class or instance, a config dict
            ``{"class_name": ..., "config": ...}``, or a function ``fn(y_true, y_pred)``
            returning per-sample values.

    A metric named by a string keeps that string as its name (``"mae"`` is logged as ``mae``,
    ``"accuracy"`` as ``accuracy``), as in Keras; a class name gives the class's own name.
    Here ``"accuracy"`` decides its kind from the shapes of the first batch; ``compile`` asks
    the loss first (``glassnet.models.compile_utils.get_metric``).

    Raises:
        ValueError: for an unknown name, listing the known ones, or an identifier of another type.

    Example:
        >>> get("mae").name
        'mae'
        >>> get("Recall").name
        'recall'
    """
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, dict):
        class_name, config = _LOOKUP.config_parts(identifier)
        return _LOOKUP.find_class(class_name).from_config(config)
    if isinstance(identifier, str):
        cls = _LOOKUP.find(identifier)
        if _LOOKUP.classes.get(identifier) is cls:  # a class name: the class's own default name
            return cls()
        return cls(name=identifier)
    if callable(identifier):
        if identifier in _CLASS_OF_FUNCTION:
            return _CLASS_OF_FUNCTION[identifier]()
        return MeanMetricWrapper(identifier)
    raise _LOOKUP.not_understood(identifier, "a name, a Metric, a config dict or a function")


def serialize(metric) -> dict:
    """``{"class_name": ..., "config": ...}`` describing ``metric``.

    Example:
        >>> serialize(BinaryAccuracy(threshold=0.7))["config"]["threshold"]
        0.7
    """
    metric = get(metric)
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config: dict) -> Metric:
    """The inverse of ``serialize``: a new metric from its config dict."""
    return get(config)
