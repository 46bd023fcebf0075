"""The fused recurrent ops (``glassnet.ops.recurrent``): simple_rnn, lstm, gru.

- against PyTorch in float64 (torch.nn.RNN / LSTM / GRU, Keras layouts mapped to torch's):
  sequences, final states, and the gradients of every input for a random-weighted sum;
- against a plain NumPy loop written here (every fused activation, GRU without reset_after,
  which torch lacks, masks with Keras's "repeat the previous output");
- masks: a padded batch gives what each unpadded sample gives alone, values and gradients;
- finite differences (``check_gradients``), float32 in and out, and the errors for bad input.
"""
from __future__ import annotations

import numpy as np
import pytest

from glassnet import Tensor, ops
from glassnet.ops.recurrent import FUSED_ACTIVATIONS
from glassnet.testing import check_gradients

torch = pytest.importorskip("torch")

GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


# --------------------------------------------------------------------------- inputs
def _weights(op, f, u, seed=0, bias=True, reset_after=True, scale=0.5):
    """kernel, recurrent kernel and bias (or None) in Keras's layouts."""
    rng = np.random.default_rng(seed)
    n = GATES[op]
    kernel = rng.standard_normal((f, n * u)) * scale
    recurrent = rng.standard_normal((u, n * u)) * scale
    b = None
    if bias:
        b = rng.standard_normal((2, 3 * u) if op == "gru" and reset_after else (n * u,)) * scale
    return kernel, recurrent, b


def _states(op, b, u, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((b, u)) * 0.5 for _ in range(2 if op == "lstm" else 1)]


def _call(op, x, kernel, recurrent, bias, states, **kw):
    """The op on tensors; returns its outputs as a list (sequence, h[, c])."""
    fn = {"simple_rnn": ops.simple_rnn, "lstm": ops.lstm, "gru": ops.gru}[op]
    return list(fn(x, kernel, recurrent, bias, *states, **kw))


def _tensors(arrays, dtype=np.float64):
    return [None if a is None else Tensor(a, requires_grad=True, dtype=dtype) for a in arrays]


def _output_weights(shapes, seed=7):
    """Random weights for a weighted sum of outputs of these shapes (the same for both sides)."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(tuple(s)) for s in shapes]


# --------------------------------------------------------------------------- PyTorch reference
def _gate_blocks(a, u, order):
    """Reorder the gate blocks of ``a`` along its first axis."""
    return np.concatenate([a[k * u:(k + 1) * u] for k in order])


def _torch_module(op, f, u, kernel, recurrent, bias, activation):
    """torch's RNN/LSTM/GRU with the Keras weights: weight_ih = kernel^T (blocks reordered for
    the GRU: Keras z, r, h vs torch r, z, n), the Keras bias in bias_ih (GRU reset_after: row 0
    in bias_ih, row 1 in bias_hh)."""
    if op == "simple_rnn":
        m = torch.nn.RNN(f, u, batch_first=True, nonlinearity=activation, dtype=torch.float64)
        order = [0]
    elif op == "lstm":
        m = torch.nn.LSTM(f, u, batch_first=True, dtype=torch.float64)  # i, f, g, o = Keras i, f, c, o
        order = [0, 1, 2, 3]
    else:
        m = torch.nn.GRU(f, u, batch_first=True, dtype=torch.float64)
        order = [1, 0, 2]
    if bias is None:
        b_ih = b_hh = np.zeros(len(order) * u)
    elif op == "gru":
        b_ih, b_hh = bias[0], bias[1]
    else:
        b_ih, b_hh = bias, np.zeros_like(bias)
    with torch.no_grad():
        m.weight_ih_l0.copy_(torch.tensor(_gate_blocks(kernel.T, u, order)))
        m.weight_hh_l0.copy_(torch.tensor(_gate_blocks(recurrent.T, u, order)))
        m.bias_ih_l0.copy_(torch.tensor(_gate_blocks(b_ih, u, order)))
        m.bias_hh_l0.copy_(torch.tensor(_gate_blocks(b_hh, u, order)))
    return m, order


def _torch_run(op, x, kernel, recurrent, bias, states, go_backwards=False, activation="tanh", states_only=False):
    """Outputs and gradients (x, kernel, recurrent, bias, states) from torch, in Keras layouts,
    for a random-weighted sum of the outputs (of the final states alone with ``states_only``)."""
    f, u = kernel.shape[0], recurrent.shape[0]
    m, order = _torch_module(op, f, u, kernel, recurrent, bias, activation)
    xt = torch.tensor(x, requires_grad=True)
    st = [torch.tensor(s[None], requires_grad=True) for s in states]
    seq, final = m(torch.flip(xt, [1]) if go_backwards else xt, tuple(st) if op == "lstm" else st[0])
    outs = [seq] + ([final[0][0], final[1][0]] if op == "lstm" else [final[0]])
    weights = _output_weights([o.shape for o in outs])
    if states_only:
        weights[0] = np.zeros_like(weights[0])
    loss = sum((o * torch.tensor(w)).sum() for o, w in zip(outs, weights))
    loss.backward()
    inverse = list(np.argsort(order))
    grads = {"x": xt.grad.numpy(),
             "kernel": _gate_blocks(m.weight_ih_l0.grad.numpy(), u, inverse).T,
             "recurrent": _gate_blocks(m.weight_hh_l0.grad.numpy(), u, inverse).T,
             "states": [s.grad.numpy()[0] for s in st]}
    g_ih = _gate_blocks(m.bias_ih_l0.grad.numpy(), u, inverse)
    g_hh = _gate_blocks(m.bias_hh_l0.grad.numpy(), u, inverse)
    grads["bias"] = np.stack([g_ih, g_hh]) if op == "gru" else g_ih  # Keras's bias fed both
    return [o.detach().numpy() for o in outs], grads, weights


def _glassnet_run(op, x, kernel, recurrent, bias, states, weights, dtype=np.float64, **kw):
    tx, tk, tr, tb, *ts = _tensors([x, kernel, recurrent, bias, *states], dtype)
    outs = _call(op, tx, tk, tr, tb, ts, **kw)
    loss = None
    for o, w in zip(outs, weights):
        term = (o * Tensor(w, dtype=dtype)).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    grads = {"x": tx.grad, "kernel": tk.grad, "recurrent": tr.grad,
             "bias": None if tb is None else tb.grad, "states": [t.grad for t in ts]}
    return [o.data for o in outs], grads


TORCH_CASES = [
    # op, batch, time, features, units, go_backwards, bias
    (op, *case) for op in GATES for case in [
        (1, 1, 2, 3, False, True), (3, 7, 4, 5, False, True), (3, 7, 4, 5, True, True),
        (2, 5, 6, 2, False, False), (3, 6, 1, 4, True, True)]
]


@pytest.mark.parametrize("op, b, t, f, u, backwards, with_bias", TORCH_CASES,
                         ids=[f"{c[0]}-b{c[1]}t{c[2]}f{c[3]}u{c[4]}{'-back' if c[5] else ''}"
                              f"{'' if c[6] else '-nobias'}" for c in TORCH_CASES])
def test_against_torch(op, b, t, f, u, backwards, with_bias):
    x = np.random.default_rng(3).standard_normal((b, t, f))
    kernel, recurrent, bias = _weights(op, f, u, bias=with_bias)
    states = _states(op, b, u)
    t_outs, t_grads, weights = _torch_run(op, x, kernel, recurrent, bias, states, backwards)
    g_outs, g_grads = _glassnet_run(op, x, kernel, recurrent, bias, states, weights, go_backwards=backwards)
    for name, g, ref in zip(["sequence", "last_h", "last_c"], g_outs, t_outs):
        assert g.shape == ref.shape, name
        np.testing.assert_allclose(g, ref, rtol=1e-10, atol=1e-12, err_msg=name)
    for name in ["x", "kernel", "recurrent"] + (["bias"] if with_bias else []):
        np.testing.assert_allclose(g_grads[name], t_grads[name], rtol=1e-9, atol=1e-11, err_msg=name)
    for g, ref in zip(g_grads["states"], t_grads["states"]):
        np.testing.assert_allclose(g, ref, rtol=1e-9, atol=1e-11, err_msg="initial state")


@pytest.mark.parametrize("op", list(GATES))
@pytest.mark.parametrize("backwards", [False, True])
def test_many_features_take_the_projection_before_the_loop(op, backwards, monkeypatch):
    """With more input columns than FOLD_MAX_COLUMNS, x K + b of all steps is one product
    before the loop instead of riding in each step's product: same results."""
    from glassnet.ops.recurrent import _base
    monkeypatch.setattr(_base, "FOLD_MAX_COLUMNS", 0)
    x = np.random.default_rng(3).standard_normal((3, 6, 4))
    for with_bias in (True, False):
        kernel, recurrent_w, bias = _weights(op, 4, 5, bias=with_bias)
        states = _states(op, 3, 5)
        t_outs, t_grads, weights = _torch_run(op, x, kernel, recurrent_w, bias, states, backwards)
        g_outs, g_grads = _glassnet_run(op, x, kernel, recurrent_w, bias, states, weights, go_backwards=backwards)
        for g, ref in zip(g_outs, t_outs):
            np.testing.assert_allclose(g, ref, rtol=1e-10, atol=1e-12)
        for name in ["x", "kernel", "recurrent"] + (["bias"] if with_bias else []):
            np.testing.assert_allclose(g_grads[name], t_grads[name], rtol=1e-9, atol=1e-11, err_msg=name)
    if op == "gru":
        x, mask, _ = _padded([2, 5, 4], 5, pre=False, f=2)
        kernel, recurrent_w, bias = _weights(op, 2, 3, reset_after=False)
        kw = {"mask": mask, "reset_after": False, "go_backwards": backwards}
        states = _states(op, 3, 3)
        check_gradients(lambda *a: _flat(_call(op, *a[:4], a[4:], **kw)), [x, kernel, recurrent_w, bias, *states])


@pytest.mark.parametrize("steps_per_chunk", [1, 3])
def test_lstm_backward_in_chunks_of_steps(steps_per_chunk, monkeypatch):
    """The LSTM's backward computes its factors a chunk of steps at a time (CHUNK_VALUES): any
    chunk size, dividing the sequence or not, gives the same gradients."""
    from glassnet.ops.recurrent import _lstm
    x, mask, _ = _padded([7, 4, 6], 7, pre=True, f=3)
    kernel, recurrent_w, bias = _weights("lstm", 3, 4)
    states = _states("lstm", 3, 4)
    results = []
    for chunk_values in (_lstm.CHUNK_VALUES, steps_per_chunk * 4 * 4 * 3):
        monkeypatch.setattr(_lstm, "CHUNK_VALUES", chunk_values)
        for backwards in (False, True):
            weights = _output_weights([(3, 7, 4), (3, 4), (3, 4)])
            results.append(_glassnet_run("lstm", x, kernel, recurrent_w, bias, states, weights,
                                         mask=mask, go_backwards=backwards)[1])
    for whole, chunked in zip(results[:2], results[2:]):
        for name in ["x", "kernel", "recurrent", "bias"]:
            np.testing.assert_allclose(chunked[name], whole[name], rtol=1e-12, atol=1e-14, err_msg=name)
        for a, b in zip(chunked["states"], whole["states"]):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("op", list(GATES))
def test_gradients_of_the_final_states_alone_against_torch(op):
    """A layer without return_sequences sends zeros for the sequence; the op skips them."""
    x = np.random.default_rng(3).standard_normal((3, 7, 4))
    kernel, recurrent, bias = _weights(op, 4, 5)
    states = _states(op, 3, 5)
    t_outs, t_grads, weights = _torch_run(op, x, kernel, recurrent, bias, states, states_only=True)
    _, g_grads = _glassnet_run(op, x, kernel, recurrent, bias, states, weights)
    for name in ["x", "kernel", "recurrent", "bias"]:
        np.testing.assert_allclose(g_grads[name], t_grads[name], rtol=1e-9, atol=1e-11, err_msg=name)
    for g, ref in zip(g_grads["states"], t_grads["states"]):
        np.testing.assert_allclose(g, ref, rtol=1e-9, atol=1e-11)
    # with a mask, against finite differences
    x, mask, _ = _padded([2, 5, 4], 5, pre=True, f=2)
    kernel, recurrent, bias = _weights(op, 2, 3)
    states = _states(op, 3, 3)
    check_gradients(lambda *a: _flat(_call(op, *a[:4], a[4:], mask=mask)[1:]), [x, kernel, recurrent, bias, *states])


def test_simple_rnn_relu_against_torch():
    x = np.random.default_rng(3).standard_normal((3, 6, 4))
    kernel, recurrent, bias = _weights("simple_rnn", 4, 5, scale=0.3)
    states = _states("simple_rnn", 3, 5)
    t_outs, t_grads, weights = _torch_run("simple_rnn", x, kernel, recurrent, bias, states, activation="relu")
    g_outs, g_grads = _glassnet_run("simple_rnn", x, kernel, recurrent, bias, states, weights, activation="relu")
    for g, ref in zip(g_outs, t_outs):
        np.testing.assert_allclose(g, ref, rtol=1e-10, atol=1e-12)
    for name in ["x", "kernel", "recurrent", "bias"]:
        np.testing.assert_allclose(g_grads[name], t_grads[name], rtol=1e-9, atol=1e-11, err_msg=name)


# --------------------------------------------------------------------------- NumPy reference
def _act(name, v):
    return {"tanh": np.tanh, "sigmoid": lambda a: 1 / (1 + np.exp(-a)), "relu": lambda a: np.maximum(a, 0),
            "linear": lambda a: a, "hard_sigmoid": lambda a: np.clip(a / 6 + 0.5, 0, 1)}[name](v)


def _reference(op, x, kernel, recurrent, bias, states, mask=None, activation="tanh",
               recurrent_activation="sigmoid", reset_after=True, go_backwards=False,
               zero_output_for_mask=False):
    """The Keras cell, one step at a time in plain NumPy, with Keras's masking: a masked step
    keeps the states and repeats the previous output (zeros before any real step)."""
    b, t, _ = x.shape
    u = recurrent.shape[0]
    a = lambda v: _act(activation, v)             # noqa: E731
    s = lambda v: _act(recurrent_activation, v)   # noqa: E731
    h = states[0].copy()
    c = states[1].copy() if op == "lstm" else None
    mask = np.ones((b, t), bool) if mask is None else np.asarray(mask, bool)
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    outputs, previous = [], np.zeros((b, u))
    for step in steps:
        xt, m = x[:, step], mask[:, step][:, None]
        if op == "simple_rnn":
            new_h = a(xt @ kernel + h @ recurrent + (0 if bias is None else bias))
            new_c = None
        elif op == "lstm":
            z = xt @ kernel + h @ recurrent + (0 if bias is None else bias)
            i, f, cc, o = s(z[:, :u]), s(z[:, u:2 * u]), a(z[:, 2 * u:3 * u]), s(z[:, 3 * u:])
            new_c = f * c + i * cc
            new_h = o * a(new_c)
        else:
            if reset_after:
                b_in, b_rec = (0, 0) if bias is None else (bias[0], bias[1])
                xz, rz = xt @ kernel + b_in, h @ recurrent + b_rec
                z, r = s(xz[:, :u] + rz[:, :u]), s(xz[:, u:2 * u] + rz[:, u:2 * u])
                hh = a(xz[:, 2 * u:] + r * rz[:, 2 * u:])
            else:
                xz = xt @ kernel + (0 if bias is None else bias)
                rz = h @ recurrent[:, :2 * u]
                z, r = s(xz[:, :u] + rz[:, :u]), s(xz[:, u:2 * u] + rz[:, u:])
                hh = a(xz[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
            new_h = z * h + (1 - z) * hh
            new_c = None
        h = np.where(m, new_h, h)
        if c is not None:
            c = np.where(m, new_c, c)
        out = np.where(m, new_h, 0.0 if zero_output_for_mask else previous)
        outputs.append(out)
        previous = out
    return [np.stack(outputs, axis=1), h] + ([c] if c is not None else [])


ACTIVATION_PAIRS = [("tanh", "sigmoid"), ("relu", "hard_sigmoid"), ("sigmoid", "tanh"),
                    ("linear", "sigmoid"), ("hard_sigmoid", "relu")]


@pytest.mark.parametrize("op", list(GATES))
@pytest.mark.parametrize("activation, recurrent_activation", ACTIVATION_PAIRS)
def test_every_fused_activation_against_the_numpy_loop(op, activation, recurrent_activation):
    assert {a for pair in ACTIVATION_PAIRS for a in pair} == FUSED_ACTIVATIONS
    x = np.random.default_rng(3).standard_normal((3, 6, 4))
    kernel, recurrent, bias = _weights(op, 4, 5, scale=0.4)
    states = _states(op, 3, 5)
    kw = {"activation": activation}
    if op != "simple_rnn":
        kw["recurrent_activation"] = recurrent_activation
    expected = _reference(op, x, kernel, recurrent, bias, states, **kw)
    got = _call(op, *_tensors([x, kernel, recurrent, bias]), _tensors(states), **kw)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.data, e, rtol=1e-10, atol=1e-12)
    check_gradients(lambda *a: _flat(_call(op, *a[:4], a[4:], **kw)), [x, kernel, recurrent, bias, *states])


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("backwards", [False, True])
def test_gru_without_reset_after(with_bias, backwards):
    x = np.random.default_rng(3).standard_normal((3, 6, 4))
    kernel, recurrent, bias = _weights("gru", 4, 5, bias=with_bias, reset_after=False)
    states = _states("gru", 3, 5)
    kw = {"reset_after": False, "go_backwards": backwards}
    expected = _reference("gru", x, kernel, recurrent, bias, states, **kw)
    got = _call("gru", *_tensors([x, kernel, recurrent, bias]), _tensors(states), **kw)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.data, e, rtol=1e-10, atol=1e-12)
    arrays = [x, kernel, recurrent] + ([bias] if with_bias else []) + states

    def fn(*a):
        b = a[3] if with_bias else None
        return _flat(_call("gru", a[0], a[1], a[2], b, a[3 + with_bias:], **kw))
    check_gradients(fn, arrays)


# --------------------------------------------------------------------------- masks
def _flat(outputs):
    """All outputs in one (batch, -1) tensor, for check_gradients."""
    b = outputs[0].shape[0]
    return ops.concatenate([o.reshape((b, -1)) for o in outputs], axis=1)


def _padded(lengths, t, pre, seed=5, f=3):
    """A batch of sequences of the given lengths, zero-padded before (pre) or after them."""
    rng = np.random.default_rng(seed)
    x = np.zeros((len(lengths), t, f))
    mask = np.zeros((len(lengths), t), bool)
    pieces = []
    for i, n in enumerate(lengths):
        piece = rng.standard_normal((n, f))
        pieces.append(piece)
        where = slice(t - n, t) if pre else slice(0, n)
        x[i, where], mask[i, where] = piece, True
    return x, mask, pieces


@pytest.mark.parametrize("op", list(GATES))
@pytest.mark.parametrize("pre", [True, False], ids=["pre", "post"])
@pytest.mark.parametrize("backwards", [False, True])
def test_a_masked_batch_equals_each_sample_alone(op, pre, backwards):
    lengths, t, f, u = [4, 7, 1], 7, 3, 5
    x, mask, pieces = _padded(lengths, t, pre, f=f)
    kernel, recurrent, bias = _weights(op, f, u)
    states = _states(op, len(lengths), u)
    rng = np.random.default_rng(11)
    w_last = [rng.standard_normal((len(lengths), u)) for _ in states]
    w_seq = rng.standard_normal((len(lengths), t, u)) * mask[:, :, None]   # only the real steps

    # the padded batch
    tx, tk, tr, tb, *ts = _tensors([x, kernel, recurrent, bias, *states])
    seq, *last = _call(op, tx, tk, tr, tb, ts, mask=mask, go_backwards=backwards)
    w_seq_processing = w_seq[:, ::-1] if backwards else w_seq   # the sequence is in processing order
    loss = (seq * Tensor(w_seq_processing, dtype=np.float64)).sum()
    for o, w in zip(last, w_last):
        loss = loss + (o * Tensor(w, dtype=np.float64)).sum()
    loss.backward()

    # each sample alone, unpadded
    totals = {"kernel": 0, "recurrent": 0, "bias": 0}
    for i, (n, piece) in enumerate(zip(lengths, pieces)):
        where = slice(t - n, t) if pre else slice(0, n)
        sx, sk, sr, sb, *ss = _tensors([piece[None], kernel, recurrent, bias, *[s[i:i + 1] for s in states]])
        s_seq, *s_last = _call(op, sx, sk, sr, sb, ss, go_backwards=backwards)
        for o, ref in zip(last, s_last):
            np.testing.assert_allclose(o.data[i], ref.data[0], rtol=1e-10, atol=1e-12)
        real = np.flatnonzero(mask[i][::-1] if backwards else mask[i])   # processing-order positions
        np.testing.assert_allclose(seq.data[i, real], s_seq.data[0], rtol=1e-10, atol=1e-12)
        s_w = w_seq[i, where][None]
        s_loss = (s_seq * Tensor(s_w[:, ::-1] if backwards else s_w, dtype=np.float64)).sum()
        for o, w in zip(s_last, w_last):
            s_loss = s_loss + (o * Tensor(w[i:i + 1], dtype=np.float64)).sum()
        s_loss.backward()
        np.testing.assert_allclose(tx.grad[i, where], sx.grad[0], rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(np.delete(tx.grad[i], np.arange(t)[where], axis=0), 0.0, atol=0)
        for s_full, s_one in zip(ts, ss):
            np.testing.assert_allclose(s_full.grad[i], s_one.grad[0], rtol=1e-9, atol=1e-11)
        for name, tensor in zip(totals, (sk, sr, sb)):
            totals[name] = totals[name] + tensor.grad
    for name, tensor in zip(totals, (tk, tr, tb)):
        np.testing.assert_allclose(tensor.grad, totals[name], rtol=1e-9, atol=1e-11, err_msg=name)


@pytest.mark.parametrize("op", list(GATES))
@pytest.mark.parametrize("zero_output", [False, True])
def test_masked_steps_repeat_the_last_output_as_keras_or_give_zeros(op, zero_output):
    x, mask, _ = _padded([3, 5], 6, pre=True)
    mask[0, 4] = False                      # a gap inside the first sequence too
    kernel, recurrent, bias = _weights(op, 3, 4)
    states = _states(op, 2, 4)
    kw = {"mask": mask, "zero_output_for_mask": zero_output}
    seq, *_ = _call(op, *_tensors([x, kernel, recurrent, bias]), _tensors(states), **kw)
    expected = _reference(op, x, kernel, recurrent, bias, states, **kw)
    np.testing.assert_allclose(seq.data, expected[0], rtol=1e-10, atol=1e-12)
    assert np.all(seq.data[0, :3] == 0) and np.all(seq.data[1, :1] == 0)   # before any real step
    if zero_output:
        assert np.all(seq.data[0, 4] == 0)
    else:
        np.testing.assert_array_equal(seq.data[0, 4], seq.data[0, 3])


@pytest.mark.parametrize("op", list(GATES))
@pytest.mark.parametrize("backwards", [False, True])
@pytest.mark.parametrize("zero_output", [False, True])
def test_finite_differences_with_a_mask(op, backwards, zero_output):
    x, mask, _ = _padded([2, 5, 4], 5, pre=False, f=2)
    mask[2, 1] = False
    kernel, recurrent, bias = _weights(op, 2, 3)
    states = _states(op, 3, 3)
    kw = {"mask": mask, "go_backwards": backwards, "zero_output_for_mask": zero_output}
    expected = _reference(op, x, kernel, recurrent, bias, states, **kw)
    got = _call(op, *_tensors([x, kernel, recurrent, bias]), _tensors(states), **kw)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.data, e, rtol=1e-10, atol=1e-12)
    check_gradients(lambda *a: _flat(_call(op, *a[:4], a[4:], **kw)), [x, kernel, recurrent, bias, *states])


@pytest.mark.parametrize("op", list(GATES))
def test_finite_differences_without_mask(op):
    x = np.random.default_rng(2).standard_normal((2, 4, 3))
    kernel, recurrent, bias = _weights(op, 3, 2)
    states = _states(op, 2, 2)
    for backwards in (False, True):
        check_gradients(lambda *a: _flat(_call(op, *a[:4], a[4:], go_backwards=backwards)),
                        [x, kernel, recurrent, bias, *states])


@pytest.mark.parametrize("op", list(GATES))
def test_the_mask_may_be_a_tensor_or_numbers(op):
    x, mask, _ = _padded([2, 4], 4, pre=True)
    kernel, recurrent, bias = _weights(op, 3, 2)
    states = _states(op, 2, 2)
    args = (*_tensors([x, kernel, recurrent, bias]), _tensors(states))
    reference = _call(op, *args, mask=mask)[1].data
    for m in (Tensor(mask), mask.astype(np.int64), mask.astype(np.float32)):
        np.testing.assert_array_equal(_call(op, *args, mask=m)[1].data, reference)


# --------------------------------------------------------------------------- dtypes, partial grads
@pytest.mark.parametrize("op", list(GATES))
def test_float32_in_float32_out_and_gradients(op):
    x = np.random.default_rng(3).standard_normal((3, 6, 4))
    kernel, recurrent, bias = _weights(op, 4, 5)
    states = _states(op, 3, 5)
    _, mask, _ = _padded([6, 3, 5], 6, pre=True)
    arrays = [x, kernel, recurrent, bias, *states]
    t32 = _tensors(arrays, np.float32)
    t64 = _tensors(arrays, np.float64)
    for tensors in (t32, t64):
        outs = _call(op, *tensors[:4], tensors[4:], mask=mask)
        loss = None
        for o, w in zip(outs, _output_weights([o.shape for o in outs])):
            term = (o * Tensor(w, dtype=o.dtype)).sum()
            loss = term if loss is None else loss + term
        loss.backward()
        if tensors is t32:
            outs32 = outs
    for o32, o64 in zip(outs32, outs):
        assert o32.dtype == np.float32
        np.testing.assert_allclose(o32.data, o64.data, rtol=1e-4, atol=1e-5)
    for a, b in zip(t32, t64):
        assert a.grad.dtype == np.float32
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("op", list(GATES))
def test_only_the_inputs_that_need_gradients_get_them(op):
    x = np.random.default_rng(3).standard_normal((2, 5, 3))
    kernel, recurrent, bias = _weights(op, 3, 4)
    states = _states(op, 2, 4)
    tk, tr = _tensors([kernel, recurrent])
    outs = _call(op, Tensor(x, dtype=np.float64), tk, tr, Tensor(bias, dtype=np.float64),
                 [Tensor(s, dtype=np.float64) for s in states])
    outs[1].sum().backward()
    full = _tensors([x, kernel, recurrent, bias, *states])
    _call(op, *full[:4], full[4:])[1].sum().backward()
    np.testing.assert_allclose(tk.grad, full[1].grad, rtol=1e-12)
    np.testing.assert_allclose(tr.grad, full[2].grad, rtol=1e-12)


def test_one_node_in_the_graph_per_call():
    x = Tensor(np.ones((2, 30, 3)), requires_grad=True)
    kernel, recurrent, bias = _weights("lstm", 3, 4)
    seq, h, c = ops.lstm(x, kernel, recurrent, bias, np.zeros((2, 4)), np.zeros((2, 4)))
    assert h._ctx.inputs[0] is seq._ctx.inputs[0]      # both slices of one packed output
    assert type(h._ctx.inputs[0]._ctx).__name__ == "LSTM"


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("op", list(GATES))
def test_errors_name_the_op_and_the_expected_and_received_shapes(op):
    n = GATES[op]
    x = np.zeros((2, 5, 3), np.float32)
    kernel, recurrent, bias = (np.zeros(s, np.float32) for s in ((3, n * 4), (4, n * 4),
                                                                  (2, 12) if op == "gru" else (n * 4,)))
    states = [np.zeros((2, 4), np.float32)] * (2 if op == "lstm" else 1)

    def call(**change):
        a = {"x": x, "kernel": kernel, "recurrent": recurrent, "bias": bias, "states": states, **change}
        mask = change.get("mask")
        return _call(op, a["x"], a["kernel"], a["recurrent"], a["bias"], a["states"], mask=mask)

    with pytest.raises(ValueError, match=rf"{op}: expected kernel of shape .*\(3, {n * 4}\), received \(3, 5\)"):
        call(kernel=np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match=rf"{op}: expected kernel .* received \(2, {n * 4}\)"):
        call(kernel=np.zeros((2, n * 4), np.float32))
    with pytest.raises(ValueError, match=rf"{op}: expected recurrent_kernel of shape \(units, {n} \* units\), "
                                         rf"received \(4, 7\)"):
        call(recurrent=np.zeros((4, 7), np.float32))
    with pytest.raises(ValueError, match=rf"{op}: expected bias of shape .*received \(3,\)"):
        call(bias=np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=rf"{op}: expected mask of shape \(batch, time\) = \(2, 5\), "
                                         rf"received \(2, 4\)"):
        call(mask=np.ones((2, 4), bool))
    bad_states = [np.zeros((3, 4), np.float32)] + states[1:]
    with pytest.raises(ValueError, match=rf"{op}: expected initial_(state|h) of shape \(batch, units\) = "
                                         rf"\(2, 4\), received \(3, 4\)"):
        call(states=bad_states)
    with pytest.raises(ValueError, match=rf"{op}: expected x of shape \(batch, time, features\), "
                                         rf"received shape \(5, 3\)"):
        call(x=np.zeros((5, 3), np.float32))
    fn = {"simple_rnn": ops.simple_rnn, "lstm": ops.lstm, "gru": ops.gru}[op]
    with pytest.raises(ValueError, match=rf"{op}: expected activation to be one of .*received 'softmax'"):
        fn(x, kernel, recurrent, bias, *states, activation="softmax")


def test_gru_bias_shape_follows_reset_after():
    x, h = np.zeros((1, 2, 3)), np.zeros((1, 4))
    kernel, recurrent = np.zeros((3, 12)), np.zeros((4, 12))
    with pytest.raises(ValueError, match=r"gru: expected bias of shape \(2, 12\), received \(12,\)"):
        ops.gru(x, kernel, recurrent, np.zeros(12), h)
    with pytest.raises(ValueError, match=r"gru: expected bias of shape \(12,\), received \(2, 12\)"):
        ops.gru(x, kernel, recurrent, np.zeros((2, 12)), h, reset_after=False)
