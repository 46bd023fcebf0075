"""AdamW: Adam with decoupled weight decay."""
from __future__ import annotations

from glassnet.optimizers.adam import Adam


class AdamW(Adam):
    """AdamW (Loshchilov and Hutter, 2019), Keras 3's rule: Adam after a decoupled weight decay.

    At step ``t``, each weight first shrinks, then takes Adam's step (see ``Adam``)::

        w = w - lr * weight_decay * w
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g^2
        alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        w = w - alpha * m / (sqrt(v) + epsilon)

    Adding ``weight_decay * ||w||^2 / 2`` to the loss instead would send the decay through
    Adam's division by ``sqrt(v)``, so weights with large gradients would barely decay; AdamW
    decays every weight at the same rate. ``exclude_from_weight_decay(var_names=["bias"])``
    leaves chosen weights out.

    PyTorch (``torch.optim.AdamW``) decays the same way (``w = w * (1 - lr * weight_decay)``)
    but has ``weight_decay=0.01`` and ``eps=1e-8`` by default and bias-corrects ``v`` before
    adding epsilon (see ``Adam``).

    Args:
        learning_rate: float or schedule (see ``Optimizer``). Defaults to 0.001.
        weight_decay: the decay rate, a non-negative number. Defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: as in ``Adam`` (0.9, 0.999, 1e-7, False).
        clipnorm, clipvalue, global_clipnorm, name: see ``Optimizer``.

    Example:
        >>> opt = AdamW(learning_rate=1e-3, weight_decay=0.01)
        >>> model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        # the decay itself is the base class's (Optimizer._apply_pairs, before Adam's step)
        self._init_weight_decay(weight_decay, required=True)
