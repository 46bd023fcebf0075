"""Loss functions: how wrong is the prediction? Keras-style classes and functions.

Each loss is written twice, as in Keras:

- a *function* ``mean_squared_error(y_true, y_pred)`` that holds the math and returns one loss
  value per sample (the mean over the last axis, where Keras takes it), and
- a *class* ``MeanSquaredError(reduction=..., name=...)`` whose call reduces those per-sample
  values to the one number that ``backward()`` starts from.

``y_true`` is a constant (an ndarray, list or Tensor; never differentiated) and ``y_pred`` is the
model's output Tensor. Reductions (``reduction=``):

- ``"sum_over_batch_size"`` (default): sum of the (weighted) per-sample losses / their number;
- ``"sum"``: the plain sum;
- ``"none"`` (or ``None``): the per-sample losses, unreduced;
- ``"mean_with_sample_weight"``: sum of the weighted losses / sum of the weights.

Cross-entropies and fusion: a model ending in ``softmax`` (``sigmoid``) followed by
``categorical_crossentropy`` (``binary_crossentropy``) is detected by looking at the op that made
``y_pred``; the loss is then computed from the logits with the fused ops of
``glassnet.ops.losses``: exact even for extreme logits, and its backward is simply
``probabilities - targets``. Without a recorded graph (inside ``no_grad()``) the probabilities
are clipped to ``[1e-7, 1 - 1e-7]`` as Keras does.

Example:
    >>> import numpy as np
    >>> from glassnet import Tensor, losses
    >>> loss_fn = losses.get("mse")
    >>> y_pred = Tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    >>> loss = loss_fn(np.array([[1.0, 1.0], [3.0, 3.0]]), y_pred)   # ((0+1)/2 + (0+4)/2) / 2
    >>> float(loss.data)
    1.25
    >>> loss.backward()
"""
from __future__ import annotations

import numpy as np

from glassnet import ops
from glassnet.core.tensor import Tensor
from glassnet.ops._util import normalize_axis
from glassnet.ops.activations import Sigmoid, Softmax
from glassnet.ops.losses import sigmoid_binary_cross_entropy, softmax_cross_entropy

EPSILON = 1e-7  # Keras's backend.epsilon(): the clipping margin for probabilities
REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight")


# ============================================================================ helpers
def _c(value, dtype):
    """A constant in ``dtype`` (a bare Python float would silently upcast float32 to float64)."""
    return np.asarray(value, dtype=dtype)


def _as_pred(y_pred) -> Tensor:
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor(y_pred)
    if y_pred.dtype.kind != "f":
        raise TypeError(f"loss: expected a float y_pred, received dtype {y_pred.dtype}")
    return y_pred


def _as_true(y_true) -> np.ndarray:
    """``y_true`` as a raw array: the targets are constants, never differentiated."""
    return y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true)


def _match_rank(y_true: np.ndarray, y_pred: Tensor, name: str):
    """Keras's rule for targets whose rank differs by one with a size-1 last axis.

    ``y_true`` of shape ``(N,)`` against ``y_pred`` of shape ``(N, 1)`` (a one-unit output) is
    expanded to ``(N, 1)``; ``y_pred`` of shape ``(N, T, 1)`` against ``y_true`` ``(N, T)`` is
    squeezed. Any other shape mismatch is an error (Keras would broadcast silently, a classic bug).
    """
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            y_pred = ops.expand_dims(y_pred, -1)
        else:
            y_true = y_true.reshape(y_true.shape[:-1])
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            y_true = y_true.reshape(y_true.shape + (1,))
        else:
            y_pred = ops.squeeze(y_pred, -1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: expected y_true of shape {y_pred.shape} (like y_pred), "
                         f"received shape {y_true.shape}")
    return y_true, y_pred


def _prepare(y_true, y_pred, name: str):
    """Targets as an array in y_pred's float dtype, both of the same shape."""
    y_pred = _as_pred(y_pred)
    y_true = _as_true(y_true).astype(y_pred.dtype, copy=False)
    return _match_rank(y_true, y_pred, name)


def _logits_behind(y_pred, function_type, axis=None):
    """The input of the ``function_type`` op (Softmax / Sigmoid) that produced ``y_pred``, or None.

    Only a recorded graph remembers its op: under ``no_grad()`` this returns None. For Softmax,
    the op's axis must be the loss's class axis.
    """
    ctx = getattr(y_pred, "_ctx", None)
    if not isinstance(ctx, function_type) or ctx.inputs is None:
        return None
    if axis is not None and normalize_axis(ctx.axis, y_pred.ndim) != normalize_axis(axis, y_pred.ndim):
        return None
    return ctx.inputs[0]


def _class_labels(y_true, y_pred: Tensor, axis: int, name: str, ignore_class=None):
    """Integer labels of shape ``y_pred.shape`` minus the class axis, checked to be in range."""
    labels = _as_true(y_true)
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
        if not np.all(labels == np.round(labels)):
            raise ValueError(f"{name}: expected integer class labels, received non-integer values "
                             f"such as {labels[labels != np.round(labels)].flat[0]}")
        labels = labels.astype(np.int64)
    elif labels.dtype.kind not in "iub":
        raise TypeError(f"{name}: expected integer labels, received dtype {labels.dtype}")
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)  # any in-range class; its loss is zeroed later
    n = y_pred.shape[axis]
    if labels.size and (labels.min() < 0 or labels.max() >= n):
        raise ValueError(f"{name}: expected labels in [0, {n - 1}] for {n} classes, "
                         f"received values from {labels.min()} to {labels.max()}")
    return labels.astype(np.int64, copy=False), valid


def _one_hot(labels: np.ndarray, n: int, axis: int, dtype) -> np.ndarray:
    """One-hot encoding of integer ``labels`` with the class axis inserted at ``axis``."""
    eye = np.eye(n, dtype=dtype)
    return np.moveaxis(eye[labels], -1, axis)


# ============================================================================ functional forms
def mean_squared_error(y_true, y_pred) -> Tensor:
    """Mean squared error per sample: ``mean((y_pred - y_true)^2, axis=-1)``.

    Args:
        y_true: targets, same shape as ``y_pred`` (a ``(N,)`` target for an ``(N, 1)`` output is fine).
        y_pred: predictions, a Tensor.

    Returns:
        Tensor of shape ``y_pred.shape[:-1]``.

    Example:
        >>> mean_squared_error(np.array([[0.0, 1.0]]), Tensor([[1.0, 1.0]])).data
        array([0.5], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    error = y_pred - y_true
    return ops.mean(error * error, axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """Mean absolute error per sample: ``mean(|y_pred - y_true|, axis=-1)``.

    Example:
        >>> mean_absolute_error(np.array([[0.0, 1.0]]), Tensor([[1.0, 3.0]])).data
        array([1.5], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return ops.mean(ops.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> Tensor:
    """Mean absolute percentage error: ``100 * mean(|y_true - y_pred| / max(|y_true|, eps), axis=-1)``.

    The ``eps = 1e-7`` guard avoids dividing by a zero target (the loss is then huge, not inf).

    Example:
        >>> mean_absolute_percentage_error(np.array([[2.0, 4.0]]), Tensor([[1.0, 5.0]])).data
        array([37.5], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    scale = np.maximum(np.abs(y_true), _c(EPSILON, y_true.dtype))
    relative = ops.abs(y_pred - y_true) / scale
    return ops.mean(relative, axis=-1) * _c(100, y_pred.dtype)


def huber(y_true, y_pred, delta=1.0) -> Tensor:
    """Huber loss: quadratic for small errors, linear for large ones (robust to outliers).

    With ``e = y_pred - y_true``, per element ``0.5 e^2`` if ``|e| <= delta`` else
    ``delta (|e| - 0.5 delta)``; then the mean over the last axis.

    Example:
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


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1) -> Tensor:
    """Binary cross-entropy per sample, for 0/1 (or soft) targets and probabilities of class 1.

    Per element ``-(t log p + (1 - t) log(1 - p))``, then the mean over ``axis``. With
    ``label_smoothing = s`` the targets become ``t (1 - s) + s / 2``.

    If ``from_logits`` or ``y_pred`` is the output of a recorded ``sigmoid``, the loss is computed
    from the logits with the fused, exact ``sigmoid_binary_cross_entropy``; otherwise ``p`` is
    clipped to ``[1e-7, 1 - 1e-7]`` so ``log`` stays finite.

    Example:
        >>> binary_crossentropy(np.array([[1.0, 0.0]]), Tensor([[0.9, 0.2]])).data
        array([0.16425204], dtype=float32)
    """
    logits = y_pred if from_logits else _logits_behind(y_pred, Sigmoid)
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
        >>> categorical_crossentropy(np.array([[0.0, 1.0, 0.0]]), Tensor([[0.05, 0.9, 0.05]])).data
        array([0.10536055], dtype=float32)
    """
    logits = y_pred if from_logits else _logits_behind(y_pred, Softmax, axis)
    x = _as_pred(logits if logits is not None else y_pred)
    y_true = _as_true(y_true)
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
        >>> sparse_categorical_crossentropy(np.array([1]), Tensor([[0.05, 0.9, 0.05]])).data
        array([0.10536055], dtype=float32)
    """
    name = "sparse_categorical_crossentropy"
    logits = y_pred if from_logits else _logits_behind(y_pred, Softmax, axis)
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
        >>> kl_divergence(np.array([[0.5, 0.5]]), Tensor([[0.25, 0.75]])).data
        array([0.14384104], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "kl_divergence")
    dtype = y_pred.dtype
    t = np.clip(y_true, _c(EPSILON, dtype), _c(1, dtype))
    p = ops.clip(y_pred, _c(EPSILON, dtype), _c(1, dtype))
    return ops.sum(t * (np.log(t) - ops.log(p)), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1) -> Tensor:
    """Negative cosine similarity per sample: ``-sum(unit(t) * unit(p), axis)``.

    ``unit(v) = v / sqrt(max(sum(v^2), 1e-12))``. The value is -1 when prediction and target
    point the same way, 0 when orthogonal, so minimising it aligns them (Keras's convention).

    Example:
        >>> cosine_similarity(np.array([[1.0, 1.0]]), Tensor([[2.0, 2.0]])).data
        array([-0.99999994], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "cosine_similarity")
    floor = _c(1e-12, y_pred.dtype)
    t = y_true / np.sqrt(np.maximum((y_true * y_true).sum(axis=axis, keepdims=True), floor))
    p = y_pred / ops.sqrt(ops.maximum(ops.sum(y_pred * y_pred, axis=axis, keepdims=True), floor))
    return -ops.sum(p * t, axis=axis)


def hinge(y_true, y_pred) -> Tensor:
    """Hinge loss per sample: ``mean(max(1 - t * y_pred, 0), axis=-1)`` with labels ``t`` in {-1, 1}.

    As in Keras, 0/1 labels are converted to -1/1 first (when every label is 0 or 1).

    Example:
        >>> hinge(np.array([[1.0, 0.0]]), Tensor([[0.3, -2.0]])).data   # (0.7 + 0) / 2
        array([0.35], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred, "hinge")
    if np.all((y_true == 0) | (y_true == 1)):
        y_true = _c(2, y_true.dtype) * y_true - _c(1, y_true.dtype)
    return ops.mean(ops.relu(1 - y_pred * y_true), axis=-1)


# ============================================================================ reduction
def _weights_like(sample_weight, values: Tensor) -> np.ndarray:
    """Sample weights as an array that broadcasts against the per-sample losses."""
    w = np.asarray(sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight,
                   dtype=values.dtype)
    if w.ndim == values.ndim + 1 and w.shape[-1] == 1:
        w = w.reshape(w.shape[:-1])  # (N, 1) weights for (N,) losses
    while w.ndim < values.ndim:
        w = w.reshape(w.shape + (1,))  # one weight per sample, spread over its other axes
    try:
        np.broadcast_shapes(w.shape, values.shape)
    except ValueError:
        raise ValueError(f"sample_weight: expected a shape that broadcasts to the per-sample losses "
                         f"{values.shape}, received {np.shape(sample_weight)}") from None
    return w


def reduce_weighted_values(values: Tensor, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size") -> Tensor:
    """Weight the per-sample losses and reduce them to a scalar (see the module docstring).

    Args:
        values: per-sample losses.
        sample_weight: optional weights, one per sample (or broadcastable).
        mask: optional boolean array, False for entries to leave out (e.g. ``ignore_class``);
            their loss must already be zero; they are left out of the divisor.
        reduction: one of ``"sum_over_batch_size"``, ``"sum"``, ``"none"``, ``"mean"``,
            ``"mean_with_sample_weight"``.
    """
    weights = None
    if sample_weight is not None:
        weights = _weights_like(sample_weight, values)
        values = values * weights
    if reduction is None or reduction == "none" or values.ndim == 0:
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weights is not None:
        count = float(np.broadcast_to(weights, values.shape).sum())
    elif mask is not None:
        count = float(np.count_nonzero(mask))
    else:
        count = float(values.size)
    # an empty batch (or all weights zero) gives 0, not nan, as Keras's divide_no_nan
    return total / _c(count if count else 1.0, values.dtype)


# ============================================================================ loss classes
class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` returns a scalar Tensor.

    Subclasses implement ``call(y_true, y_pred)`` returning the per-sample losses; ``__call__``
    weights and reduces them.

    Args:
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"none"`` (or None),
            ``"mean"`` (same as the default) or ``"mean_with_sample_weight"``.
        name: name of the loss (default: the class name in snake_case).

    Example:
        >>> class MeanCubedError(Loss):
        ...     def call(self, y_true, y_pred):
        ...         e = y_pred - y_true
        ...         return ops.mean(ops.abs(e * e * e), axis=-1)
        >>> MeanCubedError()(np.zeros((2, 1)), Tensor([[1.0], [2.0]])).item()
        4.5
    """

    def __init__(self, reduction="sum_over_batch_size", name=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: expected reduction in {list(REDUCTIONS)}, "
                             f"received {reduction!r}")
        self.reduction = reduction
        self.name = name or backend.snake_case(type(self).__name__)

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        values = self.call(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, self._valid_mask(y_true, y_pred),
                                      self.reduction)

    def call(self, y_true, y_pred) -> Tensor:  # pragma: no cover - interface
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def _valid_mask(self, y_true, y_pred):
        """Boolean array of the entries that count in the mean, or None (all count)."""
        return None

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"



class LossFunctionWrapper(Loss):
    """Turns a per-sample loss function ``fn(y_true, y_pred, **kwargs)`` into a Loss.

    Args:
        fn: the function; it returns one loss per sample.
        reduction: see ``Loss``.
        name: defaults to ``fn.__name__``.
        **kwargs: extra arguments passed to ``fn`` on every call (and saved in the config).

    Example:
        >>> loss = LossFunctionWrapper(huber, delta=2.0)
        >>> loss(np.zeros((1, 1)), Tensor([[3.0]])).item()   # 2 * (3 - 1)
        4.0
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"LossFunctionWrapper: expected a callable, received {fn!r}")
        super().__init__(reduction=reduction, name=name or getattr(fn, "__name__", "loss"))
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred) -> Tensor:
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            config["fn"] = getattr(self.fn, "__name__", repr(self.fn))
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict):
        if cls is not LossFunctionWrapper:
            return cls(**config)
        config = dict(config)
        fn_name = config.pop("fn")
        if fn_name not in _FUNCTIONS:
            raise ValueError(f"LossFunctionWrapper: cannot find the loss function {fn_name!r}; "
                             f"expected one of {sorted(_FUNCTIONS)}")
        return cls(_FUNCTIONS[fn_name], **config)


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squared errors: ``mean((y_pred - y_true)^2)``. The usual regression loss.

    Example:
        >>> MeanSquaredError()(np.array([[0.0], [1.0]]), Tensor([[1.0], [1.0]])).item()
        0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors: ``mean(|y_pred - y_true|)``; less sensitive to outliers than MSE.

    Example:
        >>> MeanAbsoluteError()(np.array([[0.0], [1.0]]), Tensor([[1.0], [3.0]])).item()
        1.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, reduction=reduction, name=name)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(|y_true - y_pred| / |y_true|)``: the error in percent of the target.

    Example:
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
        >>> Huber(delta=1.0)(np.array([[0.0]]), Tensor([[3.0]])).item()
        2.5
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss"):
        super().__init__(huber, reduction=reduction, name=name, delta=float(delta))


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
        labels = _as_true(y_true)
        valid = labels != self.ignore_class
        return valid


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``sum(t log(t / p))`` between target and predicted distributions.

    Example:
        >>> KLDivergence()(np.array([[0.5, 0.5]]), Tensor([[0.25, 0.75]])).item()
        0.1438410...
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence"):
        super().__init__(kl_divergence, reduction=reduction, name=name)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity ``-cos(y_true, y_pred)`` along ``axis`` (-1 best, 0 orthogonal).

    Args:
        axis: the axis along which vectors are compared.

    Example:
        >>> CosineSimilarity()(np.array([[0.0, 1.0]]), Tensor([[0.0, 3.0]])).item()
        -1.0
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity"):
        super().__init__(cosine_similarity, reduction=reduction, name=name, axis=axis)
        self.axis = axis


class Hinge(LossFunctionWrapper):
    """Hinge loss ``mean(max(1 - t * y_pred, 0))`` for labels -1/1 (0/1 are converted), as in SVMs.

    Example:
        >>> round(Hinge()(np.array([[1.0], [0.0]]), Tensor([[0.3], [-2.0]])).item(), 6)   # (0.7 + 0) / 2
        0.35
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge"):
        super().__init__(hinge, reduction=reduction, name=name)


def _check_smoothing(value, where):
    if not 0 <= float(value) <= 1:
        raise ValueError(f"{where}: expected label_smoothing in [0, 1], received {value}")


# ============================================================================ lookup
_CLASSES = {cls.__name__: cls for cls in (
    LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, Huber,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence,
    CosineSimilarity, Hinge)}

_FUNCTIONS = {fn.__name__: fn for fn in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, huber,
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, kl_divergence,
    cosine_similarity, hinge)}

# the class that a string alias (or a functional form) stands for
_ALIASES = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "huber": Huber, "huber_loss": Huber,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence, "kld": KLDivergence, "kullback_leibler_divergence": KLDivergence,
    "cosine_similarity": CosineSimilarity,
    "hinge": Hinge,
}
_CLASS_OF_FUNCTION = {mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
                      mean_absolute_percentage_error: MeanAbsolutePercentageError, huber: Huber,
                      binary_crossentropy: BinaryCrossentropy, categorical_crossentropy: CategoricalCrossentropy,
                      sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
                      kl_divergence: KLDivergence, cosine_similarity: CosineSimilarity, hinge: Hinge}

# short names
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
kld = KLD = kullback_leibler_divergence = kl_divergence


def get(identifier, custom_objects=None):
    """Resolve ``identifier`` to a ``Loss`` instance.

    Args:
        identifier: a name (``"mse"``, ``"sparse_categorical_crossentropy"``, a class name such
            as ``"Huber"``), a Loss class or instance, a config dict
            ``{"class_name": ..., "config": ...}``, a plain callable ``fn(y_true, y_pred)``
            returning per-sample losses (wrapped in ``LossFunctionWrapper``), or None.
        custom_objects: optional dict of extra names -> Loss classes or functions.

    Example:
        >>> get("mse")
        <MeanSquaredError name='mean_squared_error' reduction='sum_over_batch_size'>
    """
    custom = dict(custom_objects or {})
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError(f"losses.get: expected a config dict with 'class_name' and 'config', "
                             f"received keys {sorted(identifier)}")
        name = identifier["class_name"]
        cls = custom.get(name) or _CLASSES.get(name)
        if cls is None:
            raise ValueError(f"losses.get: unknown loss class {name!r}; expected one of {sorted(_CLASSES)}")
        return cls.from_config(dict(identifier.get("config") or {}))
    if isinstance(identifier, str):
        if identifier in custom:
            return get(custom[identifier])
        cls = _ALIASES.get(identifier) or _ALIASES.get(identifier.lower()) or _CLASSES.get(identifier)
        if cls is None or cls is LossFunctionWrapper:
            raise ValueError(f"losses.get: unknown loss {identifier!r}; expected one of "
                             f"{sorted(_ALIASES)} or a class name {sorted(set(_CLASSES) - {'LossFunctionWrapper'})}")
        return cls()
    if callable(identifier):
        if identifier in _CLASS_OF_FUNCTION:
            return _CLASS_OF_FUNCTION[identifier]()
        return LossFunctionWrapper(identifier)
    raise TypeError(f"losses.get: expected a name, Loss, config dict or callable, received {identifier!r}")


def serialize(loss) -> dict:
    """``{"class_name": ..., "config": ...}`` describing ``loss`` (JSON-friendly).

    Example:
        >>> serialize(Huber(delta=2.0))["config"]["delta"]
        2.0
    """
    loss = get(loss)
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


def deserialize(config: dict, custom_objects=None) -> Loss:
    """The inverse of ``serialize``."""
    return get(config, custom_objects)
