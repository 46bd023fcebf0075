"""Models used as layers inside other models: symbolic and eager calls, shared weights, the
training flag, summary rows, config and file round trips, and freezing."""
import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.layers import BatchNormalization
from glassnet.models import ModelFileError, load_model, model_from_config


class Probe(layers.Layer):
    """Records the ``training`` flag it receives (identity otherwise)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


def block(width=4, name="block"):
    """A residual-style inner block: Dense -> BN -> ReLU -> Dense, same width in and out."""
    return gn.Sequential([layers.Input((width,)), layers.Dense(8), BatchNormalization(momentum=0.5),
                          layers.Activation("relu"), layers.Dense(width)], name=name)


def resnet(seed=0):
    """A functional model with a skip connection around a nested Sequential block."""
    gn.utils.set_random_seed(seed)
    inner = block()
    inp = layers.Input((4,), name="x")
    h = layers.Add()([inp, inner(inp)])
    out = layers.Dense(1, name="head")(layers.Activation("relu")(h))
    return gn.Model(inp, out, name="resnet"), inner


def data(n=96):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = (np.abs(x[:, :1]) + x[:, 1:2] * x[:, 2:3]).astype(np.float32)
    return x, y


def test_nested_sequential_in_functional_graph_trains_and_round_trips(tmp_path):
    model, inner = resnet()
    assert inner in model.layers
    # weights collected once: block's 2 Dense (kernel, bias) + BN 4, plus the head's 2
    assert len(model.weights) == 4 + 4 + 2
    assert len(model.trainable_weights) == 4 + 2 + 2
    model.compile(optimizer=gn.optimizers.Adam(0.01), loss="mse")
    x, y = data()
    losses = model.fit(x, y, epochs=6, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.7 * losses[0]
    bn = inner.layers[1]
    assert not np.allclose(bn.moving_mean.data, 0)  # training=True reached the nested BN
    path = tmp_path / "resnet.glassnet"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    nested = loaded.get_layer("block")
    assert isinstance(nested, gn.Sequential) and [type(l) for l in nested.layers] == [type(l) for l in inner.layers]
    assert [p.name for p in loaded.weights] == [p.name for p in model.weights]
    # training resumes identically (optimizer state and moving statistics came back)
    a, b = model.train_on_batch(x[:16], y[:16]), loaded.train_on_batch(x[:16], y[:16])
    assert a == pytest.approx(b, rel=1e-6)


def test_functional_model_inside_sequential_and_eager_calls():
    gn.utils.set_random_seed(1)
    a = layers.Input((3,))
    inner = gn.Model(a, layers.Dense(5, activation="tanh")(a), name="encoder")
    outer = gn.Sequential([layers.Input((3,)), inner, layers.Dense(2)])
    x = np.random.default_rng(0).standard_normal((7, 3)).astype(np.float32)
    out = outer(x)
    assert out.shape == (7, 2)
    np.testing.assert_allclose(out.data, outer.layers[1](inner(x)).data, rtol=1e-6)
    assert outer.count_params() == 3 * 5 + 5 + 5 * 2 + 2
    # a deferred Sequential (no input shape) built by its first eager call, nested inside
    deferred = gn.Sequential([gn.Sequential([layers.Dense(4), layers.Dense(3)]), layers.Dense(1)])
    assert deferred(x).shape == (7, 1) and deferred.built and deferred.layers[0].built
    # the same Sequential reused as a layer of a functional model, symbolically
    b = layers.Input((3,))
    again = gn.Model(b, outer(b))
    np.testing.assert_allclose(again.predict(x), outer.predict(x), rtol=1e-6)
    assert again.count_params() == outer.count_params()


def test_shared_inner_model_weights_counted_once_and_gradients_add():
    gn.utils.set_random_seed(2)
    shared = gn.Sequential([layers.Input((4,)), layers.Dense(3)], name="tower")
    left, right = layers.Input((4,), name="left"), layers.Input((4,), name="right")
    out = layers.Subtract()([shared(left), shared(right)])
    siamese = gn.Model([left, right], out)
    assert len(siamese.weights) == 2 and siamese.count_params() == 15
    xl = gn.Tensor(np.ones((2, 4), np.float32))
    xr = gn.Tensor(np.full((2, 4), 3.0, np.float32))
    siamese([xl, xr]).sum().backward()
    kernel = shared.layers[0].kernel
    np.testing.assert_allclose(kernel.grad, np.full((4, 3), 2 * (1 - 3), np.float32))  # both uses add up
    lines = []
    siamese.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "tower (Sequential)" in text and "left[0]" in text and "right[0]" in text


def test_training_flag_reaches_nested_layers():
    probe_inner, probe_deep = Probe(), Probe()
    deep = gn.Sequential([layers.Input((2,)), probe_deep])
    a = layers.Input((2,))
    inner = gn.Model(a, deep(probe_inner(a)))
    inp = layers.Input((2,))
    model = gn.Model(inp, layers.Dense(1)(inner(inp)))
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)

    def seen(fn):
        probe_inner.seen.clear()
        probe_deep.seen.clear()
        fn()
        return set(probe_inner.seen), set(probe_deep.seen)

    assert seen(lambda: model.fit(x, y, epochs=1, batch_size=2, verbose=0)) == ({True}, {True})
    assert seen(lambda: model.train_on_batch(x, y)) == ({True}, {True})
    assert seen(lambda: model.evaluate(x, y, verbose=0)) == ({False}, {False})
    assert seen(lambda: model.predict(x)) == ({False}, {False})
    assert seen(lambda: model(x)) == ({None}, {None})
    assert seen(lambda: model(x, training=True)) == ({True}, {True})


def test_explicit_training_argument_in_graph_wins():
    inp = layers.Input((100,))
    out = layers.Dropout(0.5, seed=0)(inp, training=True)  # Monte-Carlo dropout: also at inference
    model = gn.Model(inp, out)
    assert (model.predict(np.ones((2, 100), np.float32)) == 0).any()
    assert model.get_config()["layers"][1]["inbound_nodes"][0]["kwargs"] == {"training": True}


def test_summary_lists_nested_model_as_one_row_with_totals():
    model, inner = resnet()
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    block_row = next(line for line in lines if line.startswith("block (Sequential)"))
    # Dense 4->8 (40) + BN over 8 (32) + Dense 8->4 (36) = 108
    assert "(None, 4)" in block_row and "108" in block_row
    assert "dense" not in text.split("block (Sequential)")[1].split("add")[0]  # its layers are not listed
    assert "Total params: 113 " in text and "Trainable params: 97 " in text and "Non-trainable params: 16 " in text
    lines = []
    model.summary(print_fn=lines.append, expand_nested=True, show_trainable=True)
    text = "\n".join(lines)
    assert "| batch_normalization" in text and "Trainable" in lines[2]


def test_freezing_the_inner_model(tmp_path):
    model, inner = resnet()
    inner.trainable = False
    assert all(not p.requires_grad for p in inner.weights)
    assert len(model.trainable_weights) == 2  # only the head
    model.compile(optimizer=gn.optimizers.Adam(0.01), loss="mse")
    before = inner.get_weights()
    head = model.get_layer("head").kernel.data.copy()
    x, y = data(32)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    for b, a in zip(before, inner.get_weights()):  # kernels and BN moving statistics unchanged
        np.testing.assert_array_equal(b, a)
    assert not np.array_equal(head, model.get_layer("head").kernel.data)
    lines = []
    model.summary(print_fn=lines.append)
    assert any(line.startswith("Non-trainable params: 108 ") for line in lines)
    model.save(tmp_path / "frozen.glassnet")
    loaded = load_model(tmp_path / "frozen.glassnet")
    assert loaded.get_layer("block").trainable is False and len(loaded.trainable_weights) == 2
    inner.trainable = True
    assert len(model.trainable_weights) == 8


def test_get_config_round_trip_and_from_config():
    model, inner = resnet()
    config = json.loads(json.dumps(model.get_config()))
    entry = next(e for e in config["layers"] if e["name"] == "block")
    assert entry["class_name"] == "Sequential" and len(entry["config"]["layers"]) == 4
    clone = gn.Model.from_config(config)
    assert isinstance(clone, gn.models.Functional) and clone.get_config() == config
    assert type(model).from_config(config).get_config() == config
    clone.set_weights(model.get_weights())
    x, _ = data(8)
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)
    seq = gn.Sequential([layers.Input((4,)), block(name="b2"), layers.Dense(2)])
    seq_config = json.loads(json.dumps(seq.get_config()))
    assert gn.Sequential.from_config(seq_config).get_config() == seq_config


def test_nested_functional_with_two_inputs_in_functional_model(tmp_path):
    gn.utils.set_random_seed(3)
    a, b = layers.Input((3,)), layers.Input((2,))
    merge = gn.Model([a, b], layers.Dense(4, activation="relu")(layers.Concatenate()([a, b])), name="merge")
    xa, xb = layers.Input((3,), name="xa"), layers.Input((2,), name="xb")
    outer = gn.Model([xa, xb], layers.Dense(1)(merge([xa, xb])))
    ra = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    rb = np.random.default_rng(1).standard_normal((5, 2)).astype(np.float32)
    outer.compile(optimizer="sgd", loss="mse")
    outer.fit([ra, rb], np.zeros((5, 1), np.float32), epochs=1, verbose=0)
    outer.save(tmp_path / "two.glassnet")
    loaded = load_model(tmp_path / "two.glassnet")
    np.testing.assert_array_equal(loaded.predict([ra, rb]), outer.predict([ra, rb]))
    assert isinstance(loaded.get_layer("merge"), gn.models.Functional)


def test_shape_mismatch_names_the_nested_model():
    inner = block(name="blk")
    with pytest.raises(ValueError,
                       match=r"Sequential 'blk': expected input of shape \(None, 4\), received \(None, 5\)"):
        inner(layers.Input((5,)))
    a = layers.Input((4,))
    f = gn.Model(a, layers.Dense(2)(a), name="f")
    with pytest.raises(ValueError, match=r"Model 'f': input '.*' expects shape \(None, 4\), received \(None, 6\)"):
        f(layers.Input((6,)))


def test_hostile_nesting_is_refused():
    config = {"class_name": "Sequential", "config": {"name": "leaf", "layers": []}}
    for i in range(40):
        config = {"class_name": "Sequential", "config": {"name": f"s{i}", "layers": [config]}}
    with pytest.raises(ModelFileError, match="nested more than"):
        model_from_config(config)
    with pytest.raises(ModelFileError, match="config.input_shape: expected null or a shape.*found str 'x'"):
        model_from_config({"class_name": "Sequential", "config": {"name": "s", "input_shape": "x", "layers": []}})
