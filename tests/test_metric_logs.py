"""Log keys named as the user wrote the metric (Keras 2's ``'acc'`` gives ``acc``/``val_acc``),
and metrics whose result is a vector (``Precision``/``Recall`` with several thresholds) in
logs, the progress bar, ``History``, ``evaluate`` and ``CSVLogger``, as Keras 3 has them."""
from __future__ import annotations

import csv
import re
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, metrics


def _data():
    rng = np.random.default_rng(0)
    x = rng.random((48, 3)).astype("float32")
    return x, (x[:, 0] > 0.5).astype("float32")


def _model(metric_list):
    gn.utils.set_random_seed(0)
    model = gn.Sequential([gn.Input((3,)), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=metric_list)
    return model


@pytest.mark.parametrize("spelling,keys", [
    ("acc", {"loss", "acc", "val_loss", "val_acc"}),
    ("accuracy", {"loss", "accuracy", "val_loss", "val_accuracy"}),
    ("ACC", {"loss", "ACC", "val_loss", "val_ACC"}),
])
def test_history_keys_follow_the_spelling(spelling, keys):
    x, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = _model([spelling]).fit(x, y, epochs=2, verbose=0, validation_split=0.25)
    assert set(history.history) == keys
    assert all(0.0 <= v <= 1.0 for v in history.history[[k for k in keys if "acc" in k.lower()][0]])


def test_acc_spelling_warns_once_naming_accuracy():
    from glassnet import compat
    compat._warned.discard("metrics=['acc']")  # warned once per process: forget earlier tests'
    with pytest.warns(Warning, match=r"metrics=\['acc'\] is a Keras 2 spelling.*'accuracy'"):
        _model(["acc"])


def test_vector_metrics_in_logs_history_and_evaluate(capsys, tmp_path):
    x, y = _data()
    model = _model([metrics.Precision(thresholds=[0.3, 0.7]), metrics.Recall(thresholds=[0.2, 0.5, 0.8]),
                    "accuracy"])
    log_file = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=2, validation_split=0.25,
                        callbacks=[gn.callbacks.CSVLogger(str(log_file))])
    precision = history.history["precision"]
    assert len(precision) == 2 and all(isinstance(v, np.ndarray) and v.shape == (2,) for v in precision)
    assert history.history["val_recall"][0].shape == (3,)
    assert isinstance(history.history["accuracy"][0], float)
    # the printed value is the vector's mean, as Keras's progress bar prints it
    out = capsys.readouterr().out
    shown = float(re.search(r" - precision: ([\d.]+)", out.split("Epoch 2/2")[1]).group(1))
    assert shown == pytest.approx(float(precision[1].mean()), abs=1e-4)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["recall"].shape == (3,) and np.all((0 <= logs["recall"]) & (logs["recall"] <= 1))
    # recall can only fall as the threshold rises
    assert logs["recall"][0] >= logs["recall"][1] >= logs["recall"][2]
    # the same numbers as the metric computed by hand on the predictions
    ref = metrics.Recall(thresholds=[0.2, 0.5, 0.8])
    ref.update_state(y, model.predict(x, verbose=0))
    np.testing.assert_allclose(logs["recall"], np.asarray(ref.result()), rtol=1e-6)
    rows = list(csv.reader(open(log_file)))
    column = rows[0].index("precision")
    assert rows[1][column].startswith("[") and rows[1][column].count(",") == 1


def test_vector_from_custom_train_step_is_logged():
    class Step(gn.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1, activation="sigmoid")
            self.prec = metrics.Precision(thresholds=[0.25, 0.75], name="p")

        def call(self, x, training=None):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            with gn.GradientTape() as tape:
                pred = self(x, training=True)
                loss = self.compute_loss(x, y, pred)
            self.optimizer.apply(tape.gradient(loss, self.trainable_weights), self.trainable_weights)
            self.prec.update_state(y, pred)
            return {"loss": loss, "p": self.prec.result()}

    x, y = _data()
    model = Step()
    model.compile("adam", "binary_crossentropy")
    history = model.fit(x, y, epochs=1, verbose=0)
    assert history.history["p"][0].shape == (2,)
