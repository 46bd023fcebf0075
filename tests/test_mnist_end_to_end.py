"""The issue's acceptance run: the Keras quick-start network learns real MNIST in one epoch."""
import os
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers

DATA = Path(os.environ.get("GLASSNET_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.mark.skipif(not (DATA / "mnist").is_dir(), reason=f"MNIST files not found under {DATA}")
def test_quickstart_mlp_reaches_95_percent_in_one_epoch():
    (x_train, y_train), (x_test, y_test) = gn.datasets.mnist.load_data(path=DATA / "mnist")
    x_train, x_test = x_train.astype(np.float32) / 255.0, x_test.astype(np.float32) / 255.0
    gn.utils.set_random_seed(0)
    model = gn.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=1, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.95, f"test accuracy {accuracy:.4f}"
    predictions = model.predict(x_test[:1000]).argmax(axis=1)
    assert (predictions == y_test[:1000]).mean() >= 0.93
