"""``BackupAndRestore``: resume a ``fit`` that was interrupted (crash, Ctrl-C, lost machine).

At the end of every epoch the callback writes one file, ``backup_dir/backup.npz``, holding
everything needed to continue exactly where training was:

- ``weight:<name>``: every weight of the model, in ``model.weights`` order;
- ``optimizer:<key>``: the optimizer state from ``optimizer.get_state()`` (momenta, Adam's
  moments, the iteration count that learning-rate schedules read);
- ``learning_rate``: the optimizer's learning rate, if it is a number (a callback such as
  ``ReduceLROnPlateau`` may have changed it);
- ``epoch``: how many epochs are finished.

The file is written to a temporary name and renamed over the old one only once complete, so
an interruption during the write leaves the previous backup usable.

When ``fit`` starts (``on_train_begin``) and a backup exists, the callback loads it and calls
``model.resume_at_epoch(n)`` with the number ``n`` of finished epochs: ``fit`` then starts
from that epoch instead of its ``initial_epoch``. So calling the same ``fit`` again after a
crash runs only the missing epochs. When ``fit`` ends normally (all epochs, or stopped early
by a callback) the backup is deleted, unless ``delete_checkpoint=False``; after an exception
it stays for the next run.

A resumed run is identical to an uninterrupted one when the data order is: use
``shuffle=False`` or give ``fit`` a ``seed`` (then epoch ``k`` is shuffled the same way whatever
epoch training starts from). Not restored: draws from glassnet's global generator during
training (dropout masks), and the state of other callbacks (EarlyStopping's patience count).
"""
from __future__ import annotations

import io
import os

import numpy as np

from glassnet.backend import to_host
from glassnet.callbacks.base import BatchSaveCounter, Callback, check_save_freq
from glassnet.utils.files import atomic_write
from glassnet.utils.safe_zip import NpzArrays

FILENAME = "backup.npz"
_FORMAT_VERSION = 1


def _atomic_write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file + rename (never a half-written file)."""
    atomic_write(path, lambda f: f.write(data), prefix=".backup-")


class BackupAndRestore(Callback):
    """Back up training every epoch and resume from the backup after an interruption.

    Args:
        backup_dir: a folder for the backup file (created if needed). Use one folder per
            training run; only the callback's own file in it is ever deleted.
        save_freq: ``"epoch"`` (back up at every epoch end), or a number of batches: then a
            backup is also written every ``save_freq`` batches. As in Keras, resuming restarts
            the interrupted epoch from its first batch, with the weights of the last backup:
            only epoch backups give a run identical to an uninterrupted one.
        delete_checkpoint: delete the backup when ``fit`` ends without an exception.

    Attributes:
        restored_epoch: the number of finished epochs read from a backup by the last
            ``on_train_begin`` (None if there was no backup).

    Example:
        >>> backup = BackupAndRestore("runs/exp1/backup")
        >>> model.fit(x, y, epochs=50, callbacks=[backup])   # interrupted at epoch 31...
        >>> model.fit(x, y, epochs=50, callbacks=[backup])   # ...goes on from epoch 31
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: expected a backup_dir, received an empty value")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = check_save_freq(save_freq, "BackupAndRestore")
        self._save_counter = BatchSaveCounter()
        self.delete_checkpoint = bool(delete_checkpoint)
        self.restored_epoch = None
        self._finished_epochs = 0

    @property
    def backup_path(self) -> str:
        """The backup file: ``backup_dir/backup.npz``."""
        return os.path.join(self.backup_dir, FILENAME)

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        self.restored_epoch = None
        self._save_counter.reset()
        self._finished_epochs = 0
        if os.path.exists(self.backup_path):
            self._finished_epochs = self.restored_epoch = self._restore()
            self.model.resume_at_epoch(self.restored_epoch)

    def on_epoch_end(self, epoch, logs=None):
        self._finished_epochs = epoch + 1
        self._save_counter.reset()
        self._save()

    def on_train_batch_end(self, batch, logs=None):
        if self._save_counter.batch_done(self.save_freq):
            self._save()

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_path):
            os.remove(self.backup_path)
            try:
                os.rmdir(self.backup_dir)  # only if empty: never removes files it did not write
            except OSError:
                pass

    # ------------------------------------------------------------------ file
    def _save(self) -> None:
        model = self.model
        params = model.weights
        arrays = {"format_version": np.asarray(_FORMAT_VERSION, np.int64),
                  "epoch": np.asarray(self._finished_epochs, np.int64),
                  "names": np.asarray([p.name or "" for p in params], dtype=str)}
        for i, p in enumerate(params):
            arrays[f"weight:{i}"] = to_host(p.data)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            for key, value in optimizer.get_state().items():
                arrays[f"optimizer:{key}"] = value
            if not callable(optimizer.learning_rate):
                arrays["learning_rate"] = np.asarray(optimizer.learning_rate, np.float64)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        os.makedirs(self.backup_dir, exist_ok=True)
        _atomic_write_bytes(self.backup_path, buffer.getvalue())

    def _restore(self) -> int:
        path = self.backup_path
        try:
            # sizes and array headers are checked before anything is inflated (a hostile or
            # damaged file is refused without a memory blow-up; see glassnet.utils.safe_zip)
            arrays = NpzArrays(path, path, ValueError)
        except ValueError as err:
            raise ValueError(f"BackupAndRestore: cannot read the backup ({err}); delete it to start training "
                             f"from scratch") from err
        with arrays:
            if not all(key in arrays for key in ("format_version", "epoch", "names")) \
                    or arrays.shape("format_version") != () or arrays.shape("epoch") != ():
                raise ValueError(f"BackupAndRestore: {path} is not a backup this glassnet wrote")
            try:
                version, epoch = int(arrays.read("format_version")), int(arrays.read("epoch"))
                saved_names = [str(n) for n in arrays.read("names")]
            except (ValueError, TypeError) as err:
                raise ValueError(f"BackupAndRestore: cannot read the backup {path} ({err}); delete it to start "
                                 f"training from scratch") from err
            if version != _FORMAT_VERSION:
                raise ValueError(f"BackupAndRestore: {path} is not a backup this glassnet wrote "
                                 f"(format version {version})")
            model = self.model
            params = model.weights
            self._check_same_model(arrays, saved_names, params, path)
            try:
                data = arrays.read_all()
            except ValueError as err:
                raise ValueError(f"BackupAndRestore: cannot read the backup ({err}); delete it to start "
                                 f"training from scratch") from err
        # set_weights checks every shape before changing anything
        model.set_weights([data[f"weight:{i}"] for i in range(len(params))])
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            # the state is keyed by weight names; a rebuilt model may have other default names
            # (dense_3 instead of dense), so map saved names to current ones by position
            rename = {old: p.name for old, p in zip(saved_names, params)}
            state = {}
            for key, value in data.items():
                if not key.startswith("optimizer:"):
                    continue
                key = key[len("optimizer:"):]
                if key != "iterations":
                    pname, slot = key.rsplit("/", 1)
                    key = f"{rename.get(pname, pname)}/{slot}"
                state[key] = value
            if state:
                optimizer.set_state(state)
            if "learning_rate" in data and not callable(optimizer.learning_rate):
                optimizer.learning_rate = float(data["learning_rate"])
        return epoch

    def _check_same_model(self, arrays, saved_names, params, path) -> None:
        """Refuse a backup written by another model (other weight count, shapes or dtypes),
        from the arrays' headers, before any weight array is read."""
        detail = None
        if len(saved_names) != len(params):
            detail = f"it holds {len(saved_names)} weights, the model has {len(params)}"
        else:
            for i, (old, p) in enumerate(zip(saved_names, params)):
                key = f"weight:{i}"
                if key not in arrays:
                    detail = f"weight {i} ({old!r}) is missing from it"
                elif arrays.shape(key) != tuple(p.shape) or arrays.dtype(key) != p.dtype:
                    detail = (f"weight {i} is {old!r} of shape {arrays.shape(key)} {arrays.dtype(key)} in the "
                              f"backup, {p.name!r} of shape {tuple(p.shape)} {p.dtype} in this model")
                if detail:
                    break
        if detail:
            raise ValueError(f"BackupAndRestore: the backup {path} belongs to another model: {detail}. To train "
                             f"this model from scratch, delete that file, or give this run its own backup_dir")
