"""Learning-rate schedules, as Keras's ``keras.optimizers.schedules``.

A schedule is a function of the optimizer's step number (``optimizer.iterations``: 0 for the
first update, one more after every batch). Pass one as an optimizer's ``learning_rate`` and the
optimizer asks it for the rate before every step::

    lr = schedule(optimizer.iterations)

Every schedule writes its formula in its docstring, the same formula as Keras (and, where one
exists, the PyTorch ``torch.optim.lr_scheduler`` class that computes the same numbers). A
schedule's ``get_config()`` lists its constructor arguments, so an optimizer with a schedule is
saved and loaded with the model (``model.save`` / ``load_model``).

- ``ExponentialDecay``: ``lr0 * rate ** (step / decay_steps)`` (smooth or as a staircase).
- ``StepDecay``: the course's "step decay": multiply by ``drop_rate`` every ``step_size`` steps.
- ``PiecewiseConstantDecay``: fixed values between boundaries.
- ``InverseTimeDecay``: ``lr0 / (1 + rate * step / decay_steps)``.
- ``PolynomialDecay``: from ``lr0`` to ``end_learning_rate`` along ``(1 - t) ** power``.
- ``CosineDecay``: half a cosine wave, with an optional linear warm-up.

Steps count batches, not epochs. For a per-epoch schedule use the callback
``glassnet.callbacks.LearningRateScheduler``, which also accepts these schedule objects and
calls them with the epoch number.

Example:
    >>> from glassnet.optimizers import SGD, schedules
    >>> schedule = schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    >>> schedule(0), schedule(100), schedule(200)
    (0.1, 0.05, 0.025)
    >>> opt = SGD(learning_rate=schedule)   # the rate halves every 100 batches
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["LearningRateSchedule", "ExponentialDecay", "StepDecay", "PiecewiseConstantDecay",
           "InverseTimeDecay", "PolynomialDecay", "CosineDecay", "serialize", "deserialize"]


def _number(value, name: str, who: str, positive: bool = False, nonneg: bool = False) -> float:
    """``value`` as a float after checking it (an error names the class, argument and value)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(value)
    if ok and positive:
        ok = value > 0
    if ok and nonneg:
        ok = value >= 0
    if not ok:
        need = "a positive number" if positive else "a non-negative number" if nonneg else "a finite number"
        raise ValueError(f"{who}: expected {name} to be {need}, received {value!r}")
    return float(value)


def _step(step) -> float:
    """The step number as a float (accepts ints, NumPy scalars and 0-d arrays)."""
    return float(np.asarray(step))


class LearningRateSchedule:
    """Base class: a callable ``schedule(step) -> learning rate`` that can be saved.

    Subclasses implement ``__call__(step)`` and ``get_config()`` (the constructor arguments);
    ``from_config`` then rebuilds them. A subclass of your own is saved with the model too and
    loaded with ``load_model(path, custom_objects={"MySchedule": MySchedule})``.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate, every):
        ...         self.initial_learning_rate, self.every = initial_learning_rate, every
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate * 0.5 ** (step // self.every)
        ...     def get_config(self):
        ...         return {"initial_learning_rate": self.initial_learning_rate, "every": self.every}
        >>> Halving(0.1, 10)(25)
        0.025
    """

    def __call__(self, step) -> float:  # pragma: no cover - interface
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step)")

    def get_config(self) -> dict:  # pragma: no cover - interface
        raise NotImplementedError(f"{type(self).__name__} must implement get_config()")

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        """A new schedule from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self):
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    __hash__ = object.__hash__


class _DecayEvery(LearningRateSchedule):
    """What ``ExponentialDecay`` and ``InverseTimeDecay`` share: the same arguments, and the
    progress ``step / decay_steps`` (floored with ``staircase``) that their formulas use."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        who = type(self).__name__
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate", who, nonneg=True)
        self.decay_steps = _number(decay_steps, "decay_steps", who, positive=True)
        self.decay_rate = _number(decay_rate, "decay_rate", who, nonneg=True)
        self.staircase = bool(staircase)
        self.name = name or who

    def _progress(self, step) -> float:
        p = _step(step) / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_DecayEvery):
    """Multiply the learning rate by ``decay_rate`` every ``decay_steps`` steps, smoothly.

    ``lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps)``; with
    ``staircase=True`` the exponent is ``floor(step / decay_steps)``, so the rate drops in
    steps (PyTorch's ``StepLR(step_size=decay_steps, gamma=decay_rate)``; with
    ``decay_steps=1`` it is ``ExponentialLR(gamma=decay_rate)``).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: steps per factor of ``decay_rate`` (positive).
        decay_rate: the factor (``0.96``: 4% smaller every ``decay_steps`` steps).
        staircase: drop in whole steps instead of continuously.
        name: optional name, kept in the config.

    Example:
        >>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)(19)
        0.05
    """

    def __call__(self, step) -> float:
        return self.initial_learning_rate * self.decay_rate ** self._progress(step)


class StepDecay(LearningRateSchedule):
    """The course's "step decay": multiply the learning rate by ``drop_rate`` every ``step_size``
    steps.

    ``lr(step) = initial_learning_rate * drop_rate ** floor(step / step_size)``

    Not a Keras class (Keras writes it as ``ExponentialDecay(..., staircase=True)``); the same
    numbers as PyTorch's ``StepLR(step_size, gamma=drop_rate)``. With an optimizer the steps are
    batches; to drop every few *epochs*, give it to the ``LearningRateScheduler`` callback,
    which calls it with the epoch number.

    Args:
        initial_learning_rate: the rate before the first drop.
        drop_rate: the factor applied at each drop (``0.5`` halves the rate).
        step_size: steps between drops (positive integer).
        name: optional name, kept in the config.

    Example:
        >>> schedule = StepDecay(0.1, drop_rate=0.5, step_size=10)
        >>> schedule(9), schedule(10), schedule(25)
        (0.1, 0.05, 0.025)
        >>> callback = glassnet.callbacks.LearningRateScheduler(schedule)  # per epoch
    """

    def __init__(self, initial_learning_rate, drop_rate=0.5, step_size=10, name="StepDecay"):
        who = type(self).__name__
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate", who, nonneg=True)
        self.drop_rate = _number(drop_rate, "drop_rate", who, nonneg=True)
        if isinstance(step_size, bool) or not isinstance(step_size, (int, np.integer)) or step_size <= 0:
            raise ValueError(f"{who}: expected step_size to be a positive integer, received {step_size!r}")
        self.step_size = int(step_size)
        self.name = name

    def __call__(self, step) -> float:
        return self.initial_learning_rate * self.drop_rate ** math.floor(_step(step) / self.step_size)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "drop_rate": self.drop_rate,
                "step_size": self.step_size, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """Constant learning rates between step boundaries.

    ``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, and ``values[-1]`` after the last boundary.
    (PyTorch's ``MultiStepLR`` changes the rate one step earlier: its milestone ``m`` is the
    boundary ``m - 1`` here.)

    Args:
        boundaries: increasing step numbers.
        values: the rates, one more than ``boundaries``.
        name: optional name, kept in the config.

    Example:
        >>> schedule = PiecewiseConstantDecay([100, 200], [0.1, 0.01, 0.001])
        >>> schedule(100), schedule(101), schedule(500)
        (0.1, 0.01, 0.001)
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        who = type(self).__name__
        boundaries, values = list(boundaries), list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"{who}: expected len(values) == len(boundaries) + 1, received "
                             f"{len(boundaries)} boundaries and {len(values)} values")
        self.boundaries = [_number(b, "each boundary", who) for b in boundaries]
        if any(b >= c for b, c in zip(self.boundaries, self.boundaries[1:])):
            raise ValueError(f"{who}: expected increasing boundaries, received {boundaries}")
        # keep integers as integers in the config (they are step numbers)
        self.boundaries = [int(b) if float(b).is_integer() else b for b in self.boundaries]
        self.values = [_number(v, "each value", who, nonneg=True) for v in values]
        self.name = name

    def __call__(self, step) -> float:
        s = _step(step)
        for boundary, value in zip(self.boundaries, self.values):
            if s <= boundary:
                return value
        return self.values[-1]

    def get_config(self) -> dict:
        return {"boundaries": list(self.boundaries), "values": list(self.values), "name": self.name}


class InverseTimeDecay(_DecayEvery):
    """Divide the learning rate by a linearly growing factor.

    ``lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)``; with
    ``staircase=True``, ``step / decay_steps`` is floored.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: how often the decay is applied (positive).
        decay_rate: how fast the rate shrinks.
        staircase: apply the decay in whole steps.
        name: optional name, kept in the config.

    Example:
        >>> InverseTimeDecay(0.1, decay_steps=10, decay_rate=1.0)(10)
        0.05
    """

    def __call__(self, step) -> float:
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(step))


class PolynomialDecay(LearningRateSchedule):
    """Go from ``initial_learning_rate`` to ``end_learning_rate`` in ``decay_steps`` steps.

    ``t = min(step, decay_steps) / decay_steps``;
    ``lr = (initial - end) * (1 - t) ** power + end``. ``power=1`` is a straight line. With
    ``cycle=True`` the decay restarts: ``decay_steps`` becomes the first multiple of itself that
    is at least ``step``. (PyTorch's ``PolynomialLR(total_iters=decay_steps, power)`` is the
    case ``end_learning_rate=0``.)

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: steps to reach ``end_learning_rate`` (positive).
        end_learning_rate: the final rate.
        power: the polynomial's power.
        cycle: restart the decay after ``decay_steps``.
        name: optional name, kept in the config.

    Example:
        >>> PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0)(5)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        who = type(self).__name__
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate", who, nonneg=True)
        self.decay_steps = _number(decay_steps, "decay_steps", who, positive=True)
        self.end_learning_rate = _number(end_learning_rate, "end_learning_rate", who, nonneg=True)
        self.power = _number(power, "power", who)
        self.cycle = bool(cycle)
        self.name = name

    def __call__(self, step) -> float:
        s, decay_steps = _step(step), self.decay_steps
        if self.cycle:
            decay_steps *= 1.0 if s == 0 else math.ceil(s / decay_steps)
        else:
            s = min(s, decay_steps)
        p = s / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * (1.0 - p) ** self.power \
            + self.end_learning_rate

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Half a cosine wave from the initial rate down to ``alpha`` times it, with optional warm-up.

    Without warm-up (``warmup_target=None``)::

        t = min(step, decay_steps) / decay_steps
        lr = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * t)) + alpha)

    (PyTorch's ``CosineAnnealingLR(T_max=decay_steps, eta_min=alpha * lr0)`` up to ``T_max``.)
    With ``warmup_target`` set, the rate first rises linearly from ``initial_learning_rate`` to
    ``warmup_target`` over ``warmup_steps`` steps, then follows the cosine from
    ``warmup_target``, with ``step - warmup_steps`` in place of ``step``.

    Args:
        initial_learning_rate: the starting rate.
        decay_steps: length of the cosine part, in steps (positive).
        alpha: the final rate as a fraction of the cosine's starting rate.
        name: optional name, kept in the config.
        warmup_target: the rate reached at the end of warm-up, or None for no warm-up.
        warmup_steps: length of the warm-up, in steps.

    Example:
        >>> CosineDecay(0.1, decay_steps=100)(50)
        0.05
        >>> CosineDecay(0.0, decay_steps=100, warmup_target=0.1, warmup_steps=10)(5)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        who = type(self).__name__
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate", who, nonneg=True)
        self.decay_steps = _number(decay_steps, "decay_steps", who, positive=True)
        self.alpha = _number(alpha, "alpha", who, nonneg=True)
        self.warmup_target = None if warmup_target is None else _number(warmup_target, "warmup_target", who,
                                                                         nonneg=True)
        self.warmup_steps = _number(warmup_steps, "warmup_steps", who, nonneg=True)
        self.name = name

    def _decay(self, step: float, start_lr: float) -> float:
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start_lr * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step) -> float:
        s = _step(step)
        if self.warmup_target is None:
            return self._decay(min(s, self.decay_steps), self.initial_learning_rate)
        s = min(s, self.decay_steps + self.warmup_steps)
        if s < self.warmup_steps:
            fraction = s / self.warmup_steps
            return (self.warmup_target - self.initial_learning_rate) * fraction + self.initial_learning_rate
        return self._decay(s - self.warmup_steps, self.warmup_target)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


def serialize(schedule) -> dict:
    """``{"class_name": ..., "config": ...}`` for a schedule (what optimizer configs hold).

    Example:
        >>> serialize(StepDecay(0.1, 0.5, 10))["class_name"]
        'StepDecay'
    """
    if not hasattr(schedule, "get_config"):
        raise TypeError(f"serialize: expected a learning-rate schedule with get_config(), received {schedule!r}")
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict, custom_objects=None) -> LearningRateSchedule:
    """A schedule from ``serialize``'s output (``custom_objects`` maps names of your own classes).

    Example:
        >>> deserialize({"class_name": "StepDecay", "config": {"initial_learning_rate": 0.1}})(10)
        0.05
    """
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(f"schedule config: expected {{'class_name': ..., 'config': {{...}}}}, received {config!r}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name)
    if cls is None:
        candidate = globals().get(name)
        if isinstance(candidate, type) and issubclass(candidate, LearningRateSchedule):
            cls = candidate
    if cls is None:
        known = sorted(n for n in __all__ if n[0].isupper() and n != "LearningRateSchedule")
        raise ValueError(f"unknown learning-rate schedule {name!r}; known: {known}. For your own class pass "
                         f"custom_objects={{{name!r}: the class}}")
    kwargs = config.get("config") or {}
    return cls.from_config(kwargs) if hasattr(cls, "from_config") else cls(**kwargs)
