"""``CSVLogger``: write each epoch's logs as one row of a CSV file.

The file opens at the start of training and gets one row per epoch, flushed at once, so it can
be watched (or plotted) while training runs; a crash loses at most the current epoch.
"""
from __future__ import annotations

import csv
import os

from glassnet.callbacks.base import Callback


class CSVLogger(Callback):
    """Stream epoch results to a CSV file (Keras semantics).

    The columns are ``epoch`` (0-based, as Keras writes it) followed by the keys of the first
    epoch's logs in sorted order (``accuracy,loss,val_accuracy,val_loss``). A key missing in a
    later epoch is written as ``NA``. With ``append=True`` rows are added to an existing file,
    and the header is written only if the file is new or empty (to resume a log).

    Args:
        filename: path of the CSV file (its folder is created if needed).
        separator: the column separator.
        append: add to an existing file instead of overwriting it.

    Example:
        >>> model.fit(x, y, epochs=10, validation_split=0.2, callbacks=[CSVLogger("training.csv")])
        >>> print(open("training.csv").read())
        epoch,loss,val_loss
        0,0.693,0.684
        ...
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        filename = os.fspath(filename)
        if not filename:
            raise ValueError("CSVLogger: expected a file name, received an empty string")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"CSVLogger: expected separator to be one character, received {separator!r}")
        self.filename = filename
        self.sep = separator
        self.append = bool(append)
        self.keys = None
        self._file = None
        self._writer = None
        self._write_header = True

    def _close(self):
        if self._file is not None:
            self._file.close()
        self._file, self._writer = None, None

    def on_train_begin(self, logs=None):
        self._close()  # a previous fit that ended with an exception may have left it open
        self.keys = None
        folder = os.path.dirname(os.path.abspath(self.filename))
        os.makedirs(folder, exist_ok=True)
        if self.append:
            self._write_header = not (os.path.exists(self.filename) and os.path.getsize(self.filename) > 0)
            mode = "a"
        else:
            self._write_header = True
            mode = "w"
        self._file = open(self.filename, mode, newline="", encoding="utf-8")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._file is None:  # used outside fit: open lazily
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs)
        if self._writer is None:
            self._writer = csv.writer(self._file, delimiter=self.sep, lineterminator="\n")
            if self._write_header:
                self._writer.writerow(["epoch"] + self.keys)
        self._writer.writerow([epoch] + [_cell(logs.get(k, "NA")) for k in self.keys])
        self._file.flush()

    def on_train_end(self, logs=None):
        self._close()


def _cell(value):
    """A log value as written to the file: numbers as Python floats/ints, sequences bracketed."""
    if isinstance(value, str):
        return value
    if hasattr(value, "ndim") and getattr(value, "ndim", 0) == 0:
        return value.item()
    if isinstance(value, (list, tuple)) or hasattr(value, "__len__"):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return value
