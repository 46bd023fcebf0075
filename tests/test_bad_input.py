"""Bad input, as a careless user gives it: every case fails at once with the right error type
and a message that names the argument, what was expected and what was received (or behaves
correctly, where Keras accepts the input). New layer families add their cases here.
"""
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.callbacks import EarlyStopping, TerminateOnNaN
from glassnet.datasets import load_table
from glassnet.preprocessing import MinMaxScaler, StandardScaler

RNG = np.random.default_rng(0)
X = RNG.standard_normal((20, 4)).astype(np.float32)
Y = np.arange(20) % 3


def classifier(loss="sparse_categorical_crossentropy", units=3, activation="softmax", lr=0.01):
    gn.utils.set_random_seed(0)
    model = gn.Sequential([layers.Input((4,)), layers.Dense(units, activation=activation)])
    model.compile(optimizer=gn.optimizers.SGD(lr), loss=loss, metrics=["accuracy"])
    return model


def raises(error, *words, call):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    return str(info.value)


# ----------------------------------------------------------------------------- non-finite data
@pytest.mark.parametrize("where, index", [("x", (7, 2)), ("y", (11,))])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_data_is_refused_when_fit_starts(where, index, bad):
    x, y = X.copy(), Y.astype(np.float32)
    (x if where == "x" else y)[index] = bad
    model = classifier()
    before = [w.copy() for w in model.get_weights()]
    raises(ValueError, f"fit: {where} holds a non-finite value", f"{where}[{', '.join(map(str, index))}]",
           str(bad), f"sample {index[0]}", "expected finite", call=lambda: model.fit(x, y, verbose=0))
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # no step ran


def test_non_finite_validation_data_and_sample_weight_are_refused():
    xv = X[:5].copy()
    xv[3, 0] = np.nan
    raises(ValueError, "x[3, 0]", "validation_data",
           call=lambda: classifier().fit(X, Y, validation_data=(xv, Y[:5]), verbose=0))
    sw = np.ones(20, np.float32)
    sw[4] = np.inf
    raises(ValueError, "sample_weight[4] is inf", call=lambda: classifier().fit(X, Y, sample_weight=sw, verbose=0))


def test_a_diverging_run_warns_once_in_glassnets_words():
    model = gn.Sequential([layers.Input((4,)), layers.Dense(1)])
    model.compile(optimizer=gn.optimizers.SGD(1e6), loss="mse")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X * 100, np.full(20, 1e3, np.float32), epochs=6, verbose=0)
    ours = [str(w.message) for w in caught if str(w.message).startswith("glassnet:")]
    assert len(ours) == 1, ours
    for word in ("the training loss became", "lower the learning rate (1e+06)", "TerminateOnNaN"):
        assert word in ours[0]


def test_terminate_on_nan_still_stops_a_diverging_run():
    model = gn.Sequential([layers.Input((4,)), layers.Dense(1)])
    model.compile(optimizer=gn.optimizers.SGD(1e6), loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(X * 100, np.full(20, 1e3, np.float32), epochs=50, verbose=0,
                            callbacks=[TerminateOnNaN()])
    assert len(history.history["loss"]) < 50


# ----------------------------------------------------------------------------- silent nonsense
@pytest.mark.parametrize("epochs, error", [(-3, ValueError), (2.5, TypeError), ("3", TypeError), (True, TypeError)])
def test_bad_epochs_are_refused(epochs, error):
    raises(error, "fit: expected epochs to be a non-negative integer", f"received {epochs!r}"
           if error is TypeError else "received -3", call=lambda: classifier().fit(X, Y, epochs=epochs, verbose=0))


def test_zero_epochs_trains_nothing_as_in_keras():
    model = classifier()
    before = model.get_weights()
    assert model.fit(X, Y, epochs=0, verbose=0).history == {}
    np.testing.assert_array_equal(before[0], model.get_weights()[0])


def test_negative_initial_epoch_is_refused():
    raises(ValueError, "initial_epoch", "received -1", call=lambda: classifier().fit(X, Y, initial_epoch=-1, verbose=0))


def test_no_samples_in_evaluate_or_validation_is_refused():
    raises(ValueError, "evaluate: received 0 samples", "expected at least one",
           call=lambda: classifier().evaluate(X[:0], Y[:0], verbose=0))
    raises(ValueError, "received 0 samples", "validation_data",
           call=lambda: classifier().fit(X, Y, validation_data=(X[:0], Y[:0]), verbose=0))
    raises(ValueError, "predict: received 0 samples", call=lambda: classifier().predict(X[:0]))


def test_malformed_validation_data_is_explained():
    raises(ValueError, "expected validation_data=(x_val, y_val)", "received ndarray",
           call=lambda: classifier().fit(X, Y, validation_data=X, verbose=0))


@pytest.mark.parametrize("class_weight, error, words", [
    ({-1: 5}, ValueError, ["class_weight key -1", "expected 0 to 2"]),
    ({9: 5}, ValueError, ["class_weight key 9", "expected 0 to 2"]),
    ({"cat": 2}, TypeError, ["class_weight keys must be integer", "'cat'"]),
    ({1.5: 2}, TypeError, ["class_weight keys must be integer", "1.5"]),
    ({0: -1.0}, ValueError, ["class_weight[0]", "finite number >= 0", "-1.0"]),
    ({0: float("nan")}, ValueError, ["class_weight[0]", "nan"]),
    ([1, 2, 3], TypeError, ["class_weight to be a dict", "list"]),
])
def test_bad_class_weight_is_refused(class_weight, error, words):
    raises(error, "fit:", *words, call=lambda: classifier().fit(X, Y, class_weight=class_weight, verbose=0))


def test_valid_class_weight_still_weights():
    classifier().fit(X, Y, class_weight={0: 1.0, 2: 3}, verbose=0)
    binary = classifier("binary_crossentropy", 1, "sigmoid")
    binary.fit(X, (Y > 0).astype(np.float32), class_weight={0: 1.0, 1: 2.0}, verbose=0)


def test_binary_crossentropy_refuses_labels_outside_0_1():
    model = classifier("binary_crossentropy", 1, "sigmoid")
    raises(ValueError, "fit: binary_crossentropy expects y in [0, 1]", "from 0 to 2", "sparse_categorical_crossentropy",
           call=lambda: model.fit(X, Y, verbose=0))
    raises(ValueError, "evaluate: binary_crossentropy", "from -1", call=lambda: model.evaluate(X, Y - 1, verbose=0))
    model.fit(X, np.linspace(0, 1, 20, dtype=np.float32), verbose=0)  # soft targets are fine


# ----------------------------------------------------------------------------- obscure errors
def test_sample_weight_length_mismatch_names_sample_weight():
    raises(ValueError, "sample_weight", "(20, like x)", "received 7",
           call=lambda: classifier().fit(X, Y, sample_weight=np.ones(7), verbose=0))


def test_x_and_y_length_mismatch_names_both():
    raises(ValueError, "x and y", "20 in x", "19 in y", call=lambda: classifier().fit(X, Y[:19], verbose=0))


@pytest.mark.parametrize("method", ["predict", "evaluate", "fit"])
def test_one_sample_without_batch_axis_suggests_x_none(method):
    model = classifier()
    args = (X[0],) if method == "predict" else (X[0], Y[:1])
    raises(ValueError, f"{method}: expected x as a batch of samples of shape (None, 4)", "one sample of shape (4,)",
           "x[None]", call=lambda: getattr(model, method)(*args))
    assert model.predict(X[0][None]).shape == (1, 3)


def test_object_arrays_are_converted_or_refused_naming_the_element():
    model = classifier()
    mixed = np.array([[1, 2.5, 3, 4]] * 2, dtype=object)
    assert model.predict(mixed).dtype == np.float32
    holes = np.array([[1, 2, 3, None]] * 2, dtype=object)
    raises(TypeError, "predict: expected x to hold numbers", "x[0, 3] is None", "fill the missing values",
           call=lambda: model.predict(holes))
    text = np.array([[1, 2, "three", 4]] * 2, dtype=object)
    raises(TypeError, "x[0, 2] is 'three'", call=lambda: model.fit(text, Y[:2], verbose=0))


@pytest.mark.parametrize("rate, error", [("0.5", TypeError), (None, TypeError), (True, TypeError),
                                         (1.0, ValueError), (-0.1, ValueError), (float("nan"), ValueError)])
def test_dropout_rate_names_layer_and_argument(rate, error):
    raises(error, "Dropout 'drop'", "rate", repr(rate), call=lambda: layers.Dropout(rate, name="drop"))


def test_dropout_noise_shape_and_seed_are_checked():
    raises(TypeError, "Dropout 'd'", "noise_shape", call=lambda: layers.Dropout(0.5, noise_shape=3, name="d"))
    raises(TypeError, "Dropout 'd'", "seed", "'x'", call=lambda: layers.Dropout(0.5, seed="x", name="d"))


@pytest.mark.parametrize("merge", [layers.Add, layers.Subtract, layers.Multiply, layers.Average, layers.Maximum,
                                   layers.Minimum])
def test_merging_incompatible_shapes_names_layer_and_shapes(merge):
    a, b = layers.Input((3,)), layers.Input((4,))
    raises(ValueError, f"{merge.__name__} 'joint'", "(None, 3), (None, 4)", "axis 1 has sizes [3, 4]",
           call=lambda: merge(name="joint")([a, b]))
    raises(ValueError, f"{merge.__name__} 'eager'", "(2, 3), (2, 4)",
           call=lambda: merge(name="eager")([np.ones((2, 3), np.float32), np.ones((2, 4), np.float32)]))


def test_merging_broadcastable_shapes_still_works():
    out = layers.Add()([layers.Input((3, 1)), layers.Input((1, 4))])
    assert out.shape == (None, 3, 4)
    raises(ValueError, "Concatenate 'cat'", "must match except on axis 1",
           call=lambda: layers.Concatenate(axis=1, name="cat")([layers.Input((3, 2)), layers.Input((3, 5))]))
    raises(ValueError, "Concatenate 'cat2'", "(2, 3), (3, 4)", call=lambda: layers.Concatenate(
        name="cat2")([np.ones((2, 3), np.float32), np.ones((3, 4), np.float32)]))


def test_metrics_as_one_string_or_one_object_as_in_keras():
    model = gn.Sequential([layers.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics="accuracy")
    assert set(model.fit(X, Y, verbose=0).history) == {"loss", "accuracy"}
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  metrics=gn.metrics.SparseCategoricalAccuracy())
    assert "sparse_categorical_accuracy" in model.fit(X, Y, verbose=0).history


def test_callbacks_given_without_a_list():
    model = classifier()
    stop = EarlyStopping(monitor="loss", patience=0)
    model.fit(X, Y, epochs=3, verbose=0, callbacks=stop)  # one callback: wrapped, as the user meant
    assert stop.model is model
    raises(TypeError, "fit: expected callbacks to be a list of Callback instances", "'early_stopping'",
           call=lambda: model.fit(X, Y, verbose=0, callbacks="early_stopping"))
    raises(TypeError, "callbacks[0]", "the class EarlyStopping", "EarlyStopping(...)",
           call=lambda: model.fit(X, Y, verbose=0, callbacks=[EarlyStopping]))
    raises(TypeError, "callbacks[1]", "int 3", call=lambda: model.evaluate(X, Y, verbose=0, callbacks=[stop, 3]))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_integer_inputs_give_floatx_outputs(dtype):
    model = classifier()
    x = (np.abs(X) * 3).astype(dtype)
    assert model.predict(x).dtype == np.float32
    assert model.predict(x).shape == (20, 3)
    model.fit(x, Y, verbose=0)
    functional_in = layers.Input((4,))
    functional = gn.Model(functional_in, layers.Dense(2)(functional_in))
    assert functional.predict(x).dtype == np.float32


def test_integer_ids_stay_integers_for_embeddings():
    model = gn.Sequential([layers.Input((3,)), layers.Embedding(10, 2), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    ids = np.array([[1, 2, 3], [4, 5, 9]], np.int64)
    assert model.predict(ids).dtype == np.float32
    model.fit(ids, np.ones(2, np.float32), verbose=0)


# ----------------------------------------------------------------------------- data
def write(tmp_path, text, name="t.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("cell", ["inf", "-Infinity", "1e999"])
def test_csv_infinite_features_are_refused_by_file_line_and_column(tmp_path, cell):
    path = write(tmp_path, f"a,b,y\n1,2,0\n3,{cell},1\n")
    raises(ValueError, "t.csv, line 3", "column 'b'", repr(cell), "not a finite number",
           call=lambda: load_table(path, label="y"))


def test_csv_infinite_label_is_refused(tmp_path):
    path = write(tmp_path, "a,price\n1,2.5\n3,1e999\n")
    raises(ValueError, "t.csv, line 3", "'price'", "'1e999'", call=lambda: load_table(path, label="price"))


def test_csv_typo_in_a_numeric_label_column_is_reported(tmp_path):
    rows = "".join(f"{i},{i * 1.5}\n" for i in range(8))
    path = write(tmp_path, "a,price\n" + rows + "9,l2.5\n")
    raises(ValueError, "t.csv, line 10", "'price' holds numbers", "'l2.5'", "typo",
           call=lambda: load_table(path, label="price"))
    classes = write(tmp_path, "a,kind\n1,cat\n2,dog\n3,cat\n", name="c.csv")
    assert load_table(classes, label="kind").classes == ["cat", "dog"]  # text classes still work


def test_csv_typo_in_a_numeric_feature_column_is_reported_even_when_encoding(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n2,1\n3,0\nx4,1\n")
    for categorical in ("error", "codes", "onehot"):
        raises(ValueError, "t.csv, line 5", "column 'a' holds numbers", "'x4'",
               call=lambda: load_table(path, label="y", categorical=categorical))


def test_csv_that_is_not_utf8_names_file_and_line(tmp_path):
    path = write(tmp_path, "name,y\nJose,1\nJosé,0\n", encoding="latin-1")
    raises(ValueError, "t.csv, line 3", "not UTF-8", "0xe9", call=lambda: load_table(path, label="y"))


def test_stock_csv_that_is_not_utf8_names_file_and_line(tmp_path):
    from glassnet.datasets.stocks import load_csv
    path = write(tmp_path, "Date,Close\n2004-08-19,1.0\n2004-08-20,2.0 \xa3\n", name="S.csv", encoding="latin-1")
    raises(ValueError, "S.csv, line 3", "not UTF-8", call=lambda: load_csv(path))


@pytest.mark.parametrize("scaler", [StandardScaler, MinMaxScaler])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_scalers_refuse_non_finite_cells(scaler, bad):
    x = np.ones((5, 3), np.float32)
    x[3, 1] = bad
    raises(ValueError, f"{scaler.__name__}.fit", "expected finite numbers", str(bad), "sample 3, feature 1",
           call=lambda: scaler().fit(x))


@pytest.mark.parametrize("batch_size", ["8", 2.5, True])
def test_batch_size_must_be_an_integer(batch_size):
    for method, args in (("fit", (X, Y)), ("evaluate", (X, Y)), ("predict", (X,))):
        raises(TypeError, f"{method}: expected batch_size to be a positive integer", repr(batch_size),
               call=lambda: getattr(classifier(), method)(*args, batch_size=batch_size, verbose=0))


def test_validation_split_must_be_a_fraction():
    raises(ValueError, "validation_split in (0, 1)", "'0.2'",
           call=lambda: classifier().fit(X, Y, validation_split="0.2", verbose=0))


def test_missing_x_is_named():
    raises(ValueError, "evaluate: expected x as an array of samples, received None",
           call=lambda: classifier().evaluate(None, Y, verbose=0))
    raises(ValueError, "predict: expected x as an array of samples, received None",
           call=lambda: classifier().predict(None))


def test_predict_on_batch_follows_floatx_too():
    assert classifier().predict_on_batch(np.ones((2, 4), np.int64)).dtype == np.float32


@pytest.mark.parametrize("axis", ["1", 1.0, 5])
def test_concatenate_axis_is_checked(axis):
    error = ValueError if axis == 5 else TypeError
    raises(error, "Concatenate 'cat'", "axis", call=lambda: layers.Concatenate(axis=axis, name="cat")(
        [layers.Input((3,)), layers.Input((3,))]))


def test_categorical_crossentropy_with_integer_labels_points_to_the_sparse_loss():
    model = classifier("categorical_crossentropy")
    raises(ValueError, "categorical_crossentropy expects y in [0, 1]", "from 0 to 2", "sparse_categorical_crossentropy",
           call=lambda: model.fit(X, Y, verbose=0))


# ---------------------------------------------------------------------------- siblings: arguments given as strings
@pytest.mark.parametrize("make, words", [
    (lambda: layers.LeakyReLU("0.1"), ["LeakyReLU", "negative_slope", "'0.1'"]),
    (lambda: layers.ReLU(max_value="6"), ["ReLU", "max_value", "'6'"]),
    (lambda: layers.ELU(alpha="1"), ["ELU", "alpha", "'1'"]),
    (lambda: layers.Reshape("4"), ["Reshape", "target_shape", "'4'"]),
    (lambda: layers.Reshape((2, 0)), ["Reshape", "target_shape", "(2, 0)"]),
    (lambda: layers.Reshape((-1, -1)), ["Reshape", "at most one -1"]),
])
def test_layer_arguments_of_the_wrong_type_are_refused_at_construction(make, words):
    with pytest.raises(TypeError) as err:
        make()
    for word in words:
        assert word in str(err.value)


def test_reshape_and_leaky_relu_still_accept_numbers():
    assert layers.Reshape([2, -1])(np.zeros((3, 8))).shape == (3, 2, 4)
    assert layers.LeakyReLU(np.float32(0.1)).negative_slope == pytest.approx(0.1)


def test_a_vocabulary_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match="vocab.txt.*not UTF-8"):
        layers.TextVectorization(vocabulary=str(path))


@pytest.mark.parametrize("text", ['{"config": {"word_counts": "{}", "word_docs": "{}", "index_docs": "[]", '
                                  '"index_word": "{}", "word_index": "{}"}}', '[1, 2]', '{"config": 5}'])
def test_a_malformed_tokenizer_json_is_a_value_error(text):
    from glassnet.preprocessing.text import tokenizer_from_json
    with pytest.raises(ValueError, match="tokenizer_from_json"):
        tokenizer_from_json(text)
