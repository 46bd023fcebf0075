"""The ``Metric`` base class, the running means (``Mean``, ``MeanMetricWrapper``) and the input
checks every metric shares.

A metric keeps running totals over the batches of an epoch. Most metrics are the mean of a
per-sample function (``MeanMetricWrapper``): the totals are the sum of the per-sample values
and the number of samples, so the epoch value is exactly the mean over all samples, however
the batches were cut. Running totals are Python floats (float64), so a long epoch does not
lose precision.

Host only: metrics turn their inputs into NumPy arrays in host memory (``_array``, with
``backend.to_host``) and compute with NumPy; they never build a graph.

Example:
    >>> m = Mean()
    >>> m.update_state([1.0, 2.0]); m.update_state([6.0])
    >>> m.result()
    3.0
"""
from __future__ import annotations

import numpy as np

from glassnet import backend
from glassnet.numerics import match_rank, sample_weights

EPSILON = 1e-7  # clipping margin for probabilities, as Keras's backend.epsilon()


# ============================================================================ input checks
def _array(x) -> np.ndarray:
    """A NumPy array in host memory from an ndarray, a device array, a list or a Tensor."""
    return backend.to_host(getattr(x, "data", x))


def _float_dtype(y_pred: np.ndarray):
    return y_pred.dtype if y_pred.dtype.kind == "f" else np.dtype(backend.floatx())


def _same_rank(y_true: np.ndarray, y_pred: np.ndarray):
    """Keras's rule for ranks that differ by one (``numerics.match_rank``): labels ``(n,)``
    beside predictions ``(n, 1)`` gain the axis (they stay per sample), otherwise the longer
    shape loses its size-1 last axis."""
    true_shape, pred_shape = match_rank(y_true.shape, y_pred.shape)
    return y_true.reshape(true_shape), y_pred.reshape(pred_shape)


def _prepare(y_true, y_pred, name):
    """Both as arrays of the same shape, y_true in y_pred's float dtype."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: expected y_true of shape {y_pred.shape} (like y_pred), "
                         f"received {y_true.shape}")
    dtype = _float_dtype(y_pred)
    return y_true.astype(dtype, copy=False), y_pred.astype(dtype, copy=False)


def _labels(y_true, y_pred: np.ndarray, name) -> np.ndarray:
    """Integer labels of shape ``y_pred.shape[:-1]`` (a trailing size-1 axis is dropped)."""
    labels = _array(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(f"{name}: expected integer labels of shape {y_pred.shape[:-1]}, "
                         f"received {labels.shape}")
    return labels


def _weights(sample_weight, shape) -> np.ndarray:
    """Sample weights (float64, for the running totals) broadcast to the values' shape."""
    return sample_weights(_array(sample_weight), shape, np.float64, xp=np, broadcast=True)


# ============================================================================ base classes
def log_value(result):
    """A metric's ``result()`` as it goes into logs and ``History``: a float for a scalar, a
    float32 array for a vector (``Precision(thresholds=[0.3, 0.7])`` gives one value per
    threshold, as in Keras; progress bars show the vector's mean, as Keras's does).

    Example:
        >>> import numpy as np
        >>> log_value(np.array(0.5))
        0.5
        >>> log_value(np.array([0.5, 0.25]))
        array([0.5 , 0.25], dtype=float32)
    """
    array = np.asarray(getattr(result, "data", result))
    if array.size == 1:
        return float(array.reshape(()))
    return array.astype(np.float32)  # a copy: later updates of the metric must not change the logs


class Metric:
    """Base class of stateful metrics.

    Subclasses implement ``update_state(y_true, y_pred, sample_weight=None)``, ``result()``
    (a Python float) and ``reset_state()``.

    Args:
        name: the name shown in logs and ``History`` (default: the class name in snake_case).
        dtype: float dtype of the per-sample values (default ``backend.floatx()``).

    Example:
        >>> import numpy as np
        >>> from glassnet.metrics import MeanSquaredError
        >>> m = MeanSquaredError()
        >>> m.update_state(np.array([[1.0]]), np.array([[3.0]]))
        >>> m.result()
        4.0
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or backend.snake_case(type(self).__name__)
        self.dtype = np.dtype(dtype or backend.floatx()).name
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:  # pragma: no cover
        raise NotImplementedError

    def result(self) -> float:  # pragma: no cover
        raise NotImplementedError

    def reset_state(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None) -> float:
        """Update with one batch and return the running result (as a Keras metric call does)."""
        self.update_state(y_true, y_pred, sample_weight=sample_weight)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


class Mean(Metric):
    """The running (weighted) mean of the values given as ``update_state(values)``.

    ``total += sum(values * weights)`` and ``count += sum(weights)`` (weights are 1 without
    ``sample_weight``), so ``result() = total / count`` is the mean of every value seen, not
    the mean of batch means. The training loop keeps the epoch's ``loss`` this way, weighting
    each batch's mean loss by its number of samples.

    Args:
        name: the name shown in logs.
        dtype: see ``Metric``.

    Example:
        >>> m = Mean()
        >>> m.update_state([1.0, 2.0]); m.update_state([6.0])
        >>> m.result()
        3.0
        >>> m.update_state(0.5, sample_weight=6)      # a batch of 6 samples with mean 0.5
        >>> m.result()                                # (9 + 3) / (3 + 6)
        1.3333333333333333
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, values, y_pred=None, sample_weight=None) -> None:
        """Add ``values`` (weighted by ``sample_weight``) to the running mean. ``y_pred`` is
        ignored: it lets ``Mean`` be called like any other metric."""
        values = np.asarray(_array(values), dtype=np.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += float(values.size)
        else:
            w = _weights(sample_weight, values.shape)
            self.total += float((values * w).sum())
            self.count += float(w.sum())

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0


class MeanMetricWrapper(Mean):
    """The running (weighted) mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Each batch adds ``sum(values * weights)`` to the total and ``sum(weights)`` to the count
    (see ``Mean``), so ``result()`` is the mean over every sample seen.

    Args:
        fn: per-sample function returning an array (or Tensor).
        name: defaults to ``fn.__name__``.
        dtype: see ``Metric``.
        **kwargs: passed to ``fn`` (e.g. ``threshold=0.7``).

    Example:
        >>> import numpy as np
        >>> from glassnet.metrics import binary_accuracy
        >>> m = MeanMetricWrapper(binary_accuracy, name="acc", threshold=0.7)
        >>> m.update_state(np.array([[1.0]]), np.array([[0.6]]))
        >>> m.result()
        0.0
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if fn is not None and not callable(fn):
            raise TypeError(f"MeanMetricWrapper: expected a callable, received {fn!r}")
        self._fn = fn
        self._fn_kwargs = kwargs
        super().__init__(name=name or getattr(fn, "__name__", "mean"), dtype=dtype)

    def _compute(self, y_true, y_pred) -> np.ndarray:
        return self._fn(y_true, y_pred, **self._fn_kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        super().update_state(self._compute(_array(y_true), _array(y_pred)), sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config
