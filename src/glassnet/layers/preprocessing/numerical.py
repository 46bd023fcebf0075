"""``Rescaling`` and ``Normalization``: put input values on a scale a network trains well on.

``Rescaling(1 / 255)`` maps pixels 0..255 to 0..1; ``Normalization`` subtracts a mean and
divides by a standard deviation per feature, with the statistics given or learned from data by
``adapt``. Both are plain differentiable arithmetic (``glassnet.ops``), so a gradient flows
through them like through any layer, although they have nothing to train.

Example:
    >>> import numpy as np
    >>> norm = Normalization()
    >>> norm.adapt(np.array([[1.0, 10.0], [3.0, 30.0]]))
    >>> norm(np.array([[2.0, 40.0]])).numpy()
    array([[0., 2.]], dtype=float32)
"""
from __future__ import annotations

from glassnet import backend
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.layers.base import Layer

__all__ = ["Rescaling", "Normalization"]

EPSILON = 1e-7  # the smallest standard deviation divided by (Keras's backend.epsilon())


def _as_float(layer, inputs: Tensor) -> Tensor:
    """Integer images (uint8 pixels) become the layer's float dtype; float inputs pass as they are."""
    if inputs.dtype.kind == "f":
        return inputs
    return Tensor(inputs.data.astype(layer.dtype))


def _plain(value):
    """A number or a (nested) list, for ``get_config`` (arrays and tuples become lists)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return float(value)


class Rescaling(Layer):
    """Multiplies the inputs by ``scale`` and adds ``offset``: ``y = x * scale + offset``.

    Args:
        scale: a number, or one per channel (a list that broadcasts against the last axis).
        offset: the same kinds as ``scale``. ``Rescaling(1 / 127.5, offset=-1)`` maps 0..255
            to -1..1.

    Input: any shape, numbers of any dtype (integers become float32). Output: the same shape.

    Example:
        >>> import numpy as np
        >>> Rescaling(1 / 255)(np.array([[0, 51, 255]], dtype=np.uint8)).numpy()
        array([[0.        , 0.20000002, 1.        ]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for what, value in (("scale", scale), ("offset", offset)):
            try:
                backend.as_array(value, "float64")
            except (TypeError, ValueError):
                raise ValueError(f"Rescaling '{self.name}': expected {what} to be a number or a list of "
                                 f"numbers, received {value!r}") from None
        self.scale, self.offset = _plain(scale), _plain(offset)

    def call(self, inputs):
        x = _as_float(self, inputs)
        xp = array_module(x.data)
        scale = xp.asarray(self.scale, dtype=x.dtype)
        offset = xp.asarray(self.offset, dtype=x.dtype)
        return x * Tensor(scale) + Tensor(offset)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(scale=self.scale, offset=self.offset)
        return config


class Normalization(Layer):
    """Standardises features: ``y = (x - mean) / sqrt(variance)`` (``invert=True``: the reverse,
    ``y = mean + x sqrt(variance)``).

    The statistics are either given (``mean=``, ``variance=``) or learned from data with
    ``adapt(data)``, which computes them over every axis except ``axis``. Adapted statistics
    are non-trainable weights ``mean`` and ``variance``, so ``model.save`` keeps them and
    ``load_model`` brings them back; given ones are part of the config. Before ``adapt`` the
    weights are 0 and 1 (the layer changes nothing), as in Keras. The standard deviation is
    floored at 1e-7 so that a constant feature does not divide by zero.

    Args:
        axis: the axis (or tuple of axes) that keeps its own statistics: ``-1`` (default) gives
            one mean and variance per feature of the last axis (per channel of an image);
            ``None`` gives one scalar mean and variance for everything.
        mean, variance: given statistics (both or neither), numbers or arrays that broadcast
            against the kept axes.
        invert: apply the inverse, turning standardised values back into data units.

    Input: ``(batch, ...)`` numbers. Output: float32 of the same shape.

    Example:
        >>> import numpy as np
        >>> layer = Normalization(mean=2.0, variance=4.0)
        >>> layer(np.array([[0.0, 2.0, 6.0]])).numpy()
        array([[-1.,  0.,  2.]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int) and not isinstance(axis, bool):
            axis = (axis,)
        elif isinstance(axis, (list, tuple)) and all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
            axis = tuple(axis)
        else:
            raise ValueError(f"Normalization '{self.name}': expected axis to be an int, a tuple of ints or None, "
                             f"received {axis!r}")
        if 0 in axis:
            raise ValueError(f"Normalization '{self.name}': axis 0 is the batch axis and cannot keep its own "
                             f"statistics, received axis={axis!r}")
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization '{self.name}': give both mean and variance or neither, received "
                             f"mean={mean!r}, variance={variance!r}")
        self.axis = axis
        self.input_mean = None if mean is None else _plain(mean)
        self.input_variance = None if variance is None else _plain(variance)
        self.invert = bool(invert)

    def _kept_axes(self, rank: int) -> tuple:
        kept = []
        for a in self.axis:
            if not -rank < a < rank or a % rank == 0:
                raise ValueError(f"Normalization '{self.name}': axis {a} does not fit inputs of rank {rank} "
                                 f"(axis 0 is the batch axis)")
            kept.append(a % rank)
        return tuple(sorted(set(kept)))

    def build(self, input_shape):
        rank = len(input_shape)
        self._kept = self._kept_axes(rank)
        shape = tuple(input_shape[a] for a in self._kept)
        if any(d is None for d in shape):
            raise ValueError(f"Normalization '{self.name}': the kept axes {self.axis} must have known sizes, "
                             f"received input shape {tuple(input_shape)}")
        self._broadcast_shape = tuple(input_shape[a] if a in self._kept else 1 for a in range(rank))
        if self.input_mean is None:
            self.mean = self.add_weight("mean", shape, initializer="zeros", trainable=False)
            self.variance = self.add_weight("variance", shape, initializer="ones", trainable=False)
            return
        for what, value in (("mean", self.input_mean), ("variance", self.input_variance)):
            given = backend.as_array(value, "float64").shape
            if len(given) > len(shape) or any(g not in (1, d) for g, d in zip(given[::-1], shape[::-1])):
                raise ValueError(f"Normalization '{self.name}': expected {what} of a shape that broadcasts to "
                                 f"{shape} (the sizes of the kept axes {self.axis}), received shape {given}")

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the mean and variance of ``data`` over every axis except ``axis``.

        Args:
            data: an array ``(samples, ...)``, or an iterable of such batches (a generator),
                combined exactly as if concatenated (Chan's pairwise update of mean and
                variance), so the batches can be of any size.
            batch_size: accepted for Keras compatibility (an array is read in one pass).
            steps: with an iterable of batches, read at most this many.

        Raises:
            ValueError: if the layer was given ``mean``/``variance``, or the data is empty or
                of another shape than the layer was built for.

        Example:
            >>> import numpy as np
            >>> layer = Normalization(axis=None)
            >>> layer.adapt(np.array([1.0, 2.0, 3.0, 4.0]).reshape(2, 2))
            >>> round(float(layer.variance.numpy()), 4)
            1.25
        """
        who = f"Normalization '{self.name}'.adapt"
        if self.input_mean is not None:
            raise ValueError(f"{who}: the layer was given mean and variance; adapt only learns them when "
                             f"they are not given")
        batches = [data] if hasattr(data, "shape") or isinstance(data, (list, tuple)) else data
        count, mean, m2 = 0, None, None
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            x = backend.as_array(getattr(batch, "data", batch), "float64")
            if x.ndim < 1 or x.shape[0] == 0:
                raise ValueError(f"{who}: expected a batch of samples (samples, ...), received shape {x.shape}")
            if not self.built:
                self._build_once((None,) + tuple(x.shape[1:]))
            expected = self._broadcast_shape
            if x.ndim != len(expected) or any(x.shape[a] != expected[a] for a in self._kept):
                sizes = ", ".join(str(expected[a]) if a in self._kept else "any" for a in range(1, len(expected)))
                raise ValueError(f"{who}: expected data of shape (samples, {sizes}) as the layer was built for, "
                                 f"received shape {x.shape}")
            reduce = tuple(a for a in range(x.ndim) if a not in self._kept)
            n = x.size // max(1, int(self.mean.size))
            batch_mean = x.mean(axis=reduce, keepdims=True)
            batch_m2 = ((x - batch_mean) ** 2).sum(axis=reduce, keepdims=True)
            if mean is None:
                count, mean, m2 = n, batch_mean, batch_m2
            else:  # Chan et al.: merge two groups' counts, means and summed squared deviations
                delta = batch_mean - mean
                total = count + n
                mean = mean + delta * (n / total)
                m2 = m2 + batch_m2 + delta ** 2 * (count * n / total)
                count = total
        if mean is None:
            raise ValueError(f"{who}: received no data")
        shape = self.mean.shape
        self.mean.assign(mean.reshape(shape).astype(self.mean.dtype))
        self.variance.assign((m2 / count).reshape(shape).astype(self.variance.dtype))

    def call(self, inputs):
        x = _as_float(self, inputs)
        xp = array_module(x.data)
        if self.input_mean is not None:
            kept_shape = tuple(self._broadcast_shape[a] for a in self._kept)
            mean, variance = (xp.broadcast_to(xp.asarray(v, dtype=x.dtype), kept_shape).reshape(self._broadcast_shape)
                              for v in (self.input_mean, self.input_variance))
        else:
            mean = self.mean.data.astype(x.dtype).reshape(self._broadcast_shape)
            variance = self.variance.data.astype(x.dtype).reshape(self._broadcast_shape)
        std = xp.maximum(xp.sqrt(variance), x.dtype.type(EPSILON))
        if self.invert:
            return x * Tensor(std) + Tensor(mean)
        return (x - Tensor(mean)) / Tensor(std)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        axis = None if not self.axis else (self.axis[0] if len(self.axis) == 1 else list(self.axis))
        config.update(axis=axis, mean=self.input_mean, variance=self.input_variance, invert=self.invert)
        return config
