"""What ``fit``, ``evaluate`` and ``predict`` receive, checked once before any step runs.

A careless argument should fail at once with a message that names it, what was expected and
what was received, instead of training silently on nonsense or failing deep inside an op:

- ``epochs`` / ``initial_epoch``: non-negative integers (``epochs=0`` trains nothing, as in
  Keras);
- ``x`` / ``y`` / ``sample_weight``: the same number of samples (a mismatch names the argument),
  at least one sample, numbers only (an object array is converted, or refused naming the first
  bad element), finite (NaN or Inf in the data is reported with the first bad index: one pass
  over the data when ``fit`` starts, never per batch);
- one sample given without its batch axis: the message suggests ``x[None]``;
- integer inputs that would promote a float32 model to float64 (int32, int64) are cast to
  ``floatx`` once, unless the layer they feed takes integer ids (Embedding and the like);
- targets of a cross-entropy outside [0, 1] (labels {0, 1, 2} given to binary cross-entropy);
- ``class_weight``: integer class keys that the model's outputs have, finite weights >= 0;
- ``validation_data``: ``(x, y)`` or ``(x, y, sample_weight)``, not empty.

``LossWatch`` warns once per ``fit``, in glassnet's words, when an epoch's loss stops being a
finite number.

Host-only: the data checked here is NumPy input from the user.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from glassnet import backend
from glassnet.callbacks.base import as_callback_list
from glassnet.losses.probabilistic import target_range

_CHUNK = 1 << 20  # elements per slice of the finiteness check (bounded temporary memory)
# layers that take integer ids: inputs feeding them keep their integer dtype
_INTEGER_LAYERS = {"Embedding", "TextVectorization", "Lambda", "IntegerLookup", "StringLookup",
                   "CategoryEncoding", "Hashing"}


class NonFiniteLossWarning(RuntimeWarning):
    """The training loss became NaN or infinite during ``fit``."""


def callbacks_list(callbacks, caller: str = "fit") -> list:
    """``callbacks`` as a list: a single callback is wrapped; a string or a class is refused."""
    return as_callback_list(callbacks, caller)


def check_epochs(epochs, initial_epoch) -> None:
    """``epochs`` and ``initial_epoch`` as non-negative integers."""
    for name, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"fit: expected {name} to be a non-negative integer, received {value!r} of type "
                            f"{type(value).__name__}")
        if value < 0:
            raise ValueError(f"fit: expected {name} to be a non-negative integer, received {value}")


def _names(what: str, arrays: list) -> list:
    return [what] if len(arrays) == 1 else [f"{what}[{i}]" for i in range(len(arrays))]


def _number_of_samples(a, name: str, caller: str) -> int:
    if a.ndim == 0:
        raise ValueError(f"{caller}: expected {name} to have a sample axis, received a scalar {a!r}")
    return len(a)


def check_data(model, xs: list, ys, sw, caller: str):
    """Check the data of ``fit``/``evaluate`` (``ys=None``: ``predict``).

    Returns:
        ``(xs, n)``: the inputs (object arrays converted, integer ones cast to floatx where the
        model computes in floats) and the number of samples.
    """
    xs = prepare_inputs(model, xs, caller)
    n = _number_of_samples(xs[0], _names("x", xs)[0], caller)
    for a, name in zip(xs, _names("x", xs)):
        if _number_of_samples(a, name, caller) != n:
            raise ValueError(f"{caller}: every input must have the same number of samples; {_names('x', xs)[0]} "
                             f"has {n}, {name} has {len(a)}")
    for a, name in zip(ys or [], _names("y", ys or [])):
        if _number_of_samples(a, name, caller) != n:
            raise ValueError(f"{caller}: x and y must have the same number of samples, received {n} in x and "
                             f"{len(a)} in {name}")
    if sw is not None and _number_of_samples(sw, "sample_weight", caller) != n:
        raise ValueError(f"{caller}: expected one sample_weight per sample ({n}, like x), received "
                         f"{len(sw)} (sample_weight of shape {sw.shape})")
    if n == 0:
        raise ValueError(f"{caller}: received 0 samples; expected at least one (x of shape {xs[0].shape})")
    if ys is not None:
        check_finite(xs, "x", caller)
        check_finite(ys, "y", caller)
        if sw is not None:
            check_finite([sw], "sample_weight", caller)
        check_targets(model, ys, caller)
    return xs, n


def check_finite(arrays: list, what: str, caller: str) -> None:
    """Refuse NaN or Inf in float arrays, naming the array and the first bad index."""
    for a, name in zip(arrays, _names(what, arrays)):
        if a.dtype.kind not in "fc" or a.size == 0:
            continue
        flat = a.reshape(-1)
        for lo in range(0, flat.size, _CHUNK):
            bad = ~np.isfinite(flat[lo:lo + _CHUNK])
            if bad.any():
                index = np.unravel_index(lo + int(np.argmax(bad)), a.shape)
                index = tuple(int(i) for i in index)
                raise ValueError(f"{caller}: {name} holds a non-finite value: {name}[{', '.join(map(str, index))}] "
                                 f"is {a[index]} (sample {index[0]}); expected finite numbers. Remove or fill "
                                 f"the missing values before training")


def validation_parts(validation_data) -> tuple:
    """``(x, y, sample_weight or None)`` from ``fit``'s ``validation_data``."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(f"fit: expected validation_data=(x_val, y_val) or (x_val, y_val, sample_weight), "
                         f"received {type(validation_data).__name__}"
                         + (f" of length {len(validation_data)}" if isinstance(validation_data, (tuple, list))
                            else ""))
    vx, vy, *rest = validation_data
    return vx, vy, rest[0] if rest else None


def check_validation(model, val: tuple) -> tuple:
    """Check ``validation_data`` as ``check_data`` does (named as such)."""
    xs, ys, sw = val
    try:
        xs, _ = check_data(model, xs, ys, sw, "fit")
    except ValueError as err:
        raise ValueError(f"{err} (in validation_data)") from None
    return xs, ys, sw


def _expected_input_shapes(model):
    inputs = getattr(model, "inputs", None)
    if isinstance(inputs, list) and inputs and all(hasattr(t, "node") for t in inputs):  # functional
        return [tuple(t.shape) for t in inputs]
    shape = getattr(model, "_input_batch_shape", None)
    return [tuple(shape)] if shape is not None else None


def _consumers(model, i: int) -> list | None:
    """The layers that read input ``i`` of ``model`` (None when the structure is unknown)."""
    nodes = getattr(model, "_nodes", None)
    inputs = getattr(model, "inputs", None)
    if nodes is not None and isinstance(inputs, list) and i < len(inputs):
        return [node.layer for node in nodes if any(t is inputs[i] for t in node.input_tensors)]
    if hasattr(model, "_input_batch_shape") and model._sublayers:  # a Sequential: its first layer
        return [model._sublayers[0]]
    return None


def _keeps_integers(model, i: int, depth: int = 0) -> bool:
    """True unless every layer reading input ``i`` is a glassnet layer that computes in floats."""
    consumers = _consumers(model, i)
    if consumers is None or depth > 8:
        return True
    for layer in consumers:
        if hasattr(layer, "_sublayers") and hasattr(layer, "fit"):  # a model used as a layer
            if _keeps_integers(layer, 0, depth + 1):
                return True
        elif ({c.__name__ for c in type(layer).__mro__} & _INTEGER_LAYERS
              or not type(layer).__module__.startswith("glassnet.")):
            return True
    return False


def prepare_inputs(model, xs: list, caller: str) -> list:
    """Object arrays converted (or refused), a missing batch axis explained, and integer inputs
    that would turn a float32 model into float64 cast to ``floatx``."""
    out = []
    expected = _expected_input_shapes(model)
    floatx = np.dtype(backend.floatx())
    for i, (a, name) in enumerate(zip(xs, _names("x", xs))):
        if isinstance(a, np.ndarray) and a.dtype == object and a.ndim == 0 and a.item() is None:
            raise ValueError(f"{caller}: expected {name} as an array of samples, received None")
        if isinstance(a, np.ndarray) and a.dtype == object:
            a = _from_objects(a, name, caller)
        if expected is not None and i < len(expected) and isinstance(a, np.ndarray):
            want = expected[i]
            # (N,) for inputs of shape (None, 1) is a batch of scalars, as Keras takes it
            if a.ndim == len(want) - 1 and want[-1] != 1 and all(
                    w is None or w == d for w, d in zip(want[1:], a.shape)):
                raise ValueError(f"{caller}: expected {name} as a batch of samples of shape {want}, received "
                                 f"one sample of shape {a.shape}; add a batch axis: {name}[None] (or "
                                 f"np.expand_dims({name}, 0))")
        if (isinstance(a, np.ndarray) and a.dtype.kind in "iu" and np.result_type(a.dtype, floatx) != floatx
                and not _keeps_integers(model, i)):
            a = a.astype(floatx)
        out.append(a)
    return out


def _from_objects(a: np.ndarray, name: str, caller: str) -> np.ndarray:
    """An object array as numbers (a table with mixed types), or strings left as they are."""
    flat = a.reshape(-1)
    if flat.size and all(isinstance(v, str) for v in flat):
        return a  # text for TextVectorization
    try:
        if any(v is None for v in flat):  # NumPy would turn None into NaN silently
            raise TypeError
        return a.astype(backend.floatx())
    except (TypeError, ValueError):
        for k, value in enumerate(flat):
            try:
                if value is None:
                    raise TypeError
                float(value)
            except (TypeError, ValueError):
                index = tuple(int(i) for i in np.unravel_index(k, a.shape))
                raise TypeError(f"{caller}: expected {name} to hold numbers, received an array of dtype object "
                                f"whose element {name}[{', '.join(map(str, index))}] is {value!r} "
                                f"({type(value).__name__}); "
                                + ("fill the missing values with numbers first" if value is None else
                                   "turn every element into a number first")) from None
        raise


def check_targets(model, ys: list, caller: str) -> None:
    """Targets of a cross-entropy must be probabilities: refuse values outside [0, 1]."""
    for i, (y, loss_fn) in enumerate(zip(ys, getattr(model, "_loss_fns", []))):
        limits = target_range(loss_fn)
        if limits is None or not isinstance(y, np.ndarray) or y.dtype.kind not in "biuf" or y.size == 0:
            continue
        low, high = y.min(), y.max()
        if low < limits[0] or high > limits[1]:
            name = "y" if len(ys) == 1 else f"y[{i}]"
            hint = {"binary_crossentropy": " For more than two classes use sparse_categorical_crossentropy with "
                                           "a softmax output",
                    "categorical_crossentropy": " For integer class labels use sparse_categorical_crossentropy "
                                                "(or one-hot encode y with to_categorical)"}.get(
                getattr(loss_fn, "name", ""), "")
            raise ValueError(f"{caller}: {getattr(loss_fn, 'name', 'the loss')} expects {name} in "
                             f"[{limits[0]:g}, {limits[1]:g}] (labels 0/1 or probabilities), received values "
                             f"from {low} to {high}.{hint}")


def check_class_weight(model, y: np.ndarray, class_weight) -> dict:
    """``class_weight`` as ``{int class: float weight}``, each class one the model has."""
    if not isinstance(class_weight, dict):
        raise TypeError(f"fit: expected class_weight to be a dict {{class index: weight}}, received "
                        f"{type(class_weight).__name__}")
    outputs = getattr(model, "outputs", None)
    units = outputs[0].shape[-1] if outputs else None
    if units is None and getattr(model, "_output_shapes", None):
        units = model._output_shapes[-1][-1]
    n_classes = None if units is None else (2 if units == 1 else int(units))
    for key, weight in class_weight.items():
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)):
            raise TypeError(f"fit: class_weight keys must be integer class indices, received {key!r} of type "
                            f"{type(key).__name__}; map class names to their indices first")
        if key < 0 or (n_classes is not None and key >= n_classes):
            expected = f"0 to {n_classes - 1}" if n_classes is not None else "a non-negative integer"
            raise ValueError(f"fit: class_weight key {key} is not a class of this model; expected {expected}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float, np.integer, np.floating)) \
                or not math.isfinite(weight) or weight < 0:
            raise ValueError(f"fit: class_weight[{key}] must be a finite number >= 0, received {weight!r}")
    return {int(k): float(w) for k, w in class_weight.items()}


class LossWatch:
    """Warn once per ``fit`` when an epoch's training loss is NaN or infinite.

    Example:
        >>> watch = LossWatch(model)
        >>> watch.epoch_end(0, {"loss": float("nan")})   # warns: lower the learning rate...
    """

    def __init__(self, model):
        self.model = model
        self.warned = False

    def epoch_end(self, epoch: int, logs: dict) -> None:
        loss = logs.get("loss")
        if self.warned or loss is None or math.isfinite(loss):
            return
        self.warned = True
        rate = getattr(getattr(self.model, "optimizer", None), "learning_rate", None)
        rate = f" ({rate:g})" if isinstance(rate, (int, float)) else ""
        warnings.warn(f"glassnet: the training loss became {loss} in epoch {epoch + 1}; the weights are no longer "
                      f"numbers and the following epochs cannot recover. The inputs were finite, so the training "
                      f"diverged: lower the learning rate{rate}, or stop such runs early with "
                      f"callbacks=[glassnet.callbacks.TerminateOnNaN()]", NonFiniteLossWarning, stacklevel=3)


def apply_class_weight(y, class_weight, sample_weight):
    """Per-sample weights from a ``{class: weight}`` dict checked by ``check_class_weight``
    (labels or one-hot targets), times ``sample_weight`` when there is one."""
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0].astype(int)
    table = np.ones(int(max(max(class_weight), labels.max())) + 1, dtype=np.float32)
    for cls, w in class_weight.items():
        table[int(cls)] = w
    weights = table[labels]
    return weights if sample_weight is None else weights * sample_weight
