"""Convolution layers: Conv1D, Conv2D, Conv3D and their transposes (Keras names and layouts).

Images are channels-last: ``(batch, height, width, channels)``. Kernels are
``(*kernel_size, in_channels, filters)`` for convolutions and
``(*kernel_size, filters, in_channels)`` for transposed convolutions, as in Keras, so weights
move between Keras and glassnet unchanged. The computation is in ``glassnet.ops.convolution``
(im2col + one matrix product; read the maths there).
"""
from __future__ import annotations

import numpy as np

from glassnet import activations, initializers, ops, regularizers
from glassnet.layers.base import Layer
from glassnet.layers._channels_last import check_data_format
from glassnet.ops._util import check_padding, int_tuple
from glassnet.ops.convolution import conv_output_length, conv_transpose_output_length

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"]

_SPATIAL = {1: "steps", 2: "h, w", 3: "d, h, w"}


class _BaseConv(Layer):
    """What every convolution layer shares: argument checks, weights, shapes and config."""

    rank = 2
    transpose = False

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        who = f"{type(self).__name__} '{self.name}'"
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"{who}: expected a positive integer for filters, received {filters!r}")
        self.filters = int(filters)
        self.kernel_size = int_tuple(kernel_size, self.rank, "kernel_size", who)
        self.strides = int_tuple(strides, self.rank, "strides", who)
        self.padding = check_padding(padding, who)
        self.dilation_rate = int_tuple(dilation_rate, self.rank, "dilation_rate", who)
        self.data_format = check_data_format(data_format, who)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    @property
    def _who(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def _check_input_shape(self, shape) -> None:
        """Rank, known channels and (for "valid") spatial sizes at least the kernel's extent."""
        rank = self.rank + 2
        if len(shape) != rank:
            raise ValueError(f"{type(self).__name__} expects input of rank {rank} "
                             f"(batch, {_SPATIAL[self.rank]}, channels), received shape {tuple(shape)}")
        if shape[-1] is None:
            raise ValueError(f"{self._who}: the channels axis (last) of the input must be known, "
                             f"received input shape {tuple(shape)}")
        if not self.transpose and self.padding == "valid":
            extent = tuple((k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate))
            if any(n is not None and n < e for n, e in zip(shape[1:-1], extent)):
                raise ValueError(f"{self._who}: input spatial shape {tuple(shape[1:-1])} is smaller than "
                                 f"the kernel {extent} (dilated) with padding='valid'; expected each size "
                                 f">= the kernel's, or padding='same'")

    def build(self, input_shape):
        self._check_input_shape(input_shape)
        channels = int(input_shape[-1])
        # Keras layouts: (*k, in, out) for a convolution, (*k, out, in) for a transpose
        shape = self.kernel_size + ((self.filters, channels) if self.transpose else (channels, self.filters))
        self.kernel = self.add_weight("kernel", shape, self.kernel_initializer, self.kernel_regularizer)
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer)
                     if self.use_bias else None)

    def call(self, inputs):
        self._check_input_shape(inputs.shape)
        in_axis = -1 if self.transpose else -2
        if inputs.shape[-1] != self.kernel.shape[in_axis]:
            raise ValueError(f"{self._who}: expected input with {self.kernel.shape[in_axis]} channels "
                             f"(last axis), received shape {inputs.shape}")
        if self.activation is activations.relu and not self.transpose:
            return self._op(inputs, "relu")  # fused into the convolution op
        out = self._op(inputs)
        return out if self.activation is activations.linear else self.activation(out)

    def _op(self, inputs, activation=None):
        return ops.conv(inputs, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate,
                        activation)

    def _output_length(self, n, k, s, d):
        return conv_output_length(n, k, s, self.padding, d)

    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        spatial = tuple(self._output_length(n, k, s, d) for n, k, s, d in
                        zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate))
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=list(self.kernel_size), strides=list(self.strides),
                      padding=self.padding, data_format=self.data_format,
                      dilation_rate=list(self.dilation_rate),
                      activation=activations.serialize(self.activation), use_bias=self.use_bias,
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer),
                      kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
                      bias_regularizer=regularizers.serialize(self.bias_regularizer))
        return config


class Conv1D(_BaseConv):
    """1-D convolution over sequences: ``activation(conv(x, kernel) + bias)``.

    Each filter slides a window of ``kernel_size`` steps along the sequence and takes a
    weighted sum over the window and all input channels. With C input channels, window k and N
    filters it has ``C * k * N + N`` parameters.

    Args:
        filters: number of output channels N.
        kernel_size: window length (int or 1-tuple).
        strides: step between windows (int or 1-tuple).
        padding: ``"valid"`` (no padding; output ``(n - k) // s + 1``) or ``"same"``
            (zeros added so that the output has ``ceil(n / s)`` steps).
        data_format: only ``"channels_last"`` (or None).
        dilation_rate: spacing between the taps of the window (int or 1-tuple).
        activation: activation name or callable (None: linear).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: initializer names or objects.
        kernel_regularizer, bias_regularizer: penalties added to the loss.
        activity_regularizer: penalty on the output, added to the loss.

    Input shape: ``(batch, steps, channels)``. Output shape: ``(batch, new_steps, filters)``.
    Weights (Keras layout): ``kernel`` (k, channels, filters), ``bias`` (filters,).

    Example:
        >>> import numpy as np
        >>> Conv1D(8, 3)(np.ones((2, 10, 4))).shape
        (2, 8, 8)
    """

    rank = 1


class Conv2D(_BaseConv):
    """2-D convolution over images: ``activation(conv(x, kernel) + bias)`` (course section 3).

    Each filter slides a ``kh x kw`` window over the image and takes a weighted sum over the
    window and all input channels. Output size per axis: ``(n + 2p - k) / s + 1``; ``"same"``
    padding keeps ``ceil(n / s)``. With C input channels, K x K kernels and N filters there are
    ``C * K * K * N + N`` parameters (3x3 over 3 channels, 32 filters: 896).

    Args:
        filters: number of output channels N.
        kernel_size: int or (kh, kw).
        strides: int or (sh, sw).
        padding: ``"valid"`` (no padding) or ``"same"`` (zeros around the image, extra one at
            the bottom/right when odd, as Keras).
        data_format: only ``"channels_last"`` (or None).
        dilation_rate: int or (dh, dw): spacing between the kernel's taps.
        activation: activation name or callable (None: linear). ``"relu"`` is fused into
            the convolution op (same result, fewer passes over the output).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: initializer names or objects.
        kernel_regularizer, bias_regularizer: penalties added to the loss.
        activity_regularizer: penalty on the output, added to the loss.

    Input shape: ``(batch, h, w, channels)``. Output shape: ``(batch, new_h, new_w, filters)``.
    Weights (Keras layout): ``kernel`` (kh, kw, channels, filters), ``bias`` (filters,).

    Example:
        >>> import numpy as np
        >>> layer = Conv2D(32, 3, padding="same", activation="relu")
        >>> layer(np.ones((1, 28, 28, 3))).shape
        (1, 28, 28, 32)
        >>> layer.count_params()
        896
    """

    rank = 2


class Conv3D(_BaseConv):
    """3-D convolution over volumes (video, scans): the kernel slides in three directions.

    With C input channels, a k1 x k2 x k3 kernel and N filters: ``C * k1 * k2 * k3 * N + N``
    parameters. A (5, 5, 5) input with a (2, 2, 2) kernel and "valid" padding gives (4, 4, 4).

    Args:
        filters: number of output channels N.
        kernel_size: int or (kd, kh, kw).
        strides: int or (sd, sh, sw).
        padding: ``"valid"`` or ``"same"``.
        data_format: only ``"channels_last"`` (or None).
        dilation_rate: int or 3-tuple.
        activation: activation name or callable (None: linear).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: initializer names or objects.
        kernel_regularizer, bias_regularizer: penalties added to the loss.
        activity_regularizer: penalty on the output, added to the loss.

    Input shape: ``(batch, d, h, w, channels)``. Output shape:
    ``(batch, new_d, new_h, new_w, filters)``.
    Weights (Keras layout): ``kernel`` (kd, kh, kw, channels, filters), ``bias`` (filters,).

    Example:
        >>> import numpy as np
        >>> Conv3D(4, 2)(np.ones((1, 5, 5, 5, 1))).shape
        (1, 4, 4, 4, 4)
    """

    rank = 3


class _BaseConvTranspose(_BaseConv):
    """Transposed convolution: maps a convolution's output shape back to its input shape."""

    transpose = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer, **kwargs)
        if output_padding is not None:
            op = ((output_padding,) * self.rank if isinstance(output_padding, (int, np.integer))
                  else tuple(output_padding) if isinstance(output_padding, (tuple, list)) else None)
            if (op is None or len(op) != self.rank
                    or not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in op)
                    or any(not 0 <= p < s for p, s in zip(op, self.strides))):
                raise ValueError(f"{self._who}: expected output_padding None or {self.rank} int(s) each in "
                                 f"[0, stride) for strides {self.strides}, received {output_padding!r}")
            output_padding = tuple(int(p) for p in op)
        self.output_padding = output_padding

    def _op(self, inputs, activation=None):
        return ops.conv_transpose(inputs, self.kernel, self.bias, self.strides, self.padding,
                                  self.dilation_rate, self.output_padding)

    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        op = self.output_padding or (None,) * self.rank
        spatial = tuple(conv_transpose_output_length(n, k, s, self.padding, d, p) for n, k, s, d, p in
                        zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, op))
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config["output_padding"] = None if self.output_padding is None else list(self.output_padding)
        return config


class Conv1DTranspose(_BaseConvTranspose):
    """1-D transposed convolution (upsampling a sequence), Keras semantics.

    Args: as ``Conv2DTranspose``, with ints or 1-tuples.

    Input shape: ``(batch, steps, channels)``. Output shape: ``(batch, new_steps, filters)``.
    Weights (Keras layout): ``kernel`` (k, filters, channels), ``bias`` (filters,).

    Example:
        >>> import numpy as np
        >>> Conv1DTranspose(4, 3, strides=2, padding="same")(np.ones((1, 5, 2))).shape
        (1, 10, 4)
    """

    rank = 1


class Conv2DTranspose(_BaseConvTranspose):
    """2-D transposed convolution ("deconvolution"): learned upsampling, Keras semantics.

    Every input pixel adds a copy of the kernel, scaled by its value, into the output, at
    positions ``strides`` apart; overlapping copies add up. It is the gradient of a Conv2D with
    respect to its input, which is how it is computed. Decoders (autoencoders) and GAN
    generators use it to grow images.

    Output size per axis (without output_padding): ``"same"``: ``n * s``; ``"valid"``:
    ``n * s + max(k - s, 0)``. With output_padding p: ``(n - 1) * s + k - 2 * pad + p``,
    pad being 0 ("valid") or ``k // 2`` ("same").

    Args:
        filters: number of output channels.
        kernel_size: int or (kh, kw).
        strides: int or (sh, sw): the upsampling factor.
        padding: ``"valid"`` or ``"same"``.
        output_padding: None, or an int / (ph, pw) each smaller than its stride.
        data_format: only ``"channels_last"`` (or None).
        dilation_rate: int or (dh, dw).
        activation: activation name or callable (None: linear).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: initializer names or objects.
        kernel_regularizer, bias_regularizer: penalties added to the loss.
        activity_regularizer: penalty on the output, added to the loss.

    Input shape: ``(batch, h, w, channels)``. Output shape: ``(batch, new_h, new_w, filters)``.
    Weights (Keras layout): ``kernel`` (kh, kw, filters, channels), ``bias`` (filters,).

    Example:
        >>> import numpy as np
        >>> Conv2DTranspose(16, 3, strides=2, padding="same")(np.ones((1, 7, 7, 32))).shape
        (1, 14, 14, 16)
    """

    rank = 2


class Conv3DTranspose(_BaseConvTranspose):
    """3-D transposed convolution (upsampling a volume), Keras semantics.

    Args: as ``Conv2DTranspose``, with ints or 3-tuples.

    Input shape: ``(batch, d, h, w, channels)``. Output shape:
    ``(batch, new_d, new_h, new_w, filters)``.
    Weights (Keras layout): ``kernel`` (kd, kh, kw, filters, channels), ``bias`` (filters,).

    Example:
        >>> import numpy as np
        >>> Conv3DTranspose(2, 2, strides=2)(np.ones((1, 3, 3, 3, 4))).shape
        (1, 6, 6, 6, 2)
    """

    rank = 3
