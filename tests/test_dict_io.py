"""Functional models with dict inputs and dict outputs (Keras 3's ``Model({...}, {...})``)."""
import numpy as np
import pytest

import glassnet as gn
from glassnet import layers


def _dict_model(seed=0):
    gn.utils.set_random_seed(seed)
    a = gn.Input((3,), name="in_a")
    b = gn.Input((2,), name="in_b")
    h = layers.Dense(8, activation="relu")(layers.Concatenate()([a, b]))
    score = layers.Dense(1, name="score_layer")(h)
    label = layers.Dense(3, activation="softmax", name="label_layer")(h)
    return gn.Model({"x1": a, "x2": b}, {"score": score, "label": label})


def _data(n=64):
    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(size=(n, 3)).astype("float32"), rng.normal(size=(n, 2)).astype("float32")
    return {"x1": x1, "x2": x2}, {"score": x1.sum(axis=1, keepdims=True), "label": (x2[:, 0] > 0).astype(int)}


def test_names_come_from_the_dict_keys():
    model = _dict_model()
    assert model.input_names == ["x1", "x2"]
    assert model.output_names == ["score", "label"]


def test_fit_evaluate_predict_with_dicts():
    model = _dict_model()
    x, y = _data()
    model.compile("adam", loss={"score": "mse", "label": "sparse_categorical_crossentropy"},
                  loss_weights={"score": 1.0, "label": 0.5}, metrics={"label": ["accuracy"], "score": ["mae"]})
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert "label_accuracy" in history.history and "score_mae" in history.history
    out = model.predict(x, verbose=0)
    assert isinstance(out, dict) and set(out) == {"score", "label"}
    assert out["score"].shape == (64, 1) and out["label"].shape == (64, 3)
    np.testing.assert_allclose(out["label"].sum(axis=1), 1.0, rtol=1e-5)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    # each output's own loss too, as Keras 3 logs it; the total weighs them by loss_weights
    assert set(logs) == {"loss", "score_loss", "label_loss", "score_mae", "label_accuracy"}
    assert logs["loss"] == pytest.approx(logs["score_loss"] + 0.5 * logs["label_loss"], rel=1e-4)
    assert "val_label_loss" not in history.history and "label_loss" in history.history
    single = model.predict_on_batch({"x1": x["x1"][:2], "x2": x["x2"][:2]})
    np.testing.assert_allclose(single["score"], out["score"][:2], rtol=1e-5, atol=1e-6)


def test_loss_weights_dict_weighs_each_output():
    x, y = _data(16)
    totals = []
    for w in (0.0, 1.0):
        model = _dict_model(seed=3)
        model.compile("sgd", loss={"score": "mse", "label": "sparse_categorical_crossentropy"},
                      loss_weights={"score": 1.0, "label": w})
        totals.append(model.evaluate(x, y, verbose=0, return_dict=True))
    model = _dict_model(seed=3)
    model.compile("sgd", loss={"score": None, "label": "sparse_categorical_crossentropy"})
    label_only = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(label_only) == {"loss", "label_loss"}   # no score_loss: that output has no loss
    assert totals[1]["loss"] == pytest.approx(totals[0]["loss"] + label_only["loss"], rel=1e-5)
    assert totals[0]["label_loss"] == pytest.approx(label_only["loss"], rel=1e-5)  # before loss_weights


def test_missing_keys_are_named():
    model = _dict_model()
    x, y = _data(8)
    model.compile("adam", loss={"score": "mse", "label": "sparse_categorical_crossentropy"})
    with pytest.raises(ValueError, match=r"missing \['label'\]"):
        model.fit(x, {"score": y["score"]}, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"missing \['x2'\]"):
        model.predict({"x1": x["x1"]})
    with pytest.raises(ValueError, match="loss keys must be output names"):
        model.compile("adam", loss={"score_layer": "mse", "label_layer": "mse"})


def test_dict_model_config_round_trip(tmp_path):
    model = _dict_model()
    x, _ = _data(4)
    clone = gn.Model.from_config(model.get_config())
    assert clone.input_names == ["x1", "x2"] and clone.output_names == ["score", "label"]
    model.compile("adam", loss="mse")
    path = tmp_path / "m.glassnet"
    model.save(path)
    loaded = gn.models.load_model(path)
    before, after = model.predict(x, verbose=0), loaded.predict(x, verbose=0)
    assert set(after) == {"score", "label"}
    np.testing.assert_allclose(after["label"], before["label"], rtol=1e-6)
