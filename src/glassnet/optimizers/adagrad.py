"""Adagrad: per-weight learning rates that shrink with the sum of past squared gradients."""
from __future__ import annotations

from glassnet.backend import array_module
from glassnet.optimizers.base import Optimizer, check_in_range


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), Keras 3's rule.

    Each weight keeps the running sum of its squared gradients, ``acc`` (starting at
    ``initial_accumulator_value``), and divides its step by the square root of it: weights
    that have seen large or frequent gradients take smaller steps::

        acc = acc + g^2
        w = w - lr * g / sqrt(acc + epsilon)

    Because ``acc`` only grows, the effective learning rate keeps decreasing (RMSprop and Adam
    replace the sum with a moving average to avoid this).

    PyTorch (``torch.optim.Adagrad``) differs in its defaults and in where epsilon goes:
    ``w = w - lr * g / (sqrt(acc) + eps)`` with ``initial_accumulator_value=0``,
    ``eps=1e-10`` and ``lr=0.01``.

    Args:
        learning_rate: float or schedule (see ``Optimizer``). Defaults to 0.001.
        initial_accumulator_value: non-negative starting value of ``acc``. Defaults to 0.1.
        epsilon: small constant added inside the square root. Defaults to 1e-7.
        weight_decay: optional decoupled weight decay, ``w = w - lr * weight_decay * w`` before
            each update (Keras 3's; see ``Optimizer``).
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> model.compile(optimizer=Adagrad(learning_rate=0.01), loss="mse")
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, weight_decay=weight_decay)
        self.initial_accumulator_value = check_in_range(
            initial_accumulator_value, "initial_accumulator_value", "Adagrad", 0.0, float("inf"))
        self._set_shared(epsilon=epsilon)

    @property
    def slot_names(self):
        return ("accumulator",)

    def _init_slot(self, slot_name, param):
        return array_module(param.data).full_like(param.data, self.initial_accumulator_value)

    def update_step(self, grad, param, lr):
        w = param.data
        xp, dt = array_module(w), w.dtype.type
        acc = self._slots_for(param)["accumulator"]
        acc += grad * grad                  # acc = acc + g^2
        step = xp.add(acc, dt(self.epsilon), out=xp.empty_like(w))  # an array even for shape ()
        xp.sqrt(step, out=step)
        xp.divide(grad, step, out=step)
        step *= dt(lr)
        w -= step                           # w = w - lr * g / sqrt(acc + eps)

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
