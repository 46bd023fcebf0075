"""The Keras 3 activations a newcomer reached for (issue 13): gelu (exact and tanh), silu/swish,
mish, hard_sigmoid, relu6, softsign, exponential.

Each is checked against PyTorch in float64 (values and gradients), in float32 (the dtype a
model runs in), against finite differences (its own backward), by name in a layer, and on the
device double (the array seam).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import Tensor, activations, layers, ops
from glassnet.testing import check_gradients
from helpers import compare_with_torch

torch = pytest.importorskip("torch")
F = torch.nn.functional

# values kept away from the kinks of relu6 (0, 6) and hard_sigmoid (-3, 3): a finite difference
# across a kink measures neither one-sided derivative
WIDE = np.array([-9.5, -6.2, -3.4, -2.9, -1.3, -0.4, 0.2, 0.7, 1.6, 2.7, 3.3, 5.5, 6.4, 8.0])
TAIL = np.array([-30.0, -20.0, -12.0, -8.0, -7.2, -7.0, -5.0, 5.0, 7.0, 12.0, 30.0])

CASES = [  # id, glassnet function, torch function, input range
    ("gelu", ops.gelu, F.gelu, 5.0),
    ("gelu_tanh", lambda x: ops.gelu(x, approximate=True), lambda x: F.gelu(x, approximate="tanh"), 5.0),
    ("silu", ops.silu, F.silu, 6.0),
    ("swish", ops.swish, F.silu, 6.0),
    ("mish", ops.mish, F.mish, 6.0),
    ("hard_sigmoid", ops.hard_sigmoid, F.hardsigmoid, 5.0),
    ("relu6", ops.relu6, F.relu6, 8.0),
    ("softsign", ops.softsign, F.softsign, 5.0),
    ("exponential", ops.exponential, torch.exp, 3.0),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, fn, torch_fn, span", CASES, ids=IDS)
def test_against_torch_in_float64(name, fn, torch_fn, span):
    compare_with_torch(fn, torch_fn, [(4, 7)], low=-span, high=span, dtype=np.float64, rtol=1e-7, atol=1e-12,
                       grad_rtol=1e-7, grad_atol=1e-12)
    compare_with_torch(fn, torch_fn, [WIDE], dtype=np.float64, rtol=1e-7, atol=1e-12, grad_rtol=1e-7,
                       grad_atol=1e-12)


@pytest.mark.parametrize("name, fn, torch_fn, span", CASES, ids=IDS)
def test_against_torch_in_float32(name, fn, torch_fn, span):
    out = compare_with_torch(fn, torch_fn, [(3, 5)], low=-span, high=span, rtol=2e-6, atol=1e-6,
                             grad_rtol=1e-5, grad_atol=1e-6)
    assert out.dtype == np.float32


@pytest.mark.parametrize("name, fn, torch_fn, span", CASES, ids=IDS)
def test_backward_agrees_with_finite_differences(name, fn, torch_fn, span):
    check_gradients(fn, [WIDE.reshape(2, 7)])
    check_gradients(fn, [np.random.default_rng(3).uniform(-span, span, (3, 4))], directions=4)


def test_exact_gelu_holds_in_the_tails():
    """The normal CDF behind exact gelu is the tail computed directly, so x Phi(x) keeps its
    relative accuracy far out where 1 + erf(x / sqrt 2) would cancel to 0."""
    ref = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in TAIL])
    got = ops.gelu(Tensor(TAIL, dtype=np.float64)).data
    np.testing.assert_allclose(got, ref, rtol=5e-8, atol=0)
    assert got[0] != 0.0  # -30 Phi(-30) ~ -1e-196 is not flushed to zero
    # (torch computes 1 + erf(x / sqrt 2), which loses relative accuracy below x = -5: at x = -8 it
    # is off by 2e-6, so math.erfc is the oracle out here)
    grid = np.linspace(-37, 40, 2001)  # Phi(-37) ~ 6e-300: above the subnormals
    cdf = ops.normal_cdf(grid)
    ref_cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in grid])
    np.testing.assert_allclose(cdf, ref_cdf, rtol=2e-8, atol=0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow or NaN at the extremes
        x = Tensor(np.array([-1e30, -100.0, 100.0, 1e30], dtype=np.float32), requires_grad=True)
        extreme = ops.gelu(x)
        extreme.sum().backward()
    np.testing.assert_array_equal(extreme.data, np.array([-0.0, -0.0, 100.0, 1e30], dtype=np.float32))
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0, 1.0])


def test_keras_reference_values():
    """The values in Keras's docstrings (TensorFlow, float32). Keras prints -0.00404951 for
    gelu(-3); the exact value -3 Phi(-3) is -0.0040496942 (TensorFlow's float32 erf is off there),
    so exact gelu is held to math.erfc and to Keras only loosely."""
    x = Tensor(np.array([-3.0, -1.0, 0.0, 1.0, 3.0], dtype=np.float32))
    exact = [v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in (-3.0, -1.0, 0.0, 1.0, 3.0)]
    np.testing.assert_allclose(ops.gelu(x).data, exact, rtol=2e-7)
    np.testing.assert_allclose(ops.gelu(x).data, [-0.00404951, -0.15865529, 0.0, 0.8413447, 2.9959507], rtol=1e-4)
    np.testing.assert_allclose(ops.gelu(x, approximate=True).data,
                               [-0.00363752, -0.15880796, 0.0, 0.841192, 2.9963627], rtol=1e-4)
    np.testing.assert_allclose(ops.hard_sigmoid(x).data, [0.0, 1 / 3, 0.5, 2 / 3, 1.0], rtol=1e-7)
    np.testing.assert_array_equal(ops.relu6(Tensor([-1.0, 3.0, 7.0])).data, [0.0, 3.0, 6.0])
    np.testing.assert_array_equal(ops.softsign(Tensor([-1.0, 3.0])).data, [-0.5, 0.75])


@pytest.mark.parametrize("name", ["gelu", "silu", "swish", "mish", "hard_sigmoid", "relu6", "softsign",
                                  "exponential"])
def test_usable_by_name_in_layers_and_saved_by_name(name):
    x = np.random.default_rng(0).uniform(-2, 2, (3, 4)).astype(np.float32)
    fn = activations.get(name)
    dense = layers.Dense(5, activation=name)
    out = dense(x).data
    pre = x @ dense.kernel.data + dense.bias.data
    np.testing.assert_allclose(out, fn(Tensor(pre)).data, rtol=1e-6)
    layer = layers.Activation(name)
    np.testing.assert_array_equal(layer(x).data, fn(Tensor(x)).data)
    config = layer.get_config()
    saved = {"swish": "silu"}.get(name, name)  # one function, Keras's canonical name
    assert config["activation"] == saved
    assert activations.get(config["activation"]) is fn
    assert dense.get_config()["activation"] == saved


def test_a_model_with_the_new_activations_trains_and_saves(tmp_path):
    gn.backend.clear_session()
    gn.utils.set_random_seed(0)
    model = gn.Sequential([layers.Input((4,)), layers.Dense(8, activation="gelu"), layers.Activation("mish"),
                           layers.Dense(8, activation="swish"), layers.Dense(1, activation="hard_sigmoid")])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(1).standard_normal((16, 4)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    model.save(tmp_path / "m.glassnet")
    again = gn.load_model(tmp_path / "m.glassnet")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_unknown_activation_names_the_new_ones():
    with pytest.raises(ValueError, match="gelu"):
        activations.get("geluu")


@pytest.mark.parametrize("name, fn, torch_fn, span", CASES, ids=IDS)
def test_runs_on_the_device(name, fn, torch_fn, span):
    from test_array_seam import _same_on_device
    _same_on_device(fn, [np.random.default_rng(2).uniform(-span, span, (3, 4)).astype(np.float32)])


def test_every_new_op_states_its_formula():
    from glassnet.ops import activations as module
    for cls in (module.GELU, module.GELUTanh, module.SiLU, module.Mish, module.HardSigmoid, module.ReLU6,
                module.Softsign, module.Exponential):
        doc = cls.__doc__ or ""
        assert "f(x) =" in doc and "f'(x)" in doc, cls.__name__


@pytest.mark.parametrize("name", ["glassnet.activations", "glassnet.ops.activations"])
def test_docstring_examples_of_the_activations_run(name):
    import doctest
    import importlib
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(module, name, globs=dict(vars(module))):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0
