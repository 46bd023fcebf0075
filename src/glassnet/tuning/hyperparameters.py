"""``HyperParameters``: the search space, declared by the build function as it builds.

A build function asks ``hp`` for each value it needs (``hp.Int("units", 16, 128, step=16)``).
The first time a name is asked, it joins the space; what comes back depends on the mode the
tuner set:

- values given (``HyperParameters(values={...})``): that value (a trial re-building its model);
- a random generator given (``HyperParameters(rng=...)``): a random draw (``RandomSearch``);
- neither: the default (``default=`` if given, else ``min``, the first choice, False).

Sampling semantics (also used by ``GridSearch`` to list a parameter's grid):

- ``Int(name, min, max, step=1, sampling="linear")``: one of ``min, min+step, ..., <= max``,
  each equally likely. ``sampling="log"`` (``min > 0``) with ``step=1``: log-uniform, rounded
  down, so 1..9 comes up as often as 10..99; with ``step > 1`` the grid is ``min, min*step,
  min*step^2, ... <= max`` (Keras Tuner's meaning), each point equally likely.
- ``Float(name, min, max, step=None, sampling="linear")``: uniform in ``[min, max]``;
  ``sampling="log"`` (``min > 0``): uniform in log space, so 1e-4..1e-3 is drawn as often as
  1e-2..1e-1 (what a learning rate needs). With ``step``: equally likely points of the grid
  ``min + k*step`` (linear) or ``min * step^k`` (log, ``step > 1``). A grid without a step has
  five points (evenly spaced, geometrically for log).
- ``Choice(name, values)``: each value equally likely; ``Boolean(name)``: ``Choice([False, True])``;
  ``Fixed(name, value)``: always ``value`` (recorded, not searched).

Example:
    >>> hp = HyperParameters()
    >>> hp.Int("units", 16, 64, step=16), hp.Float("lr", 1e-4, 1e-1, sampling="log"), hp.Boolean("bn")
    (16, 0.0001, False)
    >>> HyperParameters(values={"units": 48}).Int("units", 16, 64, step=16)
    48
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["HyperParameters", "HyperParameter"]

_GRID_POINTS = 5  # points of a Float's grid when it has no step


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


class HyperParameter:
    """One dimension of the space: its kind, bounds or choices, and how it is sampled."""

    def __init__(self, name, kind, min_value=None, max_value=None, step=None, sampling="linear",
                 values=None, default=None):
        self.name, self.kind = name, kind
        self.min_value, self.max_value, self.step, self.sampling = min_value, max_value, step, sampling
        self.values = list(values) if values is not None else None
        self.default = default

    def config(self) -> dict:
        """A JSON-ready description (what ``results_summary`` and trial.json show)."""
        out = {"name": self.name, "kind": self.kind}
        if self.kind in ("int", "float"):
            out.update(min=self.min_value, max=self.max_value, step=self.step, sampling=self.sampling)
        else:
            out["values"] = self.values
        return out

    def same_as(self, other) -> bool:
        return self.config() == other.config()

    # -------------------------------------------------------------------------- the values
    def grid(self) -> list:
        """Every value ``GridSearch`` tries, in order."""
        if self.kind in ("choice", "fixed"):
            return list(self.values)
        lo, hi, step = self.min_value, self.max_value, self.step
        if self.sampling == "log" and step is not None and step > 1:
            out, v = [], lo
            while v <= hi * (1 + 1e-9):
                out.append(int(round(v)) if self.kind == "int" else float(f"{v:.12g}"))
                v *= step
            return out
        if self.kind == "int":
            return list(range(lo, hi + 1, step or 1))
        if step is not None:
            n = int(math.floor((hi - lo) / step + 1e-9))
            return [float(round(lo + k * step, 12)) for k in range(n + 1)]
        if self.sampling == "log":
            return [float(v) for v in np.geomspace(lo, hi, _GRID_POINTS)]
        return [float(v) for v in np.linspace(lo, hi, _GRID_POINTS)]

    def sample(self, rng: np.random.Generator):
        """One random value (see the module docstring for the distribution)."""
        if self.kind == "fixed":
            return self.values[0]
        if self.kind == "choice":
            return self.values[int(rng.integers(len(self.values)))]
        lo, hi = self.min_value, self.max_value
        if self.kind == "int" and self.sampling == "log" and self.step == 1:
            # log-uniform over [lo, hi + 1), rounded down: 1..9 as likely as 10..99
            v = math.exp(rng.uniform(math.log(lo), math.log(hi + 1)))
            return int(min(max(math.floor(v), lo), hi))
        if self.kind == "int" or self.step is not None:
            grid = self.grid()  # equally likely grid points (a geometric grid for log sampling)
            return grid[int(rng.integers(len(grid)))]
        if self.sampling == "log":
            return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        return float(rng.uniform(lo, hi))

    def first(self):
        if self.default is not None:
            return self.default
        if self.kind in ("choice", "fixed"):
            return self.values[0]
        return self.min_value

    def contains(self, value) -> bool:
        if self.kind in ("choice", "fixed"):
            return value in self.values
        return _is_number(value) and self.min_value - 1e-12 <= value <= self.max_value + 1e-12


class HyperParameters:
    """The hyper-parameters of one trial and the space they come from.

    Args:
        values: name -> value to return instead of sampling (a trial's own values).
        rng: a ``numpy.random.Generator``: names not in ``values`` are drawn from it.

    Attributes:
        values: the value of every hyper-parameter asked so far (insertion order).
        space: name -> ``HyperParameter``.

    Example:
        >>> def build(hp):
        ...     model = gn.Sequential([layers.Input((4,))])
        ...     for i in range(hp.Int("layers", 1, 3)):
        ...         model.add(layers.Dense(hp.Int(f"units_{i}", 8, 64, step=8),
        ...                                activation=hp.Choice("act", ["relu", "tanh"])))
        ...     model.add(layers.Dense(3, activation="softmax"))
        ...     model.compile(optimizer=gn.optimizers.Adam(hp.Float("lr", 1e-4, 1e-2, sampling="log")),
        ...                   loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        ...     return model
    """

    def __init__(self, values=None, rng=None):
        self._given = dict(values or {})
        self.rng = rng
        self.values: dict = {}
        self.space: dict = {}

    def get(self, name):
        """The value of ``name`` (asked earlier in this trial)."""
        if name not in self.values:
            raise KeyError(f"HyperParameters: no hyper-parameter {name!r}; known: {list(self.values)}")
        return self.values[name]

    def __getitem__(self, name):
        return self.get(name)

    def __contains__(self, name):
        return name in self.values

    def _ask(self, param: HyperParameter):
        name = param.name
        if name in self.space and not self.space[name].same_as(param):
            raise ValueError(f"HyperParameters: {name!r} declared twice with different settings: "
                             f"{self.space[name].config()} and {param.config()}")
        self.space[name] = param
        if name in self.values:
            return self.values[name]
        if param.kind == "fixed":
            value = param.values[0]
        elif name in self._given:
            value = self._given[name]
            if param.kind == "int" and _is_number(value):
                value = int(value)
            elif param.kind == "float" and _is_number(value):
                value = float(value)
        elif self.rng is not None:
            value = param.sample(self.rng)
        else:
            value = param.first()
        self.values[name] = value
        return value

    @staticmethod
    def _check_name(name):
        if not isinstance(name, str) or not name:
            raise ValueError(f"HyperParameters: expected a non-empty string name, received {name!r}")

    @staticmethod
    def _check_range(name, lo, hi, sampling, what):
        if not (_is_number(lo) and _is_number(hi)) or lo > hi:
            raise ValueError(f"{what}({name!r}): expected min <= max, received min={lo!r}, max={hi!r}")
        if sampling not in ("linear", "log"):
            raise ValueError(f"{what}({name!r}): expected sampling 'linear' or 'log', received {sampling!r}")
        if sampling == "log" and lo <= 0:
            raise ValueError(f"{what}({name!r}): log sampling needs min > 0, received min={lo!r}")

    def Int(self, name, min_value, max_value, step=1, sampling="linear", default=None):  # noqa: N802 - Keras Tuner's name
        """An integer in ``[min_value, max_value]`` on a grid of ``step`` (see module docstring).

        Example:
            >>> HyperParameters().Int("layers", 1, 3)
            1
        """
        self._check_name(name)
        self._check_range(name, min_value, max_value, sampling, "Int")
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (min_value, max_value)):
            raise ValueError(f"Int({name!r}): expected integer bounds, received {min_value!r}, {max_value!r}")
        if step is None:
            step = 1
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
            raise ValueError(f"Int({name!r}): expected a positive integer step, received {step!r}")
        return self._ask(HyperParameter(name, "int", int(min_value), int(max_value), int(step), sampling,
                                        default=default))

    def Float(self, name, min_value, max_value, step=None, sampling="linear", default=None):  # noqa: N802
        """A float in ``[min_value, max_value]``; ``sampling="log"`` for rates and strengths.

        Example:
            >>> HyperParameters().Float("dropout", 0.0, 0.5, step=0.1)
            0.0
        """
        self._check_name(name)
        self._check_range(name, min_value, max_value, sampling, "Float")
        if step is not None and (not _is_number(step) or step <= 0):
            raise ValueError(f"Float({name!r}): expected a positive step or None, received {step!r}")
        if step is not None and sampling == "log" and step <= 1:
            raise ValueError(f"Float({name!r}): with log sampling the step is a factor > 1 "
                             f"(min, min*step, ...), received {step!r}")
        return self._ask(HyperParameter(name, "float", float(min_value), float(max_value),
                                        None if step is None else float(step), sampling, default=default))

    def Choice(self, name, values, default=None):  # noqa: N802
        """One of ``values`` (numbers, strings or booleans; JSON-ready, so trials can be stored).

        Example:
            >>> HyperParameters().Choice("activation", ["relu", "tanh"])
            'relu'
        """
        self._check_name(name)
        values = list(values) if isinstance(values, (list, tuple)) else values
        if not isinstance(values, list) or not values:
            raise ValueError(f"Choice({name!r}): expected a non-empty list of values, received {values!r}")
        for v in values:
            if not isinstance(v, (str, bool, int, float)) and v is not None:
                raise ValueError(f"Choice({name!r}): values must be str, int, float, bool or None "
                                 f"(stored as JSON), received {v!r}")
        if default is not None and default not in values:
            raise ValueError(f"Choice({name!r}): default {default!r} is not one of {values}")
        return self._ask(HyperParameter(name, "choice", values=values, default=default))

    def Boolean(self, name, default=None):  # noqa: N802
        """False or True.

        Example:
            >>> HyperParameters().Boolean("batch_norm")
            False
        """
        return self.Choice(name, [False, True], default=default)

    def Fixed(self, name, value):  # noqa: N802
        """Always ``value``: recorded with the trial, never searched.

        Example:
            >>> HyperParameters().Fixed("epochs", 3)
            3
        """
        self._check_name(name)
        return self._ask(HyperParameter(name, "fixed", values=[value]))

    def space_config(self) -> list:
        """The space as JSON-ready dicts (one per hyper-parameter)."""
        return [p.config() for p in self.space.values()]

    def __repr__(self):
        return f"HyperParameters({self.values})"
