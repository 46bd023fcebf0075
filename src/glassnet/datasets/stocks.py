"""Price series (open, high, low, close, volume) from CSV files, for regression and
forecasting exercises.

The files have a header and a date (or date-time) index in the first column::

    ,Open,High,Low,Close,Volume
    2004-08-19,100,104.06,95.96,100.34,22351900

``load_data("GOOG")`` reads ``GOOG.csv`` from ``$GLASSNET_DATA/stocks`` (or
``~/.glassnet/datasets/stocks``); ``load_csv`` reads any such file. ``load_windows`` does the
whole forecasting preparation in one call: read, split by time, scale on the training part
only, and cut windows of N days with the next day's (or next k days') target.

Example:
    >>> from glassnet.datasets import stocks
    >>> goog = stocks.load_data("GOOG")                 # doctest: +SKIP
    >>> goog.values.shape, goog.columns                 # doctest: +SKIP
    ((2148, 5), ('Open', 'High', 'Low', 'Close', 'Volume'))
    >>> close = goog["Close"]                           # doctest: +SKIP
    >>> data = stocks.load_windows("GOOG", window=50, features=("Close",))  # doctest: +SKIP
    >>> data.x_train.shape, data.y_train.shape          # doctest: +SKIP
    ((1668, 50, 1), (1668, 1))
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet import backend
from glassnet.datasets import _files
from glassnet.datasets._files import DatasetNotFoundError
from glassnet.datasets.tabular import read_text
from glassnet.preprocessing import MinMaxScaler
from glassnet.utils.timeseries import sliding_windows

SUBDIR = "stocks"


@dataclass(repr=False)
class PriceSeries:
    """A table of prices indexed by date.

    Attributes:
        name: the series' name (the file name without ``.csv``).
        dates: ``numpy.datetime64`` array of shape (rows,), in file order.
        values: float array (rows, columns), float32 by default. Volumes above 2**24 are
            rounded to float32's precision (a relative error below 1e-7).
        columns: column names, in the order of ``values``' columns.

    Example:
        >>> import numpy as np
        >>> s = PriceSeries("demo", np.array(["2020-01-01"], "datetime64[D]"),
        ...                 np.array([[1.0, 2.0]], "float32"), ("Open", "Close"))
        >>> s["Close"]
        array([2.], dtype=float32)
    """

    name: str
    dates: np.ndarray
    values: np.ndarray
    columns: tuple

    def __getitem__(self, column: str) -> np.ndarray:
        """The column called ``column`` (``"Close"``), as a 1-D array."""
        if column not in self.columns:
            raise KeyError(f"{self.name}: expected a column among {self.columns}, received {column!r}")
        return self.values[:, self.columns.index(column)]

    def __len__(self) -> int:
        return self.values.shape[0]

    def __repr__(self) -> str:
        span = f"{self.dates[0]} to {self.dates[-1]}" if len(self) else "empty"
        return f"PriceSeries({self.name!r}, rows={len(self)}, columns={self.columns}, {span})"


def load_csv(path, dtype: str | None = None) -> PriceSeries:
    """Read an OHLCV CSV file: a header, a date index column, then numeric columns.

    Args:
        path: the CSV file.
        dtype: float dtype of ``values``; ``None`` means ``backend.floatx()`` (float32).

    Returns:
        A ``PriceSeries`` with ``dates`` (datetime64), ``values`` and ``columns``.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: a bad date, a non-numeric or missing value, a row with the wrong number
            of fields (a truncated last line included), or no data rows; the message names the
            file and the line. Nothing is returned from a file that fails any check.

    Example:
        >>> goog = load_csv("shared/data/stocks/GOOG.csv")     # doctest: +SKIP
        >>> goog.dates[0], goog["Open"][0]                     # doctest: +SKIP
        (numpy.datetime64('2004-08-19'), 100.0)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"stocks.load_csv: no such file {path}")
    with io.StringIO(read_text(path), newline="") as f:  # not UTF-8: an error naming the line
        reader = csv.reader(f)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ValueError(f"{path}: the file is empty; expected a header row") from None
        if len(header) < 2:
            raise ValueError(f"{path}: expected a date column and at least one value column, "
                             f"received the header {header}")
        dates, rows = [], []
        for row in reader:
            if not row:
                continue
            line = reader.line_num
            if len(row) != len(header):
                raise ValueError(f"{path}, line {line}: expected {len(header)} fields, "
                                 f"received {len(row)}")
            try:
                rows.append([float(v) for v in row[1:]])
            except ValueError:
                bad = next(v for v in row[1:] if not _is_float(v))
                raise ValueError(f"{path}, line {line}: expected numbers after the date, "
                                 f"received {bad!r}") from None
            dates.append(row[0].strip())
    if not rows:
        raise ValueError(f"{path}: expected data rows after the header, received none (empty or truncated file)")
    try:
        date_array = np.array(dates, dtype="datetime64")
    except ValueError:
        bad = next(d for d in dates if not _is_date(d))
        raise ValueError(f"{path}: expected ISO dates (2004-08-19 or 2017-04-19 09:00:00) in the "
                         f"first column, received {bad!r}") from None
    values = np.array(rows, dtype=dtype or backend.floatx()).reshape(len(rows), len(header) - 1)
    if not np.all(np.isfinite(values)):
        row = int(np.argwhere(~np.isfinite(values))[0, 0])
        raise ValueError(f"{path}: the row dated {dates[row]} has a missing or infinite value")
    return PriceSeries(name=path.stem, dates=date_array, values=values, columns=tuple(header[1:]))


def _is_float(value: str) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False


def _is_date(value: str) -> bool:
    try:
        np.datetime64(value)
        return True
    except ValueError:
        return False


def load_data(name: str, path=None, dtype: str | None = None) -> PriceSeries:
    """Load the price series ``name`` (``"GOOG"``, ``"EURUSD"``) from the data folder.

    The file ``<name>.csv`` is looked for in ``path``, else in ``$GLASSNET_DATA/stocks``,
    else in ``~/.glassnet/datasets/stocks``. Nothing is downloaded.

    Args:
        name: the series' name, with or without ``.csv``.
        path: a folder holding the CSV files (or one with a ``stocks/`` sub-folder).
        dtype: float dtype of ``values`` (default float32).

    Returns:
        A ``PriceSeries``.

    Raises:
        DatasetNotFoundError: no such file; the message lists the files that are there.

    Example:
        >>> eurusd = load_data("EURUSD")                      # doctest: +SKIP
        >>> eurusd.dates[:1]                                  # doctest: +SKIP
        array(['2017-04-19T09:00:00'], dtype='datetime64[s]')
    """
    filename = name if str(name).lower().endswith(".csv") else f"{name}.csv"
    source = _files.locate(SUBDIR, path, [filename])
    folder = source.folder
    file = folder / filename
    if not file.is_file():
        found = sorted(p.stem for p in folder.glob("*.csv")) if folder.is_dir() else []
        raise DatasetNotFoundError(
            f"stocks: no file {file} (that folder came from {source.origin()}); "
            + (f"available there: {', '.join(found)}. " if found
               else "that folder holds no CSV files. " if folder.is_dir() else "that folder does not exist. ")
            + f"Put {filename} there, pass path= to the folder that holds it, "
            + (f"point {_files.ENV_VAR} (set, but not to these files)" if source.kind == "environment"
               else f"set {_files.ENV_VAR}")
            + f" to a folder with a '{SUBDIR}/' sub-folder, or, for a lab, add --set data_dir=FOLDER "
            "to `glassnet labs run`.")
    return load_csv(file, dtype=dtype)


# --------------------------------------------------------------------------- forecasting data

class PriceScaler(MinMaxScaler):
    """A ``MinMaxScaler`` (default range [-1, 1], as in the course) that knows its column names,
    so a model's predictions of one column can be turned back into prices.

    Args:
        columns: the names of the columns it scales, in order.
        feature_range: ``(low, high)`` of the scaled values.

    Example:
        >>> import numpy as np
        >>> scaler = PriceScaler(("Open", "Close")).fit(np.array([[1.0, 10.0], [3.0, 30.0]]))
        >>> scaler.transform(np.array([[2.0, 20.0]]))
        array([[0., 0.]])
        >>> scaler.inverse_transform(np.array([[-1.0], [1.0]]), column="Close").ravel()
        array([10., 30.])
    """

    def __init__(self, columns, feature_range=(-1, 1)):
        super().__init__(feature_range)
        self.columns = tuple(columns)

    def _column(self, column, method: str) -> int:
        if self.data_min_ is None:
            raise RuntimeError(f"PriceScaler.{method}: not fitted yet; call fit(train_rows) first")
        if column not in self.columns:
            raise ValueError(f"PriceScaler.{method}: expected a column among {self.columns}, received {column!r}")
        return self.columns.index(column)

    def transform(self, x, column=None) -> np.ndarray:
        """Scale rows of all columns, or, with ``column``, values of that one column (any shape)."""
        if column is None:
            return super().transform(x)
        j = self._column(column, "transform")
        arr = np.asarray(x)
        arr = arr if arr.dtype.kind == "f" else arr.astype(backend.floatx())
        low, high = self.feature_range
        unit = (arr - arr.dtype.type(self.data_min_[j])) / arr.dtype.type(self.data_range_[j])
        return unit * arr.dtype.type(high - low) + arr.dtype.type(low)

    def inverse_transform(self, x, column=None) -> np.ndarray:
        """Undo ``transform``; with ``column``, map scaled values of that column (predictions of
        shape (samples, horizon), say) back to prices."""
        if column is None:
            return super().inverse_transform(x)
        j = self._column(column, "inverse_transform")
        arr = np.asarray(x)
        arr = arr if arr.dtype.kind == "f" else arr.astype(backend.floatx())
        low, high = self.feature_range
        unit = (arr - arr.dtype.type(low)) / arr.dtype.type(high - low)
        return unit * arr.dtype.type(self.data_range_[j]) + arr.dtype.type(self.data_min_[j])


@dataclass(repr=False)
class StockWindows:
    """Scaled windows for forecasting, split by time; what ``load_windows`` returns.

    Attributes:
        x_train, x_test: input windows (samples, window, len(features)), scaled.
        y_train, y_test: targets (samples, horizon): the target column on the ``horizon`` rows
            after each window, scaled.
        dates_train, dates_test: (samples, horizon) datetime64: the date of every target value.
        scaler: the ``PriceScaler`` fitted on the training rows; ``to_prices`` uses it.
        split_date: the first test date; every training target is dated before it, every
            test target on or after it.
        features, target: the input column names and the target column's name.

    Example:
        >>> data = load_windows("GOOG", window=50, horizon=1)           # doctest: +SKIP
        >>> prices = data.to_prices(model.predict(data.x_test))          # doctest: +SKIP
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    dates_train: np.ndarray
    dates_test: np.ndarray
    scaler: PriceScaler
    split_date: np.datetime64
    features: tuple
    target: str

    def to_prices(self, y) -> np.ndarray:
        """Scaled target values (targets or predictions) back in the target column's units."""
        return self.scaler.inverse_transform(y, column=self.target)

    def __repr__(self) -> str:
        return (f"StockWindows(train={self.x_train.shape}, test={self.x_test.shape}, features={self.features}, "
                f"target={self.target!r}, split_date={self.split_date})")


def _first_test_row(dates: np.ndarray, test_size, split_date, who: str) -> int:
    n = len(dates)
    if split_date is not None:
        try:
            when = np.datetime64(split_date)
        except ValueError:
            raise ValueError(f"{who}: expected split_date as an ISO date ('2012-01-03'), "
                             f"received {split_date!r}") from None
        return int(np.searchsorted(dates, when, side="left"))
    if isinstance(test_size, bool) or not isinstance(test_size, (float, int)) or not 0 < test_size < 1:
        raise ValueError(f"{who}: expected test_size as a fraction between 0 and 1, received {test_size!r}")
    return n - int(round(n * test_size))


def load_windows(source, window: int = 50, horizon: int = 1, features=None, target: str = "Close",
                 test_size: float = 0.2, split_date=None, feature_range=(-1, 1), path=None,
                 dtype: str | None = None) -> StockWindows:
    """Read a price series and prepare it for forecasting, with nothing from the future leaking in.

    The steps, in order:

    1. **Read**: ``source`` is a ``PriceSeries``, a CSV file's path or a series' name for
       ``load_data`` (``"GOOG"``, ``"EURUSD"``). Dates must increase strictly.
    2. **Split by time, never shuffled**: the test part starts at ``split_date`` (the first row
       dated on or after it) or, by default, is the last ``test_size`` of the rows.
    3. **Scale on the training rows only**: a ``PriceScaler`` to ``feature_range`` takes its
       minimum and maximum from the rows before the split and is then applied to every row, so
       test prices beyond the training range scale beyond [-1, 1].
    4. **Window**: each sample is ``window`` consecutive rows of the ``features`` columns and the
       ``target`` column on the ``horizon`` rows after them.
    5. **Assign each sample by its TARGET dates**: a sample is a training sample if its LAST
       target is dated before the split, a test sample if its FIRST target is on or after it;
       one whose targets straddle the split (only possible with ``horizon > 1``) is dropped.
       So every training window and target ends strictly before the first test target. The
       first test windows' inputs reach back into the training period: those prices are past
       and known on the day of the forecast, which is not leakage.

    Args:
        source: a ``PriceSeries``, a path to a CSV file, or a name (see ``load_data``).
        window: rows (days, or hours for EURUSD) per input window.
        horizon: target values per sample: 1 = the next row, k = the next k rows.
        features: input column names (default: every column of the file).
        target: the column to forecast (need not be among ``features``).
        test_size: fraction of the rows, at the end, for testing (ignored with ``split_date``).
        split_date: the first test date, instead of ``test_size``.
        feature_range: ``(low, high)`` for the scaler (the course uses (-1, 1)).
        path: data folder, when ``source`` is a name.
        dtype: float dtype when reading a file (default float32).

    Returns:
        A ``StockWindows`` with ``x_train, y_train, x_test, y_test``, the target dates, the
        fitted scaler (``data.to_prices(pred)`` gives prices back) and the split date.

    Raises:
        ValueError: an unknown column, dates not in increasing order, a bad ``test_size`` or
            ``split_date``, or too few rows on either side of the split for one sample.
        DatasetNotFoundError / FileNotFoundError: no such series or file.

    Example:
        >>> data = load_windows("GOOG", window=50, horizon=1, features=("Close",))  # doctest: +SKIP
        >>> data.x_train.shape, data.y_train.shape, data.dates_test[0]                # doctest: +SKIP
        ((1668, 50, 1), (1668, 1), array(['2011-06-15'], dtype='datetime64[D]'))
        >>> model.fit(data.x_train, data.y_train, epochs=10)                          # doctest: +SKIP
        >>> prices = data.to_prices(model.predict(data.x_test))                       # doctest: +SKIP
    """
    who = "load_windows"
    if isinstance(source, PriceSeries):
        series = source
    elif Path(source).is_file():
        series = load_csv(source, dtype=dtype)
    else:
        series = load_data(str(source), path=path, dtype=dtype)
    features = series.columns if features is None else (features,) if isinstance(features, str) \
        else tuple(features)
    for name in features + (target,):
        if name not in series.columns:
            raise ValueError(f"{who}: expected column names among {series.columns}, received {name!r}")
    if not features:
        raise ValueError(f"{who}: expected at least one feature column, received none")
    window = _positive_int(window, "window", who)
    horizon = _positive_int(horizon, "horizon", who)
    dates = series.dates
    if len(dates) > 1 and not (np.diff(dates) > np.timedelta64(0)).all():
        row = int(np.argmin(np.diff(dates) > np.timedelta64(0))) + 1
        raise ValueError(f"{who}: {series.name}: expected dates in strictly increasing order for a time "
                         f"split, received {dates[row]} after {dates[row - 1]} (data row {row + 1})")

    first_test = _first_test_row(dates, test_size, split_date, who)
    if first_test < window + horizon:
        raise ValueError(f"{who}: expected at least window + horizon = {window + horizon} rows before the "
                         f"split for one training sample, received {first_test}")
    if len(dates) - first_test < horizon:
        raise ValueError(f"{who}: expected at least horizon = {horizon} rows from the split on for one test "
                         f"sample, received {len(dates) - first_test}")

    # scale with statistics from the training rows only, then apply to every row
    columns = features + ((target,) if target not in features else ())
    table = series.values[:, [series.columns.index(c) for c in columns]]
    scaler = PriceScaler(columns, feature_range).fit(table[:first_test])
    scaled = scaler.transform(table)
    x, y = sliding_windows(scaled[:, :len(features)], scaled[:, columns.index(target)], window, horizon)
    target_rows = np.arange(len(x))[:, None] + window + np.arange(horizon)    # (samples, horizon)

    train = target_rows[:, -1] < first_test          # the last target before the split
    test = target_rows[:, 0] >= first_test           # the first target on or after it
    return StockWindows(x_train=x[train], y_train=y[train], x_test=x[test], y_test=y[test],
                        dates_train=dates[target_rows[train]], dates_test=dates[target_rows[test]],
                        scaler=scaler, split_date=dates[first_test], features=features, target=target)


def _positive_int(value, name: str, who: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{who}: expected {name} to be an int >= 1, received {value!r}")
    return int(value)
