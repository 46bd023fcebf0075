"""Masking: mark the padded time steps of a sequence so that later layers skip them.

Sequences of different lengths are padded to one length to fit in a batch. A *mask*, a boolean
array ``(batch, time)``, says which steps are real. ``Embedding(mask_zero=True)`` makes one from
id 0; ``Masking`` makes one from a padding value for sequences of feature vectors (a time
series padded with 0.0). Recurrent layers keep their state through a masked step, and losses
and metrics leave masked steps out; see ``Layer.compute_mask`` for how masks travel.
"""
from __future__ import annotations

from glassnet import ops
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.layers.base import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Masks every time step whose features all equal ``mask_value``.

    Input ``(batch, time, features)``; a step is masked (False) when all its features equal
    ``mask_value``. The output is the input with masked steps set to 0, and carries the mask.

    Args:
        mask_value: the padding value (default 0.0).

    Example:
        >>> import numpy as np
        >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], np.float32)
        >>> Masking()(x)._keras_mask
        array([[ True, False,  True]])
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)

    def _real_steps(self, inputs):
        data = inputs.data if isinstance(inputs, Tensor) else inputs
        if data.ndim < 2:
            raise ValueError(f"Masking '{self.name}': expected input of rank >= 2 (batch, time, ...), "
                             f"received shape {data.shape}")
        data = array_module(data).asarray(data)
        return (data != data.dtype.type(self.mask_value)).any(axis=-1)

    def call(self, inputs):
        keep = self._real_steps(inputs)
        return ops.multiply(inputs, keep[..., None].astype(inputs.dtype))

    def compute_mask(self, inputs, mask=None):
        return self._real_steps(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
