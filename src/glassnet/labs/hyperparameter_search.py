"""Hyper-parameter search over the course's MLP table on MNIST (COURSE.md section 2).

The course gives a table of choices for a multi-layer perceptron (hidden layers and neurons
per layer, weight and bias initialisation, activation, dropout, L1/L2 regularisation, learning
rate) and leaves the learner to try them. Here a random search tries a fixed budget of them,
each trial on its own seed, and runs the same search twice: on one worker and on every core
(``executor=processes``, or ``ray`` with ``--set executor=ray``), so the learner sees both what
the choices do and what parallel trials buy.

Run on Ray: ``glassnet labs run hyperparameter-search --set executor=ray`` (needs
``pip install "glassnet[distributed]"``; ``--set address=ray://head:10001`` for a cluster).
"""
from __future__ import annotations

import os
import shutil

import glassnet as gn
from glassnet.labs.base import Lab, Param, register


@register
class HyperparameterSearch(Lab):
    name = "hyperparameter-search"
    title = "Random search over the course's MLP table, on 1 worker and on all cores"
    section = "2"
    shows = ("which of the course's MLP choices matter on MNIST, the best trial's test accuracy "
             "beside the default net's, and the measured speed-up of parallel trials")
    typical_time = "2 min"
    datasets = ("mnist",)
    params = {
        "trials": Param(16, quick=3, help="trials in the search (its fixed budget)"),
        "epochs": Param(2, quick=1, help="training epochs per trial"),
        "batch_size": Param(64, help="batch size"),
        "train_samples": Param(20000, quick=1000, help="training images used (first N)"),
        "val_samples": Param(3000, quick=500, help="validation images (the next N after the training ones)"),
        "test_samples": Param(10000, quick=1000, help="test images used (first N)"),
        "executor": Param("processes", help="where trials run: local, processes or ray"),
        "workers": Param(0, help="workers for the parallel run (0: every core)"),
        "address": Param("", help="a Ray cluster address (default: $RAY_ADDRESS or a local Ray)"),
        "compare_one_worker": Param(True, help="also run the search on 1 worker, to measure the speed-up"),
        "data_dir": Param(None, help="folder holding mnist/ (default: $GLASSNET_DATA)"),
    }

    def run(self, ctx):
        from glassnet.tuning import HyperParameters, RandomSearch
        from glassnet.tuning.executors import check_executor, init_ray
        from glassnet.tuning.mlp import COURSE_TABLE, DEFAULTS, MLPBuilder
        p = ctx.params
        executor = check_executor(p["executor"], None, f"lab {self.name}")
        workers = p["workers"] or (os.cpu_count() or 1)
        (x_train, y_train), (x_test, y_test) = gn.datasets.mnist.load_data(data_dir=p["data_dir"])
        n, v = p["train_samples"], p["val_samples"]
        x_val, y_val = x_train[n:n + v], y_train[n:n + v]
        x_train, y_train = x_train[:n], y_train[:n]
        x_test, y_test = x_test[:p["test_samples"]], y_test[:p["test_samples"]]
        # Scale pixels to [0, 1]: raw 0..255 inputs would make the first steps explode.
        x_train, x_val, x_test = (a.astype("float32") / 255.0 for a in (x_train, x_val, x_test))
        ctx.print(f"MNIST: {len(x_train)} training, {len(x_val)} validation, {len(x_test)} test images")
        ctx.print("search space (COURSE.md section 2's table):")
        ctx.table(["parameter", "range"], [(k, _describe(s)) for k, s in COURSE_TABLE.items()])

        build = MLPBuilder(COURSE_TABLE, (28, 28), 10)
        fit_args = dict(validation_data=(x_val, y_val), epochs=p["epochs"], batch_size=p["batch_size"])
        address = p["address"] or None
        if executor == "ray":  # start (or join) Ray before the clock starts: its start-up is not a trial's cost
            init_ray(address)
        root = ctx.out / "tuning"
        shutil.rmtree(root, ignore_errors=True)

        def search(n_workers, project):
            tuner = RandomSearch(build, objective="val_accuracy", max_trials=p["trials"], seed=ctx.seed,
                                 directory=root, project_name=project, overwrite=True, executor=executor,
                                 workers=n_workers, address=address)
            tuner.search(x_train, y_train, verbose=1 if not ctx.quick else 0, **fit_args)
            return tuner

        timings = []
        if p["compare_one_worker"] and workers > 1 and executor != "local":
            ctx.print(f"\nthe search on 1 worker ({executor}):")
            one = search(1, "one_worker")
            timings.append((1, one.search_seconds))
        ctx.print(f"\nthe search on {workers} workers ({executor}):" if executor != "local"
                  else "\nthe search in this process (local):")
        tuner = search(workers if executor != "local" else None, "all_workers")
        timings.append((workers if executor != "local" else 1, tuner.search_seconds))
        if len(timings) == 2:
            same = [t.score for t in one.trials] == [t.score for t in tuner.trials]
            ctx.print(f"same trial scores on 1 and {workers} workers: {'yes' if same else 'NO'}")

        headers, rows = tuner.results_table()
        ctx.table(headers, rows, title=f"\ntrials, best first (objective: val_accuracy after {p['epochs']} epochs)")
        failed = [t for t in tuner.trials if t.status != "COMPLETED"]
        if failed:
            ctx.print(f"{len(failed)} trial(s) failed: " + "; ".join(
                f"{t.trial_id}: {t.error.strip().splitlines()[-1] if t.error else '?'}" for t in failed))
        best_trial = tuner.best_trials(1)[0]
        best_model = tuner.get_best_models(1)[0]
        _, best_acc = best_model.evaluate(x_test, y_test, verbose=0)

        # the default net (the Keras quick-start choices), same data, same budget, same seed rule
        gn.utils.set_random_seed(ctx.seed)
        default_model = build(HyperParameters(values={**DEFAULTS, "units_1": DEFAULTS["units"]}))
        default_model.fit(x_train, y_train, verbose=0, seed=ctx.seed, **fit_args)
        _, default_acc = default_model.evaluate(x_test, y_test, verbose=0)
        ctx.table(["model", "hyper-parameters", "test accuracy"],
                  [("best trial " + best_trial.trial_id, _short(best_trial.hyperparameters), float(best_acc)),
                   ("default (Keras quick-start)", "1x128 relu, dropout 0.2, glorot, adam 1e-3", float(default_acc))])

        ctx.report("best trial val_accuracy", float(best_trial.score))
        ctx.report("best trial test accuracy", float(best_acc))
        ctx.report("default net test accuracy", float(default_acc))
        for n_workers, seconds in timings:
            ctx.report(f"search wall time, {n_workers} worker{'s' if n_workers > 1 else ''} (s)", round(seconds, 1))
        if len(timings) == 2:
            speedup = timings[0][1] / timings[1][1]
            ctx.report(f"speed-up on {workers} workers", round(speedup, 2),
                       note=f"{executor}; ideal {workers}, less for start-up and uneven trials")
        ctx.savefig(tuner.plot(), "scores_by_parameter")
        ctx.savefig(_speed_figure(timings, executor), "wall_time")


def _describe(spec) -> str:
    if spec.get("type") == "choice":
        return ", ".join(str(v) for v in spec["values"])
    text = f"{spec['min']:g} .. {spec['max']:g}"
    if spec.get("step"):
        text += f" step {spec['step']:g}"
    if spec.get("sampling") == "log":
        text += " (log)"
    return text


def _short(values: dict) -> str:
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())


def _speed_figure(timings, executor):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    labels = [f"{n} worker{'s' if n > 1 else ''}" for n, _ in timings]
    ax.bar(labels, [s for _, s in timings], color=["tab:gray", "tab:blue"][:len(timings)])
    for i, (_, s) in enumerate(timings):
        ax.text(i, s, f"{s:.1f} s", ha="center", va="bottom")
    ax.set_ylabel("search wall time (s)")
    ax.set_title(f"the same trials, {executor}")
    ax.set_ylim(0, max(s for _, s in timings) * 1.2 + 1e-9)
    fig.tight_layout()
    return fig
