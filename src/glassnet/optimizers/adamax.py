"""Adamax: Adam with the infinity norm of past gradients in place of their root mean square."""
from __future__ import annotations

from glassnet.backend import array_module
from glassnet.optimizers.base import Optimizer


class Adamax(Optimizer):
    """Adamax (Kingma and Ba, 2014, section 7.1), Keras 3's rule.

    Like ``Adam``, with ``m`` a moving average of the gradient, but the divisor ``u`` is an
    exponentially weighted maximum of the gradient's magnitude (the infinity norm), which
    needs no bias correction. Both start at 0; at step ``t = 1, 2, ...``::

        m = beta_1 * m + (1 - beta_1) * g
        u = max(beta_2 * u, |g|)
        w = w - lr / (1 - beta_1^t) * m / (u + epsilon)

    PyTorch (``torch.optim.Adamax``) puts epsilon inside the maximum,
    ``u = max(beta_2 * u, |g| + eps)``, and divides by ``u``; with ``eps=0`` the two agree.
    Its defaults are ``lr=0.002`` and ``eps=1e-8``.

    Args:
        learning_rate: float or schedule (see ``Optimizer``). Defaults to 0.001.
        beta_1: decay of the gradient average, in [0, 1). Defaults to 0.9.
        beta_2: decay of the infinity norm, in [0, 1). Defaults to 0.999.
        epsilon: small constant added to ``u``. Defaults to 1e-7.
        weight_decay: optional decoupled weight decay (see ``Optimizer``).
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> model.compile(optimizer=Adamax(learning_rate=0.002), loss="categorical_crossentropy")
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, weight_decay=weight_decay)
        self._set_shared(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)

    @property
    def slot_names(self):
        return ("momentum", "norm")

    def update_step(self, grad, param, lr):
        w = param.data
        xp, dt = array_module(w), w.dtype.type
        slots = self._slots_for(param)
        m, u = slots["momentum"], slots["norm"]
        t = self.iterations + 1
        tmp = xp.multiply(grad, dt(1.0 - self.beta_1), out=xp.empty_like(w))  # an array even for shape ()
        m *= dt(self.beta_1)
        m += tmp                            # m = b1 * m + (1 - b1) * g
        xp.abs(grad, out=tmp)
        u *= dt(self.beta_2)
        xp.maximum(u, tmp, out=u)           # u = max(b2 * u, |g|)
        xp.add(u, dt(self.epsilon), out=tmp)
        xp.divide(m, tmp, out=tmp)
        tmp *= dt(lr / (1.0 - self.beta_1 ** t))
        w -= tmp                            # w = w - lr / (1 - b1^t) * m / (u + eps)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
