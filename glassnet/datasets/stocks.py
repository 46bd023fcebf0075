"""Price series (open, high, low, close, volume) from CSV files, for regression and
forecasting exercises.

The files have a header and a date (or date-time) index in the first column::

    ,Open,High,Low,Close,Volume
    2004-08-19,100,104.06,95.96,100.34,22351900

``load_data("GOOG")`` reads ``GOOG.csv`` from ``$GLASSNET_DATA/stocks`` (or
``~/.glassnet/datasets/stocks``); ``load_csv`` reads any such file.

Example:
    >>> from glassnet.datasets import stocks
    >>> goog = stocks.load_data("GOOG")                 # doctest: +SKIP
    >>> goog.values.shape, goog.columns                 # doctest: +SKIP
    ((2148, 5), ('Open', 'High', 'Low', 'Close', 'Volume'))
    >>> close = goog["Close"]                           # doctest: +SKIP
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet import backend
from glassnet.datasets import _files
from glassnet.datasets._files import DatasetNotFoundError

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
        ValueError: a bad date, a non-numeric or missing value, or a row with the wrong number
            of fields; the message names the file and the line.

    Example:
        >>> goog = load_csv("shared/data/stocks/GOOG.csv")     # doctest: +SKIP
        >>> goog.dates[0], goog["Open"][0]                     # doctest: +SKIP
        (numpy.datetime64('2004-08-19'), 100.0)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"stocks.load_csv: no such file {path}")
    with path.open("r", encoding="utf-8-sig", newline="") as f:
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
    folder = _files.resolve_folder(SUBDIR, path, [filename])
    file = folder / filename
    if not file.is_file():
        found = sorted(p.stem for p in folder.glob("*.csv")) if folder.is_dir() else []
        raise DatasetNotFoundError(
            f"stocks: no file {file}; " + (f"available there: {', '.join(found)}. " if found
                                          else "that folder holds no CSV files. ")
            + f"Put {filename} there, pass path= to the folder that holds it, or set "
            f"{_files.ENV_VAR} to a folder with a '{SUBDIR}/' sub-folder.")
    return load_csv(file, dtype=dtype)
