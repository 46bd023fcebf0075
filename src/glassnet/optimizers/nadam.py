"""Nadam: Adam with Nesterov momentum."""
from __future__ import annotations

from glassnet.backend import array_module
from glassnet.optimizers.base import Optimizer


class Nadam(Optimizer):
    """Nadam (Dozat, 2016), Keras 3's rule: Adam whose momentum looks one step ahead.

    A momentum coefficient that warms up with the step number ``t = 1, 2, ...``, and the
    product of all of them so far, correct the bias of ``m`` as Adam's ``1 - beta_1^t`` does::

        mu_t = beta_1 * (1 - 0.5 * 0.96^t)
        prod_t = mu_1 * mu_2 * ... * mu_t
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g^2
        m_hat = mu_{t+1} * m / (1 - prod_t * mu_{t+1}) + (1 - mu_t) * g / (1 - prod_t)
        v_hat = v / (1 - beta_2^t)
        w = w - lr * m_hat / (sqrt(v_hat) + epsilon)

    ``m_hat`` mixes the momentum of the *next* step with the current gradient: Nesterov's
    look-ahead. ``prod_t`` depends only on ``t``, so the saved state is ``m``, ``v`` and the
    step count (Keras keeps it as a variable; glassnet recomputes it from ``iterations``).

    PyTorch (``torch.optim.NAdam``) has ``mu_t = beta_1 * (1 - 0.5 * 0.96^(t * momentum_decay))``
    with ``momentum_decay=0.004`` by default, so its momentum warms up 250 times more slowly;
    ``torch.optim.NAdam(..., momentum_decay=1.0)`` is this rule (with ``eps=1e-8`` by default).

    Args:
        learning_rate: float or schedule (see ``Optimizer``). Defaults to 0.001.
        beta_1: decay of the gradient average, in [0, 1). Defaults to 0.9.
        beta_2: decay of the squared-gradient average, in [0, 1). Defaults to 0.999.
        epsilon: small constant added to ``sqrt(v_hat)``. Defaults to 1e-7.
        weight_decay: optional decoupled weight decay (see ``Optimizer``).
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> model.compile(optimizer=Nadam(learning_rate=2e-3), loss="mse")
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, weight_decay=weight_decay)
        self._set_shared(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self._product = (0, 1.0)  # (t, prod_t), so that each step multiplies in one factor

    @property
    def slot_names(self):
        return ("momentum", "velocity")

    def _mu(self, t: int) -> float:
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** t)

    def _prod(self, t: int) -> float:
        """``mu_1 * ... * mu_t``, from the last step's product (recomputed after set_state)."""
        done, prod = self._product
        if done != t:
            if done != t - 1:
                done, prod = 0, 1.0
            for s in range(done + 1, t + 1):
                prod *= self._mu(s)
            self._product = (t, prod)
        return prod

    def update_step(self, grad, param, lr):
        w = param.data
        xp, dt = array_module(w), w.dtype.type
        slots = self._slots_for(param)
        m, v = slots["momentum"], slots["velocity"]
        t = self.iterations + 1
        mu_t, mu_next, prod_t = self._mu(t), self._mu(t + 1), self._prod(t)

        tmp = xp.multiply(grad, dt(1.0 - self.beta_1), out=xp.empty_like(w))  # an array even for shape ()
        m *= dt(self.beta_1)
        m += tmp                            # m = b1 * m + (1 - b1) * g
        xp.multiply(grad, grad, out=tmp)
        tmp *= dt(1.0 - self.beta_2)
        v *= dt(self.beta_2)
        v += tmp                            # v = b2 * v + (1 - b2) * g^2
        m_hat = xp.multiply(m, dt(mu_next / (1.0 - prod_t * mu_next)), out=xp.empty_like(w))
        xp.multiply(grad, dt((1.0 - mu_t) / (1.0 - prod_t)), out=tmp)
        m_hat += tmp                        # m_hat = mu_{t+1} m / (1 - prod_{t+1}) + (1 - mu_t) g / (1 - prod_t)
        xp.multiply(v, dt(1.0 / (1.0 - self.beta_2 ** t)), out=tmp)
        xp.sqrt(tmp, out=tmp)
        tmp += dt(self.epsilon)             # sqrt(v_hat) + eps
        xp.divide(m_hat, tmp, out=tmp)
        tmp *= dt(lr)
        w -= tmp                            # w = w - lr * m_hat / (sqrt(v_hat) + eps)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
