"""The forecasting labs of COURSE.md section 5 (`sine-forecast`, `stock-lstm`) at quick
settings: they report finite errors, the baselines order as they must, plots are saved, runs
repeat exactly, and the stock lab works on a CSV file it is given and says when one is missing."""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from glassnet import labs
from glassnet.datasets import DatasetNotFoundError
from helpers import SHARED_DATA

DATA = Path(os.environ["GLASSNET_DATA"]) if os.environ.get("GLASSNET_DATA") else SHARED_DATA


def run(name, out, **overrides):
    labs.load_all()
    result = labs.run_lab(name, quick=True, out=out, echo=lambda *a: None, overrides=overrides or None)
    assert result.figures, f"{name} saved no figure"
    for path in result.figures:
        assert path.is_file() and path.stat().st_size > 5000, f"{path} missing or empty"
    return result


def finite_metrics(result):
    values = {m.name: m.value for m in result.metrics}
    for name, value in values.items():
        if isinstance(value, float):
            assert math.isfinite(value), f"{name} = {value}"
    return values


def test_sine_forecast_quick(tmp_path):
    result = run("sine-forecast", tmp_path)
    mse = finite_metrics(result)
    assert {p.name for p in result.figures} == {"one_step_forecasts.png", "ten_step_forecasts.png",
                                                "learning_curves.png"}
    naive, linear = mse["1 step: naive (last value): valid MSE"], mse["1 step: linear (least squares): valid MSE"]
    # the two baselines need no training: measured 0.0216 and 0.0027 on 200 validation series
    assert 0.012 < naive < 0.035
    assert linear < 0.5 * naive
    naive10 = mse["10 steps: naive (last value x 10): valid MSE"]
    assert mse["10 steps: linear, direct (10 outputs): valid MSE"] < 0.25 * naive10
    # two epochs on 700 series: the deep RNN (0.011 measured) already beats the naive forecast
    assert mse["1 step: deep RNN: valid MSE"] < naive
    for key in ("1 step: SimpleRNN(1)", "1 step: LSTM", "1 step: GRU", "10 steps: deep RNN, iterative",
                "10 steps: deep RNN, direct Dense(10)", "10 steps: seq2seq, forecast after the last step"):
        assert 0 < mse[f"{key}: valid MSE"] < 1, key
    # Géron's figures are printed beside ours
    courses = {m.name: m.course for m in result.metrics}
    assert courses["1 step: naive (last value): valid MSE"] == 0.020
    assert courses["1 step: deep RNN: valid MSE"] == 0.003
    assert courses["10 steps: deep RNN, iterative: valid MSE"] == 0.028
    assert courses["10 steps: deep RNN, direct Dense(10): valid MSE"] == 0.009


def write_prices(path, rows=420, seed=0):
    """A random-walk OHLCV table in the layout of the shared files (a date index, then columns)."""
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, rows)))
    open_ = close * np.exp(rng.normal(0, 0.003, rows))
    high = np.maximum(open_, close) * 1.004
    low = np.minimum(open_, close) * 0.996
    volume = rng.integers(1_000_000, 5_000_000, rows)
    dates = np.datetime64("2010-01-04") + np.arange(rows)
    lines = [",Open,High,Low,Close,Volume"] + [f"{d},{o:.4f},{h:.4f},{lo:.4f},{c:.4f},{v}" for d, o, h, lo, c, v
                                                in zip(dates, open_, high, low, close, volume)]
    path.write_text("\n".join(lines) + "\n")
    return close


def test_stock_lstm_quick_on_a_given_csv(tmp_path):
    close = write_prices(tmp_path / "WALK.csv")
    result = run("stock-lstm", tmp_path / "out", csv=str(tmp_path / "WALK.csv"))
    values = finite_metrics(result)
    for horizon, naive, models in (
            ("next row", "naive (tomorrow = today)", ["linear (least squares)", "LSTM(20) x 2"]),
            ("10 rows", "naive (last value repeated)",
             ["linear (least squares, direct)", "LSTM(20) x 2, direct Dense(10)", "LSTM(20) x 2, iterative"])):
        for label in [naive] + models:
            rmse, mae = values[f"{horizon}: {label}: test RMSE"], values[f"{horizon}: {label}: test MAE"]
            assert 0 < mae <= rmse, (horizon, label)
    # the naive next-row error, in prices, recomputed from the file: the test targets are the
    # last 20% of the rows (84 of 420) and each is forecast by the Close before it
    first_test = 420 - 84
    expected = np.sqrt(np.mean((close[first_test:] - close[first_test - 1:-1]) ** 2))
    assert values["next row: naive (tomorrow = today): test RMSE"] == pytest.approx(expected, rel=1e-4)
    assert {p.name for p in result.figures} == {"next_row_test.png", "multi_row_test.png", "learning_curves.png"}


def test_stock_lstm_is_reproducible_and_takes_other_features(tmp_path):
    write_prices(tmp_path / "WALK.csv", rows=300, seed=1)
    csv = str(tmp_path / "WALK.csv")
    a = run("stock-lstm", tmp_path / "a", csv=csv, features="Open,Volume", epochs=1)
    b = run("stock-lstm", tmp_path / "b", csv=csv, features="Open,Volume", epochs=1)
    assert [(m.name, m.value) for m in a.metrics if "time" not in m.name and "memory" not in m.name] == \
           [(m.name, m.value) for m in b.metrics if "time" not in m.name and "memory" not in m.name]
    names = [m.name for m in a.metrics]
    assert "next row: LSTM(20) x 2: test RMSE" in names
    # Close is added to the inputs (for the naive forecast); with other inputs than Close the
    # next-row model cannot be fed its own forecasts, so there is no iterative forecast
    assert not any("iterative" in name for name in names)


def test_stock_lstm_says_when_the_file_is_missing(tmp_path):
    labs.load_all()
    lines = []
    with pytest.raises(DatasetNotFoundError, match="NOPE.csv"):
        labs.run_lab("stock-lstm", quick=True, out=tmp_path, echo=lines.append,
                     overrides={"symbol": "NOPE", "data_dir": str(tmp_path)})
    assert any("needs a price file" in line for line in lines)


@pytest.mark.skipif(not (DATA / "stocks" / "GOOG.csv").is_file(), reason=f"no stocks/GOOG.csv under {DATA}")
def test_stock_lstm_quick_on_goog(tmp_path):
    result = run("stock-lstm", tmp_path, data_dir=str(DATA))
    values = finite_metrics(result)
    # GOOG's day-to-day moves in the test period (mid 2011 to 2013): about 10 dollars
    assert 5 < values["next row: naive (tomorrow = today): test RMSE"] < 20
    assert values["next row: LSTM(20) x 2: test RMSE"] > 0
