"""Reshaping layers: Flatten, Reshape, UpSampling1D/2D/3D, ZeroPadding1D/2D/3D,
Cropping1D/2D/3D, Permute and RepeatVector. None of them has parameters; they only move,
repeat or interpolate values.

Inputs are channels-last, ``(batch, *spatial, channels)``, as in Keras.

Example (the decoder half of an autoencoder grows images back):
    >>> model = Sequential([Input((7, 7, 16)), UpSampling2D((2, 2)),
    ...                     Conv2D(1, 3, padding="same", activation="sigmoid")])
"""
from __future__ import annotations

import math

import numpy as np

from glassnet import ops
from glassnet.layers._channels_last import check_data_format, check_rank
from glassnet.layers.base import Layer
from glassnet.ops._util import int_tuple

__all__ = [
    "Flatten", "Reshape", "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D",
    "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D", "Permute",
    "RepeatVector",
]


def _where(layer) -> str:
    return f"{type(layer).__name__} '{layer.name}'"


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _pairs(value, rank: int, what: str, where: str) -> tuple:
    """Normalise a padding or cropping spec to ``rank`` pairs of non-negative ints (before, after).

    Accepted forms: an int (all sides); ``rank`` ints (symmetric per axis); ``rank`` pairs. For
    one spatial axis a pair of ints means (before, after), as in Keras.
    """
    pairs = None
    if _is_int(value):
        pairs = ((int(value), int(value)),) * rank
    elif isinstance(value, (tuple, list)):
        items = list(value)
        if rank == 1 and len(items) == 2 and all(_is_int(v) for v in items):
            pairs = ((int(items[0]), int(items[1])),)
        elif len(items) == rank and all(_is_int(v) for v in items):
            pairs = tuple((int(v), int(v)) for v in items)
        elif len(items) == rank and all(isinstance(p, (tuple, list)) and len(p) == 2
                                        and all(_is_int(v) for v in p) for p in items):
            pairs = tuple((int(a), int(b)) for a, b in items)
    if pairs is None or any(v < 0 for p in pairs for v in p):
        forms = "an int or a pair (before, after)" if rank == 1 else (
            f"an int, a tuple of {rank} ints, or a tuple of {rank} (before, after) pairs")
        raise ValueError(f"{where}: expected {what} as {forms} of non-negative ints, received {value!r}")
    return pairs


# ----------------------------------------------------------------------------- flatten, reshape
class Flatten(Layer):
    """Flattens each sample to a vector: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...).

    Example:
        >>> import numpy as np
        >>> Flatten()(np.zeros((32, 28, 28))).shape
        (32, 784)
    """

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (one entry may be -1).

    Example:
        >>> import numpy as np
        >>> Reshape((28, 28))(np.zeros((2, 784))).shape
        (2, 28, 28)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        # checked here, not at the first call: Reshape("4") would otherwise become ('4',)
        valid = isinstance(target_shape, (tuple, list)) and all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and (d > 0 or d == -1) for d in target_shape)
        if not valid or list(target_shape).count(-1) > 1:
            raise TypeError(f"Reshape '{self.name}': expected target_shape to be a tuple of positive integers "
                            f"(at most one -1), received {target_shape!r}")
        self.target_shape = tuple(int(d) for d in target_shape)

    def call(self, inputs):
        sample = math.prod(inputs.shape[1:])
        target = self.target_shape
        known = math.prod([d for d in target if d != -1])
        if (-1 not in target and known != sample) or (-1 in target and sample % known):
            raise ValueError(f"Reshape '{self.name}': cannot reshape samples of shape {inputs.shape[1:]} "
                             f"({sample} values) to {target}")
        return ops.reshape(inputs, (inputs.shape[0],) + target)

    def compute_output_shape(self, input_shape):
        if any(d is None for d in input_shape[1:]):
            return (input_shape[0],) + self.target_shape
        sample = math.prod(input_shape[1:])
        known = math.prod([d for d in self.target_shape if d != -1])
        if (-1 not in self.target_shape and known != sample) or (-1 in self.target_shape and sample % known):
            raise ValueError(f"Reshape '{self.name}': cannot reshape samples of shape {tuple(input_shape[1:])} "
                             f"({sample} values) to {self.target_shape}")
        return (input_shape[0],) + tuple(sample // known if d == -1 else d for d in self.target_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


# ----------------------------------------------------------------------------- upsampling
class _UpSampling(Layer):
    rank = 2

    def __init__(self, size=2, data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = int_tuple(size, self.rank, "size", _where(self))
        self.data_format = check_data_format(data_format, _where(self))
        if interpolation not in ("nearest", "bilinear") or (interpolation == "bilinear" and self.rank != 2):
            allowed = "'nearest' or 'bilinear'" if self.rank == 2 else "'nearest'"
            raise ValueError(f"{_where(self)}: expected interpolation {allowed}, received {interpolation!r}")
        self.interpolation = interpolation

    def build(self, input_shape):
        check_rank(self, input_shape, self.rank)

    def call(self, inputs):
        check_rank(self, inputs.shape, self.rank)
        return ops.upsample(inputs, self.size, self.interpolation)

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self.rank)
        spatial = tuple(None if n is None else n * f for n, f in zip(input_shape[1:-1], self.size))
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update(size=list(self.size), data_format=self.data_format)
        if self.rank == 2:
            config["interpolation"] = self.interpolation
        return config


class UpSampling2D(_UpSampling):
    """Enlarges images by integer factors: every pixel becomes a ``size[0] x size[1]`` block
    (``"nearest"``), or the image is interpolated linearly (``"bilinear"``, half-pixel
    centres, as Keras and ``F.interpolate(align_corners=False)``). No parameters.

    Args:
        size: factors for height and width, an int or 2 ints (default (2, 2)).
        data_format: only ``"channels_last"`` (or None) is supported.
        interpolation: ``"nearest"`` or ``"bilinear"``.

    Input shape: ``(batch, height, width, channels)``.
    Output shape: ``(batch, height * size[0], width * size[1], channels)``.

    Example:
        >>> import numpy as np
        >>> UpSampling2D((2, 3))(np.zeros((1, 4, 4, 8), np.float32)).shape
        (1, 8, 12, 8)
    """

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(size, data_format, interpolation, **kwargs)


class UpSampling1D(_UpSampling):
    """Repeats every step of a sequence ``size`` times. No parameters.

    Args:
        size: repetition factor (default 2).

    Input shape: ``(batch, steps, features)``. Output: ``(batch, steps * size, features)``.

    Example:
        >>> import numpy as np
        >>> UpSampling1D(3)(np.zeros((2, 4, 5), np.float32)).shape
        (2, 12, 5)
    """

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(size, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        config["size"] = self.size[0]
        return config


class UpSampling3D(_UpSampling):
    """Repeats every voxel into a ``size`` block (nearest neighbour). No parameters.

    Args:
        size: factors for the three spatial axes, int or 3 ints (default (2, 2, 2)).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, dim1, dim2, dim3, channels)``. Output: each dim times its factor.

    Example:
        >>> import numpy as np
        >>> UpSampling3D(2)(np.zeros((1, 2, 3, 4, 5), np.float32)).shape
        (1, 4, 6, 8, 5)
    """

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size, data_format, **kwargs)


# ----------------------------------------------------------------------------- padding, cropping
class _ZeroPadding(Layer):
    rank = 2

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, self.rank, "padding", _where(self))
        self.data_format = check_data_format(data_format, _where(self))

    def build(self, input_shape):
        check_rank(self, input_shape, self.rank)

    def call(self, inputs):
        check_rank(self, inputs.shape, self.rank)
        return ops.pad(inputs, ((0, 0),) + self.padding + ((0, 0),))

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self.rank)
        spatial = tuple(None if n is None else n + lo + hi for n, (lo, hi) in zip(input_shape[1:-1], self.padding))
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update(padding=[list(p) for p in self.padding], data_format=self.data_format)
        return config


class ZeroPadding2D(_ZeroPadding):
    """Adds rows and columns of zeros around images (course section 3: padding keeps the size
    of a convolution's output; for an F x F filter pad (F - 1) / 2). No parameters.

    Args:
        padding: an int (all four sides), ``(h, w)`` (symmetric per axis) or
            ``((top, bottom), (left, right))``. Default (1, 1).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, height, width, channels)``.
    Output shape: ``(batch, height + top + bottom, width + left + right, channels)``.

    Example:
        >>> import numpy as np
        >>> ZeroPadding2D(((1, 0), (2, 2)))(np.ones((1, 3, 3, 1), np.float32)).shape
        (1, 4, 7, 1)
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding1D(_ZeroPadding):
    """Adds zero steps at the start and end of sequences. No parameters.

    Args:
        padding: an int (both ends) or ``(before, after)``. Default 1.

    Input shape: ``(batch, steps, features)``. Output: ``(batch, before + steps + after, features)``.

    Example:
        >>> import numpy as np
        >>> ZeroPadding1D((1, 2))(np.ones((2, 3, 4), np.float32)).shape
        (2, 6, 4)
    """

    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(padding, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        config["padding"] = list(self.padding[0])
        return config


class ZeroPadding3D(_ZeroPadding):
    """Adds zeros around volumes. No parameters.

    Args:
        padding: an int, 3 ints (symmetric per axis) or 3 ``(before, after)`` pairs.
            Default (1, 1, 1).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, dim1, dim2, dim3, channels)``. Output: each dim grows by its padding.

    Example:
        >>> import numpy as np
        >>> ZeroPadding3D(1)(np.ones((1, 2, 2, 2, 1), np.float32)).shape
        (1, 4, 4, 4, 1)
    """

    rank = 3

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class _Cropping(Layer):
    rank = 2

    def __init__(self, cropping=0, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping", _where(self))
        self.data_format = check_data_format(data_format, _where(self))

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)
        index = (slice(None),) + tuple(slice(lo, n - hi) for n, (lo, hi) in
                                       zip(inputs.shape[1:-1], self.cropping)) + (slice(None),)
        return ops.getitem(inputs, index)

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self.rank)
        spatial = []
        for n, (lo, hi) in zip(input_shape[1:-1], self.cropping):
            if n is not None and lo + hi >= n:
                raise ValueError(f"{_where(self)}: cropping {self.cropping} removes all of an axis of "
                                 f"size {n}; received input shape {tuple(input_shape)}")
            spatial.append(None if n is None else n - lo - hi)
        return (input_shape[0],) + tuple(spatial) + (input_shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update(cropping=[list(p) for p in self.cropping], data_format=self.data_format)
        return config


class Cropping2D(_Cropping):
    """Removes rows and columns at the borders of images. No parameters.

    Args:
        cropping: an int (all four sides), ``(h, w)`` (symmetric per axis) or
            ``((top, bottom), (left, right))``. Default ((0, 0), (0, 0)).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, height, width, channels)``.
    Output shape: ``(batch, height - top - bottom, width - left - right, channels)``.

    Example:
        >>> import numpy as np
        >>> Cropping2D(((1, 0), (2, 2)))(np.ones((1, 5, 6, 1), np.float32)).shape
        (1, 4, 2, 1)
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping1D(_Cropping):
    """Removes steps at the start and end of sequences. No parameters.

    Args:
        cropping: an int (both ends) or ``(start, end)``. Default (1, 1).

    Input shape: ``(batch, steps, features)``. Output: ``(batch, steps - start - end, features)``.

    Example:
        >>> import numpy as np
        >>> Cropping1D((1, 2))(np.ones((2, 6, 4), np.float32)).shape
        (2, 3, 4)
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        config["cropping"] = list(self.cropping[0])
        return config


class Cropping3D(_Cropping):
    """Removes borders of volumes. No parameters.

    Args:
        cropping: an int, 3 ints (symmetric per axis) or 3 ``(before, after)`` pairs.
            Default ((1, 1), (1, 1), (1, 1)).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, dim1, dim2, dim3, channels)``. Output: each dim less its cropping.

    Example:
        >>> import numpy as np
        >>> Cropping3D(1)(np.ones((1, 4, 4, 4, 1), np.float32)).shape
        (1, 2, 2, 2, 1)
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


# ----------------------------------------------------------------------------- Permute, RepeatVector
class Permute(Layer):
    """Reorders the axes of each sample; the batch axis stays first. No parameters.

    Args:
        dims: a permutation of ``1 .. rank - 1`` (axes numbered from 1, as in Keras): ``(2, 1)``
            swaps the two axes of ``(batch, steps, features)``.

    Input shape: ``(batch, d1, ..., dk)``. Output: the axes reordered by ``dims``.

    Example:
        >>> import numpy as np
        >>> Permute((2, 1))(np.zeros((4, 10, 64), np.float32)).shape
        (4, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(dims)
        except TypeError:
            dims = None
        if (dims is None or not all(_is_int(d) for d in dims)
                or sorted(dims) != list(range(1, len(dims) + 1))):
            raise ValueError(f"{_where(self)}: expected dims as a permutation of 1..k (the batch axis 0 "
                             f"excluded), received {dims!r}")
        self.dims = tuple(int(d) for d in dims)

    def _check(self, shape):
        if len(shape) != len(self.dims) + 1:
            raise ValueError(f"{_where(self)} expects input of rank {len(self.dims) + 1} (batch + "
                             f"{len(self.dims)} axes, for dims {self.dims}), received shape {tuple(shape)}")

    def build(self, input_shape):
        self._check(input_shape)

    def call(self, inputs):
        self._check(inputs.shape)
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config


class RepeatVector(Layer):
    """Repeats each input vector ``n`` times: (batch, features) -> (batch, n, features).

    Used to feed one encoding to every step of a decoder RNN. No parameters.

    Args:
        n: number of repetitions.

    Example:
        >>> import numpy as np
        >>> RepeatVector(3)(np.zeros((2, 5), np.float32)).shape
        (2, 3, 5)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not _is_int(n) or n <= 0:
            raise ValueError(f"{_where(self)}: expected n as a positive int, received {n!r}")
        self.n = int(n)

    def _check(self, shape):
        if len(shape) != 2:
            raise ValueError(f"{_where(self)} expects input of rank 2 (batch, features), "
                             f"received shape {tuple(shape)}")

    def build(self, input_shape):
        self._check(input_shape)

    def call(self, inputs):
        self._check(inputs.shape)
        # (batch, 1, features) repeated n times along axis 1: nearest upsampling of a 1-step sequence
        return ops.upsample_nearest(ops.expand_dims(inputs, 1), self.n)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config
