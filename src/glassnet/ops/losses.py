"""Fused, numerically stable cross-entropies with hand-written backward.

Why fuse? Computing ``softmax`` and then ``-log`` of it in two steps has two problems:

1. Stability: a probability that underflows to 0 gives ``log(0) = -inf``. Working with the
   logits directly, ``log softmax(x)_i = x_i - logsumexp(x)`` never underflows.
2. Speed and simplicity of the gradient: the softmax Jacobian is a full matrix per sample, but
   composed with cross-entropy it collapses to ``softmax(x) - t``: one subtraction.

Both ops return the *per-element* loss (no mean over the batch); the loss classes in
``glassnet.losses`` do the reduction.

Example:
    >>> import numpy as np
    >>> from glassnet import Tensor
    >>> from glassnet.ops.losses import softmax_cross_entropy
    >>> logits = Tensor([[2.0, 1.0, 0.1]], requires_grad=True)
    >>> softmax_cross_entropy(logits, np.array([0])).data
    array([0.41703], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from glassnet import numerics
from glassnet.backend import array_module
from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import as_tensor, normalize_axis, unbroadcast


def _classes_last(a, axis: int):
    """``a`` as a 2-D (samples, classes) array: a view when the class axis is already last."""
    if axis != a.ndim - 1:
        a = array_module(a).moveaxis(a, axis, -1)
    return a.reshape(-1, a.shape[-1])


class SoftmaxCrossEntropy(Function):
    """Cross-entropy between targets ``t`` and ``softmax(x)`` along ``axis``, from logits ``x``.

    Forward, with ``lse(x) = m + log sum_j e^(x_j - m)`` (``m = max_j x_j``, so no exp overflows):

        log p_i = x_i - lse(x)
        loss    = -sum_i t_i log p_i                 (probability / one-hot targets)
        loss    = -log p_k                            (integer class index k)

    Backward (``g`` = upstream gradient of the loss):

        d loss / d x_i = p_i * sum_j t_j - t_i        (= p_i - t_i when t sums to 1)
        d loss / d t_i = -log p_i                     (only for soft targets that need it)

    For an index target, ``t`` is the one-hot vector of k.
    """

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x, t):
        if x.dtype.kind != "f":
            raise TypeError(f"softmax_cross_entropy: expected float logits, received dtype {x.dtype}")
        (axis,) = normalize_axis(self.axis, x.ndim)
        self.ax = axis
        reduced_shape = x.shape[:axis] + x.shape[axis + 1:]
        if t.shape == x.shape:
            self.sparse = False
            t = t.astype(x.dtype, copy=False)
        elif t.shape == reduced_shape and t.dtype.kind in "iu":
            self.sparse = True
            n = x.shape[axis]
            if t.size and (t.min() < 0 or t.max() >= n):
                raise ValueError(f"softmax_cross_entropy: expected class indices in [0, {n - 1}], "
                                 f"received values from {t.min()} to {t.max()}")
        else:
            raise ValueError(
                f"softmax_cross_entropy: expected target of shape {x.shape} (probabilities / one-hot) "
                f"or integer class indices of shape {reduced_shape}, received shape {t.shape} "
                f"with dtype {t.dtype}")
        xp = self.xp
        log_p = numerics.log_softmax(x, axis)
        self.t = t
        self.p = xp.exp(log_p)
        if self.sparse:
            # pick log p[k] of each sample: with the classes moved last and the rest flattened,
            # that is one fancy index (rows, k) instead of take_along_axis's general machinery
            self.flat_labels = t.reshape(-1)
            self.rows = xp.arange(self.flat_labels.size)
            picked = _classes_last(log_p, axis)[self.rows, self.flat_labels]
            return -picked.reshape(t.shape)
        if self.needs_input_grad[1]:
            self.log_p = log_p
        return -(t * log_p).sum(axis=axis)

    def backward(self, g):
        xp = self.xp
        g = xp.expand_dims(g, self.ax)  # the class axis, so g broadcasts over the classes
        gx = gt = None
        if self.needs_input_grad[0]:
            if self.sparse:
                gx = self.p * g
                # subtract g at the true class of each sample (the one-hot target), in a
                # (samples, classes) view of gx: moved to the end if the class axis is not
                if self.ax != gx.ndim - 1:
                    gx = xp.ascontiguousarray(xp.moveaxis(gx, self.ax, -1))
                g_rows = _classes_last(g, self.ax).reshape(-1)
                gx.reshape(-1, gx.shape[-1])[self.rows, self.flat_labels] -= g_rows
                if self.ax != gx.ndim - 1:
                    gx = xp.moveaxis(gx, -1, self.ax)
            else:
                gx = (self.p * self.t.sum(axis=self.ax, keepdims=True) - self.t) * g
        if not self.sparse and self.needs_input_grad[1]:
            gt = -self.log_p * g
        return gx, gt


class SigmoidBinaryCrossEntropy(Function):
    """Binary cross-entropy between targets ``t`` and ``sigmoid(x)``, element-wise, from logits.

    The textbook form ``-t log s - (1 - t) log(1 - s)`` with ``s = sigmoid(x)`` simplifies to

        loss = log(1 + e^x) - x t = max(x, 0) - x t + log(1 + e^-|x|)

    where the last form never overflows (``e^-|x| <= 1``). Backward:

        d loss / d x = sigmoid(x) - t
        d loss / d t = -x
    """

    def forward(self, x, t):
        if x.dtype.kind != "f":
            raise TypeError(f"sigmoid_binary_cross_entropy: expected float logits, received dtype {x.dtype}")
        try:
            np.broadcast_shapes(x.shape, t.shape)
        except ValueError:
            raise ValueError(f"sigmoid_binary_cross_entropy: target shape {t.shape} does not broadcast "
                             f"against logits shape {x.shape}") from None
        t = t.astype(x.dtype, copy=False)
        self.x, self.t = x, t
        xp = self.xp
        return xp.maximum(x, 0) - x * t + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, g):
        gx = unbroadcast((numerics.sigmoid(self.x) - self.t) * g, self.x.shape) if self.needs_input_grad[0] else None
        gt = unbroadcast(-self.x * g, self.t.shape) if self.needs_input_grad[1] else None
        return gx, gt


# ---------------------------------------------------------------------------- functional API
def softmax_cross_entropy(logits, target, axis=-1) -> Tensor:
    """Per-sample cross-entropy of ``softmax(logits)`` against ``target``, computed stably.

    Args:
        logits: float tensor of unnormalised scores, classes along ``axis``.
        target: either probabilities / one-hot of the same shape as ``logits``, or integer
            class indices with the shape of ``logits`` minus the class axis.
        axis: the class axis.

    Returns:
        A tensor with the shape of ``logits`` minus the class axis (no reduction).

    Example:
        >>> import numpy as np
        >>> logits = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.0]], requires_grad=True)
        >>> loss = softmax_cross_entropy(logits, np.array([0, 1]))   # shape (2,)
        >>> loss.sum().backward()                                    # grad = softmax - one_hot
    """
    logits = as_tensor(logits)
    if not isinstance(target, Tensor):
        arr = array_module(logits.data).asarray(target)  # labels go where the logits live
        target = Tensor(arr, dtype=logits.dtype if arr.dtype.kind == "f" else None)
    return SoftmaxCrossEntropy(axis)(logits, target)


def sigmoid_binary_cross_entropy(logits, target) -> Tensor:
    """Element-wise binary cross-entropy of ``sigmoid(logits)`` against ``target`` in [0, 1].

    Args:
        logits: float tensor of unnormalised scores.
        target: probabilities of the positive class (0/1 labels or soft), broadcastable.

    Returns:
        A tensor with the broadcast shape of ``logits`` and ``target`` (no reduction).

    Example:
        >>> import numpy as np
        >>> x = Tensor([[3.0, -1.0]], requires_grad=True)
        >>> sigmoid_binary_cross_entropy(x, np.array([[1.0, 0.0]])).data
        array([[0.04858735, 0.31326163]], dtype=float32)
    """
    logits = as_tensor(logits)
    return SigmoidBinaryCrossEntropy()(logits, as_tensor(target, logits))


def logits_behind(y_pred, function_type, axis=None):
    """The logits a recorded ``Softmax`` or ``Sigmoid`` turned into ``y_pred``, or None.

    Why: a model ending in ``Dense(10, activation="softmax")`` hands the loss probabilities,
    but the cross-entropy is best computed from the logits before the softmax, with the fused
    ``softmax_cross_entropy`` (exact for any logits, gradient ``p - t``; see the module
    docstring). A Tensor produced by an op while the graph is recorded remembers that op
    (``y_pred._ctx``) and the op its inputs, so the loss can reach back for the logits. This
    function is the one place outside the autograd core that looks into the graph that way.

    Args:
        y_pred: the loss's prediction (a Tensor, or anything else: then None).
        function_type: the op class to look for, ``Softmax`` or ``Sigmoid``.
        axis: for ``Softmax``, the loss's class axis; the softmax must have been taken over it
            (a softmax over another axis is not the distribution the loss compares).

    Returns:
        The op's input Tensor (the logits), or None when ``y_pred`` was not made by such an op,
        or when no graph was recorded (under ``no_grad()``, or from inputs that need no
        gradient): the loss then works on the probabilities, clipped.

    Example:
        >>> from glassnet.ops.activations import Softmax
        >>> logits = Tensor([[2.0, 0.5]], requires_grad=True)
        >>> logits_behind(Softmax(-1)(logits), Softmax, axis=-1) is logits
        True
    """
    ctx = getattr(y_pred, "_ctx", None)
    if not isinstance(ctx, function_type) or ctx.inputs is None:
        return None
    if axis is not None and normalize_axis(ctx.axis, y_pred.ndim) != normalize_axis(axis, y_pred.ndim):
        return None
    return ctx.inputs[0]
