"""Classification losses: how much probability did the model give the right answer?

Binary, categorical and sparse categorical cross-entropy, Kullback-Leibler divergence, and
the hinge loss of support-vector machines. Each is a function returning one loss per sample
and a class that reduces those to a scalar.

Cross-entropies and fusion: a model ending in ``softmax`` (``sigmoid``) followed by
``categorical_crossentropy`` (``binary_crossentropy``) is detected by looking at the op that made
``y_pred`` (``glassnet.ops.losses.logits_behind``); the loss is then computed from the logits
with the fused ops of ``glassnet.ops.losses``: exact even for extreme logits, and its backward
is simply ``probabilities - targets``. Without a recorded graph (inside ``no_grad()``) the
probabilities are clipped to ``[1e-7, 1 - 1e-7]`` as Keras does.

Example:
    >>> import numpy as np
    >>> from glassnet import Tensor, ops
    >>> logits = Tensor([[2.0, 0.0]], requires_grad=True)
    >>> loss = CategoricalCrossentropy()(np.array([[1.0, 0.0]]), ops.softmax(logits))
    >>> round(loss.item(), 4)              # -log(e^2 / (e^2 + 1)), from the logits
    0.1269
"""
from __future__ import annotations

import numpy as np

from glassnet import ops
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.losses.loss import EPSILON, LossFunctionWrapper, _as_pred, _as_true, _c, _prepare
from glassnet.ops._util import normalize_axis
from glassnet.ops.activations import Sigmoid, Softmax
from glassnet.ops.losses import logits_behind, sigmoid_binary_cross_entropy, softmax_cross_entropy


# ============================================================================ helpers
def _class_labels(y_true, y_pred: Tensor, axis: int, name: str, ignore_class=None):
    """Integer labels of shape ``y_pred.shape`` minus the class axis, checked to be in range."""
    labels = _as_true(y_true, y_pred)
    xp = array_module(labels)
    (axis,) = normalize_axis(axis, y_pred.ndim)
    expected = y_pred.shape[:axis] + y_pred.shape[axis + 1:]
    if labels.shape != expected and labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = labels.reshape(expected)  # (N, 1) labels, as Keras accepts
    if labels.shape != expected:
        hint = (" (these look like one-hot targets: use categorical_crossentropy)"
                if labels.shape == y_pred.shape else "")
        raise ValueError(f"{name}: expected integer labels of shape {expected} (or {expected + (1,)}), "
                         f"received shape {labels.shape}{hint}")
    if labels.dtype.kind == "f":
        if not xp.all(labels == xp.round(labels)):
            raise ValueError(f"{name}: expected integer class labels, received non-integer values "
                             f"such as {labels[labels != xp.round(labels)].flat[0]}")
        labels = labels.astype(np.int64)
    elif labels.dtype.kind not in "iub":
        raise TypeError(f"{name}: expected integer labels, received dtype {labels.dtype}")
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = xp.where(valid, labels, 0)  # any in-range class; its loss is zeroed later
    n = y_pred.shape[axis]
    if labels.size and (labels.min() < 0 or labels.max() >= n):
        raise ValueError(f"{name}: expected labels in [0, {n - 1}] for {n} classes, "
                         f"received values from {labels.min()} to {labels.max()}")
    return labels.astype(np.int64, copy=False), valid


def _one_hot(labels, n: int, axis: int, dtype):
    """One-hot encoding of integer ``labels`` with the class axis inserted at ``axis``."""
    xp = array_module(labels)
    eye = xp.eye(n, dtype=dtype)
    return xp.moveaxis(eye[labels], -1, axis)


def _check_smoothing(value, where):
    if not 0 <= float(value) <= 1:
        raise ValueError(f"{where}: expected label_smoothing in [0, 1], received {value}")


# ============================================================================ functional forms
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1) -> Tensor:
    """Binary cross-entropy per sample, for 0/1 (or soft) targets and probabilities of class 1.

    Per element ``-(t log p + (1 - t) log(1 - p))``, then the mean over ``axis``. With
    ``label_smoothing = s`` the targets become ``t (1 - s) + s / 2``.

    If ``from_logits`` or ``y_pred`` is the output of a recorded ``sigmoid``, the loss is computed
    from the logits with the fused, exact ``sigmoid_binary_cross_entropy``; otherwise ``p`` is
    clipped to ``[1e-7, 1 - 1e-7]`` so ``log`` stays finite.

    Example:
        >>> import numpy as np
        >>> binary_crossentropy(np.array([[1.0, 0.0]]), Tensor([[0.9, 0.2]])).data
        array([0.16425204], dtype=float32)
    """
    logits = y_pred if from_logits else logits_behind(y_pred, Sigmoid)
    y_true, x = _prepare(y_true, logits if logits is not None else y_pred, "binary_crossentropy")
    dtype = x.dtype
    if label_smoothing:
        s = _c(label_smoothing, dtype)
        y_true = y_true * (_c(1, dtype) - s) + _c(0.5, dtype) * s
    if logits is not None:
        return ops.mean(sigmoid_binary_cross_entropy(x, y_true), axis=axis)
    p = ops.clip(x, _c(EPSILON, dtype), _c(1 - EPSILON, dtype))
    per_element = -(y_true * ops.log(p) + (_c(1, dtype) - y_true) * ops.log(1 - p))
    return ops.mean(per_element, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1) -> Tensor:
    """Categorical cross-entropy per sample, for one-hot (or probability) targets.

    ``-sum_i t_i log p_i`` over the class ``axis``. With ``label_smoothing = s`` over ``K``
    classes the targets become ``t (1 - s) + s / K``.

    If ``from_logits`` or ``y_pred`` is the output of a recorded ``softmax`` over ``axis``, the
    loss is computed from the logits with the fused ``softmax_cross_entropy`` (log-sum-exp, exact;
    gradient ``p - t``). Otherwise, as in Keras, ``p`` is renormalised to sum to 1 and clipped to
    ``[1e-7, 1 - 1e-7]``.

    Example:
        >>> import numpy as np
        >>> categorical_crossentropy(np.array([[0.0, 1.0, 0.0]]), Tensor([[0.05, 0.9, 0.05]])).data
        array([0.10536055], dtype=float32)
    """
    logits = y_pred if from_logits else logits_behind(y_pred, Softmax, axis)
    x = _as_pred(logits if logits is not None else y_pred)
    y_true = _as_true(y_true, x)
    if y_true.shape != x.shape:
        hint = (" (these look like integer labels: use sparse_categorical_crossentropy)"
                if y_true.shape == x.shape[:-1] or y_true.shape == x.shape[:-1] + (1,) else "")
        raise ValueError(f"categorical_crossentropy: expected one-hot y_true of shape {x.shape}, "
                         f"received shape {y_true.shape}{hint}")
    dtype = x.dtype
    y_true = y_true.astype(dtype, copy=False)
    if label_smoothing:
        s = _c(label_smoothing, dtype)
        n = _c(x.shape[axis], dtype)
        y_true = y_true * (_c(1, dtype) - s) + s / n
    if logits is not None:
        return softmax_cross_entropy(x, y_true, axis=axis)
    p = x / ops.sum(x, axis=axis, keepdims=True)
    p = ops.clip(p, _c(EPSILON, dtype), _c(1 - EPSILON, dtype))
    return -ops.sum(y_true * ops.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1) -> Tensor:
    """Categorical cross-entropy per sample, for integer class labels: ``-log p[label]``.

    Args:
        y_true: integer labels of shape ``y_pred.shape`` minus the class axis (or with a size-1
            axis there, e.g. ``(N, 1)``).
        y_pred: probabilities (or logits if ``from_logits``), classes along ``axis``.
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: a label value whose samples get zero loss (e.g. padding); the default
            reduction then averages over the other samples only.
        axis: the class axis.

    Fusion with a preceding recorded ``softmax`` and clipping otherwise work as in
    ``categorical_crossentropy``.

    Example:
        >>> import numpy as np
        >>> sparse_categorical_crossentropy(np.array([1]), Tensor([[0.05, 0.9, 0.05]])).data
        array([0.10536055], dtype=float32)
    """
    name = "sparse_categorical_crossentropy"
    logits = y_pred if from_logits else logits_behind(y_pred, Softmax, axis)
    x = _as_pred(logits if logits is not None else y_pred)
    labels, valid = _class_labels(y_true, x, axis, name, ignore_class)
    dtype = x.dtype
    if logits is not None:
        loss = softmax_cross_entropy(x, labels, axis=axis)
    else:
        (ax,) = normalize_axis(axis, x.ndim)
        p = x / ops.sum(x, axis=ax, keepdims=True)
        p = ops.clip(p, _c(EPSILON, dtype), _c(1 - EPSILON, dtype))
        loss = -ops.sum(_one_hot(labels, x.shape[ax], ax, dtype) * ops.log(p), axis=ax)
    if valid is not None:
        loss = loss * valid.astype(dtype)
    return loss


def kl_divergence(y_true, y_pred) -> Tensor:
    """Kullback-Leibler divergence per sample: ``sum(t * log(t / p), axis=-1)``.

    As in Keras, both ``t`` and ``p`` are clipped to ``[1e-7, 1]`` first, so zero
    probabilities contribute (almost) nothing instead of ``0 * log 0 = nan``.

    Example:
        >>> import numpy as np
        >>> kl_divergence(np.array([[0.5, 0.5]]), Tensor([[0.25, 0.75]])).data
        array([0.14384104], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "kl_divergence")
    xp = array_module(y_true)
    dtype = y_pred.dtype
    t = xp.clip(y_true, _c(EPSILON, dtype), _c(1, dtype))
    p = ops.clip(y_pred, _c(EPSILON, dtype), _c(1, dtype))
    return ops.sum(t * (xp.log(t) - ops.log(p)), axis=-1)


def hinge(y_true, y_pred) -> Tensor:
    """Hinge loss per sample: ``mean(max(1 - t * y_pred, 0), axis=-1)`` with labels ``t`` in {-1, 1}.

    As in Keras, 0/1 labels are converted to -1/1 first (when every label is 0 or 1).

    Example:
        >>> import numpy as np
        >>> hinge(np.array([[1.0, 0.0]]), Tensor([[0.3, -2.0]])).data   # (0.7 + 0) / 2
        array([0.35], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "hinge")
    xp = array_module(y_true)
    if xp.all((y_true == 0) | (y_true == 1)):
        y_true = _c(2, y_true.dtype) * y_true - _c(1, y_true.dtype)
    return ops.mean(ops.relu(1 - y_pred * y_true), axis=-1)


# ============================================================================ loss classes
class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy, for sigmoid outputs (one or several independent yes/no outputs).

    ``-(t log p + (1 - t) log(1 - p))``, averaged over the last axis, then over the batch.

    Fusion: when ``y_pred`` is the output of a recorded ``sigmoid`` (e.g.
    ``Dense(1, activation="sigmoid")``), the loss is computed from the sigmoid's input with the
    fused, exact op ``sigmoid_binary_cross_entropy`` whose gradient is ``sigmoid(x) - t``. Under
    ``no_grad()`` no graph is recorded, so probabilities are clipped to ``[1e-7, 1 - 1e-7]`` as in
    Keras; the two agree except for saturated probabilities, where the fused value is the exact one.

    Args:
        from_logits: True if ``y_pred`` holds logits (no sigmoid applied).
        label_smoothing: ``s`` in [0, 1]; targets become ``t (1 - s) + s / 2``.
        axis: the axis averaged per sample.

    Example:
        >>> import numpy as np
        >>> BinaryCrossentropy()(np.array([[1.0], [0.0]]), Tensor([[0.9], [0.2]])).item()
        0.1642520...
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy"):
        _check_smoothing(label_smoothing, type(self).__name__)
        super().__init__(binary_crossentropy, reduction=reduction, name=name, from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing), axis=axis)
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy ``-sum_i t_i log p_i`` for one-hot targets and softmax outputs.

    Fusion: when ``y_pred`` is the output of a recorded ``softmax`` over ``axis`` (e.g.
    ``Dense(10, activation="softmax")``), the loss is computed from the softmax's input with the
    fused op ``softmax_cross_entropy`` (log-sum-exp: exact even for extreme logits; gradient
    ``softmax - t``, skipping the softmax Jacobian). Under ``no_grad()`` no graph is recorded and,
    as in Keras, the probabilities are renormalised and clipped to ``[1e-7, 1 - 1e-7]``.

    Args:
        from_logits: True if ``y_pred`` holds logits (no softmax applied).
        label_smoothing: ``s`` in [0, 1]; with K classes targets become ``t (1 - s) + s / K``.
        axis: the class axis.

    Example:
        >>> import numpy as np
        >>> CategoricalCrossentropy()(np.array([[0.0, 1.0]]), Tensor([[0.1, 0.9]])).item()
        0.1053605...
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy"):
        _check_smoothing(label_smoothing, type(self).__name__)
        super().__init__(categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=bool(from_logits), label_smoothing=float(label_smoothing), axis=axis)
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy for integer labels: ``-log p[label]``.

    Same as ``CategoricalCrossentropy`` on one-hot targets, without building them. Fusion with a
    recorded ``softmax`` over the last axis, and Keras-style clipping otherwise, work the same way.

    Args:
        from_logits: True if ``y_pred`` holds logits.
        ignore_class: a label value to ignore (e.g. padding); those samples have zero loss and
            the default reduction averages over the remaining samples only.

    Example:
        >>> import numpy as np
        >>> SparseCategoricalCrossentropy()(np.array([1]), Tensor([[0.1, 0.9]])).item()
        0.1053605...
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=bool(from_logits), ignore_class=ignore_class)
        self.from_logits = bool(from_logits)
        self.ignore_class = ignore_class

    def _valid_mask(self, y_true, y_pred):
        if self.ignore_class is None:
            return None
        return _as_true(y_true, _as_pred(y_pred)) != self.ignore_class


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``sum(t log(t / p))`` between target and predicted distributions.

    Example:
        >>> import numpy as np
        >>> KLDivergence()(np.array([[0.5, 0.5]]), Tensor([[0.25, 0.75]])).item()
        0.1438410...
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence"):
        super().__init__(kl_divergence, reduction=reduction, name=name)


class Hinge(LossFunctionWrapper):
    """Hinge loss ``mean(max(1 - t * y_pred, 0))`` for labels -1/1 (0/1 are converted), as in SVMs.

    Example:
        >>> import numpy as np
        >>> round(Hinge()(np.array([[1.0], [0.0]]), Tensor([[0.3], [-2.0]])).item(), 6)   # (0.7 + 0) / 2
        0.35
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge"):
        super().__init__(hinge, reduction=reduction, name=name)


def target_range(loss):
    """``(low, high)``: the values the targets of ``loss`` must lie in, or None for any.

    Cross-entropies compare probabilities: binary cross-entropy with a label 2 (a three-class
    problem given to a sigmoid output) would train on nonsense instead of failing, so ``fit``
    and ``evaluate`` check the targets against this range once, before training.

    Example:
        >>> target_range(BinaryCrossentropy()), target_range(Hinge())
        ((0.0, 1.0), None)
    """
    fn = getattr(loss, "fn", loss)
    if fn in (binary_crossentropy, categorical_crossentropy):
        return (0.0, 1.0)
    return None
