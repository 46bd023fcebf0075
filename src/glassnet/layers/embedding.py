"""The embedding layer: a learned vector for every token id (course section 5).

A one-hot vector of a word in a vocabulary of V words times a (V, d) matrix picks one row of
that matrix, so an embedding layer skips the one-hot and the product and *looks the row up*:
``Embedding(V, d)`` maps integer ids of shape ``(batch, time)`` to vectors of shape
``(batch, time, d)``. The table is trained like any weight: only the rows that were looked up
get a gradient (``ops.take``).

With ``mask_zero=True`` id 0 is reserved for padding (``pad_sequences`` pads with 0): the layer
then outputs a mask, False at padded steps, that recurrent layers and losses use to skip them.
"""
from __future__ import annotations

import numpy as np

from glassnet import initializers, regularizers
from glassnet.backend import array_module, move_like
from glassnet.core.tensor import Tensor
from glassnet.layers.base import Layer
from glassnet.ops._util import is_int
from glassnet.ops.shape import Take

__all__ = ["Embedding"]


class Embedding(Layer):
    """Turns integer ids into dense vectors: ``(batch, ...)`` ids -> ``(batch, ..., output_dim)``.

    Args:
        input_dim: vocabulary size: ids must lie in ``[0, input_dim - 1]``.
        output_dim: length of each vector (the embedding dimension).
        embeddings_initializer: initializer of the ``(input_dim, output_dim)`` table (Keras's
            default ``"uniform"``: uniform in [-0.05, 0.05]).
        embeddings_regularizer: optional regularizer of the table.
        mask_zero: if True, id 0 means padding: the output carries a mask, False where the id
            is 0 (so ``input_dim`` should be the vocabulary size + 1).
        input_length: accepted for Keras 2 code (``Embedding(1000, 64, input_length=10)``): it
            only sets the input shape ``(input_length,)``.

    Weights: ``embeddings`` of shape ``(input_dim, output_dim)``: ``input_dim * output_dim``
    parameters.

    Example:
        >>> import numpy as np
        >>> layer = Embedding(10, 4, mask_zero=True)
        >>> out = layer(np.array([[3, 5, 0]]))
        >>> out.shape, out._keras_mask
        ((1, 3, 4), array([[ True,  True, False]]))
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 mask_zero=False, input_length=None, **kwargs):
        if input_length is not None and "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        for what, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not is_int(value) or value <= 0:
                raise ValueError(f"Embedding '{self.name}': expected {what} to be a positive int, received {value!r}")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer)

    def call(self, inputs):
        # the ids are checked once, here, with the layer's name in any error; the op is then
        # applied directly, without ops.take repeating the range check (a pass over the ids)
        ids = move_like(_integer_ids(inputs, self), self.embeddings.data)  # host ids (TextVectorization's) to the GPU
        return Take(ids)(self.embeddings)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        data = inputs.data if isinstance(inputs, Tensor) else inputs
        if self.built:
            data = move_like(data, self.embeddings.data)  # the mask lives with the vectors
        return array_module(data).asarray(data) != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update(input_dim=self.input_dim, output_dim=self.output_dim,
                      embeddings_initializer=initializers.serialize(self.embeddings_initializer),
                      embeddings_regularizer=regularizers.serialize(self.embeddings_regularizer),
                      mask_zero=self.mask_zero)
        return config


def _integer_ids(inputs, layer: Embedding):
    """The ids as an integer array, checked against the vocabulary size. Float ids holding whole
    numbers are accepted (Keras casts them), anything else is an error naming the layer."""
    data = inputs.data  # Layer.__call__ made a Tensor of the ids
    xp = array_module(data)
    if data.dtype.kind == "f":
        ids = data.astype(np.int64)
        if not bool((ids == data).all()):
            raise ValueError(f"Embedding '{layer.name}': expected integer ids, received non-integer values "
                             f"of dtype {data.dtype}")
        data = ids
    elif data.dtype.kind not in "iu":
        raise TypeError(f"Embedding '{layer.name}': expected integer ids, received dtype {data.dtype}")
    if data.size:
        low, high = int(data.min()), int(data.max())
        if low < 0 or high >= layer.input_dim:
            raise ValueError(f"Embedding '{layer.name}': expected ids in [0, {layer.input_dim - 1}] "
                             f"(input_dim={layer.input_dim}), received ids from {low} to {high}")
    return xp.asarray(data)
