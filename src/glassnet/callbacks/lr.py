"""Callbacks that change the optimizer's learning rate between epochs.

- ``LearningRateScheduler``: the rate of each epoch from a function of the epoch number
  (the course's step decay: ``lambda epoch, lr: 0.1 * 0.5 ** (epoch // 10)``).
- ``ReduceLROnPlateau``: divide the rate when the monitored metric stops improving.

Both set ``model.optimizer.learning_rate`` to a float and add ``learning_rate`` to the epoch
logs (so it shows in ``history.history["learning_rate"]``, as in Keras). Both refuse an
optimizer whose learning rate is already a schedule object (``ExponentialDecay``...): the
schedule sets the rate at every step and would silently undo the callback.
"""
from __future__ import annotations

import inspect
import math

from glassnet.callbacks.base import Callback
from glassnet.callbacks.monitor import MonitorCallback


def _optimizer_of(callback):
    optimizer = getattr(callback.model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(f"{type(callback).__name__}: the model has no optimizer with a learning_rate; "
                         f"call model.compile(optimizer=...) first")
    return optimizer


def _require_float_learning_rate(callback) -> None:
    optimizer = _optimizer_of(callback)
    lr = optimizer.learning_rate
    if callable(lr):
        raise ValueError(f"{type(callback).__name__}: the optimizer's learning_rate is a schedule ({lr!r}), "
                         f"which sets the rate at every step and would override this callback. Use one or "
                         f"the other: compile with a float learning_rate to use {type(callback).__name__}")


def current_learning_rate(model) -> float:
    """The learning rate the model's optimizer will use next, as a float."""
    optimizer = model.optimizer
    if hasattr(optimizer, "current_learning_rate"):
        return float(optimizer.current_learning_rate())
    lr = optimizer.learning_rate
    return float(lr(optimizer.iterations) if callable(lr) else lr)


def _check_rate(value, who: str, epoch: int) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        rate = None
    if rate is None or isinstance(value, bool) or not math.isfinite(rate) or rate < 0:
        raise ValueError(f"{who}: the schedule must return a non-negative number, received {value!r} "
                         f"for epoch {epoch}")
    return rate


def _positional_arity(fn):
    """How many positional arguments ``fn`` takes (None if it cannot be told)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 2
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch from ``schedule``.

    ``schedule(epoch, lr)`` gets the 0-based epoch and the current rate and returns the new
    rate (a one-argument ``schedule(epoch)`` works too). A schedule object from
    ``glassnet.optimizers.schedules`` is called with the epoch number, so
    ``LearningRateScheduler(StepDecay(0.1, drop_rate=0.5, step_size=10))`` halves the rate every
    10 epochs. The rate used is added to each epoch's logs as ``learning_rate``.

    Args:
        schedule: a function ``(epoch, lr) -> lr`` or ``(epoch) -> lr``, or a schedule object.
        verbose: 1 prints the rate set at every epoch.

    Raises:
        ValueError: at the start of training, if the optimizer's learning rate is itself a
            schedule; during training, if ``schedule`` returns something other than a
            non-negative number.

    Example:
        >>> def step_decay(epoch, lr):
        ...     return 0.1 * 0.5 ** (epoch // 10)     # halve every 10 epochs
        >>> model.fit(x, y, epochs=30, callbacks=[LearningRateScheduler(step_decay)])
        >>> history.history["learning_rate"][::10]
        [0.1, 0.05, 0.025]
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: expected schedule to be a function (epoch, lr) -> lr or a "
                            f"schedule object, received {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        from glassnet.optimizers.schedules import LearningRateSchedule
        arity = 1 if isinstance(schedule, LearningRateSchedule) else _positional_arity(schedule)
        self._takes_lr = arity is None or arity >= 2

    def on_train_begin(self, logs=None):
        _require_float_learning_rate(self)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = _optimizer_of(self)
        lr = float(optimizer.learning_rate)
        value = self.schedule(epoch, lr) if self._takes_lr else self.schedule(epoch)
        rate = _check_rate(value, "LearningRateScheduler", epoch)
        optimizer.learning_rate = rate
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {rate}.", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = current_learning_rate(self.model)


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving.

    Every epoch end: an improvement (beating the best by more than ``min_delta``) resets the
    count of bad epochs; otherwise the count grows, and when it reaches ``patience`` the rate
    becomes ``max(lr * factor, min_lr)`` (if it is still above ``min_lr``), the count restarts
    and ``cooldown`` epochs follow in which bad epochs are not counted. The rate is added to
    each epoch's logs as ``learning_rate``. State resets in ``on_train_begin``.

    Args:
        monitor: the log key to watch. Defaults to ``"val_loss"``.
        factor: the multiplier, in ``(0, 1)``: ``0.1`` divides the rate by 10.
        patience: epochs without improvement before a reduction.
        verbose: 1 prints a line at each reduction.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (``"max"`` for accuracy-like names).
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting bad epochs again.
        min_lr: the rate never goes below this.

    Example:
        >>> reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-5)
        >>> history = model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[reduce])
        >>> history.history["learning_rate"]
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0):
        super().__init__(monitor=monitor, mode=mode, min_delta=min_delta)
        who = type(self).__name__
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor < 1:
            raise ValueError(f"{who}: expected factor in (0, 1), received {factor!r}")
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{who}: expected {name} to be a non-negative integer, received {value!r}")
        if isinstance(min_lr, bool) or not isinstance(min_lr, (int, float)) or not min_lr >= 0:
            raise ValueError(f"{who}: expected min_lr to be a non-negative number, received {min_lr!r}")
        self.factor = float(factor)
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = float(min_lr)
        self._reset()

    def _reset(self):
        self.best = None
        self.wait = 0
        self.cooldown_counter = 0

    def in_cooldown(self) -> bool:
        """True while bad epochs are not being counted after a reduction."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        _require_float_learning_rate(self)
        self._reset()
        self.best = self.initial_best()

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            logs = {}
        optimizer = _optimizer_of(self)
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = self.get_monitor_value(logs)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.is_improvement(current, self.best):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait >= self.patience:
            old_lr = float(optimizer.learning_rate)
            if old_lr > self.min_lr:
                new_lr = max(old_lr * self.factor, self.min_lr)
                optimizer.learning_rate = new_lr
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.", flush=True)
                self.cooldown_counter = self.cooldown
                self.wait = 0
