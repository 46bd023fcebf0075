"""The Keras quick-start network on MNIST, written for glassnet.

    python examples/mnist_mlp.py [--epochs 5] [--data DIR]

Reads MNIST from DIR (default: $GLASSNET_DATA/mnist, then ../shared/data/mnist beside the
checkout, then ~/.glassnet/datasets/mnist, downloading there if absent), trains
Flatten -> Dense(128, relu) -> Dropout(0.2) -> Dense(10, softmax) with Adam, and prints
the test accuracy and the first ten predictions.
"""
import argparse
import os
import time
from pathlib import Path

import glassnet as gn
from glassnet import layers


def default_data_dir():
    if os.environ.get("GLASSNET_DATA"):
        return None  # the loader reads $GLASSNET_DATA/mnist itself
    beside = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
    return beside if beside.is_dir() else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=None, help="folder holding the four MNIST .gz files")
    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = gn.datasets.mnist.load_data(path=args.data or default_data_dir())
    x_train, x_test = x_train / 255.0, x_test / 255.0

    model = gn.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=args.epochs)
    print(f"training time: {time.perf_counter() - start:.1f}s")
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f}")
    print("first ten predictions:", model.predict(x_test[:10]).argmax(axis=1).tolist())
    print("first ten labels:     ", y_test[:10].tolist())


if __name__ == "__main__":
    main()
