"""Callbacks: code that runs at fixed points of ``fit`` / ``evaluate`` / ``predict``.

A callback overrides any of the Keras hooks; ``logs`` dicts carry the current metrics
(``loss``, ``accuracy``, ``val_loss``...). ``self.model`` is the model being trained; setting
``self.model.stop_training = True`` ends ``fit``: from an epoch hook after that epoch, from a
batch hook after that batch (the epoch is then closed as usual: validation, ``on_epoch_end``).

All callbacks of one ``fit`` share each epoch's ``logs`` dict and run in the order given, then
``History`` and the progress bar; so a key a callback adds (``learning_rate``) is seen by the
callbacks after it and recorded in the history.

Example:
    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(epoch, logs["loss"])
    >>> model.fit(x, y, epochs=3, callbacks=[PrintLoss()])
"""
from __future__ import annotations

from glassnet.utils.progbar import Progbar


class Callback:
    """Base class: every hook does nothing until overridden."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...

    # Keras 2 names of the training-batch hooks (called by the default on_train_batch_*)
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...


def as_callback_list(callbacks, caller: str = "fit") -> list:
    """``callbacks`` as a list of ``Callback`` instances.

    A single callback is wrapped in a list (Keras needs the list; forgetting it is common). A
    string, a class instead of an instance, or anything else is refused, naming it.

    Example:
        >>> as_callback_list(None), len(as_callback_list(Callback()))
        ([], 1)
    """
    if callbacks is None:
        return []
    items = [callbacks] if isinstance(callbacks, Callback) else callbacks
    if isinstance(items, (str, bytes, dict)) or not isinstance(items, (list, tuple)):
        raise TypeError(f"{caller}: expected callbacks to be a list of Callback instances, e.g. "
                        f"callbacks=[EarlyStopping(patience=3)], received {_describe(callbacks)}")
    for i, cb in enumerate(items):
        if not isinstance(cb, Callback):
            hint = (f"; create an instance: {cb.__name__}(...)" if isinstance(cb, type) and issubclass(cb, Callback)
                    else "")
            raise TypeError(f"{caller}: expected callbacks[{i}] to be a Callback instance, received "
                            f"{_describe(cb)}{hint}")
    return list(items)


def _describe(value) -> str:
    if isinstance(value, type):
        return f"the class {value.__name__}"
    return f"{type(value).__name__} {value!r}"[:120]


def check_save_freq(save_freq, who: str):
    """``save_freq`` if valid: ``"epoch"`` or a positive number of batches (``who`` names the
    callback in the error)."""
    if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                 or save_freq <= 0):
        raise ValueError(f"{who}: expected save_freq to be 'epoch' or a positive number of batches, "
                         f"received {save_freq!r}")
    return save_freq


class BatchSaveCounter:
    """The ``save_freq`` rule of callbacks that save during training (``ModelCheckpoint``,
    ``BackupAndRestore``): ``"epoch"`` saves at epoch ends only; a number ``n`` also saves
    after every ``n`` training batches.

    Example:
        >>> counter = BatchSaveCounter()
        >>> [counter.batch_done(save_freq=2) for _ in range(5)]
        [False, True, False, True, False]
    """

    def __init__(self):
        self.batches_since_save = 0

    def reset(self) -> None:
        """Count from zero again (at ``on_train_begin``, or after a save at an epoch end)."""
        self.batches_since_save = 0

    def batch_done(self, save_freq) -> bool:
        """Count one finished batch; True when it is time to save (the count then restarts)."""
        if save_freq == "epoch":
            return False
        self.batches_since_save += 1
        if self.batches_since_save >= save_freq:
            self.batches_since_save = 0
            return True
        return False


_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]


class CallbackList:
    """Calls a hook on every callback in order. Hooks nobody overrides cost nothing per batch."""

    def __init__(self, callbacks=None, model=None, **params):
        self.callbacks = as_callback_list(callbacks, "callbacks")
        for cb in self.callbacks:
            if model is not None:
                cb.set_model(model)
            cb.set_params(params)
        self.active_hooks = set()  # hooks at least one callback overrides
        for hook in _HOOKS:
            # keep only callbacks whose class actually overrides this hook
            active = [getattr(cb, hook) for cb in self.callbacks if _overrides(cb, hook)]
            if active:
                self.active_hooks.add(hook)
            setattr(self, hook, _caller(active))

    def __iter__(self):
        return iter(self.callbacks)


def _overrides(cb, hook: str) -> bool:
    def differs(name):
        # a subclass method, or a function stored on the instance (LambdaCallback does that)
        return name in vars(cb) or getattr(type(cb), name) is not getattr(Callback, name)
    if hook in ("on_train_batch_begin", "on_train_batch_end"):
        return differs(hook) or differs(hook.replace("train_", ""))
    return differs(hook)


def _caller(functions):
    if not functions:
        return lambda *args, **kwargs: None

    def call(*args, **kwargs):
        for f in functions:
            f(*args, **kwargs)
    return call


class History(Callback):
    """Records the logs of each epoch: ``history.history["loss"]`` is a list, one per epoch.

    ``fit`` adds one and returns it.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and a progress bar (verbose=1) or one line per epoch (verbose=2)."""

    def __init__(self, verbose=1):
        super().__init__()
        self.verbose = verbose
        self._bar = None

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.params.get('epochs')}", flush=True)
            self._bar = Progbar(self.params.get("steps"), verbose=self.verbose)

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is not None and self.verbose == 1:
            self._bar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.update(self.params.get("steps") or 0, logs, finalize=True)
