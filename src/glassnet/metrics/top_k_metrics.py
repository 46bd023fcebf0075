"""Top-k accuracy: is the right class among the k most probable ones?

- ``top_k_categorical_accuracy``: one-hot targets (the class is the arg-max of ``y_true``);
- ``sparse_top_k_categorical_accuracy``: integer labels.

A class is in the top k when fewer than k classes score strictly higher, so classes tied at
the boundary all count as in (as ``tf.math.in_top_k``). ``k=1`` is plain accuracy. Both are
per-sample functions; the classes keep their running mean (``MeanMetricWrapper``). Host only.

Example:
    >>> import numpy as np
    >>> sparse_top_k_categorical_accuracy(np.array([2, 2]), np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]]), k=2)
    array([0., 1.])
"""
from __future__ import annotations

import numpy as np

from glassnet.metrics.metric import MeanMetricWrapper, _array, _float_dtype, _labels


def _in_top_k(y_pred: np.ndarray, labels: np.ndarray, k: int, who: str) -> np.ndarray:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{who}: expected k to be a positive int, received {k!r}")
    classes = y_pred.shape[-1]
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"{who}: expected labels in [0, {classes - 1}], received labels from {labels.min()} "
                         f"to {labels.max()}")
    score = np.take_along_axis(y_pred, labels[..., None], axis=-1)
    higher = (y_pred > score).sum(axis=-1)
    return (higher < k).astype(_float_dtype(y_pred))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5) -> np.ndarray:
    """Per sample, 1 if the integer label is among the ``k`` highest-scoring classes, else 0.

    Example:
        >>> import numpy as np
        >>> sparse_top_k_categorical_accuracy(np.array([1]), np.array([[0.2, 0.3, 0.5]]), k=2)
        array([1.])
    """
    y_pred = _array(y_pred)
    labels = _labels(y_true, y_pred, "sparse_top_k_categorical_accuracy")
    return _in_top_k(y_pred, labels, k, "sparse_top_k_categorical_accuracy")


def top_k_categorical_accuracy(y_true, y_pred, k=5) -> np.ndarray:
    """Per sample, 1 if the one-hot target's class is among the ``k`` highest-scoring classes.

    Example:
        >>> import numpy as np
        >>> top_k_categorical_accuracy(np.array([[1, 0, 0]]), np.array([[0.2, 0.3, 0.5]]), k=2)
        array([0.])
    """
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"top_k_categorical_accuracy: expected one-hot y_true of shape {y_pred.shape}, "
                         f"received {y_true.shape} (integer labels? use sparse_top_k_categorical_accuracy)")
    return _in_top_k(y_pred, np.argmax(y_true, axis=-1), k, "top_k_categorical_accuracy")


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target's class is among the ``k`` (default 5) top predictions.

    Example:
        >>> m = TopKCategoricalAccuracy(k=1)
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` (default 5) top predictions.

    Example:
        >>> m = SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
