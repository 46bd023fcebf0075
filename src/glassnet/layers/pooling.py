"""Pooling layers: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D and the global poolings.

Pooling shrinks the spatial axes by keeping one number per window: the largest value (max) or
the mean (average). A pooling layer has no parameters (course section 3). Inputs are
channels-last, ``(batch, *spatial, channels)``, as in Keras; along an axis of size n, a window
k with stride s gives ``(n - k) // s + 1`` outputs with ``padding="valid"`` and ``ceil(n / s)``
with ``padding="same"``.

Example (the course's CNN block):
    >>> model = Sequential([Input((28, 28, 1)), Conv2D(32, 3, activation="relu"),
    ...                     MaxPooling2D(2), Flatten(), Dense(10, activation="softmax")])
"""
from __future__ import annotations

from glassnet import ops
from glassnet.backend import array_module
from glassnet.layers._channels_last import check_data_format, check_rank
from glassnet.layers.base import Layer
from glassnet.ops._util import check_padding, int_tuple
from glassnet.ops.pooling import pool_output_shape

__all__ = [
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
    "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    # Keras's short aliases (the same classes)
    "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
    "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
    "GlobalAvgPool3D",
]


class _Pooling(Layer):
    """Shared code of the max and average pooling layers (``rank`` spatial axes)."""

    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.pool_size = int_tuple(pool_size, self.rank, "pool_size", where)
        self.strides = self.pool_size if strides is None else int_tuple(strides, self.rank, "strides", where)
        self.padding = check_padding(padding, where)
        self.data_format = check_data_format(data_format, where)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # rank and size errors at build time

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)
        fn = ops.max_pool if self.mode == "max" else ops.avg_pool
        return fn(inputs, self.pool_size, self.strides, self.padding)

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self.rank)
        out, _ = pool_output_shape(input_shape[1:-1], self.pool_size, self.strides, self.padding,
                                   f"{type(self).__name__} '{self.name}'")
        return (input_shape[0],) + out + (input_shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=list(self.pool_size), strides=list(self.strides), padding=self.padding,
                      data_format=self.data_format)
        return config


class MaxPooling2D(_Pooling):
    """Max pooling over height and width: each output is the largest value of its window.

    No parameters. Along an axis of size n, a window k with stride s gives
    ``(n - k) // s + 1`` outputs with ``padding="valid"`` and ``ceil(n / s)`` with
    ``padding="same"`` (TensorFlow's padding; padded positions never win). The gradient of a
    window goes to one element, its first maximum.

    Args:
        pool_size: window size, an int or a tuple of 2 ints (default (2, 2)).
        strides: step between windows, int or tuple (default None: ``pool_size``).
        padding: ``"valid"`` (windows must fit inside the input) or ``"same"``.
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, height, width, channels)``.
    Output shape: ``(batch, pooled_height, pooled_width, channels)``.

    Example:
        >>> import numpy as np
        >>> MaxPooling2D(2)(np.zeros((2, 28, 28, 3), np.float32)).shape
        (2, 14, 14, 3)
    """

    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling1D(_Pooling):
    """Max pooling over the steps of a sequence (see ``MaxPooling2D``).

    Args:
        pool_size: window size (default 2). strides: default ``pool_size``.
        padding: ``"valid"`` or ``"same"``. data_format: only ``"channels_last"``.

    Input shape: ``(batch, steps, channels)``. Output: ``(batch, pooled_steps, channels)``.

    Example:
        >>> import numpy as np
        >>> MaxPooling1D(2)(np.zeros((2, 10, 3), np.float32)).shape
        (2, 5, 3)
    """

    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(_Pooling):
    """Max pooling over the three spatial axes of a volume (see ``MaxPooling2D``).

    Args:
        pool_size: window size, int or 3 ints (default (2, 2, 2)). strides: default ``pool_size``.
        padding: ``"valid"`` or ``"same"``. data_format: only ``"channels_last"``.

    Input shape: ``(batch, dim1, dim2, dim3, channels)``. Output: the pooled sizes.

    Example:
        >>> import numpy as np
        >>> MaxPooling3D(2)(np.zeros((2, 4, 6, 8, 3), np.float32)).shape
        (2, 2, 3, 4, 3)
    """

    rank, mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """Average pooling over height and width: each output is the mean of its window.

    No parameters. Output sizes as ``MaxPooling2D``. With ``padding="same"`` each window is
    divided by the number of real (non-padded) elements in it, as TensorFlow does.

    Args:
        pool_size: window size, an int or a tuple of 2 ints (default (2, 2)).
        strides: step between windows, int or tuple (default None: ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, height, width, channels)``.
    Output shape: ``(batch, pooled_height, pooled_width, channels)``.

    Example:
        >>> import numpy as np
        >>> AveragePooling2D(2)(np.ones((2, 28, 28, 3), np.float32)).shape
        (2, 14, 14, 3)
    """

    rank, mode = 2, "avg"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pooling):
    """Average pooling over the steps of a sequence (see ``AveragePooling2D``).

    Args:
        pool_size: window size (default 2). strides: default ``pool_size``.
        padding: ``"valid"`` or ``"same"``. data_format: only ``"channels_last"``.

    Input shape: ``(batch, steps, channels)``. Output: ``(batch, pooled_steps, channels)``.

    Example:
        >>> import numpy as np
        >>> AveragePooling1D(2)(np.zeros((2, 10, 3), np.float32)).shape
        (2, 5, 3)
    """

    rank, mode = 1, "avg"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(_Pooling):
    """Average pooling over the three spatial axes of a volume (see ``AveragePooling2D``).

    Args:
        pool_size: window size, int or 3 ints (default (2, 2, 2)). strides: default ``pool_size``.
        padding: ``"valid"`` or ``"same"``. data_format: only ``"channels_last"``.

    Input shape: ``(batch, dim1, dim2, dim3, channels)``. Output: the pooled sizes.

    Example:
        >>> import numpy as np
        >>> AveragePooling3D(2)(np.zeros((2, 4, 6, 8, 3), np.float32)).shape
        (2, 2, 3, 4, 3)
    """

    rank, mode = 3, "avg"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class _GlobalPooling(Layer):
    """Shared code of the global poolings: reduce all spatial axes, one value per channel."""

    rank = 2
    mode = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        check_rank(self, input_shape, self.rank)

    def call(self, inputs):
        check_rank(self, inputs.shape, self.rank)
        fn = ops.global_max_pool if self.mode == "max" else ops.global_avg_pool
        return fn(inputs, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self.rank)
        if self.keepdims:
            return (input_shape[0],) + (1,) * self.rank + (input_shape[-1],)
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


class GlobalMaxPooling1D(_GlobalPooling):
    """The maximum over all steps of each channel; no parameters.

    Often replaces ``Flatten`` before the classifier of a CNN.

    Ties share the gradient evenly (like ``tf.reduce_max``).

    Args:
        keepdims: keep the spatial axes with size 1 (default False).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, steps, channels)``.
    Output shape: ``(batch, channels)``; ``(batch, 1, channels)`` with ``keepdims=True``.

    Example:
        >>> import numpy as np
        >>> GlobalMaxPooling1D()(np.zeros((2, 10, 3), np.float32)).shape
        (2, 3)
    """

    rank, mode = 1, "max"


class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum over all pixels of each channel; no parameters.

    Often replaces ``Flatten`` before the classifier of a CNN.

    Ties share the gradient evenly (like ``tf.reduce_max``).

    Args:
        keepdims: keep the spatial axes with size 1 (default False).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, height, width, channels)``.
    Output shape: ``(batch, channels)``; ``(batch, 1, 1, channels)`` with ``keepdims=True``.

    Example:
        >>> import numpy as np
        >>> GlobalMaxPooling2D()(np.zeros((2, 7, 7, 3), np.float32)).shape
        (2, 3)
    """

    rank, mode = 2, "max"


class GlobalMaxPooling3D(_GlobalPooling):
    """The maximum over all voxels of each channel; no parameters.

    Often replaces ``Flatten`` before the classifier of a CNN.

    Ties share the gradient evenly (like ``tf.reduce_max``).

    Args:
        keepdims: keep the spatial axes with size 1 (default False).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, dim1, dim2, dim3, channels)``.
    Output shape: ``(batch, channels)``; ``(batch, 1, 1, 1, channels)`` with ``keepdims=True``.

    Example:
        >>> import numpy as np
        >>> GlobalMaxPooling3D()(np.zeros((2, 4, 4, 4, 3), np.float32)).shape
        (2, 3)
    """

    rank, mode = 3, "max"


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over all steps of each channel; no parameters.

    Often replaces ``Flatten`` before the classifier of a CNN.

    Args:
        keepdims: keep the spatial axes with size 1 (default False).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, steps, channels)``.
    Output shape: ``(batch, channels)``; ``(batch, 1, channels)`` with ``keepdims=True``.

    With a mask (after ``Embedding(mask_zero=True)`` or ``Masking``) the mean is over the real
    steps only, as in Keras: ``sum_t m_t x_t / sum_t m_t``. The output carries no mask.

    Example:
        >>> import numpy as np
        >>> GlobalAveragePooling1D()(np.zeros((2, 10, 3), np.float32)).shape
        (2, 3)
    """

    rank, mode = 1, "avg"
    supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        check_rank(self, inputs.shape, self.rank)
        xp = array_module(inputs.data)
        weights = xp.asarray(mask).astype(inputs.dtype)[..., None]  # (batch, steps, 1)
        total = ops.sum(ops.multiply(inputs, weights), axis=1, keepdims=self.keepdims)
        count = xp.maximum(weights.sum(axis=1, keepdims=self.keepdims), 1)  # all padding: 0, not nan
        return ops.divide(total, count)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over all pixels of each channel; no parameters.

    Often replaces ``Flatten`` before the classifier of a CNN.

    Args:
        keepdims: keep the spatial axes with size 1 (default False).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, height, width, channels)``.
    Output shape: ``(batch, channels)``; ``(batch, 1, 1, channels)`` with ``keepdims=True``.

    Example:
        >>> import numpy as np
        >>> GlobalAveragePooling2D()(np.zeros((2, 7, 7, 3), np.float32)).shape
        (2, 3)
    """

    rank, mode = 2, "avg"


class GlobalAveragePooling3D(_GlobalPooling):
    """The mean over all voxels of each channel; no parameters.

    Often replaces ``Flatten`` before the classifier of a CNN.

    Args:
        keepdims: keep the spatial axes with size 1 (default False).
        data_format: only ``"channels_last"`` (or None) is supported.

    Input shape: ``(batch, dim1, dim2, dim3, channels)``.
    Output shape: ``(batch, channels)``; ``(batch, 1, 1, 1, channels)`` with ``keepdims=True``.

    Example:
        >>> import numpy as np
        >>> GlobalAveragePooling3D()(np.zeros((2, 4, 4, 4, 3), np.float32)).shape
        (2, 3)
    """

    rank, mode = 3, "avg"


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (GlobalAveragePooling1D, GlobalAveragePooling2D,
                                                     GlobalAveragePooling3D)
