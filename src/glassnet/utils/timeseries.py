"""Time-series tools: sliding windows, the course's target layouts, forecasting and baselines.

Two ways to hold time series, and the tools for each:

* **One long series** of shape (time, features), such as a stock's daily prices:
  ``timeseries_dataset_from_array`` (Keras's function, same arguments and windows) and
  ``sliding_windows`` (N steps in, the next ``horizon`` values out) cut it into windows.
* **A batch of short series** of shape (series, time, features), such as
  ``glassnet.datasets.toy.generate_time_series``: the first ``n_steps`` of each series are the
  input and what follows is to be forecast. Three target layouts (Geron's, which the course
  follows):

  ======================  ====================================  ===========================
  helper                  target                                shapes (x, y)
  ======================  ====================================  ===========================
  ``split_next_value``    the value ``ahead`` steps after the   (n, n_steps, f), (n, 1)
                          window (sequence-to-vector)
  ``split_multi_step``    the next ``steps`` values at once     (n, n_steps, f), (n, steps)
                          (k steps ahead, direct)
  ``split_seq2seq``       after EVERY step t, the next          (n, n_steps, f),
                          ``steps`` values:                     (n, n_steps, steps)
                          ``y[:, t, k - 1] = series[:, t + k]``
  ======================  ====================================  ===========================

Forecasting ``steps`` ahead with a one-step model: ``forecast_iteratively`` feeds each
prediction back as the newest input. Baselines to beat: ``naive_forecast`` (tomorrow equals
today) and ``linear_forecast`` (least squares on the flattened window); ``baseline_mse`` gives
both validation errors in one call.

glassnet's ``Model.fit`` takes arrays, not a stream of batches: ask for arrays with
``batch_size=None`` and let ``fit`` batch and shuffle them.

Example:
    >>> from glassnet.datasets.toy import generate_time_series
    >>> series = generate_time_series(1000, 50 + 1, seed=0)
    >>> x, y = split_next_value(series)                    # 50 steps in, the 51st out
    >>> x.shape, y.shape
    ((1000, 50, 1), (1000, 1))
    >>> errors = baseline_mse(x[:700], y[:700], x[700:], y[700:])
    >>> bool(errors["linear"] < errors["naive"])
    True
"""
from __future__ import annotations

import numpy as np

from glassnet import backend

__all__ = ["timeseries_dataset_from_array", "sliding_windows", "split_next_value", "split_multi_step",
           "split_seq2seq", "forecast_iteratively", "naive_forecast", "LinearForecaster", "linear_forecast",
           "forecast_mse", "baseline_mse"]


def _int_arg(value, name: str, who: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{who}: expected {name} to be an int >= {minimum}, received {value!r}")
    return int(value)


def _numeric(x, name: str, who: str, min_ndim: int = 1) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise ValueError(f"{who}: expected {name} to be a numeric array, received dtype {arr.dtype}")
    if arr.ndim < min_ndim:
        raise ValueError(f"{who}: expected {name} with at least {min_ndim} dimension(s), "
                         f"received shape {arr.shape}")
    return arr


# --------------------------------------------------------------------------- one long series

def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None):
    """Sliding windows over a series, as in Keras's ``keras.utils.timeseries_dataset_from_array``.

    Window ``i`` starts at ``s = start_index + i * sequence_stride`` and holds
    ``data[s : s + sequence_length * sampling_rate : sampling_rate]``; its target is
    ``targets[s]`` (so to predict the step after a window, pass targets shifted by
    ``sequence_length``, see the example). Windows must fit inside
    ``[start_index, end_index)``; points that cannot complete a window are dropped. With
    ``targets``, windows whose ``targets[s]`` does not exist are dropped too.

    Differences from Keras: batches are NumPy arrays in a list (so ``len()`` works and it can be
    iterated every epoch) instead of a ``tf.data.Dataset``, and ``batch_size=None`` returns the
    whole set as one array (Keras would yield single samples). glassnet's ``Model.fit`` takes
    arrays, so ``batch_size=None`` is the form to hand it; a list of batches suits a hand-written
    loop over ``model.train_on_batch``. No windows at all is an error here, not an empty set.

    Args:
        data: array with time along axis 0: (time,) or (time, features...).
        targets: array with time along axis 0, or ``None`` for inputs only.
        sequence_length: time steps per window.
        sequence_stride: steps between the starts of consecutive windows.
        sampling_rate: steps between consecutive samples within a window.
        batch_size: windows per batch (the last batch may be smaller), or ``None`` for arrays.
        shuffle: shuffle the windows once (otherwise they come in time order).
        seed: seed for the shuffle (``None``: glassnet's global generator).
        start_index: first time step windows may use (default 0).
        end_index: time steps from ``end_index`` on are not used (default ``len(data)``).

    Returns:
        With ``batch_size=None``: ``(x, y)`` (or ``x`` when ``targets`` is ``None``), ``x`` of
        shape (windows, sequence_length, features...) and ``y`` of shape
        (windows, targets' trailing axes...). Otherwise a list of such ``(x, y)`` batches (or of
        ``x`` batches). Arrays keep the dtypes of ``data`` and ``targets``.

    Raises:
        ValueError: a bad argument or a series too short for one window; the message names the
            function, what it expected and what it received.

    Example:
        >>> import numpy as np
        >>> series = np.arange(10, dtype="float32")
        >>> x, y = timeseries_dataset_from_array(series[:-3], series[3:], sequence_length=3,
        ...                                      batch_size=None)
        >>> x[0], float(y[0])                    # steps 0, 1, 2 -> the value at step 3
        (array([0., 1., 2.], dtype=float32), 3.0)
        >>> batches = timeseries_dataset_from_array(series, None, 4, sequence_stride=2, batch_size=2)
        >>> [b.shape for b in batches]            # windows start at 0, 2, 4, 6
        [(2, 4), (2, 4)]
        >>> # model.fit(x, y, batch_size=32)      # arrays into fit; or per batch:
        >>> # for xb, yb in batches: model.train_on_batch(xb, yb)
    """
    who = "timeseries_dataset_from_array"
    data = _numeric(data, "data", who)
    length = _int_arg(sequence_length, "sequence_length", who, 1)
    stride = _int_arg(sequence_stride, "sequence_stride", who, 1)
    rate = _int_arg(sampling_rate, "sampling_rate", who, 1)
    if batch_size is not None:
        batch_size = _int_arg(batch_size, "batch_size", who, 1)
    n = data.shape[0]
    start = 0 if start_index is None else _int_arg(start_index, "start_index", who, 0)
    end = n if end_index is None else _int_arg(end_index, "end_index", who, 1)
    if start >= n:
        raise ValueError(f"{who}: expected start_index < len(data) = {n}, received {start_index}")
    if end > n or end <= start:
        raise ValueError(f"{who}: expected start_index < end_index <= len(data) = {n}, received "
                         f"start_index={start} and end_index={end_index}")
    span = (length - 1) * rate + 1                    # time steps one window covers
    last_start = end - span                           # the last start whose window fits
    if targets is not None:
        targets = _numeric(targets, "targets", who)
        last_start = min(last_start, targets.shape[0] - 1)
    if last_start < start:
        raise ValueError(
            f"{who}: expected at least one window of {span} steps (sequence_length={length}, "
            f"sampling_rate={rate}) in steps [{start}, {end})" + (
                f" with a target (len(targets) = {targets.shape[0]})" if targets is not None else "")
            + f", received {end - start} steps")
    starts = np.arange(start, last_start + 1, stride)
    if shuffle:
        starts = backend.make_rng(seed).permutation(starts)
    # a (windows, sequence_length) table of time indices, then one gather
    x = data[starts[:, None] + rate * np.arange(length)]
    y = None if targets is None else targets[starts]
    if batch_size is None:
        return x if y is None else (x, y)
    cuts = range(0, len(starts), batch_size)
    if y is None:
        return [x[i:i + batch_size] for i in cuts]
    return [(x[i:i + batch_size], y[i:i + batch_size]) for i in cuts]


def sliding_windows(inputs, targets=None, window=50, horizon=1, stride=1):
    """Windows of ``window`` steps, each with the ``horizon`` values that follow it.

    Sample ``i`` starts at ``s = i * stride``: ``x[i] = inputs[s : s + window]`` and
    ``y[i] = targets[s + window : s + window + horizon]``, so the targets come strictly after
    the window. Equal to ``timeseries_dataset_from_array`` with targets shifted by ``window``
    (and gathered ``horizon`` at a time), written out for the common case.

    Args:
        inputs: (time,) or (time, features): the values the model sees.
        targets: (time,) or (time, outputs) aligned with ``inputs`` (the same time axis), or
            ``None`` to forecast ``inputs`` itself.
        window: time steps per input window.
        horizon: values to forecast after each window.
        stride: steps between the starts of consecutive windows.

    Returns:
        ``(x, y)``: ``x`` of shape (samples, window, features) (a 1-D ``inputs`` gets one
        feature); ``y`` of shape (samples, horizon) for 1-D targets, (samples, horizon, outputs)
        otherwise. The first target of sample ``i`` is at time index ``i * stride + window``.

    Example:
        >>> import numpy as np
        >>> x, y = sliding_windows(np.arange(6.0), window=3, horizon=2)
        >>> x[:, :, 0], y
        (array([[0., 1., 2.],
               [1., 2., 3.]]), array([[3., 4.],
               [4., 5.]]))
    """
    who = "sliding_windows"
    inputs = _numeric(inputs, "inputs", who)
    targets = inputs if targets is None else _numeric(targets, "targets", who)
    if inputs.ndim > 2 or targets.ndim > 2:
        raise ValueError(f"{who}: expected inputs and targets of shape (time,) or (time, features), "
                         f"received {inputs.shape} and {targets.shape}")
    if targets.shape[0] != inputs.shape[0]:
        raise ValueError(f"{who}: expected targets with as many time steps as inputs ({inputs.shape[0]}), "
                         f"received {targets.shape[0]}")
    window = _int_arg(window, "window", who, 1)
    horizon = _int_arg(horizon, "horizon", who, 1)
    stride = _int_arg(stride, "stride", who, 1)
    n = inputs.shape[0]
    if n < window + horizon:
        raise ValueError(f"{who}: expected at least window + horizon = {window + horizon} time steps, "
                         f"received {n}")
    starts = np.arange(0, n - window - horizon + 1, stride)
    x = inputs.reshape(n, -1)[starts[:, None] + np.arange(window)]
    y = targets[starts[:, None] + window + np.arange(horizon)]
    return x, y


# --------------------------------------------------------------------------- a batch of series

def _series(series, who: str) -> np.ndarray:
    arr = _numeric(series, "series", who, min_ndim=2)
    if arr.ndim == 2:
        arr = arr[..., np.newaxis]
    if arr.ndim != 3:
        raise ValueError(f"{who}: expected series of shape (series, time, features) or (series, time), "
                         f"received {arr.shape}")
    return arr


def _window_and_feature(arr: np.ndarray, n_steps, after: int, feature, who: str):
    """Check that ``n_steps`` input steps plus ``after`` more fit and that ``feature`` exists."""
    total = arr.shape[1]
    n_steps = total - after if n_steps is None else _int_arg(n_steps, "n_steps", who, 1)
    if n_steps < 1 or n_steps + after > total:
        raise ValueError(f"{who}: expected series of at least n_steps + {after} = {max(n_steps, 1) + after} "
                         f"time steps, received {total}")
    if isinstance(feature, bool) or not isinstance(feature, (int, np.integer)) \
            or not -arr.shape[2] <= feature < arr.shape[2]:
        raise ValueError(f"{who}: expected feature to be an index below the {arr.shape[2]} feature(s), "
                         f"received {feature!r}")
    return n_steps, int(feature) % arr.shape[2]           # -1 -> the last feature


def split_next_value(series, n_steps=None, ahead=1, feature=0):
    """Inputs and a one-value target per series (sequence-to-vector).

    ``x = series[:, :n_steps]`` and ``y = series[:, n_steps + ahead - 1, feature]``: with
    ``ahead=1`` the value right after the window, with ``ahead=k`` the value ``k`` steps after.

    Args:
        series: (series, time, features) or (series, time).
        n_steps: input steps (default: all but the last ``ahead``).
        ahead: how far after the window the target lies (1 = the next step).
        feature: which feature is the target.

    Returns:
        ``(x, y)`` of shapes (series, n_steps, features) and (series, 1).

    Example:
        >>> import numpy as np
        >>> x, y = split_next_value(np.arange(12.0).reshape(2, 6), n_steps=4)
        >>> x[:, :, 0], y
        (array([[0., 1., 2., 3.],
               [6., 7., 8., 9.]]), array([[ 4.],
               [10.]]))
    """
    who = "split_next_value"
    arr = _series(series, who)
    ahead = _int_arg(ahead, "ahead", who, 1)
    n_steps, feature = _window_and_feature(arr, n_steps, ahead, feature, who)
    return arr[:, :n_steps], arr[:, n_steps + ahead - 1, feature:feature + 1]


def split_multi_step(series, n_steps=None, steps=10, feature=0):
    """Inputs and the next ``steps`` values as one target vector (k steps ahead, direct).

    ``x = series[:, :n_steps]`` and ``y = series[:, n_steps:n_steps + steps, feature]``, for a
    model whose last layer is ``Dense(steps)`` and predicts all of them at once.

    Args:
        series: (series, time, features) or (series, time).
        n_steps: input steps (default: all but the last ``steps``).
        steps: values to forecast.
        feature: which feature is the target.

    Returns:
        ``(x, y)`` of shapes (series, n_steps, features) and (series, steps).

    Example:
        >>> import numpy as np
        >>> x, y = split_multi_step(np.arange(6.0).reshape(1, 6), steps=2)
        >>> x.shape, y
        ((1, 4, 1), array([[4., 5.]]))
    """
    who = "split_multi_step"
    arr = _series(series, who)
    steps = _int_arg(steps, "steps", who, 1)
    n_steps, feature = _window_and_feature(arr, n_steps, steps, feature, who)
    return arr[:, :n_steps], arr[:, n_steps:n_steps + steps, feature]


def split_seq2seq(series, n_steps=None, steps=10, feature=0):
    """Inputs and, after every input step, the next ``steps`` values (sequence-to-sequence).

    ``y[:, t, k - 1] = series[:, t + k, feature]`` for ``t < n_steps`` and ``k = 1..steps``
    (Geron's ``Y[..., step_ahead - 1]``): a ``return_sequences=True`` model then learns from a
    target at every step, not only the last. Only ``y[:, -1]`` is a true forecast; earlier
    rows' targets overlap later inputs, which is fine for training (the model cannot see ahead).

    Args:
        series: (series, time, features) or (series, time).
        n_steps: input steps (default: all but the last ``steps``).
        steps: values to forecast after each step.
        feature: which feature is the target.

    Returns:
        ``(x, y)`` of shapes (series, n_steps, features) and (series, n_steps, steps).

    Example:
        >>> import numpy as np
        >>> x, y = split_seq2seq(np.arange(5.0).reshape(1, 5), steps=2)
        >>> y[0]                                 # after step t: the values at t + 1 and t + 2
        array([[1., 2.],
               [2., 3.],
               [3., 4.]])
    """
    who = "split_seq2seq"
    arr = _series(series, who)
    steps = _int_arg(steps, "steps", who, 1)
    n_steps, feature = _window_and_feature(arr, n_steps, steps, feature, who)
    index = np.arange(n_steps)[:, None] + np.arange(1, steps + 1)     # (n_steps, steps): t + k
    return arr[:, :n_steps], arr[:, index, feature]


# --------------------------------------------------------------------------- forecasting

def forecast_iteratively(model, x, steps):
    """Forecast ``steps`` values by feeding each prediction back as the newest input.

    Each round calls ``model.predict`` once on the whole batch, appends the prediction to the
    window and drops the oldest step, so the window keeps its length::

        window = x                                  # (batch, n_steps, features)
        repeat: p = model.predict(window); window = concat(window[:, k:], p)

    A model that predicts ``k > 1`` values of a one-feature series per call (``Dense(k)``) is
    fed back ``k`` steps at a time; the last round's surplus is cut off.

    Args:
        model: anything with ``predict(x, verbose=0)`` returning (batch, features) for one step
            (or (batch, k) / (batch, k, features) for ``k`` steps): a glassnet or Keras model,
            a ``LinearForecaster``.
        x: the last ``n_steps`` known values: (batch, n_steps, features) or (batch, n_steps).
        steps: how many values to forecast.

    Returns:
        (batch, steps) for one feature, (batch, steps, features) otherwise, in ``x``'s float
        dtype.

    Example:
        >>> import numpy as np
        >>> class AddOne:                                     # "the next value is the last + 1"
        ...     def predict(self, x, verbose=0):
        ...         return x[:, -1] + 1
        >>> forecast_iteratively(AddOne(), np.zeros((2, 3, 1), "float32"), steps=3)
        array([[1., 2., 3.],
               [1., 2., 3.]], dtype=float32)
    """
    who = "forecast_iteratively"
    window = _series(x, who)
    if window.dtype.kind != "f":
        window = window.astype(backend.floatx())
    steps = _int_arg(steps, "steps", who, 1)
    batch, n_steps, features = window.shape
    predicted, done = [], 0
    while done < steps:
        p = np.asarray(backend.to_host(model.predict(window, verbose=0)))
        if p.size == 0 or p.size % (batch * features) or p.shape[0] != batch:
            raise ValueError(
                f"{who}: expected model.predict to return ({batch}, {features}) values for one step "
                f"(or (batch, k) for k steps of a one-feature series), received shape {p.shape}")
        p = p.reshape(batch, -1, features).astype(window.dtype, copy=False)
        predicted.append(p)
        done += p.shape[1]
        window = np.concatenate([window, p], axis=1)[:, -n_steps:]
    forecast = np.concatenate(predicted, axis=1)[:, :steps]
    return forecast[..., 0] if features == 1 else forecast


def naive_forecast(x, steps=1, feature=0):
    """The naive baseline: every future value equals the last one seen.

    Args:
        x: input windows (batch, n_steps, features) or (batch, n_steps).
        steps: how many values to forecast.
        feature: the feature to forecast.

    Returns:
        (batch, steps): ``x[:, -1, feature]`` repeated.

    Example:
        >>> import numpy as np
        >>> naive_forecast(np.array([[1.0, 2.0, 3.0]]), steps=2)
        array([[3., 3.]])
    """
    who = "naive_forecast"
    arr = _series(x, who)
    steps = _int_arg(steps, "steps", who, 1)
    _, feature = _window_and_feature(arr, arr.shape[1], 0, feature, who)
    return np.repeat(arr[:, -1, feature:feature + 1], steps, axis=1)


class LinearForecaster:
    """The linear baseline: ``y = flatten(window) @ coef_ + intercept_``, by least squares.

    Fitted in closed form (``numpy.linalg.lstsq`` in float64, the minimum-norm solution when
    columns are collinear) rather than by training ``Sequential([Flatten(), Dense(k)])`` with
    gradient descent: the same model, but its answer is exact and deterministic, so the
    baseline does not depend on a learning rate, a seed or a number of epochs.

    Attributes (after ``fit``):
        coef_: (n_steps * features, outputs) float64 weights.
        intercept_: (outputs,) float64 bias.

    Example:
        >>> import numpy as np
        >>> t = np.arange(8.0)
        >>> x = np.stack([t[i:i + 3] for i in range(5)])              # ramps 0 1 2, 1 2 3, ...
        >>> y = t[3:8, None]                                          # the next value
        >>> model = LinearForecaster().fit(x, y)
        >>> model.predict(np.array([[10.0, 11.0, 12.0]])).round(6)
        array([[13.]])
    """

    def __init__(self):
        self.coef_ = self.intercept_ = None
        self._input_shape = self._output_shape = None

    def fit(self, x, y) -> "LinearForecaster":
        """Fit the least-squares weights from windows ``x`` (batch, ...) to targets ``y`` (batch, ...).

        Returns:
            The forecaster itself.
        """
        who = "LinearForecaster.fit"
        x = _numeric(x, "x", who, min_ndim=2)
        y = _numeric(y, "y", who)
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"{who}: expected as many targets as windows ({x.shape[0]}), received {y.shape[0]}")
        design = np.hstack([x.reshape(len(x), -1).astype(np.float64), np.ones((len(x), 1))])
        solution = np.linalg.lstsq(design, y.reshape(len(y), -1).astype(np.float64), rcond=None)[0]
        self.coef_, self.intercept_ = solution[:-1], solution[-1]
        self._input_shape, self._output_shape = x.shape[1:], y.shape[1:]
        return self

    def predict(self, x, verbose=0) -> np.ndarray:
        """Forecasts for windows ``x``, shaped like the training targets, in ``x``'s float dtype
        (``verbose`` is accepted for a model's signature and ignored)."""
        who = "LinearForecaster.predict"
        if self.coef_ is None:
            raise RuntimeError(f"{who}: not fitted yet; call fit(x_train, y_train) first")
        x = _numeric(x, "x", who, min_ndim=2)
        if x.shape[1:] != self._input_shape:
            raise ValueError(f"{who}: expected windows of shape {self._input_shape} (as in fit), "
                             f"received {x.shape[1:]}")
        out = x.reshape(len(x), -1).astype(np.float64) @ self.coef_ + self.intercept_
        dtype = x.dtype if x.dtype.kind == "f" else backend.floatx()
        return out.reshape((len(x),) + self._output_shape).astype(dtype)


def linear_forecast(x_train, y_train, x):
    """The linear baseline in one call: fit a ``LinearForecaster`` on the training windows, then
    forecast ``x``.

    Example:
        >>> import numpy as np
        >>> x_train = np.array([[0.0, 1.0], [1.0, 2.0], [5.0, 5.0]])
        >>> linear_forecast(x_train, x_train[:, 1:] * 2, np.array([[3.0, 4.0]])).round(6)
        array([[8.]])
    """
    return LinearForecaster().fit(x_train, y_train).predict(x)


def forecast_mse(y_true, y_pred) -> float:
    """Mean squared error over all samples and steps, computed in float64.

    ``y_pred`` may carry a trailing axis of size 1 that ``y_true`` lacks (or the reverse):
    (batch, steps) and (batch, steps, 1) compare as the same thing.

    Example:
        >>> import numpy as np
        >>> forecast_mse(np.array([[1.0, 2.0]]), np.array([[1.0, 4.0]]))
        2.0
    """
    who = "forecast_mse"
    a, b = _numeric(y_true, "y_true", who), _numeric(y_pred, "y_pred", who)

    def squeezed(shape):
        return shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape

    if squeezed(a.shape) != squeezed(b.shape):
        raise ValueError(f"{who}: expected y_pred of the shape of y_true {a.shape}, received {b.shape}")
    diff = a.reshape(squeezed(a.shape)).astype(np.float64) - b.reshape(squeezed(b.shape))
    return float(np.mean(diff ** 2))


def baseline_mse(x_train, y_train, x_valid, y_valid, feature=0) -> dict:
    """Validation MSE of the two baselines, the numbers a model must beat.

    Args:
        x_train, y_train: training windows and targets (the linear baseline is fitted on them).
        x_valid, y_valid: validation windows (batch, n_steps[, features]) and targets
            (batch, steps) or (batch, 1), as ``split_next_value`` or ``split_multi_step`` make.
        feature: the feature the naive baseline repeats.

    Returns:
        ``{"naive": mse, "linear": mse}`` (floats).

    Example:
        >>> import numpy as np
        >>> x, y = split_next_value(np.tile(np.arange(4.0), (3, 1)))   # 0 1 2 -> 3, three times
        >>> baseline_mse(x, y, x, y)["naive"]                          # says 2, the answer is 3
        1.0
    """
    y_valid = _numeric(y_valid, "y_valid", "baseline_mse")
    steps = int(np.prod(y_valid.shape[1:], dtype=np.int64)) if y_valid.ndim > 1 else 1
    return {"naive": forecast_mse(y_valid, naive_forecast(x_valid, steps, feature)),
            "linear": forecast_mse(y_valid, linear_forecast(x_train, y_train, x_valid))}
