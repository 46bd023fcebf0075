"""``MultiHeadAttention``: Keras's multi-head attention ("Attention is all you need"), with
Keras's weight layouts, so weights move between Keras and glassnet unchanged.

Each of ``num_heads`` heads projects the query, key and value to its own subspace, attends with
scaled dot products, and the heads' outputs are projected back together:

    Q_h = query W_q[:, h] + b_q[h]      (batch, T, key_dim)     likewise K_h and V_h
    A_h = softmax(Q_h K_h^T / sqrt(key_dim))                    (batch, T, S), masked keys left out
    out = sum_h (A_h V_h) W_o[h] + b_o                          (batch, T, output dim)

All heads and examples go through one batched matmul each (axes batch, head, step, feature).
"""
from __future__ import annotations

import math

from glassnet import backend, initializers, ops, regularizers
from glassnet.layers.attention._common import as_mask, check_rate, dropout_multipliers, unmask_scores
from glassnet.layers.base import Layer, is_shape
from glassnet.ops._util import is_int

__all__ = ["MultiHeadAttention"]


def _prod(dims) -> int:
    return math.prod(int(d) for d in dims)


class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product attention of ``query`` over ``value`` (and ``key``).

    Args:
        num_heads: number of attention heads N.
        key_dim: size H of each head for query and key.
        value_dim: size of each head for value (default: ``key_dim``).
        dropout: fraction of the attention weights dropped during training.
        use_bias: whether the four projections have biases.
        output_shape: the output's feature shape (an int or a tuple); default: the query's
            feature size.
        attention_axes: only None (attention over all axes between batch and features) is
            supported; a tuple equal to that default is accepted.
        kernel_initializer, bias_initializer: initializers of the kernels and biases.
        kernel_regularizer, bias_regularizer: penalties added to the loss.
        seed: seed of the dropout's own random stream.

    Call arguments:
        query: ``(batch, T, dim)``; value: ``(batch, S, dim_v)``; key: ``(batch, S, dim_k)``
            (default: value). Inputs of higher rank ``(batch, T1, T2, ..., dim)`` attend over all
            their middle axes together.
        attention_mask: booleans broadcastable to ``(batch, T, S)``: True where query step t may
            attend to key step s.
        return_attention_scores: also return the weights ``(batch, N, T, S)`` (before dropout).
        training: dropout only when True.
        use_causal_mask: query step t attends only to key steps s <= t (decoders).
        query_mask, value_mask, key_mask: masks ``(batch, T)`` / ``(batch, S)``; taken from the
            inputs (``Embedding(mask_zero=True)``) when not given. Combined with ``attention_mask``
            and the causal mask as Keras does; the output carries the query's mask. A query step
            left with no key (a padded one) gets zero weights, as from Keras's ``Softmax``.

    Weights (Keras layout and order): ``query/kernel`` (dim, N, H), ``query/bias`` (N, H),
    ``key/kernel`` (dim_k, N, H), ``key/bias`` (N, H), ``value/kernel`` (dim_v, N, value_dim),
    ``value/bias`` (N, value_dim), ``attention_output/kernel`` (N, value_dim, out),
    ``attention_output/bias`` (out,).

    Example:
        >>> import numpy as np
        >>> layer = MultiHeadAttention(num_heads=2, key_dim=2)
        >>> x = np.ones((3, 8, 16), np.float32)
        >>> out, scores = layer(x, x, return_attention_scores=True)
        >>> out.shape, scores.shape, layer.count_params()
        ((3, 8, 16), (3, 2, 8, 8), 284)
    """

    supports_masking = True  # the output carries the query's mask

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        for what, value in (("num_heads", num_heads), ("key_dim", key_dim), ("value_dim", value_dim)):
            if value is not None and (not is_int(value) or value <= 0):
                raise ValueError(f"{self._who}: expected {what} to be a positive int, received {value!r}")
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout = check_rate(self._who, dropout)
        self.use_bias = bool(use_bias)
        if output_shape is not None:
            shape = (output_shape,) if is_int(output_shape) else output_shape
            if not isinstance(shape, (tuple, list)) or not shape or not all(is_int(d) and d > 0 for d in shape):
                raise ValueError(f"{self._who}: expected output_shape to be a positive int or a tuple of them, "
                                 f"received {output_shape!r}")
            output_shape = tuple(int(d) for d in shape)
        self._output_shape = output_shape  # (``output_shape`` is the Layer property of the output's shape)
        if is_int(attention_axes):
            attention_axes = (int(attention_axes),)
        elif attention_axes is not None:
            if not isinstance(attention_axes, (tuple, list)) or not all(is_int(a) for a in attention_axes):
                raise ValueError(f"{self._who}: expected attention_axes to be None, an int or a tuple of ints, "
                                 f"received {attention_axes!r}")
            attention_axes = tuple(int(a) for a in attention_axes)
        self.attention_axes = attention_axes
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.seed = seed
        self._rng = None if seed is None else backend.make_rng(seed)
        self._with_scores = False  # return_attention_scores of the call being made (for shapes)

    @property
    def _who(self) -> str:
        return f"MultiHeadAttention '{self.name}'"

    # ------------------------------------------------------------------ shapes
    def _split_shapes(self, query_shape, value_shape, key_shape):
        """(query, value, key) shapes from Keras's three arguments or one list of them."""
        if value_shape is None and isinstance(query_shape, (list, tuple)) and not is_shape(query_shape):
            shapes = list(query_shape)
            if not 2 <= len(shapes) <= 3:
                raise ValueError(f"{self._who}: expected query and value (and key), received {len(shapes)} inputs")
            query_shape, value_shape = shapes[0], shapes[1]
            key_shape = shapes[2] if len(shapes) == 3 else None
        if value_shape is None:
            raise ValueError(f"{self._who}: expected a value as well as a query (layer(query, value)), "
                             f"received only a query of shape {tuple(query_shape)}")
        key_shape = value_shape if key_shape is None else key_shape
        query_shape, value_shape, key_shape = tuple(query_shape), tuple(value_shape), tuple(key_shape)
        if len(query_shape) < 3:
            raise ValueError(f"{self._who}: expected query of rank 3 or more (batch, steps, features), "
                             f"received shape {query_shape}")
        if len(value_shape) != len(query_shape) or len(key_shape) != len(query_shape):
            raise ValueError(f"{self._who}: expected query, value and key of the same rank, received shapes "
                             f"{query_shape}, {value_shape} and {key_shape}")
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"{self._who}: all axes of value and key but the last must be equal, received "
                             f"value shape {value_shape} and key shape {key_shape}")
        return query_shape, value_shape, key_shape

    def _out_features(self, query_dim) -> tuple:
        return self._output_shape if self._output_shape else (query_dim,)

    def build(self, query_shape, value_shape=None, key_shape=None):
        query_shape, value_shape, key_shape = self._split_shapes(query_shape, value_shape, key_shape)
        # Keras's build(query_shape, value_shape) called directly: remember all the shapes, as a call does
        self._build_input_shape = [query_shape, value_shape, key_shape]
        rank = len(query_shape)
        default_axes = tuple(range(1, rank - 1))
        if self.attention_axes is not None:
            # Keras counts axes of the projected (batch, ..., heads, features) tensor: rank + 1 axes
            axes = tuple(a if a >= 0 else rank + a for a in self.attention_axes)
            if axes != default_axes:
                raise ValueError(f"{self._who}: only attention over all axes between batch and features is "
                                 f"supported (attention_axes=None, here {default_axes}), received "
                                 f"attention_axes={self.attention_axes}")
        dims = {"query": query_shape[-1], "key": key_shape[-1], "value": value_shape[-1]}
        for name, dim in dims.items():
            if dim is None:
                raise ValueError(f"{self._who}: the {name}'s feature size (last axis) must be known, received "
                                 f"shape {dict(query=query_shape, key=key_shape, value=value_shape)[name]}")
        n = self.num_heads
        self._projections = {}
        for name, head_dim in (("query", self.key_dim), ("key", self.key_dim), ("value", self.value_dim)):
            kernel = self.add_weight(f"{name}/kernel", (dims[name], n, head_dim), self.kernel_initializer,
                                     self.kernel_regularizer)
            bias = (self.add_weight(f"{name}/bias", (n, head_dim), self.bias_initializer, self.bias_regularizer)
                    if self.use_bias else None)
            self._projections[name] = (kernel, bias)
        out = self._out_features(dims["query"])
        self.output_kernel = self.add_weight("attention_output/kernel", (n, self.value_dim) + out,
                                             self.kernel_initializer, self.kernel_regularizer)
        self.output_bias = (self.add_weight("attention_output/bias", out, self.bias_initializer,
                                            self.bias_regularizer) if self.use_bias else None)

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape, value_shape, _ = self._split_shapes(query_shape, value_shape, key_shape)
        out = tuple(query_shape[:-1]) + self._out_features(query_shape[-1])
        if not self._with_scores:
            return out
        return [out, (query_shape[0], self.num_heads) + tuple(query_shape[1:-1]) + tuple(value_shape[1:-1])]

    # ------------------------------------------------------------------ calling
    def __call__(self, query, value=None, key=None, **kwargs):
        # the base class calls layers on one structure: [query, value(, key)] (a functional model
        # replays the call with that list, so a list as query is unpacked the same way)
        if isinstance(query, (list, tuple)) and value is None:
            inputs = list(query)
        else:
            if value is None:
                raise ValueError(f"{self._who}: expected layer(query, value) or layer(query, value, key), "
                                 f"received no value")
            inputs = [query, value] if key is None else [query, value, key]
        self._with_scores = bool(kwargs.get("return_attention_scores", False))
        try:
            return unmask_scores(super().__call__(inputs, **kwargs))
        finally:
            self._with_scores = False

    def _project(self, x, name, flat_steps):
        """x (batch, steps..., dim) -> (batch, heads, steps, head_dim) through one fused matmul."""
        kernel, bias = self._projections[name]
        dim, n, h = kernel.shape
        if x.shape[-1] != dim:
            raise ValueError(f"{self._who}: expected {name} with last axis {dim} (the size it was built for), "
                             f"received shape {x.shape}")
        x = ops.reshape(x, (x.shape[0], flat_steps, dim)) if x.ndim != 3 else x
        y = ops.linear(x, ops.reshape(kernel, (dim, n * h)), None if bias is None else ops.reshape(bias, (n * h,)))
        return ops.transpose(ops.reshape(y, (x.shape[0], flat_steps, n, h)), (0, 2, 1, 3))

    def _attention_mask(self, query, value, masks, attention_mask, use_causal_mask):
        """Keras's merge of every mask into booleans broadcastable to (batch, 1, T, S), or None."""
        b, t_dims, s_dims = query.shape[0], query.shape[1:-1], value.shape[1:-1]
        t, s = _prod(t_dims), _prod(s_dims)
        q_mask, v_mask, k_mask = (as_mask(m, query, (b,) + dims, self._who, what) for m, dims, what in
                                  zip(masks, (t_dims, s_dims, s_dims), ("query_mask", "value_mask", "key_mask")))
        merged = None

        def merge(m):
            return m if merged is None else merged & m
        if q_mask is not None:
            merged = merge(q_mask.reshape(b, t, 1))
        for m in (v_mask, k_mask):
            if m is not None:
                merged = merge(m.reshape(b, 1, s))
        if use_causal_mask:
            if query.ndim != 3:
                raise ValueError(f"{self._who}: use_causal_mask needs inputs of rank 3 (batch, steps, features), "
                                 f"received query shape {query.shape}")
            merged = merge(ops.causal_mask(t, s, like=query.data)[None])
        if attention_mask is not None:
            full = (b,) + t_dims + s_dims
            if query.ndim == 3:  # (batch, T, S), or (T, S) / (1, T, S) broadcast over the batch, as in Keras
                m = as_mask(attention_mask, query, full, self._who, "attention_mask", broadcast=True)
                m = m.reshape((1,) * (3 - m.ndim) + m.shape)
            else:  # the steps of several axes are flattened: the mask must name every one
                m = as_mask(attention_mask, query, full, self._who, "attention_mask").reshape(b, t, s)
            merged = merge(m)
        return None if merged is None else merged[:, None]  # a head axis

    def call(self, query, value=None, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False, mask=None):
        if isinstance(query, (list, tuple)):
            inputs = list(query)
            query, value = inputs[0], inputs[1]
            key = inputs[2] if len(inputs) == 3 else None
        if value is None:
            raise ValueError(f"{self._who}: expected a value as well as a query, received only a query")
        key = value if key is None else key
        self._split_shapes(query.shape, value.shape, key.shape)
        if query.shape[0] != value.shape[0] or query.shape[0] != key.shape[0]:
            raise ValueError(f"{self._who}: query, value and key must have the same batch size, received shapes "
                             f"{query.shape}, {value.shape} and {key.shape}")
        # masks given as arguments win over those the inputs carry (the base class passes those as ``mask``)
        carried = list(mask) + [None] * (3 - len(mask)) if isinstance(mask, (list, tuple)) else [None] * 3
        masks = [given if given is not None else c for given, c in zip((query_mask, value_mask, key_mask), carried)]
        scores_mask = self._attention_mask(query, value, masks, attention_mask, use_causal_mask)

        b, t_dims, s_dims = query.shape[0], query.shape[1:-1], value.shape[1:-1]
        t, s = _prod(t_dims), _prod(s_dims)
        q = self._project(query, "query", t)                 # (batch, heads, T, key_dim)
        k = self._project(key, "key", s)                     # (batch, heads, S, key_dim)
        v = self._project(value, "value", s)                 # (batch, heads, S, value_dim)
        drop = None
        if training and self.dropout > 0:
            drop = dropout_multipliers(self._rng, self.dropout, (b, self.num_heads, t, s), q)
        # Keras scales the query by 1/sqrt(key_dim) before the product; same scores. A query with
        # no key left to attend to (a padded step) gets zero weights, as Keras's Softmax layer
        # gives (its fused dot_product_attention path, used without dropout or returned scores,
        # gives uniform ones on the torch backend: Keras differs from itself there)
        context, weights = ops.dot_product_attention(q * (1.0 / math.sqrt(self.key_dim)), k, v, mask=scores_mask,
                                                     dropout_mask=drop, zero_empty_rows=True)
        n, h = self.num_heads, self.value_dim
        context = ops.reshape(ops.transpose(context, (0, 2, 1, 3)), (b, t, n * h))
        out_dims = self.output_kernel.shape[2:]
        out = ops.linear(context, ops.reshape(self.output_kernel, (n * h, _prod(out_dims))),
                         None if self.output_bias is None else ops.reshape(self.output_bias, (_prod(out_dims),)))
        out = ops.reshape(out, (b,) + t_dims + out_dims) if out.shape[1:] != t_dims + out_dims else out
        if return_attention_scores:
            return out, (weights if query.ndim == 3 else ops.reshape(weights, (b, n) + t_dims + s_dims))
        return out

    def compute_mask(self, inputs, mask=None):
        if not isinstance(mask, (list, tuple)) or mask[0] is None:
            return None
        query = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        return as_mask(mask[0], query, query.shape[:-1], self._who, "query_mask")

    def get_config(self):
        config = super().get_config()
        config.update(num_heads=self.num_heads, key_dim=self.key_dim, value_dim=self.value_dim,
                      dropout=self.dropout, use_bias=self.use_bias,
                      output_shape=None if self._output_shape is None else list(self._output_shape),
                      attention_axes=None if self.attention_axes is None else list(self.attention_axes),
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer),
                      kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
                      bias_regularizer=regularizers.serialize(self.bias_regularizer), seed=self.seed)
        return config
