"""Batches from a Python generator, an iterator or a ``keras.utils.Sequence`` / ``PyDataset``.

``fit``, ``evaluate`` and ``predict`` take arrays, and also (as Keras 3's do) an object that
hands out whole batches:

- a generator or iterator yielding ``x``, ``(x, y)`` or ``(x, y, sample_weight)`` batches. It
  is *one* stream for the whole ``fit``: epoch 2 continues where epoch 1 stopped, so an endless
  generator (``while True: yield ...``, Keras 2's style) needs ``steps_per_epoch``; without it an
  epoch runs until the generator is exhausted.
- a ``Sequence``/``PyDataset`` (``__len__`` batches, ``__getitem__(i)`` batch ``i``): every
  training epoch reads batches ``0 .. steps-1`` and then calls its ``on_epoch_end()`` (where a
  Sequence reshuffles, as ``ImageDataGenerator.flow`` does).

Batches are drawn as training goes, so a source that augments at random (``ImageDataGenerator``)
gives fresh images every epoch. ``shuffle`` and ``batch_size`` do not apply: the source decides
both, as in Keras.

Example:
    >>> import numpy as np
    >>> def batches():
    ...     while True:
    ...         i = np.random.randint(0, len(x_train) - 32)
    ...         yield x_train[i:i + 32], y_train[i:i + 32]
    >>> model.fit(batches(), steps_per_epoch=20, epochs=3)                    # doctest: +SKIP
"""
from __future__ import annotations

import inspect
from collections.abc import Iterator

import numpy as np

from glassnet.core.tensor import Tensor


def is_batch_source(x) -> bool:
    """True for a generator, an iterator or a Sequence-like object (``__len__`` and
    ``__getitem__`` but no array interface), False for arrays, Tensors, lists, tuples, dicts."""
    if x is None or isinstance(x, (np.ndarray, Tensor, list, tuple, dict, str, bytes)):
        return False
    if hasattr(x, "__array__") or hasattr(x, "shape"):  # array-likes (a DataFrame) are data, not batches
        return False
    if inspect.isgenerator(x) or isinstance(x, Iterator):
        return True
    return hasattr(x, "__getitem__") and hasattr(x, "__len__")


def _is_sequence(source) -> bool:
    # indexable first: a Sequence that is also an iterator (ImageDataGenerator.flow's) is read by index
    return hasattr(source, "__getitem__") and hasattr(source, "__len__")


def _split(batch, caller: str):
    """A batch as ``(x, y, sample_weight)`` (Keras's convention: a tuple, or a list as Keras's
    ``unpack_x_y_sample_weight`` reads one, of 1 to 3 items is the parts; anything else is
    ``x`` alone, so several inputs go as ``([x1, x2], y)``)."""
    if isinstance(batch, list):
        batch = tuple(batch)
    if isinstance(batch, tuple):
        if not 1 <= len(batch) <= 3:
            raise ValueError(f"{caller}: a batch must be x, (x,), (x, y) or (x, y, sample_weight); received "
                             f"a tuple of {len(batch)} items")
        batch = batch + (None,) * (3 - len(batch))
        return batch[0], batch[1], batch[2]
    return batch, None, None


class BatchSource:
    """Batches for ``fit``/``evaluate``/``predict`` from a generator or a Sequence.

    Args:
        source: the generator, iterator or Sequence.
        steps: batches per epoch (``steps_per_epoch``/``steps``); None: ``len(source)`` for a
            Sequence, until exhaustion for a generator.
        caller: ``"fit"``, ``"evaluate"``... for error messages.
    """

    def __init__(self, source, steps, caller: str):
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps <= 0):
            raise ValueError(f"{caller}: expected steps to be a positive integer, received {steps!r}")
        self.source, self.caller = source, caller
        self.sequence = _is_sequence(source)
        if self.sequence:
            available = len(source)
            if available == 0:
                raise ValueError(f"{caller}: the {type(source).__name__} has no batches (len() is 0)")
            self.steps = available if steps is None else min(int(steps), available)
        else:
            self.steps = None if steps is None else int(steps)
            self._iterator = iter(source)
        self._peeked = None

    def peek(self):
        """The first batch as ``(x, y, sample_weight)``, without using it up."""
        if self._peeked is None:
            batch = self.source[0] if self.sequence else next(self._iterator, None)
            if batch is None:
                raise ValueError(f"{self.caller}: the generator gave no batches")
            self._peeked = _split(batch, self.caller)
        return self._peeked

    def epoch(self):
        """This epoch's batches, each ``(x, y, sample_weight)``, drawn one at a time."""
        if self.sequence:
            for i in range(self.steps):
                if i == 0 and self._peeked is not None:
                    batch, self._peeked = self._peeked, None
                    yield batch
                else:
                    yield _split(self.source[i], self.caller)
            return
        count = 0
        while self.steps is None or count < self.steps:
            if self._peeked is not None:
                batch, self._peeked = self._peeked, None
            else:
                raw = next(self._iterator, None)
                if raw is None:
                    if self.steps is not None:
                        import warnings
                        warnings.warn(f"{self.caller}: the generator ran out of data after {count} of "
                                      f"{self.steps} steps; give it more batches (an endless loop) or "
                                      f"a smaller steps_per_epoch", stacklevel=4)
                    return
                batch = _split(raw, self.caller)
            count += 1
            yield batch

    def end_epoch(self) -> None:
        """After a training epoch: a Sequence's ``on_epoch_end()`` (where it reshuffles), as
        Keras calls it; nothing for a generator."""
        if self.sequence and hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()

    def collect(self):
        """One epoch's batches stacked into arrays: ``(x, y, sample_weight, first batch size)``
        (what ``evaluate``, ``predict`` and validation need: one pass, in order)."""
        parts = list(self.epoch())
        if not parts:
            raise ValueError(f"{self.caller}: the generator gave no batches")
        x = _stack([p[0] for p in parts])
        y = None if parts[0][1] is None else _stack([p[1] for p in parts])
        sw = None if parts[0][2] is None else _stack([p[2] for p in parts])
        return x, y, sw, _length(parts[0][0])


def _length(x) -> int:
    if isinstance(x, dict):
        x = next(iter(x.values()))
    elif isinstance(x, (list, tuple)):
        x = x[0]
    return len(x)


def _stack(items):
    first = items[0]
    if isinstance(first, (list, tuple)):
        return [np.concatenate([np.asarray(getattr(it[k], "data", it[k])) for it in items])
                for k in range(len(first))]
    if isinstance(first, dict):
        return {k: np.concatenate([np.asarray(getattr(it[k], "data", it[k])) for it in items]) for k in first}
    return np.concatenate([np.asarray(getattr(it, "data", it)) for it in items])


def validate_now(freq, epoch: int) -> bool:
    """Keras's ``validation_freq``: every ``freq`` epochs, or after the (1-based) epochs listed.

    Example:
        >>> [validate_now(2, e) for e in range(4)], validate_now([1, 3], 2)
        ([False, True, False, True], True)
    """
    if isinstance(freq, (list, tuple, set)):
        return epoch + 1 in freq
    if isinstance(freq, bool) or not isinstance(freq, (int, np.integer)) or freq < 1:
        raise ValueError(f"fit: expected validation_freq to be a positive integer or a list of epochs, "
                         f"received {freq!r}")
    return (epoch + 1) % int(freq) == 0
