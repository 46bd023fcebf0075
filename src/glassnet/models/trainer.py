"""Training, evaluation and prediction: the Keras ``compile`` / ``fit`` loop.

One training step (``train_on_batch``) is the whole algorithm of the course:

    outputs = model(x, training=True)          # forward pass, recording the graph
    loss = loss_fn(y, outputs) + penalties     # scalar
    loss.backward()                            # gradients of every weight
    optimizer.apply(weights)                   # w <- w - lr * dL/dw (or Adam's rule...)

Everything else here is bookkeeping: batching, shuffling, metrics, callbacks and logs.
"""
from __future__ import annotations

import itertools

import numpy as np

from glassnet import backend, losses as losses_module, metrics as metrics_module, optimizers
from glassnet.callbacks import CallbackList, History, ProgbarLogger
from glassnet.compat import warn_renamed as _warn_renamed
from glassnet.core.tensor import Tensor, no_grad
from glassnet.models import data_sources, input_checks
from glassnet.models.compile_utils import OutputLoss, get_metric
from glassnet.models.steps import TrainingSteps
from glassnet.utils.progbar import Progbar


def _as_list(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


DEFAULT_BATCH_SIZE = 32  # samples per step when fit, evaluate or predict get batch_size=None


def _batch_size(batch_size, caller: str) -> int:
    """``batch_size`` as a positive int (None: ``DEFAULT_BATCH_SIZE``, as in Keras)."""
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))):
        raise TypeError(f"{caller}: expected batch_size to be a positive integer, received {batch_size!r} of type "
                        f"{type(batch_size).__name__}")
    size = DEFAULT_BATCH_SIZE if batch_size is None else int(batch_size)
    if size <= 0:
        raise ValueError(f"{caller}: expected a positive batch_size, received {batch_size}")
    return size


def _masked_weights(sample_weight, mask):
    """Sample weights for the metrics of an output that carries a time-step mask: the mask
    (padded steps weigh 0), times the per-sample weights when there are some."""
    if mask is None:
        return sample_weight
    weights = backend.to_host(mask).astype(np.float32)
    if sample_weight is not None:
        sw = np.asarray(sample_weight, dtype=np.float32)
        weights = weights * sw.reshape(sw.shape + (1,) * (weights.ndim - sw.ndim))
    return weights


def _raw(a):
    """Training data as a NumPy array (Tensors unwrapped; lists of numbers converted)."""
    if isinstance(a, Tensor):
        return a.data
    return a if isinstance(a, np.ndarray) else np.asarray(a)


class Trainer(TrainingSteps):
    """The training API shared by ``Sequential``, functional and subclassed ``Model``s (the
    overridable ``train_step`` / ``test_step`` and their helpers are in ``steps.py``)."""

    compiled = False
    _fit_starting = False  # True only while fit runs the callbacks' on_train_begin
    _resume_epoch = None   # set by resume_at_epoch during on_train_begin

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **kwargs):
        """Choose the optimizer, the loss and the metrics.

        Args:
            optimizer: name (``"adam"``) or ``glassnet.optimizers`` object.
            loss: name (``"sparse_categorical_crossentropy"``), loss object or function; for a
                model with several outputs, a list or a dict keyed by output layer name. None
                (as in Keras) for a model whose loss comes from ``add_loss`` or a custom
                ``train_step``.
            metrics: list of names/objects (``["accuracy"]``), applied to every output, or a
                list of lists / dict for several outputs.
            loss_weights: weights of the outputs' losses in the total (list or dict).

        Example:
            >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
            ...               metrics=["accuracy"])
        """
        unknown = set(kwargs) - {"run_eagerly", "jit_compile", "steps_per_execution", "weighted_metrics"}
        if unknown:
            raise TypeError(f"compile: unexpected argument(s) {sorted(unknown)}")
        self.optimizer = optimizers.get(optimizer)
        self._loss_tracker = metrics_module.Mean(name="loss")  # the "loss" of logs, weighted by batch size
        names = self.output_names
        self._loss_fns = [losses_module.get(item) for item in self._per_output(loss, "loss")]
        weights = self._per_output(loss_weights, "loss_weights") if loss_weights is not None else [1.0] * len(names)
        self._loss_weights = [float(w) for w in weights]
        if metrics is None:
            per_output_metrics = [[] for _ in names]
        elif isinstance(metrics, dict) or (isinstance(metrics, (list, tuple)) and metrics
                                           and all(isinstance(m, (list, tuple)) for m in metrics)):
            per_output_metrics = [_as_list(m) or [] for m in self._per_output(metrics, "metrics")]
        else:
            per_output_metrics = [_as_list(metrics) for _ in names]  # one name or metric, or a list
        self._metrics = []  # (output index, metric, log name)
        if len(names) > 1:  # several outputs: each one's own loss too, as Keras 3 logs it
            self._metrics += [(i, OutputLoss(fn, f"{names[i]}_loss"), f"{names[i]}_loss")
                              for i, fn in enumerate(self._loss_fns) if fn is not None]
        for i, items in enumerate(per_output_metrics):
            for item in items:
                if item == "acc":  # Keras 2.2's short name: kept as asked, with a warning
                    _warn_renamed("metrics=['acc']", "metrics=['accuracy'] (history key 'accuracy'; this "
                                  "model logs 'acc', as asked)")
                m = get_metric(item, loss=self._loss_fns[i])
                key = m.name if len(names) == 1 else f"{names[i]}_{m.name}"
                self._metrics.append((i, m, key))
        self._compile_config = {"optimizer": optimizer if isinstance(optimizer, str) else None,
                                "loss": loss if isinstance(loss, (str, list, dict)) else None,
                                "metrics": metrics if _is_plain(metrics) else None,
                                "loss_weights": loss_weights}
        self.compiled = True

    def _per_output(self, value, what):
        """Spread a compile argument over the outputs: one value, a list, or a dict by name."""
        names = self.output_names
        if isinstance(value, dict):
            missing = [n for n in names if n not in value]
            extra = [k for k in value if k not in names]
            if extra or (what == "loss" and missing):
                raise ValueError(f"compile: {what} keys must be output names {names}, received {list(value)}")
            return [value.get(n) for n in names]
        if isinstance(value, (list, tuple)) and len(names) > 1:
            if len(value) != len(names):
                raise ValueError(f"compile: expected {len(names)} {what} entries (one per output {names}), "
                                 f"received {len(value)}")
            return list(value)
        if isinstance(value, (list, tuple)) and what != "metrics":
            if len(value) != 1:
                raise ValueError(f"compile: the model has one output, received {len(value)} {what} entries")
            return list(value)
        return [value] * len(names)

    def _require_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(f"{what}: call model.compile(optimizer=..., loss=...) first")

    # ------------------------------------------------------------------ data
    def _inputs_list(self, x) -> list:
        if isinstance(x, dict):
            names = self.input_names
            missing = [n for n in names if n not in x]
            if missing:
                raise ValueError(f"inputs dict is missing {missing}; the model's inputs are {names}")
            return [_raw(x[n]) for n in names]
        xs = [_raw(a) for a in _as_list(x)] if isinstance(x, (list, tuple)) and not _is_number_list(x) else [_raw(x)]
        if len(xs) != len(self.input_names) and self.built:
            raise ValueError(f"the model expects {len(self.input_names)} input(s) {self.input_names}, "
                             f"received {len(xs)}")
        return xs

    def _targets_list(self, y) -> list:
        names = self.output_names
        if isinstance(y, dict):
            missing = [n for n in names if n not in y]
            if missing:
                raise ValueError(f"targets dict is missing {missing}; the model's outputs are {names}, "
                                 f"received keys {list(y)}")
            return [_raw(y[n]) for n in names]
        if isinstance(y, (list, tuple)) and len(names) > 1:
            if len(y) != len(names):
                raise ValueError(f"expected {len(names)} targets (one per output {names}), received {len(y)}")
            return [_raw(a) for a in y]
        return [_raw(y)]

    @staticmethod
    def _check_lengths(arrays, what="x and y"):
        sizes = {len(a) for a in arrays if a is not None}
        if len(sizes) > 1:
            raise ValueError(f"{what} must have the same number of samples, received sizes "
                             f"{[len(a) for a in arrays if a is not None]}")
        return sizes.pop() if sizes else 0

    def _model_input(self, xs):
        return xs[0] if len(xs) == 1 else xs

    # ------------------------------------------------------------------ one step
    def _forward_loss(self, xs, ys, sample_weight, training):
        outputs = self(self._model_input([Tensor(a) for a in xs]), training=training)
        outputs = self._flat_outputs(outputs)
        # compiled loss + add_loss terms + weight penalties, in training and evaluation alike
        # (Keras's compute_loss), so that evaluate's loss is the one fit minimises
        return self._total_loss(ys, outputs, sample_weight), outputs

    def _update_metrics(self, ys, outputs, sample_weight):
        for i, metric, _ in self._metrics:
            if i >= len(ys):  # no targets (a model trained on add_loss terms): nothing to compare
                continue
            out = outputs[i]
            weights = _masked_weights(sample_weight, out._keras_mask)
            metric.update_state(ys[i], out.data, sample_weight=weights)

    def _logs(self, loss_tracker) -> dict:
        logs = {"loss": loss_tracker.result()}
        for _, metric, key in self._metrics:
            logs[key] = metrics_module.log_value(metric.result())  # a float, or an array per threshold
        return logs

    def _train_step(self, xs, ys, sample_weight, params=None):
        if params is None:
            params = self.trainable_weights
        for p in params:
            p.grad = None
        loss, outputs = self._forward_loss(xs, ys, sample_weight, training=True)
        if loss.requires_grad:  # False only for a model with nothing to train
            loss.backward()
            self.optimizer.apply(params)
        return float(loss.data), outputs

    def train_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """One gradient step on one batch (the model's ``train_step`` when it overrides it).
        Returns the loss, or [loss, *metrics] (or a dict).

        Example:
            >>> loss = model.train_on_batch(x_batch, y_batch)
        """
        self._require_compiled("train_on_batch")
        # integer inputs cast to floatx as in fit: an int64 batch must not make the step float64
        xs = input_checks.prepare_inputs(self, self._inputs_list(x), "train_on_batch")
        ys = [] if y is None else self._targets_list(y)
        sw = None if sample_weight is None else _raw(sample_weight)
        if self._overrides("train_step"):
            self.reset_metrics()  # the result is this batch's, as for the built-in step
            return self._format_result(self._run_step("train_step", xs, ys, sw), return_dict)
        loss, outputs = self._train_step(xs, ys, sw)
        if not self._metrics:
            return {"loss": loss} if return_dict else loss
        self.reset_metrics()
        self._update_metrics(ys, outputs, sw)
        return self._format_result(self._logs(_single(loss, len(xs[0]))), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) on one batch, without training (``test_step`` if overridden)."""
        self._require_compiled("test_on_batch")
        xs = input_checks.prepare_inputs(self, self._inputs_list(x), "test_on_batch")
        ys = [] if y is None else self._targets_list(y)
        sw = None if sample_weight is None else _raw(sample_weight)
        if self._overrides("test_step"):
            self.reset_metrics()
            return self._format_result(self._run_step("test_step", xs, ys, sw), return_dict)
        with no_grad():
            loss, outputs = self._forward_loss(xs, ys, sw, training=False)
        self.reset_metrics()
        self._update_metrics(ys, outputs, sw)
        return self._format_result(self._logs(_single(float(loss.data), len(xs[0]))), return_dict)

    def predict_on_batch(self, x):
        """The model's output on one batch, as NumPy array(s)."""
        xs = input_checks.prepare_inputs(self, self._inputs_list(x), "predict_on_batch")
        with no_grad():
            out = self(self._model_input([Tensor(a) for a in xs]), training=False)
        return self._nest_outputs([o.numpy() for o in self._flat_outputs(out)])

    def _format_result(self, logs, return_dict):
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, seed=None, steps_per_epoch=None, validation_steps=None,
            validation_freq=1):
        """Train for ``epochs`` passes over the data.

        Args:
            x: inputs: an array, a list of arrays (several inputs) or a dict by input name; or
                a generator / ``utils.Sequence`` / ``utils.PyDataset`` of ``(x, y)`` or
                ``(x, y, sample_weight)`` batches (``y`` is then None; see
                ``glassnet.models.data_sources``), drawn afresh every epoch.
            y: targets, matching the outputs the same way.
            batch_size: samples per gradient step (default 32).
            epochs: index of the last epoch (training runs from ``initial_epoch`` to it).
            verbose: 0 silent, 1 progress bar, 2 one line per epoch.
            callbacks: list of ``glassnet.callbacks.Callback``.
            validation_split: fraction of the data, taken from the end before shuffling, held
                out for validation.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight)``.
            shuffle: reshuffle the training samples every epoch.
            class_weight: dict class index -> weight, multiplying the loss of each sample.
            sample_weight: per-sample loss weights.
            initial_epoch: the epoch to start from (to resume an earlier run). A callback may
                replace it from its ``on_train_begin`` by calling
                ``model.resume_at_epoch(n)``, as ``BackupAndRestore`` does after a crash.
            seed: seed for shuffling (default: glassnet's global generator). With a seed, the
                order of epoch ``k`` does not depend on ``initial_epoch``, so a resumed run
                shuffles like an uninterrupted one.
            steps_per_epoch: batches per epoch when ``x`` is a generator or Sequence (default:
                ``len(x)`` for a Sequence, until the generator is exhausted for a generator).
            validation_steps: batches of a generator ``validation_data`` per validation.
            validation_freq: validate every this many epochs (an int), or after the epochs
                listed (1-based, a list), as in Keras.

        Callbacks run in the order given, then ``History`` and the progress bar. A callback
        stops training by setting ``model.stop_training = True``: from an epoch hook after
        that epoch, from a batch hook after that batch (validation and ``on_epoch_end`` still
        run for the cut epoch, as in Keras).

        A model that overrides ``train_step(data)`` has it called on every batch instead of the
        built-in step; the dict it returns is the batch's logs, and the last batch's dict the
        epoch's (see ``glassnet.models.steps``). ``y`` may then be None, as it may for a model
        compiled without a loss whose loss comes from ``add_loss``.

        Returns:
            A ``History`` whose ``history`` dict maps ``loss``, ``accuracy``, ``val_loss``...
            to one value per epoch.
        """
        self._require_compiled("fit")
        custom = self._overrides("train_step")
        if x is None:
            raise ValueError("fit: expected x (the inputs), received None")
        source = None
        if data_sources.is_batch_source(x):  # a generator or Sequence: batches drawn every epoch
            if y is not None or sample_weight is not None:
                raise ValueError("fit: y and sample_weight must be None when x is a generator or Sequence; its "
                                 "batches carry them as (x, y) or (x, y, sample_weight)")
            if validation_split:
                raise ValueError("fit: validation_split needs arrays; with a generator or Sequence pass "
                                 "validation_data (another one, or arrays)")
            source = data_sources.BatchSource(x, steps_per_epoch, "fit")
            x, y, sample_weight = source.peek()  # the first batch: checks, building the model
        if y is None and not custom and any(fn is not None for fn in self._loss_fns):
            raise ValueError("fit: the compiled loss needs targets y, received None; pass y, or compile "
                             "without a loss for a model that adds its own with add_loss")
        batch_size = _batch_size(batch_size, "fit")
        input_checks.check_epochs(epochs, initial_epoch)
        xs, ys = self._inputs_list(x), [] if y is None else self._targets_list(y)
        sw = None if sample_weight is None else _raw(sample_weight)
        xs, n = input_checks.check_data(self, xs, ys, sw, "fit")  # once: sizes, NaN/Inf, dtypes, targets
        val = None
        if validation_data is not None and data_sources.is_batch_source(validation_data):
            val = data_sources.BatchSource(validation_data, validation_steps, "fit (validation_data)")
        elif validation_data is not None:
            vx, vy, val_weights = input_checks.validation_parts(validation_data)
            val_weights = None if val_weights is None else _raw(val_weights)
            val = input_checks.check_validation(self, (self._inputs_list(vx), self._targets_list(vy), val_weights))
        elif validation_split:
            if not isinstance(validation_split, (int, float, np.number)) or not 0 < validation_split < 1:
                raise ValueError(f"fit: expected validation_split in (0, 1), received {validation_split!r}")
            split = int(n * (1 - validation_split))
            val = ([a[split:] for a in xs], [a[split:] for a in ys], None if sw is None else sw[split:])
            xs, ys = [a[:split] for a in xs], [a[:split] for a in ys]
            sw = None if sw is None else sw[:split]
            n = split
        if n == 0:
            raise ValueError("fit: no training samples")
        if class_weight is not None:  # as in Keras, the training part only: validation is unweighted
            class_weight = input_checks.check_class_weight(self, ys[0], class_weight)
            sw = input_checks.apply_class_weight(ys[0], class_weight, sw)
        steps = -(-n // batch_size) if source is None else source.steps
        if source is not None:
            batch_size, n = None, None  # the source's batches decide; the sample count is unknown
        history = History()
        # Keras's order: the user's callbacks, then History, then the progress bar, so that keys
        # a callback adds to the epoch logs (LearningRateScheduler's learning_rate) are recorded
        cb_list = input_checks.callbacks_list(callbacks, "fit") + [history]
        if verbose:
            cb_list.append(ProgbarLogger(verbose))
        cbs = CallbackList(cb_list, model=self, epochs=epochs, steps=steps, verbose=verbose,
                           batch_size=batch_size, samples=n, do_validation=val is not None)
        self.history = history
        self.stop_training = False
        rng = backend.make_rng(seed)
        if not self.built and not custom:
            # (a model with its own train_step builds what it needs there: a GAN's call, if it
            # has one, takes codes, not the images fit hands to train_step, as in Keras)
            self(self._model_input([Tensor(a[:1]) for a in xs]), training=False)
        # a callback may move the start from on_train_begin (BackupAndRestore resuming after a
        # crash) with resume_at_epoch(n); n then replaces the initial_epoch argument
        self._resume_epoch, self._fit_starting = None, True
        try:
            cbs.on_train_begin()
        finally:
            self._fit_starting = False
        if self._resume_epoch is not None:
            initial_epoch, self._resume_epoch = self._resume_epoch, None
        if shuffle and seed is not None and source is None:
            # with a seed, epoch k gets the same order whether training started at 0 or resumed
            for _ in range(min(initial_epoch, epochs)):
                rng.permutation(n)
        logs = {}
        batch_logs = "on_train_batch_end" in cbs.active_hooks  # else skip building them per step
        loss_watch = input_checks.LossWatch(self)  # warns once if the loss stops being a number
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            # weighted by batch size; its own object, so that an evaluate run by a callback
            # mid-epoch (which resets model.metrics) cannot reset the epoch's loss
            loss_tracker = metrics_module.Mean(name="loss")
            cbs.on_epoch_begin(epoch)
            order = rng.permutation(n) if shuffle and source is None else None
            params = self.trainable_weights  # once per epoch: freezing takes effect at the next one
            drawn = None if source is None else source.epoch()
            for step in range(steps) if steps is not None else itertools.count():
                if drawn is None:
                    lo, hi = step * batch_size, min((step + 1) * batch_size, n)
                    index = slice(lo, hi) if order is None else order[lo:hi]
                    xb, yb = [a[index] for a in xs], [a[index] for a in ys]
                    swb = None if sw is None else sw[index]
                else:
                    batch = next(drawn, None)
                    if batch is None:  # the generator is exhausted: the epoch ends here
                        break
                    xb, yb, swb = self._source_batch(batch, class_weight)
                    lo, hi = 0, len(xb[0])
                cbs.on_train_batch_begin(step)
                if custom:
                    logs = self._run_step("train_step", xb, yb, swb)
                else:
                    loss, outputs = self._train_step(xb, yb, swb, params)
                    loss_tracker.update_state(loss, sample_weight=hi - lo)
                    self._update_metrics(yb, outputs, swb)
                    logs = self._logs(loss_tracker) if batch_logs else None
                cbs.on_train_batch_end(step, logs)
                if self.stop_training:  # set by a batch hook (TerminateOnNaN): end the epoch now
                    break
            if source is not None:
                source.end_epoch()  # a Sequence's on_epoch_end (reshuffling), before validation as in Keras
            logs = dict(logs) if custom else self._logs(loss_tracker)  # custom: the last batch's dict
            loss_watch.epoch_end(epoch, logs)
            if val is not None and data_sources.validate_now(validation_freq, epoch):
                if isinstance(val, data_sources.BatchSource):  # this epoch's validation batches, in order
                    vx, vy, vsw, size = val.collect()
                    checked = input_checks.check_validation(self, (self._inputs_list(vx), self._targets_list(vy),
                                                                   None if vsw is None else _raw(vsw)))
                    val_logs = self._evaluate_arrays(*checked, batch_size=size)
                else:
                    val_logs = self._evaluate_arrays(*val, batch_size=batch_size or DEFAULT_BATCH_SIZE)
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        return history

    def resume_at_epoch(self, epoch: int) -> None:
        """Make the ``fit`` that is starting run from ``epoch`` instead of its ``initial_epoch``.

        A hook for callbacks: call it from ``on_train_begin``. ``BackupAndRestore`` calls it with
        the number of epochs its backup had finished, so that a ``fit`` run again after a crash
        trains only the missing epochs. Anywhere else it is an error: no ``fit`` is starting.

        Args:
            epoch: index (0-based) of the first epoch to run, i.e. the number of epochs done.

        Raises:
            RuntimeError: called outside a callback's ``on_train_begin``.
            ValueError: ``epoch`` is not a non-negative integer.

        Example:
            >>> class SkipTwo(Callback):
            ...     def on_train_begin(self, logs=None):
            ...         self.model.resume_at_epoch(2)
            >>> model.fit(x, y, epochs=5, callbacks=[SkipTwo()])   # runs epochs 2, 3 and 4
        """
        if not self._fit_starting:
            raise RuntimeError("resume_at_epoch: call it from a callback's on_train_begin, while fit is starting")
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"resume_at_epoch: expected a non-negative integer epoch, received {epoch!r}")
        self._resume_epoch = int(epoch)

    def _source_batch(self, batch, class_weight):
        """A batch from a generator or Sequence as ``fit``'s lists (checked as arrays are)."""
        bx, by, bsw = batch
        xs, ys = self._inputs_list(bx), [] if by is None else self._targets_list(by)
        sw = None if bsw is None else _raw(bsw)
        xs, _ = input_checks.check_data(self, xs, ys, sw, "fit")
        if class_weight is not None and ys:
            sw = input_checks.apply_class_weight(ys[0], class_weight, sw)
        return xs, ys, sw

    # ------------------------------------------------------------------ evaluate / predict
    def _evaluate_arrays(self, xs, ys, sw, batch_size, callbacks=None, verbose=0):
        n = self._check_lengths(xs + ys + [sw])
        self.reset_metrics()
        tracker = metrics_module.Mean(name="loss")
        steps = -(-n // batch_size)
        bar = Progbar(steps, verbose=verbose) if verbose else None
        custom, logs = self._overrides("test_step"), {}
        with no_grad():
            for step in range(steps):
                lo, hi = step * batch_size, min((step + 1) * batch_size, n)
                xb, yb = [a[lo:hi] for a in xs], [a[lo:hi] for a in ys]
                swb = None if sw is None else sw[lo:hi]
                if callbacks is not None:
                    callbacks.on_test_batch_begin(step)
                if custom:
                    logs = self._run_step("test_step", xb, yb, swb)
                else:
                    loss, outputs = self._forward_loss(xb, yb, swb, training=False)
                    tracker.update_state(float(loss.data), sample_weight=hi - lo)
                    self._update_metrics(yb, outputs, swb)
                    logs = self._logs(tracker)
                if callbacks is not None:
                    callbacks.on_test_batch_end(step, logs)
                if bar is not None:
                    bar.update(step + 1, logs)
        return dict(logs) if custom else self._logs(tracker)

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, callbacks=None,
                 return_dict=False, steps=None):
        """Loss and metrics on data, in inference mode (dropout off).

        ``x`` may be a generator or Sequence of ``(x, y)`` batches (``steps`` of them; default
        all of a Sequence, or until the generator is exhausted).

        Returns:
            The loss if no metrics were compiled, else ``[loss, *metrics]`` (Keras's order),
            or a dict with ``return_dict=True``.

        Example:
            >>> loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
        """
        self._require_compiled("evaluate")
        if data_sources.is_batch_source(x):
            x, y, sample_weight, batch_size = data_sources.BatchSource(x, steps, "evaluate").collect()
        xs, ys = self._inputs_list(x), [] if y is None else self._targets_list(y)
        sw = None if sample_weight is None else _raw(sample_weight)
        xs, _ = input_checks.check_data(self, xs, ys, sw, "evaluate")
        cbs = CallbackList(callbacks, model=self)
        cbs.on_test_begin()
        logs = self._evaluate_arrays(xs, ys, sw, _batch_size(batch_size, "evaluate"), cbs, verbose)
        cbs.on_test_end(logs)
        return self._format_result(logs, return_dict)

    def predict(self, x, batch_size=None, verbose=0, callbacks=None, steps=None):
        """The model's outputs for ``x`` in inference mode, as NumPy array(s) (a dict for a
        model made with ``outputs={...}``). ``x`` may be a generator or Sequence of batches
        (``x`` or ``(x, y)``, the ``y`` ignored), ``steps`` of them.

        Example:
            >>> probabilities = model.predict(x_test[:10])
            >>> probabilities.argmax(axis=1)
        """
        if data_sources.is_batch_source(x):
            x, _, _, batch_size = data_sources.BatchSource(x, steps, "predict").collect()
        xs = self._inputs_list(x)
        xs, n = input_checks.check_data(self, xs, None, None, "predict")
        batch_size = _batch_size(batch_size, "predict")
        steps = -(-n // batch_size)
        cbs = CallbackList(callbacks, model=self)
        bar = Progbar(steps, verbose=verbose) if verbose else None
        chunks = []
        cbs.on_predict_begin()
        with no_grad():
            for step in range(steps):
                cbs.on_predict_batch_begin(step)
                lo, hi = step * batch_size, min((step + 1) * batch_size, n)
                out = self(self._model_input([Tensor(a[lo:hi]) for a in xs]), training=False)
                chunks.append([o.numpy() for o in self._flat_outputs(out)])
                cbs.on_predict_batch_end(step)
                if bar is not None:
                    bar.update(step + 1)
        cbs.on_predict_end()
        if not chunks:
            raise ValueError("predict: received no samples")
        results = [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]
        return self._nest_outputs(results)


def _single(loss: float, n: int) -> metrics_module.Mean:
    tracker = metrics_module.Mean(name="loss")
    tracker.update_state(loss, sample_weight=n)
    return tracker


def _is_number_list(x) -> bool:
    """A list of numbers or of strings is one input (a column of values, a batch of texts for
    TextVectorization), not a list of inputs."""
    return isinstance(x, (list, tuple)) and len(x) > 0 and isinstance(x[0], (int, float, np.number, str))


def _is_plain(value) -> bool:
    """True if ``value`` is made of strings only (so it can be written to a JSON config)."""
    if value is None or isinstance(value, str):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_is_plain(v) for v in value.values())
    return False
