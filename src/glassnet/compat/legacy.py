"""Keras 2's generator methods: ``fit_generator``, ``evaluate_generator``, ``predict_generator``.

Keras 2.1 deprecated them and Keras 3 removed them (``fit`` takes the generator itself). Here
they work, with one warning each: glassnet's ``fit`` takes arrays, so a generator's batches are
drawn once (``steps_per_epoch`` of them, or every batch of a ``keras.utils.Sequence``),
stacked into arrays and given to ``fit``, which then reuses them every epoch in that order
(a generator that augments data at random gives one epoch's worth of variety, not one per epoch).

Example:
    >>> def batches():
    ...     while True:
    ...         yield x_train[:32], y_train[:32]
    >>> model.fit_generator(batches(), steps_per_epoch=10, epochs=3)   # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np

from glassnet.compat import warn_renamed


def _stack(items):
    first = items[0]
    if isinstance(first, (list, tuple)):
        return [np.concatenate([np.asarray(it[k]) for it in items]) for k in range(len(first))]
    if isinstance(first, dict):
        return {k: np.concatenate([np.asarray(it[k]) for it in items]) for k in first}
    if first is None:
        return None
    return np.concatenate([np.asarray(it) for it in items])


def collect_batches(generator, steps, caller: str):
    """``(x, y, sample_weight, batch_size)`` from ``steps`` batches of ``generator`` (a Python
    generator or iterator, or a Sequence with ``__len__`` and ``__getitem__``)."""
    if hasattr(generator, "__getitem__") and hasattr(generator, "__len__"):
        steps = len(generator) if steps is None else min(int(steps), len(generator))
        batches = [generator[i] for i in range(steps)]
    else:
        if steps is None:
            raise ValueError(f"{caller}: a generator needs steps_per_epoch= (how many batches make an epoch)")
        iterator = iter(generator)
        batches = [next(iterator) for _ in range(int(steps))]
    if not batches:
        raise ValueError(f"{caller}: the generator gave no batches")
    parts = [b if isinstance(b, tuple) else (b,) for b in batches]
    x = _stack([p[0] for p in parts])
    y = _stack([p[1] for p in parts]) if len(parts[0]) > 1 else None
    sw = _stack([p[2] for p in parts]) if len(parts[0]) > 2 else None
    first = parts[0][0]
    size = len(first[0] if isinstance(first, (list, tuple)) else next(iter(first.values()))
               if isinstance(first, dict) else first)
    return x, y, sw, size


def fit_generator(model, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                  validation_data=None, validation_steps=None, class_weight=None, max_queue_size=10,
                  workers=1, use_multiprocessing=False, shuffle=False, initial_epoch=0):
    warn_renamed("Model.fit_generator", "Model.fit (glassnet's fit takes arrays: the generator's batches are "
                 "drawn once here and reused every epoch)", stacklevel=4)
    x, y, sw, size = collect_batches(generator, steps_per_epoch, "fit_generator")
    if validation_data is not None and not isinstance(validation_data, (tuple, list)):
        vx, vy, vsw, _ = collect_batches(validation_data, validation_steps, "fit_generator (validation)")
        validation_data = (vx, vy) if vsw is None else (vx, vy, vsw)
    return model.fit(x, y, batch_size=size, epochs=epochs, verbose=verbose, callbacks=callbacks,
                     validation_data=validation_data, shuffle=bool(shuffle), class_weight=class_weight,
                     sample_weight=sw, initial_epoch=initial_epoch)


def evaluate_generator(model, generator, steps=None, verbose=0, **ignored):
    warn_renamed("Model.evaluate_generator", "Model.evaluate", stacklevel=4)
    x, y, sw, size = collect_batches(generator, steps, "evaluate_generator")
    return model.evaluate(x, y, batch_size=size, sample_weight=sw, verbose=verbose)


def predict_generator(model, generator, steps=None, verbose=0, **ignored):
    warn_renamed("Model.predict_generator", "Model.predict", stacklevel=4)
    x, _, _, size = collect_batches(generator, steps, "predict_generator")
    return model.predict(x, batch_size=size, verbose=verbose)
