"""Ensembles: train several models and combine their predictions.

The course's recipe: train about 10 copies of a network, each from different initial weights
and on differently shuffled data, then let them decide together. Their mistakes are partly
independent, so the combination is usually more accurate than the average member (and often
than the best one).

Two ways to combine classifiers:

- ``"average"`` (soft voting): the mean of the members' predicted probabilities; the class is
  its argmax. Members should output probabilities (softmax / sigmoid), not logits.
- ``"vote"`` (hard voting): each member votes for its most probable class; the majority wins,
  and a tie is broken by the mean probability of the tied classes.

For a single sigmoid output (shape ``(n, 1)``), the class is "probability > 0.5".

Example:
    >>> def build(seed):
    ...     model = glassnet.Sequential([layers.Input((4,)), layers.Dense(16, activation="relu"),
    ...                                  layers.Dense(3, activation="softmax")])
    ...     model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ...     return model
    >>> ens = Ensemble(build, n_members=5, seed=0)
    >>> ens.fit(x_train, y_train, epochs=20, batch_size=16, verbose=0)
    >>> ens.evaluate(x_test, y_test)["ensemble"]
    {'accuracy': 0.97, 'loss': 0.09}

Members can train side by side: ``Ensemble(build, n_members=10, seed=0, executor="processes")``
uses the machine's cores, ``executor="ray"`` a local Ray or a cluster (``address=``), through
``glassnet.tuning.executors``. Each member keeps its seed, so the ensemble is the same as the
one trained in a loop.
"""
from __future__ import annotations

import inspect

import numpy as np

from glassnet import backend
from glassnet.core.tensor import Tensor

__all__ = ["Ensemble", "combine_predictions", "predicted_classes"]

_COMBINE = ("average", "vote")


def _check_combine(combine: str) -> str:
    if combine not in _COMBINE:
        raise ValueError(f"Ensemble: expected combine to be one of {list(_COMBINE)}, received {combine!r}")
    return combine


def _stack(predictions) -> np.ndarray:
    """Member predictions as one array ``(members, samples, outputs)``."""
    arrays = [np.asarray(p) for p in predictions]
    if not arrays:
        raise ValueError("Ensemble: expected predictions from at least one member, received none")
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"Ensemble: member predictions must share one shape, received {sorted(shapes)}")
    stacked = np.stack(arrays)
    if stacked.ndim == 2:  # (members, samples): one probability per sample
        stacked = stacked[..., None]
    return stacked


def _member_classes(stacked: np.ndarray) -> np.ndarray:
    """Each member's predicted class per sample: ``(members, samples...)``."""
    if stacked.shape[-1] == 1:
        return (stacked[..., 0] > 0.5).astype(np.int64)
    return stacked.argmax(axis=-1)


def _vote_fractions(stacked: np.ndarray) -> np.ndarray:
    """The fraction of members voting for each class, shaped like one member's prediction."""
    classes = _member_classes(stacked)
    if stacked.shape[-1] == 1:
        return classes.mean(axis=0, dtype=np.float64).astype(np.float32)[..., None]
    n_classes = stacked.shape[-1]
    counts = np.zeros(stacked.shape[1:], dtype=np.float32)
    for member in classes:  # one one-hot per member
        counts += np.eye(n_classes, dtype=np.float32)[member]
    return counts / np.float32(len(stacked))


def combine_predictions(predictions, combine: str = "average") -> np.ndarray:
    """Combine the members' predicted probabilities.

    Args:
        predictions: a list of arrays, one per member, each ``(samples, classes)`` (or
            ``(samples, 1)`` for a sigmoid output).
        combine: ``"average"``: the mean probabilities; ``"vote"``: the fraction of members
            voting for each class (for a sigmoid output: the fraction voting 1).

    Returns:
        A float32 array shaped like one member's prediction.

    Example:
        >>> import numpy as np
        >>> a = np.array([[0.6, 0.4]]); b = np.array([[0.1, 0.9]]); c = np.array([[0.7, 0.3]])
        >>> combine_predictions([a, b, c], "average")
        array([[0.46666667, 0.53333336]], dtype=float32)
        >>> combine_predictions([a, b, c], "vote")
        array([[0.6666667, 0.33333334]], dtype=float32)
    """
    _check_combine(combine)
    stacked = _stack(predictions)
    squeeze = np.asarray(predictions[0]).ndim == 1
    if combine == "average":
        out = stacked.mean(axis=0, dtype=np.float64).astype(np.float32)
    else:
        out = _vote_fractions(stacked)
    return out[..., 0] if squeeze else out


def predicted_classes(predictions, combine: str = "average") -> np.ndarray:
    """The ensemble's class for each sample (int64).

    ``"average"``: argmax of the mean probabilities (for a sigmoid output, mean > 0.5).
    ``"vote"``: the class most members predict; a tie goes to the tied class with the highest
    mean probability.

    Example:
        >>> import numpy as np
        >>> a = np.array([[0.6, 0.4]]); b = np.array([[0.1, 0.9]]); c = np.array([[0.7, 0.3]])
        >>> predicted_classes([a, b, c], "average"), predicted_classes([a, b, c], "vote")
        (array([1]), array([0]))
    """
    _check_combine(combine)
    stacked = _stack(predictions)
    mean = stacked.mean(axis=0, dtype=np.float64)
    if combine == "average":
        return _member_classes(mean[None])[0]
    votes = _vote_fractions(stacked).astype(np.float64)
    if stacked.shape[-1] == 1:
        v, m = votes[..., 0], mean[..., 0]
        return np.where(v > 0.5, 1, np.where(v < 0.5, 0, (m > 0.5).astype(np.int64))).astype(np.int64)
    tied = votes == votes.max(axis=-1, keepdims=True)
    return np.where(tied, mean, -np.inf).argmax(axis=-1)


def _labels(y, n_outputs: int) -> np.ndarray:
    """Class labels from integer labels, one-hot rows, or 0/1 targets of a sigmoid output."""
    y = y.data if isinstance(y, Tensor) else np.asarray(y)
    if n_outputs > 1 and y.ndim >= 2 and y.shape[-1] == n_outputs:
        return y.argmax(axis=-1)
    if n_outputs == 1:
        return (y.reshape(len(y), -1)[:, 0] > 0.5).astype(np.int64) if y.dtype.kind == "f" else \
            y.reshape(len(y), -1)[:, 0].astype(np.int64)
    if y.ndim >= 2 and y.shape[-1] == 1:  # labels shaped (n, 1)
        y = y[..., 0]
    return y.astype(np.int64)


def _accuracy(classes: np.ndarray, labels: np.ndarray) -> float:
    classes = classes.reshape(-1)
    labels = np.asarray(labels).reshape(-1)
    if classes.shape != labels.shape:
        raise ValueError(f"Ensemble: {classes.size} predictions but {labels.size} labels")
    return float(np.mean(classes == labels))


def _takes_seed(build_fn) -> bool:
    try:
        params = list(inspect.signature(build_fn).parameters.values())
    except (TypeError, ValueError):
        return False
    if any(p.name == "seed" for p in params):
        return True
    required = [p for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(required) == 1


class Ensemble:
    """A group of models of one architecture, trained apart and combined to predict.

    Member ``i`` gets the seed ``seed + i``: glassnet's global generator is seeded with it just
    before ``build_fn`` runs (so each member starts from different initial weights) and before
    its ``fit`` (dropout), and ``fit`` shuffles its data with it (a different order per member).
    The same ``seed`` gives the same ensemble again.

    Args:
        build_fn: a function returning a new **compiled** model; it may take one argument,
            ``seed`` (the member's seed), e.g. for seeded initializers.
        n_members: how many models (the course uses about 10).
        seed: the first member's seed (None: drawn from glassnet's global generator).
        combine: ``"average"`` (mean probabilities) or ``"vote"`` (majority of classes).
        executor: where ``fit`` trains the members: ``"local"`` (default: one after the other,
            in this process), ``"processes"`` (``workers`` processes on this machine) or
            ``"ray"`` (Ray tasks, local or at ``address``); see ``glassnet.tuning.executors``.
            With the last two, ``build_fn`` must be a module-level function (it is found by
            name in the workers), each member is rebuilt there from its seed, given its current
            weights, trained, and its weights come back; its optimizer state stays behind, so a
            second ``fit`` starts the optimizer afresh (``"local"`` continues it).
        workers: processes for ``"processes"`` (default: the machine's cores).
        address: a Ray cluster (default ``$RAY_ADDRESS``, else a new local Ray).

    Attributes:
        members: the models.
        seeds: each member's seed.
        histories: each member's ``History`` after ``fit``.

    Example:
        >>> ens = Ensemble(build, n_members=10, seed=0, combine="average")
        >>> ens.fit(x, y, epochs=5, batch_size=32, validation_data=(x_val, y_val), verbose=0)
        >>> result = ens.evaluate(x_test, y_test)
        >>> [m["accuracy"] for m in result["members"]], result["ensemble"]["accuracy"]
    """

    def __init__(self, build_fn, n_members=10, seed=None, combine="average", executor="local", workers=None,
                 address=None):
        if not callable(build_fn):
            raise TypeError(f"Ensemble: expected build_fn to be a function returning a compiled model, "
                            f"received {build_fn!r}")
        if isinstance(n_members, bool) or not isinstance(n_members, int) or n_members < 1:
            raise ValueError(f"Ensemble: expected n_members to be a positive integer, received {n_members!r}")
        self.combine = _check_combine(combine)
        from glassnet.tuning.executors import check_executor
        self.executor = check_executor(executor, workers, "Ensemble")
        self.workers, self.address = workers, address
        if seed is None:
            seed = int(backend.rng().integers(0, 2**31 - n_members))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"Ensemble: expected seed to be None or a non-negative integer, received {seed!r}")
        self.seeds = [int(seed) + i for i in range(n_members)]
        self.build_fn = build_fn
        self._takes_seed = takes_seed = _takes_seed(build_fn)
        self.members = []
        for member_seed in self.seeds:
            backend.set_seed(member_seed)
            model = build_fn(member_seed) if takes_seed else build_fn()
            if not getattr(model, "compiled", False):
                raise ValueError("Ensemble: build_fn must return a compiled model (call model.compile(...) "
                                 "inside it), received one that is not compiled")
            if len(model.output_names) != 1:
                raise ValueError(f"Ensemble: members must have one output, build_fn's model has "
                                 f"{len(model.output_names)}")
            self.members.append(model)
        self.histories = []

    def __len__(self):
        return len(self.members)

    def fit(self, x, y, verbose=1, **fit_kwargs) -> list:
        """Train every member with the same ``fit`` arguments (``epochs``, ``batch_size``,
        ``validation_data``, ``callbacks``...); each shuffles with its own seed.

        Callback objects in ``callbacks`` are shared by the members in turn; the stateful
        Keras ones (EarlyStopping, ReduceLROnPlateau) reset at each member's start.

        Returns:
            The members' ``History`` objects (also kept in ``histories``).
        """
        if "seed" in fit_kwargs:
            raise TypeError("Ensemble.fit: the shuffling seed is set per member (Ensemble(seed=...)); "
                            "do not pass seed")
        if self.executor != "local":
            return self._fit_parallel(x, y, verbose, fit_kwargs)
        self.histories = []
        for i, (model, member_seed) in enumerate(zip(self.members, self.seeds)):
            if verbose:
                print(f"Member {i + 1}/{len(self.members)}", flush=True)
            backend.set_seed(member_seed + 7919)  # dropout etc. of this member, apart from its init stream
            self.histories.append(model.fit(x, y, verbose=verbose, seed=member_seed, **fit_kwargs))
        return self.histories

    def _fit_parallel(self, x, y, verbose, fit_kwargs) -> list:
        """``fit`` on the ``"processes"`` or ``"ray"`` executor: one task per member."""
        from glassnet.callbacks import History
        from glassnet.tuning.executors import run_tasks
        callbacks = fit_kwargs.pop("callbacks", None)
        tasks = [{"build_fn": self.build_fn, "takes_seed": self._takes_seed, "seed": member_seed,
                  "weights": model.get_weights(), "callbacks": callbacks}
                 for model, member_seed in zip(self.members, self.seeds)]

        def progress(result):
            if verbose:
                state = f"trained in {result.seconds:.1f}s" if result.ok else "FAILED"
                print(f"Member {result.index + 1}/{len(self.members)} {state}", flush=True)

        results = run_tasks(_train_member, tasks, {"x": x, "y": y, "fit_kwargs": fit_kwargs},
                            executor=self.executor, workers=self.workers, address=self.address,
                            on_result=progress)
        failed = [r for r in results if not r.ok]
        if failed:  # an ensemble with a hole in it would silently change what it is
            raise RuntimeError(f"Ensemble.fit: {len(failed)} of {len(results)} members failed; member "
                               f"{failed[0].index + 1}: {failed[0].error.strip().splitlines()[-1]}")
        self.histories = []
        for model, result in zip(self.members, results):
            weights, logs = result.value
            model.set_weights(weights)
            history = History()
            history.history = logs
            history.epoch = list(range(len(next(iter(logs.values()), []))))
            history.model = model
            self.histories.append(history)
        return self.histories

    def member_predictions(self, x, batch_size=None, verbose=0) -> list:
        """Each member's ``predict(x)``, as a list of arrays."""
        return [model.predict(x, batch_size=batch_size, verbose=verbose) for model in self.members]

    def predict(self, x, batch_size=None, verbose=0) -> np.ndarray:
        """The combined prediction: mean probabilities (``"average"``) or vote fractions
        (``"vote"``); see ``combine_predictions``."""
        return combine_predictions(self.member_predictions(x, batch_size, verbose), self.combine)

    def predict_classes(self, x, batch_size=None, verbose=0) -> np.ndarray:
        """The ensemble's class for each sample; see ``predicted_classes``."""
        return predicted_classes(self.member_predictions(x, batch_size, verbose), self.combine)

    def evaluate(self, x, y, batch_size=None, verbose=0) -> dict:
        """Accuracy (and loss) of every member and of the ensemble.

        The ensemble's loss is the members' compiled loss applied to the averaged
        probabilities; with ``combine="vote"`` there are no probabilities, so it is None.

        Returns:
            ``{"members": [{"loss": ..., "accuracy": ...}, ...],
            "ensemble": {"loss": ..., "accuracy": ...}, "mean_member_accuracy": ...}``

        Example:
            >>> result = ens.evaluate(x_test, y_test)
            >>> result["ensemble"]["accuracy"] >= result["mean_member_accuracy"]
            True
        """
        predictions = self.member_predictions(x, batch_size, verbose)
        stacked = _stack(predictions)
        labels = _labels(y, stacked.shape[-1])
        members = []
        for model, pred in zip(self.members, predictions):
            members.append({"loss": self._loss(model, y, pred),
                            "accuracy": _accuracy(_member_classes(_stack([pred]))[0], labels)})
        ensemble_loss = None
        if self.combine == "average":
            ensemble_loss = self._loss(self.members[0], y, combine_predictions(predictions, "average"))
        ensemble = {"loss": ensemble_loss,
                    "accuracy": _accuracy(predicted_classes(predictions, self.combine), labels)}
        mean_accuracy = float(np.mean([m["accuracy"] for m in members]))
        return {"members": members, "ensemble": ensemble, "mean_member_accuracy": mean_accuracy}

    @staticmethod
    def _loss(model, y, prediction) -> float:
        """The model's compiled loss (without regularisation penalties) of ``prediction``."""
        loss_fn = model._loss_fns[0]
        y = y.data if isinstance(y, Tensor) else np.asarray(y)
        return float(loss_fn(y, Tensor(np.asarray(prediction))).data)


def _train_member(task, shared):
    """One member's training in a worker: rebuilt exactly as ``Ensemble.__init__`` built it
    (same seed), given the member's current weights, trained as the local loop would."""
    seed = task["seed"]
    backend.set_seed(seed)
    model = task["build_fn"](seed) if task["takes_seed"] else task["build_fn"]()
    model.set_weights(task["weights"])
    backend.set_seed(seed + 7919)  # as in Ensemble.fit's loop
    history = model.fit(shared["x"], shared["y"], verbose=0, seed=seed, callbacks=task["callbacks"],
                        **shared["fit_kwargs"])
    return model.get_weights(), {k: [float(v) for v in vals] for k, vals in history.history.items()}
