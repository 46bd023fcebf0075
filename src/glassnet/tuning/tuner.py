"""Tuners: ``RandomSearch`` and ``GridSearch``, with trials stored on disk and run by an executor.

A search is a fixed list of trials. Trial ``i``'s hyper-parameters and its seed come from the
search's ``seed`` and ``i`` alone, never from the order in which trials happen to finish, so
the same search gives the same trials and the same scores on ``"local"``, ``"processes"`` and
``"ray"``. Each trial:

1. seeds Python's, NumPy's and glassnet's generators with its seed (``set_random_seed``);
2. builds its model with ``build_fn(hp)`` (``hp`` answering with the trial's values);
3. trains it with ``fit(..., seed=trial seed)`` (its own shuffle);
4. scores it: the objective (``val_loss``...) at the last epoch, the epoch whose weights are
   saved, so the stored model is the one the score describes (add ``EarlyStopping(
   restore_best_weights=True)`` to the callbacks to keep the best epoch);
5. is saved in ``<directory>/<project_name>/trial_NNN/``: ``trial.json`` (hyper-parameters,
   seed, status, score, metrics, seconds, attempts, error) and ``model.glassnet``.

Every trial a search is about to run is written to disk as ``PENDING`` first, and as
``COMPLETED`` or ``FAILED`` when it ends, so re-running the same search (``overwrite=False``,
the default) after an interruption runs only the trials that are not finished. A trial that
raises is run once more, then marked failed; the search goes on.

Example:
    >>> def build(hp):
    ...     model = gn.Sequential([layers.Input((20,)),
    ...                            layers.Dense(hp.Int("units", 8, 64, step=8),
    ...                                         activation=hp.Choice("act", ["relu", "tanh"])),
    ...                            layers.Dense(3, activation="softmax")])
    ...     model.compile(optimizer=gn.optimizers.Adam(hp.Float("lr", 1e-4, 1e-1, sampling="log")),
    ...                   loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ...     return model
    >>> tuner = RandomSearch(build, objective="val_accuracy", max_trials=8, seed=0, executor="processes", workers=2)
    >>> tuner.search(x, y, validation_data=(x_val, y_val), epochs=5, batch_size=32)
    >>> tuner.results_summary()
    >>> best = tuner.get_best_models(1)[0]
"""
from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import time
from pathlib import Path

import numpy as np

from glassnet import backend
from glassnet.tuning.executors import check_executor, run_tasks
from glassnet.tuning.hyperparameters import HyperParameters

__all__ = ["Objective", "Trial", "Tuner", "RandomSearch", "GridSearch"]

COMPLETED, FAILED, PENDING = "COMPLETED", "FAILED", "PENDING"
_MODEL_FILE = "model.glassnet"
_MAX_REDRAWS = 100  # draws of a random trial before its space is taken as exhausted


class Objective:
    """The value a search optimises: a name in the training logs and a direction.

    ``"val_loss"``, ``"loss"`` and names ending in ``loss``/``error`` are minimised; ``accuracy``,
    ``auc``, ``precision``, ``recall`` maximised; anything else needs ``Objective(name, direction)``.

    Example:
        >>> Objective("val_mae", "min").better(0.1, 0.2)
        True
    """

    def __init__(self, name: str, direction: str):
        if direction not in ("min", "max"):
            raise ValueError(f"Objective: expected direction 'min' or 'max', received {direction!r}")
        self.name, self.direction = name, direction

    def better(self, a, b) -> bool:
        """True if score ``a`` beats ``b`` (a None score never does)."""
        if a is None or (isinstance(a, float) and math.isnan(a)):
            return False
        if b is None or (isinstance(b, float) and math.isnan(b)):
            return True
        return a < b if self.direction == "min" else a > b

    def sort_key(self, score):
        """Sort key putting the best first and failed (None, NaN) trials last."""
        if score is None or math.isnan(score):
            return (1, 0.0)
        return (0, score if self.direction == "min" else -score)

    def __repr__(self):
        return f"Objective({self.name!r}, {self.direction!r})"


_MAXIMISED = ("accuracy", "acc", "auc", "precision", "recall", "r2", "f1")
_MINIMISED = ("loss", "error", "mae", "mse", "mape", "rmse", "crossentropy")


def as_objective(objective) -> Objective:
    """``"val_accuracy"`` -> ``Objective("val_accuracy", "max")``; an ``Objective`` as it is."""
    if isinstance(objective, Objective):
        return objective
    if not isinstance(objective, str) or not objective:
        raise ValueError(f"objective: expected a metric name or an Objective, received {objective!r}")
    base = objective.removeprefix("val_")
    if any(base == w or base.endswith("_" + w) or base.endswith(w) for w in _MINIMISED):
        return Objective(objective, "min")
    if any(base == w or base.endswith("_" + w) for w in _MAXIMISED):
        return Objective(objective, "max")
    raise ValueError(f"objective {objective!r}: cannot tell whether to minimise or maximise it; pass "
                     f"Objective({objective!r}, 'min') or Objective({objective!r}, 'max')")


def trial_seed(search_seed: int, index: int) -> int:
    """The seed of trial ``index``: a hash of the search's seed and the index (``SeedSequence``),
    so it does not depend on which trial ran first or on which machine."""
    return int(np.random.SeedSequence([int(search_seed), int(index)]).generate_state(1)[0])


class Trial:
    """One trial as stored in its ``trial.json``.

    Attributes:
        trial_id: ``"trial_003"``; ``index``: 3.
        hyperparameters: name -> value.
        seed: the trial's seed; ``status``: ``"PENDING"``, ``"COMPLETED"`` or ``"FAILED"``.
        score: the objective at the last epoch (None if it failed); ``metrics``: every logged
            value at the last epoch; ``history``: the per-epoch logs.
        seconds: training time (in its worker); ``attempts``: runs it took; ``error``: why it failed.
    """

    FIELDS = ("trial_id", "index", "hyperparameters", "seed", "status", "score", "metrics", "history",
              "seconds", "attempts", "error")

    def __init__(self, index, hyperparameters, seed, status=PENDING, score=None, metrics=None,
                 history=None, seconds=None, attempts=0, error="", trial_id=None):
        self.index = int(index)
        self.trial_id = trial_id or f"trial_{self.index:03d}"
        self.hyperparameters = dict(hyperparameters)
        self.seed = int(seed)
        self.status, self.score = status, score
        self.metrics, self.history = metrics or {}, history or {}
        self.seconds, self.attempts, self.error = seconds, attempts, error

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.FIELDS}

    @classmethod
    def from_json(cls, data: dict) -> "Trial":
        return cls(**{k: data.get(k) for k in cls.FIELDS if k in data})

    @property
    def finished(self) -> bool:
        return self.status in (COMPLETED, FAILED)

    def __repr__(self):
        return f"Trial({self.trial_id}, {self.status}, score={self.score}, {self.hyperparameters})"


def _write_json(path: Path, data) -> None:
    """Write then rename: an interruption leaves the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, default=_json_default)
    os.replace(tmp, path)


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serializable: {value!r}")


def _format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _format_params(values: dict) -> str:
    return ", ".join(f"{k}={_format_value(v)}" for k, v in values.items())


def _run_trial(task, shared):
    """The body of one trial, in whichever process the executor chose (module level so that a
    spawned process or a Ray worker can find it by name)."""
    from glassnet.utils import set_random_seed
    start = time.perf_counter()
    set_random_seed(task["seed"])
    hp = HyperParameters(values=task["values"])
    model = task["build_fn"](hp)
    if not getattr(model, "compiled", False):
        raise ValueError("build_fn must return a compiled model (call model.compile(...) inside it)")
    callbacks = list(task["callbacks"] or [])
    if task["tensorboard_dir"]:
        from glassnet.callbacks import TensorBoard
        callbacks.append(TensorBoard(log_dir=task["tensorboard_dir"]))
    x, y, validation_data = shared["x"], shared["y"], shared["validation_data"]
    history = model.fit(x, y, validation_data=validation_data, callbacks=callbacks, seed=task["seed"],
                        **task["fit_kwargs"])
    logs = history.history
    name = task["objective"]
    if name not in logs or not logs[name]:
        raise ValueError(f"objective {name!r} is not in the training logs; they hold {sorted(logs)} "
                         f"(a val_ objective needs validation_data or validation_split)")
    trial_dir = Path(task["trial_dir"])
    trial_dir.mkdir(parents=True, exist_ok=True)
    model.save(trial_dir / _MODEL_FILE)
    history_json = {k: [float(v) for v in vals] for k, vals in logs.items()}
    return {"score": float(logs[name][-1]), "metrics": {k: v[-1] for k, v in history_json.items()},
            "history": history_json, "seconds": time.perf_counter() - start,
            "values": hp.values}


class Tuner:
    """The common part of ``RandomSearch`` and ``GridSearch``: storage, execution, reporting.

    Args:
        build_fn: ``build_fn(hp) -> compiled model``; a module-level function for the
            ``"processes"`` and ``"ray"`` executors (they find it by name).
        objective: ``"val_loss"``, ``"val_accuracy"``, another logged name, or an ``Objective``.
        max_trials: how many trials.
        seed: the search's seed (trial values and trial seeds derive from it and the index).
        directory, project_name: trials go to ``<directory>/<project_name>/trial_NNN/``.
        overwrite: True starts afresh (deleting the project folder); False (default) resumes:
            finished trials are loaded, unfinished ones run again.
        executor: ``"local"``, ``"processes"`` or ``"ray"`` (see ``glassnet.tuning.executors``).
        workers: processes for ``"processes"`` (default: all cores).
        address: a Ray cluster address (default ``$RAY_ADDRESS`` or a local Ray).
        tensorboard: write TensorBoard scalars per trial to ``<project>/logs/trial_NNN``.
        retries: runs of a failing trial after its first.
    """

    kind = "tuner"

    def __init__(self, build_fn, objective="val_loss", max_trials=10, seed=0, directory="glassnet-tuning",
                 project_name="untitled_project", overwrite=False, executor="local", workers=None,
                 address=None, tensorboard=False, retries=1):
        if not callable(build_fn):
            raise TypeError(f"{type(self).__name__}: expected build_fn(hp) returning a compiled model, "
                            f"received {build_fn!r}")
        if max_trials is not None and (isinstance(max_trials, bool) or not isinstance(max_trials, int)
                                       or max_trials < 1):
            raise ValueError(f"{type(self).__name__}: expected max_trials to be a positive integer, "
                             f"received {max_trials!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"{type(self).__name__}: expected seed to be a non-negative integer, received {seed!r}")
        self.build_fn = build_fn
        self.objective = as_objective(objective)
        self.max_trials = max_trials
        self.seed = int(seed)
        self.project_dir = Path(directory) / project_name
        self.overwrite = overwrite
        self.executor = check_executor(executor, workers, type(self).__name__)
        self.workers, self.address = workers, address
        self.tensorboard, self.retries = tensorboard, retries
        self.trials: list = []
        self.search_seconds = None
        self.space: list = []
        if overwrite and self.project_dir.exists():
            shutil.rmtree(self.project_dir)
        self._load()

    # ------------------------------------------------------------------------------ storage
    def _description(self) -> dict:
        return {"kind": self.kind, "seed": self.seed, "objective": [self.objective.name, self.objective.direction]}

    def _load(self) -> None:
        """Read the trials of an earlier search in the same folder (``overwrite=False``)."""
        meta = self.project_dir / "tuner.json"
        if meta.is_file():
            stored = json.loads(meta.read_text())
            mine = self._description()
            if {k: stored.get(k) for k in mine} != mine:
                raise ValueError(f"{self.project_dir} holds another search ({ {k: stored.get(k) for k in mine} }), "
                                 f"not this one ({mine}); pass overwrite=True or another project_name")
            self.space = list(stored.get("space") or [])
        self.trials = []
        for path in sorted(self.project_dir.glob("trial_*/trial.json")):
            self.trials.append(Trial.from_json(json.loads(path.read_text())))

    def _save_trial(self, trial: Trial) -> None:
        folder = self.project_dir / trial.trial_id
        folder.mkdir(parents=True, exist_ok=True)
        _write_json(folder / "trial.json", trial.to_json())

    # ------------------------------------------------------------------------- the trials
    def _hp_values(self, index: int, earlier: list):
        """Trial ``index``'s hyper-parameter values, or None when the space has no more."""
        raise NotImplementedError

    def _discover(self, hp: HyperParameters) -> HyperParameters:
        """Call ``build_fn(hp)`` here, only to learn which values it asks for; the model is
        thrown away, and glassnet's global generator is left as it was."""
        state = backend.rng().bit_generator.state
        try:
            self.build_fn(hp)
        finally:
            backend.rng().bit_generator.state = state
        return hp

    def _plan(self) -> list:
        """Every trial of this search: the stored ones and new ones, in index order."""
        by_index = {t.index: t for t in self.trials}
        plan: list = []
        index = 0
        while self.max_trials is None or index < (self.max_trials or 0):
            trial = by_index.get(index)
            if trial is None:
                values = self._hp_values(index, [t.hyperparameters for t in plan])
                if values is None:
                    break
                trial = Trial(index, values, trial_seed(self.seed, index))
            plan.append(trial)
            index += 1
        return plan

    def search(self, x, y=None, validation_data=None, epochs=1, batch_size=None, callbacks=None, verbose=1,
               **fit_kwargs):
        """Run every trial that has not finished; print a line per finished trial.

        Args:
            x, y, validation_data, epochs, batch_size, callbacks: as for ``Model.fit``
                (``validation_split`` and other ``fit`` arguments pass through ``fit_kwargs``).
                Callbacks are copied to each trial's process (``"processes"``, ``"ray"``).
            verbose: 1: a line per trial and the best so far; 0: silent. Training itself is
                silent (``fit(verbose=0)``) because trials run side by side.

        Returns:
            The trials (``Trial``), in index order.

        Example:
            >>> tuner.search(x, y, validation_data=(x_val, y_val), epochs=3, batch_size=64)
        """
        if "seed" in fit_kwargs:
            raise TypeError("search: each trial shuffles with its own seed (derived from the tuner's seed); "
                            "do not pass seed")
        fit_kwargs = dict(fit_kwargs, epochs=epochs, batch_size=batch_size, verbose=0)
        self.project_dir.mkdir(parents=True, exist_ok=True)
        plan = self._plan()
        _write_json(self.project_dir / "tuner.json", dict(self._description(), max_trials=self.max_trials,
                                                          space=self.space))
        todo = [t for t in plan if not t.finished]
        self.trials = plan
        if verbose and len(todo) < len(plan):
            print(f"resuming {self.project_dir}: {len(plan) - len(todo)} of {len(plan)} trials already "
                  f"finished, running {len(todo)}", flush=True)
        tasks = []
        for trial in todo:
            trial.status, trial.score, trial.error = PENDING, None, ""
            self._save_trial(trial)
            tasks.append({
                "build_fn": self.build_fn, "values": trial.hyperparameters, "seed": trial.seed,
                "trial_dir": str((self.project_dir / trial.trial_id).resolve()),
                "objective": self.objective.name, "fit_kwargs": fit_kwargs, "callbacks": callbacks,
                "tensorboard_dir": str((self.project_dir / "logs" / trial.trial_id).resolve())
                if self.tensorboard else None,
            })
        shared = {"x": x, "y": y, "validation_data": validation_data}
        done = [0]

        def on_result(result):
            trial = todo[result.index]
            trial.attempts = result.attempts
            if result.ok:
                v = result.value
                trial.status, trial.score, trial.metrics = COMPLETED, v["score"], v["metrics"]
                trial.history, trial.seconds = v["history"], v["seconds"]
                trial.hyperparameters = dict(v["values"])  # with any value build_fn added on its own
            else:
                trial.status, trial.score, trial.seconds = FAILED, None, result.seconds
                trial.error = result.error
            self._save_trial(trial)
            done[0] += 1
            if verbose:
                print(self._progress_line(trial, done[0], len(todo)), flush=True)

        start = time.perf_counter()
        run_tasks(_run_trial, tasks, shared, executor=self.executor, workers=self.workers,
                  address=self.address, retries=self.retries, on_result=on_result)
        self.search_seconds = time.perf_counter() - start
        if verbose:
            ok = sum(t.status == COMPLETED for t in todo)
            where = self.executor + (f", {self.workers} worker{'s' if self.workers > 1 else ''}"
                                     if self.workers and self.executor != "local" else "")
            print(f"search done: {ok} of {len(todo)} trials completed in {self.search_seconds:.1f}s ({where})",
                  flush=True)
        return self.trials

    def _searched(self, names) -> list:
        """``names`` without the ``hp.Fixed`` ones: those are in every trial.json, but a table
        or a progress line repeating them would hide the values that change."""
        fixed = {p["name"] for p in self.space if p.get("kind") == "fixed"}
        return [n for n in names if n not in fixed]

    def _progress_line(self, trial: Trial, done: int, total: int) -> str:
        values = {k: trial.hyperparameters[k] for k in self._searched(trial.hyperparameters)}
        head = f"[{done}/{total}] {trial.trial_id} {_format_params(values)}"
        if trial.status == FAILED:
            last = trial.error.strip().splitlines()[-1] if trial.error.strip() else "?"
            line = f"{head}: FAILED after {trial.attempts} attempts ({last})"
        else:
            line = f"{head}: {self.objective.name}={trial.score:.4f} in {trial.seconds:.1f}s"
        best = self.best_trials(1)
        if best:
            line += f" | best so far {best[0].score:.4f} ({best[0].trial_id})"
        return line

    # ----------------------------------------------------------------------------- results
    def best_trials(self, num_trials: int = 1) -> list:
        """The completed trials, best first (ties: the lower index first)."""
        done = [t for t in self.trials if t.status == COMPLETED and t.score is not None]
        return sorted(done, key=lambda t: (self.objective.sort_key(t.score), t.index))[:num_trials]

    def get_best_hyperparameters(self, num_trials: int = 1) -> list:
        """The best trials' ``HyperParameters`` (read them with ``.values`` or ``hp.get(name)``).

        Example:
            >>> tuner.get_best_hyperparameters()[0].values
            {'units': 48, 'lr': 0.0031}
        """
        out = []
        for trial in self.best_trials(num_trials):
            hp = HyperParameters(values=trial.hyperparameters)
            hp.values = dict(trial.hyperparameters)
            out.append(hp)
        return out

    def get_best_models(self, num_models: int = 1) -> list:
        """The best trials' trained models, loaded from their ``model.glassnet`` files.

        Example:
            >>> best = tuner.get_best_models(1)[0]
            >>> best.evaluate(x_test, y_test)
        """
        from glassnet.models.saving import load_model
        return [load_model(self.project_dir / t.trial_id / _MODEL_FILE) for t in self.best_trials(num_models)]

    def results_table(self, num_trials=None):
        """``(headers, rows)`` of the trials sorted by score (failed last); ``hp.Fixed`` values
        are left out (they are the same in every trial)."""
        names = self._searched(dict.fromkeys(k for t in self.trials for k in t.hyperparameters))
        ordered = sorted(self.trials, key=lambda t: (self.objective.sort_key(t.score), t.index))
        if num_trials is not None:
            ordered = ordered[:num_trials]
        headers = ["trial"] + names + [self.objective.name, "seconds", "status"]
        rows = [[t.trial_id] + [_format_value(t.hyperparameters.get(n, "")) for n in names]
                + ["" if t.score is None else round(t.score, 4),
                   "" if t.seconds is None else round(t.seconds, 1), t.status] for t in ordered]
        return headers, rows

    def results_summary(self, num_trials: int = 10, print_fn=print) -> None:
        """Print the best ``num_trials`` trials as a table, best first.

        Example:
            >>> tuner.results_summary(5)
        """
        from glassnet.labs.base import format_table
        headers, rows = self.results_table(num_trials)
        print_fn(format_table(headers, rows, title=f"{self.project_dir}: objective {self.objective.name} "
                              f"({self.objective.direction}), best {min(num_trials, len(rows))} of "
                              f"{len(self.trials)} trials"))

    def plot(self, ncols: int = 3):
        """A figure with one panel per searched hyper-parameter: each completed trial's score
        against its value (a log axis for log-sampled numbers, categories for choices; the best
        trial starred). Returns the figure.

        Example:
            >>> fig = tuner.plot(); fig.savefig("scores.png")
        """
        from glassnet.tuning.plots import plot_trials
        return plot_trials(self, ncols)


class RandomSearch(Tuner):
    """Random search: each trial draws every hyper-parameter from its distribution (see
    ``HyperParameters``), with a generator seeded by ``(seed, trial index)``. A draw that repeats
    an earlier trial is drawn again, so a small discrete space is not tried twice; when no new
    combination turns up, the search stops early.

    Random search is the course-sized choice: with a fixed budget it covers each parameter's
    range better than a grid, because no two trials share a value of a continuous parameter.

    Example:
        >>> tuner = RandomSearch(build, objective="val_accuracy", max_trials=8, seed=1, executor="ray")
        >>> tuner.search(x, y, validation_data=(x_val, y_val), epochs=2)
        >>> tuner.get_best_hyperparameters()[0].values
    """

    kind = "random"

    def __init__(self, build_fn, objective="val_loss", max_trials=10, **kwargs):
        if max_trials is None:
            raise ValueError("RandomSearch: expected max_trials to be a positive integer, received None")
        super().__init__(build_fn, objective, max_trials, **kwargs)

    def _hp_values(self, index, earlier):
        rng = np.random.default_rng([self.seed, index, 0x5EA])
        seen = [dict(e) for e in earlier]
        for _ in range(_MAX_REDRAWS):
            hp = self._discover(HyperParameters(rng=rng))
            self._record_space(hp)
            if hp.values not in seen:
                return dict(hp.values)
        return None

    def _record_space(self, hp):
        known = {p["name"] for p in self.space}
        self.space += [c for c in hp.space_config() if c["name"] not in known]


class GridSearch(Tuner):
    """Grid search: every combination of every hyper-parameter's grid (``HyperParameter.grid``:
    an Int's steps, a Choice's values, five points for a Float without a step), in order, the
    last-declared parameter changing fastest; ``max_trials=None`` runs the whole grid.

    The grid is the space ``build_fn`` declares when every value is at its default; a parameter
    declared only under some values (e.g. the units of a third layer) keeps its default.

    Example:
        >>> tuner = GridSearch(build, objective="val_loss", max_trials=None, executor="processes")
        >>> tuner.search(x, y, validation_split=0.2, epochs=3)
    """

    kind = "grid"

    def __init__(self, build_fn, objective="val_loss", max_trials=None, **kwargs):
        super().__init__(build_fn, objective, max_trials, **kwargs)
        self._grid = None

    def _hp_values(self, index, earlier):
        if self._grid is None:
            hp = self._discover(HyperParameters())
            self.space = hp.space_config()
            names = list(hp.space)
            grids = [p.grid() for p in hp.space.values()]
            self._grid = [dict(zip(names, combo)) for combo in itertools.product(*grids)]
        if index >= len(self._grid):
            return None
        return dict(self._grid[index])
