"""Numerically stable array math shared by the ops (with autograd) and the metrics (without).

Each function works on raw arrays of any array library (NumPy, or CuPy on a GPU: see
``backend.array_module``), keeps the input's dtype, and imports nothing from the autograd
stack, so ``glassnet.metrics`` can use it without building graphs. The losses and the metrics
also share two rules here: how targets and predictions of ranks differing by one are matched
(``match_rank``, on shapes) and how sample weights are shaped (``sample_weights``).

Example:
    >>> import numpy as np
    >>> from glassnet import numerics
    >>> numerics.log_softmax(np.array([1000.0, 0.0], dtype=np.float32))
    array([    0., -1000.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from glassnet.backend import array_module


def log_softmax(x, axis: int = -1):
    """``log softmax(x)`` along ``axis``: ``x_i - m - log sum_j e^(x_j - m)`` with ``m = max_j x_j``.

    Subtracting the maximum first keeps every exponent <= 0, so nothing overflows, and working
    in log space means a tiny probability never becomes ``log(0) = -inf``.
    """
    xp = array_module(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def sigmoid(x):
    """The logistic function ``1 / (1 + e^-x)``, computed as ``e^x / (1 + e^x)`` for negative
    ``x`` so that no exponent is positive (``e^-|x|`` is in (0, 1] and never overflows)."""
    xp = array_module(x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def match_rank(true_shape: tuple, pred_shape: tuple) -> tuple:
    """Keras's rule for targets and predictions whose ranks differ by one: the new shapes.

    When one rank is one more than the other and the longer shape ends in a size-1 axis:

    - if the shorter one is a vector, it gains that axis: labels ``(N,)`` beside a one-unit
      output ``(N, 1)`` become ``(N, 1)``, so every sample keeps its own loss;
    - otherwise the longer one loses it: ``(N, T, 1)`` beside ``(N, T)`` becomes ``(N, T)``.

    Any other pair of shapes is returned unchanged (the caller then checks that they are equal:
    broadcasting ``(N,)`` against ``(N, 1)`` to ``(N, N)`` would be a silent, classic bug).
    Losses and metrics both follow this rule; it works on shapes, so it serves NumPy arrays,
    device arrays and Tensors alike.

    Args:
        true_shape: the shape of ``y_true``.
        pred_shape: the shape of ``y_pred``.

    Returns:
        ``(true_shape, pred_shape)`` after the rule, as tuples.

    Example:
        >>> match_rank((4,), (4, 1))
        ((4, 1), (4, 1))
        >>> match_rank((4, 7, 1), (4, 7))
        ((4, 7), (4, 7))
    """
    t, p = tuple(true_shape), tuple(pred_shape)
    if len(t) == len(p) + 1 and t[-1] == 1:
        return (t, p + (1,)) if len(p) == 1 else (t[:-1], p)
    if len(p) == len(t) + 1 and p[-1] == 1:
        return (t + (1,), p) if len(t) == 1 else (t, p[:-1])
    return t, p


def sample_weights(sample_weight, shape: tuple, dtype, xp=None, broadcast: bool = False):
    """Sample weights as an array of ``dtype`` that broadcasts against values of ``shape``.

    ``shape`` is that of the per-sample values (losses or metric values). Weights ``(N, 1)``
    for values ``(N,)`` lose their last axis; weights of lower rank gain trailing size-1 axes,
    so one weight per sample spreads over that sample's other axes (time steps, pixels).

    Args:
        sample_weight: an array, a list or a Tensor (its ``.data`` is used).
        shape: the shape of the values to weight.
        dtype: the dtype of the result (the values' dtype in a loss; float64 in a metric's
            running totals).
        xp: the array library of the result (default: that of ``sample_weight``); a loss
            passes the one its values live in, so host weights move to the device.
        broadcast: return the weights broadcast to exactly ``shape`` (one weight per value,
            as a metric's running totals want) instead of merely broadcastable.

    Returns:
        The weights, broadcastable to ``shape`` (broadcast to it with ``broadcast=True``).

    Raises:
        ValueError: if the weights cannot broadcast to ``shape`` (or, with ``broadcast=True``,
            would broadcast to a larger shape).

    Example:
        >>> sample_weights([1.0, 2.0], (2, 3), "float32").shape
        (2, 1)
    """
    raw = getattr(sample_weight, "data", sample_weight)
    xp = array_module(raw) if xp is None else xp
    w = xp.asarray(raw, dtype=dtype)
    shape = tuple(shape)
    if w.ndim == len(shape) + 1 and w.shape[-1] == 1:
        w = w.reshape(w.shape[:-1])
    if w.ndim < len(shape):
        w = w.reshape(w.shape + (1,) * (len(shape) - w.ndim))
    try:
        full = np.broadcast_shapes(w.shape, shape)
        fits = full == shape or not broadcast
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"sample_weight: expected a shape that broadcasts to the values' shape {shape}, "
                         f"received {tuple(getattr(raw, 'shape', np.shape(raw)))}")
    return xp.broadcast_to(w, shape) if broadcast else w
