"""Cross-entropy metrics: the running mean of a cross-entropy, for reporting (no gradients).

The same formulas as the losses in ``glassnet.losses.probabilistic``, on host NumPy arrays:
probabilities are clipped to ``[1e-7, 1 - 1e-7]`` as in Keras, and logits (``from_logits=True``)
go through the stable ``numerics.log_softmax``.

Example:
    >>> m = SparseCategoricalCrossentropy(); m.update_state([1], [[0.5, 0.5]]); round(m.result(), 4)
    0.6931
"""
from __future__ import annotations

import numpy as np

from glassnet import numerics
from glassnet.metrics.metric import EPSILON, MeanMetricWrapper, _array, _float_dtype, _labels, _prepare


def _log_probabilities(y_pred: np.ndarray, from_logits: bool, axis=-1) -> np.ndarray:
    """log p along ``axis``: log-softmax of logits, or of renormalised, clipped probabilities."""
    if from_logits:
        return numerics.log_softmax(y_pred, axis)
    p = y_pred / y_pred.sum(axis=axis, keepdims=True)
    return np.log(np.clip(p, EPSILON, 1 - EPSILON)).astype(y_pred.dtype, copy=False)


# ============================================================================ per-sample functions
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0) -> np.ndarray:
    """``mean(-(t log p + (1 - t) log(1 - p)), axis=-1)`` per sample (p clipped to [1e-7, 1-1e-7]).

    With ``label_smoothing = s`` the targets become ``t (1 - s) + s / 2``; with ``from_logits``
    the value is ``max(x, 0) - x t + log(1 + e^-|x|)``, stable for any logit ``x``.

    Example:
        >>> import numpy as np
        >>> binary_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.9, 0.2]]))
        array([0.16425203])
    """
    y_true, y_pred = _prepare(y_true, y_pred, "binary_crossentropy")
    dtype = y_pred.dtype
    if label_smoothing:
        y_true = y_true * np.asarray(1 - label_smoothing, dtype) + np.asarray(0.5 * label_smoothing, dtype)
    if from_logits:  # max(x, 0) - x t + log(1 + e^-|x|), stable for any x
        x = y_pred
        per_element = np.maximum(x, 0) - x * y_true + np.log1p(np.exp(-np.abs(x)))
    else:
        p = np.clip(y_pred, EPSILON, 1 - EPSILON).astype(dtype, copy=False)
        per_element = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    return np.mean(per_element, axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0) -> np.ndarray:
    """``-sum(t log p, axis=-1)`` per sample for one-hot targets.

    Example:
        >>> import numpy as np
        >>> categorical_crossentropy(np.array([[0.0, 1.0]]), np.array([[0.5, 0.5]]))
        array([0.69314718])
    """
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"categorical_crossentropy: expected one-hot y_true of shape {y_pred.shape}, "
                         f"received {y_true.shape}")
    dtype = _float_dtype(y_pred)
    y_true, y_pred = y_true.astype(dtype, copy=False), y_pred.astype(dtype, copy=False)
    if label_smoothing:
        k = y_pred.shape[-1]
        y_true = y_true * np.asarray(1 - label_smoothing, dtype) + np.asarray(label_smoothing / k, dtype)
    return -np.sum(y_true * _log_probabilities(y_pred, from_logits), axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False) -> np.ndarray:
    """``-log p[label]`` per sample for integer labels.

    Example:
        >>> import numpy as np
        >>> sparse_categorical_crossentropy(np.array([1]), np.array([[0.5, 0.5]]))
        array([0.69314718])
    """
    y_pred = _array(y_pred)
    y_pred = y_pred.astype(_float_dtype(y_pred), copy=False)
    labels = _labels(y_true, y_pred, "sparse_categorical_crossentropy").astype(np.int64)
    log_p = _log_probabilities(y_pred, from_logits)
    return -np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]


# ============================================================================ metric classes
class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean binary cross-entropy.

    Example:
        >>> m = BinaryCrossentropy(); m.update_state([[1.0]], [[0.5]]); round(m.result(), 4)
        0.6931
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0.0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean categorical cross-entropy (one-hot targets).

    Example:
        >>> m = CategoricalCrossentropy(); m.update_state([[0, 1]], [[0.5, 0.5]]); round(m.result(), 4)
        0.6931
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0.0):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean sparse categorical cross-entropy (integer labels).

    Example:
        >>> m = SparseCategoricalCrossentropy(); m.update_state([1], [[0.5, 0.5]]); round(m.result(), 4)
        0.6931
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits)
