"""Learning tests and the fit/evaluate/predict contract."""
import numpy as np
import pytest

import glassnet as gn
from glassnet import layers


def test_xor_solved_by_2_4_1_net():
    gn.utils.set_random_seed(1)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    y = np.array([[0], [1], [1], [0]], np.float32)
    model = gn.Sequential([layers.Dense(4, activation="tanh", input_dim=2), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=gn.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=400, batch_size=4, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    np.testing.assert_array_equal(model.predict(x).round(), y)
    assert history.history["loss"][-1] < 0.1


def test_history_keys_and_validation_split():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((100, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = gn.Sequential([layers.Input((5,)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in history.history.values())
    # Keras takes the validation part from the end, before shuffling
    val_loss, val_acc = model.evaluate(x[80:], y[80:], verbose=0)
    assert val_loss == pytest.approx(history.history["val_loss"][-1], rel=1e-5)
    assert val_acc == pytest.approx(history.history["val_accuracy"][-1])


def test_evaluate_returns_scalar_without_metrics_and_list_with():
    x = np.ones((10, 2), np.float32)
    y = np.zeros((10, 1), np.float32)
    model = gn.Sequential([layers.Input((2,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss="mse")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(4.0)   # prediction 2 everywhere
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    loss, mae = model.evaluate(x, y, verbose=0)
    assert (loss, mae) == (pytest.approx(4.0), pytest.approx(2.0))
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"loss": pytest.approx(4.0), "mae": pytest.approx(2.0)}


def test_fit_requires_compile_and_matching_lengths():
    model = gn.Sequential([layers.Input((2,)), layers.Dense(1)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.ones((4, 2)), np.ones((4, 1)))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(np.ones((4, 2)), np.ones((3, 1)), verbose=0)


def test_verbose_modes_print_keras_style(capsys):
    model = gn.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = np.ones((64, 2), np.float32), np.ones((64, 1), np.float32)
    model.fit(x, y, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "2/2 [====" in out and "loss:" in out and "mae:" in out
    model.fit(x, y, epochs=1, verbose=2)
    out = capsys.readouterr().out
    assert "2/2 - " in out and "[" not in out
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_callbacks_hooks_and_stop_training():
    calls = []

    class Recorder(gn.callbacks.Callback):
        def on_train_begin(self, logs=None):
            calls.append("train_begin")

        def on_epoch_end(self, epoch, logs=None):
            calls.append(("epoch", epoch, round(logs["loss"], 6) == round(logs["loss"], 6)))
            if epoch == 1:
                self.model.stop_training = True

        def on_batch_end(self, batch, logs=None):  # Keras 2 name still works
            calls.append("batch")

    model = gn.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=4, epochs=10, verbose=0,
                        callbacks=[Recorder()])
    assert len(history.history["loss"]) == 2
    assert calls[0] == "train_begin" and calls.count("batch") == 4


def test_learning_rate_can_change_during_training():
    model = gn.Sequential([layers.Input((1,)), layers.Dense(1, kernel_initializer="zeros", use_bias=False)])
    model.compile(optimizer=gn.optimizers.SGD(learning_rate=0.1), loss="mse")
    x, y = np.ones((1, 1), np.float32), np.ones((1, 1), np.float32)
    model.train_on_batch(x, y)                  # grad of (w - 1)^2 at 0 is -2: w = 0.2
    model.optimizer.learning_rate = 0.0
    model.train_on_batch(x, y)
    assert model.get_weights()[0][0, 0] == pytest.approx(0.2)


def test_regularization_is_added_to_training_loss():
    x, y = np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32)
    model = gn.Sequential([layers.Input((2,)), layers.Dense(1, kernel_initializer="ones", use_bias=False,
                                                            kernel_regularizer=gn.regularizers.L2(0.1))])
    model.compile(optimizer=gn.optimizers.SGD(0.0), loss="mse")
    assert model.train_on_batch(x, y) == pytest.approx(4.0 + 0.1 * 2)
    # Keras (2 and 3) counts penalties in evaluate's loss too (compute_loss adds model.losses)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(4.0 + 0.1 * 2)


def test_sample_and_class_weights_change_the_loss():
    model = gn.Sequential([layers.Input((1,)), layers.Dense(1, kernel_initializer="zeros", use_bias=False)])
    model.compile(optimizer=gn.optimizers.SGD(0.0), loss="mse")
    x, y = np.ones((2, 1), np.float32), np.array([[1.0], [2.0]], np.float32)
    assert model.evaluate(x, y, sample_weight=np.array([1.0, 0.0]), verbose=0) == pytest.approx(0.5)


def test_class_weight_weights_the_training_part_only():
    # validation_split takes the last 50%; class 1 weighted 3x must not weight the validation loss
    model = gn.Sequential([layers.Input((1,)), layers.Dense(1, kernel_initializer="zeros", use_bias=False)])
    model.compile(optimizer=gn.optimizers.SGD(0.0), loss="mse")
    x, y = np.ones((4, 1), np.float32), np.array([[0.0], [1.0], [1.0], [1.0]], np.float32)
    history = model.fit(x, y, epochs=1, batch_size=2, validation_split=0.5, shuffle=False, verbose=0,
                        class_weight={0: 1.0, 1: 3.0})
    assert history.history["val_loss"][0] == pytest.approx(1.0)            # unweighted mean of 1, 1
    assert history.history["loss"][0] == pytest.approx((0 * 1 + 1 * 3) / 2)  # Keras: sum(w*l)/n


def test_float32_throughout_training():
    model = gn.Sequential([layers.Input((3,)), layers.Dense(4, activation="relu"),
                           layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).standard_normal((16, 3))            # float64 input is cast per batch
    model.fit(x, np.arange(16) % 2, epochs=1, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(x).dtype == np.float32


def test_iris_softmax_regression_reaches_course_figure():
    # COURSE.md section 2: a single softmax layer from zeros, plain gradient descent on the
    # raw features, reaches 0.9867 training accuracy with confusion diagonal 50 / 48 / 50
    x, y = gn.datasets.iris.load_data()
    model = gn.Sequential([layers.Input((4,)),
                           layers.Dense(3, activation="softmax", kernel_initializer="zeros")])
    model.compile(optimizer=gn.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=150, epochs=2000, verbose=0, shuffle=False)
    assert history.history["accuracy"][-1] >= 148 / 150   # 0.9867 as the course rounds it
    confusion = gn.metrics.confusion_matrix(y, model.predict(x).argmax(axis=1))
    assert confusion.trace() >= 148
    assert confusion.sum() == 150


def test_batch_size_defaults_to_32_and_must_be_positive():
    model = gn.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((70, 2), np.float32), np.zeros((70, 1), np.float32)
    steps = []
    model.fit(x, y, epochs=1, verbose=0,
              callbacks=[gn.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))])
    assert len(steps) == 3  # 70 samples in batches of 32
    for call in (lambda: model.fit(x, y, batch_size=0, verbose=0),
                 lambda: model.evaluate(x, y, batch_size=0, verbose=0),
                 lambda: model.predict(x, batch_size=-1)):
        with pytest.raises(ValueError, match="expected a positive batch_size"):
            call()
