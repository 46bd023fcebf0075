"""Reading a table from a CSV file with a header row into arrays for a model.

Also importable as ``glassnet.datasets.csv`` (this module is called ``tabular`` so that it
never hides Python's own ``csv`` module, which it uses).

Example:
    >>> from glassnet.datasets import load_table
    >>> table = load_table("claims.csv", label="fraud", drop=["id"])   # doctest: +SKIP
    >>> x, y, names = table      # unpacks to its three main parts  # doctest: +SKIP
    >>> table.missing_filled                       # doctest: +SKIP
    3
"""
from __future__ import annotations

import csv
import io
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from glassnet import backend

logger = logging.getLogger("glassnet.datasets")

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
"""Cell values read as missing (compared lower-case, after stripping spaces)."""

_CATEGORICAL = ("error", "codes", "onehot")


@dataclass(repr=False)
class Table:
    """A table read by ``load_table``.

    It unpacks like a tuple of its three main parts: ``x, y, feature_names = table``.

    Attributes:
        x: features, float32 (rows, features).
        y: the label column (``None`` without ``label``): int64 when every value is a whole
            number or when the labels are text (then codes into ``classes``), else float32.
        feature_names: names of the columns of ``x``, in order.
        label_name: the label column's name, or ``None``.
        classes: for a text label column, the class names in code order (sorted), else ``None``.
        missing_filled: how many missing feature values were replaced by ``fill_missing``.
        missing_by_column: the same count per column (only columns that had any).
        categories: for each text feature column that was encoded, its categories in order.
    """

    x: np.ndarray
    y: np.ndarray | None
    feature_names: list
    label_name: str | None = None
    classes: list | None = None
    missing_filled: int = 0
    missing_by_column: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)

    def __iter__(self):
        return iter((self.x, self.y, self.feature_names))

    def __repr__(self) -> str:
        parts = [f"rows={self.x.shape[0]}", f"features={self.x.shape[1]}"]
        if self.label_name is not None:
            parts.append(f"label={self.label_name!r}")
        if self.classes is not None:
            parts.append(f"classes={self.classes}")
        parts.append(f"missing_filled={self.missing_filled}")
        return f"Table({', '.join(parts)})"


def _is_missing(value: str) -> bool:
    return value.strip().lower() in MISSING


def _parse_float(value: str):
    try:
        return float(value)
    except ValueError:
        return None


def load_table(path, label: str | None = None, drop=(), fill_missing: float | None = 0.0,
               categorical: str = "error", delimiter: str = ",") -> Table:
    """Read a CSV file with a header row into a feature matrix and a label vector.

    Every column except ``label`` and those in ``drop`` becomes a feature. Empty cells and
    ``NA``, ``N/A``, ``NaN``, ``null``, ``None``, ``?`` count as missing and are replaced by
    ``fill_missing`` (the course fills with 0); the number replaced is reported in
    ``Table.missing_filled`` and logged on the ``glassnet.datasets`` logger.

    A feature column holding text is an error by default, naming the column; drop it, or
    encode it with ``categorical="codes"`` (one column of integer codes 0, 1, ... in sorted
    order of the categories) or ``categorical="onehot"`` (one 0/1 column per category, named
    ``column=value``; a missing value gives all zeros).

    Args:
        path: the CSV file (UTF-8, header on the first line).
        label: name of the label column, or ``None`` for features only.
        drop: names of columns to leave out (an ID column, for example).
        fill_missing: value for missing feature cells; ``None`` makes them an error.
        categorical: ``"error"``, ``"codes"`` or ``"onehot"``: what to do with text features.
        delimiter: the field separator.

    Returns:
        A ``Table``; ``x, y, feature_names = load_table(...)`` also works.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: unknown column names, a row with the wrong number of fields, a missing
            label, a text feature column (with ``categorical="error"``), or a missing value
            with ``fill_missing=None``; messages name the file, the column and the line.

    Example:
        >>> table = load_table("insurance.csv", label="fraud", drop=["customer_id"])  # doctest: +SKIP
        >>> table.x.shape, table.feature_names[:2], table.missing_filled              # doctest: +SKIP
        ((1000, 12), ['age', 'premium'], 4)
    """
    path = Path(path)
    if categorical not in _CATEGORICAL:
        raise ValueError(f"load_table: expected categorical to be one of {_CATEGORICAL}, "
                         f"received {categorical!r}")
    if isinstance(drop, str):
        drop = [drop]
    if not path.is_file():
        raise FileNotFoundError(f"load_table: no such file {path}")
    header, rows, lines = _read_rows(path, delimiter)

    unknown = [name for name in list(drop) + ([label] if label is not None else [])
               if name not in header]
    if unknown:
        raise ValueError(f"{path}: expected column(s) {unknown} (from label/drop) among the "
                         f"header's columns {header}")
    if label is not None and label in drop:
        raise ValueError(f"{path}: the label column {label!r} is also in drop")
    feature_cols = [i for i, name in enumerate(header) if name != label and name not in drop]
    if not feature_cols:
        raise ValueError(f"{path}: no feature columns left after removing label and drop")

    blocks, names, missing, categories = [], [], {}, {}
    for i in feature_cols:
        column = [r[i] for r in rows]
        values, count, cats = _feature(column, header[i], lines, path, fill_missing, categorical)
        if cats is not None:
            categories[header[i]] = cats
        if count:
            missing[header[i]] = count
        if values.ndim == 1:
            blocks.append(values[:, None])
            names.append(header[i])
        else:
            blocks.append(values)
            names += [f"{header[i]}={c}" for c in cats]
    x = np.concatenate(blocks, axis=1).astype(backend.floatx())

    y = classes = None
    if label is not None:
        y, classes = _label([r[header.index(label)] for r in rows], label, lines, path)

    filled = sum(missing.values())
    if filled:
        logger.info("%s: filled %d missing value(s) with %r (%s)", path, filled, fill_missing,
                    ", ".join(f"{k}: {v}" for k, v in missing.items()))
    return Table(x=x, y=y, feature_names=names, label_name=label, classes=classes,
                 missing_filled=filled, missing_by_column=missing, categories=categories)


def decode_text(raw: bytes, source) -> str:
    """``raw`` decoded as UTF-8 (a byte-order mark is dropped), or a ValueError naming the file,
    the line and the byte that is not UTF-8.

    Example:
        >>> decode_text("a,b\n1,2\n".encode(), "t.csv")
        'a,b\n1,2\n'
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise ValueError(f"{source}, line {line}: the file is not UTF-8 text (byte {raw[err.start]:#04x} at offset "
                         f"{err.start}); save it as UTF-8 (a spreadsheet's \"CSV UTF-8\"), or convert it, e.g. "
                         f"iconv -f latin1 -t utf-8") from None


def read_text(path) -> str:
    """The whole file as UTF-8 text (see ``decode_text``)."""
    return decode_text(Path(path).read_bytes(), path)


def _read_rows(path: Path, delimiter: str):
    """Header (stripped names), data rows and their line numbers; checks the row widths."""
    with io.StringIO(read_text(path), newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ValueError(f"{path}: the file is empty; expected a header row") from None
        seen = set()
        for name in header:
            if name in seen:
                raise ValueError(f"{path}: the header names the column {name!r} twice")
            seen.add(name)
        rows, lines = [], []
        for row in reader:
            if not row or all(not cell.strip() for cell in row):
                continue  # blank line
            if len(row) != len(header):
                raise ValueError(f"{path}, line {reader.line_num}: expected {len(header)} fields "
                                 f"(as in the header), received {len(row)}")
            rows.append(row)
            lines.append(reader.line_num)
    if not rows:
        raise ValueError(f"{path}: expected data rows after the header, found none")
    return header, rows, lines


def _feature(column: list, name: str, lines: list, path: Path, fill, categorical: str):
    """One feature column as floats (or one-hot block), the count of missing cells filled,
    and the category list if the column was text."""
    parsed = [None if _is_missing(v) else _parse_float(v) for v in column]
    missing_at = [k for k, v in enumerate(column) if _is_missing(v)]
    if missing_at and fill is None:
        raise ValueError(f"{path}, line {lines[missing_at[0]]}: column {name!r} has a missing "
                         f"value ({len(missing_at)} in all) and fill_missing is None")
    for k, p in enumerate(parsed):
        if p is not None and not math.isfinite(p):
            raise ValueError(f"{path}, line {lines[k]}: column {name!r} holds {column[k].strip()!r}, which is not a "
                             f"finite number; expected finite numbers (leave a missing value empty or write NA)")
    text_at = [k for k, (v, p) in enumerate(zip(column, parsed)) if p is None and not _is_missing(v)]
    numbers = sum(p is not None for p in parsed)
    if text_at and numbers >= len(text_at):
        k = text_at[0]
        raise ValueError(f"{path}, line {lines[k]}: column {name!r} holds numbers ({numbers} of its values), but "
                         f"{column[k]!r} here is not one ({len(text_at)} such value(s)); fix it (a typo?), or "
                         f"leave it empty or write NA to mark it missing")
    if not text_at:
        values = np.array([fill if p is None else p for p in parsed], dtype=np.float64)
        return values, len(missing_at), None
    if categorical == "error":
        k = text_at[0]
        raise ValueError(
            f"{path}, line {lines[k]}: column {name!r} is not numeric (value {column[k]!r}); "
            f"drop it with drop=[{name!r}] or encode it with categorical='codes' or 'onehot'")
    cats = sorted({v.strip() for v in column if not _is_missing(v)})
    index = {c: j for j, c in enumerate(cats)}
    codes = [None if _is_missing(v) else index[v.strip()] for v in column]
    if categorical == "codes":
        return np.array([fill if c is None else c for c in codes], dtype=np.float64), \
            len(missing_at), cats
    block = np.zeros((len(column), len(cats)), dtype=np.float64)
    for row, c in enumerate(codes):
        if c is not None:
            block[row, c] = 1.0
    return block, len(missing_at), cats


def _label(column: list, name: str, lines: list, path: Path):
    """The label column as int64 (whole numbers, or codes of text classes) or float32."""
    for k, v in enumerate(column):
        if _is_missing(v):
            raise ValueError(f"{path}, line {lines[k]}: the label column {name!r} has a missing "
                             "value; labels are never filled in, remove or fix that row")
    cells = [v.strip() for v in column]
    try:
        return np.array([int(v) for v in cells], dtype=np.int64), None
    except ValueError:
        pass
    floats = [_parse_float(v) for v in cells]
    for k, f in enumerate(floats):
        if f is not None and not math.isfinite(f):
            raise ValueError(f"{path}, line {lines[k]}: the label column {name!r} holds {cells[k]!r}, which is not "
                             f"a finite number; expected finite numbers or class names")
    if all(f is not None for f in floats):
        return np.array(floats, dtype=backend.floatx()), None
    text_at = [k for k, f in enumerate(floats) if f is None]
    numbers = len(floats) - len(text_at)
    if numbers >= len(text_at):  # mostly numbers: a typo, not class names
        k = text_at[0]
        raise ValueError(f"{path}, line {lines[k]}: the label column {name!r} holds numbers ({numbers} of its "
                         f"values), but {cells[k]!r} here is not one ({len(text_at)} such value(s)); fix it (a "
                         f"typo?) instead of letting the whole column become class codes")
    classes = sorted(set(cells))
    index = {c: j for j, c in enumerate(classes)}
    return np.array([index[v] for v in cells], dtype=np.int64), classes
