"""``EarlyStopping``: stop training when the monitored metric stops improving.

The course's rule: watch the validation loss, keep the best model, and stop when it has not
improved for a while. With ``patience=p``, training stops at the end of the ``p``-th epoch in a
row without improvement; with ``restore_best_weights=True`` the model ends with the weights of
its best epoch rather than its last.
"""
from __future__ import annotations

from glassnet.callbacks.monitor import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stop ``fit`` when ``monitor`` has not improved for ``patience`` epochs (Keras semantics).

    At every epoch end, the monitored value improves if it beats the best so far by more than
    ``min_delta``. Each epoch without improvement adds one to ``wait``; an improvement resets it
    to 0 (if ``baseline`` is set, only an improvement that also beats the baseline resets it).
    When ``wait`` reaches ``patience`` (and at least one epoch is done), ``model.stop_training``
    is set, and ``stopped_epoch`` records the epoch (0-based). Epochs before
    ``start_from_epoch`` are not watched at all (a warm-up).

    All state (``wait``, ``best``, ``best_weights``...) is reset in ``on_train_begin``, so one
    instance can serve several ``fit`` calls.

    Args:
        monitor: the log key to watch. Defaults to ``"val_loss"``.
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a line when stopping and when restoring weights.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (``"max"`` for accuracy-like names, else
            ``"min"``).
        baseline: a value the metric must beat; if no epoch beats it, training stops after
            ``patience`` epochs.
        restore_best_weights: at the end of training (stopped early or not), set the model's
            weights back to those of the best epoch (as Keras 3 does). Without any watched epoch
            nothing is restored.
        start_from_epoch: number of epochs to train before watching.

    Attributes:
        best: the best monitored value seen (None before the first watched epoch).
        best_epoch: the 0-based epoch of ``best``.
        stopped_epoch: the 0-based epoch at which training was stopped (0 if it was not).
        wait: epochs since the last improvement.

    Example:
        >>> stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
        >>> model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])
        >>> stop.stopped_epoch, stop.best
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor=monitor, mode=mode, min_delta=min_delta)
        who = type(self).__name__
        for name, value in (("patience", patience), ("start_from_epoch", start_from_epoch)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{who}: expected {name} to be a non-negative integer, received {value!r}")
        self.patience = patience
        self.verbose = verbose
        self.baseline = None if baseline is None else float(baseline)
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = start_from_epoch
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # the first watched epoch is the best so far, whatever the baseline says
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self.is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.", flush=True)
            self.model.set_weights(self.best_weights)
