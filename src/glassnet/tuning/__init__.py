"""Hyper-parameter search, Keras-Tuner style, on one process, the machine's cores, or Ray.

- ``HyperParameters`` (``hp.Int``, ``hp.Float``, ``hp.Choice``, ``hp.Boolean``, ``hp.Fixed``):
  the space, declared by a build function as it builds its model.
- ``RandomSearch``, ``GridSearch``: ``search(x, y, validation_data=..., epochs=...)``,
  ``results_summary()``, ``get_best_models()``, ``get_best_hyperparameters()``, ``plot()``;
  trials stored on disk, so an interrupted search resumes.
- ``executors.run_tasks``: the ``"local"``, ``"processes"`` and ``"ray"`` executors, shared
  with ``glassnet.ensemble``. Ray is optional and imported only when asked for.

Example:
    >>> from glassnet import tuning
    >>> def build(hp):
    ...     model = gn.Sequential([layers.Input((20,)),
    ...                            layers.Dense(hp.Int("units", 8, 64, step=8), activation="relu"),
    ...                            layers.Dropout(hp.Float("dropout", 0.0, 0.5, step=0.1)),
    ...                            layers.Dense(3, activation="softmax")])
    ...     model.compile(optimizer=gn.optimizers.Adam(hp.Float("lr", 1e-4, 1e-1, sampling="log")),
    ...                   loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ...     return model
    >>> tuner = tuning.RandomSearch(build, objective="val_accuracy", max_trials=8, seed=0, executor="processes")
    >>> tuner.search(x, y, validation_data=(x_val, y_val), epochs=3)
    >>> tuner.results_summary(); best_model = tuner.get_best_models(1)[0]
"""
from glassnet.tuning.executors import EXECUTORS, TaskResult, init_ray, run_tasks
from glassnet.tuning.hyperparameters import HyperParameter, HyperParameters
from glassnet.tuning.tuner import GridSearch, Objective, RandomSearch, Trial, Tuner

__all__ = ["HyperParameters", "HyperParameter", "RandomSearch", "GridSearch", "Tuner", "Objective", "Trial",
           "run_tasks", "init_ray", "TaskResult", "EXECUTORS"]
