"""Noise layers: GaussianNoise, GaussianDropout, AlphaDropout.

Identity at inference; in training, the statistics of the noise against Keras's formulas
(tolerances a few standard errors wide, so that a wrong scale, a variance used as a standard
deviation or a missing affine correction fails), the exact element-wise formula, gradients,
seeds, masks, configs and saving.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import Tensor, layers
from glassnet.testing import check_gradients
from layer_harness import layer_test

ALPHA_P = -1.6732632423543772 * 1.0507009873554805  # SELU's negative saturation -scale * alpha
N = 400_000  # samples for the statistics: standard error of a mean of unit variance 0.0016


def big(value=1.0, shape=(400, 1000)):
    return np.full(shape, value, np.float32)


@pytest.mark.parametrize("cls, kwargs", [
    (layers.GaussianNoise, {"stddev": 0.5}), (layers.GaussianDropout, {"rate": 0.4}),
    (layers.AlphaDropout, {"rate": 0.3}), (layers.AlphaDropout, {"rate": 0.3, "noise_shape": (None, 1, 4)}),
])
def test_noise_layers_through_the_harness(cls, kwargs):
    layer_test(cls, kwargs, (2, 3, 4), (2, 3, 4), expected_num_weights=0, expected_params=0, train=True)


@pytest.mark.parametrize("layer", [layers.GaussianNoise(0.5), layers.GaussianDropout(0.5), layers.AlphaDropout(0.5)])
def test_identity_at_inference(layer):
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    for kwargs in ({}, {"training": False}, {"training": None}):
        np.testing.assert_array_equal(layer(x, **kwargs).data, x)
    model = gn.Sequential([layers.Input((5,)), layer])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert not np.array_equal(layer(x, training=True).data, x)


def test_gaussian_noise_adds_zero_mean_noise_of_stddev():
    for x in (big(0.0), big(3.0)):
        out = layers.GaussianNoise(0.3, seed=0)(x, training=True).data
        noise = out - x
        assert out.dtype == np.float32
        assert abs(noise.mean()) < 0.002              # 0.3 / sqrt(N) = 0.0005
        assert abs(noise.std() - 0.3) < 0.002         # a variance (0.09) or 2 * stddev would fail
        assert abs(np.mean(np.abs(noise) < 0.3) - 0.6827) < 0.005   # Gaussian: 68% within one stddev


def test_gaussian_dropout_multiplies_by_one_centred_noise():
    rate = 0.2
    std = math.sqrt(rate / (1 - rate))  # 0.5
    out = layers.GaussianDropout(rate, seed=0)(big(2.0), training=True).data
    noise = out / 2.0
    assert abs(noise.mean() - 1.0) < 0.003
    assert abs(noise.std() - std) < 0.003             # sqrt(rate) or rate / (1 - rate) would fail
    assert np.unique(noise).size > 1000               # continuous, not Bernoulli
    # multiplicative: a zero input stays zero
    assert not layers.GaussianDropout(rate, seed=0)(big(0.0), training=True).data.any()


@pytest.mark.parametrize("rate", [0.1, 0.5])
def test_alpha_dropout_keeps_mean_and_variance_of_a_standard_normal(rate):
    x = np.random.default_rng(1).standard_normal((400, 1000)).astype(np.float32)
    out = layers.AlphaDropout(rate, seed=2)(x, training=True).data
    assert abs(out.mean()) < 0.01
    assert abs(out.var() - 1.0) < 0.01
    a = ((1 - rate) * (1 + rate * ALPHA_P ** 2)) ** -0.5
    b = -a * ALPHA_P * rate
    dropped = np.isclose(out, a * ALPHA_P + b, atol=1e-6)  # (a kept x within 1e-6 of alpha' looks the same)
    assert abs(dropped.mean() - rate) < 0.005
    np.testing.assert_allclose(out[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-6)  # Keras's affine map
    # without the correction (plain Dropout, or no a, b) the moments would be off by far more
    assert abs(np.where(dropped, 0, x / (1 - rate)).var() - 1.0) > 0.05


def test_alpha_dropout_noise_shape_shares_the_mask():
    x = np.random.default_rng(1).standard_normal((8, 5, 6)).astype(np.float32)
    out = layers.AlphaDropout(0.5, noise_shape=(None, 1, 6), seed=0)(x, training=True).data
    rate = 0.5
    a = ((1 - rate) * (1 + rate * ALPHA_P ** 2)) ** -0.5
    dropped = np.isclose(out, a * ALPHA_P - a * ALPHA_P * rate, atol=1e-6)
    assert (dropped == dropped[:, :1, :]).all() and 0 < dropped.mean() < 1
    with pytest.raises(ValueError, match=r"AlphaDropout 'ad': expected noise_shape \(None, 2, 6\).*\(8, 5, 6\)"):
        layers.AlphaDropout(0.5, noise_shape=(None, 2, 6), name="ad")(x, training=True)


@pytest.mark.parametrize("make", [lambda: layers.GaussianNoise(0.4, seed=3),
                                  lambda: layers.GaussianDropout(0.4, seed=3),
                                  lambda: layers.AlphaDropout(0.4, seed=3)])
def test_gradients_flow_through_the_input_with_the_noise_held_fixed(make):
    # a fresh layer with the same seed draws the same noise at every evaluation
    gn.backend.set_floatx("float64")
    try:
        check_gradients(lambda x: make()(x, training=True), [np.random.default_rng(0).standard_normal((3, 4))])
    finally:
        gn.backend.set_floatx("float32")
    x = Tensor(np.ones((3, 4), np.float32), requires_grad=True)
    out = make()(x, training=True)
    out.sum().backward()
    assert x.grad.dtype == np.float32 and out.dtype == np.float32


def test_seeds_repeat_and_float64_stays_float64():
    x = np.ones((3, 4), np.float32)
    for cls in (layers.GaussianNoise, layers.GaussianDropout, layers.AlphaDropout):
        np.testing.assert_array_equal(cls(0.3, seed=5)(x, training=True).data, cls(0.3, seed=5)(x, training=True).data)
        gn.utils.set_random_seed(1)
        first = cls(0.3)(x, training=True).data
        gn.utils.set_random_seed(1)
        np.testing.assert_array_equal(first, cls(0.3)(x, training=True).data)
        assert cls(0.3)(Tensor(x.astype(np.float64), dtype=np.float64), training=True).dtype == np.float64


def test_masks_pass_through():
    ids = np.array([[3, 1, 0], [2, 0, 0]])
    x = layers.Embedding(5, 4, mask_zero=True)(ids)
    for layer in (layers.GaussianNoise(0.1), layers.GaussianDropout(0.1), layers.AlphaDropout(0.1)):
        np.testing.assert_array_equal(layer(x, training=True)._keras_mask, ids != 0)


@pytest.mark.parametrize("make, match", [
    (lambda: layers.GaussianNoise(1.5, name="n"), r"GaussianNoise 'n': expected stddev .* \[0, 1\], received 1.5"),
    (lambda: layers.GaussianNoise(-0.1), "stddev"),
    (lambda: layers.GaussianDropout(1.0, name="g"), r"GaussianDropout 'g': expected rate .* \[0, 1\), received 1.0"),
    (lambda: layers.AlphaDropout("0.5"), r"AlphaDropout .*expected rate.*'0.5'"),
    (lambda: layers.AlphaDropout(-0.2), "rate"),
])
def test_bad_arguments_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_configs_round_trip_and_models_save(tmp_path):
    for layer in (layers.GaussianNoise(0.2, seed=1), layers.GaussianDropout(0.3),
                  layers.AlphaDropout(0.1, (None, 1), 4)):
        config = json.loads(json.dumps(layer.get_config()))
        clone = layers.get_layer_class(type(layer).__name__).from_config(config)
        assert clone.get_config() == config
    model = gn.Sequential([layers.Input((6,)), layers.GaussianNoise(0.1), layers.Dense(8, activation="selu"),
                           layers.AlphaDropout(0.1), layers.GaussianDropout(0.2), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).standard_normal((32, 6)).astype(np.float32)
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    model.save(tmp_path / "noise.glassnet")
    loaded = gn.load_model(tmp_path / "noise.glassnet")
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert [type(layer).__name__ for layer in loaded.layers][1:4:2] == ["Dense", "GaussianDropout"]


def test_docstring_examples_run():
    import doctest

    from glassnet.layers import noise
    failed, attempted = doctest.testmod(noise)
    assert attempted >= 9 and failed == 0
