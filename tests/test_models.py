"""Sequential and functional models: building, shapes, summary, Keras API surface."""
import numpy as np
import pytest

import glassnet as gn
from glassnet import layers


def quickstart():
    return gn.Sequential([
        layers.Input((28, 28)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])


def test_sequential_builds_from_input_and_counts_params():
    model = quickstart()
    assert model.built
    assert model.count_params() == 784 * 128 + 128 + 128 * 10 + 10
    assert [l.name.split("_")[0] for l in model.layers] == ["flatten", "dense", "dropout", "dense"]
    assert model.layer_output_shapes()[-1] == (None, 10)


def test_sequential_add_and_input_dim_and_deferred_build():
    model = gn.Sequential()
    model.add(layers.Dense(8, input_dim=4, activation="relu"))
    model.add(layers.Dense(3))
    assert model.built and model.count_params() == 4 * 8 + 8 + 8 * 3 + 3
    deferred = gn.Sequential([layers.Dense(5), layers.Dense(2)])
    assert not deferred.built
    out = deferred(np.zeros((7, 3), np.float32))
    assert out.shape == (7, 2) and deferred.built and deferred.count_params() == 3 * 5 + 5 + 5 * 2 + 2


def test_sequential_rejects_incompatible_layer_with_clear_error():
    model = gn.Sequential([layers.Input((4,)), layers.Reshape((2, 2))])
    with pytest.raises(ValueError, match=r"cannot take input of shape \(None, 2, 2\)"):
        model.add(layers.Reshape((3, 3)))
    assert len(model.layers) == 1  # the failed layer was not kept


def test_summary_lists_shapes_and_counts():
    lines = []
    quickstart().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "(None, 784)" in text and "(None, 10)" in text
    assert "100,480" in text and "1,290" in text
    assert "Total params: 101,770" in text and "Non-trainable params: 0" in text


def test_functional_two_inputs_concatenate():
    a, b = layers.Input((3,), name="a"), layers.Input((5,), name="b")
    joined = layers.Concatenate()([a, b])
    out = layers.Dense(1, name="out")(layers.Dense(4, activation="relu")(joined))
    model = gn.Model(inputs=[a, b], outputs=out)
    assert isinstance(model, gn.Model) and model.input_names == ["a", "b"]
    assert joined.shape == (None, 8)
    xa, xb = np.ones((6, 3), np.float32), np.ones((6, 5), np.float32)
    assert model.predict([xa, xb]).shape == (6, 1)
    assert model.predict({"a": xa, "b": xb}).shape == (6, 1)
    with pytest.raises(ValueError, match=r"input 'b' expects shape \(None, 5\), received \(6, 4\)"):
        model.predict([xa, np.ones((6, 4), np.float32)])
    lines = []
    model.summary(print_fn=lines.append)
    assert "Connected to" in lines[2] and "a[0], b[0]" in "\n".join(lines)


def test_functional_multi_output_training():
    inp = layers.Input((4,))
    h = layers.Dense(8, activation="relu")(inp)
    cls_out = layers.Dense(3, activation="softmax", name="cls")(h)
    reg_out = layers.Dense(1, name="reg")(h)
    model = gn.Model(inp, [cls_out, reg_out])
    model.compile(optimizer="adam", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  loss_weights=[1.0, 0.5], metrics={"cls": ["accuracy"]})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    history = model.fit(x, [rng.integers(0, 3, 64), x.sum(1, keepdims=True)], epochs=2, verbose=0)
    assert set(history.history) >= {"loss", "cls_accuracy"}
    outs = model.predict(x)
    assert isinstance(outs, list) and outs[0].shape == (64, 3) and outs[1].shape == (64, 1)


def test_shared_layer_gets_summed_gradients():
    inp = layers.Input((2,))
    shared = layers.Dense(2, use_bias=False, kernel_initializer="ones")
    out = layers.Add()([shared(inp), shared(inp)])
    model = gn.Model(inp, out)
    assert len(model.trainable_weights) == 1
    x = gn.Tensor(np.array([[1.0, 2.0]]))
    model(x).sum().backward()
    np.testing.assert_allclose(shared.kernel.grad, 2 * np.array([[1.0, 1.0], [2.0, 2.0]]))


def test_subclassed_model_tracks_layers():
    class TwoLayer(gn.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(6, activation="tanh")
            self.out = layers.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

    model = TwoLayer()
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((5, 3), np.float32)
    model.fit(x, np.zeros((5, 1), np.float32), epochs=1, verbose=0)
    assert len(model.trainable_weights) == 4 and model.predict(x).shape == (5, 1)


def test_get_layer_and_weights_round_trip():
    model = quickstart()
    dense = model.get_layer(index=1)
    assert model.get_layer(dense.name) is dense
    with pytest.raises(ValueError, match="no layer named"):
        model.get_layer("missing")
    weights = model.get_weights()
    other = quickstart()
    other.set_weights(weights)
    x = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x), other.predict(x), rtol=1e-6)
