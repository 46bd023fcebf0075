"""The diabetes data of Efron, Hastie, Johnstone and Tibshirani (2004): a real regression set.

442 patients, 10 baseline measurements each (age, sex, body mass index, average blood
pressure and six blood-serum values) and, as the target, a quantitative measure of how far
the disease progressed one year later (25 to 346). It is the table scikit-learn ships as
``load_diabetes``; glassnet ships the same numbers, UNSCALED (the raw values, as in the
authors' file), in ``glassnet/datasets/data/diabetes.csv``, so no download is needed.
Scaling is left to the learner (fit a ``StandardScaler`` on the training rows only).

Columns: ``age`` (years), ``sex`` (1 or 2), ``bmi`` (body mass index), ``bp`` (average blood
pressure), ``s1`` tc (total cholesterol), ``s2`` ldl, ``s3`` hdl, ``s4`` tch (total / HDL
cholesterol), ``s5`` ltg (log of serum triglycerides), ``s6`` glu (blood sugar), then the
target ``progression``.

Source: B. Efron, T. Hastie, I. Johnstone, R. Tibshirani, "Least Angle Regression", Annals
of Statistics 32(2), 2004, 407-499; data page https://www4.stat.ncsu.edu/~boos/var.select/diabetes.html.

Example:
    >>> from glassnet.datasets import diabetes
    >>> x, y = diabetes.load_data()
    >>> x.shape, x.dtype, y.shape, y.dtype
    ((442, 10), dtype('float32'), (442,), dtype('float32'))
"""
from __future__ import annotations

import csv as _csv
import io
from importlib import resources
from pathlib import Path

import numpy as np

from glassnet.datasets._files import DataIntegrityError, read_verified
from glassnet.datasets.tabular import decode_text

FEATURE_NAMES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
TARGET_NAME = "progression"
ROWS = 442

# SHA-256 of the shipped CSV's (uncompressed) bytes. A changed, truncated or damaged file
# fails this check instead of silently training on wrong numbers.
SHA256 = "36e3fd6f8158bdc41f916d8989653227e5a5dd506c508de3f33febb48213e641"


def _default_file():
    return resources.files("glassnet.datasets") / "data" / "diabetes.csv"


def load_data(path=None, return_names: bool = False, verify: bool = True):
    """Load the diabetes table as float32 arrays.

    Args:
        path: a copy of ``diabetes.csv`` (plain or gzip-compressed) to read instead of the
            one shipped with glassnet.
        return_names: also return the ten feature names.
        verify: check the file's SHA-256 against ``SHA256`` (turn off only for a file of your
            own with the same layout).

    Returns:
        ``(x, y)``: ``x`` float32 of shape (442, 10), the raw (unscaled) measurements in the
        order of ``FEATURE_NAMES``; ``y`` float32 of shape (442,), the disease progression.
        With ``return_names=True``: ``(x, y, feature_names)``.

    Raises:
        DataIntegrityError: the file's hash, header or row count is not the expected one.

    Example:
        >>> x, y, names = load_data(return_names=True)
        >>> names[2], float(y.min()), float(y.max())
        ('bmi', 25.0, 346.0)
    """
    if path is None:
        with resources.as_file(_default_file()) as shipped:
            source = str(shipped)
            try:
                content = read_verified(shipped, sha256=SHA256 if verify else None)
            except DataIntegrityError as exc:
                raise DataIntegrityError(f"{exc}\nThis file ships with glassnet: the installation is "
                                         "damaged, reinstall glassnet.") from None
    else:
        source = str(Path(path))
        content = read_verified(path, sha256=SHA256 if verify else None)
    try:
        text = decode_text(content, source)
    except ValueError as exc:
        raise DataIntegrityError(str(exc)) from None
    rows = list(_csv.reader(io.StringIO(text)))
    header, body = rows[0] if rows else [], [r for r in rows[1:] if r]
    expected_header = FEATURE_NAMES + (TARGET_NAME,)
    if tuple(header) != expected_header or len(body) != ROWS:
        raise DataIntegrityError(
            f"{source}: expected the header {expected_header} and {ROWS} rows, received "
            f"{tuple(header)} and {len(body)} rows")
    try:
        table = np.array(body, dtype=np.float64)  # parse text once, then narrow to float32
    except ValueError as exc:
        raise DataIntegrityError(f"{source}: a value is not a number ({exc})") from None
    x = table[:, :10].astype(np.float32)
    y = table[:, 10].astype(np.float32)
    if return_names:
        return x, y, FEATURE_NAMES
    return x, y
