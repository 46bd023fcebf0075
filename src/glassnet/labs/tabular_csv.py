"""A single-layer classifier on a customer table read from CSV (COURSE.md section 2).

The course classifies insurance fraud from a customer table: an ID column, a label column
and feature columns, missing values filled with 0, one layer. This lab does the same with
``glassnet.datasets.load_table``. Give your own file with ``--set csv=PATH`` (and
``label=`` / ``id_column=`` if your columns are named otherwise); without one, the lab writes
a synthetic table of the same shape into its output folder and says so. That table is made
up (seeded random numbers), but realistic in kind: fraud is more likely for large claims,
late reports and customers with earlier claims, less likely for long-standing customers,
plus noise, so no model can be perfect.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

import glassnet as gn
from glassnet import layers
from glassnet.datasets import load_table
from glassnet.labs.base import Lab, Param, register
from glassnet.preprocessing import StandardScaler, train_test_split


def write_synthetic_claims(path: Path, rows: int, seed: int) -> None:
    """Write a made-up insurance-claims table with a noisy but learnable ``fraud`` label."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, rows)
    tenure = rng.integers(1, 240, rows)                        # months as a customer
    premium = np.round(rng.lognormal(7.0, 0.35, rows), 2)      # yearly premium, ~1,100
    claim = np.round(rng.lognormal(8.0, 0.8, rows), 2)         # claimed amount, ~3,000
    prior = rng.poisson(0.6, rows)                             # earlier claims
    delay = np.round(rng.exponential(10.0, rows)).astype(int)  # days between incident and report
    witnesses = rng.integers(0, 4, rows)

    def z(v):
        return (v - v.mean()) / v.std()

    # The hidden rule: a weighted sum of the evidence plus noise, through a logistic.
    logit = (-1.8 + 1.8 * z(np.log(claim)) + 1.3 * z(prior) + 1.4 * z(np.log1p(delay))
             - 1.1 * z(tenure) - 0.8 * z(witnesses) + rng.normal(0.0, 0.5, rows))
    fraud = (rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))).astype(int)

    columns = {"customer_id": [f"C{i:05d}" for i in range(1, rows + 1)], "age": age,
               "tenure_months": tenure, "annual_premium": premium, "claim_amount": claim,
               "prior_claims": prior, "report_delay_days": delay, "witnesses": witnesses,
               "fraud": fraud}
    table = [[str(v) for v in values] for values in zip(*columns.values())]
    # Blank out a few cells (about 3% of three columns), as real forms have gaps.
    for name in ("annual_premium", "report_delay_days", "witnesses"):
        j = list(columns).index(name)
        for i in np.flatnonzero(rng.random(rows) < 0.03):
            table[i][j] = "" if i % 2 else "NA"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(list(columns))
        writer.writerows(table)


@register
class TabularCsv(Lab):
    name = "tabular-csv"
    title = "Fraud or not: a single-layer classifier on a CSV customer table"
    section = "2"
    shows = "CSV with ID/label columns, missing values filled with 0, logistic regression as 1 unit"
    typical_time = "3 s"
    params = {
        "csv": Param(None, help="a CSV file to use (default: write a synthetic claims table)"),
        "label": Param("fraud", help="name of the 0/1 label column"),
        "id_column": Param("customer_id", help="name of the ID column (dropped; '' for none)"),
        "rows": Param(600, help="rows of the synthetic table"),
        "epochs": Param(100, quick=30, help="training epochs"),
        "learning_rate": Param(0.01, help="Adam step size"),
    }

    def run(self, ctx):
        p = ctx.params
        if p["csv"] is None:
            path = ctx.out / "synthetic_claims.csv"
            write_synthetic_claims(path, p["rows"], ctx.seed)
            ctx.print(f"no --set csv=PATH given: wrote a SYNTHETIC claims table of {p['rows']} rows "
                      f"to {path} (made-up data with a noisy, learnable rule)")
        else:
            path = Path(p["csv"])
            ctx.print(f"reading {path}")

        # The ID column identifies a customer but says nothing about fraud: drop it.
        table = load_table(path, label=p["label"], drop=[p["id_column"]] if p["id_column"] else [],
                           fill_missing=0.0)
        x, y, names = table
        ctx.print(f"{x.shape[0]} rows, {x.shape[1]} features: {', '.join(names)}")
        ctx.print(f"missing values filled with 0: {table.missing_filled}"
                  + (f" ({', '.join(f'{k}: {v}' for k, v in table.missing_by_column.items())})"
                     if table.missing_filled else ""))
        if set(np.unique(y)) - {0, 1}:
            raise ValueError(f"tabular-csv: expected a 0/1 label column {p['label']!r}, "
                             f"received values {np.unique(y)[:10]}")
        y = y.astype("float32").reshape(-1, 1)  # one column, like the model's one output
        ctx.print(f"label {p['label']!r}: {int(y.sum())} positive of {len(y)} ({y.mean():.1%})")

        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, seed=ctx.seed)
        # z-scores with the mean and std of the TRAINING rows only: the test rows must stay
        # unseen, or the score would be optimistic.
        scaler = StandardScaler().fit(x_train)
        x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)

        # One layer, one sigmoid unit: logistic regression, p(fraud) = sigmoid(x . w + b).
        model = gn.Sequential([layers.Input((x.shape[1],)), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=gn.optimizers.Adam(learning_rate=p["learning_rate"]),
                      loss="binary_crossentropy", metrics=["accuracy"])
        history = model.fit(x_train, y_train, epochs=p["epochs"], batch_size=32, verbose=0)

        _, train_accuracy = model.evaluate(x_train, y_train, verbose=0)
        _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
        predicted = (model.predict(x_test).reshape(-1) > 0.5).astype("int64")
        actual = y_test.reshape(-1).astype("int64")
        cm = gn.metrics.confusion_matrix(actual, predicted, num_classes=2)
        (tn, fp), (fn, tp) = cm
        precision = tp / (tp + fp) if tp + fp else 0.0  # of the claims flagged, how many are fraud
        recall = tp / (tp + fn) if tp + fn else 0.0     # of the frauds, how many were flagged
        majority = max(actual.mean(), 1 - actual.mean())  # always answering the commoner class

        ctx.table(["", "predicted 0", "predicted 1"], [["actual 0", tn, fp], ["actual 1", fn, tp]],
                  title="confusion table (test rows)")
        kernel, bias = model.layers[-1].get_weights()
        order = np.argsort(-np.abs(kernel[:, 0]))
        ctx.table(["feature", "weight (per standard deviation)"],
                  [(names[i], float(kernel[i, 0])) for i in order] + [("(bias)", float(bias[0]))],
                  title="what the layer learned: a positive weight pushes towards label 1")
        ctx.report("train accuracy", float(train_accuracy))
        ctx.report("test accuracy", float(test_accuracy))
        ctx.report("test majority-class rate", float(majority), note="accuracy of always guessing the commoner class")
        ctx.report("test precision", float(precision))
        ctx.report("test recall", float(recall))
        ctx.report("missing values filled", int(table.missing_filled))

        from glassnet import plotting
        ctx.savefig(plotting.plot_history(history, title="single-layer classifier: training"),
                    "history")
        ctx.savefig(plotting.plot_confusion_matrix(cm, class_names=[f"no {p['label']}", p["label"]],
                                                   title="test rows"), "confusion_matrix")
