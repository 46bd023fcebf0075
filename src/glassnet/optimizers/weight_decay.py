"""Decoupled weight decay, as Keras 3 applies it before an optimizer's own update.

With ``weight_decay`` set, every weight first shrinks towards 0 by a fraction of itself that
scales with the learning rate, then the optimizer's rule runs on the shrunk weight::

    w = w - lr * weight_decay * w

This is "decoupled" weight decay (Loshchilov and Hutter, 2019): unlike an L2 penalty added to
the loss, the shrinking does not pass through Adam's or RMSprop's per-weight scaling. It is
what makes ``AdamW`` differ from ``Adam``; Keras 3 offers the same ``weight_decay`` argument on
every optimizer, and glassnet on ``AdamW``, ``Adadelta``, ``Adamax``, ``Nadam``, ``Ftrl`` and
``Lion``.
"""
from __future__ import annotations

import re

from glassnet.optimizers.base import check_in_range


class WeightDecay:
    """Mixin for an ``Optimizer`` subclass: the ``weight_decay`` argument, the decay step and
    Keras's ``exclude_from_weight_decay``.

    A subclass calls ``self._init_weight_decay(weight_decay)`` in ``__init__`` and
    ``self._decay(param, lr)`` first thing in ``update_step``.

    Example:
        >>> opt = AdamW(learning_rate=1e-3, weight_decay=0.01)
        >>> opt.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    """

    def _init_weight_decay(self, weight_decay, required: bool = False) -> None:
        who = type(self).__name__
        if weight_decay is None and required:
            raise ValueError(f"{who}: expected weight_decay to be a non-negative number, received None")
        self.weight_decay = None if weight_decay is None else check_in_range(
            weight_decay, "weight_decay", who, 0.0, float("inf"))
        self._excluded_names = set()
        self._excluded_pattern = None

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Leave some weights out of the decay (Keras 3's method), typically biases and
        normalisation scales.

        Args:
            var_list: weights (``Parameter``) to exclude, matched by their name.
            var_names: strings; a weight whose name contains one of them (as a regular
                expression, ``re.search``) is excluded: ``["bias"]`` matches ``"dense/bias"``.

        Example:
            >>> opt = AdamW(weight_decay=0.01)
            >>> opt.exclude_from_weight_decay(var_names=["bias"])
        """
        if var_names is not None and (isinstance(var_names, str) or
                                      not all(isinstance(n, str) for n in var_names)):
            raise TypeError(f"{type(self).__name__}: expected var_names to be a list of strings, "
                            f"received {var_names!r}")
        self._excluded_names = {p.name for p in (var_list or ())}
        self._excluded_pattern = re.compile("|".join(var_names)) if var_names else None

    def _decays(self, param) -> bool:
        if not self.weight_decay or param.name in self._excluded_names:
            return False
        return not (self._excluded_pattern is not None and param.name is not None
                    and self._excluded_pattern.search(param.name))

    def _decay(self, param, lr: float) -> None:
        """``w = w - lr * weight_decay * w``, in place, in the weight's dtype."""
        if self._decays(param):
            w = param.data
            w -= w * w.dtype.type(lr * self.weight_decay)

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}
