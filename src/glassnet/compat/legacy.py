"""Keras 2's generator methods: ``fit_generator``, ``evaluate_generator``, ``predict_generator``.

Keras 2.1 deprecated them and Keras 3 removed them: ``fit``, ``evaluate`` and ``predict`` take
the generator (or ``keras.utils.Sequence``) themselves. Here they work, with one warning each,
by handing the generator to those methods (``glassnet.models.data_sources``): ``fit`` draws
``steps_per_epoch`` fresh batches every epoch, so a generator that augments at random gives new
images each epoch, as in Keras.

Example:
    >>> def batches():
    ...     while True:
    ...         yield x_train[:32], y_train[:32]
    >>> model.fit_generator(batches(), steps_per_epoch=10, epochs=3)   # doctest: +SKIP
"""
from __future__ import annotations

from glassnet.compat import warn_renamed


def fit_generator(model, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                  validation_data=None, validation_steps=None, validation_freq=1, class_weight=None,
                  max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=False, initial_epoch=0):
    warn_renamed("Model.fit_generator", "Model.fit (which takes the generator itself)", stacklevel=4)
    if steps_per_epoch is None and not (hasattr(generator, "__len__") and hasattr(generator, "__getitem__")):
        # as Keras 2 refused it: an endless generator would make an endless epoch
        raise ValueError("fit_generator: a generator needs steps_per_epoch= (how many batches make an epoch); "
                         "only a keras.utils.Sequence knows its own length")
    # (max_queue_size, workers, use_multiprocessing: Keras 2's background loading; batches are
    # drawn in the training loop here; shuffle: Keras 2 shuffled a Sequence's batch order)
    return model.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                     callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
                     validation_freq=validation_freq, class_weight=class_weight, initial_epoch=initial_epoch)


def evaluate_generator(model, generator, steps=None, verbose=0, **ignored):
    warn_renamed("Model.evaluate_generator", "Model.evaluate", stacklevel=4)
    return model.evaluate(generator, steps=steps, verbose=verbose)


def predict_generator(model, generator, steps=None, verbose=0, **ignored):
    warn_renamed("Model.predict_generator", "Model.predict", stacklevel=4)
    return model.predict(generator, steps=steps, verbose=verbose)
