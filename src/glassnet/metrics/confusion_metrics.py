"""Metrics from counting hits and misses: precision, recall, the confusion matrix and a report.

``Precision`` and ``Recall`` keep running counts of true positives, false positives and false
negatives over the batches (not means of per-batch ratios, which would depend on how the data
was cut). ``confusion_matrix`` and ``classification_report`` look at all predictions at once.
Host only, like every metric: NumPy on host arrays.

Example:
    >>> confusion_matrix([0, 1, 1], [0, 1, 0])
    array([[1, 0],
           [1, 1]])
"""
from __future__ import annotations

import numpy as np

from glassnet.metrics.metric import Metric, _array, _same_rank, _weights


class _ConfusionCounts(Metric):
    """Running true/false positive and false negative counts of a binary classifier."""

    def __init__(self, thresholds=0.5, name=None, dtype=None):
        self.thresholds = float(thresholds)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self) -> None:
        self.true_positives = 0.0
        self.false_positives = 0.0
        self.false_negatives = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
        if y_true.shape != y_pred.shape:
            raise ValueError(f"{self.name}: expected y_true of shape {y_pred.shape}, received {y_true.shape}")
        actual = y_true.astype(bool)
        predicted = y_pred > self.thresholds
        w = 1.0 if sample_weight is None else _weights(sample_weight, y_pred.shape)
        self.true_positives += float(np.sum(w * (actual & predicted)))
        self.false_positives += float(np.sum(w * (~actual & predicted)))
        self.false_negatives += float(np.sum(w * (actual & ~predicted)))

    def get_config(self) -> dict:
        config = super().get_config()
        config["thresholds"] = self.thresholds
        return config


class Precision(_ConfusionCounts):
    """Of the samples predicted positive (``y_pred > thresholds``), the fraction truly positive.

    ``precision = TP / (TP + FP)`` over all batches (0 when nothing was predicted positive).

    Args:
        thresholds: the probability above which a prediction counts as positive.

    Example:
        >>> m = Precision(); m.update_state([1, 0, 1], [0.9, 0.8, 0.2]); m.result()
        0.5
    """

    def __init__(self, thresholds=0.5, name="precision", dtype=None):
        super().__init__(thresholds, name=name, dtype=dtype)

    def result(self) -> float:
        denominator = self.true_positives + self.false_positives
        return self.true_positives / denominator if denominator else 0.0


class Recall(_ConfusionCounts):
    """Of the truly positive samples, the fraction predicted positive: ``TP / (TP + FN)``.

    Args:
        thresholds: the probability above which a prediction counts as positive.

    Example:
        >>> m = Recall(); m.update_state([1, 0, 1], [0.9, 0.8, 0.2]); m.result()
        0.5
    """

    def __init__(self, thresholds=0.5, name="recall", dtype=None):
        super().__init__(thresholds, name=name, dtype=dtype)

    def result(self) -> float:
        denominator = self.true_positives + self.false_negatives
        return self.true_positives / denominator if denominator else 0.0


# ============================================================================ confusion matrix
def _class_ids(y, name) -> np.ndarray:
    """Class ids from labels, one-hot / probability rows (arg-max) or one sigmoid output (> 0.5)."""
    y = _array(y)
    if y.ndim >= 2 and y.shape[-1] > 1:
        return np.argmax(y, axis=-1).ravel()
    y = y.reshape(-1)
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        return (y > 0.5).astype(np.int64)  # probabilities of class 1
    if y.dtype.kind not in "iubf":
        raise TypeError(f"{name}: expected numeric labels, received dtype {y.dtype}")
    return y.astype(np.int64)


def confusion_matrix(y_true, y_pred, num_classes=None) -> np.ndarray:
    """Counts of (true class, predicted class) pairs: row = true class, column = predicted.

    Args:
        y_true: integer labels, or one-hot rows.
        y_pred: integer labels, probability rows (arg-max is taken), or probabilities of class 1
            of a one-output sigmoid model (thresholded at 0.5).
        num_classes: size of the matrix (default: the largest class id seen + 1).

    Returns:
        An int64 array of shape ``(num_classes, num_classes)``; the diagonal holds the hits.

    Example:
        >>> confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1])
        array([[1, 0, 0],
               [0, 0, 1],
               [0, 1, 1]])
    """
    t, p = _class_ids(y_true, "confusion_matrix"), _class_ids(y_pred, "confusion_matrix")
    if t.shape != p.shape:
        raise ValueError(f"confusion_matrix: expected as many predictions as labels, "
                         f"received {p.size} predictions for {t.size} labels")
    seen = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    n = seen if num_classes is None else int(num_classes)
    if min(t.min(initial=0), p.min(initial=0)) < 0 or seen > n:
        raise ValueError(f"confusion_matrix: expected class ids in [0, {n - 1}], received ids from "
                         f"{min(t.min(initial=0), p.min(initial=0))} to {seen - 1}")
    return np.bincount(t * n + p, minlength=n * n).reshape(n, n).astype(np.int64)


def classification_report(y_true, y_pred, target_names=None, num_classes=None) -> str:
    """A text table of precision, recall, F1 and support per class, from the confusion matrix.

    Per class ``c``: ``precision = hits / predicted as c``, ``recall = hits / truly c``,
    ``F1 = 2 precision recall / (precision + recall)``; ``support`` is the number truly ``c``.

    Args:
        y_true, y_pred, num_classes: as in ``confusion_matrix``.
        target_names: optional class names for the rows.

    Example:
        >>> print(classification_report([0, 1, 1], [0, 1, 0]))   # doctest: +SKIP
    """
    cm = confusion_matrix(y_true, y_pred, num_classes).astype(np.float64)
    n = cm.shape[0]
    names = [str(i) for i in range(n)] if target_names is None else [str(x) for x in target_names]
    if len(names) != n:
        raise ValueError(f"classification_report: expected {n} target_names, received {len(names)}")
    hits, predicted, support = np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, hits / predicted, 0.0)
        recall = np.where(support > 0, hits / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    width = max(12, *(len(s) for s in names))
    lines = [f"{'':>{width}} {'precision':>9} {'recall':>9} {'f1-score':>9} {'support':>9}"]
    for i, name in enumerate(names):
        lines.append(f"{name:>{width}} {precision[i]:9.4f} {recall[i]:9.4f} {f1[i]:9.4f} {int(support[i]):9d}")
    total = support.sum()
    lines.append("")
    lines.append(f"{'accuracy':>{width}} {'':>9} {'':>9} {hits.sum() / max(total, 1):9.4f} {int(total):9d}")
    return "\n".join(lines)
