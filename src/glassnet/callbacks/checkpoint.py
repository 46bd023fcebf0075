"""``ModelCheckpoint``: save the model (or its weights) during training.

The course's "model backup": keep a copy of the best model seen so far, so that a later,
worse epoch (or a crash) does not lose it. Files are written by ``model.save`` /
``model.save_weights``, which write to a temporary file in the same folder and rename it over
the target only once complete: a failed save leaves the previous checkpoint intact.
"""
from __future__ import annotations

import math
import os
import warnings

from glassnet.callbacks.base import BatchSaveCounter, check_save_freq
from glassnet.callbacks.monitor import MonitorCallback


class ModelCheckpoint(MonitorCallback):
    """Save the model at the end of every epoch (or every ``save_freq`` batches).

    ``filepath`` may contain ``str.format`` fields filled from the epoch number (1-based, as
    Keras prints it) and the epoch logs, e.g. ``"ckpt-{epoch:02d}-{val_loss:.3f}.glassnet"`` gives
    ``ckpt-03-0.412.glassnet``. With ``save_freq`` a number of batches, ``{batch}`` (1-based
    within the epoch) is available too.

    With ``save_best_only=True`` a file is written only when the monitored value improves on
    the best seen by this callback (``mode`` says whether lower or higher is better); with a
    fixed ``filepath`` the file then always holds the best model. The best value is kept across
    ``fit`` calls (as in Keras), so a second ``fit`` only overwrites it with a better model.

    File formats: full models are written by ``model.save`` (a ``.glassnet`` zip: architecture,
    weights and optimizer state, loaded back with ``glassnet.load_model``); with
    ``save_weights_only=True`` by ``model.save_weights`` (an ``.npz`` of the weights, loaded back
    with ``model.load_weights``). The extension is yours to choose; use those two by convention.

    Args:
        filepath: where to save; may contain format fields (see above). Folders are created.
        monitor: the log key compared when ``save_best_only`` is set.
        verbose: 1 prints a line each time a file is (or is not) written.
        save_best_only: only save when ``monitor`` improves.
        save_weights_only: save only the weights (``save_weights``) instead of the whole model.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (``"max"`` for accuracy-like names).
        save_freq: ``"epoch"``, or a number of batches between saves.
        initial_value_threshold: a starting "best" value that a model must beat to be saved
            (only with ``save_best_only``).

    Raises:
        KeyError: at save time, when ``filepath`` names a field the logs do not have; the
            message lists the fields that are available.

    Example:
        >>> checkpoint = ModelCheckpoint("best.glassnet", monitor="val_accuracy", save_best_only=True)
        >>> model.fit(x, y, validation_split=0.2, epochs=20, callbacks=[checkpoint])
        >>> best = glassnet.load_model("best.glassnet")
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor=monitor, mode=mode, min_delta=0.0)
        who = type(self).__name__
        filepath = os.fspath(filepath)
        if not filepath:
            raise ValueError(f"{who}: expected a file path, received an empty string")
        self.filepath = filepath
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.save_freq = check_save_freq(save_freq, who)
        self._save_counter = BatchSaveCounter()
        self.best = None if initial_value_threshold is None else float(initial_value_threshold)
        self.last_saved = None  # path of the last file written
        self._current_epoch = 0

    def on_train_begin(self, logs=None):
        self._save_counter.reset()

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def on_train_batch_end(self, batch, logs=None):
        if self._save_counter.batch_done(self.save_freq):
            self._save(self._current_epoch, batch, logs or {})

    # ------------------------------------------------------------------ saving
    def format_filepath(self, epoch: int, logs: dict, batch=None) -> str:
        """``filepath`` with its fields filled (``epoch`` and ``batch`` given 0-based, shown 1-based).

        Example:
            >>> ModelCheckpoint("m-{epoch:02d}-{loss:.2f}.glassnet").format_filepath(2, {"loss": 0.5})
            'm-03-0.50.glassnet'
        """
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as err:
            raise KeyError(f"ModelCheckpoint: cannot format filepath {self.filepath!r}: no field {err} in the "
                           f"logs. Available fields: {sorted(fields)}") from None
        except (ValueError, IndexError) as err:
            raise ValueError(f"ModelCheckpoint: cannot format filepath {self.filepath!r} with fields "
                             f"{sorted(fields)}: {err}") from None

    def _write(self, path: str) -> None:
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
        self.last_saved = path

    def _save(self, epoch: int, batch, logs: dict) -> None:
        path = self.format_filepath(epoch, logs, batch)
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}", flush=True)
            self._write(path)
            return
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"ModelCheckpoint: can save the best model only with '{self.monitor}' available, "
                          f"skipping. Available metrics are: {', '.join(logs) or '(none)'}",
                          RuntimeWarning, stacklevel=2)
            return
        current = float(current)
        if math.isnan(current):
            return
        if self.is_improvement(current, self.best if self.best is not None else self.initial_best()):
            if self.verbose > 0:
                before = "-" if self.best is None else f"{self.best:.5f}"
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {before} to {current:.5f}, "
                      f"saving model to {path}", flush=True)
            self._write(path)  # best is updated only once the file is safely written
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}", flush=True)
