"""Attention layers (Keras names, arguments and weight layouts), one file per concept.

- ``attention``: ``Attention`` (dot-product, Luong; or ``score_mode="concat"``) and
  ``AdditiveAttention`` (Bahdanau), called on ``[query, value]`` or ``[query, value, key]``
- ``multi_head_attention``: ``MultiHeadAttention`` (the Transformer's), called as
  ``layer(query, value)`` or ``layer(query, value, key)``
- ``_common``: masks, their shape checks, dropout on the attention weights

The maths (masked softmax, additive scores, batched dot-product attention) is in
``glassnet.ops.attention``.

Example:
    >>> import numpy as np
    >>> from glassnet import layers
    >>> x = np.ones((2, 5, 8), np.float32)
    >>> layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x, use_causal_mask=True).shape
    (2, 5, 8)
"""
from glassnet.layers.attention.attention import AdditiveAttention, Attention
from glassnet.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["Attention", "AdditiveAttention", "MultiHeadAttention"]
