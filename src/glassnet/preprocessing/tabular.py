"""Tables of numbers: feature scaling, train/validation/test splits and mini-batches.

Host-only: everything here works on plain NumPy arrays, before any tensor or model is involved,
and keeps float32 data in float32 (NumPy silently promotes to float64 when a float64 statistic
meets a float32 array; these helpers cast their statistics back to the data's dtype).

Example:
    >>> import numpy as np
    >>> from glassnet.preprocessing import MinMaxScaler, train_test_split
    >>> x = np.array([[0.0], [5.0], [10.0], [15.0]], dtype="float32")
    >>> x_train, x_test = train_test_split(x, test_size=1, shuffle=False)
    >>> scaler = MinMaxScaler(feature_range=(-1, 1)).fit(x_train)   # training part only
    >>> scaler.transform(x_test)   # past the training range: outside (-1, 1), as expected
    array([[2.]], dtype=float32)
"""
from __future__ import annotations

import math
from typing import Iterator

import numpy as np

from glassnet import backend

__all__ = [
    "StandardScaler",
    "MinMaxScaler",
    "train_test_split",
    "train_val_test_split",
    "batches",
]


# --------------------------------------------------------------------------- scaling

def _as_float(x, who: str) -> np.ndarray:
    """``x`` as a float array: float arrays keep their dtype, anything else becomes floatx."""
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "iub":
        return arr.astype(backend.floatx())
    raise ValueError(f"{who}: expected numeric data, received an array of dtype {arr.dtype}")


class _Scaler:
    """Shared plumbing: remembers the feature shape seen in ``fit`` and checks it later.

    Statistics are taken along axis 0 (the sample axis), so each feature (each column of a
    2-D table, or each pixel of an image batch) gets its own.
    """

    _stats: tuple = ()

    def _check_fitted(self, x: np.ndarray, method: str) -> None:
        name = type(self).__name__
        if getattr(self, "n_samples_seen_", None) is None:
            raise RuntimeError(
                f"{name}.{method}: this scaler is not fitted yet; call fit(x_train) first")
        if x.shape[1:] != self.feature_shape_:
            raise ValueError(
                f"{name}.{method}: expected samples of shape {self.feature_shape_} (as in fit), "
                f"received {x.shape[1:]} (data shape {x.shape})")

    def _start_fit(self, x, method: str = "fit") -> np.ndarray:
        arr = _as_float(x, f"{type(self).__name__}.{method}")
        if arr.ndim == 0 or arr.shape[0] == 0:
            raise ValueError(
                f"{type(self).__name__}.{method}: expected at least one sample along axis 0, "
                f"received data of shape {arr.shape}")
        finite = np.isfinite(arr)
        if not finite.all():
            at = tuple(int(i) for i in np.argwhere(~finite)[0])
            feature = at[1] if len(at) == 2 else at[1:]
            raise ValueError(
                f"{type(self).__name__}.{method}: expected finite numbers, received {arr[at]} in sample {at[0]}, "
                f"feature {feature} ({int((~finite).sum())} such value(s)); one NaN would make that feature's "
                f"statistics NaN and turn the whole column into NaN. Fill or drop those values first")
        self.feature_shape_ = arr.shape[1:]
        self.n_samples_seen_ = arr.shape[0]
        return arr

    def fit_transform(self, x) -> np.ndarray:
        """Fit on ``x`` and return ``x`` transformed (use on the training part only).

        Args:
            x: training data, samples along axis 0.

        Example:
            >>> import numpy as np
            >>> StandardScaler().fit_transform(np.array([[1.0], [3.0]], dtype="float32")).ravel()
            array([-1.,  1.], dtype=float32)
        """
        return self.fit(x).transform(x)

    def _stat(self, name: str, dtype) -> np.ndarray:
        # statistics are kept in float64; hand them out in the data's dtype so that a
        # float32 array does not turn into float64 when combined with them
        return getattr(self, name).astype(dtype, copy=False)


class StandardScaler(_Scaler):
    """Z-score standardisation: ``(x - mean) / std`` per feature.

    Fit it on the training data only, then transform training, validation and test data with
    the same statistics. A constant feature (std 0) is divided by 1 instead of 0, so it
    becomes 0 rather than NaN. float32 input stays float32; integer input becomes float32.

    Attributes (after ``fit``):
        mean_: per-feature mean (float64).
        var_: per-feature variance (float64, population variance as in scikit-learn).
        scale_: per-feature divisor: the standard deviation, with 0 replaced by 1.

    Example:
        >>> import numpy as np
        >>> x_train = np.array([[1.0, 10.0], [3.0, 10.0]], dtype="float32")
        >>> scaler = StandardScaler().fit(x_train)
        >>> scaler.transform(x_train)
        array([[-1.,  0.],
               [ 1.,  0.]], dtype=float32)
        >>> scaler.inverse_transform(scaler.transform(x_train))[0]
        array([ 1., 10.], dtype=float32)
    """

    def __init__(self):
        self.mean_ = self.var_ = self.scale_ = None
        self.n_samples_seen_ = None
        self.feature_shape_ = None

    def fit(self, x) -> "StandardScaler":
        """Compute the per-feature mean and standard deviation of ``x``.

        Args:
            x: training data, samples along axis 0.

        Returns:
            The scaler itself, so ``StandardScaler().fit(x)`` can be chained.
        """
        arr = self._start_fit(x)
        self.mean_ = arr.mean(axis=0, dtype=np.float64)
        self.var_ = arr.var(axis=0, dtype=np.float64)
        std = np.sqrt(self.var_)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def transform(self, x) -> np.ndarray:
        """Standardise ``x`` with the statistics from ``fit``.

        Args:
            x: data with the same per-sample shape as the training data.

        Returns:
            ``(x - mean_) / scale_`` in ``x``'s float dtype.
        """
        arr = _as_float(x, "StandardScaler.transform")
        self._check_fitted(arr, "transform")
        return (arr - self._stat("mean_", arr.dtype)) / self._stat("scale_", arr.dtype)

    def inverse_transform(self, x) -> np.ndarray:
        """Undo ``transform``: ``x * scale_ + mean_`` (for example to read predictions in
        the original units).

        Args:
            x: standardised data.

        Returns:
            Data in the original units, in ``x``'s float dtype.
        """
        arr = _as_float(x, "StandardScaler.inverse_transform")
        self._check_fitted(arr, "inverse_transform")
        return arr * self._stat("scale_", arr.dtype) + self._stat("mean_", arr.dtype)


class MinMaxScaler(_Scaler):
    """Min-max scaling of each feature to ``feature_range`` (default [0, 1]).

    ``x_scaled = (x - min) / (max - min) * (high - low) + low``, with ``min`` and ``max`` taken
    from the training data. The course's stock examples use ``feature_range=(-1, 1)``. A
    constant feature (max == min) is divided by 1, so it maps to ``low``. Test data outside the
    training range maps outside ``feature_range``; that is expected, not an error.

    Args:
        feature_range: ``(low, high)`` with ``low < high``.

    Attributes (after ``fit``):
        data_min_, data_max_: per-feature minimum and maximum (float64).
        data_range_: ``data_max_ - data_min_`` with 0 replaced by 1.

    Example:
        >>> import numpy as np
        >>> scaler = MinMaxScaler(feature_range=(-1, 1))
        >>> scaler.fit_transform(np.array([[0.0], [5.0], [10.0]], dtype="float32")).ravel()
        array([-1.,  0.,  1.], dtype=float32)
    """

    def __init__(self, feature_range=(0, 1)):
        try:
            low, high = (float(v) for v in feature_range)
        except (TypeError, ValueError):
            raise ValueError(
                f"MinMaxScaler: expected feature_range=(low, high), received {feature_range!r}") from None
        if not low < high:
            raise ValueError(
                f"MinMaxScaler: expected feature_range with low < high, received {feature_range!r}")
        self.feature_range = (low, high)
        self.data_min_ = self.data_max_ = self.data_range_ = None
        self.n_samples_seen_ = None
        self.feature_shape_ = None

    def fit(self, x) -> "MinMaxScaler":
        """Record the per-feature minimum and maximum of ``x``.

        Args:
            x: training data, samples along axis 0.

        Returns:
            The scaler itself.
        """
        arr = self._start_fit(x)
        self.data_min_ = arr.min(axis=0).astype(np.float64)
        self.data_max_ = arr.max(axis=0).astype(np.float64)
        span = self.data_max_ - self.data_min_
        self.data_range_ = np.where(span > 0, span, 1.0)
        return self

    def transform(self, x) -> np.ndarray:
        """Scale ``x`` to ``feature_range`` using the training minimum and maximum.

        Args:
            x: data with the same per-sample shape as the training data.

        Returns:
            Scaled data in ``x``'s float dtype.
        """
        arr = _as_float(x, "MinMaxScaler.transform")
        self._check_fitted(arr, "transform")
        low, high = self.feature_range
        dt = arr.dtype.type
        unit = (arr - self._stat("data_min_", arr.dtype)) / self._stat("data_range_", arr.dtype)
        return unit * dt(high - low) + dt(low)

    def inverse_transform(self, x) -> np.ndarray:
        """Undo ``transform``: map scaled values back to the original units.

        Args:
            x: scaled data.

        Returns:
            Data in the original units, in ``x``'s float dtype.
        """
        arr = _as_float(x, "MinMaxScaler.inverse_transform")
        self._check_fitted(arr, "inverse_transform")
        low, high = self.feature_range
        dt = arr.dtype.type
        unit = (arr - dt(low)) / dt(high - low)
        return unit * self._stat("data_range_", arr.dtype) + self._stat("data_min_", arr.dtype)


# --------------------------------------------------------------------------- splits

def _check_arrays(arrays: tuple, who: str) -> list:
    if not arrays:
        raise ValueError(f"{who}: expected at least one array, received none")
    out = []
    for i, a in enumerate(arrays):
        arr = np.asarray(a)
        if arr.ndim == 0:
            raise ValueError(f"{who}: expected arrays with a sample axis, argument {i} is a scalar")
        out.append(arr)
    n = out[0].shape[0]
    for i, arr in enumerate(out[1:], start=1):
        if arr.shape[0] != n:
            raise ValueError(
                f"{who}: expected every array to have {n} samples (like argument 0), "
                f"argument {i} has {arr.shape[0]}")
    return out


def _count(size, n: int, what: str, who: str) -> int:
    """A split size as a number of samples: a float in (0, 1) is a fraction, an int a count."""
    if isinstance(size, bool):
        raise ValueError(f"{who}: expected {what} as a fraction or a count, received {size!r}")
    if isinstance(size, (float, np.floating)):
        if not 0.0 <= size < 1.0:
            raise ValueError(f"{who}: expected {what} as a fraction in [0, 1), received {size}")
        return math.ceil(size * n)  # rounding up, like scikit-learn
    if isinstance(size, (int, np.integer)):
        if not 0 <= size <= n:
            raise ValueError(f"{who}: expected {what} between 0 and {n} samples, received {size}")
        return int(size)
    raise ValueError(f"{who}: expected {what} as a fraction or a count, received {size!r}")


def _order(n: int, shuffle: bool, seed) -> np.ndarray:
    if shuffle:
        return backend.make_rng(seed).permutation(n)
    return np.arange(n)


def train_test_split(*arrays, test_size=0.25, shuffle: bool = True, seed: int | None = None) -> list:
    """Split arrays into a training and a test part, keeping rows aligned across arrays.

    With ``shuffle=False`` the first rows are training and the last ones test (the course's
    stock regression: "first 80% of rows for training").

    Args:
        *arrays: one or more arrays with the same number of samples (axis 0).
        test_size: a fraction in [0, 1) (rounded up to whole samples) or a number of samples.
        shuffle: shuffle the rows before splitting.
        seed: seed for the shuffle; ``None`` draws from glassnet's global generator (see
            ``backend.set_seed``).

    Returns:
        A list ``[a_train, a_test, b_train, b_test, ...]``, two entries per input array.

    Example:
        >>> import numpy as np
        >>> x, y = np.arange(10).reshape(5, 2), np.arange(5)
        >>> x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.4, shuffle=False)
        >>> y_train, y_test
        (array([0, 1, 2]), array([3, 4]))
    """
    who = "train_test_split"
    arrs = _check_arrays(arrays, who)
    n = arrs[0].shape[0]
    n_test = _count(test_size, n, "test_size", who)
    order = _order(n, shuffle, seed)
    train_idx, test_idx = order[:n - n_test], order[n - n_test:]
    out = []
    for arr in arrs:
        out += [arr[train_idx], arr[test_idx]]
    return out


def train_val_test_split(*arrays, val_size=0.1, test_size=0.1, shuffle: bool = True,
                         seed: int | None = None) -> list:
    """Split arrays into training, validation and test parts, keeping rows aligned.

    With ``shuffle=False`` the order is kept: training rows first, then validation, then test
    (right for time series, where the future must not leak into training).

    Args:
        *arrays: one or more arrays with the same number of samples (axis 0).
        val_size: a fraction of all samples in [0, 1) (rounded up) or a number of samples.
        test_size: a fraction of all samples in [0, 1) (rounded up) or a number of samples.
        shuffle: shuffle the rows before splitting.
        seed: seed for the shuffle (``None``: glassnet's global generator).

    Returns:
        A list ``[a_train, a_val, a_test, b_train, b_val, b_test, ...]``.

    Raises:
        ValueError: if validation and test together take every sample, or more.

    Example:
        >>> import numpy as np
        >>> x, y = np.zeros((10, 3), "float32"), np.arange(10)
        >>> x_tr, x_va, x_te, y_tr, y_va, y_te = train_val_test_split(
        ...     x, y, val_size=0.2, test_size=0.2, shuffle=False)
        >>> y_tr, y_va, y_te
        (array([0, 1, 2, 3, 4, 5]), array([6, 7]), array([8, 9]))
    """
    who = "train_val_test_split"
    arrs = _check_arrays(arrays, who)
    n = arrs[0].shape[0]
    n_val = _count(val_size, n, "val_size", who)
    n_test = _count(test_size, n, "test_size", who)
    if n_val + n_test >= n:
        raise ValueError(
            f"{who}: expected val_size + test_size to leave training samples; they take "
            f"{n_val} + {n_test} of {n} samples")
    order = _order(n, shuffle, seed)
    n_train = n - n_val - n_test
    parts = (order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:])
    out = []
    for arr in arrs:
        out += [arr[idx] for idx in parts]
    return out


def batches(x, y=None, batch_size: int = 32, shuffle: bool = False, seed: int | None = None,
            drop_remainder: bool = False) -> Iterator:
    """Yield mini-batches of ``x`` (and ``y``): one pass over them is one epoch.

    The last batch is smaller when ``batch_size`` does not divide the number of samples,
    unless ``drop_remainder=True``.

    Args:
        x: inputs, samples along axis 0.
        y: optional targets with the same number of samples.
        batch_size: samples per batch (the course uses 32 or 64).
        shuffle: visit the samples in a random order.
        seed: seed for that order (``None``: glassnet's global generator).
        drop_remainder: skip the last, incomplete batch.

    Yields:
        ``x_batch``, or ``(x_batch, y_batch)`` when ``y`` is given.

    Example:
        >>> import numpy as np
        >>> x = np.arange(10).reshape(5, 2)
        >>> [xb.shape[0] for xb in batches(x, batch_size=2)]
        [2, 2, 1]
    """
    who = "batches"
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"{who}: expected batch_size to be a positive int, received {batch_size!r}")
    arrs = _check_arrays((x,) if y is None else (x, y), who)
    n = arrs[0].shape[0]
    order = _order(n, shuffle, seed) if shuffle else None
    stop = n - n % batch_size if drop_remainder else n
    # the checks above run at call time; the generator below runs as batches are drawn
    return _batch_gen(arrs, y is not None, batch_size, order, stop)


def _batch_gen(arrs: list, with_y: bool, batch_size: int, order, stop: int) -> Iterator:
    for start in range(0, stop, batch_size):
        if order is None:
            sl = slice(start, start + batch_size)
            parts = [a[sl] for a in arrs]
        else:
            idx = order[start:start + batch_size]
            parts = [a[idx] for a in arrs]
        yield (parts[0], parts[1]) if with_y else parts[0]
