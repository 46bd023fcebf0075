"""Fisher's iris flowers: 150 samples, 4 measurements in cm, 3 species (50 each).

The table ships with glassnet (``glassnet/datasets/data/iris.csv``), so no download is
needed. It is the corrected version used by scikit-learn and R (samples 35 and 38 as in
Fisher's paper, not the two misprints of the UCI file); its column means are
5.843, 3.057, 3.758 and 1.199.

Example:
    >>> from glassnet.datasets import iris
    >>> x, y = iris.load_data()
    >>> x.shape, x.dtype, iris.CLASS_NAMES[y[0]]
    ((150, 4), dtype('float32'), 'setosa')
"""
from __future__ import annotations

import csv as _csv
from importlib import resources

import numpy as np

from glassnet.datasets._files import DataIntegrityError

FEATURE_NAMES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
CLASS_NAMES = ("setosa", "versicolor", "virginica")


def load_data(return_names: bool = False):
    """Load the iris table as arrays.

    Args:
        return_names: also return the feature names and the class names.

    Returns:
        ``(x, y)``: ``x`` float32 of shape (150, 4) (sepal length, sepal width, petal length,
        petal width, in cm) and ``y`` int64 of shape (150,) with 0 = setosa,
        1 = versicolor, 2 = virginica, in the original order (50 of each, sorted by class:
        shuffle before splitting). With ``return_names=True``:
        ``(x, y, feature_names, class_names)``.

    Example:
        >>> x, y, features, classes = load_data(return_names=True)
        >>> features[2], classes[2], int((y == 2).sum())
        ('petal_length', 'virginica', 50)
    """
    source = resources.files("glassnet.datasets") / "data" / "iris.csv"
    with source.open("r", encoding="utf-8", newline="") as f:
        rows = list(_csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    if tuple(header) != FEATURE_NAMES + ("species",) or len(body) != 150:
        raise DataIntegrityError(
            f"{source}: expected the header {FEATURE_NAMES + ('species',)} and 150 rows, "
            f"received {tuple(header)} and {len(body)} rows; the glassnet installation is damaged")
    x = np.array([[float(v) for v in r[:4]] for r in body], dtype=np.float32)
    y = np.array([CLASS_NAMES.index(r[4]) for r in body], dtype=np.int64)
    if return_names:
        return x, y, FEATURE_NAMES, CLASS_NAMES
    return x, y
