"""Metrics from thresholded predictions: ``Precision``, ``Recall`` and ``AUC`` (Keras 3 semantics).

Each keeps running counts over the batches of an epoch: at every threshold ``t``, the true
positives (label 1, ``y_pred > t``), false positives (label 0, ``y_pred > t``), true negatives
and false negatives. Ratios are taken only in ``result()``, so the value over an epoch is the
value over all its samples however the batches were cut (a mean of per-batch ratios would not
be). Labels count as positive when nonzero; ``sample_weight`` weights each count.

``AUC`` is the area under the curve those counts trace as the threshold sweeps from 0 to 1:
the ROC curve (true positive rate against false positive rate) or the precision-recall curve.
With ``num_thresholds`` evenly spaced thresholds it approximates the exact area, which
``glassnet.metrics.roc_auc_score`` computes from ranks when all scores are at hand.

Host only, like every metric: NumPy on host arrays.

Example:
    >>> m = AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> m.result()
    0.75
"""
from __future__ import annotations

import numpy as np

from glassnet.metrics.metric import EPSILON, Metric, _array, _same_rank, _weights

NEG_INF = -1e10  # the score given to predictions outside the top k (below every threshold)
CURVES = ("ROC", "PR")
SUMMATION_METHODS = ("interpolation", "minoring", "majoring")


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _thresholds_list(who: str, thresholds) -> list:
    values = [thresholds] if _is_number(thresholds) else thresholds
    if not isinstance(values, (list, tuple, np.ndarray)) or len(values) == 0 \
            or not all(_is_number(t) and 0 <= t <= 1 for t in values):
        raise ValueError(f"{who}: expected thresholds to be a number or a list of numbers in [0, 1], "
                         f"received {thresholds!r}")
    return [float(t) for t in values]


def _keep_top_k(y_pred: np.ndarray, k: int) -> np.ndarray:
    """``y_pred`` with every entry outside the k largest of its row (last axis) set to ``NEG_INF``
    (ties: the earlier class wins, as ``tf.math.top_k``)."""
    order = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    kept = np.full_like(y_pred, NEG_INF)
    np.put_along_axis(kept, order, np.take_along_axis(y_pred, order, axis=-1), axis=-1)
    return kept


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None, class_id=None,
                     multi_label=False, who="confusion_counts") -> dict:
    """True/false positive and negative counts of ``y_pred > t`` for each threshold ``t``.

    Args:
        y_true: labels (nonzero = positive), the shape of ``y_pred`` (Keras's rank rule applies).
        y_pred: scores, usually probabilities.
        thresholds: a list of thresholds.
        sample_weight: optional weights, broadcast against ``y_pred``.
        top_k: only the k largest scores of each row (last axis) may count as positive.
        class_id: only this column (class) of the last axis is counted.
        multi_label: keep the last axis (one set of counts per label) instead of pooling it.

    Returns:
        ``{"tp": ..., "fp": ..., "tn": ..., "fn": ...}``, float64 arrays of shape
        ``(len(thresholds),)`` (``(len(thresholds), labels)`` with ``multi_label``).
    """
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{who}: expected y_true of shape {y_pred.shape} (like y_pred), received {y_true.shape}")
    y_pred = y_pred.astype(np.float64)
    weights = np.ones(y_pred.shape) if sample_weight is None else _weights(sample_weight, y_pred.shape)
    if top_k is not None:
        y_pred = _keep_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 0 or not 0 <= class_id < y_pred.shape[-1]:
            raise ValueError(f"{who}: class_id {class_id} is not a column of predictions of shape {y_pred.shape}")
        y_true, y_pred, weights = y_true[..., class_id], y_pred[..., class_id], weights[..., class_id]
    positive = y_true.astype(bool)
    if multi_label:
        labels = y_pred.shape[-1] if y_pred.ndim else 1
        positive, y_pred, weights = (a.reshape(-1, labels) for a in (positive, y_pred, weights))
    else:
        positive, y_pred, weights = positive.reshape(-1, 1), y_pred.reshape(-1, 1), weights.reshape(-1, 1)
    above = y_pred[None] > np.asarray(thresholds, dtype=np.float64).reshape(-1, 1, 1)   # (T, samples, labels)
    pos_w, neg_w = weights * positive, weights * ~positive
    tp = (above * pos_w).sum(axis=1)
    fp = (above * neg_w).sum(axis=1)
    counts = {"tp": tp, "fp": fp, "fn": pos_w.sum(axis=0) - tp, "tn": neg_w.sum(axis=0) - fp}
    return counts if multi_label else {k: v[:, 0] for k, v in counts.items()}


def _ratio(a, b):
    """a / b, 0 where b is 0 (Keras's divide_no_nan)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast_shapes(a.shape, b.shape)), where=b != 0)


class _ThresholdCounts(Metric):
    """Running confusion counts at one or more thresholds (the state of Precision and Recall)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        who = f"{type(self).__name__}"
        if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1):
            raise ValueError(f"{who}: expected top_k to be None or a positive int, received {top_k!r}")
        if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, (int, np.integer))
                                     or class_id < 0):
            raise ValueError(f"{who}: expected class_id to be None or an int >= 0, received {class_id!r}")
        self.init_thresholds = thresholds
        self.top_k = None if top_k is None else int(top_k)
        self.class_id = None if class_id is None else int(class_id)
        default = 0.5 if top_k is None else NEG_INF  # with top_k, the k kept scores are the positives
        self.thresholds = [default] if thresholds is None else _thresholds_list(who, thresholds)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self) -> None:
        n = len(self.thresholds)
        self.true_positives, self.false_positives = np.zeros(n), np.zeros(n)
        self.false_negatives = np.zeros(n)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        c = confusion_counts(y_true, y_pred, self.thresholds, sample_weight, self.top_k, self.class_id,
                             who=self.name)
        self.true_positives += c["tp"]
        self.false_positives += c["fp"]
        self.false_negatives += c["fn"]

    def _value(self, ratio):
        """One float, or a list with one value per threshold when a list of thresholds was given."""
        single = self.init_thresholds is None or _is_number(self.init_thresholds)
        return float(ratio[0]) if single else [float(r) for r in ratio]

    def get_config(self) -> dict:
        config = super().get_config()
        thresholds = self.init_thresholds
        config.update(thresholds=list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else thresholds,
                      top_k=self.top_k, class_id=self.class_id)
        return config


class Precision(_ThresholdCounts):
    """Of the samples predicted positive, the fraction truly positive: ``TP / (TP + FP)``
    over all batches (0 when nothing was predicted positive).

    Args:
        thresholds: a prediction counts as positive when ``y_pred > threshold``; a number
            (default 0.5) or a list, which makes ``result()`` a list with one value per threshold
            (for use on its own: ``compile`` logs one number per metric, so give it one threshold).
        top_k: only the k highest scores of each sample (row) count as predicted positive
            (multi-label problems); the thresholds then default to "any score".
        class_id: only this class (column of ``y_pred``) is counted.
        name, dtype: see ``Metric``.

    Example:
        >>> m = Precision(); m.update_state([1, 0, 1], [0.9, 0.8, 0.2]); m.result()
        0.5
        >>> m = Precision(top_k=1); m.update_state([[0, 1, 1]], [[0.2, 0.7, 0.1]]); m.result()
        1.0
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="precision", dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name, dtype=dtype)

    def result(self):
        return self._value(_ratio(self.true_positives, self.true_positives + self.false_positives))


class Recall(_ThresholdCounts):
    """Of the truly positive samples, the fraction predicted positive: ``TP / (TP + FN)``.

    Args: as ``Precision``.

    Example:
        >>> m = Recall(); m.update_state([1, 0, 1], [0.9, 0.8, 0.2]); m.result()
        0.5
        >>> m = Recall(thresholds=[0.1, 0.5]); m.update_state([1, 0, 1], [0.9, 0.8, 0.2]); m.result()
        [1.0, 0.5]
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="recall", dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name, dtype=dtype)

    def result(self):
        return self._value(_ratio(self.true_positives, self.true_positives + self.false_negatives))


def _interpolated_pr_auc(tp, fp, fn) -> np.ndarray:
    """Area under the precision-recall curve with Davis and Goadrich's (2006) interpolation
    between thresholds (precision is not linear in recall; Keras's ``interpolate_pr_auc``).

    Between two thresholds the predicted positives p = TP + FP change by dp and TP by dtp;
    assuming TP grows linearly in p there, precision = slope + intercept / p and the area of
    that piece has the closed form summed below.
    """
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    dp = p[:-1] - p[1:]
    slope = _ratio(dtp, np.maximum(dp, 0))
    intercept = tp[1:] - slope * p[1:]
    both = (p[:-1] > 0) & (p[1:] > 0)
    p_ratio = np.where(both, _ratio(p[:-1], np.maximum(p[1:], 0)), 1.0)
    return (_ratio(slope * (dtp + intercept * np.log(p_ratio)), np.maximum(tp[1:] + fn[1:], 0))).sum(axis=0)


class AUC(Metric):
    """Area under the ROC curve (or the precision-recall curve), from running counts at
    ``num_thresholds`` thresholds (Keras 3's ``AUC``).

    The thresholds are ``i / (num_thresholds - 1)``, the first just below 0 and the last just
    above 1, so that every score is caught. For each threshold the counts give a point of the
    curve; the area is a Riemann sum over the points.

    Args:
        num_thresholds: how many thresholds (more: closer to the exact area; default 200).
        curve: ``"ROC"`` (true positive rate against false positive rate) or ``"PR"``
            (precision against recall).
        summation_method: ``"interpolation"`` (trapezoids for ROC; the Davis-Goadrich
            interpolation for PR), ``"minoring"`` (lower sums) or ``"majoring"`` (upper sums).
        thresholds: explicit thresholds in [0, 1] instead of evenly spaced ones.
        multi_label: with several outputs per sample, one curve per label, and the mean of
            their areas (False: all outputs pooled into one curve).
        from_logits: the predictions are logits (a sigmoid is applied first).
        name, dtype: see ``Metric``.

    Example:
        >>> m = AUC(curve="PR", num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> round(m.result(), 4)
        0.8207
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name="auc", dtype=None,
                 thresholds=None, multi_label=False, from_logits=False):
        curve = curve.upper() if isinstance(curve, str) else curve
        if curve not in CURVES:
            raise ValueError(f"AUC: expected curve in {list(CURVES)}, received {curve!r}")
        if summation_method not in SUMMATION_METHODS:
            raise ValueError(f"AUC: expected summation_method in {list(SUMMATION_METHODS)}, "
                             f"received {summation_method!r}")
        if thresholds is None:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) \
                    or num_thresholds < 2:
                raise ValueError(f"AUC: expected num_thresholds to be an int > 1, received {num_thresholds!r}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._given_thresholds = None
        else:
            inner = sorted(_thresholds_list("AUC", thresholds))
            num_thresholds = len(inner) + 2
            self._given_thresholds = inner
        self.num_thresholds = int(num_thresholds)
        self.thresholds = [0.0 - EPSILON] + inner + [1.0 + EPSILON]
        self.curve, self.summation_method = curve, summation_method
        self.multi_label, self.from_logits = bool(multi_label), bool(from_logits)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self) -> None:
        self._counts = None  # {"tp", "fp", "tn", "fn"}: (thresholds,) or (thresholds, labels)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = _array(y_pred)
        if self.from_logits:
            y_pred = 1 / (1 + np.exp(-y_pred.astype(np.float64)))
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight, multi_label=self.multi_label,
                                  who=self.name)
        if self._counts is None:
            self._counts = counts
        elif counts["tp"].shape != self._counts["tp"].shape:
            raise ValueError(f"{self.name}: expected {self._counts['tp'].shape[-1]} labels per sample as in the "
                             f"earlier batches, received {counts['tp'].shape[-1]}")
        else:
            self._counts = {k: self._counts[k] + v for k, v in counts.items()}

    def result(self) -> float:
        if self._counts is None:
            return 0.0
        tp, fp, tn, fn = (self._counts[k] for k in ("tp", "fp", "tn", "fn"))
        if self.curve == "PR" and self.summation_method == "interpolation":
            areas = _interpolated_pr_auc(tp, fp, fn)
        else:
            if self.curve == "ROC":
                x, y = _ratio(fp, fp + tn), _ratio(tp, tp + fn)     # false / true positive rate
            else:
                x, y = _ratio(tp, tp + fn), _ratio(tp, tp + fp)     # recall, precision
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2
            elif self.summation_method == "minoring":
                heights = np.minimum(y[:-1], y[1:])
            else:
                heights = np.maximum(y[:-1], y[1:])
            areas = ((x[:-1] - x[1:]) * heights).sum(axis=0)
        return float(np.mean(areas))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(num_thresholds=self.num_thresholds, curve=self.curve, summation_method=self.summation_method,
                      thresholds=self._given_thresholds, multi_label=self.multi_label, from_logits=self.from_logits)
        return config
