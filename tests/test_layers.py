"""Every layer of this issue through the harness, plus layer-specific behaviour."""
import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from layer_harness import layer_test


@pytest.mark.parametrize("cls,kwargs,in_shape,out_shape,n_weights,n_params", [
    (layers.Dense, {"units": 3}, (4, 5), (4, 3), 2, 5 * 3 + 3),
    (layers.Dense, {"units": 3, "activation": "tanh", "use_bias": False}, (4, 5), (4, 3), 1, 15),
    (layers.Dense, {"units": 2, "activation": "sigmoid"}, (2, 3, 4), (2, 3, 2), 2, 10),  # applies on last axis
    (layers.Activation, {"activation": "elu"}, (4, 5), (4, 5), 0, 0),
    (layers.Flatten, {}, (2, 3, 4), (2, 12), 0, 0),
    (layers.Reshape, {"target_shape": (2, 6)}, (2, 3, 4), (2, 2, 6), 0, 0),
    (layers.Reshape, {"target_shape": (-1, 3)}, (2, 12), (2, 4, 3), 0, 0),
    (layers.LeakyReLU, {"negative_slope": 0.1}, (4, 5), (4, 5), 0, 0),
    (layers.ELU, {"alpha": 0.5}, (4, 5), (4, 5), 0, 0),
    (layers.ReLU, {}, (4, 5), (4, 5), 0, 0),
    (layers.ReLU, {"max_value": 0.5, "negative_slope": 0.1, "threshold": 0.2}, (4, 5), (4, 5), 0, 0),
    (layers.Softmax, {}, (4, 5), (4, 5), 0, 0),
    (layers.PReLU, {"alpha_initializer": "ones"}, (4, 5), (4, 5), 1, 5),
    (layers.PReLU, {"shared_axes": [1]}, (2, 3, 4), (2, 3, 4), 1, 4),
    (layers.Maxout, {"units": 3, "pieces": 4}, (4, 5), (4, 3), 2, 5 * 12 + 12),
    (layers.Dropout, {"rate": 0.5}, (4, 5), (4, 5), 0, 0),
])
def test_layer_harness(cls, kwargs, in_shape, out_shape, n_weights, n_params):
    # PReLU with zero alpha has a kink exactly where the gradient check probes; start it at 1
    layer_test(cls, kwargs, in_shape, out_shape, expected_num_weights=n_weights, expected_params=n_params,
               train=n_params > 0 or cls is layers.Dropout)


def test_dense_parameter_count_is_course_formula():
    # a dense layer with m inputs and n units has n(m + 1) parameters
    m, n = 784, 360
    layer = layers.Dense(n)
    layer(np.zeros((1, m), np.float32))
    assert layer.count_params() == n * (m + 1)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (m, n) and bias.shape == (n,)  # Keras layout


def test_dense_rejects_wrong_input_size_with_clear_error():
    layer = layers.Dense(4, name="hidden")
    layer(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"hidden.*last axis 3.*\(2, 5\)"):
        layer(np.zeros((2, 5), np.float32))


def test_dense_config_errors_name_the_layer():
    with pytest.raises(ValueError, match="units"):
        layers.Dense(0)
    with pytest.raises(TypeError, match="unexpected argument"):
        layers.Dense(3, nonsense=1)
    with pytest.raises(ValueError, match="activation"):
        layers.Dense(3, activation="nope")


def test_dropout_training_vs_inference():
    layer = layers.Dropout(0.25, seed=1)
    x = np.ones((200, 50), np.float32)
    assert np.array_equal(layer(x, training=False).data, x)
    y = layer(x, training=True).data
    kept = y != 0
    assert 0.7 < kept.mean() < 0.8                       # about 1 - rate kept
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)  # inverted dropout scaling
    assert y.dtype == np.float32


def test_dropout_gradient_is_masked():
    layer = layers.Dropout(0.5, seed=3)
    x = gn.Tensor(np.ones((10, 10)), requires_grad=True)
    y = layer(x, training=True)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # d(sum)/dx = mask / (1 - rate)


def test_trainable_false_freezes_weights():
    model = gn.Sequential([layers.Input((3,)), layers.Dense(4, name="frozen"), layers.Dense(1)])
    model.get_layer("frozen").trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_layer("frozen").get_weights()
    model.train_on_batch(np.ones((4, 3), np.float32), np.ones((4, 1), np.float32))
    for b, a in zip(before, model.get_layer("frozen").get_weights()):
        np.testing.assert_array_equal(b, a)


def test_set_weights_checks_count_and_shapes():
    layer = layers.Dense(2, name="d")
    layer(np.zeros((1, 3), np.float32))
    with pytest.raises(ValueError, match="expected 2 weight arrays"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"d/kernel expects shape \(3, 2\), received \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])


def test_lambda_layer_with_glassnet_ops():
    layer = layers.Lambda(lambda t: gn.ops.square(t) * 2.0)
    x = gn.Tensor(np.array([[1.0, -2.0]]), requires_grad=True)
    y = layer(x)
    y.sum().backward()
    np.testing.assert_allclose(y.data, [[2.0, 8.0]])
    np.testing.assert_allclose(x.grad, [[4.0, -8.0]])
    named = layers.Lambda(gn.ops.tanh)
    assert named.get_config()["function"] == "tanh"
    assert layers.Lambda.from_config(named.get_config()).function is gn.ops.tanh


def test_maxout_is_max_over_pieces():
    layer = layers.Maxout(2, pieces=3)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    out = layer(x).data
    kernel, bias = layer.get_weights()
    z = (x @ kernel + bias).reshape(5, 2, 3)
    np.testing.assert_allclose(out, z.max(axis=-1), rtol=1e-6)


def test_activity_and_weight_regularizers_add_to_loss():
    layer = layers.Dense(2, kernel_regularizer=gn.regularizers.L2(0.5), activity_regularizer="l1",
                         kernel_initializer="ones", bias_initializer="zeros")
    x = np.ones((3, 4), np.float32)
    out = layer(x)
    penalties = [float(p.data) for p in layer.losses]
    # Keras 3's order: add_loss terms (the activity penalty, per sample: / batch of 3), then weights
    assert penalties[0] == pytest.approx(0.01 * np.abs(out.data).sum() / 3)
    assert penalties[1] == pytest.approx(0.5 * 8)                 # l2 * sum(w^2), 8 ones


def test_default_names_are_unique():
    gn.backend.clear_session()
    names = [layers.Dense(1).name for _ in range(3)]
    assert names == ["dense", "dense_1", "dense_2"]


def test_build_called_by_hand_builds_and_gives_the_output_shape():
    # Keras: calling build() yourself leaves the layer built, so its weights can be counted
    dense = layers.Dense(3)
    dense.build((None, 5))
    assert dense.built and dense.count_params() == 18
    assert dense.input_shape == (None, 5) and dense.output_shape == (None, 3)
