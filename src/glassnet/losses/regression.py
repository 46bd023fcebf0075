"""Regression losses: how far is a predicted number from the target number?

Mean squared error (the usual choice), mean absolute error and Huber (less sensitive to
outliers), mean absolute percentage error (relative to the target) and cosine similarity
(direction only). Each is a function returning one loss per sample (the mean over the last
axis, as Keras takes it) and a class that reduces those to a scalar.

Example:
    >>> import numpy as np
    >>> from glassnet import Tensor
    >>> MeanSquaredError()(np.array([[0.0], [2.0]]), Tensor([[1.0], [1.0]])).item()
    1.0
"""
from __future__ import annotations

from glassnet import ops
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.losses.loss import EPSILON, LossFunctionWrapper, _c, _prepare


# ============================================================================ functional forms
def mean_squared_error(y_true, y_pred) -> Tensor:
    """Mean squared error per sample: ``mean((y_pred - y_true)^2, axis=-1)``.

    Args:
        y_true: targets, same shape as ``y_pred`` (a ``(N,)`` target for an ``(N, 1)`` output is fine).
        y_pred: predictions, a Tensor.

    Returns:
        Tensor of shape ``y_pred.shape[:-1]``.

    Example:
        >>> import numpy as np
        >>> mean_squared_error(np.array([[0.0, 1.0]]), Tensor([[1.0, 1.0]])).data
        array([0.5], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    error = y_pred - y_true
    return ops.mean(error * error, axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """Mean absolute error per sample: ``mean(|y_pred - y_true|, axis=-1)``.

    Example:
        >>> import numpy as np
        >>> mean_absolute_error(np.array([[0.0, 1.0]]), Tensor([[1.0, 3.0]])).data
        array([1.5], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return ops.mean(ops.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> Tensor:
    """Mean absolute percentage error: ``100 * mean(|y_true - y_pred| / max(|y_true|, eps), axis=-1)``.

    The ``eps = 1e-7`` guard avoids dividing by a zero target (the loss is then huge, not inf).

    Example:
        >>> import numpy as np
        >>> mean_absolute_percentage_error(np.array([[2.0, 4.0]]), Tensor([[1.0, 5.0]])).data
        array([37.5], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    xp = array_module(y_true)
    scale = xp.maximum(xp.abs(y_true), _c(EPSILON, y_true.dtype))
    relative = ops.abs(y_pred - y_true) / scale
    return ops.mean(relative, axis=-1) * _c(100, y_pred.dtype)


def huber(y_true, y_pred, delta=1.0) -> Tensor:
    """Huber loss: quadratic for small errors, linear for large ones (robust to outliers).

    With ``e = y_pred - y_true``, per element ``0.5 e^2`` if ``|e| <= delta`` else
    ``delta (|e| - 0.5 delta)``; then the mean over the last axis.

    Example:
        >>> import numpy as np
        >>> huber(np.array([[0.0, 0.0]]), Tensor([[0.5, 3.0]])).data   # (0.125 + 2.5) / 2
        array([1.3125], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "huber")
    dtype = y_pred.dtype
    half, d = _c(0.5, dtype), _c(delta, dtype)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    quadratic = half * error * error
    linear = d * abs_error - half * d * d
    return ops.mean(ops.where(abs_error.data <= d, quadratic, linear), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1) -> Tensor:
    """Negative cosine similarity per sample: ``-sum(unit(t) * unit(p), axis)``.

    ``unit(v) = v / sqrt(max(sum(v^2), 1e-12))``. The value is -1 when prediction and target
    point the same way, 0 when orthogonal, so minimising it aligns them (Keras's convention).

    Example:
        >>> import numpy as np
        >>> cosine_similarity(np.array([[1.0, 1.0]]), Tensor([[2.0, 2.0]])).data
        array([-0.99999994], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "cosine_similarity")
    xp = array_module(y_true)
    floor = _c(1e-12, y_pred.dtype)
    t = y_true / xp.sqrt(xp.maximum((y_true * y_true).sum(axis=axis, keepdims=True), floor))
    p = y_pred / ops.sqrt(ops.maximum(ops.sum(y_pred * y_pred, axis=axis, keepdims=True), floor))
    return -ops.sum(p * t, axis=axis)


# ============================================================================ loss classes
class MeanSquaredError(LossFunctionWrapper):
    """Mean of squared errors: ``mean((y_pred - y_true)^2)``. The usual regression loss.

    Example:
        >>> import numpy as np
        >>> MeanSquaredError()(np.array([[0.0], [1.0]]), Tensor([[1.0], [1.0]])).item()
        0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors: ``mean(|y_pred - y_true|)``; less sensitive to outliers than MSE.

    Example:
        >>> import numpy as np
        >>> MeanAbsoluteError()(np.array([[0.0], [1.0]]), Tensor([[1.0], [3.0]])).item()
        1.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, reduction=reduction, name=name)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(|y_true - y_pred| / |y_true|)``: the error in percent of the target.

    Example:
        >>> import numpy as np
        >>> MeanAbsolutePercentageError()(np.array([[2.0]]), Tensor([[1.0]])).item()
        50.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error"):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name)


class Huber(LossFunctionWrapper):
    """Huber loss: ``0.5 e^2`` for ``|e| <= delta``, ``delta (|e| - 0.5 delta)`` beyond.

    Args:
        delta: where the loss turns from quadratic to linear.

    Example:
        >>> import numpy as np
        >>> Huber(delta=1.0)(np.array([[0.0]]), Tensor([[3.0]])).item()
        2.5
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss"):
        super().__init__(huber, reduction=reduction, name=name, delta=float(delta))


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity ``-cos(y_true, y_pred)`` along ``axis`` (-1 best, 0 orthogonal).

    Args:
        axis: the axis along which vectors are compared.

    Example:
        >>> import numpy as np
        >>> CosineSimilarity()(np.array([[0.0, 1.0]]), Tensor([[0.0, 3.0]])).item()
        -1.0
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity"):
        super().__init__(cosine_similarity, reduction=reduction, name=name, axis=axis)
        self.axis = axis
