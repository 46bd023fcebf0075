"""Batch and layer normalisation: fused ops against PyTorch, float64 gradients, the layers'
moving statistics, training vs inference, and their life inside models."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import glassnet as gn
from glassnet import layers, ops
from glassnet.layers import BatchNormalization, LayerNormalization
from glassnet.testing import check_gradients, check_layer_gradients

from helpers import compare_with_torch
from layer_harness import layer_test

TOL = dict(rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------- ops vs torch
def test_batch_norm_training_2d_matches_torch():
    compare_with_torch(lambda x, g, b: ops.batch_norm(x, g, b, epsilon=1e-3)[0],
                       lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True, eps=1e-3),
                       [(16, 5), (5,), (5,)], **TOL)


def test_batch_norm_training_channels_last_4d_matches_torch():
    # torch normalises channels-first (N, C, H, W): permute in, normalise, permute back
    compare_with_torch(lambda x, g, b: ops.batch_norm(x, g, b, axis=-1, epsilon=1e-5)[0],
                       lambda x, g, b: F.batch_norm(x.permute(0, 3, 1, 2), None, None, g, b, training=True,
                                                    eps=1e-5).permute(0, 2, 3, 1),
                       [(4, 5, 6, 3), (3,), (3,)], **TOL)


def test_batch_norm_channels_first_axis_and_no_affine_match_torch():
    compare_with_torch(lambda x: ops.batch_norm(x, axis=1, epsilon=1e-3)[0],
                       lambda x: F.batch_norm(x, None, None, training=True, eps=1e-3), [(6, 4, 5)], **TOL)


def test_batch_norm_returns_batch_statistics():
    x = np.random.default_rng(0).standard_normal((10, 2, 3)).astype(np.float32)
    _, mean, var = ops.batch_norm(gn.Tensor(x), axis=-1)
    np.testing.assert_allclose(mean.data, x.mean(axis=(0, 1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(var.data, x.var(axis=(0, 1)), rtol=1e-5, atol=1e-6)  # biased, ddof=0
    assert mean.shape == (3,) and mean.dtype == np.float32 and not mean.requires_grad


def test_batch_norm_inference_matches_torch_running_stats():
    rng = np.random.default_rng(3)
    mean = rng.standard_normal(5).astype(np.float32)
    var = rng.uniform(0.5, 2.0, 5).astype(np.float32)
    compare_with_torch(lambda x, m, v, g, b: ops.batch_norm_inference(x, m, v, g, b, epsilon=1e-3),
                       lambda x, m, v, g, b: F.batch_norm(x, m, v, g, b, training=False, eps=1e-3),
                       [(8, 5), mean, var, (5,), (5,)], wrt=[0, 3, 4], **TOL)


@pytest.mark.parametrize("axis,shape", [(-1, (6,)), ((1, 2), (5, 6))])
def test_layer_norm_matches_torch(axis, shape):
    compare_with_torch(lambda x, g, b: ops.layer_norm(x, g, b, axis=axis, epsilon=1e-3),
                       lambda x, g, b: F.layer_norm(x, shape, g, b, eps=1e-3),
                       [(4, 5, 6), shape, shape], **TOL)


def test_layer_norm_without_affine_matches_torch():
    compare_with_torch(lambda x: ops.layer_norm(x, epsilon=1e-5), lambda x: F.layer_norm(x, (7,), eps=1e-5),
                       [(3, 7)], **TOL)


# ---------------------------------------------------------------------------- float64 gradients
def test_gradients_float64():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 3, 4))
    g4, b4, g3, b3 = (rng.standard_normal(n) for n in (4, 4, 3, 3))
    check_gradients(lambda x, g, b: ops.batch_norm(x, g, b)[0], [x, g4, b4])
    check_gradients(lambda x, g, b: ops.batch_norm(x, g, b, axis=1)[0], [x, g3, b3])
    check_gradients(lambda x, g: ops.batch_norm(x, g, axis=(1, 2))[0], [x, rng.standard_normal((3, 4))])
    check_gradients(lambda x: ops.batch_norm(x)[0], [x])
    check_gradients(lambda x, m, v, g, b: ops.batch_norm_inference(x, m, v, g, b),
                    [x, rng.standard_normal(4), rng.uniform(0.5, 2, 4), g4, b4])
    check_gradients(lambda x, g, b: ops.layer_norm(x, g, b), [x, g4, b4])
    check_gradients(lambda x, g, b: ops.layer_norm(x, g, b, axis=(1, 2)),
                    [x, rng.standard_normal((3, 4)), rng.standard_normal((3, 4))])
    check_gradients(lambda x: ops.layer_norm(x, axis=0), [x])


def test_float32_stays_float32_and_bad_gamma_is_refused():
    x = gn.Tensor(np.ones((4, 3), np.float32), requires_grad=True)
    y, mean, var = ops.batch_norm(x, np.ones(3), np.zeros(3))   # float64 gamma/beta take x's dtype
    assert y.dtype == mean.dtype == var.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
    assert ops.layer_norm(x, np.ones(3)).dtype == np.float32
    with pytest.raises(ValueError, match=r"batch_norm: expected gamma of shape \(3,\)"):
        ops.batch_norm(x, np.ones(4))
    with pytest.raises(ValueError, match="layer_norm: axis 2 is out of range"):
        ops.layer_norm(x, axis=2)


# ---------------------------------------------------------------------------- layers
def test_layer_test_batch_normalization():
    layer_test(BatchNormalization, {}, (8, 5), (8, 5), expected_num_weights=4, expected_num_trainable=2,
               expected_params=20)
    layer = layer_test(BatchNormalization, {"axis": 1, "momentum": 0.9, "epsilon": 1e-5}, (4, 3, 5, 2),
                       (4, 3, 5, 2), expected_num_weights=4, expected_num_trainable=2, expected_params=12)
    assert [p.name.split("/")[1] for p in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [p.name.split("/")[1] for p in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]


def test_layer_test_layer_normalization():
    layer_test(LayerNormalization, {}, (4, 3, 6), (4, 3, 6), expected_num_weights=2, expected_num_trainable=2,
               expected_params=12)
    layer_test(LayerNormalization, {"axis": [1, 2], "center": False}, (4, 3, 6), (4, 3, 6),
               expected_num_weights=1, expected_num_trainable=1, expected_params=18)


def test_batch_normalization_training_mode_gradients_float64():
    gn.backend.set_floatx("float64")
    try:
        layer = BatchNormalization(gamma_initializer="random_normal", beta_initializer="random_normal")
        check_layer_gradients(layer, np.random.default_rng(0).standard_normal((6, 4)), training=True)
    finally:
        gn.backend.set_floatx("float32")


def test_moving_statistics_follow_keras_formula():
    rng = np.random.default_rng(0)
    bn = BatchNormalization(momentum=0.9)
    mm, mv = np.zeros(3, np.float32), np.ones(3, np.float32)
    for step in range(4):
        x = (rng.standard_normal((16, 3)) * [1, 2, 3] + [0, 5, -5]).astype(np.float32)
        y = bn(x, training=True)
        mm = mm * 0.9 + x.mean(axis=0) * 0.1
        mv = mv * 0.9 + x.var(axis=0) * 0.1          # Keras: the biased batch variance
        # in training mode the output uses the batch's statistics
        np.testing.assert_allclose(y.data, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.moving_mean.data, mm, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.data, mv, rtol=1e-5, atol=1e-6)
    assert bn.moving_mean.dtype == np.float32 and not bn.moving_mean.requires_grad
    # torch's running mean agrees with momentum = 1 - 0.9; its running variance is unbiased, so differs
    tbn = torch.nn.BatchNorm1d(3, momentum=0.1, eps=1e-3)
    rng = np.random.default_rng(0)
    for step in range(4):
        tbn(torch.tensor((rng.standard_normal((16, 3)) * [1, 2, 3] + [0, 5, -5]).astype(np.float32)))
    np.testing.assert_allclose(tbn.running_mean.numpy(), mm, rtol=1e-5, atol=1e-6)
    assert not np.allclose(tbn.running_var.numpy(), mv, rtol=1e-4)


def test_inference_uses_moving_statistics_and_torch_agrees():
    rng = np.random.default_rng(1)
    bn = BatchNormalization(epsilon=1e-3)
    x = rng.standard_normal((6, 4, 4, 3)).astype(np.float32)
    bn(x)
    bn.set_weights([rng.uniform(0.5, 2, 3), rng.standard_normal(3), rng.standard_normal(3), rng.uniform(0.5, 2, 3)])
    gamma, beta, mm, mv = bn.get_weights()
    expected = F.batch_norm(torch.tensor(x).permute(0, 3, 1, 2), torch.tensor(mm), torch.tensor(mv),
                            torch.tensor(gamma), torch.tensor(beta), training=False, eps=1e-3).permute(0, 2, 3, 1)
    for training in (None, False):  # training=None means inference, as in Keras
        np.testing.assert_allclose(bn(x, training=training).data, expected.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.data, mm)  # inference leaves the statistics alone


def test_frozen_batch_normalization_runs_in_inference_mode():
    bn = BatchNormalization()
    x = np.random.default_rng(2).standard_normal((8, 3)).astype(np.float32) + 4
    bn(x)
    bn.trainable = False
    np.testing.assert_array_equal(bn(x, training=True).data, bn(x, training=False).data)
    np.testing.assert_array_equal(bn.moving_mean.data, np.zeros(3, np.float32))
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4


def test_axis_and_argument_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"BatchNormalization 'bn': axis 2 is out of range for input of rank 2"):
        BatchNormalization(axis=2, name="bn")(np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match=r"LayerNormalization 'ln': axis -4 is out of range for input of rank 3"):
        LayerNormalization(axis=-4, name="ln")(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="BatchNormalization 'bn2': expected axis to be an int"):
        BatchNormalization(axis="channels", name="bn2")
    with pytest.raises(ValueError, match="expected momentum in"):
        BatchNormalization(momentum=1.5)
    bn = BatchNormalization(name="bn3")
    bn(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError,
                       match=r"BatchNormalization 'bn3': expected input of shape \(2, 4\).*received \(2, 5\)"):
        bn(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="size of axis 1 must be known"):
        BatchNormalization(axis=1)(layers.Input((None, 3)))


def test_config_round_trip_with_regularizers():
    bn = BatchNormalization(axis=[1, 2], momentum=0.9, epsilon=1e-5, center=False,
                            gamma_regularizer="l2", moving_variance_initializer="zeros")
    clone = BatchNormalization.from_config(bn.get_config())
    assert clone.get_config() == bn.get_config()
    clone(np.ones((2, 3, 4), np.float32))
    assert [w.shape for w in clone.weights] == [(3, 4), (3, 4), (3, 4)]
    assert len(clone.losses) == 1  # the gamma penalty


# ---------------------------------------------------------------------------- inside models
def _bn_model(seed=0):
    gn.utils.set_random_seed(seed)
    model = gn.Sequential([layers.Input((4, 4, 2)), BatchNormalization(momentum=0.8), layers.Flatten(),
                           layers.Dense(16, activation="relu"), BatchNormalization(momentum=0.8),
                           layers.Dense(1)])
    model.compile(optimizer=gn.optimizers.Adam(0.01), loss="mse")
    return model


def _bn_data():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((128, 4, 4, 2)) * 3 + 2).astype(np.float32)
    y = (x[:, :2, :2, 0].mean(axis=(1, 2)) - x[:, 2:, 2:, 1].mean(axis=(1, 2)))[:, None].astype(np.float32)
    return x, y


def test_batch_normalization_in_a_model_trains_and_predicts_with_moving_stats():
    model = _bn_model()
    x, y = _bn_data()
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    bn = model.layers[0]
    assert not np.allclose(bn.moving_mean.data, 0)       # fit updated the moving statistics
    moving = [p.data.copy() for p in model.non_trainable_weights]
    predicted = model.predict(x[:8])
    model.evaluate(x, y, verbose=0)
    for p, before in zip(model.non_trainable_weights, moving):  # inference does not update them
        np.testing.assert_array_equal(p.data, before)
    # predict normalises with the moving statistics: it differs from a training-mode call on
    # the same 8 samples, and equals the same call with training=False
    training_out = model(x[:8], training=True).data
    for p, before in zip(model.non_trainable_weights, moving):
        p.data[...] = before  # undo that call's moving update
    assert not np.allclose(predicted, training_out, atol=1e-3)
    np.testing.assert_allclose(predicted, model(x[:8], training=False).data, rtol=1e-5, atol=1e-6)
    # one sample alone gets the same prediction as inside a batch (no dependence on the batch)
    np.testing.assert_allclose(model.predict(x[:1]), predicted[:1], rtol=1e-5, atol=1e-6)


def test_save_load_keeps_moving_statistics(tmp_path):
    model = _bn_model()
    x, y = _bn_data()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    path = tmp_path / "bn.glassnet"
    model.save(path)
    loaded = gn.load_model(path)
    for a, b in zip(model.weights, loaded.weights):
        assert a.name == b.name
        np.testing.assert_array_equal(a.data, b.data)
    assert len(loaded.trainable_weights) == len(model.trainable_weights) == 2 + 2 + 2 + 2
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    lines = []
    loaded.summary(print_fn=lines.append)
    text = "\n".join(lines)
    # BN over 2 channels: 8 params, 4 non-trainable; BN over 16 features: 64, 32 non-trainable
    assert "Non-trainable params: 36 " in text and "Total params: 617 " in text


def test_layer_normalization_in_a_functional_model_trains():
    gn.utils.set_random_seed(0)
    inp = layers.Input((5, 3))
    h = LayerNormalization()(layers.Dense(8, activation="tanh")(inp))
    out = layers.Dense(1)(layers.Flatten()(h))
    model = gn.Model(inp, out)
    model.compile(optimizer=gn.optimizers.Adam(0.01), loss="mse")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 5, 3)).astype(np.float32)
    y = x.sum(axis=(1, 2))[:, None]
    losses = model.fit(x, y, epochs=10, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    np.testing.assert_allclose(model.predict(x[:4]), model(x[:4], training=True).data, rtol=1e-5, atol=1e-5)
