"""``glassnet tune CONFIG.json``: a search described by a JSON file.

The file names the data, the space (the course's MLP table, see ``glassnet.tuning.mlp``), the
budget and where the trials run::

    {
      "dataset": "mnist",                 // "mnist", "fashion_mnist" or "synthetic"
      "train_samples": 5000, "val_samples": 1000, "test_samples": 2000,
      "space": {"layers": {"type": "int", "min": 1, "max": 3},
                "units": [64, 128, 256],
                "learning_rate": {"type": "float", "min": 1e-4, "max": 1e-2, "sampling": "log"}},
      "tuner": "random", "max_trials": 8, "seed": 0, "objective": "val_accuracy",
      "epochs": 2, "batch_size": 64,
      "executor": "processes", "workers": 2,
      "directory": "glassnet-tuning", "project_name": "mnist_mlp"
    }

(JSON has no comments: leave them out of a real file.) Every key but ``dataset`` is optional
(``DEFAULTS``); ``"space"`` defaults to ``COURSE_TABLE``. ``"synthetic"`` is Gaussian blobs
(``"synthetic": {"samples": 600, "features": 10, "classes": 3}``), for a try without data.
Re-running the same file resumes its unfinished trials (``"overwrite": true`` starts afresh).

Example:
    >>> tuner = run_config("search.json")     # what `glassnet tune search.json` does
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["run_config", "load_config", "DEFAULTS"]

DEFAULTS = {
    "dataset": None, "data_dir": None, "train_samples": 5000, "val_samples": 1000, "test_samples": 2000,
    "synthetic": {"samples": 600, "features": 10, "classes": 3},
    "space": None, "tuner": "random", "max_trials": 8, "seed": 0, "objective": "val_accuracy",
    "epochs": 1, "batch_size": 64, "executor": "local", "workers": None, "address": None,
    "directory": "glassnet-tuning", "project_name": None, "overwrite": False, "tensorboard": False,
    "plot": True,
}
_DATASETS = ("mnist", "fashion_mnist", "synthetic")


def load_config(source) -> dict:
    """A config (a path to a JSON file or a dict) completed with ``DEFAULTS`` and checked."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"tune: no config file {path}") from None
        except json.JSONDecodeError as err:
            raise ValueError(f"tune: {path} is not valid JSON: {err}") from None
        config.setdefault("project_name", path.stem)
    else:
        config = dict(source)
    if not isinstance(config, dict):
        raise ValueError(f"tune: expected a JSON object at the top of the config, received {type(config).__name__}")
    unknown = sorted(set(config) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"tune: unknown config keys {unknown}; known: {sorted(DEFAULTS)}")
    out = dict(DEFAULTS, **config)
    if out["dataset"] not in _DATASETS:
        raise ValueError(f"tune: expected dataset to be one of {list(_DATASETS)}, received {out['dataset']!r}")
    if out["tuner"] not in ("random", "grid"):
        raise ValueError(f"tune: expected tuner 'random' or 'grid', received {out['tuner']!r}")
    out["project_name"] = out["project_name"] or "untitled_project"
    return out


def _data(config):
    """``(x_train, y_train), (x_val, y_val), (x_test, y_test), input_shape, n_classes``."""
    n, v, t = config["train_samples"], config["val_samples"], config["test_samples"]
    if config["dataset"] == "synthetic":
        s = dict(DEFAULTS["synthetic"], **(config["synthetic"] or {}))
        rng = np.random.default_rng(config["seed"])
        centres = rng.normal(0.0, 1.5, (s["classes"], s["features"]))
        y = rng.integers(0, s["classes"], s["samples"])
        x = (centres[y] + rng.normal(0.0, 1.0, (s["samples"], s["features"]))).astype(np.float32)
        a, b = int(0.6 * len(x)), int(0.8 * len(x))
        return (x[:a], y[:a]), (x[a:b], y[a:b]), (x[b:], y[b:]), (s["features"],), s["classes"]
    import glassnet as gn
    module = gn.datasets.mnist if config["dataset"] == "mnist" else gn.datasets.fashion_mnist
    (x_train, y_train), (x_test, y_test) = module.load_data(data_dir=config["data_dir"])
    scale = np.float32(255.0)
    return ((x_train[:n] / scale, y_train[:n]), (x_train[n:n + v] / scale, y_train[n:n + v]),
            (x_test[:t] / scale, y_test[:t]), (28, 28), 10)


def run_config(source, echo=print, **overrides):
    """Run the search a config describes; print the trials, the best one's test accuracy and
    where the plot went. ``overrides`` replace config keys (the CLI's ``--executor``...).
    Returns the tuner."""
    from glassnet.tuning import GridSearch, RandomSearch
    from glassnet.tuning.mlp import COURSE_TABLE, MLPBuilder
    config = load_config(source)
    config.update({k: v for k, v in overrides.items() if v is not None})
    (x, y), (x_val, y_val), (x_test, y_test), input_shape, n_classes = _data(config)
    build = MLPBuilder(config["space"] if config["space"] is not None else COURSE_TABLE, input_shape, n_classes)
    cls = RandomSearch if config["tuner"] == "random" else GridSearch
    tuner = cls(build, objective=config["objective"], max_trials=config["max_trials"], seed=config["seed"],
                directory=config["directory"], project_name=config["project_name"],
                overwrite=config["overwrite"], executor=config["executor"], workers=config["workers"],
                address=config["address"], tensorboard=config["tensorboard"])
    echo(f"{config['tuner']} search on {config['dataset']}: {len(x)} training, {len(x_val)} validation "
         f"samples; {config['max_trials']} trials on {config['executor']}")
    tuner.search(x, y, validation_data=(x_val, y_val), epochs=config["epochs"], batch_size=config["batch_size"])
    tuner.results_summary(print_fn=echo)
    best = tuner.best_trials(1)
    if best:
        _, accuracy = tuner.get_best_models(1)[0].evaluate(x_test, y_test, verbose=0)
        echo(f"best trial {best[0].trial_id}: {config['objective']}={best[0].score:.4f}, "
             f"test accuracy {accuracy:.4f} on {len(x_test)} samples")
    if config["plot"]:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig = tuner.plot()
        path = tuner.project_dir / "scores_by_parameter.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        echo(f"saved {path}")
    return tuner
