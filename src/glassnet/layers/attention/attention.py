"""``Attention`` (dot-product, Luong) and ``AdditiveAttention`` (Bahdanau), Keras's single-head
attention layers over ``[query, value]`` or ``[query, value, key]``.

Each query step attends over the value steps: scores between the query and the keys, a
softmax over the keys (masked keys left out), and the weighted sum of the values. The maths is
in ``glassnet.ops.attention``.
"""
from __future__ import annotations

from glassnet import backend, ops
from glassnet.core.tensor import Tensor
from glassnet.layers.attention._common import as_mask, check_rate, dropout_multipliers, unmask_scores
from glassnet.layers.base import Layer, is_shape

__all__ = ["Attention", "AdditiveAttention"]


class Attention(Layer):
    """Dot-product attention (Luong): ``softmax(query key^T) value`` for each query step.

    Called on a list ``[query, value]`` or ``[query, value, key]`` (the key defaults to the value):
    query ``(batch, Tq, dim)``, value ``(batch, Tv, dv)``, key ``(batch, Tv, dim)``; the output is
    ``(batch, Tq, dv)``.

    Scores, one per (query step i, value step j):

    - ``score_mode="dot"``: ``s_ij = q_i . k_j`` (times the learned scalar ``scale`` if
      ``use_scale``);
    - ``score_mode="concat"``: ``s_ij = c * sum_d tanh(q_id + k_jd)`` (``tanh(scale * (q + k))``
      if ``use_scale``), ``c`` a learned scalar ``concat_score_weight``.

    Then ``weights = softmax_j(s)`` over the value steps the masks allow and ``out_i = sum_j
    weights_ij v_j``.

    Args:
        use_scale: learn a scalar that scales the scores (weight ``scale``, starts at 1).
        score_mode: ``"dot"`` or ``"concat"``.
        dropout: fraction of the attention weights dropped during training.
        seed: seed of the dropout's own random stream.

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]``.
        mask: ``[query_mask, value_mask]``: booleans ``(batch, Tq)`` and ``(batch, Tv)``. Masked
            value steps get no weight; the output is 0 at masked query steps. Masks that come
            with the inputs (``Embedding(mask_zero=True)``) are used when none is given.
        return_attention_scores: also return the weights ``(batch, Tq, Tv)`` (after dropout).
        use_causal_mask: query step i may only attend to value steps j <= i (decoders).
        training: dropout only when True.

    Example:
        >>> import numpy as np
        >>> query, value = np.ones((2, 3, 4), np.float32), np.ones((2, 5, 4), np.float32)
        >>> out, weights = Attention()([query, value], return_attention_scores=True)
        >>> out.shape, weights.shape
        ((2, 3, 4), (2, 3, 5))
    """

    supports_masking = True  # the output carries the query's mask

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        who = f"{type(self).__name__} '{self.name}'"
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"{who}: expected score_mode 'dot' or 'concat', received {score_mode!r}")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = check_rate(who, dropout)
        self.seed = seed
        self._rng = None if seed is None else backend.make_rng(seed)
        self._with_scores = False  # return_attention_scores of the call being made (for shapes)

    # ------------------------------------------------------------------ checks
    @property
    def _who(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def _check_shapes(self, shapes) -> None:
        """The checks that shapes alone allow: used when building (symbolic inputs too) and calling."""
        if not isinstance(shapes, (list, tuple)) or is_shape(shapes) or not 2 <= len(shapes) <= 3:
            got = f"a single input of shape {tuple(shapes)}" if is_shape(shapes) else repr(shapes)
            raise ValueError(f"{self._who}: expected a list of inputs [query, value] or [query, value, key], "
                             f"received {got}")
        names = ["query", "value", "key"]
        for name, shape in zip(names, shapes):
            if len(shape) != 3:
                raise ValueError(f"{self._who}: expected {name} of rank 3 (batch, steps, features), "
                                 f"received shape {tuple(shape)}")
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) == 3 else value

        def differ(a, b):
            return a is not None and b is not None and a != b
        if differ(query[0], value[0]) or differ(query[0], key[0]):
            raise ValueError(f"{self._who}: query, value and key must have the same batch size, received "
                             f"shapes {[tuple(s) for s in shapes]}")
        if differ(key[1], value[1]):
            raise ValueError(f"{self._who}: key and value must have the same number of steps, received "
                             f"value shape {tuple(value)} and key shape {tuple(key)}")
        if differ(query[-1], key[-1]):
            raise ValueError(f"{self._who}: query and key must have the same feature size (last axis) to be "
                             f"scored against each other, received query shape {tuple(query)} and key shape "
                             f"{tuple(key)}")

    def _masks(self, mask, query, value):
        if mask is None:
            return None, None
        if not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3:
            raise ValueError(f"{self._who}: expected mask to be a list [query_mask, value_mask], received "
                             f"{type(mask).__name__}")
        q_mask = as_mask(mask[0], query, query.shape[:2], self._who, "query_mask")
        v_mask = as_mask(mask[1], query, value.shape[:2], self._who, "value_mask")
        return q_mask, v_mask

    # ------------------------------------------------------------------ lifecycle
    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.scale = self.add_weight("scale", (), initializer="ones") if self.use_scale else None
        self.concat_score_weight = (self.add_weight("concat_score_weight", (), initializer="ones")
                                    if self.score_mode == "concat" else None)

    def _calculate_scores(self, query, key):
        """Scores (batch, Tq, Tv) of every query step against every key step."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.transpose(key, (0, 2, 1)))
            return scores * self.scale if self.scale is not None else scores
        if self.scale is not None:  # tanh(scale * (q + k)): scale q and k, then the fused op
            query, key = query * self.scale, key * self.scale
        return ops.additive_scores(query, key, self.concat_score_weight)

    def __call__(self, inputs, *args, **kwargs):
        self._with_scores = bool(kwargs.get("return_attention_scores", False))
        try:
            return unmask_scores(super().__call__(inputs, *args, **kwargs))
        finally:
            self._with_scores = False

    def call(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False):
        self._check_shapes([t.shape for t in inputs] if isinstance(inputs, (list, tuple)) else inputs.shape)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        q_mask, v_mask = self._masks(mask, query, value)
        scores = self._calculate_scores(query, key)
        score_mask = None if v_mask is None else v_mask[:, None, :]         # (batch, 1, Tv)
        if use_causal_mask:
            causal = ops.causal_mask(query.shape[1], value.shape[1], like=query.data)[None]
            score_mask = causal if score_mask is None else score_mask & causal
        weights = ops.masked_softmax(scores, score_mask)
        if training and self.dropout > 0:
            weights = weights * Tensor(dropout_multipliers(self._rng, self.dropout, weights.shape, weights))
        result = ops.matmul(weights, value)
        if q_mask is not None:  # masked query steps give 0, as in Keras
            result = result * q_mask[:, :, None].astype(result.dtype)
        return (result, weights) if return_attention_scores else result

    def compute_mask(self, inputs, mask=None):
        if not isinstance(mask, (list, tuple)) or mask[0] is None:
            return None
        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        return as_mask(mask[0], first, first.shape[:2], self._who, "query_mask")

    def compute_output_shape(self, input_shape):
        self._check_shapes(input_shape)
        query, value = input_shape[0], input_shape[1]
        out = tuple(query[:-1]) + (value[-1],)
        return [out, (query[0], query[1], value[1])] if self._with_scores else out

    def get_config(self):
        config = super().get_config()
        config.update(use_scale=self.use_scale, score_mode=self.score_mode, dropout=self.dropout, seed=self.seed)
        return config


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau): scores ``s_ij = sum_d scale_d tanh(q_id + k_jd)``.

    Called like ``Attention`` on ``[query, value]`` or ``[query, value, key]``, with the same masks,
    ``return_attention_scores`` and ``use_causal_mask``; query and key share the feature size
    ``dim``. The output is ``softmax_j(s) value``, shape ``(batch, Tq, dv)``.

    Args:
        use_scale: learn the vector ``scale`` of shape ``(dim,)`` (Glorot-uniform start); without
            it the scores are ``sum_d tanh(q_id + k_jd)``.
        dropout: fraction of the attention weights dropped during training.
        seed: seed of the dropout's own random stream.

    Weights: ``scale`` ``(dim,)`` when ``use_scale``: ``dim`` parameters.

    Example:
        >>> import numpy as np
        >>> layer = AdditiveAttention()
        >>> layer([np.ones((2, 3, 4), np.float32), np.ones((2, 5, 6), np.float32),
        ...        np.ones((2, 5, 4), np.float32)]).shape
        (2, 3, 6)
        >>> layer.count_params()
        4
    """

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        self._check_shapes(input_shape)
        dim = input_shape[0][-1]
        if dim is None:
            raise ValueError(f"{self._who}: the query's feature size (last axis) must be known, received "
                             f"query shape {tuple(input_shape[0])}")
        self.scale = self.add_weight("scale", (dim,), initializer="glorot_uniform") if self.use_scale else None
        self.concat_score_weight = None

    def _calculate_scores(self, query, key):
        return ops.additive_scores(query, key, self.scale)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]  # always additive (Keras leaves it out too)
        return config
