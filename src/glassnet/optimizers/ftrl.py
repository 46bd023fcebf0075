"""FTRL-Proximal: per-weight learning rates with L1/L2 regularization built into the update."""
from __future__ import annotations

from glassnet.backend import array_module
from glassnet.optimizers.base import Optimizer, check_in_range

_INF = float("inf")


class Ftrl(Optimizer):
    """FTRL-Proximal ("Follow The Regularized Leader", McMahan et al., 2013), Keras 3's rule.

    Made for large, sparse linear models (click prediction): the L1 term sets weights to
    exactly 0. Each weight keeps ``n``, the sum of its squared gradients (starting at
    ``initial_accumulator_value``), and ``z``, a "linear" accumulator (starting at 0). With
    ``p = -learning_rate_power`` (0.5 by default, the square root)::

        g_s = g + 2 * l2_shrinkage_regularization_strength * w
        n_new = n + g^2
        z = z + g_s - (n_new^p - n^p) / lr * w
        q = n_new^p / lr + 2 * (l2_regularization_strength + beta / (2 * lr))
        w = (clip(z, -l1, l1) - z) / q        # 0 where |z| <= l1
        n = n_new

    where ``l1`` is ``l1_regularization_strength``. Without regularization the new weight is
    ``-z / q``. PyTorch has no FTRL.

    Args:
        learning_rate: float or schedule (see ``Optimizer``), positive. Defaults to 0.001.
        learning_rate_power: at most 0; -0.5 gives ``sqrt``, 0 a fixed learning rate.
            Defaults to -0.5.
        initial_accumulator_value: non-negative start of ``n``. Defaults to 0.1.
        l1_regularization_strength: non-negative. Defaults to 0.
        l2_regularization_strength: non-negative. Defaults to 0.
        l2_shrinkage_regularization_strength: non-negative; an L2 penalty on the gradient
            (shrinkage) rather than on the stabilised weight. Defaults to 0.
        beta: non-negative; adds ``beta / (2 lr)`` to the L2 strength. Defaults to 0.
        weight_decay: optional decoupled weight decay (see ``Optimizer``).
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> opt = Ftrl(learning_rate=0.1, l1_regularization_strength=0.01)
        >>> model.compile(optimizer=opt, loss="binary_crossentropy")
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, weight_decay=weight_decay)
        self.learning_rate_power = check_in_range(learning_rate_power, "learning_rate_power", "Ftrl", -_INF, 0.0)
        self.initial_accumulator_value = check_in_range(
            initial_accumulator_value, "initial_accumulator_value", "Ftrl", 0.0, _INF)
        self.l1_regularization_strength = check_in_range(
            l1_regularization_strength, "l1_regularization_strength", "Ftrl", 0.0, _INF)
        self.l2_regularization_strength = check_in_range(
            l2_regularization_strength, "l2_regularization_strength", "Ftrl", 0.0, _INF)
        self.l2_shrinkage_regularization_strength = check_in_range(
            l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength", "Ftrl", 0.0, _INF)
        self.beta = check_in_range(beta, "beta", "Ftrl", 0.0, _INF)

    @property
    def slot_names(self):
        return ("accumulator", "linear")

    def _init_slot(self, slot_name, param):
        xp = array_module(param.data)
        if slot_name == "accumulator":
            return xp.full_like(param.data, self.initial_accumulator_value)
        return xp.zeros_like(param.data)

    def update_step(self, grad, param, lr):
        if lr <= 0:
            raise ValueError(f"{self.name}: Ftrl divides by the learning rate; expected a positive learning "
                             f"rate, received {lr!r} at step {self.iterations}")
        w = param.data
        xp, dt = array_module(w), w.dtype.type
        slots = self._slots_for(param)
        n, z = slots["accumulator"], slots["linear"]
        p, l1 = dt(-self.learning_rate_power), dt(self.l1_regularization_strength)
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)

        sigma = xp.power(n, p, out=xp.empty_like(w))   # n^p (out=: arrays even for shape ())
        tmp = xp.multiply(grad, grad, out=xp.empty_like(w))
        n += tmp                            # n = n_new = n + g^2
        q = xp.power(n, p, out=tmp)         # n_new^p
        xp.subtract(q, sigma, out=sigma)
        sigma /= dt(lr)
        sigma *= w                          # (n_new^p - n^p) / lr * w
        z += grad
        if self.l2_shrinkage_regularization_strength:
            z += w * dt(2.0 * self.l2_shrinkage_regularization_strength)
        z -= sigma                          # z = z + g_s - (n_new^p - n^p) / lr * w
        q /= dt(lr)
        q += dt(2.0 * l2)                   # q = n_new^p / lr + 2 * l2
        xp.minimum(z, l1, out=sigma)
        xp.maximum(sigma, -l1, out=sigma)   # clip(z, -l1, l1)
        sigma -= z
        xp.divide(sigma, q, out=w)          # w = (clip(z, -l1, l1) - z) / q

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
