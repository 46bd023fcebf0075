"""Callbacks: code that runs at fixed points of ``fit`` / ``evaluate`` / ``predict``.

One module per concept:

- ``base``: ``Callback`` (the Keras hooks), ``CallbackList``, ``History``, ``ProgbarLogger``

Example:
    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(epoch, logs["loss"])
    >>> model.fit(x, y, epochs=3, callbacks=[PrintLoss()])
"""
from glassnet.callbacks.base import Callback, CallbackList, History, ProgbarLogger  # noqa: F401
