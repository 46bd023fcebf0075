"""Accuracy metrics: how often is the predicted class the right one?

- ``binary_accuracy``: sigmoid outputs, thresholded (``y_pred > 0.5``), against 0/1 labels;
- ``categorical_accuracy``: the arg-max of the outputs against one-hot targets;
- ``sparse_categorical_accuracy``: the arg-max against integer labels;
- ``accuracy``: exact equality (for predicted class ids, Keras's ``Accuracy``).

``AutoAccuracy`` is what ``"accuracy"`` means in ``compile``: one of the first three, chosen by
the loss (``glassnet.models.compile_utils``) or, without a hint, by the shapes of the first
batch. Host only, like every metric: NumPy on host arrays.

Example:
    >>> import numpy as np
    >>> m = AutoAccuracy()
    >>> m.update_state(np.array([2, 0]), np.array([[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]))
    >>> m.kind, m.result()
    ('sparse_categorical', 1.0)
"""
from __future__ import annotations

import numpy as np

from glassnet.metrics.metric import MeanMetricWrapper, _array, _float_dtype, _labels, _prepare, _same_rank


# ============================================================================ per-sample functions
def binary_accuracy(y_true, y_pred, threshold=0.5) -> np.ndarray:
    """Per sample, the fraction of outputs where ``(y_pred > threshold)`` equals the 0/1 label.

    Example:
        >>> import numpy as np
        >>> binary_accuracy(np.array([[1], [0]]), np.array([[0.7], [0.6]]))
        array([1., 0.])
    """
    y_true, y_pred = _prepare(y_true, y_pred, "binary_accuracy")
    predicted = (y_pred > threshold).astype(y_pred.dtype)
    return np.mean(predicted == y_true, axis=-1, dtype=y_pred.dtype)


def categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """Per sample, 1 if the most probable class is the one-hot target's class, else 0.

    Example:
        >>> import numpy as np
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
        >>> import numpy as np
        >>> sparse_categorical_accuracy(np.array([1, 0]), np.array([[0.2, 0.8], [0.3, 0.7]]))
        array([1., 0.])
    """
    y_pred = _array(y_pred)
    labels = _labels(y_true, y_pred, "sparse_categorical_accuracy")
    return (np.argmax(y_pred, axis=-1) == labels).astype(_float_dtype(y_pred))


def accuracy(y_true, y_pred) -> np.ndarray:
    """Per element, 1 where ``y_true == y_pred`` exactly (Keras's ``Accuracy``; for class ids).

    Example:
        >>> import numpy as np
        >>> accuracy(np.array([1, 2]), np.array([1, 0]))
        array([1., 0.], dtype=float32)
    """
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return (y_true == y_pred).astype(_float_dtype(y_pred))


# ============================================================================ metric classes
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

    The kind comes from the loss when it tells (``compile`` asks
    ``glassnet.models.compile_utils``); otherwise it is decided from the shapes at the first
    update: labels without a class axis (or with a size-1 one) against several outputs ->
    sparse; one output -> binary; else categorical.

    Args:
        kind: ``"binary"``, ``"categorical"``, ``"sparse_categorical"`` or None (decide later).
        name: stays ``"accuracy"`` so logs read ``accuracy`` / ``val_accuracy`` as in Keras.
        threshold: for the binary kind, the probability above which a prediction is class 1.

    Example:
        >>> import numpy as np
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
