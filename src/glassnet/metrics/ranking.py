"""Exact ROC curve and ROC AUC from all the scores at once (host-side helpers, as scikit-learn's).

``roc_auc_score`` is the probability that a randomly drawn positive sample scores higher than
a randomly drawn negative one (ties count one half): the Mann-Whitney U statistic divided by
``n_pos * n_neg``, computed from the ranks of the scores in O(n log n). It equals the area
under ``roc_curve``'s points, which are taken at every distinct score. The stateful
``glassnet.metrics.AUC`` approximates the same area batch by batch with fixed thresholds.

Used for anomaly detection: the score is a reconstruction error, the positives the anomalies.

Example:
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
"""
from __future__ import annotations

import numpy as np

from glassnet.metrics.metric import _array


def _binary_inputs(y_true, scores, who: str):
    y_true, scores = np.ravel(_array(y_true)), np.ravel(_array(scores)).astype(np.float64)
    if y_true.shape != scores.shape:
        raise ValueError(f"{who}: expected as many scores as labels, received {scores.size} scores for "
                         f"{y_true.size} labels")
    values = np.unique(y_true)
    if not np.isin(values, [0, 1]).all():
        raise ValueError(f"{who}: expected labels 0 and 1 (or booleans), received the values {values[:10].tolist()}")
    if np.isnan(scores).any():
        raise ValueError(f"{who}: the scores contain NaN")
    positive = y_true.astype(bool)
    if positive.all() or not positive.any():
        raise ValueError(f"{who}: needs both positive and negative samples; only label "
                         f"{int(positive[0]) if positive.size else 'none'} is present")
    return positive, scores


def roc_curve(y_true, scores):
    """The ROC curve: false and true positive rates at every distinct score used as threshold.

    A sample is predicted positive when its score is ``>= threshold``. The first point is
    ``(0, 0)`` at threshold ``+inf`` (nothing predicted positive), the last ``(1, 1)``.

    Args:
        y_true: labels 0/1 (or booleans), any shape (flattened).
        scores: higher means more likely positive (probabilities, reconstruction errors...).

    Returns:
        ``(fpr, tpr, thresholds)``: float64 arrays; thresholds decrease. Every distinct score
        gives a point (scikit-learn's ``roc_curve(..., drop_intermediate=False)``).

    Raises:
        ValueError: labels other than 0/1, mismatched sizes, NaN scores, or a single class.

    Example:
        >>> fpr, tpr, thresholds = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> fpr.tolist(), tpr.tolist()
        ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    positive, scores = _binary_inputs(y_true, scores, "roc_curve")
    order = np.argsort(-scores, kind="stable")
    sorted_scores, hits = scores[order], positive[order]
    # the last index of each run of equal scores: every sample of a tie flips together
    ends = np.r_[np.flatnonzero(np.diff(sorted_scores)), sorted_scores.size - 1]
    tps = np.cumsum(hits)[ends]
    fps = (ends + 1) - tps
    tpr = np.r_[0.0, tps / tps[-1]]
    fpr = np.r_[0.0, fps / fps[-1]]
    return fpr, tpr, np.r_[np.inf, sorted_scores[ends]]


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``values``, ties sharing the mean of their ranks."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    starts = np.r_[True, sorted_values[1:] != sorted_values[:-1]]
    group = np.cumsum(starts) - 1                    # the tie group of each sorted position
    first = np.flatnonzero(starts)                   # 0-based first position of each group
    last = np.r_[first[1:], values.size] - 1
    ranks = np.empty(values.size)
    ranks[order] = ((first + last) / 2 + 1)[group]
    return ranks


def roc_auc_score(y_true, scores) -> float:
    """The exact area under the ROC curve, from ranks (ties count one half).

    ``AUC = (R_pos - n_pos (n_pos + 1) / 2) / (n_pos n_neg)`` where ``R_pos`` is the sum of the
    positives' ranks among all scores: the fraction of (positive, negative) pairs the scores
    order correctly. 1 is a perfect ranking, 0.5 a random one.

    Args:
        y_true: labels 0/1 (or booleans), any shape (flattened).
        scores: higher means more likely positive.

    Raises:
        ValueError: as ``roc_curve``.

    Example:
        >>> roc_auc_score([1, 0, 1], [0.9, 0.9, 0.2])       # a tie counts one half
        0.25
    """
    positive, scores = _binary_inputs(y_true, scores, "roc_auc_score")
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    rank_sum = _average_ranks(scores)[positive].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
