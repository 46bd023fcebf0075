"""Lab `stock-lstm`: two stacked LSTM(20) layers forecast a real price series (COURSE.md
section 5, "Stock prices"), and are compared honestly with the naive forecast.

The data: ``GOOG`` (daily, 2004-2013) or ``EURUSD`` (hourly, 2017-2018) from
``$GLASSNET_DATA/stocks`` (``--set symbol=EURUSD``), or any CSV file of the same layout
(``--set csv=PATH``: a date column, then Open, High, Low, Close, Volume or a subset).
``stocks.load_windows`` prepares it without letting the future leak in: the last 20% of the
rows are the test period, the min-max scaler to [-1, 1] is fitted on the training rows only,
and every sample is assigned by the dates of its targets.

Each sample is ``window`` = 50 rows of the chosen ``features`` (Close by default; any of
Open, High, Low, Close, Volume, comma-separated) and its target is the Close that follows:

- **next row** (next day for GOOG): ``LSTM(20, return_sequences=True)`` + ``LSTM(20)`` +
  ``Dense(1)``;
- **next ``horizon`` = 10 rows**: the same stack with a ``Dense(10)`` head (direct), and, when
  Close is the only feature, the next-row model fed its own predictions ten times
  (iterative; with more features it would need forecasts of them too, so it is skipped).

Baselines, scored the same way: **naive** ("tomorrow = today": the last Close seen, repeated
for every future row) and **linear** (least squares on the flattened window). All errors are
in prices (the scaling undone): RMSE and MAE over the test period.

What to expect: a day-to-day price is close to a random walk, so the naive forecast is very
hard to beat, and the LSTM usually does not beat it (its forecast looks good on a plot
because it follows the price with a lag of one day, like the naive one). The lab prints
whichever is the case. On GOOG the test prices also climb above the training range (the
scaled values pass 1), which a tanh network extrapolates poorly.

Measured at full settings (30 epochs, seed 0, 2026-12-02), GOOG, test period 2011-06-15 to
2013-03-01, RMSE in dollars: next day naive 10.38, linear 10.81, LSTM 19.49 (its forecasts
run 14 dollars low on average); 10 days naive 24.97, linear 26.58, LSTM direct 30.77, LSTM
iterative 60.25. EURUSD (hourly): next hour naive 0.0012, LSTM 0.0033. The naive forecast
wins everywhere. 26 s for GOOG and 60 s for EURUSD on 2 cores (one BLAS thread), peak
resident memory about 100 MB.
"""
from __future__ import annotations

import time

import numpy as np

import glassnet as gn
from glassnet import layers, plotting
from glassnet.datasets import stocks
from glassnet.datasets._files import DatasetNotFoundError
from glassnet.labs._forecasting import BigBatches, peak_memory_mb, subplots
from glassnet.labs.base import Lab, Param, register
from glassnet.utils import timeseries as ts

TARGET = "Close"


def lstm_forecaster(window, n_features, units, horizon):
    """The course's network: two stacked LSTMs (the first passes on its whole output sequence)
    and a dense head with one output per forecast row."""
    return gn.Sequential([
        layers.Input((window, n_features)),
        layers.LSTM(units, return_sequences=True),
        layers.LSTM(units),
        layers.Dense(horizon),
    ])


def sig(value, digits=5):
    """``value`` to ``digits`` significant digits (prices of 800 dollars and of 1.07 euros alike)."""
    return float(f"{value:.{digits}g}")


def price_errors(truth, forecast):
    """RMSE and MAE of ``forecast`` against ``truth`` (both in prices), over every value."""
    error = np.asarray(forecast, dtype=np.float64) - np.asarray(truth, dtype=np.float64)
    return float(np.sqrt(np.mean(error ** 2))), float(np.mean(np.abs(error)))


@register
class StockLSTM(Lab):
    name = "stock-lstm"
    title = "Two stacked LSTMs forecast a price series, next day and 10 days ahead, against the naive forecast"
    section = "5"
    shows = "RMSE/MAE in prices of LSTM, linear and naive forecasts on the test period; prediction plots"
    typical_time = "1 min"
    datasets = ("stocks",)
    params = {
        "symbol": Param("GOOG", help="series under $GLASSNET_DATA/stocks: GOOG (daily) or EURUSD (hourly)"),
        "csv": Param("", help="a CSV file to use instead of symbol (date column, then price columns)"),
        "features": Param("Close", help="input columns, comma-separated, among Open,High,Low,Close,Volume"),
        "window": Param(50, help="rows (days) in each input window"),
        "horizon": Param(10, help="rows ahead of the multi-step forecast"),
        "units": Param(20, help="units of each LSTM layer"),
        "epochs": Param(30, quick=2, help="training epochs of each network"),
        "batch_size": Param(32, help="windows per step"),
        "learning_rate": Param(1e-3, help="Adam's learning rate"),
        "train_limit": Param(0, quick=300, help="train on the last N training windows only (0: all)"),
        "test_size": Param(0.2, help="fraction of the rows, at the end, used as the test period"),
        "data_dir": Param("", help="folder holding stocks/ (default: $GLASSNET_DATA or the cache)"),
    }

    def run(self, ctx):
        p = ctx.params
        series = self._load(ctx)
        features = tuple(f.strip() for f in p["features"].split(",") if f.strip())
        if TARGET not in features:
            features += (TARGET,)
            ctx.print(f"{TARGET} added to the features: the naive forecast needs the last {TARGET}")
        start = time.perf_counter()
        window, horizon = p["window"], p["horizon"]
        common = dict(window=window, features=features, target=TARGET, test_size=p["test_size"])
        one = stocks.load_windows(series, horizon=1, **common)
        many = stocks.load_windows(series, horizon=horizon, **common)
        if p["train_limit"]:       # quick runs: the most recent training windows only
            for data in (one, many):
                data.x_train, data.y_train = data.x_train[-p["train_limit"]:], data.y_train[-p["train_limit"]:]
                data.dates_train = data.dates_train[-p["train_limit"]:]
        close = features.index(TARGET)
        ctx.print(f"{series.name}: {len(series)} rows, {series.dates[0]} to {series.dates[-1]}; features {features}")
        ctx.print(f"test period from {one.split_date}: {len(one.x_train)} training and {len(one.x_test)} test "
                  f"windows of {window} rows (scaler fitted on the training rows only)")
        beyond = float(np.max(one.y_test))
        if beyond > 1.0:
            ctx.print(f"the test period's highest {TARGET} scales to {beyond:.2f}, beyond the training range [-1, 1]")

        histories = {}

        def train(label, data, outputs):
            gn.backend.set_seed(ctx.seed)     # reproducible: the same draw and batch order every run
            model = lstm_forecaster(window, len(features), p["units"], outputs)
            model.compile(optimizer=gn.optimizers.Adam(p["learning_rate"]), loss="mse")
            t0 = time.perf_counter()
            # the last 10% of the training windows (in time order) watch for over-fitting
            history = model.fit(data.x_train, data.y_train, epochs=p["epochs"], batch_size=p["batch_size"],
                                validation_split=0.1, verbose=0)
            per_epoch = (time.perf_counter() - t0) / p["epochs"]
            histories[label] = history
            ctx.print(f"{label}: {model.count_params()} parameters, {per_epoch:.2f} s per epoch, "
                      f"final loss {history.history['loss'][-1]:.5f}, validation {history.history['val_loss'][-1]:.5f}")
            return model

        # ------------------------------------------------------------ next row
        truth1 = one.to_prices(one.y_test)[:, 0]
        next_model = train("LSTM, next row", one, 1)
        forecasts1 = {
            "naive (tomorrow = today)": one.to_prices(ts.naive_forecast(one.x_test, 1, close))[:, 0],
            "linear (least squares)": one.to_prices(ts.linear_forecast(one.x_train, one.y_train, one.x_test))[:, 0],
            "LSTM(20) x 2": one.to_prices(next_model.predict(one.x_test, batch_size=500))[:, 0],
        }
        rows1 = []
        naive_rmse = price_errors(truth1, forecasts1["naive (tomorrow = today)"])[0]
        for label, forecast in forecasts1.items():
            rmse, mae = price_errors(truth1, forecast)
            bias = float(np.mean(np.asarray(forecast, np.float64) - truth1))
            rows1.append([label, sig(rmse), sig(mae), round(rmse / naive_rmse, 3), sig(bias)])
            ctx.report(f"next row: {label}: test RMSE", rmse)
            ctx.report(f"next row: {label}: test MAE", mae)
        ctx.table(["forecast", "RMSE", "MAE", "RMSE / naive", "mean error (bias)"], rows1,
                  title=f"Next row ({series.name} {TARGET}, in prices), test period of {len(truth1)} rows")
        self._verdict(ctx, "next row", rows1)

        # ------------------------------------------------------------ horizon rows
        truth_h = many.to_prices(many.y_test)
        direct = train(f"LSTM, direct Dense({horizon})", many, horizon)
        forecasts_h = {
            "naive (last value repeated)": many.to_prices(ts.naive_forecast(many.x_test, horizon, close)),
            "linear (least squares, direct)": many.to_prices(
                ts.linear_forecast(many.x_train, many.y_train, many.x_test)),
            f"LSTM(20) x 2, direct Dense({horizon})": many.to_prices(direct.predict(many.x_test, batch_size=500)),
        }
        if features == (TARGET,):
            forecasts_h["LSTM(20) x 2, iterative"] = many.to_prices(
                ts.forecast_iteratively(BigBatches(next_model), many.x_test, horizon))
        else:
            ctx.print(f"iterative forecast skipped: the next-row model predicts {TARGET} only, and its "
                      f"inputs {features} would need forecasts of the other columns too")
        rows_h = []
        naive_rmse = price_errors(truth_h, forecasts_h["naive (last value repeated)"])[0]
        for label, forecast in forecasts_h.items():
            rmse, mae = price_errors(truth_h, forecast)
            first = price_errors(truth_h[:, 0], forecast[:, 0])[0]
            last = price_errors(truth_h[:, -1], forecast[:, -1])[0]
            rows_h.append([label, sig(rmse), sig(mae), round(rmse / naive_rmse, 3), sig(first), sig(last)])
            ctx.report(f"{horizon} rows: {label}: test RMSE", rmse)
            ctx.report(f"{horizon} rows: {label}: test MAE", mae)
        ctx.table(["forecast", "RMSE", "MAE", "RMSE / naive", "RMSE row 1", f"RMSE row {horizon}"], rows_h,
                  title=f"Next {horizon} rows, errors over all of them, test period of {len(truth_h)} windows")
        self._verdict(ctx, f"{horizon} rows", rows_h)
        ctx.report("training and scoring time (s)", round(time.perf_counter() - start, 1))
        peak = peak_memory_mb()
        if peak is not None:
            ctx.report("peak resident memory (MB)", round(peak, 1), note="whole process (getrusage)")

        ctx.savefig(self._next_row_figure(one.dates_test[:, 0], truth1, forecasts1, series.name),
                    "next_row_test")
        ctx.savefig(self._multi_row_figure(many.dates_test, truth_h, forecasts_h, series.name, horizon),
                    "multi_row_test")
        fig, axes = subplots(len(histories), (6 * len(histories), 3.8))
        for ax, (label, history) in zip(axes, histories.items()):
            plotting.plot_history(history, metrics=["loss"], ax=ax, title=label)
        ctx.savefig(fig, "learning_curves")

    def _load(self, ctx):
        """The price series, or a clear message and the loader's error when the file is missing."""
        p = ctx.params
        try:
            if p["csv"]:
                return stocks.load_csv(p["csv"])
            return stocks.load_data(p["symbol"], path=p["data_dir"] or None)
        except (DatasetNotFoundError, FileNotFoundError) as err:
            ctx.print(f"stock-lstm needs a price file and found none: {err}")
            ctx.print("The project's files are in ../shared/data/stocks: run with GLASSNET_DATA=../shared/data, "
                      "or --set csv=PATH for a file of your own.")
            raise

    @staticmethod
    def _verdict(ctx, what, rows):
        """Print, in words, whether the LSTMs beat the naive forecast (first row)."""
        naive = rows[0][1]
        for row in rows[1:]:
            if row[0].startswith("LSTM"):
                if row[1] < naive:
                    ctx.print(f"{what}: {row[0]} beats the naive forecast (RMSE {row[1]} < {naive}).")
                else:
                    ctx.print(f"{what}: {row[0]} does NOT beat the naive forecast (RMSE {row[1]} >= {naive}); "
                              "for prices that move like a random walk, that is the usual truth.")

    @staticmethod
    def _next_row_figure(dates, truth, forecasts, name):
        fig, (ax_all, ax_zoom) = subplots(2, (14, 4.2), width_ratios=(2, 1))
        zoom = slice(max(0, len(dates) - 60), None)
        for ax, part, title in ((ax_all, slice(None), "test period"), (ax_zoom, zoom, "last 60 rows")):
            ax.plot(dates[part], truth[part], color="black", linewidth=2, label="truth")
            for label, forecast in forecasts.items():
                ax.plot(dates[part], forecast[part], linewidth=1, alpha=0.85, label=label)
            ax.set(title=title, ylabel=f"{TARGET} price")
            ax.grid(alpha=0.3)
            ax.tick_params(axis="x", labelrotation=30)
        ax_all.legend(fontsize=8)
        fig.suptitle(f"{name}: next-row forecasts on the test period")
        return fig

    @staticmethod
    def _multi_row_figure(dates, truth, forecasts, name, horizon, fans=8):
        """Truth over the test period and a few forecasts of ``horizon`` rows, from starts spread
        over it."""
        fig, (ax,) = subplots(1, (12, 4.5))
        ax.plot(dates[:, 0], truth[:, 0], color="black", linewidth=1.5, label="truth")
        starts = np.linspace(0, len(dates) - 1, fans).astype(int)
        colors = {}
        for label, forecast in forecasts.items():
            if label.startswith("naive"):
                continue
            for i in starts:
                line, = ax.plot(dates[i], forecast[i], color=colors.get(label), linewidth=1.5,
                                label=label if label not in colors else None)
                colors[label] = line.get_color()
        ax.set(ylabel=f"{TARGET} price", title=f"{name}: {horizon}-row forecasts from {fans} dates of the test period")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        return fig

