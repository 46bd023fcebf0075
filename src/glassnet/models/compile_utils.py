"""What ``compile`` needs to know about a loss to pick the right metrics (as Keras 3's
``compile_utils``).

``metrics=["accuracy"]`` means different things for different models: thresholded sigmoid
outputs against 0/1 labels, the arg-max against one-hot targets, or the arg-max against
integer labels. The loss tells which: ``binary_crossentropy`` -> binary accuracy,
``categorical_crossentropy`` -> categorical, ``sparse_categorical_crossentropy`` -> sparse.
Any other loss gives no hint, and the metric decides from the shapes of the first batch
(``metrics.AutoAccuracy``). The same goes for ``"crossentropy"``.

This decision lives here, beside ``compile``, because it needs to know the losses, and the
metrics package must not depend on them (metrics are host-only NumPy code).

Example:
    >>> m = get_metric("accuracy", loss="sparse_categorical_crossentropy")
    >>> m.kind, m.name
    ('sparse_categorical', 'accuracy')
"""
from __future__ import annotations

from glassnet import losses, metrics
from glassnet.core.tensor import Tensor, no_grad

_CROSSENTROPY_METRICS = {"binary": metrics.BinaryCrossentropy, "categorical": metrics.CategoricalCrossentropy,
                         "sparse_categorical": metrics.SparseCategoricalCrossentropy}


def loss_kind(loss):
    """``"binary"``, ``"categorical"`` or ``"sparse_categorical"`` if ``loss`` is that
    cross-entropy (a name, class, instance or function), else None.

    Example:
        >>> loss_kind("binary_crossentropy"), loss_kind(losses.MeanSquaredError()), loss_kind(None)
        ('binary', None, None)
    """
    if loss is None:
        return None
    try:
        loss = losses.get(loss)
    except (ValueError, TypeError):
        return None
    fn = getattr(loss, "fn", None)
    if isinstance(loss, losses.BinaryCrossentropy) or fn is losses.binary_crossentropy:
        return "binary"
    if isinstance(loss, losses.SparseCategoricalCrossentropy) or fn is losses.sparse_categorical_crossentropy:
        return "sparse_categorical"
    if isinstance(loss, losses.CategoricalCrossentropy) or fn is losses.categorical_crossentropy:
        return "categorical"
    return None


def get_metric(identifier, loss=None):
    """The metric ``identifier`` stands for in ``compile(loss=loss, metrics=[identifier])``.

    ``"accuracy"`` / ``"acc"`` (any case) become an ``AutoAccuracy`` of the loss's kind, and
    ``"crossentropy"`` / ``"ce"`` the cross-entropy metric of that kind (categorical when the
    loss does not tell); both keep the string as their name, so logs read ``accuracy``.
    Everything else is ``metrics.get(identifier)``.

    Args:
        identifier: anything ``metrics.get`` accepts.
        loss: the output's loss (name or object), or None.

    Example:
        >>> get_metric("acc", loss="binary_crossentropy").kind
        'binary'
        >>> type(get_metric("crossentropy", loss="sparse_categorical_crossentropy")).__name__
        'SparseCategoricalCrossentropy'
    """
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc"):
            return metrics.AutoAccuracy(kind=loss_kind(loss), name=identifier)
        if key in ("crossentropy", "ce"):
            return _CROSSENTROPY_METRICS[loss_kind(loss) or "categorical"](name=identifier)
    return metrics.get(identifier)


class OutputLoss(metrics.Mean):
    """The compiled loss of one output of a multi-output model, averaged like the total
    ``loss`` (weighted by batch size) and logged as ``<output>_loss``, as Keras 3 logs it. The
    value is the output's own loss, before ``loss_weights``.

    Example:
        >>> import numpy as np
        >>> tracker = OutputLoss(losses.get("mse"), name="price_loss")
        >>> tracker.update_state(np.array([[1.0], [2.0]]), np.array([[1.0], [4.0]]))
        >>> round(float(tracker.result()), 4)
        2.0
    """

    def __init__(self, loss_fn, name):
        super().__init__(name=name)
        self._loss_fn = loss_fn

    def update_state(self, y_true, y_pred=None, sample_weight=None) -> None:
        with no_grad():  # a second evaluation for the logs, outside the graph being trained
            value = self._loss_fn(y_true, y_pred if isinstance(y_pred, Tensor) else Tensor(y_pred),
                                  sample_weight=sample_weight)
        super().update_state(float(getattr(value, "data", value)), sample_weight=len(y_true))
