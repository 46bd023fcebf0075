"""Metrics: numbers that tell *people* how well a model does (no gradients, plain NumPy).

A metric object keeps running totals over the batches of an epoch:

    metric.reset_state()                         # start of the epoch
    metric.update_state(y_true, y_pred)          # after every batch
    metric.result()                              # the value over everything seen so far

Most metrics are the mean of a per-sample function (``MeanMetricWrapper``): the totals are the
sum of the per-sample values and the number of samples, so the epoch value is exactly the mean
over all samples, however the batches were cut. ``RootMeanSquaredError`` keeps the running mean
of squared errors and takes the square root at the end (the mean of per-batch roots would be
wrong); ``Precision`` and ``Recall`` keep running counts of true/false positives.

Running totals are Python floats (float64), so a long epoch does not lose precision; per-sample
functions return the float dtype of ``y_pred``.

Example:
    >>> import numpy as np
    >>> from glassnet import metrics
    >>> acc = metrics.get("accuracy", loss="sparse_categorical_crossentropy")
    >>> acc.update_state(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]]))
    >>> acc.result()
    0.5
"""
from __future__ import annotations

import numpy as np

from glassnet import backend

EPSILON = 1e-7  # clipping margin for probabilities, as Keras's backend.epsilon()


# ============================================================================ helpers
def _array(x) -> np.ndarray:
    """A raw array from an ndarray, list or Tensor (metrics never build a graph)."""
    return np.asarray(getattr(x, "data", x))


def _float_dtype(y_pred: np.ndarray):
    return y_pred.dtype if y_pred.dtype.kind == "f" else np.dtype(backend.floatx())


def _same_rank(y_true: np.ndarray, y_pred: np.ndarray):
    """Keras's rule: when the ranks differ by one and the longer has a size-1 last axis, a rank-1
    partner gains that axis (labels (n,) beside predictions (n, 1) stay per sample), otherwise
    the longer loses it."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            return y_true, y_pred[:, None]
        y_true = y_true.reshape(y_true.shape[:-1])
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            return y_true[:, None], y_pred
        y_pred = y_pred.reshape(y_pred.shape[:-1])
    return y_true, y_pred


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


def _log_softmax(x: np.ndarray, axis=-1) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _log_probabilities(y_pred: np.ndarray, from_logits: bool, axis=-1) -> np.ndarray:
    """log p along ``axis``: log-softmax of logits, or of renormalised, clipped probabilities."""
    if from_logits:
        return _log_softmax(y_pred, axis)
    p = y_pred / y_pred.sum(axis=axis, keepdims=True)
    return np.log(np.clip(p, EPSILON, 1 - EPSILON)).astype(y_pred.dtype, copy=False)


# ============================================================================ per-sample functions
def binary_accuracy(y_true, y_pred, threshold=0.5) -> np.ndarray:
    """Per sample, the fraction of outputs where ``(y_pred > threshold)`` equals the 0/1 label.

    Example:
        >>> binary_accuracy(np.array([[1], [0]]), np.array([[0.7], [0.6]]))
        array([1., 0.])
    """
    y_true, y_pred = _prepare(y_true, y_pred, "binary_accuracy")
    predicted = (y_pred > threshold).astype(y_pred.dtype)
    return np.mean(predicted == y_true, axis=-1, dtype=y_pred.dtype)


def categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """Per sample, 1 if the most probable class is the one-hot target's class, else 0.

    Example:
        >>> categorical_accuracy(np.array([[0, 1], [1, 0]]), np.array([[0.2, 0.8], [0.3, 0.7]]))
        array([1., 0.])
    """
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"categorical_accuracy: expected one-hot y_true of shape {y_pred.shape}, "
                         f"received {y_true.shape} (integer labels? use sparse_categorical_accuracy)")
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(_float_dtype(y_pred))


def sparse_categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """Per sample, 1 if the most probable class equals the integer label, else 0.

    Example:
        >>> sparse_categorical_accuracy(np.array([1, 0]), np.array([[0.2, 0.8], [0.3, 0.7]]))
        array([1., 0.])
    """
    y_pred = _array(y_pred)
    labels = _labels(y_true, y_pred, "sparse_categorical_accuracy")
    return (np.argmax(y_pred, axis=-1) == labels).astype(_float_dtype(y_pred))


def accuracy(y_true, y_pred) -> np.ndarray:
    """Per element, 1 where ``y_true == y_pred`` exactly (Keras's ``Accuracy``; for class ids)."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return (y_true == y_pred).astype(_float_dtype(y_pred))


def mean_squared_error(y_true, y_pred) -> np.ndarray:
    """``mean((y_pred - y_true)^2, axis=-1)`` per sample."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    return np.mean(np.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred) -> np.ndarray:
    """``mean(|y_pred - y_true|, axis=-1)`` per sample."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return np.mean(np.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> np.ndarray:
    """``100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7), axis=-1)`` per sample."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    scale = np.maximum(np.abs(y_true), np.asarray(EPSILON, y_true.dtype))
    return np.mean(np.abs(y_true - y_pred) / scale, axis=-1) * np.asarray(100, y_pred.dtype)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0) -> np.ndarray:
    """``mean(-(t log p + (1 - t) log(1 - p)), axis=-1)`` per sample (p clipped to [1e-7, 1-1e-7])."""
    y_true, y_pred = _prepare(y_true, y_pred, "binary_crossentropy")
    dtype = y_pred.dtype
    if label_smoothing:
        y_true = y_true * np.asarray(1 - label_smoothing, dtype) + np.asarray(0.5 * label_smoothing, dtype)
    if from_logits:  # max(x, 0) - x t + log(1 + e^-|x|), stable for any x
        x = y_pred
        per_element = np.maximum(x, 0) - x * y_true + np.log1p(np.exp(-np.abs(x)))
    else:
        p = np.clip(y_pred, EPSILON, 1 - EPSILON).astype(dtype, copy=False)
        per_element = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    return np.mean(per_element, axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0) -> np.ndarray:
    """``-sum(t log p, axis=-1)`` per sample for one-hot targets."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"categorical_crossentropy: expected one-hot y_true of shape {y_pred.shape}, "
                         f"received {y_true.shape}")
    dtype = _float_dtype(y_pred)
    y_true, y_pred = y_true.astype(dtype, copy=False), y_pred.astype(dtype, copy=False)
    if label_smoothing:
        k = y_pred.shape[-1]
        y_true = y_true * np.asarray(1 - label_smoothing, dtype) + np.asarray(label_smoothing / k, dtype)
    return -np.sum(y_true * _log_probabilities(y_pred, from_logits), axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False) -> np.ndarray:
    """``-log p[label]`` per sample for integer labels."""
    y_pred = _array(y_pred)
    y_pred = y_pred.astype(_float_dtype(y_pred), copy=False)
    labels = _labels(y_true, y_pred, "sparse_categorical_crossentropy").astype(np.int64)
    log_p = _log_probabilities(y_pred, from_logits)
    return -np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]


# ============================================================================ metric classes
class Metric:
    """Base class of stateful metrics.

    Subclasses implement ``update_state(y_true, y_pred, sample_weight=None)``, ``result()``
    (a Python float) and ``reset_state()``.

    Args:
        name: the name shown in logs and ``History`` (default: the class name in snake_case).
        dtype: float dtype of the per-sample values (default ``backend.floatx()``).

    Example:
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



def _weights(sample_weight, shape) -> np.ndarray:
    """Sample weights broadcast to the shape of the per-sample values."""
    w = np.asarray(getattr(sample_weight, "data", sample_weight), dtype=np.float64)
    if w.ndim == len(shape) + 1 and w.shape[-1] == 1:
        w = w.reshape(w.shape[:-1])
    while w.ndim < len(shape):
        w = w.reshape(w.shape + (1,))
    try:
        return np.broadcast_to(w, shape)
    except ValueError:
        raise ValueError(f"sample_weight: expected a shape that broadcasts to {shape}, "
                         f"received {np.shape(sample_weight)}") from None


class MeanMetricWrapper(Metric):
    """The running (weighted) mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Each batch adds ``sum(values * weights)`` to the total and ``sum(weights)`` to the count
    (weights are 1 without ``sample_weight``), so ``result()`` is the mean over every sample
    seen, not the mean of batch means.

    Args:
        fn: per-sample function returning an array (or Tensor).
        name: defaults to ``fn.__name__``.
        dtype: see ``Metric``.
        **kwargs: passed to ``fn`` (e.g. ``threshold=0.7``).

    Example:
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
        values = np.asarray(_array(self._compute(_array(y_true), _array(y_pred))), dtype=np.float64)
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

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config


class Mean(MeanMetricWrapper):
    """The running (weighted) mean of the values given as ``update_state(values)``.

    Example:
        >>> m = Mean()
        >>> m.update_state([1.0, 2.0]); m.update_state([6.0])
        >>> m.result()
        3.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(None, name=name, dtype=dtype)

    def update_state(self, values, y_pred=None, sample_weight=None) -> None:
        self._values = values
        super().update_state(None, None, sample_weight)

    def _compute(self, y_true, y_pred):
        return self._values


class Accuracy(MeanMetricWrapper):
    """How often ``y_true == y_pred`` exactly (for predicted class ids, as Keras's ``Accuracy``).

    For model outputs (probabilities) use ``"accuracy"`` in ``compile``, which picks the binary,
    categorical or sparse version (see ``AutoAccuracy``).

    Example:
        >>> m = Accuracy(); m.update_state([1, 2, 3], [1, 2, 0]); round(m.result(), 4)
        0.6667
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the 0/1 label (sigmoid outputs).

    Args:
        threshold: the probability above which a prediction counts as class 1.

    Example:
        >>> m = BinaryAccuracy(); m.update_state([[1], [0]], [[0.9], [0.8]]); m.result()
        0.5
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of ``y_pred`` is the class of the one-hot ``y_true``.

    Example:
        >>> m = CategoricalAccuracy(); m.update_state([[0, 1]], [[0.3, 0.7]]); m.result()
        1.0
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of ``y_pred`` equals the integer label ``y_true``.

    Example:
        >>> m = SparseCategoricalAccuracy(); m.update_state([0], [[0.3, 0.7]]); m.result()
        0.0
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


_ACCURACY_FUNCTIONS = {"binary": binary_accuracy, "categorical": categorical_accuracy,
                       "sparse_categorical": sparse_categorical_accuracy}


def _kind_from_shapes(y_true: np.ndarray, y_pred: np.ndarray) -> str:
    """Keras's guess from the shapes: labels without a class axis -> sparse; one output -> binary."""
    classes = y_pred.shape[-1] if y_pred.ndim else 1
    if y_pred.ndim <= 1 or classes == 1:
        return "binary"
    if y_true.ndim == y_pred.ndim - 1 or (y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1):
        return "sparse_categorical"
    return "categorical"


class AutoAccuracy(MeanMetricWrapper):
    """``"accuracy"`` as Keras understands it: binary, categorical or sparse categorical accuracy.

    The kind comes from the loss when it tells (``metrics.get("accuracy", loss=...)``); otherwise
    it is decided from the shapes at the first update: labels without a class axis (or with a
    size-1 one) against several outputs -> sparse; one output -> binary; else categorical.

    Args:
        kind: ``"binary"``, ``"categorical"``, ``"sparse_categorical"`` or None (decide later).
        name: stays ``"accuracy"`` so logs read ``accuracy`` / ``val_accuracy`` as in Keras.

    Example:
        >>> m = AutoAccuracy()
        >>> m.update_state(np.array([2, 0]), np.array([[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]))
        >>> m.kind, m.result()
        ('sparse_categorical', 1.0)
    """

    def __init__(self, kind=None, name="accuracy", dtype=None, threshold=0.5):
        if kind is not None and kind not in _ACCURACY_FUNCTIONS:
            raise ValueError(f"AutoAccuracy: expected kind in {list(_ACCURACY_FUNCTIONS)} or None, "
                             f"received {kind!r}")
        self.kind = kind
        self.threshold = threshold
        super().__init__(None, name=name, dtype=dtype)

    def _compute(self, y_true, y_pred):
        if self.kind is None:
            self.kind = _kind_from_shapes(y_true, y_pred)
        if self.kind == "binary":
            return binary_accuracy(y_true, y_pred, threshold=self.threshold)
        return _ACCURACY_FUNCTIONS[self.kind](y_true, y_pred)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(kind=self.kind, threshold=self.threshold)
        return config


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


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean binary cross-entropy.

    Example:
        >>> m = BinaryCrossentropy(); m.update_state([[1.0]], [[0.5]]); round(m.result(), 4)
        0.6931
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0.0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean categorical cross-entropy (one-hot targets).

    Example:
        >>> m = CategoricalCrossentropy(); m.update_state([[0, 1]], [[0.5, 0.5]]); round(m.result(), 4)
        0.6931
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0.0):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean sparse categorical cross-entropy (integer labels).

    Example:
        >>> m = SparseCategoricalCrossentropy(); m.update_state([1], [[0.5, 0.5]]); round(m.result(), 4)
        0.6931
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits)


class _ConfusionCounts(Metric):
    """Running true/false positive and false negative counts of a binary classifier."""

    def __init__(self, thresholds=0.5, name=None, dtype=None):
        self.thresholds = float(thresholds)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self) -> None:
        self.true_positives = 0.0
        self.false_positives = 0.0
        self.false_negatives = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
        if y_true.shape != y_pred.shape:
            raise ValueError(f"{self.name}: expected y_true of shape {y_pred.shape}, received {y_true.shape}")
        actual = y_true.astype(bool)
        predicted = y_pred > self.thresholds
        w = 1.0 if sample_weight is None else _weights(sample_weight, y_pred.shape)
        self.true_positives += float(np.sum(w * (actual & predicted)))
        self.false_positives += float(np.sum(w * (~actual & predicted)))
        self.false_negatives += float(np.sum(w * (actual & ~predicted)))

    def get_config(self) -> dict:
        config = super().get_config()
        config["thresholds"] = self.thresholds
        return config


class Precision(_ConfusionCounts):
    """Of the samples predicted positive (``y_pred > thresholds``), the fraction truly positive.

    ``precision = TP / (TP + FP)`` over all batches (0 when nothing was predicted positive).

    Args:
        thresholds: the probability above which a prediction counts as positive.

    Example:
        >>> m = Precision(); m.update_state([1, 0, 1], [0.9, 0.8, 0.2]); m.result()
        0.5
    """

    def __init__(self, thresholds=0.5, name="precision", dtype=None):
        super().__init__(thresholds, name=name, dtype=dtype)

    def result(self) -> float:
        denominator = self.true_positives + self.false_positives
        return self.true_positives / denominator if denominator else 0.0


class Recall(_ConfusionCounts):
    """Of the truly positive samples, the fraction predicted positive: ``TP / (TP + FN)``.

    Args:
        thresholds: the probability above which a prediction counts as positive.

    Example:
        >>> m = Recall(); m.update_state([1, 0, 1], [0.9, 0.8, 0.2]); m.result()
        0.5
    """

    def __init__(self, thresholds=0.5, name="recall", dtype=None):
        super().__init__(thresholds, name=name, dtype=dtype)

    def result(self) -> float:
        denominator = self.true_positives + self.false_negatives
        return self.true_positives / denominator if denominator else 0.0


# ============================================================================ confusion matrix
def _class_ids(y, name) -> np.ndarray:
    """Class ids from labels, one-hot / probability rows (arg-max) or one sigmoid output (> 0.5)."""
    y = _array(y)
    if y.ndim >= 2 and y.shape[-1] > 1:
        return np.argmax(y, axis=-1).ravel()
    y = y.reshape(-1)
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        return (y > 0.5).astype(np.int64)  # probabilities of class 1
    if y.dtype.kind not in "iubf":
        raise TypeError(f"{name}: expected numeric labels, received dtype {y.dtype}")
    return y.astype(np.int64)


def confusion_matrix(y_true, y_pred, num_classes=None) -> np.ndarray:
    """Counts of (true class, predicted class) pairs: row = true class, column = predicted.

    Args:
        y_true: integer labels, or one-hot rows.
        y_pred: integer labels, probability rows (arg-max is taken), or probabilities of class 1
            of a one-output sigmoid model (thresholded at 0.5).
        num_classes: size of the matrix (default: the largest class id seen + 1).

    Returns:
        An int64 array of shape ``(num_classes, num_classes)``; the diagonal holds the hits.

    Example:
        >>> confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1])
        array([[1, 0, 0],
               [0, 0, 1],
               [0, 1, 1]])
    """
    t, p = _class_ids(y_true, "confusion_matrix"), _class_ids(y_pred, "confusion_matrix")
    if t.shape != p.shape:
        raise ValueError(f"confusion_matrix: expected as many predictions as labels, "
                         f"received {p.size} predictions for {t.size} labels")
    seen = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    n = seen if num_classes is None else int(num_classes)
    if min(t.min(initial=0), p.min(initial=0)) < 0 or seen > n:
        raise ValueError(f"confusion_matrix: expected class ids in [0, {n - 1}], received ids from "
                         f"{min(t.min(initial=0), p.min(initial=0))} to {seen - 1}")
    return np.bincount(t * n + p, minlength=n * n).reshape(n, n).astype(np.int64)


def classification_report(y_true, y_pred, target_names=None, num_classes=None) -> str:
    """A text table of precision, recall, F1 and support per class, from the confusion matrix.

    Args:
        y_true, y_pred, num_classes: as in ``confusion_matrix``.
        target_names: optional class names for the rows.

    Example:
        >>> print(classification_report([0, 1, 1], [0, 1, 0]))   # doctest: +SKIP
    """
    cm = confusion_matrix(y_true, y_pred, num_classes).astype(np.float64)
    n = cm.shape[0]
    names = [str(i) for i in range(n)] if target_names is None else [str(x) for x in target_names]
    if len(names) != n:
        raise ValueError(f"classification_report: expected {n} target_names, received {len(names)}")
    hits, predicted, support = np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, hits / predicted, 0.0)
        recall = np.where(support > 0, hits / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    width = max(12, *(len(s) for s in names))
    lines = [f"{'':>{width}} {'precision':>9} {'recall':>9} {'f1-score':>9} {'support':>9}"]
    for i, name in enumerate(names):
        lines.append(f"{name:>{width}} {precision[i]:9.4f} {recall[i]:9.4f} {f1[i]:9.4f} {int(support[i]):9d}")
    total = support.sum()
    lines.append("")
    lines.append(f"{'accuracy':>{width}} {'':>9} {'':>9} {hits.sum() / max(total, 1):9.4f} {int(total):9d}")
    return "\n".join(lines)


# ============================================================================ lookup
_CLASSES = {cls.__name__: cls for cls in (
    Mean, Accuracy, AutoAccuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, RootMeanSquaredError,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Precision, Recall)}

_ALIASES = {
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "rmse": RootMeanSquaredError, "root_mean_squared_error": RootMeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy, "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "precision": Precision, "recall": Recall,
}

_CLASS_OF_FUNCTION = {
    binary_accuracy: BinaryAccuracy, categorical_accuracy: CategoricalAccuracy,
    sparse_categorical_accuracy: SparseCategoricalAccuracy, accuracy: Accuracy,
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError, binary_crossentropy: BinaryCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy, sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
}

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error


def _kind_from_loss(loss):
    """``"binary"``, ``"categorical"``, ``"sparse_categorical"`` if the loss is a cross-entropy."""
    if loss is None:
        return None
    from glassnet import losses  # here, not at the top: metrics must not need the autograd stack
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


def get(identifier, loss=None):
    """Resolve ``identifier`` to a ``Metric`` (a new object, so each model keeps its own state).

    Args:
        identifier: a name (``"accuracy"``/``"acc"``, ``"mse"``, ``"mae"``, ``"rmse"``, ``"mape"``,
            ``"binary_accuracy"``, ``"precision"``... or a class name such as ``"Recall"``), a
            Metric class or instance, a config dict ``{"class_name": ..., "config": ...}``, or a
            function ``fn(y_true, y_pred)`` returning per-sample values.
        loss: the model's loss (name or object). It decides what ``"accuracy"`` and
            ``"crossentropy"`` mean: binary, categorical or sparse categorical; with no hint
            the shapes of the first batch decide.

    A metric named by a string keeps that string as its name (``"mae"`` is logged as ``mae``,
    ``"accuracy"`` as ``accuracy``), as in Keras.

    Example:
        >>> get("accuracy", loss="binary_crossentropy").kind
        'binary'
    """
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, dict):
        name = identifier.get("class_name")
        if name not in _CLASSES:
            raise ValueError(f"metrics.get: unknown metric class {name!r}; expected one of {sorted(_CLASSES)}")
        return _CLASSES[name].from_config(dict(identifier.get("config") or {}))
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc"):
            return AutoAccuracy(kind=_kind_from_loss(loss), name=identifier)
        if key in ("crossentropy", "ce"):
            kind = _kind_from_loss(loss) or "categorical"
            return _ALIASES[f"{kind}_crossentropy"](name=identifier)
        if identifier in _CLASSES:  # a class name: the class's own default name
            return _CLASSES[identifier]()
        cls = _ALIASES.get(key)
        if cls is None:
            raise ValueError(f"metrics.get: unknown metric {identifier!r}; expected one of "
                             f"{sorted(set(_ALIASES) | {'accuracy', 'acc', 'crossentropy', 'ce'})} "
                             f"or a class name {sorted(_CLASSES)}")
        return cls(name=identifier)
    if callable(identifier):
        if identifier in _CLASS_OF_FUNCTION:
            return _CLASS_OF_FUNCTION[identifier]()
        return MeanMetricWrapper(identifier)
    raise TypeError(f"metrics.get: expected a name, Metric, config dict or callable, received {identifier!r}")


def serialize(metric) -> dict:
    """``{"class_name": ..., "config": ...}`` describing ``metric``."""
    metric = get(metric)
    return {"class_name": type(metric).__name__, "config": metric.get_config()}
