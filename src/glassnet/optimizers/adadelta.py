"""Adadelta: steps scaled by the ratio of recent update sizes to recent gradient sizes."""
from __future__ import annotations

from glassnet.backend import array_module
from glassnet.optimizers.base import Optimizer


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), Keras 3's rule.

    Each weight keeps two moving averages, both starting at 0: ``acc_g`` of its squared
    gradient and ``acc_d`` of its squared updates. The step is the gradient times the ratio of
    their square roots, so it comes out in the units of the weight itself::

        acc_g = rho * acc_g + (1 - rho) * g^2
        delta = sqrt(acc_d + epsilon) / sqrt(acc_g + epsilon) * g
        acc_d = rho * acc_d + (1 - rho) * delta^2
        w = w - lr * delta

    The paper has no learning rate (``lr = 1``); Keras keeps one, with default 0.001, so to
    follow the paper pass ``learning_rate=1.0``. PyTorch (``torch.optim.Adadelta``) computes the
    same rule, with defaults ``lr=1.0`` and ``eps=1e-6``.

    Args:
        learning_rate: float or schedule (see ``Optimizer``). Defaults to 0.001.
        rho: decay of the moving averages, in [0, 1). Defaults to 0.95.
        epsilon: small constant added inside both square roots. Defaults to 1e-7.
        weight_decay: optional decoupled weight decay (see ``Optimizer``).
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> model.compile(optimizer=Adadelta(learning_rate=1.0), loss="mse")
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, weight_decay=weight_decay)
        self._set_shared(rho=rho, epsilon=epsilon)

    @property
    def slot_names(self):
        return ("accumulated_grad", "accumulated_delta_var")

    def update_step(self, grad, param, lr):
        w = param.data
        xp, dt = array_module(w), w.dtype.type
        slots = self._slots_for(param)
        acc_g, acc_d = slots["accumulated_grad"], slots["accumulated_delta_var"]
        rho, one_minus_rho, eps = dt(self.rho), dt(1.0 - self.rho), dt(self.epsilon)
        tmp = xp.multiply(grad, grad, out=xp.empty_like(w))   # out=: arrays even for shape ()
        tmp *= one_minus_rho
        acc_g *= rho
        acc_g += tmp                        # acc_g = rho * acc_g + (1 - rho) * g^2
        delta = xp.add(acc_d, eps, out=xp.empty_like(w))
        xp.sqrt(delta, out=delta)
        delta *= grad
        xp.add(acc_g, eps, out=tmp)
        xp.sqrt(tmp, out=tmp)
        delta /= tmp                        # delta = sqrt(acc_d + eps) / sqrt(acc_g + eps) * g
        xp.multiply(delta, delta, out=tmp)
        tmp *= one_minus_rho
        acc_d *= rho
        acc_d += tmp                        # acc_d = rho * acc_d + (1 - rho) * delta^2
        delta *= dt(lr)
        w -= delta                          # w = w - lr * delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
