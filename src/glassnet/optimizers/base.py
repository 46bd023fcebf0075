"""The optimizer base class: what every optimizer shares.

An optimizer turns gradients into weight updates. One training step is::

    for p in params: p.grad = None            # optimizer.zero_grad(params)
    loss = loss_fn(model(x), y)
    loss.backward()                           # fills p.grad for every weight p
    optimizer.apply(params)                   # p.data <- p.data - (something) * p.grad

What the "something" is differs between SGD, RMSprop, Adam... and is written out in each
subclass's ``update_step``. This base class does the rest, the same for all of them:

1. skip parameters without a gradient;
2. clip the gradients (``clipnorm``, ``clipvalue`` or ``global_clipnorm``), into new arrays:
   a gradient array may be shared by several tensors, so it is never modified in place;
3. find the learning rate for this step (a number, or a schedule called with the step number);
4. call ``update_step(grad, param, lr)`` for each parameter, which updates ``param.data``
   in place and keeps its dtype (float32 stays float32);
5. count the step in ``iterations``;
6. every ``SUBNORMAL_FLUSH_EVERY`` steps, set state values too small to matter to exactly 0
   (``_flush_subnormal_state``: see there why this makes training up to 3x faster).

With ``weight_decay`` set (any optimizer, as in Keras 3), step 4 starts with the decoupled
decay ``w = w - lr * weight_decay * w`` of each weight (Loshchilov and Hutter, 2019): unlike an
L2 penalty added to the loss, the shrinking does not pass through Adam's or RMSprop's
per-weight scaling, so every weight decays at the same rate; ``AdamW`` is ``Adam`` with it on.
``exclude_from_weight_decay`` leaves chosen weights (biases, normalisation scales) out.

Optimizer state (momentum buffers, Adam's moment estimates) is kept per parameter, keyed by the
parameter's hierarchical name (``"dense_1/kernel"``), created the first time the parameter is
updated. ``get_state()`` gives it as a flat dict of arrays (``"dense_1/kernel/momentum"``,
``"iterations"``) and ``set_state()`` puts it back, so training can be saved and resumed.
"""
from __future__ import annotations

import functools
import math
import re
import warnings
from collections.abc import Mapping

import numpy as np

from glassnet.backend import array_module, move_like, to_host
from glassnet.core.tensor import Tensor
from glassnet.optimizers import schedules
from glassnet.optimizers.clipping import clip_by_global_norm, clip_by_norm


# How often (in steps) optimizer state on the CPU is cleared of values near float underflow, and
# how near: values below ``tiny * SUBNORMAL_MARGIN`` (about 1e-32 in float32) become 0.
SUBNORMAL_FLUSH_EVERY = 16
SUBNORMAL_MARGIN = 2.0 ** 20


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _check_positive_or_none(value, name: str, who: str):
    if value is None:
        return None
    if not _is_number(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{who}: expected {name} to be None or a positive number, received {value!r}")
    return float(value)


def check_in_range(value, name: str, who: str, low: float, high: float, high_inclusive: bool = True) -> float:
    """``value`` as a float, or a ValueError naming the accepted range and the received value."""
    ok = _is_number(value) and math.isfinite(value) and low <= value and (
        value <= high if high_inclusive else value < high)
    if not ok:
        bracket = "]" if high_inclusive else ")"
        raise ValueError(f"{who}: expected {name} in [{low}, {high}{bracket}, received {value!r}")
    return float(value)


# the ranges of the hyperparameters several optimizers share: (low, high, high included?)
_SHARED_RANGES = {"beta_1": (0.0, 1.0, False), "beta_2": (0.0, 1.0, False), "rho": (0.0, 1.0, False),
                  "epsilon": (0.0, math.inf, True), "momentum": (0.0, 1.0, True)}


class Optimizer:
    """Base class of all optimizers.

    Subclasses set the update rule in ``update_step`` and name their per-parameter state
    arrays in ``slot_names``.

    Args:
        learning_rate: a float, or a schedule: any callable taking the step number (an int,
            0 for the first step) and returning the learning rate for that step.
        clipnorm: if set, each gradient array is rescaled so that its L2 norm is at most this.
        clipvalue: if set, each gradient element is clipped to ``[-clipvalue, clipvalue]``.
        global_clipnorm: if set, all gradients are rescaled together so that their combined
            L2 norm is at most this. At most one of the three clipping options can be set.
        name: a name for the optimizer (defaults to the class name in lower case).
        weight_decay: if set, a non-negative rate of decoupled weight decay: before its update
            each weight becomes ``w - lr * weight_decay * w`` (Keras 3's rule, every optimizer).

    Example:
        >>> import numpy as np
        >>> opt = SGD(learning_rate=0.1)
        >>> w = Parameter(np.array([1.0, 2.0]), name="w")
        >>> (w * w).sum().backward()      # grad = 2 w
        >>> opt.apply([w])
        >>> w.data
        array([0.8, 1.6], dtype=float32)
    """

    def __init__(self, learning_rate, clipnorm=None, clipvalue=None, global_clipnorm=None, name=None,
                 weight_decay=None):
        who = type(self).__name__
        self.learning_rate = learning_rate  # validated by the property setter below
        self.clipnorm = _check_positive_or_none(clipnorm, "clipnorm", who)
        self.clipvalue = _check_positive_or_none(clipvalue, "clipvalue", who)
        self.global_clipnorm = _check_positive_or_none(global_clipnorm, "global_clipnorm", who)
        given = [n for n, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(given) > 1:
            raise ValueError(f"{who}: expected at most one of clipnorm, clipvalue, global_clipnorm, "
                             f"received {', '.join(given)}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{who}: expected name to be a string, received {name!r}")
        self.name = name or who.lower()
        self.iterations = 0      # number of apply() calls so far
        self._slots = {}         # {parameter name: {slot name: array}}
        self._specs = {}         # {parameter name: (shape, dtype)} of every parameter seen
        self._init_weight_decay(weight_decay)

    def _set_shared(self, **values) -> None:
        """Check and set the hyperparameters several optimizers share, with one message format:
        ``beta_1``, ``beta_2``, ``rho`` in [0, 1), ``epsilon`` >= 0, ``momentum`` in [0, 1].

        Example:
            >>> self._set_shared(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)   # in __init__
        """
        who = type(self).__name__
        for name, value in values.items():
            low, high, inclusive = _SHARED_RANGES[name]
            setattr(self, name, check_in_range(value, name, who, low, high, high_inclusive=inclusive))

    # ----------------------------------------------------------------- weight decay
    def _init_weight_decay(self, weight_decay, required: bool = False) -> None:
        """Set ``weight_decay`` (None: off; ``required``: AdamW, where None is an error)."""
        who = type(self).__name__
        if weight_decay is None and required:
            raise ValueError(f"{who}: expected weight_decay to be a non-negative number, received None")
        self.weight_decay = None if weight_decay is None else check_in_range(
            weight_decay, "weight_decay", who, 0.0, float("inf"))
        self._excluded_names = set()
        self._excluded_pattern = None

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Leave some weights out of the decay (Keras 3's method), typically biases and
        normalisation scales.

        Args:
            var_list: weights (``Parameter``) to exclude, matched by their name.
            var_names: strings; a weight whose name contains one of them (as a regular
                expression, ``re.search``) is excluded: ``["bias"]`` matches ``"dense/bias"``.

        Example:
            >>> opt = AdamW(weight_decay=0.01)
            >>> opt.exclude_from_weight_decay(var_names=["bias"])
        """
        if var_names is not None and (isinstance(var_names, str) or
                                      not all(isinstance(n, str) for n in var_names)):
            raise TypeError(f"{type(self).__name__}: expected var_names to be a list of strings, "
                            f"received {var_names!r}")
        self._excluded_names = {p.name for p in (var_list or ())}
        self._excluded_pattern = re.compile("|".join(var_names)) if var_names else None

    def _decays(self, param) -> bool:
        if not self.weight_decay or param.name in self._excluded_names:
            return False
        return not (self._excluded_pattern is not None and param.name is not None
                    and self._excluded_pattern.search(param.name))

    def _decay(self, param, lr: float) -> None:
        """``w = w - lr * weight_decay * w``, in place, in the weight's dtype."""
        if self._decays(param):
            w = param.data
            w -= w * w.dtype.type(lr * self.weight_decay)

    def __init_subclass__(cls, **kwargs):
        # Keras 2 programs write Adam(lr=0.01): each subclass's __init__ takes ``lr=`` as
        # ``learning_rate=``, with one warning naming Keras 3's spelling
        super().__init_subclass__(**kwargs)
        own_init = cls.__dict__.get("__init__")
        if own_init is None or getattr(own_init, "_takes_lr", False):
            return

        @functools.wraps(own_init)
        def __init__(self, *args, **kwargs):
            if "lr" in kwargs:
                if "learning_rate" in kwargs:
                    raise TypeError(f"{cls.__name__}: received both lr= and learning_rate=; keep learning_rate=")
                from glassnet.compat import warn_renamed
                warn_renamed("lr=", "learning_rate=")
                kwargs["learning_rate"] = kwargs.pop("lr")
            own_init(self, *args, **kwargs)
        __init__._takes_lr = True
        cls.__init__ = __init__

    # ----------------------------------------------------------------- learning rate
    @property
    def lr(self):
        """Keras 2's name for ``learning_rate`` (readable and assignable; warns once)."""
        from glassnet.compat import warn_renamed
        warn_renamed("optimizer.lr", "optimizer.learning_rate")
        lr = self.learning_rate
        return lr if callable(lr) else _LearningRateValue(lr, self)

    @lr.setter
    def lr(self, value):
        from glassnet.compat import warn_renamed
        warn_renamed("optimizer.lr", "optimizer.learning_rate")
        self.learning_rate = value

    @property
    def learning_rate(self):
        """The learning rate as given: a float, or a schedule (callable). Settable any time,
        e.g. by a callback: ``optimizer.learning_rate = 0.001``."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if callable(value):
            self._learning_rate = value
        elif _is_number(value) and math.isfinite(value) and value >= 0:
            self._learning_rate = float(value)
        else:
            raise ValueError(f"{type(self).__name__}: expected learning_rate to be a non-negative number "
                             f"or a schedule (a callable taking the step number), received {value!r}")

    def current_learning_rate(self) -> float:
        """The learning rate the next step will use (a schedule is called with ``iterations``)."""
        lr = self._learning_rate
        if not callable(lr):
            return lr
        value = lr(self.iterations)
        try:
            return float(value)
        except (TypeError, ValueError):
            raise TypeError(f"{type(self).__name__}: the learning-rate schedule returned {value!r} at "
                            f"step {self.iterations}; expected a number") from None

    # ----------------------------------------------------------------- state
    @property
    def slot_names(self) -> tuple:
        """Names of the state arrays kept per parameter (e.g. ``("momentum",)``)."""
        return ()

    def _init_slot(self, slot_name: str, param) -> np.ndarray:
        """The starting value of a state array: zeros like the parameter, unless overridden."""
        return array_module(param.data).zeros_like(param.data)

    def _slots_for(self, param) -> dict:
        """The state arrays of ``param`` (created on its first update)."""
        slots = self._slots.get(param.name)
        data = param.data
        if slots is None:
            self._specs[param.name] = (data.shape, data.dtype)
            slots = self._slots[param.name] = {s: self._init_slot(s, param) for s in self.slot_names}
            return slots
        some = next(iter(slots.values()), data)
        xp = array_module(data)
        if array_module(some) is not xp:  # restored by set_state on the host, or the weights moved (model.to)
            for s in slots:
                slots[s] = move_like(slots[s], data)
        if some.shape != data.shape:
            raise ValueError(f"{self.name}: state for parameter {param.name!r} has shape {some.shape}, but the "
                             f"parameter has shape {data.shape} (is this optimizer shared by two models, "
                             f"or was set_state given another model's state?)")
        if some.dtype != data.dtype:  # e.g. state saved in float32, model now float64
            for s in slots:
                slots[s] = slots[s].astype(data.dtype)
        if len(slots) != len(self.slot_names):  # a hyperparameter such as momentum was turned on
            for s in self.slot_names:
                if s not in slots:
                    slots[s] = self._init_slot(s, param)
        return slots

    def build(self, params) -> None:
        """Create the state of every parameter now rather than at its first update.

        Optional; useful before ``set_state`` so that shapes are checked against the model.

        Args:
            params: the parameters this optimizer will update (``model.trainable_weights``).
        """
        for p in params:
            if self.slot_names:
                self._check_names([p])
                self._slots_for(p)
            elif p.name is not None:
                self._specs[p.name] = (p.data.shape, p.data.dtype)

    def get_state(self) -> dict:
        """A copy of the optimizer state as a flat ``{name: array}`` dict.

        Keys are ``"<parameter name>/<slot>"`` (``"dense_1/kernel/momentum"``) plus
        ``"iterations"``. Save it with ``np.savez`` and restore it with ``set_state``. The
        arrays are NumPy arrays on the host, wherever the parameters live.
        """
        state = {"iterations": np.asarray(self.iterations, dtype=np.int64)}
        for pname, slots in self._slots.items():
            for sname, arr in slots.items():
                state[f"{pname}/{sname}"] = np.array(to_host(arr))  # a copy
        return state

    def set_state(self, state) -> None:
        """Replace the optimizer state with ``state`` (as returned by ``get_state``).

        Everything is checked before anything changes: the names must be ``"iterations"`` and
        ``"<parameter>/<slot>"`` with this optimizer's slots, each parameter must have all of
        them with one shape, matching the parameter's when the optimizer has already seen it.
        Parameters the optimizer has not seen yet are checked at their first update.

        Raises:
            ValueError: naming the offending entry, what was expected and what was received.
        """
        who = self.name
        if not isinstance(state, Mapping):
            raise TypeError(f"{who}: set_state expected a dict of arrays, received {type(state).__name__}")
        if "iterations" not in state:
            raise ValueError(f"{who}: set_state expected an 'iterations' entry, received keys {sorted(state)}")
        iterations = np.asarray(state["iterations"])
        if iterations.dtype.kind not in "iu" or iterations.size != 1 or int(iterations.ravel()[0]) < 0:
            raise ValueError(f"{who}: expected 'iterations' to be a non-negative integer, "
                             f"received {state['iterations']!r}")
        expected = self.slot_names
        loaded = {}
        for key, value in state.items():
            if key == "iterations":
                continue
            pname, _, sname = str(key).rpartition("/")
            if not pname or sname not in expected:
                raise ValueError(f"{who}: unexpected state entry {key!r}; expected 'iterations' and "
                                 f"'<parameter name>/<slot>' with slot in {list(expected)}")
            arr = np.array(value)  # a copy: later training must not change the caller's arrays
            if arr.dtype.kind != "f":
                raise ValueError(f"{who}: state entry {key!r} must be a float array, received dtype {arr.dtype}")
            loaded.setdefault(pname, {})[sname] = arr
        for pname, slots in loaded.items():
            missing = [s for s in expected if s not in slots]
            if missing:
                raise ValueError(f"{who}: state for parameter {pname!r} is missing {missing}; "
                                 f"expected slots {list(expected)}")
            shapes = {a.shape for a in slots.values()}
            if len(shapes) != 1:
                raise ValueError(f"{who}: state arrays of parameter {pname!r} disagree in shape: {sorted(shapes)}")
            if pname in self._specs:
                shape, dtype = self._specs[pname]
                if shapes != {shape}:
                    raise ValueError(f"{who}: state for parameter {pname!r}: expected shape {shape}, "
                                     f"received {shapes.pop()}")
                for s in slots:
                    slots[s] = slots[s].astype(dtype, copy=False)
        self._slots = {pname: {s: slots[s] for s in expected} for pname, slots in loaded.items()}
        self.iterations = int(iterations.ravel()[0])

    # ----------------------------------------------------------------- updating
    def update_step(self, grad: np.ndarray, param, lr: float) -> None:  # pragma: no cover - interface
        """Update ``param.data`` in place from its (clipped) gradient. Subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_step(grad, param, lr)")

    def apply(self, params, trainable_variables=None) -> None:
        """One optimization step on every parameter in ``params`` that has a gradient.

        Args:
            params: a list of ``Parameter`` (``model.trainable_weights``), whose ``.grad`` was
                filled by ``backward()``. Parameters whose ``.grad`` is None are skipped.
            trainable_variables: Keras 3's form ``optimizer.apply(grads, trainable_variables)``:
                then the first argument is the list of gradients (from a ``GradientTape``),
                one per variable, and the step is ``apply_gradients(zip(grads, variables))``.

        Example:
            >>> loss.backward(); optimizer.apply(model.trainable_weights)          # from .grad
            >>> optimizer.apply(tape.gradient(loss, weights), weights)             # Keras 3
        """
        if trainable_variables is not None:
            grads, variables = list(params), list(trainable_variables)
            if len(grads) != len(variables):
                raise ValueError(f"{self.name}: apply expected one gradient per variable, received "
                                 f"{len(grads)} gradients for {len(variables)} variables")
            self.apply_gradients(zip(grads, variables))
            return
        pairs = [(p.grad, p) for p in params if p.grad is not None]
        self._apply_pairs(pairs)

    def apply_gradients(self, grads_and_vars) -> int:
        """Keras-style step: ``grads_and_vars`` is a list (or ``zip``) of ``(gradient, Parameter)``.

        Gradients are arrays or Tensors (``GradientTape.gradient`` gives Tensors). The step is the
        one ``apply`` takes: clipping, the learning rate (schedules read ``iterations``), the
        optimizer's state, ``iterations += 1``. As in Keras, pairs whose gradient is None (a
        weight the loss does not depend on) are skipped with a warning naming them, and a step
        where every gradient is None is an error. Returns ``iterations`` after the step.

        Example:
            >>> import numpy as np
            >>> opt.apply_gradients([(np.ones(2, np.float32), w)])
            >>> grads = tape.gradient(loss, model.trainable_weights)
            >>> opt.apply_gradients(zip(grads, model.trainable_weights))
        """
        pairs, missing = [], []
        for item in grads_and_vars:
            try:
                grad, param = item
            except (TypeError, ValueError):
                raise ValueError(f"{self.name}: apply_gradients expected (gradient, parameter) pairs, "
                                 f"received {item!r}") from None
            if grad is None:
                missing.append(getattr(param, "name", None) or repr(param))
                continue
            if not isinstance(param, Tensor):
                raise TypeError(f"{self.name}: apply_gradients expected a Parameter as the second item of "
                                f"each pair, received {type(param).__name__}")
            grad = grad.data if isinstance(grad, Tensor) else array_module(param.data).asarray(grad)
            if grad.shape != param.data.shape:
                raise ValueError(f"{self.name}: gradient for {param.name!r}: expected shape {param.data.shape}, "
                                 f"received {grad.shape}")
            pairs.append((grad, param))
        if missing:
            if not pairs:
                raise ValueError(f"{self.name}: apply_gradients received no gradient for any variable (all "
                                 f"None: {missing[:5]}); does the loss depend on these weights?")
            warnings.warn(f"{self.name}: gradients do not exist for variables {missing} when minimizing the loss "
                          f"(the loss does not depend on them); they are left unchanged", stacklevel=2)
        self._apply_pairs(pairs)
        return self.iterations

    def zero_grad(self, params) -> None:
        """Forget the gradients of ``params`` (sets each ``.grad`` to None) before the next backward."""
        for p in params:
            p.grad = None

    def _check_names(self, params) -> None:
        """State is keyed by name, so every parameter needs a name, unique within a step."""
        names = [p.name for p in params]
        if None in names:
            raise ValueError(f"{self.name}: every parameter needs a name to key the optimizer state; "
                             f"received an unnamed parameter of shape {params[names.index(None)].shape} "
                             f"(create it as Parameter(..., name='w'))")
        if len(set(names)) != len(names):
            seen, dup = set(), []
            for n in names:
                if n in seen:
                    dup.append(n)
                seen.add(n)
            raise ValueError(f"{self.name}: parameter names must be unique, received {sorted(set(dup))} "
                             f"more than once")

    def _clip(self, grads: list) -> list:
        """Gradients after the clipping option, if any (new arrays; the inputs are untouched)."""
        if self.clipnorm is not None:
            return [clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm is not None:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue is not None:
            return [g.clip(g.dtype.type(-self.clipvalue), g.dtype.type(self.clipvalue)) for g in grads]
        return grads

    def _apply_pairs(self, pairs) -> None:
        params = [p for _, p in pairs]
        if self.slot_names:
            self._check_names(params)
        grads = []
        for g, p in pairs:
            if g.dtype != p.data.dtype:  # never let a float64 gradient upcast a float32 step
                g = g.astype(p.data.dtype)
            grads.append(g)
        grads = self._clip(grads)
        lr = self.current_learning_rate()
        for g, p in zip(grads, params):
            if getattr(self, "weight_decay", None):  # (a subclass may skip Optimizer.__init__)
                self._decay(p, lr)  # decoupled: before the update, outside its scaling (Keras 3)
            self.update_step(g, p, lr)
        self.iterations += 1
        if self.iterations % SUBNORMAL_FLUSH_EVERY == 0:
            self._flush_subnormal_state()

    def _flush_subnormal_state(self) -> None:
        """Set every state value smaller in magnitude than ``tiny * SUBNORMAL_MARGIN`` to 0.

        Why: a weight whose gradient is exactly 0 (a dead ReLU unit, an always-black MNIST pixel)
        has its momentum multiplied by ``beta`` every step, and in a few hundred steps it falls
        below float32's smallest normal number (1.2e-38) into the subnormals, on which x86 CPUs
        compute up to 100x slower. It never leaves them: rounded to nearest, ``0.9 * x`` is ``x``
        again for the smallest subnormals. On the ``fit`` benchmark's net, Adam's state held
        80,000 subnormals after 1,200 steps and each epoch took 3x as long (measured 2026-12-03).

        The margin (2^20) is what a value just above the threshold loses in the 16 steps to the
        next flush at a decay of 0.42 or more (0.42^16 > 2^-20): state never turns subnormal in
        between. Values below 1e-32 change no update (next to Adam's epsilon, or to a weight's
        float32 resolution). GPUs compute on subnormals at full speed: only NumPy state is flushed.
        """
        for slots in self._slots.values():
            for array in slots.values():
                xp = array_module(array)
                if xp is not np or array.dtype not in (np.float32, np.float64):
                    continue
                threshold = xp.finfo(array.dtype).tiny * SUBNORMAL_MARGIN
                xp.copyto(array, 0, where=xp.abs(array) < threshold)

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict:
        """The constructor arguments, JSON-serialisable (a schedule must have ``get_config``)."""
        lr = self._learning_rate
        if callable(lr):
            if not hasattr(lr, "get_config"):
                raise ValueError(f"{self.name}: the learning-rate function {lr!r} cannot be saved: it has no "
                                 f"get_config(). Use a schedule class with get_config(), or save without "
                                 f"the optimizer")
            lr = {"class_name": type(lr).__name__, "config": lr.get_config()}
        config = {"name": self.name, "learning_rate": lr, "clipnorm": self.clipnorm,
                  "clipvalue": self.clipvalue, "global_clipnorm": self.global_clipnorm}
        # only when set: a custom subclass need not take the argument
        if getattr(self, "weight_decay", None) is not None:
            config["weight_decay"] = self.weight_decay
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> "Optimizer":
        """A new optimizer (without state) from ``get_config()``'s output.

        Args:
            config: the dict from ``get_config``.
            custom_objects: optional ``{class name: class}`` for your own learning-rate schedules.
        """
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _deserialize_schedule(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self):
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if v is not None)
        except ValueError:
            args = f"name={self.name!r}"
        return f"{type(self).__name__}({args})"


class _LearningRateValue(float):
    """The number ``optimizer.lr`` returns, remembering its optimizer, so that Keras 2's
    ``K.set_value(model.optimizer.lr, 0.001)`` can set it."""

    def __new__(cls, value, optimizer):
        obj = super().__new__(cls, value)
        obj.optimizer = optimizer
        return obj


def _deserialize_schedule(config: dict, custom_objects=None):
    """A learning-rate schedule from ``{"class_name", "config"}`` (see ``schedules.deserialize``)."""
    return schedules.deserialize(config, custom_objects)
