"""RMSprop: divide each step by a moving average of recent gradient magnitudes."""
from __future__ import annotations

from glassnet.backend import array_module
from glassnet.optimizers.base import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), Keras 3's rule.

    Each weight keeps ``v``, a moving average of its squared gradient (starting at 0), and
    divides its step by ``sqrt(v)``, so every weight moves at a similar pace whatever the scale
    of its gradient::

        v = rho * v + (1 - rho) * g^2
        step = lr * g / sqrt(v + epsilon)
        w = w - step

    ``centered=True`` also tracks the mean gradient ``mg`` and divides by an estimate of the
    gradient's standard deviation instead::

        mg = rho * mg + (1 - rho) * g
        step = lr * g / sqrt(v - mg^2 + epsilon)

    With ``momentum`` mu > 0 the steps are accumulated: ``m = mu * m + step; w = w - m``.

    PyTorch (``torch.optim.RMSprop``) puts epsilon outside the square root,
    ``lr * g / (sqrt(v) + eps)``, and has other defaults: ``lr=0.01``, ``alpha=0.99`` (its name
    for rho) and ``eps=1e-8``.

    Args:
        learning_rate: float or schedule (see ``Optimizer``). Defaults to 0.001.
        rho: decay of the moving averages, in [0, 1). Defaults to 0.9.
        momentum: in [0, 1]. Defaults to 0.
        epsilon: small constant added inside the square root. Defaults to 1e-7.
        centered: divide by the estimated variance instead of the mean square. Defaults to False.
        weight_decay: optional decoupled weight decay, ``w = w - lr * weight_decay * w`` before
            each update (Keras 3's; see ``Optimizer``).
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> model.compile(optimizer=RMSprop(learning_rate=0.001), loss="mse")
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, weight_decay=weight_decay)
        self._set_shared(rho=rho, momentum=momentum, epsilon=epsilon)
        self.centered = bool(centered)

    @property
    def slot_names(self):
        names = ("velocity",)
        if self.momentum:
            names += ("momentum",)
        if self.centered:
            names += ("average_gradient",)
        return names

    def update_step(self, grad, param, lr):
        w = param.data
        xp, dt = array_module(w), w.dtype.type
        slots = self._slots_for(param)
        rho, one_minus_rho = dt(self.rho), dt(1.0 - self.rho)
        v = slots["velocity"]
        tmp = xp.multiply(grad, grad, out=xp.empty_like(w))  # an array even for shape ()
        tmp *= one_minus_rho
        v *= rho
        v += tmp                            # v = rho * v + (1 - rho) * g^2
        if self.centered:
            mg = slots["average_gradient"]
            mg *= rho
            mg += one_minus_rho * grad      # mg = rho * mg + (1 - rho) * g
            xp.multiply(mg, mg, out=tmp)
            xp.subtract(v, tmp, out=tmp)
            tmp += dt(self.epsilon)         # tmp = v - mg^2 + eps
        else:
            xp.add(v, dt(self.epsilon), out=tmp)  # tmp = v + eps
        xp.sqrt(tmp, out=tmp)
        xp.divide(grad, tmp, out=tmp)
        tmp *= dt(lr)                       # tmp = step = lr * g / sqrt(... + eps)
        if self.momentum:
            m = slots["momentum"]
            m *= dt(self.momentum)
            m += tmp                        # m = mu * m + step
            w -= m
        else:
            w -= tmp                        # w = w - step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
