"""Gradient clipping: the ``clipnorm`` and ``global_clipnorm`` options of every optimizer.

Clipping bounds the size of an update when a gradient explodes (long RNN sequences, the first
steps of a badly scaled net). ``clipnorm`` rescales each gradient array on its own;
``global_clipnorm`` rescales all of them by one factor, which keeps the direction of the whole
update. The results are new arrays: a gradient may be shared by several tensors.
"""
from __future__ import annotations

import math

import numpy as np


def global_norm(grads) -> float:
    """The L2 norm of all gradients together: ``sqrt(sum over arrays of sum(g^2))``.

    Example:
        >>> import numpy as np
        >>> global_norm([np.array([3.0]), np.array([4.0])])
        5.0
    """
    # float64 accumulator for accuracy; the squares themselves stay in the gradient's dtype
    return math.sqrt(sum(float((g * g).sum(dtype=np.float64)) for g in grads))


def clip_by_norm(grad: np.ndarray, clipnorm: float) -> np.ndarray:
    """``grad`` rescaled so that its L2 norm is at most ``clipnorm`` (a new array when it is).

    ``g * clipnorm / max(||g||, clipnorm)``: unchanged if the norm is already small enough.
    """
    norm = global_norm([grad])
    if norm <= clipnorm:
        return grad
    return grad * grad.dtype.type(clipnorm / norm)


def clip_by_global_norm(grads, clipnorm: float) -> list:
    """All gradients rescaled by the same factor so that their global norm is at most ``clipnorm``.

    Unlike per-array clipping this keeps the direction of the whole update. If the norm is not
    finite (inf or NaN), the result is NaN, as in Keras, so that the problem shows.

    Example:
        >>> import numpy as np
        >>> clip_by_global_norm([np.array([3.0]), np.array([4.0])], 1.0)
        [array([0.6]), array([0.8])]
    """
    norm = global_norm(grads)
    if not math.isfinite(norm):
        scale = math.nan
    elif norm <= clipnorm:
        return list(grads)
    else:
        scale = clipnorm / norm
    return [g * g.dtype.type(scale) for g in grads]
