"""Adam: momentum plus RMSprop-style scaling, with bias correction."""
from __future__ import annotations

import math

from glassnet.backend import array_module
from glassnet.optimizers.base import Optimizer


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2014), Keras 3's rule.

    Each weight keeps two moving averages, both starting at 0: ``m`` of its gradient (a
    momentum) and ``v`` of its squared gradient (as in RMSprop). At step ``t = 1, 2, ...``::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g^2
        alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        w = w - alpha * m / (sqrt(v) + epsilon)

    The factor in ``alpha`` corrects the bias of ``m`` and ``v`` towards 0 in early steps
    (after one step ``m = (1 - beta_1) g``; dividing by ``1 - beta_1^1`` gives back ``g``).
    ``t`` is the optimizer's step count (``iterations + 1``), shared by all weights.
    With ``amsgrad=True``, ``v_hat = max(v_hat, v)`` replaces ``v`` in the last line, so
    the step size never grows back (Reddi et al., 2018).

    PyTorch (``torch.optim.Adam``) bias-corrects ``v`` before adding epsilon:
    ``w = w - lr * m_hat / (sqrt(v / (1 - beta_2^t)) + eps)``, which is this rule with epsilon
    scaled by ``sqrt(1 - beta_2^t)`` (the "epsilon hat" of the paper is Keras's), and its
    default is ``eps=1e-8``. PyTorch also counts ``t`` per weight.

    Args:
        learning_rate: float or schedule (see ``Optimizer``). Defaults to 0.001.
        beta_1: decay of the gradient average, in [0, 1). Defaults to 0.9.
        beta_2: decay of the squared-gradient average, in [0, 1). Defaults to 0.999.
        epsilon: small constant added to ``sqrt(v)``. Defaults to 1e-7.
        amsgrad: use the AMSGrad variant. Defaults to False.
        weight_decay: optional decoupled weight decay, ``w = w - lr * weight_decay * w`` before
            each update (Keras 3's; see ``Optimizer``).
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> model.compile(optimizer=Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy")
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None,
                 clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, weight_decay=weight_decay)
        self._set_shared(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.amsgrad = bool(amsgrad)

    @property
    def slot_names(self):
        return ("momentum", "velocity", "velocity_hat") if self.amsgrad else ("momentum", "velocity")

    def update_step(self, grad, param, lr):
        w = param.data
        xp, dt = array_module(w), w.dtype.type
        slots = self._slots_for(param)
        m, v = slots["momentum"], slots["velocity"]
        t = self.iterations + 1
        alpha = lr * math.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)

        # out=: a fresh array even for a weight of shape () (grad * c would be a NumPy scalar)
        tmp = xp.multiply(grad, dt(1.0 - self.beta_1), out=xp.empty_like(w))
        m *= dt(self.beta_1)
        m += tmp                            # m = b1 * m + (1 - b1) * g
        xp.multiply(grad, grad, out=tmp)
        tmp *= dt(1.0 - self.beta_2)
        v *= dt(self.beta_2)
        v += tmp                            # v = b2 * v + (1 - b2) * g^2
        if self.amsgrad:
            v_hat = slots["velocity_hat"]
            xp.maximum(v_hat, v, out=v_hat)  # v_hat = max(v_hat, v)
            v = v_hat
        xp.sqrt(v, out=tmp)
        tmp += dt(self.epsilon)
        xp.divide(m, tmp, out=tmp)
        tmp *= dt(alpha)
        w -= tmp                            # w = w - alpha * m / (sqrt(v) + eps)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
