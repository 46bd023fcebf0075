"""A Keras-style progress bar for training and evaluation.

    Epoch 1/5
     412/1875 [=====>........................] - ETA: 3s - loss: 0.4102 - accuracy: 0.8811

On an interactive terminal the line is redrawn in place (at most ten times a second); when
output goes to a file or a CI log, only the finished line is written, so logs stay short.
"""
from __future__ import annotations

import sys
import time

import numpy as np


def _format_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


def _format_per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def format_logs(logs: dict) -> str:
    """``' - loss: 0.1234 - accuracy: 0.9876'`` from a logs dict."""
    parts = []
    for key, value in logs.items():
        if isinstance(value, np.ndarray) and value.size > 1 and value.dtype.kind in "biuf":
            value = value.mean()  # one value per threshold (Precision(thresholds=[...])): Keras shows the mean
        if isinstance(value, float) or hasattr(value, "__float__"):
            v = float(value)
            parts.append(f"{key}: {v:.4f}" if abs(v) >= 1e-3 or v == 0 else f"{key}: {v:.4e}")
    return "".join(f" - {p}" for p in parts)


class Progbar:
    """Progress bar over ``target`` steps.

    Args:
        target: total number of steps (None if unknown).
        width: characters in the bar.
        verbose: 1 for the bar, 2 for one line at the end, 0 for silence.
        stream: where to write (default ``sys.stdout``).

    Example:
        >>> bar = Progbar(100)
        >>> for i in range(100):
        ...     bar.update(i + 1, {"loss": 1 / (i + 1)})
    """

    def __init__(self, target, width=30, verbose=1, stream=None, interval=0.1):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self.interval = interval
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._finished = False

    def update(self, current: int, logs: dict | None = None, finalize: bool | None = None) -> None:
        """Report that ``current`` steps are done; ``logs`` are shown after the bar."""
        if self.verbose == 0 or self._finished:
            return
        logs = logs or {}
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.perf_counter()
        elapsed = now - self.start
        if finalize:
            self._finished = True
            per_step = elapsed / max(current, 1)
            if self.verbose == 2:
                line = f"{current}/{self.target} - {_format_time(elapsed)} - {_format_per_step(per_step)}"
            else:
                line = f"{self._bar(current)} - {_format_time(elapsed)} {_format_per_step(per_step)}"
            self._write(line + format_logs(logs), end="\n")
            return
        if self.verbose != 1 or not self._interactive or now - self._last_draw < self.interval:
            return
        self._last_draw = now
        eta = ""
        if self.target and current:
            eta = f" - ETA: {_format_time(elapsed / current * (self.target - current))}"
        self._write(self._bar(current) + eta + format_logs(logs), end="")

    def _bar(self, current: int) -> str:
        if self.target is None:
            return f"{current}/Unknown"
        digits = len(str(self.target))
        done = min(int(self.width * current / self.target), self.width) if self.target else self.width
        if done >= self.width:
            bar = "=" * self.width
        elif done == 0:
            bar = "." * self.width
        else:
            bar = "=" * (done - 1) + ">" + "." * (self.width - done)
        return f"{current:>{digits}}/{self.target} [{bar}]"

    def _write(self, text: str, end: str) -> None:
        if self._interactive:
            self.stream.write("\r" + text + "\033[K" + end)
        else:
            self.stream.write(text + end)
        self.stream.flush()
