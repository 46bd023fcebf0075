"""Attention (COURSE.md part 6): scores between queries and keys, a masked softmax over the
keys, and a weighted sum of the values.

For queries q_i, keys k_j and values v_j:

    scores   s_ij = scale * q_i . k_j               dot-product (Luong; Transformers: 1/sqrt(d))
             s_ij = sum_d w_d tanh(q_id + k_jd)     additive (Bahdanau)
    weights  p_ij = softmax over j of s_ij, over the keys j the mask allows
    output   o_i  = sum_j p_ij v_j

Everything is batched over the leading axes (batch, and heads for multi-head attention): the
products are single batched matmuls, never a Python loop over heads or examples. The softmax is
one fused op (``MaskedSoftmax``) with a hand-written backward; the additive scores are another
(``AdditiveScores``), so their (batch, Tq, Tv, d) intermediate is made once.

Example:
    >>> import numpy as np
    >>> from glassnet import Tensor, ops
    >>> q, k = Tensor(np.ones((1, 2, 4)), requires_grad=True), Tensor(np.ones((1, 3, 4)))
    >>> out, weights = ops.dot_product_attention(q, k, k, scale=0.5)
    >>> out.shape, weights.shape
    ((1, 2, 4), (1, 2, 3))
"""
from __future__ import annotations

import numpy as np

from glassnet.backend import array_module
from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import as_tensor
from glassnet.ops.linalg import matmul
from glassnet.ops.shape import transpose


def large_negative(dtype):
    """The score a masked position gets, as Keras's Softmax uses: -1e9 (float16: -3e4, its range
    ends at 65504). exp of it minus the row's maximum underflows to exactly 0, and unlike -inf it
    never makes inf - inf = nan in a row whose every key is masked."""
    dtype = np.dtype(dtype)
    return dtype.type(-3e4 if dtype == np.float16 else -1e9)


class MaskedSoftmax(Function):
    """Softmax over the last axis (the keys) with a mask, numerically stable:

        P = softmax(where(mask, S, -1e9)) = e^(S' - max S') / sum_j e^(S'_j - max S')

    Backward, the softmax Jacobian-vector product, zero where the mask is False (those scores
    were replaced by a constant, so they have no gradient):

        dS = P * (dP - sum_j(dP * P)),   dS = 0 where mask is False

    A row whose every key is masked gets uniform weights (Keras's ``Attention``), or zeros with
    ``zero_empty_rows`` (Keras's ``Softmax`` layer, which ``MultiHeadAttention`` uses).
    """

    def __init__(self, mask=None, zero_empty_rows=False):
        self.mask = mask  # bool array broadcastable to the scores; a constant, not an input
        self.zero_empty_rows = zero_empty_rows and mask is not None

    def forward(self, s):
        xp = self.xp
        if self.mask is not None:
            s = xp.where(self.mask, s, large_negative(s.dtype))
        e = xp.exp(s - s.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        if self.zero_empty_rows:  # masked weights are already 0 except in rows with no key left
            e = xp.where(self.mask, e, e.dtype.type(0))
        self.p = e
        return e

    def backward(self, g):
        p = self.p
        ds = p * (g - (g * p).sum(axis=-1, keepdims=True))
        if self.mask is not None and not self.zero_empty_rows:
            # only rows with every key masked have nonzero ds at masked keys (elsewhere P is 0);
            # with zero_empty_rows P is 0 at every masked key, and so is ds already
            ds = self.xp.where(self.mask, ds, ds.dtype.type(0))
        return (ds,)


class AdditiveScores(Function):
    """Additive (Bahdanau) attention scores for q (..., Tq, d), k (..., Tv, d) and optional
    weights w of shape (d,) or () (absent: w = 1):

        t_ijd = tanh(q_id + k_jd),   s_ij = sum_d w_d t_ijd

    Backward, with u_ijd = dS_ij w_d (1 - t_ijd^2):

        dq_id = sum_j u_ijd,   dk_jd = sum_i u_ijd,   dw_d = sum_ij dS_ij t_ijd
    """

    def forward(self, q, k, w=None):
        t = self.xp.tanh(q[..., :, None, :] + k[..., None, :, :])  # (..., Tq, Tv, d)
        self.t, self.w = t, w
        if w is None:
            return t.sum(axis=-1)
        if w.ndim == 0:
            return t.sum(axis=-1) * w
        return t @ w  # a matrix-vector product: faster than (t * w).sum(-1), no temporary

    def backward(self, g):
        t, w = self.t, self.w
        gd = g[..., None] if w is None else g[..., None] * w   # dS_ij w_d, (..., Tq, Tv, d)
        u = gd * (1 - t * t)
        dq = u.sum(axis=-2) if self.needs_input_grad[0] else None
        dk = u.sum(axis=-3) if self.needs_input_grad[1] else None
        if w is None:
            return dq, dk
        dw = None
        if self.needs_input_grad[2]:
            d = t.shape[-1]
            dw = g.reshape(-1) @ t.reshape(-1, d)               # sum over i, j (and batch) at once
            dw = dw.sum().reshape(w.shape) if w.ndim == 0 else dw
        return dq, dk, dw


def _bool_mask(mask, like):
    """``mask`` (array, Tensor, list; bool or 0/1 numbers) as a bool array where ``like`` lives.
    Numbers count as True above 0.5, as Keras's Softmax reads a float mask."""
    data = mask.data if isinstance(mask, Tensor) else mask
    xp = array_module(like)
    data = xp.asarray(data)
    return data if data.dtype == bool else data > 0.5


def masked_softmax(scores, mask=None, zero_empty_rows=False) -> Tensor:
    """Softmax of ``scores`` over the last axis, masked positions (mask False) left out.

    Args:
        scores: tensor (..., Tq, Tv).
        mask: None, or booleans broadcastable to ``scores``' shape (True: may attend).
        zero_empty_rows: a row with every position masked gets zeros instead of uniform weights.

    Example:
        >>> import numpy as np
        >>> masked_softmax(Tensor(np.zeros((1, 3))), mask=np.array([[True, True, False]])).numpy()
        array([[0.5, 0.5, 0. ]], dtype=float32)
    """
    scores = as_tensor(scores)
    if mask is not None:
        mask = _bool_mask(mask, scores.data)
        try:
            broadcast = np.broadcast_shapes(mask.shape, scores.shape)
        except ValueError:
            broadcast = None
        if broadcast != scores.shape:
            raise ValueError(f"masked_softmax: expected a mask broadcastable to the scores' shape "
                             f"{scores.shape}, received mask shape {mask.shape}")
    return MaskedSoftmax(mask, zero_empty_rows)(scores)


def additive_scores(query, key, weights=None) -> Tensor:
    """Bahdanau scores ``s_ij = sum_d w_d tanh(q_id + k_jd)`` (``w = 1`` when ``weights`` is None).

    Args:
        query: tensor (..., Tq, d).
        key: tensor (..., Tv, d) with the same leading axes.
        weights: None, a scalar tensor, or a tensor of shape (d,).

    Example:
        >>> import numpy as np
        >>> additive_scores(Tensor(np.zeros((1, 2, 3))), Tensor(np.zeros((1, 4, 3)))).shape
        (1, 2, 4)
    """
    query, key = as_tensor(query), as_tensor(key)
    if query.shape[:-2] != key.shape[:-2] or query.shape[-1] != key.shape[-1]:
        raise ValueError(f"additive_scores: expected query (..., Tq, d) and key (..., Tv, d) with the same "
                         f"leading axes and d, received shapes {query.shape} and {key.shape}")
    if weights is None:
        return AdditiveScores()(query, key)
    weights = as_tensor(weights, query)
    if weights.shape not in ((), (query.shape[-1],)):
        raise ValueError(f"additive_scores: expected weights of shape () or ({query.shape[-1]},), "
                         f"received {weights.shape}")
    return AdditiveScores()(query, key, weights)


def causal_mask(query_length: int, key_length: int, like=None):
    """Booleans (query_length, key_length), True where key j <= query i: position i may not look
    at later positions. Aligned at the first step, as Keras's ``use_causal_mask``.

    Example:
        >>> causal_mask(2, 3)
        array([[ True, False, False],
               [ True,  True, False]])
    """
    xp = array_module(like)
    return xp.arange(query_length)[:, None] >= xp.arange(key_length)[None, :]


def _swap_last(t: Tensor) -> Tensor:
    axes = tuple(range(t.ndim - 2)) + (t.ndim - 1, t.ndim - 2)
    return transpose(t, axes)


def dot_product_attention(query, key, value, mask=None, scale=None, dropout_mask=None, zero_empty_rows=False):
    """``o = dropout(softmax(mask(scale * q k^T))) v``, batched over the leading axes.

    Args:
        query: tensor (..., Tq, d); key: (..., Tv, d); value: (..., Tv, dv).
        mask: None, or booleans broadcastable to (..., Tq, Tv): True where query i may attend
            to key j.
        scale: None (1), a number, or a scalar tensor (a trainable scale).
        dropout_mask: None, or the kept-weight multipliers (0 or 1 / (1 - rate)) broadcastable
            to the weights: dropout on the attention weights, drawn by the caller.
        zero_empty_rows: a query that may attend to no key gets zero weights (and output),
            not uniform weights.

    Returns:
        ``(output, weights)``: output (..., Tq, dv) and the softmax weights (..., Tq, Tv), before
        dropout.

    Example:
        >>> import numpy as np
        >>> x = Tensor(np.ones((2, 5, 4)))
        >>> out, weights = dot_product_attention(x, x, x, mask=causal_mask(5, 5))
        >>> weights.numpy()[0, 1]
        array([0.5, 0.5, 0. , 0. , 0. ], dtype=float32)
    """
    query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
    scores = matmul(query, _swap_last(key))
    if scale is not None:
        scores = scores * scale
    weights = masked_softmax(scores, mask, zero_empty_rows)
    dropped = weights if dropout_mask is None else weights * as_tensor(dropout_mask, weights)
    return matmul(dropped, value), weights
