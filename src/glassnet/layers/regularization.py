"""``ActivityRegularization``: a layer that passes its input through and adds a penalty on it.

The penalty is ``l1 * sum(|x|) + l2 * sum(x^2)`` over the whole batch, divided by the batch
size (the first axis), as Keras 3 does with every activity regularizer, so that its strength
per sample does not depend on the batch size. It goes into the loss through ``add_loss``
(see ``Layer.add_loss``): ``fit`` minimises it and reports it within ``loss``. A sparse
autoencoder puts one after its code layer to push most code units to zero.

Example:
    >>> import numpy as np
    >>> from glassnet import layers
    >>> reg = layers.ActivityRegularization(l1=0.5)
    >>> out = reg(np.array([[1.0, -2.0], [3.0, 0.0]], np.float32))
    >>> float(reg.losses[0].item())          # 0.5 * (1 + 2 + 3) / 2 samples
    1.5
"""
from __future__ import annotations

from glassnet import regularizers
from glassnet.layers.base import Layer

__all__ = ["ActivityRegularization"]


class ActivityRegularization(Layer):
    """Identity on its input; adds ``(l1 * sum|x| + l2 * sum x^2) / batch size`` to the loss.

    Args:
        l1: the L1 factor (non-negative).
        l2: the L2 factor (non-negative).
        **kwargs: ``Layer`` arguments (``name``...).

    Input shape: any, batch first. Output shape: the same (the input itself).

    Example:
        >>> encoder = Sequential([layers.Input((784,)), layers.Dense(30, activation="sigmoid"),
        ...                       layers.ActivityRegularization(l1=1e-3)])
    """

    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        if "activity_regularizer" in kwargs:
            raise TypeError("ActivityRegularization: the penalty is set by l1 and l2, not activity_regularizer")
        # L1L2 checks that both factors are non-negative numbers, naming the bad one
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)  # rebuilt from l1 and l2
        config.update(l1=self.l1, l2=self.l2)
        return config
