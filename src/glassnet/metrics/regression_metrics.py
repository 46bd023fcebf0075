"""Regression metrics: how far are predicted numbers from the targets, in readable units?

Mean squared error, mean absolute error, mean absolute percentage error and root mean squared
error. ``RootMeanSquaredError`` keeps the running mean of squared errors and takes the square
root at the end (the mean of per-batch roots would be wrong). Host only, like every metric:
NumPy on host arrays.

Example:
    >>> m = RootMeanSquaredError()
    >>> m.update_state([[0.0]], [[3.0]]); m.update_state([[0.0]], [[4.0]])
    >>> round(m.result(), 4)        # sqrt((9 + 16) / 2), not (3 + 4) / 2
    3.5355
"""
from __future__ import annotations

import numpy as np

from glassnet.metrics.metric import EPSILON, MeanMetricWrapper, _prepare


# ============================================================================ per-sample functions
def mean_squared_error(y_true, y_pred) -> np.ndarray:
    """``mean((y_pred - y_true)^2, axis=-1)`` per sample.

    Example:
        >>> import numpy as np
        >>> mean_squared_error(np.array([[1.0, 2.0]]), np.array([[2.0, 2.0]]))
        array([0.5])
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    return np.mean(np.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred) -> np.ndarray:
    """``mean(|y_pred - y_true|, axis=-1)`` per sample.

    Example:
        >>> import numpy as np
        >>> mean_absolute_error(np.array([[1.0, 2.0]]), np.array([[2.0, 4.0]]))
        array([1.5])
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return np.mean(np.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> np.ndarray:
    """``100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7), axis=-1)`` per sample.

    Example:
        >>> import numpy as np
        >>> mean_absolute_percentage_error(np.array([[2.0, 4.0]]), np.array([[1.0, 5.0]]))
        array([37.5])
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    scale = np.maximum(np.abs(y_true), np.asarray(EPSILON, y_true.dtype))
    return np.mean(np.abs(y_true - y_pred) / scale, axis=-1) * np.asarray(100, y_pred.dtype)


# ============================================================================ metric classes
class MeanSquaredError(MeanMetricWrapper):
    """Running mean of squared errors.

    Example:
        >>> m = MeanSquaredError(); m.update_state([[0.0], [0.0]], [[1.0], [3.0]]); m.result()
        5.0
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of absolute errors.

    Example:
        >>> m = MeanAbsoluteError(); m.update_state([[0.0], [0.0]], [[1.0], [-3.0]]); m.result()
        2.0
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Running mean absolute percentage error (in percent).

    Example:
        >>> m = MeanAbsolutePercentageError(); m.update_state([[2.0]], [[1.5]]); m.result()
        25.0
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class RootMeanSquaredError(MeanMetricWrapper):
    """``sqrt`` of the running mean of squared errors over every sample seen.

    Taking the root at the end (not per batch) makes the epoch value independent of how the
    data was split into batches.

    Example:
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0.0]], [[3.0]]); m.update_state([[0.0]], [[4.0]])
        >>> round(m.result(), 4)        # sqrt((9 + 16) / 2), not (3 + 4) / 2
        3.5355
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)

    def result(self) -> float:
        return float(np.sqrt(super().result()))
