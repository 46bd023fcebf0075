"""``MonitorCallback``: what EarlyStopping, ModelCheckpoint and ReduceLROnPlateau share.

Each of them watches one number of the epoch logs (``monitor="val_loss"``) and asks, every
epoch, "is this better than the best so far?". Better means lower for a loss and higher for
an accuracy; ``mode`` says which, and ``"auto"`` guesses from the name:

- names containing ``acc``, ``auc``, ``precision``, ``recall``, ``f1``, ``fmeasure``, ``iou``
  or ``top_k`` (``accuracy``, ``val_accuracy``, ``val_auc``...) are maximised;
- anything else (``loss``, ``val_loss``, ``mae``...) is minimised.

A metric object of the model with a ``direction`` attribute (``"up"`` or ``"down"``) of the
same name overrides the guess.

``min_delta`` is the smallest change that counts: in ``min`` mode ``current`` improves on
``best`` when ``current < best - min_delta``; in ``max`` mode when ``current > best + min_delta``.
"""
from __future__ import annotations

import math
import warnings

from glassnet.callbacks.base import Callback

_MAXIMISED = ("acc", "auc", "precision", "recall", "f1", "fmeasure", "iou", "top_k")


def infer_mode(monitor: str, model=None) -> str:
    """``"max"`` or ``"min"`` for a monitored name, as ``mode="auto"`` decides.

    Example:
        >>> infer_mode("val_accuracy"), infer_mode("val_loss")
        ('max', 'min')
    """
    name = monitor[4:] if monitor.startswith("val_") else monitor
    for _, metric, key in getattr(model, "_metrics", None) or []:
        direction = getattr(metric, "direction", None)
        if key == name and direction in ("up", "down"):
            return "max" if direction == "up" else "min"
    if name == "loss" or name.endswith("_loss"):
        return "min"
    return "max" if any(token in name.lower() for token in _MAXIMISED) else "min"


class MonitorCallback(Callback):
    """Base class of callbacks that watch one logged quantity for improvement.

    Args:
        monitor: the log key to watch (``"val_loss"``, ``"val_accuracy"``, ``"loss"``...).
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the name; see the module docstring).
        min_delta: the smallest change that counts as an improvement (its sign is ignored).

    Example:
        >>> class PrintImprovement(MonitorCallback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         current = self.get_monitor_value(logs)
        ...         if current is not None and self.is_improvement(current, self.best):
        ...             self.best = current
        ...             print("better:", current)
    """

    def __init__(self, monitor="val_loss", mode="auto", min_delta=0.0):
        super().__init__()
        who = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"{who}: expected monitor to be a log key such as 'val_loss', received {monitor!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{who}: expected mode to be one of 'auto', 'min', 'max', received {mode!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float)) or not math.isfinite(min_delta):
            raise ValueError(f"{who}: expected min_delta to be a number, received {min_delta!r}")
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(float(min_delta))
        self.best = None

    @property
    def resolved_mode(self) -> str:
        """``"min"`` or ``"max"``: ``mode``, with ``"auto"`` resolved from the monitored name."""
        return self.mode if self.mode != "auto" else infer_mode(self.monitor, self.model)

    def initial_best(self) -> float:
        """The "best so far" before any epoch: ``inf`` when minimising, ``-inf`` when maximising."""
        return math.inf if self.resolved_mode == "min" else -math.inf

    def is_improvement(self, current, reference) -> bool:
        """True if ``current`` beats ``reference`` by more than ``min_delta`` (None: always)."""
        if reference is None:
            return True
        if self.resolved_mode == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta

    def get_monitor_value(self, logs):
        """The monitored value from ``logs`` as a float, or None with a warning naming the keys
        that were available (usually a typo, or ``val_...`` without validation data)."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            available = ", ".join(logs) or "(none)"
            hint = " (val_ metrics need validation_data or validation_split in fit)" \
                if self.monitor.startswith("val_") and not any(k.startswith("val_") for k in logs) else ""
            warnings.warn(f"{type(self).__name__} is conditioned on metric '{self.monitor}', which is not "
                          f"available{hint}. Available metrics are: {available}", RuntimeWarning, stacklevel=3)
            return None
        return float(value)
