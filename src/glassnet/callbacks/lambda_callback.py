"""``LambdaCallback``: a callback made of plain functions, for one-off needs."""
from __future__ import annotations

from glassnet.callbacks.base import _HOOKS, Callback


class LambdaCallback(Callback):
    """A callback whose hooks are the functions you pass (the others do nothing).

    Each function takes the hook's arguments, always both (``logs`` may be None): ``on_epoch_begin(epoch, logs)``,
    ``on_epoch_end(epoch, logs)``, ``on_train_begin(logs)``, ``on_train_end(logs)``,
    ``on_batch_begin(batch, logs)`` / ``on_batch_end(batch, logs)`` (training batches; the
    Keras 3 names ``on_train_batch_begin`` / ``on_train_batch_end`` work too). Any other hook
    (``on_test_end``...) can be passed by name as a keyword argument.

    Args:
        on_epoch_begin, on_epoch_end, on_batch_begin, on_batch_end, on_train_begin,
        on_train_end: functions, or None.
        **kwargs: more hooks by name.

    Example:
        >>> print_epoch = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
        >>> model.fit(x, y, epochs=3, callbacks=[print_epoch])
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_batch_begin": on_batch_begin, "on_batch_end": on_batch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end}
        unknown = [name for name in kwargs if name not in _HOOKS]
        if unknown:
            raise TypeError(f"LambdaCallback: unknown hook(s) {unknown}; hooks are {_HOOKS}")
        hooks.update(kwargs)
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"LambdaCallback: expected {name} to be a function, received {fn!r}")
            # stored on the instance: CallbackList sees it as an overridden hook, and the
            # base class's on_train_batch_* call the instance's on_batch_* like any override
            setattr(self, name, _with_logs(fn, indexed=name.endswith(("batch_begin", "batch_end", "epoch_begin",
                                                                      "epoch_end"))))


def _with_logs(fn, indexed: bool):
    """``fn`` called with the hook's full arguments: ``logs`` is None when the caller omits it."""
    if indexed:
        def hook(index, logs=None):
            return fn(index, logs)
    else:
        def hook(logs=None):
            return fn(logs)
    hook.__wrapped__ = fn
    return hook
