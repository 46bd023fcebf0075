"""``TensorBoard``: write training curves and weight histograms for the TensorBoard program.

The files are written by ``glassnet.utils.event_file`` (TFRecord framing and a few protocol
buffer messages, by hand), so neither TensorFlow nor protobuf is needed to *write* them; only
viewing them needs ``pip install tensorboard``.
"""
from __future__ import annotations

import os
import time
import warnings

import numpy as np

from glassnet.backend import to_host
from glassnet.callbacks.base import Callback
from glassnet.utils.event_file import EventFileWriter

_FLUSH_SECS = 5.0  # batch-level scalars are pushed to disk at least this often


def _as_float(value):
    """``value`` as a float if it is a number (or a one-element array), else None."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        return float(value.reshape(()))
    return None


class TensorBoard(Callback):
    """Log metrics, the learning rate and weight histograms for TensorBoard.

    Like Keras, two runs are written: ``<log_dir>/train`` and ``<log_dir>/validation``. At the
    end of every epoch (step = epoch index, from 0):

    - ``train``: ``epoch_loss``, ``epoch_accuracy``... (every metric in the logs) and
      ``epoch_learning_rate`` (the optimizer's current learning rate);
    - ``validation``: the ``val_*`` metrics with the prefix removed (``val_loss`` is written as
      ``epoch_loss``), so TensorBoard draws train and validation on the same chart;
    - ``train``, every ``histogram_freq`` epochs (epochs 0, f, 2f...): a histogram of every
      weight, tagged by its name (``dense_1/kernel``).

    The files are flushed after each epoch, so a running TensorBoard shows progress, and closed
    when training ends. Scalars are stored as float32.

    Args:
        log_dir: directory of the logs (created if needed). Use one per experiment, e.g.
            ``f"logs/{datetime.now():%Y%m%d-%H%M%S}"``: TensorBoard compares runs side by side.
        histogram_freq: epochs between weight histograms; 0 (default) writes none.
        write_graph: accepted for Keras compatibility; drawing the model graph is not
            supported (a warning is given if True).
        write_images, profile_batch, embeddings_freq, embeddings_metadata: accepted for Keras
            compatibility; not supported (a warning is given if set).
        write_steps_per_second: also write ``epoch_steps_per_second`` (training speed).
        update_freq: ``"epoch"`` (default) writes once per epoch; ``"batch"`` or an int N also
            writes ``batch_loss`` (and ``batch_<metric>``) every N training batches, with the
            global batch count as the step. The metrics are the running means of the epoch
            so far, as in the progress bar.

    Example:
        >>> tb = gn.callbacks.TensorBoard(log_dir="logs", histogram_freq=1)
        >>> model.fit(x, y, epochs=10, validation_data=(x_val, y_val), callbacks=[tb])

        then, in a terminal: ``tensorboard --logdir logs`` and open http://localhost:6006.
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=False, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if not isinstance(log_dir, (str, os.PathLike)):
            raise TypeError(f"TensorBoard: expected log_dir to be a path, received {log_dir!r}")
        self.log_dir = os.fspath(log_dir)
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, (int, np.integer)) \
                or histogram_freq < 0:
            raise ValueError(f"TensorBoard: expected histogram_freq to be an int >= 0, received {histogram_freq!r}")
        self.histogram_freq = int(histogram_freq)
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (isinstance(update_freq, bool) or not isinstance(update_freq, (int, np.integer))
                                       or update_freq < 1):
            raise ValueError(f"TensorBoard: expected update_freq to be 'epoch', 'batch' or a positive int, "
                             f"received {update_freq!r}")
        self.update_freq = update_freq if update_freq == "epoch" else int(update_freq)
        self.write_steps_per_second = bool(write_steps_per_second)
        self.write_graph = bool(write_graph)
        unsupported = [name for name, value in (("write_graph", write_graph), ("write_images", write_images),
                                                ("profile_batch", profile_batch),
                                                ("embeddings_freq", embeddings_freq),
                                                ("embeddings_metadata", embeddings_metadata)) if value]
        if unsupported:
            verb = "is" if len(unsupported) == 1 else "are"
            warnings.warn(f"TensorBoard: {', '.join(unsupported)} {verb} not supported by glassnet and "
                          f"ignored (scalars, the learning rate and histograms are written)", stacklevel=2)
        self._writers = {}
        self._global_batch = 0   # training batches seen, across epochs and fit calls
        self._epoch_batches = 0
        self._epoch_start = None
        self._last_flush = time.monotonic()

    # ------------------------------------------------------------------ writers
    def _writer(self, run: str) -> EventFileWriter:
        """The writer of ``log_dir/run``, created on first use (no empty validation run)."""
        writer = self._writers.get(run)
        if writer is None:
            writer = self._writers[run] = EventFileWriter(os.path.join(self.log_dir, run))
        return writer

    def _flush(self) -> None:
        for writer in self._writers.values():
            writer.flush()
        self._last_flush = time.monotonic()

    def _close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        self._close()  # a previous fit that raised may have left writers open
        self._writer("train")

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._epoch_batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self._global_batch += 1
        self._epoch_batches += 1
        if self.update_freq == "epoch" or self._global_batch % self.update_freq:
            return
        writer = self._writer("train")
        for key, value in (logs or {}).items():
            number = _as_float(value)
            if number is not None:
                writer.add_scalar(f"batch_{key}", number, self._global_batch)
        if time.monotonic() - self._last_flush > _FLUSH_SECS:
            self._flush()

    def on_epoch_end(self, epoch, logs=None):
        train, validation = {}, {}
        for key, value in (logs or {}).items():
            number = _as_float(value)
            if number is None:
                continue
            if key.startswith("val_"):
                validation[key[len("val_"):]] = number
            else:
                train[key] = number
        if "learning_rate" not in train:  # unless a callback already put it in the logs
            lr = self._learning_rate()
            if lr is not None:
                train["learning_rate"] = lr
        if self.write_steps_per_second and self._epoch_start is not None:
            seconds = time.perf_counter() - self._epoch_start
            if seconds > 0:
                train["steps_per_second"] = self._epoch_batches / seconds
        for run, values in (("train", train), ("validation", validation)):
            if values:
                writer = self._writer(run)
                for key, number in values.items():
                    writer.add_scalar(f"epoch_{key}", number, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_histograms(epoch)
        self._flush()

    def on_train_end(self, logs=None):
        self._close()

    # ------------------------------------------------------------------ helpers
    def _learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        current = getattr(optimizer, "current_learning_rate", None)
        if current is None:
            return None
        return _as_float(current())

    def _write_histograms(self, epoch: int) -> None:
        writer = self._writer("train")
        seen = set()
        for i, weight in enumerate(getattr(self.model, "weights", [])):
            tag = getattr(weight, "name", None) or f"weight_{i}"
            tag = tag.replace(":", "_")
            base, n = tag, 1
            while tag in seen:  # two weights with one name would share a chart
                tag, n = f"{base}_{n}", n + 1
            seen.add(tag)
            writer.add_histogram(tag, to_host(weight.data), epoch)

    def __del__(self):
        try:
            self._close()
        except Exception:  # noqa: BLE001  (interpreter shutdown)
            pass
