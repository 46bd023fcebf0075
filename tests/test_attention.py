"""Attention: the ops (masked softmax, additive scores, dot-product attention) and the layers
``Attention``, ``AdditiveAttention`` and ``MultiHeadAttention``.

Oracles: PyTorch in float64 (``scaled_dot_product_attention`` with the Keras-layout weights
mapped to explicit projections, and ``torch.nn.MultiheadAttention`` where its shapes fit), the
formulas written out in NumPy (concat and additive scores), and finite differences in float64
for the gradients of inputs and every weight.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import Tensor, layers, ops
from glassnet.layers.base import Layer
from glassnet.testing import check_gradients, check_layer_gradients

torch = pytest.importorskip("torch")
F = torch.nn.functional

B, TQ, TV, D = 3, 4, 6, 5  # batch, query steps, value steps, features


@pytest.fixture
def float64():
    gn.backend.set_floatx("float64")
    try:
        yield
    finally:
        gn.backend.set_floatx("float32")


def rand(*shape, seed=0, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


def value_mask(batch=B, steps=TV, seed=7):
    """Post-padding masks with every row keeping at least one step."""
    lengths = np.random.default_rng(seed).integers(1, steps + 1, batch)
    return np.arange(steps)[None, :] < lengths[:, None]


def t64(a, grad=True):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def g64(a):
    return Tensor(np.asarray(a, dtype=np.float64), requires_grad=True, dtype=np.float64)


def backward_both(out, t_out, seed=11):
    w = np.random.default_rng(seed).standard_normal(out.shape)
    (out * Tensor(w, dtype=out.dtype)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()


def close(a, b, tol=1e-10):
    np.testing.assert_allclose(np.asarray(a), b.detach().numpy() if hasattr(b, "detach") else b, rtol=tol, atol=tol)


class SplitInput(Layer):
    """One input split along the steps axis into query, value (and key): lets
    ``check_layer_gradients`` (one input array) check layers called on several inputs."""

    def __init__(self, inner, sizes, multi_head=False, **call_kwargs):
        super().__init__()
        self.inner, self.sizes, self.multi_head, self.call_kwargs = inner, list(sizes), multi_head, call_kwargs

    def call(self, x):
        parts = ops.split(x, list(np.cumsum(self.sizes)[:-1]), axis=1)
        return self.inner(*parts, **self.call_kwargs) if self.multi_head else self.inner(parts, **self.call_kwargs)


# ============================================================================ ops
def test_masked_softmax_matches_torch_with_a_fully_masked_row():
    s = rand(2, 3, 5, seed=1) * 3
    mask = np.random.default_rng(2).random((2, 3, 5)) > 0.4
    mask[0, 1] = False  # every key masked: uniform weights, no gradient (Keras's -1e9 fill)
    mask[1, 2] = True
    out = ops.masked_softmax(g64(s), mask)
    ts = t64(s)
    t_out = torch.softmax(torch.where(torch.tensor(mask), ts, torch.tensor(-1e9, dtype=torch.float64)), -1)
    close(out.data, t_out)
    np.testing.assert_allclose(out.data[0, 1], np.full(5, 0.2))
    assert (out.data[~mask & mask.any(-1, keepdims=True)] == 0).all()
    xs = g64(s)
    out = ops.masked_softmax(xs, mask)
    backward_both(out, t_out)
    close(xs.grad, ts.grad)
    assert (xs.grad[~mask] == 0).all()
    # zero_empty_rows: the same, but the row with no key left gets zeros (Keras's Softmax layer)
    xs, ts = g64(s), t64(s)
    out = ops.masked_softmax(xs, mask, zero_empty_rows=True)
    t_out = torch.softmax(torch.where(torch.tensor(mask), ts, torch.tensor(-1e9, dtype=torch.float64)), -1)
    t_out = torch.where(torch.tensor(mask), t_out, torch.tensor(0.0, dtype=torch.float64))
    close(out.data, t_out)
    assert not out.data[0, 1].any()
    backward_both(out, t_out)
    close(xs.grad, ts.grad)


def test_masked_softmax_is_stable_and_keeps_float32():
    s = Tensor(np.array([[1e4, -1e4, 0.0], [3e38, 3e38, -3e38]], np.float32), requires_grad=True)
    out = ops.masked_softmax(s, np.array([True, True, False]))
    assert out.dtype == np.float32 and np.isfinite(out.data).all()
    np.testing.assert_allclose(out.data, [[1, 0, 0], [0.5, 0.5, 0]])
    out.sum().backward()
    assert s.grad.dtype == np.float32 and np.isfinite(s.grad).all()


@pytest.mark.parametrize("fn, inputs", [
    (lambda s: ops.masked_softmax(s), [rand(2, 3, 4)]),
    (lambda s: ops.masked_softmax(s, value_mask(2, 4)[:, None, :]), [rand(2, 3, 4)]),
    (lambda s: ops.masked_softmax(s, np.arange(4) < np.array([0, 2, 4])[:, None], zero_empty_rows=True),
     [rand(2, 3, 4)]),
    (lambda q, k: ops.additive_scores(q, k), [rand(2, 3, 4), rand(2, 5, 4, seed=1)]),
    (lambda q, k, w: ops.additive_scores(q, k, w), [rand(2, 3, 4), rand(2, 5, 4, seed=1), rand(4, seed=2)]),
    (lambda q, k, w: ops.additive_scores(q, k, w), [rand(2, 3, 4), rand(2, 5, 4, seed=1), rand(seed=2)]),
    (lambda q, k, v: ops.dot_product_attention(q, k, v, mask=ops.causal_mask(3, 5), scale=0.4)[0],
     [rand(2, 3, 4), rand(2, 5, 4, seed=1), rand(2, 5, 6, seed=2)]),
    (lambda q, k: ops.dot_product_attention(q, k, k)[1], [rand(2, 2, 3, 4), rand(2, 2, 5, 4, seed=1)]),
])
def test_attention_ops_pass_finite_differences(fn, inputs):
    check_gradients(fn, inputs)


def test_dot_product_attention_matches_torch_sdpa_batched_over_heads():
    q, k, v = rand(2, 3, 4, 5), rand(2, 3, 6, 5, seed=1), rand(2, 3, 6, 2, seed=2)
    mask = value_mask(2, 6)[:, None, None, :] & ops.causal_mask(4, 6)[None, None]
    gq, gk, gv = g64(q), g64(k), g64(v)
    tq, tk, tv = t64(q), t64(k), t64(v)
    out, weights = ops.dot_product_attention(gq, gk, gv, mask=mask, scale=0.3)
    t_out = F.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.tensor(mask), scale=0.3)
    close(out.data, t_out)
    np.testing.assert_allclose(weights.data.sum(-1), 1.0)
    backward_both(out, t_out)
    for a, b in [(gq, tq), (gk, tk), (gv, tv)]:
        close(a.grad, b.grad)


def test_attention_op_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"broadcastable to the scores' shape \(2, 3\).*\(2, 1, 3\)"):
        ops.masked_softmax(Tensor(np.zeros((2, 3))), np.ones(3, bool)[None, None, :].repeat(2, 0))
    with pytest.raises(ValueError, match=r"additive_scores.*\(2, 3, 4\) and \(2, 5, 3\)"):
        ops.additive_scores(np.zeros((2, 3, 4)), np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=r"weights of shape \(\) or \(4,\)"):
        ops.additive_scores(np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), np.zeros(3))


# ============================================================================ Attention, AdditiveAttention
def _torch_attention(tq, tv, tk, scores_fn, v_mask=None, causal=False):
    s = scores_fn(tq, tk)
    keep = torch.ones(s.shape, dtype=torch.bool)
    if v_mask is not None:
        keep = keep & torch.tensor(v_mask)[:, None, :]
    if causal:
        keep = keep & torch.tensor(ops.causal_mask(s.shape[1], s.shape[2]))[None]
    p = torch.softmax(torch.where(keep, s, torch.tensor(-1e9, dtype=s.dtype)), -1)
    return p @ tv, p


@pytest.mark.parametrize("use_scale", [False, True])
@pytest.mark.parametrize("options", [{}, {"v_mask": True}, {"causal": True}, {"v_mask": True, "causal": True}])
def test_dot_attention_matches_torch(float64, use_scale, options):
    q, v, k = rand(B, TQ, D), rand(B, TV, 3, seed=1), rand(B, TV, D, seed=2)
    v_mask = value_mask() if options.get("v_mask") else None
    layer = layers.Attention(use_scale=use_scale)
    layer([q, v, k])
    if use_scale:
        layer.set_weights([np.array(0.7)])
    gq, gv, gk = g64(q), g64(v), g64(k)
    out, weights = layer([gq, gv, gk], mask=None if v_mask is None else [None, v_mask],
                         return_attention_scores=True, use_causal_mask=options.get("causal", False))
    tq, tv, tk, t_scale = t64(q), t64(v), t64(k), t64(0.7)
    scale = t_scale if use_scale else 1.0
    t_out, t_p = _torch_attention(tq, tv, tk, lambda a, b: (a @ b.transpose(1, 2)) * scale, v_mask,
                                  options.get("causal", False))
    if not use_scale:  # the same thing through torch's own attention kernel
        keep = torch.ones(B, TQ, TV, dtype=torch.bool)
        if v_mask is not None:
            keep &= torch.tensor(v_mask)[:, None, :]
        if options.get("causal"):
            keep &= torch.tensor(ops.causal_mask(TQ, TV))[None]
        close(out.data, F.scaled_dot_product_attention(tq, tk, tv, attn_mask=keep, scale=1.0))
    assert out.shape == (B, TQ, 3) and weights.shape == (B, TQ, TV)
    close(out.data, t_out)
    close(weights.data, t_p)
    backward_both(out, t_out)
    for a, b in [(gq, tq), (gv, tv), (gk, tk)]:
        close(a.grad, b.grad)
    if use_scale:
        close(layer.scale.grad, t_scale.grad)


def _concat_reference(q, k, scale, c):
    """Keras's concat score mode in NumPy: c * sum_d tanh(scale * (q_id + k_jd))."""
    return c * np.tanh(scale * (q[:, :, None, :] + k[:, None, :, :])).sum(-1)


@pytest.mark.parametrize("use_scale", [False, True])
def test_concat_score_mode_matches_the_numpy_formula(float64, use_scale):
    q, v = rand(B, TQ, D), rand(B, TV, D, seed=1)
    layer = layers.Attention(use_scale=use_scale, score_mode="concat")
    layer([q, v])
    assert [w.name.split("/")[-1] for w in layer.weights] == ["scale"] * use_scale + ["concat_score_weight"]
    scale, c = (0.6, 1.3) if use_scale else (1.0, 1.3)
    layer.set_weights([np.array(scale), np.array(c)] if use_scale else [np.array(c)])
    out, weights = layer([q, v], return_attention_scores=True)
    s = _concat_reference(q, v, scale, c)
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    np.testing.assert_allclose(weights.data, p, rtol=1e-12)
    np.testing.assert_allclose(out.data, p @ v, rtol=1e-12)
    check_layer_gradients(SplitInput(layer, [TQ, TV]), np.concatenate([q, v], axis=1))


def _additive_reference(q, k, scale):
    return (scale * np.tanh(q[:, :, None, :] + k[:, None, :, :])).sum(-1)


@pytest.mark.parametrize("use_scale", [True, False])
def test_additive_attention_matches_numpy_and_torch(float64, use_scale):
    q, v, k = rand(B, TQ, D), rand(B, TV, 2, seed=1), rand(B, TV, D, seed=2)
    v_mask = value_mask()
    layer = layers.AdditiveAttention(use_scale=use_scale)
    layer([q, v, k])
    assert layer.count_params() == (D if use_scale else 0)
    scale = rand(D, seed=3) if use_scale else np.ones(D)
    if use_scale:
        layer.set_weights([scale])
    gq, gv, gk = g64(q), g64(v), g64(k)
    out, weights = layer([gq, gv, gk], mask=[None, v_mask], return_attention_scores=True)
    s = np.where(v_mask[:, None, :], _additive_reference(q, k, scale), -1e9)
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    np.testing.assert_allclose(weights.data, p, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out.data, p @ v, rtol=1e-12)
    tq, tv, tk, t_scale = t64(q), t64(v), t64(k), t64(scale)
    t_out, _ = _torch_attention(tq, tv, tk, lambda a, b: (t_scale * torch.tanh(a[:, :, None] + b[:, None])).sum(-1),
                                v_mask)
    backward_both(out, t_out)
    for a, b in [(gq, tq), (gv, tv), (gk, tk)]:
        close(a.grad, b.grad)
    if use_scale:
        close(layer.scale.grad, t_scale.grad)


@pytest.mark.parametrize("cls, kwargs", [
    (layers.Attention, {}), (layers.Attention, {"use_scale": True}),
    (layers.Attention, {"score_mode": "concat", "use_scale": True}), (layers.AdditiveAttention, {}),
])
def test_attention_layers_pass_finite_differences(float64, cls, kwargs):
    x = rand(2, TQ + TV + TV, D, seed=4)
    layer = cls(**kwargs)
    layer([x[:, :TQ], x[:, TQ:TQ + TV], x[:, TQ + TV:]])
    if layer.weights:  # away from the initial values 1 so that a wrong weight gradient shows
        layer.set_weights([rand(*w.shape, seed=5 + i) for i, w in enumerate(layer.get_weights())])
    check_layer_gradients(SplitInput(layer, [TQ, TV, TV], use_causal_mask=True), x)


def test_query_mask_zeroes_outputs_and_masks_travel_from_embeddings():
    ids = np.array([[3, 1, 4, 0, 0, 0], [5, 9, 2, 6, 5, 0], [2, 0, 0, 0, 0, 0]])
    emb = layers.Embedding(10, D, mask_zero=True)
    x = emb(ids)
    layer = layers.Attention()
    out = layer([x, x])
    mask = ids != 0
    np.testing.assert_array_equal(out._keras_mask, mask)  # the query's mask goes on
    expected = layer([x.data, x.data], mask=[mask, mask])
    np.testing.assert_array_equal(out.data, expected.data)
    assert (out.data[~mask] == 0).all() and (out.data[mask] != 0).any()
    _, weights = layer([x, x], return_attention_scores=True)
    assert weights._keras_mask is None
    assert (weights.data[np.broadcast_to(~mask[:, None, :], weights.shape)] == 0).all()


def test_attention_dropout_only_in_training():
    q = rand(2, TQ, D).astype(np.float32)
    layer = layers.Attention(dropout=0.5, seed=3)
    _, p = layer([q, q], return_attention_scores=True)
    _, p2 = layer([q, q], return_attention_scores=True, training=False)
    np.testing.assert_array_equal(p.data, p2.data)
    _, dropped = layer([q, q], return_attention_scores=True, training=True)
    kept = dropped.data != 0
    assert 0.3 < kept.mean() < 0.7
    np.testing.assert_allclose(dropped.data[kept], 2 * p.data[kept], rtol=1e-6)   # 1 / (1 - rate)


@pytest.mark.parametrize("call, match", [
    (lambda l: l(np.zeros((2, 3, 4))), r"Attention 'att': expected a list of inputs \[query, value\].*\(2, 3, 4\)"),
    (lambda l: l([np.zeros((2, 3, 4))] * 4), "expected a list of inputs"),
    (lambda l: l([np.zeros((2, 4)), np.zeros((2, 3, 4))]), r"query of rank 3.*received shape \(2, 4\)"),
    (lambda l: l([np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), np.zeros((2, 5, 3))]),
     r"query and key must have the same feature size.*\(2, 3, 4\).*\(2, 5, 3\)"),
    (lambda l: l([np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), np.zeros((2, 6, 4))]),
     r"key and value must have the same number of steps.*\(2, 5, 4\).*\(2, 6, 4\)"),
    (lambda l: l([np.zeros((2, 3, 4)), np.zeros((3, 5, 4))]), "same batch size"),
    (lambda l: l([np.zeros((2, 3, 4)), np.zeros((2, 5, 4))], mask=[None, np.ones((2, 3), bool)]),
     r"Attention 'att': expected value_mask of shape \(2, 5\), received shape \(2, 3\)"),
    (lambda l: l([np.zeros((2, 3, 4)), np.zeros((2, 5, 4))], mask=np.ones((2, 3), bool)),
     r"mask to be a list \[query_mask, value_mask\]"),
])
def test_attention_bad_inputs_have_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call(layers.Attention(name="att"))


def test_attention_bad_config_is_refused():
    with pytest.raises(ValueError, match="score_mode 'dot' or 'concat'.*'cosine'"):
        layers.Attention(score_mode="cosine")
    with pytest.raises(ValueError, match=r"AdditiveAttention 'add': expected dropout .* \[0, 1\), received 1.5"):
        layers.AdditiveAttention(dropout=1.5, name="add")


def test_attention_configs_round_trip():
    for layer in (layers.Attention(use_scale=True, score_mode="concat", dropout=0.1, seed=2),
                  layers.AdditiveAttention(use_scale=False, dropout=0.2)):
        config = json.loads(json.dumps(layer.get_config()))
        clone = type(layer).from_config(config)
        assert clone.get_config() == config
        assert layers.get_layer_class(type(layer).__name__) is type(layer)
    assert "score_mode" not in layers.AdditiveAttention().get_config()


# ============================================================================ MultiHeadAttention
N, KD, VD = 2, 3, 4  # heads, key_dim, value_dim


def _torch_mha(weights, q, v, k, keep=None, use_bias=True):
    """Keras-layout weights as explicit torch projections around F.scaled_dot_product_attention."""
    ws = [t64(w) for w in weights]
    if use_bias:
        qk, qb, kk, kb, vk, vb, ok, ob = ws
    else:
        (qk, kk, vk, ok), qb, kb, vb, ob = ws, 0, 0, 0, 0

    def project(x, kernel, bias):
        y = torch.einsum("btd,dnh->bnth", x, kernel)
        return y + bias[None, :, None, :] if use_bias else y
    tq, tv, tk = t64(q), t64(v), t64(k)
    Q, K, V = project(tq, qk, qb), project(tk, kk, kb), project(tv, vk, vb)
    mask = None if keep is None else torch.tensor(keep)[:, None]
    o = F.scaled_dot_product_attention(Q, K, V, attn_mask=mask)     # scale 1/sqrt(key_dim)
    out = torch.einsum("bnth,nhe->bte", o, ok) + ob
    s = (Q @ K.transpose(-1, -2)) / np.sqrt(KD)
    if mask is not None:
        s = s.masked_fill(~mask, -1e9)
    return out, torch.softmax(s, -1), [tq, tv, tk], ws


def _randomize(layer, seed=1):
    layer.set_weights([rand(*w.shape, seed=seed + i, scale=0.5).astype(w.dtype) for i, w in
                       enumerate(layer.get_weights())])


@pytest.mark.parametrize("options", [
    {}, {"attention_mask": True}, {"causal": True}, {"value_mask": True, "causal": True},
    {"use_bias": False}, {"output_shape": 7},
])
def test_multi_head_attention_matches_torch(float64, options):
    dq, dv, dk = 6, 8, 5
    q, v, k = rand(B, TQ, dq), rand(B, TV, dv, seed=1), rand(B, TV, dk, seed=2)
    layer = layers.MultiHeadAttention(N, KD, value_dim=VD, use_bias=options.get("use_bias", True),
                                      output_shape=options.get("output_shape"))
    layer(q, v, k)
    _randomize(layer)
    keep = np.ones((B, TQ, TV), bool)
    kwargs = {}
    if options.get("attention_mask"):
        m = np.random.default_rng(3).random((B, TQ, TV)) > 0.3
        m[:, :, 0] = True
        kwargs["attention_mask"], keep = m, keep & m
    if options.get("value_mask"):
        kwargs["value_mask"] = value_mask()
        keep &= kwargs["value_mask"][:, None, :]
    if options.get("causal"):
        kwargs["use_causal_mask"] = True
        keep &= ops.causal_mask(TQ, TV)[None]
    gq, gv, gk = g64(q), g64(v), g64(k)
    out, scores = layer(gq, gv, gk, return_attention_scores=True, **kwargs)
    t_out, t_scores, t_inputs, t_weights = _torch_mha(layer.get_weights(), q, v, k, keep,
                                                      use_bias=options.get("use_bias", True))
    assert out.shape == (B, TQ, options.get("output_shape", dq)) and scores.shape == (B, N, TQ, TV)
    close(out.data, t_out)
    close(scores.data, t_scores)
    backward_both(out, t_out)
    for a, b in zip([gq, gv, gk], t_inputs):
        close(a.grad, b.grad)
    for p, tw in zip(layer.weights, t_weights):
        assert p.grad is not None, p.name
        close(p.grad, tw.grad)


def test_multi_head_attention_matches_torch_multihead_attention(float64):
    """torch.nn.MultiheadAttention, where its shapes fit Keras's: query and output of size
    num_heads * key_dim, value_dim = key_dim; key and value of other sizes (kdim, vdim)."""
    e, kdim, vdim = N * KD, 5, 7
    q, v, k = rand(B, TQ, e), rand(B, TV, vdim, seed=1), rand(B, TV, kdim, seed=2)
    layer = layers.MultiHeadAttention(N, KD)
    layer(q, v, k)
    _randomize(layer)
    qk, qb, kk, kb, vk, vb, ok, ob = layer.get_weights()
    net = torch.nn.MultiheadAttention(e, N, kdim=kdim, vdim=vdim, batch_first=True).double()
    with torch.no_grad():
        net.q_proj_weight.copy_(torch.tensor(qk.reshape(e, e).T))
        net.k_proj_weight.copy_(torch.tensor(kk.reshape(kdim, e).T))
        net.v_proj_weight.copy_(torch.tensor(vk.reshape(vdim, e).T))
        net.in_proj_bias.copy_(torch.tensor(np.concatenate([qb.ravel(), kb.ravel(), vb.ravel()])))
        net.out_proj.weight.copy_(torch.tensor(ok.reshape(e, e).T))
        net.out_proj.bias.copy_(torch.tensor(ob))
    v_mask = value_mask()
    gq, gv, gk = g64(q), g64(v), g64(k)
    out, scores = layer(gq, gv, gk, value_mask=v_mask, return_attention_scores=True)
    tq, tv, tk = t64(q), t64(v), t64(k)
    t_out, t_scores = net(tq, tk, tv, key_padding_mask=torch.tensor(~v_mask), average_attn_weights=False)
    close(out.data, t_out)
    close(scores.data, t_scores)
    backward_both(out, t_out)
    for a, b in [(gq, tq), (gv, tv), (gk, tk)]:
        close(a.grad, b.grad)
    close(layer.weights[0].grad, net.q_proj_weight.grad.numpy().T.reshape(e, N, KD))
    close(layer.weights[6].grad, net.out_proj.weight.grad.numpy().T.reshape(N, KD, e))


def test_multi_head_attention_passes_finite_differences(float64):
    x = rand(2, TQ + TV + TV, D, seed=4)
    layer = layers.MultiHeadAttention(N, KD, value_dim=VD, output_shape=(2, 3))
    check_layer_gradients(SplitInput(layer, [TQ, TV, TV], multi_head=True, use_causal_mask=True), x)
    assert layer.output_kernel.shape == (N, VD, 2, 3)


def test_multi_head_attention_parameter_count_is_keras_formula():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    out = layer(layers.Input((8, 16)), layers.Input((8, 16)))
    assert out.shape == (None, 8, 16)
    # query, key, value: dim * heads * key_dim + heads * key_dim each; output: heads * value_dim * dim + dim
    assert layer.count_params() == 2 * 16 * 2 * 3 + 3 * 4 + 2 * 2 * 16 + 16 == 284
    layer = layers.MultiHeadAttention(3, 4, value_dim=5, output_shape=7, use_bias=True)
    layer(np.zeros((1, 2, 6), np.float32), np.zeros((1, 3, 9), np.float32), np.zeros((1, 3, 10), np.float32))
    assert [tuple(w.shape) for w in layer.weights] == [(6, 3, 4), (3, 4), (10, 3, 4), (3, 4), (9, 3, 5), (3, 5),
                                                       (3, 5, 7), (7,)]
    assert layer.count_params() == (6 + 10) * 12 + 2 * 12 + 9 * 15 + 15 + 3 * 5 * 7 + 7
    no_bias = layers.MultiHeadAttention(2, 2, use_bias=False)
    no_bias(np.zeros((1, 8, 16), np.float32), np.zeros((1, 8, 16), np.float32))
    assert no_bias.count_params() == 2 * 16 * 2 * 3 + 2 * 2 * 16
    assert [w.name for w in no_bias.weights][0].endswith("/query/kernel")


def test_multi_head_attention_masks_from_embeddings_as_keras():
    ids = np.array([[3, 1, 4, 0, 0], [5, 9, 2, 6, 5], [2, 0, 0, 0, 0]])
    mask = ids != 0
    emb = layers.Embedding(10, 8, mask_zero=True)
    layer = layers.MultiHeadAttention(2, 4)
    x = emb(ids)
    out, scores = layer(x, x, return_attention_scores=True)
    np.testing.assert_array_equal(out._keras_mask, mask)
    assert scores._keras_mask is None
    same = layer(x.data, x.data, attention_mask=mask[:, :, None] & mask[:, None, :])
    np.testing.assert_allclose(out.data, same.data, rtol=1e-6, atol=1e-7)
    assert (scores.data[np.broadcast_to(~mask[:, None, None, :], scores.shape) & mask[:, None, :, None]] == 0).all()
    # a padded query step has every key masked: zero weights, as Keras's Softmax layer gives
    assert not scores.data[2, :, 3].any() and not scores.data[0, :, 4].any()
    np.testing.assert_allclose(scores.data.sum(-1), np.broadcast_to(mask[:, None, :], scores.shape[:3]), rtol=1e-6)


def test_multi_head_attention_broadcast_masks_and_higher_rank_inputs(float64):
    layer = layers.MultiHeadAttention(2, 3)
    q, v = rand(2, 4, 5), rand(2, 6, 5, seed=1)
    causal = ops.causal_mask(4, 6)
    a = layer(q, v, attention_mask=causal).data
    np.testing.assert_allclose(a, layer(q, v, attention_mask=causal[None]).data, rtol=1e-12)
    np.testing.assert_allclose(a, layer(q, v, use_causal_mask=True).data, rtol=1e-12)
    # (batch, 2, 3, dim): attention over both middle axes together = over the 6 flattened steps
    layer4 = layers.MultiHeadAttention(2, 3)
    x4 = rand(2, 2, 3, 5, seed=2)
    out, scores = layer4(x4, x4, return_attention_scores=True)
    layer4_flat = layers.MultiHeadAttention(2, 3)
    layer4_flat(x4.reshape(2, 6, 5), x4.reshape(2, 6, 5))
    layer4_flat.set_weights(layer4.get_weights())
    flat, flat_scores = layer4_flat(x4.reshape(2, 6, 5), x4.reshape(2, 6, 5), return_attention_scores=True)
    assert out.shape == (2, 2, 3, 5) and scores.shape == (2, 2, 2, 3, 2, 3)
    np.testing.assert_allclose(out.data.reshape(2, 6, 5), flat.data, rtol=1e-12)
    np.testing.assert_allclose(scores.data.reshape(2, 2, 6, 6), flat_scores.data, rtol=1e-12)
    layers.MultiHeadAttention(2, 3, attention_axes=(1,))(q, v)  # the default, spelled out
    layers.MultiHeadAttention(2, 3, attention_axes=-2)(q, v)


def test_multi_head_attention_dropout_only_in_training():
    x = rand(2, 5, 8).astype(np.float32)
    layer = layers.MultiHeadAttention(2, 4, dropout=0.5, seed=1)
    a, scores = layer(x, x, return_attention_scores=True)
    np.testing.assert_array_equal(a.data, layer(x, x, training=False).data)
    b, train_scores = layer(x, x, return_attention_scores=True, training=True)
    assert not np.allclose(a.data, b.data)
    np.testing.assert_allclose(train_scores.data, scores.data, rtol=1e-6)  # scores before dropout, as Keras
    assert a.dtype == b.dtype == scores.dtype == np.float32


@pytest.mark.parametrize("call, match", [
    (lambda l: l(np.zeros((2, 3, 4))), "expected layer\\(query, value\\).*no value"),
    (lambda l: l(np.zeros((2, 4)), np.zeros((2, 4))), r"'mha': expected query of rank 3 or more.*\(2, 4\)"),
    (lambda l: l(np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), np.zeros((2, 6, 4))),
     r"all axes of value and key but the last must be equal.*\(2, 5, 4\).*\(2, 6, 4\)"),
    (lambda l: l(np.zeros((2, 3, 4)), np.zeros((2, 5, 4, 1))), "same rank"),
    (lambda l: l(np.zeros((2, 3, 4)), np.zeros((3, 5, 4))), "same batch size"),
    (lambda l: l(np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), attention_mask=np.ones((2, 5, 3), bool)),
     r"'mha': expected attention_mask broadcastable to \(2, 3, 5\), received shape \(2, 5, 3\)"),
    (lambda l: l(np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), value_mask=np.ones((2, 3), bool)),
     r"expected value_mask of shape \(2, 5\), received shape \(2, 3\)"),
    (lambda l: l(np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), query_mask=np.ones((2, 5), bool)),
     r"expected query_mask of shape \(2, 3\)"),
])
def test_multi_head_attention_bad_inputs_have_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call(layers.MultiHeadAttention(2, 3, name="mha"))


def test_multi_head_attention_rejects_a_changed_feature_size_and_unsupported_axes():
    layer = layers.MultiHeadAttention(2, 3, name="mha")
    layer(np.zeros((2, 3, 4), np.float32), np.zeros((2, 5, 4), np.float32))
    with pytest.raises(ValueError, match=r"'mha': expected query with last axis 4.*\(2, 3, 6\)"):
        layer(np.zeros((2, 3, 6), np.float32), np.zeros((2, 5, 4), np.float32))
    with pytest.raises(ValueError, match=r"only attention over all axes.*attention_axes=\(2,\)"):
        layers.MultiHeadAttention(2, 3, attention_axes=2)(np.zeros((1, 2, 3, 4)), np.zeros((1, 2, 3, 4)))
    for bad in ({"num_heads": 0, "key_dim": 2}, {"num_heads": 2, "key_dim": 2.5}, {"num_heads": 2, "key_dim": 2,
                                                                                      "dropout": 1.0}):
        with pytest.raises(ValueError, match="MultiHeadAttention"):
            layers.MultiHeadAttention(**bad)


def test_multi_head_attention_config_and_regularizers():
    layer = layers.MultiHeadAttention(2, 3, value_dim=4, dropout=0.1, use_bias=False, output_shape=(5,),
                                      kernel_initializer="he_normal", kernel_regularizer="l2", seed=3)
    config = json.loads(json.dumps(layer.get_config()))
    assert config["value_dim"] == 4 and config["output_shape"] == [5] and config["attention_axes"] is None
    clone = layers.MultiHeadAttention.from_config(config)
    assert clone.get_config() == config
    layer(np.ones((1, 2, 3), np.float32), np.ones((1, 2, 3), np.float32))
    assert len(layer.losses) == 4  # one l2 penalty per kernel
    assert layers.get_layer_class("MultiHeadAttention") is layers.MultiHeadAttention


def _transformer_block():
    ids = layers.Input((None,), dtype="int32")
    x = layers.Embedding(20, 8, mask_zero=True)(ids)
    h = layers.MultiHeadAttention(2, 4, dropout=0.1)(x, x, use_causal_mask=True)
    h = layers.LayerNormalization()(layers.Add()([x, h]))
    a = layers.Attention(use_scale=True)([h, x])
    b = layers.AdditiveAttention()([h, x, h])
    pooled = layers.GlobalAveragePooling1D()(layers.Concatenate()([a, b]))
    return gn.Model(ids, layers.Dense(3, activation="softmax")(pooled))


def test_attention_layers_train_save_and_load_in_a_functional_model(tmp_path):
    gn.utils.set_random_seed(0)
    model = _transformer_block()
    # SGD: Adam, RMSprop and Adagrad fail on 0-d weights such as Attention's scale (reported)
    model.compile(optimizer=gn.optimizers.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy")
    ids = np.random.default_rng(0).integers(1, 20, (16, 7))
    ids[::2, 5:] = 0
    y = np.random.default_rng(1).integers(0, 3, 16)
    before = model.get_weights()
    model.fit(ids, y, epochs=2, batch_size=8, verbose=0)
    changed = [not np.array_equal(b, a) for b, a in zip(before, model.get_weights())]
    assert all(changed), [p.name for p, c in zip(model.weights, changed) if not c]
    model.save(tmp_path / "att.glassnet")
    loaded = gn.load_model(tmp_path / "att.glassnet")
    np.testing.assert_array_equal(model.predict(ids, verbose=0), loaded.predict(ids, verbose=0))
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in model.layers]


def test_symbolic_calls_give_the_scores_shape():
    q, v = layers.Input((4, 6)), layers.Input((7, 5))
    out, scores = layers.MultiHeadAttention(3, 2)(q, v, return_attention_scores=True)
    assert out.shape == (None, 4, 6) and scores.shape == (None, 3, 4, 7)
    out, weights = layers.Attention()([q, layers.Input((7, 6))], return_attention_scores=True)
    assert out.shape == (None, 4, 6) and weights.shape == (None, 4, 7)


def test_attention_layers_run_on_the_device():
    """Masks, causal masks and dropout draws stay where the data lives (the CuPy seam)."""
    from device_double import DeviceArray, on_fake_device, to_device
    x = rand(2, 5, 8).astype(np.float32)
    v_mask = value_mask(2, 5)

    def run(on_device):
        gn.backend.clear_session()
        gn.backend.set_seed(0)
        mha, att = layers.MultiHeadAttention(2, 4, dropout=0.2, seed=1), layers.Attention(dropout=0.2, seed=2)
        mha(x, x)
        place = to_device if on_device else (lambda a: a)
        for p in mha.weights:
            p.data = place(p.data)
        xt = Tensor(place(x), requires_grad=True)
        h = mha(xt, xt, query_mask=place(v_mask), value_mask=place(v_mask), use_causal_mask=True, training=True)
        out = att([h, xt], mask=[None, place(v_mask)], use_causal_mask=True, training=True)
        out.sum().backward()
        grads = [xt.grad] + [p.grad for p in mha.weights]
        if on_device:
            assert type(out.data) is DeviceArray and all(type(g) is DeviceArray for g in grads)
            grads = [g.get() for g in grads]
        return grads

    host = run(False)
    with on_fake_device():
        device = run(True)
    for h, d in zip(host, device):
        np.testing.assert_allclose(d, h, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("module", ["glassnet.ops.attention", "glassnet.layers.attention",
                                    "glassnet.layers.attention.attention",
                                    "glassnet.layers.attention.multi_head_attention"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    failed, attempted = doctest.testmod(importlib.import_module(module))
    assert attempted > 0 and failed == 0


def test_ops_and_layers_keep_float32_forward_and_backward():
    """No silent float64: every attention op returns float32 values and float32 input gradients."""
    from glassnet.ops.attention import AdditiveScores, MaskedSoftmax
    q, k = rand(2, 3, 4).astype(np.float32), rand(2, 5, 4, seed=1).astype(np.float32)
    g = np.ones((2, 3, 5), np.float32)
    for fn, args in [(MaskedSoftmax(value_mask(2, 5)[:, None, :]), (q @ k.transpose(0, 2, 1),)),
                     (AdditiveScores(), (q, k)), (AdditiveScores(), (q, k, np.float32(0.5) * np.ones(4, np.float32))),
                     (AdditiveScores(), (q, k, np.array(0.5, np.float32)))]:
        fn.needs_input_grad = [True] * len(args)
        assert fn.forward(*args).dtype == np.float32
        assert all(grad.dtype == np.float32 for grad in fn.backward(g)), type(fn).__name__
    layer = layers.MultiHeadAttention(2, 3)
    layer.build((None, 3, 4), (None, 5, 4))
    assert layer.output_shape == (None, 3, 4)
    x = Tensor(q, requires_grad=True)
    out = layer(x, k, use_causal_mask=True)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == np.float32


# ============================================================================ Keras itself
def _keras():
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported: no TensorFlow here
    return pytest.importorskip("keras")


def _keras_twins(keras, make, ids_len=5, dim=8):
    """The same model (Embedding with mask_zero, then ``make(lib, x)``) in Keras and glassnet,
    holding Keras's (perturbed) weights."""
    ki = keras.Input((ids_len,), dtype="int32")
    k_model = keras.Model(ki, make(keras, keras.layers.Embedding(10, dim, mask_zero=True)(ki)))
    rng = np.random.default_rng(1)
    k_model.set_weights([w + 0.3 * rng.standard_normal(w.shape).astype(w.dtype) for w in k_model.get_weights()])
    gi = layers.Input((ids_len,), dtype="int32")
    g_model = gn.Model(gi, make(gn, layers.Embedding(10, dim, mask_zero=True)(gi)))
    assert [w.shape for w in g_model.get_weights()] == [tuple(w.shape) for w in k_model.get_weights()]
    g_model.set_weights(k_model.get_weights())
    return k_model, g_model


IDS = np.array([[3, 1, 4, 0, 0], [5, 9, 2, 6, 5], [2, 0, 0, 0, 0]])   # post-padded: masks from mask_zero


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name, kwargs", [("Attention", {}), ("Attention", {"use_scale": True, "score_mode": "concat"}),
                                          ("AdditiveAttention", {}), ("MultiHeadAttention", {}),
                                          ("MultiHeadAttention", {"value_dim": 3, "output_shape": 5})])
@pytest.mark.parametrize("causal", [False, True])
def test_attention_layers_equal_keras_with_masks(name, kwargs, causal):
    keras = _keras()

    def make(lib, x):
        if name == "MultiHeadAttention":
            layer = lib.layers.MultiHeadAttention(2, 4, **kwargs)
            return list(layer(x, x, return_attention_scores=True, use_causal_mask=causal))
        return list(getattr(lib.layers, name)(**kwargs)([x, x], return_attention_scores=True, use_causal_mask=causal))
    k_model, g_model = _keras_twins(keras, make)
    k_layer, g_layer = k_model.layers[-1], g_model.layers[-1]
    assert g_layer.count_params() == k_layer.count_params()
    assert [w.name.split("/", 1)[1] for w in g_layer.weights] == [w.path.split("/", 1)[1] for w in k_layer.weights]
    for k_out, g_out in zip(k_model(IDS), g_model(IDS)):
        np.testing.assert_allclose(g_out.data, keras.ops.convert_to_numpy(k_out), rtol=1e-5, atol=2e-6)
    if name == "MultiHeadAttention":  # Keras's fused path (no scores returned) agrees on the real steps
        k_plain = keras.Model(k_model.input, k_layer(k_model.layers[1].output, k_model.layers[1].output,
                                                     use_causal_mask=causal))
        real = IDS != 0
        np.testing.assert_allclose(g_model(IDS)[0].data[real], keras.ops.convert_to_numpy(k_plain(IDS))[real],
                                   rtol=1e-5, atol=2e-6)
