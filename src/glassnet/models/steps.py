"""Keras 3's step API: what a model can override to change what ``fit`` and ``evaluate`` do.

``fit`` runs ``train_step(data)`` on every batch and ``evaluate`` runs ``test_step(data)``;
each returns a dict of numbers that goes to the progress bar, the callbacks and ``History``
(at the end of an epoch, the last batch's dict: metrics are running means). ``data`` is the
batch as Keras gives it: ``(x, y)``, ``(x, y, sample_weight)`` with sample weights, or ``x``
alone when ``fit`` got no ``y`` (``(x,)`` for a model with several inputs). The arrays are
NumPy arrays; ``self(x, training=True)`` makes Tensors of them.

A custom training step (a GAN, a loss that needs the inputs) is the course's "custom
training loop" inside ``fit``:

    class MyModel(gn.Model):
        def train_step(self, data):
            x, y = data
            with gn.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)   # compiled loss + add_loss terms
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            return self.compute_metrics(x, y, y_pred)          # {"loss": ..., "accuracy": ...}

The helpers a step uses, as in Keras 3: ``compute_loss`` (compiled loss plus ``self.losses``),
``compute_metrics`` / ``get_metrics_result`` (update and read the compiled metrics and the
``loss`` tracker), ``metrics`` (every Metric the model tracks: the ``loss`` tracker, the
compiled metrics, Metric objects set as attributes; ``fit`` resets them each epoch), and
tf.keras 2's ``compiled_loss(y, y_pred, regularization_losses=self.losses)`` and
``compiled_metrics.update_state(y, y_pred)``.

When a model does not override ``train_step``, ``fit`` runs its built-in step directly (the
same computation as ``Trainer.train_step`` below, without building the dict every batch).
"""
from __future__ import annotations

import numpy as np

from glassnet import backend
from glassnet.core.tensor import Tensor, no_grad
from glassnet.metrics import Metric, log_value


def unpack_x_y_sample_weight(data) -> tuple:
    """``(x, y, sample_weight)`` from a batch as ``train_step`` receives it (Keras's helper).

    Example:
        >>> import numpy as np
        >>> x, y, sw = unpack_x_y_sample_weight((np.ones((2, 3)), np.zeros(2)))
        >>> sw is None
        True
    """
    if isinstance(data, tuple) and 1 <= len(data) <= 3:
        return tuple(data) + (None,) * (3 - len(data))
    if isinstance(data, tuple):
        raise ValueError(f"expected data as (x,), (x, y) or (x, y, sample_weight), received a tuple of "
                         f"{len(data)} items")
    return data, None, None


def _pack(xs: list, ys: list, sw):
    """The batch in Keras's shape: ``x`` (or ``(x,)`` for several inputs) without targets,
    else ``(x, y)`` or ``(x, y, sample_weight)``; one array per input / output, else lists."""
    x = xs[0] if len(xs) == 1 else list(xs)
    if not ys:
        return x if len(xs) == 1 else (x,)
    y = ys[0] if len(ys) == 1 else list(ys)
    return (x, y) if sw is None else (x, y, sw)


def _scalar(value, key: str, who: str):
    """A step's log value as a float (Tensors, NumPy scalars and numbers), or a float32 array
    for a vector (a ``Precision`` with several thresholds), as Keras logs it."""
    if isinstance(value, Metric):
        value = value.result()
    array = backend.to_host(value.data if isinstance(value, Tensor) else value)
    try:
        array = np.asarray(array, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: the returned dict must hold numbers; {key!r} is {type(value).__name__}") from None
    if array.size != 1 and array.ndim != 1:
        raise ValueError(f"{who}: the returned dict must hold scalars (or vectors, one value per threshold); "
                         f"{key!r} has shape {array.shape}")
    return log_value(array)


class _CompiledMetrics:
    """tf.keras 2's ``model.compiled_metrics``: ``update_state(y, y_pred, sample_weight=None)``
    updates the metrics given to ``compile``."""

    def __init__(self, model):
        self._model = model

    def update_state(self, y, y_pred, sample_weight=None) -> None:
        model = self._model
        outputs = [o if isinstance(o, Tensor) else Tensor(o) for o in model._flat_outputs(y_pred)]
        sw = None if sample_weight is None else backend.to_host(getattr(sample_weight, "data", sample_weight))
        model._update_metrics(model._targets_list(y), outputs, sw)

    def reset_state(self) -> None:
        for _, metric, _ in self._model._metrics:
            metric.reset_state()


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


class TrainingSteps:
    """The overridable steps and their helpers (mixed into ``Trainer``; see the module docstring)."""

    # ------------------------------------------------------------------ tracking
    def __setattr__(self, name, value):
        # Metric objects set as attributes (self.loss_tracker = Mean("loss")) join model.metrics,
        # so that fit resets them every epoch, as Keras tracks them
        if isinstance(value, Metric) and not name.startswith("_"):
            tracked = self.__dict__.setdefault("_tracked_metrics", [])
            if not any(value is m for m in tracked):
                tracked.append(value)
        super().__setattr__(name, value)

    @property
    def metrics(self) -> list:
        """Every Metric the model updates: the ``loss`` tracker, the compiled metrics, then the
        Metric objects set as attributes. ``fit`` and ``evaluate`` reset them all before each
        epoch / evaluation. A model with a custom ``train_step`` may override this property to
        list its own trackers, as in Keras.

        Example:
            >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
            >>> [m.name for m in model.metrics]
            ['loss', 'mae']
        """
        out = []
        if getattr(self, "compiled", False):
            out.append(self._loss_tracker)
            out.extend(metric for _, metric, _ in self._metrics)
        out.extend(self.__dict__.get("_tracked_metrics", []))
        return out

    @property
    def metrics_names(self) -> list:
        """The names of ``metrics`` (Keras's ``model.metrics_names``).

        Example:
            >>> model.compile(optimizer="adam", loss="mse", metrics=["mae"]); model.metrics_names
            ['loss', 'mae']
        """
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        """Reset every metric in ``metrics`` (done at the start of every epoch and evaluation)."""
        for metric in self.metrics:
            metric.reset_state()
        for _, metric, _ in getattr(self, "_metrics", []):  # also when ``metrics`` is overridden
            metric.reset_state()

    def get_metrics_result(self) -> dict:
        """``{name: value}`` of every metric in ``metrics`` (compiled metrics under their log
        names, ``output_accuracy`` for several outputs).

        Example:
            >>> self._loss_tracker.update_state(loss)      # inside a custom train_step
            >>> return self.get_metrics_result()           # {"loss": 0.31, "accuracy": 0.9}
        """
        keys = {id(metric): key for _, metric, key in getattr(self, "_metrics", [])}
        return {keys.get(id(m), m.name): log_value(m.result()) for m in self.metrics}

    @property
    def compiled_metrics(self) -> _CompiledMetrics:
        """tf.keras 2's ``compiled_metrics.update_state(y, y_pred)``; Keras 3 code uses
        ``compute_metrics`` instead.

        Example:
            >>> self.compiled_metrics.update_state(y, y_pred)
            >>> return {m.name: m.result() for m in self.metrics}
        """
        return _CompiledMetrics(self)

    # ------------------------------------------------------------------ outputs
    def _flat_outputs(self, outputs) -> list:
        """The model's outputs as a list in ``output_names`` order (a dict of outputs, from a
        functional model made with ``outputs={...}``, is read by key)."""
        if isinstance(outputs, dict):
            names = self.output_names
            return [outputs[n] for n in names] if set(names) == set(outputs) else list(outputs.values())
        return _as_list(outputs)

    def _nest_outputs(self, arrays: list):
        """``predict``'s result: a dict by output name for a model made with ``outputs={...}``,
        else one array, or a list for several outputs."""
        if isinstance(getattr(self, "_nested_outputs", None), dict):
            return dict(zip(self.output_names, arrays))
        return arrays[0] if len(arrays) == 1 else arrays

    # ------------------------------------------------------------------ loss
    def _total_loss(self, ys: list, outputs: list, sample_weight):
        """Compiled loss (weighted per output) + every term in ``self.losses``; the loss that
        ``fit`` minimises and ``fit``/``evaluate`` report."""
        total = None
        for i, (out, loss_fn, w) in enumerate(zip(outputs, self._loss_fns, self._loss_weights)):
            if loss_fn is None:
                continue
            if i >= len(ys) or ys[i] is None:
                raise ValueError(f"model '{self.name}': the compiled loss {getattr(loss_fn, 'name', loss_fn)} "
                                 f"needs targets y, received none")
            value = loss_fn(ys[i], out, sample_weight=sample_weight)
            value = value if w == 1.0 else value * w
            total = value if total is None else total + value
        total = self._add_extra_losses(total)
        if total is None:
            raise ValueError(f"model '{self.name}' has no loss to compute: compile() was given no loss, no "
                             f"layer added one with add_loss, and the model does not override train_step. "
                             f"Pass compile(loss=...), add a loss in call() with self.add_loss(...), or "
                             f"override train_step(self, data)")
        return total

    def _add_extra_losses(self, total):
        for term in self.losses:
            if term.dtype.kind != "f":
                term = term.astype(backend.floatx())
            if term.size != 1:
                term = term.sum()  # a term with several elements counts as its sum, as in Keras
            total = term if total is None else total + term
        return total

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss: compiled loss of ``y`` and ``y_pred`` plus every ``add_loss`` term
        and weight penalty of the last forward pass (``self.losses``), as a scalar Tensor.

        Args:
            x: the inputs (unused here; overrides may use them).
            y: the targets (None when the model was compiled without a loss).
            y_pred: the model's output(s) from ``self(x, training=...)``.
            sample_weight: per-sample weights of the compiled loss.
            training: unused here (Keras 3 passes it).

        Raises:
            ValueError: there is no loss at all (nothing compiled, nothing added).

        Example:
            >>> with gn.GradientTape() as tape:
            ...     y_pred = self(x, training=True)
            ...     loss = self.compute_loss(x, y, y_pred)
        """
        self._require_compiled("compute_loss")
        ys = [] if y is None else self._targets_list(y)
        return self._total_loss(ys, self._flat_outputs(y_pred), sample_weight)

    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """tf.keras 2's ``model.compiled_loss``: the loss given to ``compile``, plus the sum of
        ``regularization_losses`` (pass ``self.losses``) if given.

        Example:
            >>> loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        """
        self._require_compiled("compiled_loss")
        ys, outputs, total = self._targets_list(y), self._flat_outputs(y_pred), None
        for out, target, loss_fn, w in zip(outputs, ys, self._loss_fns, self._loss_weights):
            if loss_fn is not None:
                value = loss_fn(target, out, sample_weight=sample_weight)
                value = value if w == 1.0 else value * w
                total = value if total is None else total + value
        for term in regularization_losses or []:
            term = term if isinstance(term, Tensor) else Tensor(term)
            term = term.sum() if term.size != 1 else term
            total = term if total is None else total + term
        if total is None:
            raise ValueError(f"model '{self.name}': compiled_loss has nothing to compute; compile(loss=...) first")
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Update the compiled metrics with this batch and return ``get_metrics_result()``.

        Example:
            >>> return self.compute_metrics(x, y, y_pred, sample_weight)   # at the end of train_step
        """
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    # ------------------------------------------------------------------ the steps
    def train_step(self, data) -> dict:
        """One training step on one batch; override it to change what ``fit`` does.

        The default: forward pass in training mode, ``compute_loss``, backward, one optimizer
        step, then the ``loss`` tracker and the compiled metrics. Returns the metrics' values.

        Args:
            data: ``(x, y)``, ``(x, y, sample_weight)`` or ``x`` (see the module docstring).

        Example:
            >>> class GAN(gn.Model):
            ...     def train_step(self, real):
            ...         ...   # two tapes, two optimizers (see the README)
            ...         return {"d_loss": d_loss, "g_loss": g_loss}
        """
        x, y, sw = unpack_x_y_sample_weight(data)
        xs = self._inputs_list(x)
        ys = [] if y is None else self._targets_list(y)
        loss, outputs = self._train_step(xs, ys, sw)
        self._loss_tracker.update_state(loss, sample_weight=len(xs[0]))
        self._update_metrics(ys, outputs, sw)
        return self.get_metrics_result()

    def test_step(self, data) -> dict:
        """One evaluation step on one batch (inference mode, no update); override it to
        change what ``evaluate`` (and validation in ``fit``) does. Returns the metrics' values.

        Example:
            >>> def test_step(self, data):
            ...     x, y = data
            ...     y_pred = self(x, training=False)
            ...     self._loss_tracker.update_state(self.compute_loss(x, y, y_pred, training=False))
            ...     return self.compute_metrics(x, y, y_pred)
        """
        x, y, sw = unpack_x_y_sample_weight(data)
        xs = self._inputs_list(x)
        ys = [] if y is None else self._targets_list(y)
        with no_grad():
            loss, outputs = self._forward_loss(xs, ys, sw, training=False)
        self._loss_tracker.update_state(float(loss.data), sample_weight=len(xs[0]))
        self._update_metrics(ys, outputs, sw)
        return self.get_metrics_result()

    def _overrides(self, step: str) -> bool:
        """True if the model's class replaces ``train_step`` / ``test_step``."""
        return getattr(type(self), step) is not getattr(TrainingSteps, step)

    def _run_step(self, step: str, xs: list, ys: list, sw) -> dict:
        """Call the overridden ``step`` on one batch and check what it returns."""
        who = f"{type(self).__name__}.{step}"
        result = getattr(self, step)(_pack(xs, ys, sw))
        if not isinstance(result, dict):
            raise TypeError(f"{who} must return a dict of metric values (e.g. {{'loss': loss}}), "
                            f"received {type(result).__name__}")
        return {key: _scalar(value, key, who) for key, value in result.items()}
