"""Time series: the course's sine-wave generator, Keras's ``timeseries_dataset_from_array``, the
target layouts, the iterative forecaster, the baselines, and the stock pipeline's time split
(nothing from the test period may reach training: not its prices, not its scale)."""
from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.datasets import stocks, toy
from glassnet.utils import timeseries as ts
from glassnet.utils import timeseries_dataset_from_array

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


# --------------------------------------------------------------------------- the generator

def test_generate_time_series_shape_dtype_range():
    series = toy.generate_time_series(500, 51, seed=0)
    assert series.shape == (500, 51, 1) and series.dtype == np.float32
    # |0.5 sin| + |0.2 sin| + 0.05 noise
    assert np.abs(series).max() < 0.75
    assert series.std() > 0.2                       # waves, not noise only


def test_generate_time_series_follows_the_course_recipe():
    series = toy.generate_time_series(4, 20, seed=3)
    rng = np.random.default_rng(3)
    f1, f2, o1, o2 = rng.random((4, 4, 1))
    t = np.linspace(0, 1, 20)
    expected = (0.5 * np.sin((t - o1) * (f1 * 10 + 10)) + 0.2 * np.sin((t - o2) * (f2 * 20 + 20))
                + 0.1 * (rng.random((4, 20)) - 0.5))
    np.testing.assert_allclose(series[..., 0], expected, rtol=1e-6, atol=1e-7)


def test_generate_time_series_is_reproducible():
    a = toy.generate_time_series(3, 10, seed=7)
    np.testing.assert_array_equal(a, toy.generate_time_series(3, 10, seed=7))
    assert not np.array_equal(a, toy.generate_time_series(3, 10, seed=8))
    gn.utils.set_random_seed(1)
    b = toy.generate_time_series(3, 10)
    gn.utils.set_random_seed(1)
    np.testing.assert_array_equal(b, toy.generate_time_series(3, 10))


@pytest.mark.parametrize("args", [(0, 10), (3, 0), (2.5, 10), (True, 10)])
def test_generate_time_series_bad_sizes(args):
    with pytest.raises(ValueError, match="generate_time_series: expected .* received"):
        toy.generate_time_series(*args)


# --------------------------------------------------------------------------- timeseries_dataset_from_array

def reference_windows(data, targets, length, stride, rate, start, end):
    """The Keras rule written as a plain loop: window i starts at start + i * stride."""
    start = 0 if start is None else start
    end = len(data) if end is None else end
    xs, ys = [], []
    s = start
    while s + (length - 1) * rate < end and (targets is None or s < len(targets)):
        xs.append(data[s:s + length * rate:rate])
        ys.append(None if targets is None else targets[s])
        s += stride
    return np.array(xs), (None if targets is None else np.array(ys))


def test_tsds_hand_computed_windows():
    data = np.arange(10, dtype=np.float32)
    x, y = timeseries_dataset_from_array(data, data + 100, sequence_length=3, batch_size=None)
    np.testing.assert_array_equal(x, [[i, i + 1, i + 2] for i in range(8)])
    np.testing.assert_array_equal(y, np.arange(8) + 100)
    assert x.dtype == np.float32
    # start/end with a sampling rate: span (3 - 1) * 2 + 1 = 5 fits from starts 2, 3, 4 before 9
    x, y = timeseries_dataset_from_array(data, data + 100, 3, sampling_rate=2, start_index=2, end_index=9,
                                         batch_size=None)
    np.testing.assert_array_equal(x, [[2, 4, 6], [3, 5, 7], [4, 6, 8]])
    np.testing.assert_array_equal(y, [102, 103, 104])


def test_tsds_keras_documentation_examples():
    # example 1: indices 0..98, length 10, rate 2, stride 3 -> last window starts at 78
    x = timeseries_dataset_from_array(np.arange(99), None, 10, sequence_stride=3, sampling_rate=2,
                                      batch_size=None)
    np.testing.assert_array_equal(x[0], np.arange(0, 20, 2))
    np.testing.assert_array_equal(x[1], np.arange(3, 23, 2))
    np.testing.assert_array_equal(x[-1], np.arange(78, 98, 2))
    assert len(x) == 27
    # example 2: the past 10 steps predict the next one
    data = np.arange(100.0)
    x, y = timeseries_dataset_from_array(data[:-10], data[10:], 10, batch_size=None)
    np.testing.assert_array_equal(x[0], data[:10])
    assert y[0] == data[10] and len(x) == 81


@pytest.mark.parametrize("length,stride,rate,start,end", [
    (1, 1, 1, None, None), (4, 1, 1, None, None), (4, 2, 1, None, None), (3, 1, 3, None, None),
    (2, 3, 2, 5, None), (3, 2, 2, None, 20), (5, 4, 1, 3, 27), (2, 1, 1, 28, 30), (6, 5, 3, 1, 29),
])
@pytest.mark.parametrize("batch_size", [None, 1, 4, 128])
def test_tsds_matches_the_rule(length, stride, rate, start, end, batch_size):
    data = np.arange(30 * 2, dtype=np.float32).reshape(30, 2)     # (time, features)
    targets = np.arange(30) * 10
    x_ref, y_ref = reference_windows(data, targets, length, stride, rate, start, end)
    out = timeseries_dataset_from_array(data, targets, length, sequence_stride=stride, sampling_rate=rate,
                                        batch_size=batch_size, start_index=start, end_index=end)
    if batch_size is None:
        x, y = out
    else:
        assert all(len(xb) == len(yb) for xb, yb in out)
        assert [len(xb) for xb, _ in out[:-1]] == [batch_size] * (len(out) - 1)
        assert 1 <= len(out[-1][0]) <= batch_size
        x, y = np.concatenate([b[0] for b in out]), np.concatenate([b[1] for b in out])
    assert x.shape == (len(x_ref), length, 2)
    np.testing.assert_array_equal(x, x_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_tsds_short_targets_limit_the_windows():
    data = np.arange(10)
    x, y = timeseries_dataset_from_array(data, np.arange(5), 3, batch_size=None)
    assert len(x) == 5 and y[-1] == 4
    x_ref, _ = reference_windows(data, np.arange(5), 3, 1, 1, None, None)
    np.testing.assert_array_equal(x, x_ref)


def test_tsds_inputs_only_batches():
    batches = timeseries_dataset_from_array(np.arange(10), None, 4, sequence_stride=2, batch_size=3)
    assert isinstance(batches, list) and len(batches) == 2
    np.testing.assert_array_equal(batches[0], [[0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7]])
    np.testing.assert_array_equal(batches[1], [[6, 7, 8, 9]])


def test_tsds_shuffle_keeps_pairs_and_is_seeded():
    data = np.arange(50, dtype=np.float32)
    x, y = timeseries_dataset_from_array(data, data + 1000, 5, shuffle=True, seed=0, batch_size=None)
    x2, y2 = timeseries_dataset_from_array(data, data + 1000, 5, shuffle=True, seed=0, batch_size=None)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, x[:, 0] + 1000)              # each window keeps its target
    assert not np.array_equal(x[:, 0], np.arange(46))             # order changed ...
    np.testing.assert_array_equal(np.sort(x[:, 0]), np.arange(46))  # ... not the set of windows
    batches = timeseries_dataset_from_array(data, data + 1000, 5, shuffle=True, seed=0, batch_size=10)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x)


def test_tsds_feeds_fit():
    data = np.sin(np.arange(200) / 5).astype(np.float32)[:, None]
    x, y = timeseries_dataset_from_array(data[:-5], data[5:], 5, batch_size=None)
    model = gn.Sequential([gn.layers.Input((5, 1)), gn.layers.Flatten(), gn.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert len(history.history["loss"]) == 2
    for xb, yb in timeseries_dataset_from_array(data[:-5], data[5:], 5, batch_size=64):
        model.train_on_batch(xb, yb)


@pytest.mark.parametrize("kwargs,match", [
    ({"sequence_length": 0}, "sequence_length to be an int >= 1, received 0"),
    ({"sequence_length": 11}, "at least one window of 11 steps .* received 10 steps"),
    ({"sequence_length": 4, "sampling_rate": 4}, "one window of 13 steps \\(sequence_length=4, sampling_rate=4\\)"),
    ({"sequence_length": 2, "sequence_stride": 0}, "sequence_stride to be an int >= 1"),
    ({"sequence_length": 2, "start_index": 10}, "start_index < len\\(data\\) = 10, received 10"),
    ({"sequence_length": 2, "start_index": 5, "end_index": 5}, "start_index < end_index <= len"),
    ({"sequence_length": 2, "end_index": 11}, "len\\(data\\) = 10, received start_index=0 and end_index=11"),
    ({"sequence_length": 2, "batch_size": 0}, "batch_size to be an int >= 1"),
    ({"sequence_length": 2.0}, "sequence_length to be an int"),
])
def test_tsds_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match="timeseries_dataset_from_array: expected .*" + match):
        timeseries_dataset_from_array(np.arange(10.0), None, **kwargs)


def test_tsds_bad_data():
    with pytest.raises(ValueError, match="timeseries_dataset_from_array: expected data to be a numeric"):
        timeseries_dataset_from_array(np.array(["a", "b"]), None, 1)
    with pytest.raises(ValueError, match="with a target \\(len\\(targets\\) = 0\\)"):
        timeseries_dataset_from_array(np.arange(10.0), np.zeros(0), 2)


# --------------------------------------------------------------------------- windows and layouts

def test_sliding_windows():
    # starts 0 and 2; a window starting at 4 would need the values 7 and 8 as targets
    x, y = ts.sliding_windows(np.arange(8.0), window=3, horizon=2, stride=2)
    np.testing.assert_array_equal(x[..., 0], [[0, 1, 2], [2, 3, 4]])
    np.testing.assert_array_equal(y, [[3, 4], [5, 6]])
    x, y = ts.sliding_windows(np.arange(8.0), window=3, horizon=2)
    assert x.shape == (4, 3, 1) and y[-1].tolist() == [6, 7]


def test_sliding_windows_agrees_with_tsds():
    inputs = np.arange(40, dtype=np.float32).reshape(20, 2)
    targets = np.arange(20) * 10.0
    x, y = ts.sliding_windows(inputs, targets, window=4, horizon=1)
    x2, y2 = timeseries_dataset_from_array(inputs[:-1], targets[4:], 4, batch_size=None)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y[:, 0], y2)
    x3, y3 = ts.sliding_windows(inputs, inputs, window=4, horizon=3)
    assert x3.shape == (14, 4, 2) and y3.shape == (14, 3, 2)
    np.testing.assert_array_equal(y3[0], inputs[4:7])


def test_sliding_windows_errors():
    with pytest.raises(ValueError, match="sliding_windows: expected at least window \\+ horizon = 6 .* received 5"):
        ts.sliding_windows(np.arange(5.0), window=5, horizon=1)
    with pytest.raises(ValueError, match="sliding_windows: expected targets with as many time steps as inputs"):
        ts.sliding_windows(np.arange(5.0), np.arange(4.0), window=2)
    with pytest.raises(ValueError, match="sliding_windows: expected horizon to be an int >= 1, received 0"):
        ts.sliding_windows(np.arange(5.0), window=2, horizon=0)


def coded_series(n=3, steps=12, features=1):
    """value = 1000 * series + 10 * time + feature, so every value says where it came from."""
    s, t, f = np.meshgrid(np.arange(n), np.arange(steps), np.arange(features), indexing="ij")
    return (1000.0 * s + 10.0 * t + f).astype(np.float32)


def test_split_next_value():
    series = coded_series()
    x, y = ts.split_next_value(series)
    assert x.shape == (3, 11, 1) and y.shape == (3, 1) and y.dtype == np.float32
    np.testing.assert_array_equal(y[:, 0], [110, 1110, 2110])
    x, y = ts.split_next_value(series, n_steps=5, ahead=3)      # the value 3 steps after step 4
    assert x.shape == (3, 5, 1)
    np.testing.assert_array_equal(y[:, 0], [70, 1070, 2070])
    x, y = ts.split_next_value(coded_series(features=2), n_steps=5, feature=1)
    assert x.shape == (3, 5, 2)
    np.testing.assert_array_equal(y[:, 0], [51, 1051, 2051])
    x, y = ts.split_next_value(series[..., 0], n_steps=4)        # (series, time) works too
    assert x.shape == (3, 4, 1) and y[0, 0] == 40


def test_split_multi_step():
    x, y = ts.split_multi_step(coded_series(), steps=4)
    assert x.shape == (3, 8, 1) and y.shape == (3, 4)
    np.testing.assert_array_equal(y[1], [1080, 1090, 1100, 1110])
    x, y = ts.split_multi_step(coded_series(), n_steps=3, steps=2)
    np.testing.assert_array_equal(y[0], [30, 40])


def test_split_seq2seq():
    series = coded_series()
    x, y = ts.split_seq2seq(series, steps=3)
    assert x.shape == (3, 9, 1) and y.shape == (3, 9, 3)
    for t in range(9):
        for k in range(1, 4):
            np.testing.assert_array_equal(y[:, t, k - 1], series[:, t + k, 0])
    _, y_direct = ts.split_multi_step(series, n_steps=9, steps=3)
    np.testing.assert_array_equal(y[:, -1], y_direct)            # the last row is the true forecast


@pytest.mark.parametrize("fn,kwargs,match", [
    (ts.split_next_value, {"n_steps": 12}, "series of at least n_steps \\+ 1 = 13 time steps, received 12"),
    (ts.split_multi_step, {"steps": 12}, "series of at least .* time steps, received 12"),
    (ts.split_seq2seq, {"n_steps": 10, "steps": 3}, "series of at least n_steps \\+ 3 = 13 time steps, received 12"),
    (ts.split_next_value, {"feature": 1}, "feature to be an index below the 1 feature"),
    (ts.split_next_value, {"ahead": 0}, "ahead to be an int >= 1, received 0"),
])
def test_split_errors(fn, kwargs, match):
    with pytest.raises(ValueError, match=fn.__name__ + ": expected " + match):
        fn(coded_series(), **kwargs)
    with pytest.raises(ValueError, match=fn.__name__ + ": expected series of shape"):
        fn(np.zeros((2, 3, 4, 5)))


# --------------------------------------------------------------------------- forecasting

class AddOne:
    """A fake model: the next value is the last one plus 1; records what it was given."""

    def __init__(self, k=1):
        self.k, self.calls = k, []

    def predict(self, x, verbose=0):
        self.calls.append(x.copy())
        return x[:, -1, :1] + np.arange(1, self.k + 1)       # (batch, k)


def test_forecast_iteratively_feeds_predictions_back():
    x = np.stack([np.arange(5.0), np.arange(5.0) * 2])[..., None].astype(np.float32)   # (2, 5, 1)
    model = AddOne()
    forecast = ts.forecast_iteratively(model, x, steps=3)
    np.testing.assert_array_equal(forecast, [[5, 6, 7], [9, 10, 11]])
    assert forecast.shape == (2, 3) and forecast.dtype == np.float32
    assert len(model.calls) == 3                                  # one call per step, whole batch
    assert all(c.shape == (2, 5, 1) for c in model.calls)         # the window keeps its length
    np.testing.assert_array_equal(model.calls[2][0, :, 0], [2, 3, 4, 5, 6])   # oldest dropped
    np.testing.assert_array_equal(ts.forecast_iteratively(AddOne(), x[..., 0], 2), forecast[:, :2])


def test_forecast_iteratively_several_steps_per_call():
    model = AddOne(k=4)
    forecast = ts.forecast_iteratively(model, np.zeros((3, 6, 1)), steps=6)
    assert len(model.calls) == 2
    np.testing.assert_array_equal(forecast[0], [1, 2, 3, 4, 5, 6])


def test_forecast_iteratively_several_features():
    class Shift:
        def predict(self, x, verbose=0):
            return x[:, -1] + [1.0, 10.0]                         # (batch, 2 features)
    forecast = ts.forecast_iteratively(Shift(), np.zeros((2, 3, 2)), steps=3)
    assert forecast.shape == (2, 3, 2)
    np.testing.assert_array_equal(forecast[1], [[1, 10], [2, 20], [3, 30]])


def test_forecast_iteratively_with_glassnet_and_linear_models():
    x = toy.generate_time_series(8, 20, seed=0)
    model = gn.Sequential([gn.layers.Input((20, 1)), gn.layers.Flatten(), gn.layers.Dense(1)])
    forecast = ts.forecast_iteratively(model, x, steps=2)
    first = model.predict(x)
    second = model.predict(np.concatenate([x[:, 1:], first[:, None]], axis=1))
    np.testing.assert_allclose(forecast, np.concatenate([first, second], axis=1), rtol=1e-6)
    # a linear model fitted on ramps continues a ramp exactly
    t = np.arange(30.0)
    ramps = np.stack([3 + 0.5 * t, -1 - 2 * t, 7 + 0 * t])[..., None]
    xr, yr = ts.split_next_value(ramps[:, :11], n_steps=10)
    xs = np.stack([ramps[:, i:i + 10] for i in range(15)]).reshape(-1, 10, 1)   # every 10-step window
    ys = np.stack([ramps[:, i + 10] for i in range(15)]).reshape(-1, 1)
    linear = ts.LinearForecaster().fit(xs, ys)
    np.testing.assert_allclose(ts.forecast_iteratively(linear, xr, 5), ramps[:, 10:15, 0], atol=1e-6)


def test_forecast_iteratively_errors():
    class Wrong:
        def predict(self, x, verbose=0):
            return np.zeros((len(x) + 1, 1))
    with pytest.raises(ValueError, match="forecast_iteratively: expected model.predict to return \\(2, 1\\) "
                                         ".* received shape \\(3, 1\\)"):
        ts.forecast_iteratively(Wrong(), np.zeros((2, 4, 1)), 1)
    with pytest.raises(ValueError, match="forecast_iteratively: expected steps to be an int >= 1, received 0"):
        ts.forecast_iteratively(AddOne(), np.zeros((2, 4, 1)), 0)


# --------------------------------------------------------------------------- baselines

def test_naive_forecast_is_exact_on_a_constant_series():
    series = np.full((5, 21, 1), 3.5, dtype=np.float32)
    x, y = ts.split_multi_step(series, steps=4)
    np.testing.assert_array_equal(ts.naive_forecast(x, steps=4), y)
    assert ts.forecast_mse(y, ts.naive_forecast(x, 4)) == 0.0
    assert ts.baseline_mse(x, y, x, y)["naive"] == 0.0
    two = np.concatenate([series, series * 2], axis=2)
    np.testing.assert_array_equal(ts.naive_forecast(two[:, :20], 2, feature=1), np.full((5, 2), 7.0))


def test_linear_forecast_is_exact_on_ramps():
    rng = np.random.default_rng(0)
    offsets, slopes = rng.normal(size=(2, 40, 1))
    series = (offsets + slopes * np.arange(13)).astype(np.float32)     # (40, 13): straight lines
    x, y = ts.split_multi_step(series, steps=3)
    pred = ts.linear_forecast(x[:30], y[:30], x[30:])
    assert pred.shape == (10, 3) and pred.dtype == np.float32
    np.testing.assert_allclose(pred, y[30:], atol=1e-4)
    errors = ts.baseline_mse(x[:30], y[:30], x[30:], y[30:])
    assert errors["linear"] < 1e-8 < errors["naive"]


def test_baselines_on_the_course_series():
    # Geron reports about 0.020 (naive) and 0.004 (linear, trained by gradient descent)
    x, y = ts.split_next_value(toy.generate_time_series(3000, 51, seed=42))
    errors = ts.baseline_mse(x[:2000], y[:2000], x[2000:], y[2000:])
    assert 0.015 < errors["naive"] < 0.03
    assert errors["linear"] < 0.005


def test_linear_forecaster_and_mse_errors():
    with pytest.raises(RuntimeError, match="LinearForecaster.predict: not fitted yet"):
        ts.LinearForecaster().predict(np.zeros((2, 3)))
    model = ts.LinearForecaster().fit(np.zeros((4, 3, 1)), np.zeros((4, 1)))
    assert model.coef_.shape == (3, 1) and model.intercept_.shape == (1,)
    with pytest.raises(ValueError, match="LinearForecaster.predict: expected windows of shape \\(3, 1\\) .* "
                                         "received \\(4, 1\\)"):
        model.predict(np.zeros((2, 4, 1)))
    with pytest.raises(ValueError, match="LinearForecaster.fit: expected as many targets as windows \\(4\\), "
                                         "received 3"):
        ts.LinearForecaster().fit(np.zeros((4, 3)), np.zeros((3, 1)))
    assert ts.forecast_mse(np.zeros((2, 3)), np.ones((2, 3, 1))) == 1.0
    with pytest.raises(ValueError, match="forecast_mse: expected y_pred of the shape of y_true \\(2, 3\\), "
                                         "received \\(2, 4\\)"):
        ts.forecast_mse(np.zeros((2, 3)), np.zeros((2, 4)))


def test_docstring_examples_run():
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for module in (ts, toy, stocks):
        for test in doctest.DocTestFinder().find(module, module.__name__, globs={"np": np, **vars(module)}):
            runner.run(test)
    assert runner.failures == 0 and runner.tries > 20


# --------------------------------------------------------------------------- stocks: split, scale, window

def write_prices(path, close, start="2020-01-01", extra_rows=()):
    """A daily OHLCV file whose Close column is ``close`` (Open = Close - 1, High/Low around it)."""
    lines = [",Open,High,Low,Close,Volume"]
    dates = np.datetime64(start) + np.arange(len(close))
    for day, c in zip(dates, close):
        lines.append(f"{day},{c - 1},{c + 2},{c - 2},{c},{1000 + int(c)}")
    lines.extend(extra_rows)
    path.write_text("\n".join(lines) + "\n")
    return dates


def test_load_windows_shapes_and_round_trip(tmp_path):
    close = 10.0 + np.arange(40)
    dates = write_prices(tmp_path / "DEMO.csv", close)
    data = stocks.load_windows(tmp_path / "DEMO.csv", window=5, horizon=1, test_size=0.25)
    assert data.split_date == dates[30]
    assert data.x_train.shape == (25, 5, 5) and data.y_train.shape == (25, 1)
    assert data.x_test.shape == (10, 5, 5) and data.y_test.shape == (10, 1)
    assert data.x_train.dtype == data.y_train.dtype == np.float32
    assert data.dates_train.shape == (25, 1) and data.dates_test[0, 0] == dates[30]
    np.testing.assert_allclose(data.to_prices(data.y_test)[:, 0], close[30:], rtol=1e-6)
    np.testing.assert_allclose(data.to_prices(data.y_train)[:, 0], close[5:30], rtol=1e-6)
    assert data.features == ("Open", "High", "Low", "Close", "Volume") and "StockWindows" in repr(data)
    # training inputs and targets span exactly [-1, 1] (the scaler saw the training rows)
    assert data.y_train.min() == pytest.approx(-1 + 2 * 5 / 29) and data.x_train[..., 3].min() == -1


def test_load_windows_scaler_sees_only_training_rows(tmp_path):
    """(a) test prices far outside the training range do not move the scaler."""
    rng = np.random.default_rng(0)
    close = np.concatenate([rng.uniform(10, 20, 60), [1000.0, 0.5, 900.0], rng.uniform(10, 20, 17)])
    write_prices(tmp_path / "X.csv", close)
    data = stocks.load_windows(tmp_path / "X.csv", window=10, test_size=0.25)      # split at row 60
    j = data.scaler.columns.index("Close")
    assert data.scaler.data_min_[j] == np.float32(close[:60].min())
    assert data.scaler.data_max_[j] == np.float32(close[:60].max())
    assert data.scaler.n_samples_seen_ == 60
    assert -1 <= data.x_train.min() and data.x_train.max() <= 1
    assert data.y_train.min() >= -1 and data.y_train.max() <= 1
    assert data.y_test.max() > 50 and data.y_test.min() < -1                     # extremes scale outside
    np.testing.assert_allclose(data.to_prices(data.y_test)[:3, 0], [1000.0, 0.5, 900.0], rtol=1e-5)


@pytest.mark.parametrize("horizon", [1, 3])
def test_load_windows_nothing_from_the_test_period_reaches_training(tmp_path, horizon):
    """(b) every training window and its targets end strictly before the first test target."""
    close = 100.0 + np.arange(50)                      # Close says which row it came from
    dates = write_prices(tmp_path / "R.csv", close)
    data = stocks.load_windows(tmp_path / "R.csv", window=6, horizon=horizon, features=("Close",),
                               split_date=str(dates[35]))
    first_test_target = data.dates_test.min()
    assert first_test_target == dates[35] == data.split_date
    assert (data.dates_train < first_test_target).all()
    input_rows = np.rint(data.to_prices(data.x_train[..., 0]) - 100).astype(int)   # (samples, window)
    assert input_rows.max() < 35 and (dates[input_rows] < first_test_target).all()
    target_rows = np.rint(data.to_prices(data.y_train) - 100).astype(int)
    np.testing.assert_array_equal(dates[target_rows], data.dates_train)
    # each window is consecutive rows and its targets follow it directly
    np.testing.assert_array_equal(np.diff(input_rows, axis=1), 1)
    np.testing.assert_array_equal(target_rows[:, 0], input_rows[:, -1] + 1)


def test_load_windows_assigns_boundary_windows_by_target_date(tmp_path):
    """(c) a sample belongs where its targets are; inputs may reach back across the split."""
    close = 100.0 + np.arange(30)
    dates = write_prices(tmp_path / "B.csv", close)
    data = stocks.load_windows(tmp_path / "B.csv", window=4, horizon=3, features=("Close",),
                               split_date=str(dates[20]))
    total = 30 - 4 - 3 + 1
    # training: last target row <= 19, so starts 0..13; test: first target row >= 20, starts 16..
    assert len(data.x_train) == 14 and len(data.x_test) == total - 16
    assert data.dates_train[-1, -1] == dates[19] and data.dates_test[0, 0] == dates[20]
    # the two windows whose targets straddle the split (rows 18-20 and 19-21) are in neither part
    assert len(data.x_train) + len(data.x_test) == total - 2
    # the first test window's inputs are the four days before the split: known past, not leakage
    np.testing.assert_allclose(data.to_prices(data.x_test[0, :, 0]), close[16:20], rtol=1e-6)
    # with one-day targets nothing is dropped: the boundary sample goes to the test part
    one = stocks.load_windows(tmp_path / "B.csv", window=4, features=("Close",), split_date=str(dates[20]))
    assert len(one.x_train) + len(one.x_test) == 30 - 4 and one.dates_test[0, 0] == dates[20]


def test_load_windows_sources_and_options(tmp_path, monkeypatch):
    (tmp_path / "stocks").mkdir()
    close = 50.0 + np.sin(np.arange(60))
    dates = write_prices(tmp_path / "stocks" / "SIN.csv", close)
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path))
    by_name = stocks.load_windows("SIN", window=5, features="Open", target="Close")
    by_path = stocks.load_windows(str(tmp_path / "stocks" / "SIN.csv"), window=5, features=["Open"])
    by_series = stocks.load_windows(stocks.load_data("SIN"), window=5, features=("Open",),
                                    split_date=str(by_name.split_date))
    for other in (by_path, by_series):
        np.testing.assert_array_equal(by_name.x_train, other.x_train)
        np.testing.assert_array_equal(by_name.y_test, other.y_test)
    assert by_name.x_train.shape[2] == 1 and by_name.scaler.columns == ("Open", "Close")
    assert by_name.split_date == dates[48]                          # the last 20% of 60 rows
    # the scaler maps one column back, any shape
    scaled = by_name.scaler.transform(np.array([[close[3]]]), column="Close")
    np.testing.assert_allclose(by_name.scaler.inverse_transform(scaled, column="Close"), [[close[3]]], rtol=1e-6)
    custom = stocks.load_windows("SIN", window=5, feature_range=(0, 1))
    assert custom.x_train.min() == 0 and custom.x_train.max() == 1


@pytest.mark.parametrize("kwargs,match", [
    ({"features": ("Adj Close",)}, "expected column names among .* received 'Adj Close'"),
    ({"target": "close"}, "expected column names among .* received 'close'"),
    ({"test_size": 1.5}, "expected test_size as a fraction between 0 and 1, received 1.5"),
    ({"test_size": 0.95}, "expected at least window \\+ horizon = 6 rows before the split .* received 1"),
    ({"split_date": "2030-01-01"}, "expected at least horizon = 1 rows from the split on .* received 0"),
    ({"split_date": "soon"}, "expected split_date as an ISO date .* received 'soon'"),
    ({"window": 0}, "expected window to be an int >= 1, received 0"),
    ({"features": ()}, "expected at least one feature column"),
])
def test_load_windows_bad_arguments(tmp_path, kwargs, match):
    write_prices(tmp_path / "E.csv", 10.0 + np.arange(20))
    with pytest.raises(ValueError, match="load_windows: " + match):
        stocks.load_windows(tmp_path / "E.csv", **{"window": 5, **kwargs})


def test_load_windows_refuses_unordered_dates(tmp_path):
    write_prices(tmp_path / "U.csv", 10.0 + np.arange(20), extra_rows=["2020-01-05,1,2,0,1,5"])
    with pytest.raises(ValueError, match="load_windows: U: expected dates in strictly increasing order .* "
                                         "received 2020-01-05 after 2020-01-20"):
        stocks.load_windows(tmp_path / "U.csv", window=5)


def test_load_csv_refuses_short_and_truncated_files(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(",Open,High,Low,Close,Volume\n")
    with pytest.raises(ValueError, match="short.csv: expected data rows after the header, received none"):
        stocks.load_csv(path)
    path.write_text("")
    with pytest.raises(ValueError, match="short.csv: the file is empty"):
        stocks.load_csv(path)
    write_prices(path, 10.0 + np.arange(5))
    path.write_text(path.read_text()[:-12])                       # cut inside the last row
    with pytest.raises(ValueError, match="short.csv, line 6: expected 6 fields, received"):
        stocks.load_csv(path)
    with pytest.raises(FileNotFoundError):
        stocks.load_windows(tmp_path / "missing.csv", window=3, path=tmp_path)


@pytest.mark.skipif(not (SHARED / "stocks" / "GOOG.csv").is_file(), reason=f"no shared stock files at {SHARED}")
def test_real_stock_files_to_windows():
    goog = stocks.load_csv(SHARED / "stocks" / "GOOG.csv")
    data = stocks.load_windows(goog, window=50, horizon=1, features=("Close",))
    n_test = round(len(goog) * 0.2)
    assert data.x_test.shape == (n_test, 50, 1) and data.x_train.shape == (len(goog) - n_test - 50, 50, 1)
    assert data.split_date == goog.dates[len(goog) - n_test]
    assert (data.dates_train < data.split_date).all() and (data.dates_test >= data.split_date).all()
    np.testing.assert_allclose(data.to_prices(data.y_test)[:, 0], goog["Close"][-n_test:], rtol=1e-5)
    eurusd = stocks.load_windows(SHARED / "stocks" / "EURUSD.csv", window=24, horizon=10)
    assert eurusd.x_train.shape[1:] == (24, 5) and eurusd.y_train.shape[1] == 10
    assert eurusd.dates_train.max() < eurusd.dates_test.min()
