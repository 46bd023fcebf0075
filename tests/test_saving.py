"""Saving and loading: round trips, optimizer state, atomic writes, hostile and corrupt files."""
import io
import json
import zipfile

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.models import ModelFileError, load_model


def trained_model(seed=0):
    gn.utils.set_random_seed(seed)
    model = gn.Sequential([layers.Input((6,)), layers.Dense(8, activation="relu", kernel_regularizer="l2"),
                           layers.Dropout(0.1), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=gn.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((40, 6)).astype(np.float32)
    y = rng.integers(0, 3, 40)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    return model, x, y


def test_round_trip_predicts_identically_and_resumes_training(tmp_path):
    model, x, y = trained_model()
    path = tmp_path / "model.glassnet"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(model.predict(x), loaded.predict(x))
    assert [type(l) for l in loaded.layers] == [type(l) for l in model.layers]
    assert loaded.get_layer(index=0).get_config() == model.get_layer(index=0).get_config()
    # optimizer state (Adam moments, iteration count) came back: the next step is identical
    gn.utils.set_random_seed(5)
    a = model.train_on_batch(x[:8], y[:8])
    gn.utils.set_random_seed(5)
    b = loaded.train_on_batch(x[:8], y[:8])
    assert a == b
    for w1, w2 in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(w1, w2)


def test_functional_model_round_trip(tmp_path):
    a, b = layers.Input((3,), name="left"), layers.Input((2,), name="right")
    h = layers.Concatenate()([layers.Dense(4, activation="tanh")(a), b])
    out = layers.Dense(1, activation="sigmoid")(h)
    model = gn.Model([a, b], out)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    xa, xb = np.ones((5, 3), np.float32), np.zeros((5, 2), np.float32)
    model.save(tmp_path / "f.glassnet")
    loaded = load_model(tmp_path / "f.glassnet")
    assert loaded.input_names == ["left", "right"]
    np.testing.assert_array_equal(model.predict([xa, xb]), loaded.predict([xa, xb]))


def test_weights_only_round_trip(tmp_path):
    model, x, _ = trained_model()
    model.save_weights(tmp_path / "w.npz")
    fresh, _, _ = trained_model(seed=1)
    fresh.load_weights(tmp_path / "w.npz")
    np.testing.assert_array_equal(model.predict(x), fresh.predict(x))


def test_lambda_needs_a_name_and_custom_objects(tmp_path):
    def double(t):
        return t * 2.0

    model = gn.Sequential([layers.Input((2,)), layers.Lambda(double), layers.Lambda(gn.ops.tanh)])
    model.save(tmp_path / "l.glassnet")
    with pytest.raises(ModelFileError, match="double"):
        load_model(tmp_path / "l.glassnet")
    loaded = load_model(tmp_path / "l.glassnet", custom_objects={"double": double})
    x = np.ones((1, 2), np.float32)
    np.testing.assert_allclose(loaded.predict(x), np.tanh(2 * x), rtol=1e-6)
    anonymous = gn.Sequential([layers.Input((2,)), layers.Lambda(lambda t: t)])
    with pytest.raises(ValueError, match="anonymous lambda"):
        anonymous.save(tmp_path / "anon.glassnet")
    assert not (tmp_path / "anon.glassnet").exists()


def test_failed_save_leaves_previous_file_intact(tmp_path, monkeypatch):
    model, _, _ = trained_model()
    path = tmp_path / "m.glassnet"
    model.save(path)
    original = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["m.glassnet"]  # no temporary file left behind


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "empty"])
def test_corrupt_files_raise_clear_error(tmp_path, damage):
    model, _, _ = trained_model()
    path = tmp_path / "m.glassnet"
    model.save(path)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(b"not a model at all" * 10)
    elif damage == "flip":
        for i in range(len(data) // 3, len(data) // 3 + 40):
            data[i] ^= 0xFF
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=str(path.name)):
        load_model(path)


def _rewrite(path, member, content):
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members[member] = content
    with zipfile.ZipFile(path, "w") as z:
        for n, c in members.items():
            z.writestr(n, c)


def test_hostile_files_are_refused_without_running_code(tmp_path):
    model, _, _ = trained_model()
    path = tmp_path / "m.glassnet"
    model.save(path)
    # a pickled object array inside the weights: np.load(allow_pickle=False) refuses it
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("dense/kernel.npy", buffer.getvalue())
    _rewrite(path, "weights.npz", evil.getvalue())
    with pytest.raises(ModelFileError, match="pickle"):
        load_model(path)
    # a config naming something that is not a glassnet layer class
    model.save(path)
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
    config["config"]["layers"][0]["class_name"] = "os.system"
    _rewrite(path, "config.json", json.dumps(config))
    with pytest.raises(ModelFileError, match="unknown layer class 'os.system'"):
        load_model(path)


def test_wrong_weight_shapes_are_reported(tmp_path):
    model, _, _ = trained_model()
    path = tmp_path / "m.glassnet"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        weights = dict(np.load(io.BytesIO(z.read("weights.npz"))))
    name = next(iter(weights))
    weights[name] = np.zeros((2, 2), np.float32)
    buffer = io.BytesIO()
    np.savez(buffer, **weights)
    _rewrite(path, "weights.npz", buffer.getvalue())
    with pytest.raises(ModelFileError, match=f"{name} expects"):
        load_model(path)
