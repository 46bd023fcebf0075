"""Class labels as one-hot rows: ``to_categorical`` (Keras's name and semantics).

Example:
    >>> from glassnet.preprocessing import to_categorical
    >>> to_categorical([1, 0], num_classes=2)
    array([[0., 1.],
           [1., 0.]], dtype=float32)
"""
from __future__ import annotations

import numpy as np

__all__ = ["to_categorical"]


def to_categorical(y, num_classes: int | None = None, dtype="float32") -> np.ndarray:
    """Turn integer class labels into one-hot rows (Keras's ``to_categorical``).

    A label ``k`` becomes a row of ``num_classes`` zeros with a one at position ``k``. As in
    Keras, a trailing axis of size 1 is dropped first, so labels shaped ``(n, 1)`` give
    ``(n, num_classes)``, not ``(n, 1, num_classes)``.

    Args:
        y: integer labels, any shape (a list, or an int or float array holding whole numbers).
        num_classes: the number of classes; ``None`` means ``max(y) + 1``.
        dtype: dtype of the result (``"float32"`` by default).

    Returns:
        An array of shape ``y.shape + (num_classes,)``.

    Raises:
        ValueError: for negative labels, labels ``>= num_classes``, or non-whole numbers.

    Example:
        >>> to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
    """
    labels = np.asarray(y)
    if labels.dtype.kind == "b" or labels.dtype.kind not in "iuf":
        raise ValueError(
            f"to_categorical: expected integer class labels, received an array of dtype {labels.dtype}")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            bad = labels[~np.isfinite(labels) | (labels != np.round(labels))].ravel()[0]
            raise ValueError(f"to_categorical: expected whole-number class labels, received {bad!r}")
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(
            f"to_categorical: expected labels >= 0, received {int(labels.min())}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    else:
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
                or num_classes < 1:
            raise ValueError(
                f"to_categorical: expected num_classes to be a positive int, received {num_classes!r}")
        num_classes = int(num_classes)
        if labels.size and labels.max() >= num_classes:
            raise ValueError(
                f"to_categorical: expected labels in [0, {num_classes - 1}] for "
                f"num_classes={num_classes}, received {int(labels.max())}")
    out = np.zeros(labels.shape + (num_classes,), dtype=dtype)
    if labels.size:
        # put a 1 at (row..., label) for every label, flattened for simple fancy indexing
        flat = out.reshape(-1, num_classes)
        flat[np.arange(flat.shape[0]), labels.ravel()] = 1
    return out

