"""``TerminateOnNaN``: stop training as soon as the loss becomes NaN or infinite.

A NaN loss never recovers (every weight it touches becomes NaN), so the remaining epochs
would be wasted. Typical causes: a learning rate too large, log of 0 in a hand-written loss.
"""
from __future__ import annotations

import math

from glassnet.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Stop ``fit`` after the first batch whose loss is NaN or infinite.

    It checks the ``loss`` of the training-batch logs (the epoch's running mean, which turns
    NaN with the first NaN batch) and sets ``model.stop_training``; ``fit`` then ends after that
    batch. The 0-based epoch and batch are kept in ``stopped_epoch`` / ``stopped_batch``.

    Example:
        >>> model.fit(x, y, epochs=100, callbacks=[TerminateOnNaN()])
        Batch 3: Invalid loss, terminating training
    """

    def __init__(self):
        super().__init__()
        self.stopped_epoch = None
        self.stopped_batch = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        self.stopped_epoch = self.stopped_batch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
            self.stopped_epoch, self.stopped_batch = self._epoch, batch
            self.model.stop_training = True
