"""Lion: steps of fixed size along the sign of an interpolated momentum."""
from __future__ import annotations

from glassnet.backend import array_module
from glassnet.optimizers.base import Optimizer, check_in_range


class Lion(Optimizer):
    """Lion ("EvoLved Sign Momentum", Chen et al., 2023), Keras 3's rule.

    Every weight moves by exactly ``lr`` per step, in the direction of the sign of a blend of
    its momentum ``m`` (starting at 0) and its gradient; the momentum is updated afterwards,
    with its own, slower decay::

        w = w - lr * sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g

    Because each step has size ``lr`` whatever the gradient's scale, Lion's learning rate is
    usually 3-10 times smaller than Adam's. PyTorch has no Lion.

    Args:
        learning_rate: float or schedule (see ``Optimizer``). Defaults to 0.001.
        beta_1: weight of the momentum in the step's direction, in (0, 1]. Defaults to 0.9.
        beta_2: decay of the momentum, in [0, 1]. Defaults to 0.99.
        weight_decay: optional decoupled weight decay (see ``Optimizer``).
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> model.compile(optimizer=Lion(learning_rate=1e-4, weight_decay=0.01), loss="mse")
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, weight_decay=weight_decay)
        self.beta_1 = check_in_range(beta_1, "beta_1", "Lion", 0.0, 1.0)
        if self.beta_1 == 0.0:
            raise ValueError("Lion: expected beta_1 in (0.0, 1.0] (at 0 Lion is plain sign descent), "
                             "received 0.0")
        self.beta_2 = check_in_range(beta_2, "beta_2", "Lion", 0.0, 1.0)

    @property
    def slot_names(self):
        return ("momentum",)

    def update_step(self, grad, param, lr):
        w = param.data
        xp, dt = array_module(w), w.dtype.type
        m = self._slots_for(param)["momentum"]
        tmp = xp.multiply(grad, dt(1.0 - self.beta_1), out=xp.empty_like(w))  # an array even for shape ()
        tmp += m * dt(self.beta_1)
        xp.sign(tmp, out=tmp)
        tmp *= dt(lr)
        w -= tmp                            # w = w - lr * sign(b1 * m + (1 - b1) * g)
        m *= dt(self.beta_2)
        m += grad * dt(1.0 - self.beta_2)   # m = b2 * m + (1 - b2) * g

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
