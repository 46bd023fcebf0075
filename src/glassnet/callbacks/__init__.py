"""Callbacks: code that runs at fixed points of ``fit`` / ``evaluate`` / ``predict``.

One module per concept:

- ``base``: ``Callback`` (the Keras hooks), ``CallbackList``, ``History``, ``ProgbarLogger``
- ``monitor``: ``MonitorCallback``, the shared "is this metric better?" logic (``mode``,
  ``min_delta``, the warning for a metric that is not in the logs)
- ``early_stopping``: ``EarlyStopping`` (stop when the monitored metric stops improving,
  optionally restoring the best weights)
- ``checkpoint``: ``ModelCheckpoint`` (save the model or the best model during training)
- ``lr``: ``LearningRateScheduler`` (the rate of each epoch from a function) and
  ``ReduceLROnPlateau`` (cut the rate when the metric plateaus)
- ``csv_logger``: ``CSVLogger`` (one CSV row per epoch)
- ``terminate_on_nan``: ``TerminateOnNaN`` (stop at the first NaN/inf loss)
- ``lambda_callback``: ``LambdaCallback`` (a callback from plain functions)
- ``backup``: ``BackupAndRestore`` (resume an interrupted ``fit`` where it stopped)
- ``tensorboard``: ``TensorBoard`` (loss, metrics, learning rate and weight histograms as
  event files that ``tensorboard --logdir`` shows)

Example:
    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(epoch, logs["loss"])
    >>> model.fit(x, y, epochs=3, callbacks=[PrintLoss()])
    >>> model.fit(x, y, epochs=100, validation_split=0.2,
    ...           callbacks=[EarlyStopping(patience=5, restore_best_weights=True),
    ...                      ModelCheckpoint("best.glassnet", save_best_only=True)])
"""
from glassnet.callbacks.base import Callback, CallbackList, History, ProgbarLogger  # noqa: F401
from glassnet.callbacks.monitor import MonitorCallback  # noqa: F401
from glassnet.callbacks.early_stopping import EarlyStopping  # noqa: F401
from glassnet.callbacks.checkpoint import ModelCheckpoint  # noqa: F401
from glassnet.callbacks.lr import LearningRateScheduler, ReduceLROnPlateau  # noqa: F401
from glassnet.callbacks.csv_logger import CSVLogger  # noqa: F401
from glassnet.callbacks.terminate_on_nan import TerminateOnNaN  # noqa: F401
from glassnet.callbacks.lambda_callback import LambdaCallback  # noqa: F401
from glassnet.callbacks.backup import BackupAndRestore  # noqa: F401
from glassnet.callbacks.tensorboard import TensorBoard  # noqa: F401

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "MonitorCallback", "EarlyStopping",
           "ModelCheckpoint", "LearningRateScheduler", "ReduceLROnPlateau", "CSVLogger", "TerminateOnNaN",
           "LambdaCallback", "BackupAndRestore", "TensorBoard"]
