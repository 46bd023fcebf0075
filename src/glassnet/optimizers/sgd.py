"""Stochastic gradient descent, with optional (Nesterov) momentum."""
from __future__ import annotations

from glassnet.optimizers.base import Optimizer


class SGD(Optimizer):
    """Gradient descent, optionally with momentum (Keras 3's rule).

    Without momentum, for each weight ``w`` with gradient ``g``::

        w = w - lr * g

    With ``momentum`` mu > 0, a velocity ``v`` (starting at 0) remembers past steps::

        v = mu * v - lr * g
        w = w + v

    With ``nesterov=True`` the step "looks ahead" along the velocity::

        v = mu * v - lr * g
        w = w + mu * v - lr * g

    PyTorch (``torch.optim.SGD``, dampening 0) keeps a buffer of gradients instead,
    ``b = mu * b + g; w = w - lr * b`` (Nesterov: ``w = w - lr * (g + mu * b)``). With a
    constant learning rate this is the same rule (``v = -lr * b``). They differ when the
    learning rate changes during training: Keras's velocity keeps the old learning rate in the
    steps already taken, while PyTorch applies the new rate to the whole buffer at once.

    Args:
        learning_rate: float or schedule (see ``Optimizer``). Defaults to 0.01.
        momentum: float in [0, 1]; 0 is plain gradient descent. Defaults to 0.
        nesterov: whether to use Nesterov momentum. Defaults to False.
        weight_decay: optional decoupled weight decay, ``w = w - lr * weight_decay * w`` before
            each update (Keras 3's; see ``Optimizer``).
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> opt = SGD(learning_rate=0.1, momentum=0.9)
        >>> model.compile(optimizer=opt, loss="mse")
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, weight_decay=weight_decay)
        self._set_shared(momentum=momentum)
        self.nesterov = bool(nesterov)

    @property
    def slot_names(self):
        return ("momentum",) if self.momentum else ()

    def update_step(self, grad, param, lr):
        w = param.data
        lr = w.dtype.type(lr)  # a float32 scalar for float32 weights: no upcast
        if not self.momentum:
            w -= lr * grad                  # w = w - lr * g
            return
        v = self._slots_for(param)["momentum"]
        mu = w.dtype.type(self.momentum)
        step = lr * grad
        v *= mu
        v -= step                           # v = mu * v - lr * g
        if self.nesterov:
            w += mu * v
            w -= step                       # w = w + mu * v - lr * g
        else:
            w += v                          # w = w + v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
