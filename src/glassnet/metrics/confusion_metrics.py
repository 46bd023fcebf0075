"""Metrics from counting hits and misses: the confusion matrix and a report.

``confusion_matrix`` and ``classification_report`` look at all predictions at once. The
stateful ``Precision`` and ``Recall``, which keep running counts over the batches, live in
``threshold_metrics`` (with ``AUC``) and are imported here too.
Host only, like every metric: NumPy on host arrays.

Example:
    >>> confusion_matrix([0, 1, 1], [0, 1, 0])
    array([[1, 0],
           [1, 1]])
"""
from __future__ import annotations

import numpy as np

from glassnet.metrics.metric import _array
from glassnet.metrics.threshold_metrics import Precision, Recall  # noqa: F401 (their old home)


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
