"""Regression and its metrics on real data: an MLP predicts diabetes progression (section 1-2).

The course evaluates a regression with a table of observation, prediction and actual value
and with MSE, MAE, RMSE and MAPE. Here the data are real: 442 diabetes patients (Efron et al.
2004, shipped with glassnet), 10 measurements each, and a number that says how far the
disease progressed a year later. An MLP with a linear output unit learns it with MSE loss.

A number like "MSE 3,000" means little alone, so the lab compares it with two references:
always predicting the training mean (a model that learned nothing), and the best straight
line through the data (the normal equation of section 1).
"""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import layers
from glassnet.datasets import diabetes
from glassnet.labs.base import Lab, Param, register
from glassnet.preprocessing import StandardScaler, train_val_test_split


def regression_scores(actual, predicted) -> dict:
    """MSE, MAE, RMSE and MAPE of one set of predictions, from glassnet.metrics."""
    mse = float(np.mean(gn.metrics.mean_squared_error(actual, predicted)))   # mean((y - p)^2)
    mae = float(np.mean(gn.metrics.mean_absolute_error(actual, predicted)))  # mean(|y - p|)
    # MAPE = 100 * mean(|y - p| / |y|): the error in percent of the true value.
    mape = float(np.mean(gn.metrics.mean_absolute_percentage_error(actual, predicted)))
    return {"MSE": mse, "MAE": mae, "RMSE": mse ** 0.5, "MAPE %": mape}  # RMSE = sqrt(MSE), in y's units


@register
class RegressionMetrics(Lab):
    name = "regression-metrics"
    title = "An MLP regressor on the diabetes data: MSE, MAE, RMSE, MAPE against baselines"
    section = "2"
    shows = "regression on real data, the course's metrics, and why a baseline matters"
    typical_time = "3 s"
    params = {
        "hidden": Param(16, help="units of the hidden ReLU layer"),
        "epochs": Param(100, quick=40, help="training epochs"),
        "learning_rate": Param(0.001, help="Adam step size (small: 286 rows are easy to overfit)"),
    }

    def run(self, ctx):
        p = ctx.params
        x, y, names = diabetes.load_data(return_names=True)
        y = y.reshape(-1, 1)  # one column, like the model's single output
        ctx.print(f"diabetes: {x.shape[0]} patients, features {', '.join(names)}; "
                  f"target from {y.min():.0f} to {y.max():.0f}, mean {y.mean():.1f}")
        x_train, x_val, x_test, y_train, y_val, y_test = train_val_test_split(
            x, y, val_size=0.15, test_size=0.2, seed=ctx.seed)
        ctx.print(f"split: {len(x_train)} training, {len(x_val)} validation, {len(x_test)} test rows")

        # Scale the inputs AND the target with statistics of the training rows only. Scaling the
        # target matters with Adam: each step moves a weight by about the learning rate, so an
        # output that must reach ~150 would spend hundreds of steps just moving its bias.
        x_scaler, y_scaler = StandardScaler().fit(x_train), StandardScaler().fit(y_train)
        xs_train, xs_val, xs_test = (x_scaler.transform(a) for a in (x_train, x_val, x_test))
        ys_train, ys_val = y_scaler.transform(y_train), y_scaler.transform(y_val)

        model = gn.Sequential([
            layers.Input((x.shape[1],)),
            layers.Dense(p["hidden"], activation="relu"),
            layers.Dense(1),  # no activation: a regression output can take any value
        ])
        model.compile(optimizer=gn.optimizers.Adam(learning_rate=p["learning_rate"]), loss="mse",
                      metrics=["mae"])
        history = model.fit(xs_train, ys_train, epochs=p["epochs"], batch_size=32,
                            validation_data=(xs_val, ys_val), verbose=0)
        # Predictions come out in z-scores; turn them back into the target's own units.
        predicted = y_scaler.inverse_transform(model.predict(xs_test))

        # Reference 1: predict the training mean for everyone.
        mean_baseline = np.full_like(y_test, y_train.mean())
        # Reference 2: the least-squares line, w = (A^T A)^-1 A^T y with a column of ones for b.
        a_train = np.hstack([xs_train, np.ones((len(xs_train), 1), "float32")])
        a_test = np.hstack([xs_test, np.ones((len(xs_test), 1), "float32")])
        w = np.linalg.solve(a_train.T @ a_train, a_train.T @ y_train)
        linear = (a_test @ w).astype("float32")

        scores = {"predict the mean": regression_scores(y_test, mean_baseline),
                  "linear (normal equation)": regression_scores(y_test, linear),
                  "MLP": regression_scores(y_test, predicted)}
        ctx.table(["model", "MSE", "MAE", "RMSE", "MAPE %"],
                  [[name, *(round(v, 2) for v in s.values())] for name, s in scores.items()],
                  title=f"test set ({len(y_test)} patients): lower is better")
        ctx.table(["observation", "prediction", "actual", "error", "mean baseline"],
                  [(i + 1, round(float(predicted[i, 0]), 1), float(y_test[i, 0]),
                    round(float(predicted[i, 0] - y_test[i, 0]), 1), round(float(mean_baseline[i, 0]), 1))
                   for i in range(10)],
                  title="first 10 test patients")
        mlp = scores["MLP"]
        for metric in ("MSE", "MAE", "RMSE", "MAPE %"):
            ctx.report(f"test {metric}", mlp[metric])
        ctx.report("baseline test MSE", scores["predict the mean"]["MSE"], note="always the training mean")
        ctx.report("linear test MSE", scores["linear (normal equation)"]["MSE"], note="least-squares line")
        # R^2 = 1 - MSE / MSE of the mean baseline: the share of the variance explained.
        ctx.report("test R^2 vs mean", 1.0 - mlp["MSE"] / scores["predict the mean"]["MSE"])

        from glassnet import plotting
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(5, 5))
        ax.scatter(y_test[:, 0], linear[:, 0], s=14, alpha=0.5, marker="x", label="linear")
        ax.scatter(y_test[:, 0], predicted[:, 0], s=16, alpha=0.8, label="MLP")
        ax.axhline(float(y_train.mean()), color="gray", linestyle=":", label="mean baseline")
        lo, hi = float(y.min()), float(y.max())
        ax.plot([lo, hi], [lo, hi], "k--", linewidth=1, label="perfect")
        ax.set_xlabel("actual progression")
        ax.set_ylabel("predicted progression")
        ax.set_title("test set: predicted vs actual")
        ax.legend()
        ctx.savefig(fig, "predicted_vs_actual")
        ctx.savefig(plotting.plot_history(history, title="MLP regressor (loss on z-scored target)"),
                    "history")
