"""Recurrent layers: SimpleRNN, LSTM, GRU, RNN(cell), stacked cells, Bidirectional, TimeDistributed.

Values and gradients are checked against PyTorch in float64 through the layers themselves
(weights loaded with ``set_weights`` in Keras layouts and mapped to torch's), against
finite differences, and the fused ops against the per-step loop on the same weights.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, ops
from glassnet.layers.base import Layer
from glassnet.testing import check_layer_gradients
from layer_harness import layer_test

torch = pytest.importorskip("torch")

B, T, F, U = 3, 5, 4, 6  # batch, time steps, features, units


@pytest.fixture
def float64():
    gn.backend.set_floatx("float64")
    try:
        yield
    finally:
        gn.backend.set_floatx("float32")


def rand(*shape, seed=0, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


def randomize(layer, seed=1):
    """Random weights of a moderate size (non-zero biases too), in the layer's dtype."""
    layer.set_weights([rand(*w.shape, seed=seed + i, scale=0.4).astype(w.dtype)
                       for i, w in enumerate(layer.get_weights())])


def as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


# ---------------------------------------------------------------------------- Keras <-> torch layouts
def _swap_zr(m, u):
    """Keras GRU blocks z, r, h <-> torch's r, z, n (swapping the first two blocks both ways)."""
    return np.concatenate([m[..., u:2 * u], m[..., :u], m[..., 2 * u:]], axis=-1)


def to_torch(kind, kernel, recurrent_kernel, bias, units):
    """Keras-layout arrays -> torch's weight_ih, weight_hh, bias_ih, bias_hh."""
    if kind == "gru":
        b_in, b_rec = (bias[0], bias[1]) if bias.ndim == 2 else (bias, np.zeros_like(bias))
        return (_swap_zr(kernel, units).T, _swap_zr(recurrent_kernel, units).T,
                _swap_zr(b_in, units), _swap_zr(b_rec, units))
    # LSTM: torch's gates i, f, g, o are Keras's i, f, c, o; SimpleRNN: one block
    return kernel.T, recurrent_kernel.T, bias, np.zeros_like(bias)


TORCH = {"simple_rnn": lambda i, u, **kw: torch.nn.RNN(i, u, nonlinearity="tanh", batch_first=True, **kw),
         "lstm": lambda i, u, **kw: torch.nn.LSTM(i, u, batch_first=True, **kw),
         "gru": lambda i, u, **kw: torch.nn.GRU(i, u, batch_first=True, **kw)}
GLASSNET = {"simple_rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}


def torch_twin(kind, gn_layers, bidirectional=False):
    """A float64 torch module holding the weights of one glassnet layer (two: both directions)."""
    net = TORCH[kind](F, U, bidirectional=bidirectional).double()
    with torch.no_grad():
        for suffix, layer in zip(["", "_reverse"], gn_layers):
            arrays = to_torch(kind, *layer.get_weights(), U)
            for name, value in zip(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], arrays):
                getattr(net, f"{name}_l0{suffix}").copy_(torch.tensor(value))
    return net


def torch_grads_as_keras(kind, net, suffix=""):
    """The torch weight gradients mapped back to the Keras layouts (kernel, recurrent, bias)."""
    g = {n: getattr(net, f"{n}_l0{suffix}").grad.numpy() for n in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]}
    if kind == "gru":
        return [_swap_zr(g["weight_ih"].T, U), _swap_zr(g["weight_hh"].T, U),
                np.stack([_swap_zr(g["bias_ih"], U), _swap_zr(g["bias_hh"], U)])]
    return [g["weight_ih"].T, g["weight_hh"].T, g["bias_ih"]]  # the one Keras bias gets bias_ih's gradient


# ---------------------------------------------------------------------------- against PyTorch
@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("options", [
    {}, {"return_sequences": True}, {"go_backwards": True}, {"go_backwards": True, "return_sequences": True},
    {"return_state": True, "return_sequences": True}, {"initial_state": True, "return_state": True},
])
def test_layer_matches_torch(float64, kind, options):
    options = dict(options)
    with_initial = options.pop("initial_state", False)
    layer = GLASSNET[kind](U, **options)
    x = rand(B, T, F, seed=3)
    layer(x)
    randomize(layer)
    net = torch_twin(kind, [layer])
    n_states = 2 if kind == "lstm" else 1
    initial = [rand(B, U, seed=10 + i, scale=0.5) for i in range(n_states)] if with_initial else None

    xg = gn.Tensor(x, requires_grad=True, dtype=np.float64)
    outs = as_list(layer(xg, initial_state=initial) if initial else layer(xg))
    xt = torch.tensor(x[:, ::-1].copy() if options.get("go_backwards") else x, requires_grad=True)
    t_initial = [torch.tensor(s[None]) for s in initial] if initial else None
    if t_initial is not None:
        t_initial = tuple(t_initial) if kind == "lstm" else t_initial[0]
    seq, final = net(xt, t_initial)
    final = [final[0][0], final[1][0]] if kind == "lstm" else [final[0]]
    expected = [seq if options.get("return_sequences") else final[0]]
    if options.get("return_state"):
        expected += final
    assert len(outs) == len(expected)
    for o, e in zip(outs, expected):
        np.testing.assert_allclose(o.data, e.detach().numpy(), rtol=1e-9, atol=1e-10)

    weights = [rand(*o.shape, seed=20 + i) for i, o in enumerate(outs)]
    sum(ops.sum(o * gn.Tensor(w, dtype=np.float64)) for o, w in zip(outs, weights)).backward()
    sum((e * torch.tensor(w)).sum() for e, w in zip(expected, weights)).backward()
    x_grad = xt.grad.numpy()[:, ::-1] if options.get("go_backwards") else xt.grad.numpy()
    np.testing.assert_allclose(xg.grad, x_grad, rtol=1e-8, atol=1e-10)
    for p, g in zip(layer.weights, torch_grads_as_keras(kind, net)):
        np.testing.assert_allclose(p.grad, g, rtol=1e-8, atol=1e-10, err_msg=p.name)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_matches_torch(float64, kind, merge_mode):
    layer = layers.Bidirectional(GLASSNET[kind](U, return_sequences=True), merge_mode=merge_mode)
    x = rand(B, T, F, seed=4)
    layer(x)
    randomize(layer)
    net = torch_twin(kind, [layer.forward_layer, layer.backward_layer], bidirectional=True)
    xg = gn.Tensor(x, requires_grad=True, dtype=np.float64)
    xt = torch.tensor(x, requires_grad=True)
    out = as_list(layer(xg))
    seq = net(xt)[0]
    fwd, bwd = seq[..., :U], seq[..., U:]
    expected = {"concat": [seq], "sum": [fwd + bwd], "mul": [fwd * bwd], "ave": [(fwd + bwd) / 2],
                None: [fwd, bwd]}[merge_mode]
    for o, e in zip(out, expected):
        np.testing.assert_allclose(o.data, e.detach().numpy(), rtol=1e-9, atol=1e-10)
    weights = [rand(*o.shape, seed=30 + i) for i, o in enumerate(out)]
    sum(ops.sum(o * gn.Tensor(w, dtype=np.float64)) for o, w in zip(out, weights)).backward()
    sum((e * torch.tensor(w)).sum() for e, w in zip(expected, weights)).backward()
    np.testing.assert_allclose(xg.grad, xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    for sub, suffix in ((layer.forward_layer, ""), (layer.backward_layer, "_reverse")):
        for p, g in zip(sub.weights, torch_grads_as_keras(kind, net, suffix)):
            np.testing.assert_allclose(p.grad, g, rtol=1e-8, atol=1e-10, err_msg=p.name)


def test_bidirectional_last_output_and_states_match_torch(float64):
    layer = layers.Bidirectional(layers.LSTM(U, return_state=True))
    x = rand(B, T, F, seed=5)
    layer(x)
    randomize(layer)
    net = torch_twin("lstm", [layer.forward_layer, layer.backward_layer], bidirectional=True)
    out, h_f, c_f, h_b, c_b = layer(x)
    with torch.no_grad():
        _, (h, c) = net(torch.tensor(x))
    np.testing.assert_allclose(out.data, np.concatenate([h[0], h[1]], axis=-1), rtol=1e-9, atol=1e-10)
    for got, want in ((h_f, h[0]), (c_f, c[0]), (h_b, h[1]), (c_b, c[1])):
        np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-9, atol=1e-10)


def test_gru_reset_before_matches_formula(float64):
    """reset_after=False (no torch twin): against the formula, step by step in NumPy."""
    layer = layers.GRU(U, reset_after=False, return_sequences=True)
    x = rand(B, T, F, seed=6)
    layer(x)
    randomize(layer)
    k, rk, b = layer.get_weights()
    assert b.shape == (3 * U,)

    def sigmoid(a):
        return 1 / (1 + np.exp(-a))
    h, outs = np.zeros((B, U)), []
    for t in range(T):
        xz = x[:, t] @ k + b
        z = sigmoid(xz[:, :U] + h @ rk[:, :U])
        r = sigmoid(xz[:, U:2 * U] + h @ rk[:, U:2 * U])
        hh = np.tanh(xz[:, 2 * U:] + (r * h) @ rk[:, 2 * U:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    np.testing.assert_allclose(layer(x).data, np.stack(outs, axis=1), rtol=1e-10, atol=1e-12)


def test_time_distributed_dense_is_dense_on_folded_time(float64):
    dense = layers.Dense(3, activation="tanh")
    wrapper = layers.TimeDistributed(dense)
    x = rand(B, T, F, seed=7)
    xg = gn.Tensor(x, requires_grad=True, dtype=np.float64)
    out = wrapper(xg)
    assert out.shape == (B, T, 3)
    flat = dense(gn.Tensor(x.reshape(B * T, F), dtype=np.float64))
    np.testing.assert_allclose(out.data, flat.data.reshape(B, T, 3), rtol=1e-12)
    assert wrapper.weights == dense.weights and wrapper.count_params() == F * 3 + 3
    ops.sum(out).backward()
    xt = torch.tensor(x, requires_grad=True)
    torch.tanh(xt @ torch.tensor(dense.get_weights()[0]) + torch.tensor(dense.get_weights()[1])).sum().backward()
    np.testing.assert_allclose(xg.grad, xt.grad.numpy(), rtol=1e-10)


# ---------------------------------------------------------------------------- fused op vs per-step loop
@pytest.mark.parametrize("kind,options", [
    ("simple_rnn", {}), ("lstm", {}), ("gru", {}), ("gru", {"reset_after": False}),
    ("lstm", {"go_backwards": True}), ("gru", {"use_bias": False}),
    ("simple_rnn", {"zero_output_for_mask": True}), ("lstm", {"zero_output_for_mask": True, "go_backwards": True}),
])
def test_fused_op_equals_per_step_loop(float64, kind, options):
    layer = GLASSNET[kind](U, return_sequences=True, return_state=True, **options)
    x = rand(B, T, F, seed=8)
    layer(x)
    randomize(layer)
    loop = layers.RNN(layer.cell, return_sequences=True, return_state=True,  # the same cell: same weights
                      go_backwards=options.get("go_backwards", False),
                      zero_output_for_mask=options.get("zero_output_for_mask", False))
    assert layer.uses_fused_op() and not hasattr(loop, "uses_fused_op")
    mask = np.ones((B, T), bool)
    mask[0, :2] = False  # padded in front
    mask[1, -2:] = False  # padded behind
    n_states = 2 if kind == "lstm" else 1
    initial = [rand(B, U, seed=40 + i, scale=0.5) for i in range(n_states)]
    results = []
    for net in (layer, loop):
        xg = gn.Tensor(x, requires_grad=True, dtype=np.float64)
        for p in layer.weights:
            p.grad = None
        outs = net(xg, mask=mask, initial_state=initial)
        sum(ops.sum(o * gn.Tensor(rand(*o.shape, seed=50 + i), dtype=np.float64))
            for i, o in enumerate(outs)).backward()
        results.append(([o.data for o in outs], xg.grad, [p.grad.copy() for p in layer.weights]))
    (outs_a, gx_a, gw_a), (outs_b, gx_b, gw_b) = results
    for a, b in zip(outs_a + [gx_a] + gw_a, outs_b + [gx_b] + gw_b):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)


def test_layers_use_the_fused_ops_when_they_can():
    assert layers.LSTM(3).uses_fused_op() and layers.GRU(3).uses_fused_op() and layers.SimpleRNN(3).uses_fused_op()
    assert not layers.LSTM(3, recurrent_dropout=0.2).uses_fused_op(training=True)
    assert layers.LSTM(3, recurrent_dropout=0.2).uses_fused_op(training=False)  # no dropout in inference
    assert not layers.SimpleRNN(3, activation=lambda a: ops.tanh(a) * 2).uses_fused_op()


# ---------------------------------------------------------------------------- harness and gradient checks
CELL = {"class_name": "LSTMCell", "config": {"units": 3}}


@pytest.mark.parametrize("cls,kwargs,out_shape,n_params", [
    (layers.SimpleRNN, {"units": 3}, (2, 3), (F + 3 + 1) * 3),
    (layers.SimpleRNN, {"units": 3, "return_sequences": True, "go_backwards": True}, (2, T, 3), (F + 3 + 1) * 3),
    (layers.LSTM, {"units": 3}, (2, 3), 4 * (F + 3 + 1) * 3),
    (layers.LSTM, {"units": 3, "return_sequences": True, "use_bias": False}, (2, T, 3), 4 * (F + 3) * 3),
    (layers.GRU, {"units": 3}, (2, 3), 3 * (F + 3 + 2) * 3),
    (layers.GRU, {"units": 3, "reset_after": False, "return_sequences": True}, (2, T, 3), 3 * (F + 3 + 1) * 3),
    (layers.RNN, {"cell": CELL}, (2, 3), 4 * (F + 3 + 1) * 3),
    (layers.RNN, {"cell": [{"class_name": "GRUCell", "config": {"units": 5}}, CELL]}, (2, 3),
     3 * (F + 5 + 2) * 5 + 4 * (5 + 3 + 1) * 3),
    (layers.Bidirectional, {"layer": {"class_name": "GRU", "config": {"units": 3, "return_sequences": True}}},
     (2, T, 6), 2 * 3 * (F + 3 + 2) * 3),
    (layers.Bidirectional, {"layer": {"class_name": "LSTM", "config": {"units": 3}}, "merge_mode": "ave"},
     (2, 3), 2 * 4 * (F + 3 + 1) * 3),
    (layers.TimeDistributed, {"layer": {"class_name": "Dense", "config": {"units": 2}}}, (2, T, 2), F * 2 + 2),
])
def test_layer_harness(cls, kwargs, out_shape, n_params):
    layer = layer_test(cls, kwargs, (2, T, F), out_shape, expected_params=n_params)
    assert all(p.name.rsplit("/", 1)[-1] in ("kernel", "recurrent_kernel", "bias") for p in layer.weights)


class Masked(Layer):
    """Calls ``inner`` with a fixed mask (so that check_layer_gradients can see masked calls)."""

    def __init__(self, inner, mask, **kwargs):
        super().__init__(**kwargs)
        self.inner, self.mask = inner, mask

    def call(self, inputs, training=None):
        return self.inner(inputs, mask=self.mask, training=training)


@pytest.mark.parametrize("make", [
    lambda: layers.SimpleRNN(3, return_sequences=True),
    lambda: layers.LSTM(3, go_backwards=True),
    lambda: layers.GRU(3, return_sequences=True),
    lambda: layers.GRU(3, reset_after=False),
    lambda: layers.RNN([layers.SimpleRNNCell(3), layers.LSTMCell(2)], return_sequences=True),
    lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="mul"),
])
def test_finite_difference_gradients_with_masks(float64, make):
    mask = np.ones((2, T), bool)
    mask[0, :2] = False
    mask[1, -1] = False
    x = rand(2, T, F, seed=9)
    layer = make()
    check_layer_gradients(layer, x)
    check_layer_gradients(Masked(layer, mask), x)


# ---------------------------------------------------------------------------- masks
@pytest.mark.parametrize("make", [lambda: layers.LSTM(U), lambda: layers.GRU(U),
                                  lambda: layers.RNN(layers.SimpleRNNCell(U)),
                                  lambda: layers.Bidirectional(layers.GRU(U))])
def test_padding_does_not_change_the_final_output(make):
    layer = make()
    x = rand(B, T, F, seed=11).astype(np.float32)
    plain = layer(x).data
    for where in ("front", "back"):
        pad = np.zeros((B, 3, F), np.float32)
        padded = np.concatenate([pad, x] if where == "front" else [x, pad], axis=1)
        mask = np.ones((B, T + 3), bool)
        mask[:, :3] = where != "front"
        mask[:, -3:] = where != "back"
        np.testing.assert_allclose(layer(padded, mask=mask).data, plain, rtol=1e-5, atol=1e-6, err_msg=where)


@pytest.mark.parametrize("make", [lambda: layers.LSTM(U, return_sequences=True, zero_output_for_mask=True),
                                  lambda: layers.RNN(layers.GRUCell(U), return_sequences=True,
                                                     zero_output_for_mask=True),
                                  lambda: layers.Bidirectional(layers.SimpleRNN(U, return_sequences=True))])
def test_masked_steps_of_sequences_are_zero(make):
    layer = make()
    x = rand(B, T, F, seed=12).astype(np.float32)
    mask = np.ones((B, T), bool)
    mask[0, :2] = mask[2, -1] = False
    out = layer(x, mask=mask).data
    assert np.all(out[~mask] == 0) and np.all(np.abs(out[mask]).sum(-1) > 0)


@pytest.mark.parametrize("make", [lambda: layers.GRU(U, return_sequences=True),
                                  lambda: layers.RNN(layers.LSTMCell(U), return_sequences=True)])
def test_masked_steps_repeat_the_last_output_by_default(make):
    layer = make()  # Keras's default zero_output_for_mask=False
    x = rand(B, T, F, seed=12).astype(np.float32)
    mask = np.ones((B, T), bool)
    mask[0, :2] = mask[2, -2:] = False
    out = layer(x, mask=mask).data
    assert np.all(out[0, :2] == 0)  # before the first real step
    np.testing.assert_array_equal(out[2, -2], out[2, -3])
    np.testing.assert_array_equal(out[2, -1], out[2, -3])


def test_output_masks_follow_keras():
    x = rand(B, T, F).astype(np.float32)
    mask = np.ones((B, T), bool)
    mask[0, -1] = False
    seq = layers.LSTM(2, return_sequences=True)
    np.testing.assert_array_equal(seq.compute_mask(x, mask), mask)
    assert layers.LSTM(2).compute_mask(x, mask) is None
    masks = layers.LSTM(2, return_sequences=True, return_state=True).compute_mask(x, mask)
    assert masks[0] is mask and masks[1:] == [None, None]
    np.testing.assert_array_equal(layers.GRU(2, return_sequences=True, go_backwards=True).compute_mask(x, mask),
                                  mask[:, ::-1])
    both = layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode=None).compute_mask(x, mask)
    assert both[0] is mask and both[1] is mask
    assert layers.TimeDistributed(layers.Dense(2)).compute_mask(x, mask) is mask


def test_mask_attached_to_the_input_is_used():
    x = gn.Tensor(rand(B, T + 2, F, seed=13).astype(np.float32))
    mask = np.ones((B, T + 2), bool)
    mask[:, -2:] = False
    x._keras_mask = mask
    layer = layers.LSTM(U, return_sequences=True)
    out = layer(x)
    np.testing.assert_allclose(out.data, layer(x.data, mask=mask).data)
    np.testing.assert_array_equal(out._keras_mask, mask)


# ---------------------------------------------------------------------------- stateful, cells, dropout
def test_stateful_carries_states_until_reset():
    x = rand(2, 2 * T, F, seed=14).astype(np.float32)
    stateful = layers.LSTM(U, stateful=True)
    stateful(x[:, :T])
    whole = layers.LSTM(U)
    whole(x)
    whole.set_weights(stateful.get_weights())
    np.testing.assert_allclose(stateful(x[:, T:]).data, whole(x).data, rtol=1e-5, atol=1e-6)
    stateful.reset_states()
    np.testing.assert_allclose(stateful(x[:, T:]).data, whole(x[:, T:]).data, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"lstm.*expected batch size 2.*received 3"):
        stateful(rand(3, T, F).astype(np.float32))
    stateful.reset_states([np.zeros((4, U)), np.zeros((4, U))])  # explicit states: a new batch size
    assert stateful(rand(4, T, F).astype(np.float32)).shape == (4, U)
    both = layers.Bidirectional(layers.GRU(U, stateful=True))
    first = both(x[:, :T]).data
    assert not np.allclose(both(x[:, :T]).data, first)  # the second call starts from the carried states
    both.reset_states()
    np.testing.assert_allclose(both(x[:, :T]).data, first, rtol=1e-6)


def test_stateful_model_trains_and_resets():
    model = gn.Sequential([layers.Input((T, F), batch_size=2), layers.GRU(U, stateful=True), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x, y = rand(4, T, F).astype(np.float32), rand(4, 1).astype(np.float32)
    model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    gru = model.layers[0] if isinstance(model.layers[0], layers.GRU) else model.layers[1]
    assert gru.states is not None and np.abs(gru.states[0]).sum() > 0
    gru.reset_states()
    assert np.abs(gru.states[0]).sum() == 0


class MinimalRNNCell(Layer):
    """The cell of Keras's RNN docstring: h = tanh(x W + h_prev U)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, self.units), "orthogonal")

    def call(self, inputs, states):
        h = ops.tanh(ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel))
        return h, [h]

    def get_config(self):
        return dict(super().get_config(), units=self.units)


def test_user_written_cell_trains_and_saves(tmp_path):
    x = rand(16, T, F, seed=15).astype(np.float32)
    y = np.tanh(x.sum(axis=(1, 2)))[:, None].astype(np.float32) * 0.5
    model = gn.Sequential([layers.Input((None, F)), layers.RNN(MinimalRNNCell(8)), layers.Dense(1)])
    rnn = model.layers[0] if isinstance(model.layers[0], layers.RNN) else model.layers[1]
    assert [p.name for p in rnn.weights] == [f"{rnn.name}/minimal_rnn_cell/kernel",
                                             f"{rnn.name}/minimal_rnn_cell/recurrent_kernel"]
    model.compile(optimizer=gn.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    path = str(tmp_path / "cell.glassnet")
    model.save(path)
    loaded = gn.models.load_model(path, custom_objects={"MinimalRNNCell": MinimalRNNCell})
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_stacked_cells_equal_layers_on_top_of_each_other():
    first, second = layers.SimpleRNNCell(5), layers.LSTMCell(U)
    stacked = layers.RNN([first, second], return_state=True)
    x = rand(B, T, F, seed=16).astype(np.float32)
    out, h1, h2, c2 = stacked(x)
    assert stacked.state_size == [5, U, U] and out.shape == (B, U) and h1.shape == (B, 5)
    seq = layers.RNN(first, return_sequences=True)(x)  # the same cells: the same weights
    np.testing.assert_allclose(out.data, layers.RNN(second)(seq).data, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h2.data, out.data)


def test_dropout_trains_and_is_inactive_in_inference():
    x = rand(8, T, F, seed=17).astype(np.float32)
    for options in ({"dropout": 0.5}, {"recurrent_dropout": 0.5}, {"dropout": 0.3, "recurrent_dropout": 0.3}):
        for cls in (layers.SimpleRNN, layers.LSTM, layers.GRU):
            dropped, plain = cls(U, **options), cls(U)
            dropped(x)
            plain(x)
            plain.set_weights(dropped.get_weights())
            np.testing.assert_allclose(dropped(x, training=False).data, plain(x).data, rtol=1e-6)
            assert not np.allclose(dropped(x, training=True).data, plain(x).data)
    model = gn.Sequential([layers.Input((T, F)), layers.LSTM(U, dropout=0.2, recurrent_dropout=0.2),
                           layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, rand(8, 1).astype(np.float32), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_recurrent_dropout_uses_one_mask_per_sequence():
    cell = layers.SimpleRNNCell(U, recurrent_dropout=0.5, seed=3)
    layer = layers.RNN(cell)
    layer(rand(B, T, F).astype(np.float32), training=True)
    first = cell.get_recurrent_dropout_mask(gn.Tensor(np.ones((B, U), np.float32)))
    assert set(np.unique(first.data)) <= {0.0, 2.0}
    assert first is cell.get_recurrent_dropout_mask(gn.Tensor(np.ones((B, U), np.float32)))  # kept until reset


# ---------------------------------------------------------------------------- shapes, counts, models
@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_compute_output_shape_matches_outputs(kind, return_sequences, return_state):
    layer = GLASSNET[kind](U, return_sequences=return_sequences, return_state=return_state)
    symbolic = as_list(layer(layers.Input((None, F))))
    real = as_list(layer(rand(B, T + 2, F).astype(np.float32)))
    assert [s.shape for s in symbolic] == [(None,) + (None,) * (r.ndim == 3) + r.shape[-1:] for r in real]
    shapes = layer.compute_output_shape((B, T + 2, F))
    assert [r.shape for r in real] == (shapes if return_state else [shapes])


@pytest.mark.parametrize("merge_mode", ["concat", "sum", None])
@pytest.mark.parametrize("return_state", [False, True])
def test_bidirectional_output_shapes(merge_mode, return_state):
    layer = layers.Bidirectional(layers.LSTM(U, return_sequences=True, return_state=return_state),
                                 merge_mode=merge_mode)
    real = as_list(layer(rand(B, T, F).astype(np.float32)))
    shapes = layer.compute_output_shape((B, T, F))
    shapes = shapes if isinstance(shapes, list) else [shapes]
    assert [r.shape for r in real] == [tuple(s) for s in shapes]
    assert len(real) == (2 if merge_mode is None else 1) + (4 if return_state else 0)


@pytest.mark.parametrize("i,u", [(1, 20), (10, 32), (7, 1)])
def test_parameter_counts_follow_the_course(i, u):
    x = np.zeros((1, 3, i), np.float32)
    counts = {}
    for name, layer in (("simple", layers.SimpleRNN(u)), ("lstm", layers.LSTM(u)), ("gru", layers.GRU(u)),
                        ("gru_v1", layers.GRU(u, reset_after=False)),
                        ("bi", layers.Bidirectional(layers.LSTM(u)))):
        layer(x)
        counts[name] = layer.count_params()
    assert counts == {"simple": (i + u + 1) * u, "lstm": 4 * (i + u + 1) * u, "gru": 3 * (i + u + 2) * u,
                      "gru_v1": 3 * (i + u + 1) * u, "bi": 8 * (i + u + 1) * u}


def test_summary_shows_recurrent_parameter_counts():
    model = gn.Sequential([layers.Input((50, 1)), layers.SimpleRNN(20, return_sequences=True),
                           layers.LSTM(20), layers.Dense(1)])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert f"{(1 + 20 + 1) * 20:,}" in text and f"{4 * (20 + 20 + 1) * 20:,}" in text
    assert "(None, 50, 20)" in text and "SimpleRNN" in text


def test_conv1d_lstm_stack_trains():
    rng = np.random.default_rng(18)
    x = rng.standard_normal((32, 12, 2)).astype(np.float32)
    y = x[:, -4:, 0].mean(axis=1, keepdims=True)
    model = gn.Sequential([layers.Input((12, 2)), layers.Conv1D(8, 3, activation="relu"),
                           layers.LSTM(8), layers.Dense(1)])
    model.compile(optimizer=gn.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_save_and_load_give_identical_predictions(tmp_path):
    seq = gn.Sequential([layers.Input((None, F)), layers.Bidirectional(layers.LSTM(4, return_sequences=True)),
                         layers.TimeDistributed(layers.Dense(3)), layers.GRU(3, reset_after=False),
                         layers.Dense(1)])
    encoder_in, decoder_in = layers.Input((None, F)), layers.Input((None, 2))
    _, h, c = layers.LSTM(4, return_state=True)(encoder_in)
    decoded = layers.LSTM(4, return_sequences=True, go_backwards=True)(decoder_in, initial_state=[h, c])
    functional = gn.Model([encoder_in, decoder_in], layers.TimeDistributed(layers.Dense(2))(decoded))
    x, x2 = rand(B, T, F).astype(np.float32), rand(B, 3, 2).astype(np.float32)
    for i, (model, inputs) in enumerate(((seq, x), (functional, [x, x2]))):
        path = str(tmp_path / f"model{i}.glassnet")
        model.save(path)
        loaded = gn.models.load_model(path)
        np.testing.assert_array_equal(loaded.predict(inputs), model.predict(inputs))
        assert [p.name for p in loaded.weights] == [p.name for p in model.weights]
    assert functional.predict([x, x2]).shape == (B, 3, 2)


def test_config_round_trip_is_json_and_keeps_arguments():
    layer = layers.LSTM(5, activation="relu", recurrent_activation="tanh", unit_forget_bias=False,
                        dropout=0.1, recurrent_dropout=0.2, kernel_regularizer="l2", return_state=True,
                        go_backwards=True, stateful=True, unroll=True, seed=4, name="enc")
    config = json.loads(json.dumps(layer.get_config()))
    clone = layers.LSTM.from_config(config)
    assert clone.get_config() == config and "cell" not in config
    assert (clone.units, clone.dropout, clone.unit_forget_bias, clone.unroll) == (5, 0.1, False, True)
    bias = layers.LSTM(2, bias_initializer="zeros")
    bias(np.zeros((1, 2, 3), np.float32))
    np.testing.assert_array_equal(bias.get_weights()[2], [0, 0, 1, 1, 0, 0, 0, 0])  # forget gate at 1


def test_variable_length_sequences():
    model = gn.Sequential([layers.Input((None, F)), layers.GRU(U, return_sequences=True), layers.LSTM(2)])
    for steps in (1, 4, 9):
        assert model.predict(rand(2, steps, F).astype(np.float32)).shape == (2, 2)


# ---------------------------------------------------------------------------- bad input
def test_errors_name_the_layer_expected_and_received():
    with pytest.raises(ValueError, match=r"LSTM 'bad_rnn'.*rank 3.*received shape \(2, 4\)"):
        layers.LSTM(3, name="bad_rnn")(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"positive integer for units, received 0"):
        layers.GRU(0)
    with pytest.raises(ValueError, match=r"positive integer for units, received -2"):
        layers.SimpleRNNCell(-2)
    with pytest.raises(ValueError, match=r"Bidirectional 'bi'.*merge_mode.*received 'max'"):
        layers.Bidirectional(layers.LSTM(3), merge_mode="max", name="bi")
    with pytest.raises(ValueError, match=r"dropout in \[0, 1\), received 1.5"):
        layers.LSTM(3, dropout=1.5)
    layer = layers.LSTM(3, name="with_state")
    x = np.zeros((2, T, F), np.float32)
    with pytest.raises(ValueError, match=r"with_state.*initial_state.*\[\(2, 3\), \(2, 3\)\].*\[\(2, 4\)\]"):
        layer(x, initial_state=[np.zeros((2, 4))])
    with pytest.raises(ValueError, match=r"with_state.*mask of shape \(2, 5\).*received \(2, 4\)"):
        layer(x, mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match=r"TimeDistributed.*rank >= 3.*\(None, 4\)"):
        layers.TimeDistributed(layers.Dense(2))(layers.Input((4,)))
    with pytest.raises(ValueError, match=r"go_backwards"):
        layers.Bidirectional(layers.LSTM(3), backward_layer=layers.LSTM(3))
    with pytest.raises(ValueError, match=r"state_size"):
        layers.RNN(layers.Dense(3))
