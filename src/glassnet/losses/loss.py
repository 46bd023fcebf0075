"""The ``Loss`` base class, ``LossFunctionWrapper``, the reductions, and the input checks every
loss shares.

A loss is written twice, as in Keras: a *function* returning one loss per sample, and a
*class* whose call weights and reduces those values to the scalar that ``backward()`` starts
from. This module holds what the classes have in common: reduction to a scalar
(``reduce_weighted_values``), the base class, and the wrapper that turns a function into a
class. The functions themselves live by family in ``regression.py`` and ``probabilistic.py``.

Array seam: losses compute on Tensors with glassnet ops. Where they make arrays of their own
(targets, weights, masks), they make them with the array library of ``y_pred``
(``backend.array_module``), so a loss runs unchanged where the model's outputs live.

Example:
    >>> import numpy as np
    >>> from glassnet import Tensor
    >>> values = Tensor([1.0, 3.0])                 # per-sample losses
    >>> float(reduce_weighted_values(values, sample_weight=np.array([1.0, 0.0])).data)   # (1 + 0) / 2
    0.5
"""
from __future__ import annotations

import numpy as np

from glassnet import backend, ops
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.numerics import match_rank, sample_weights

EPSILON = 1e-7  # Keras's backend.epsilon(): the clipping margin for probabilities
REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight")


# ============================================================================ input checks
def _c(value, dtype):
    """A constant as a NumPy scalar of ``dtype`` (a bare Python float would silently upcast
    float32 to float64; a scalar, unlike a 0-d array, mixes with the arrays of any library)."""
    return np.dtype(dtype).type(value)


def _as_pred(y_pred) -> Tensor:
    """``y_pred`` as a float Tensor."""
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor(y_pred)
    if y_pred.dtype.kind != "f":
        raise TypeError(f"loss: expected a float y_pred, received dtype {y_pred.dtype}")
    return y_pred


def _as_true(y_true, like: Tensor):
    """``y_true`` as a raw array where ``like`` lives: the targets are constants, never
    differentiated."""
    raw = y_true.data if isinstance(y_true, Tensor) else y_true
    return array_module(like.data).asarray(raw)


def _match_rank(y_true, y_pred: Tensor, name: str):
    """Targets and predictions of the same shape, by Keras's rule (``numerics.match_rank``).

    ``y_true`` of shape ``(N,)`` against ``y_pred`` of shape ``(N, 1)`` (a one-unit output) is
    expanded to ``(N, 1)``; ``y_pred`` of shape ``(N, T, 1)`` against ``y_true`` ``(N, T)`` is
    squeezed. Any other shape mismatch is an error (Keras would broadcast silently, a classic bug).
    """
    true_shape, pred_shape = match_rank(y_true.shape, y_pred.shape)
    if true_shape != y_true.shape:
        y_true = y_true.reshape(true_shape)
    if pred_shape != y_pred.shape:
        y_pred = ops.reshape(y_pred, pred_shape)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: expected y_true of shape {y_pred.shape} (like y_pred), "
                         f"received shape {y_true.shape}")
    return y_true, y_pred


def _prepare(y_true, y_pred, name: str):
    """Targets as an array in y_pred's float dtype, both of the same shape."""
    y_pred = _as_pred(y_pred)
    y_true = _as_true(y_true, y_pred).astype(y_pred.dtype, copy=False)
    return _match_rank(y_true, y_pred, name)


# ============================================================================ reduction
def reduce_weighted_values(values: Tensor, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size") -> Tensor:
    """Weight the per-sample losses and reduce them to a scalar.

    With weights ``w`` (1 without ``sample_weight``) and per-sample losses ``l``:

    - ``"sum_over_batch_size"`` (default, also ``"mean"``): ``sum(w * l) / N``, N the number of
      values (leaving out those ``mask`` excludes);
    - ``"sum"``: ``sum(w * l)``;
    - ``"none"`` (or None): the weighted values ``w * l``, unreduced;
    - ``"mean_with_sample_weight"``: ``sum(w * l) / sum(w)``.

    Args:
        values: per-sample losses.
        sample_weight: optional weights, one per sample (or broadcastable).
        mask: optional boolean array, False for entries to leave out (e.g. ``ignore_class``);
            their loss must already be zero; they are left out of the divisor.
        reduction: one of the above.

    Example:
        >>> reduce_weighted_values(Tensor([1.0, 3.0]), reduction="sum").item()
        4.0
    """
    weights = None
    if sample_weight is not None:
        weights = sample_weights(sample_weight, values.shape, values.dtype, xp=array_module(values.data))
        values = values * weights
    if reduction is None or reduction == "none" or values.ndim == 0:
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    xp = array_module(values.data)
    if reduction == "mean_with_sample_weight" and weights is not None:
        full = xp.broadcast_to(weights, values.shape)
        count = float((full if mask is None else full * mask).sum())
    elif mask is not None:
        count = float(xp.count_nonzero(mask))
    else:
        count = float(values.size)
    # an empty batch (or all weights zero) gives 0, not nan, as Keras's divide_no_nan
    return total / _c(count if count else 1.0, values.dtype)


def _step_mask_like(mask, values: Tensor, name: str):
    """The time-step mask of ``y_pred`` as a boolean array shaped like the per-sample losses."""
    xp = array_module(values.data)
    mask = xp.asarray(mask).astype(bool, copy=False)
    if mask.shape != values.shape:
        raise ValueError(f"{name}: the mask of y_pred has shape {mask.shape}, but the losses per "
                         f"sample and step have shape {values.shape}; expected them to match")
    return mask


# ============================================================================ loss classes
class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` returns a scalar Tensor.

    Subclasses implement ``call(y_true, y_pred)`` returning the per-sample losses; ``__call__``
    weights and reduces them (``reduce_weighted_values``).

    Args:
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"none"`` (or None),
            ``"mean"`` (same as the default) or ``"mean_with_sample_weight"``.
        name: name of the loss (default: the class name in snake_case).

    Example:
        >>> import numpy as np
        >>> class MeanCubedError(Loss):
        ...     def call(self, y_true, y_pred):
        ...         e = y_pred - y_true
        ...         return ops.mean(ops.abs(e * e * e), axis=-1)
        >>> loss = MeanCubedError()
        >>> loss.name
        'mean_cubed_error'
        >>> loss(np.zeros((2, 1)), Tensor([[1.0], [2.0]])).item()
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
        mask = self._valid_mask(y_true, y_pred)
        step_mask = getattr(y_pred, "_keras_mask", None)
        if step_mask is not None:
            # a sequence output of padded inputs: padded steps count for nothing, and the mean
            # is over the real steps only (Keras's rule: sum(w * l) / number of real steps)
            step_mask = _step_mask_like(step_mask, values, self.name)
            values = values * step_mask.astype(values.dtype)
            mask = step_mask if mask is None else mask & step_mask
        return reduce_weighted_values(values, sample_weight, mask, self.reduction)

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
        >>> import numpy as np
        >>> from glassnet.losses import huber
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
        """The constructor arguments. A plain ``LossFunctionWrapper`` saves its function by name
        (``"fn": "huber"``); ``glassnet.losses.deserialize`` finds the function again."""
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            config["fn"] = getattr(self.fn, "__name__", repr(self.fn))
        config.update(self._fn_kwargs)
        return config
