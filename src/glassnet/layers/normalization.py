"""Normalisation layers: BatchNormalization and LayerNormalization (Keras names and weights)."""
from __future__ import annotations

import numpy as np

from glassnet import initializers, regularizers
from glassnet.core.tensor import no_grad
from glassnet.layers.base import Layer
from glassnet.ops.normalization import batch_norm, batch_norm_inference, layer_norm

__all__ = ["BatchNormalization", "LayerNormalization"]


def _check_axis_arg(axis, cls_name: str, name: str):
    """``axis`` as an int or a tuple of ints, checked for type (the rank is checked in build)."""
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return int(axis)
    if isinstance(axis, (list, tuple)) and axis and all(
            isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis):
        return tuple(int(a) for a in axis)
    raise ValueError(f"{cls_name} '{name}': expected axis to be an int or a non-empty list of ints, "
                     f"received {axis!r}")


class _Normalization(Layer):
    """Shared configuration, axis checks and weights of the two normalisation layers."""

    supports_masking = True  # a mask on the input passes through unchanged

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.axis = _check_axis_arg(axis, cls, self.name)
        if not isinstance(epsilon, (int, float)) or epsilon <= 0:
            raise ValueError(f"{cls} '{self.name}': expected a positive epsilon, received {epsilon!r}")
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma = self.beta = None
        self._axes = None

    def _resolve_axes(self, input_shape) -> tuple:
        """The feature axes as sorted non-negative ints, checked against the input's rank."""
        cls, rank = type(self).__name__, len(input_shape)
        axes = (self.axis,) if isinstance(self.axis, int) else self.axis
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f"{cls} '{self.name}': axis {a} is out of range for input of rank {rank} "
                                 f"(input shape {tuple(input_shape)}); expected an axis in "
                                 f"[{-rank}, {rank - 1}]")
        resolved = tuple(sorted(a % rank for a in axes))
        if len(set(resolved)) != len(resolved):
            raise ValueError(f"{cls} '{self.name}': axis {self.axis!r} names the same axis twice")
        for a in resolved:
            if input_shape[a] is None:
                raise ValueError(f"{cls} '{self.name}': the size of axis {a} must be known to create the "
                                 f"weights, received input shape {tuple(input_shape)}")
        return resolved

    def _check_input(self, inputs) -> None:
        if inputs.ndim != len(self._build_shape) or any(
                inputs.shape[a] != self._build_shape[a] for a in self._axes):
            raise ValueError(f"{type(self).__name__} '{self.name}': expected input of shape "
                             f"{tuple(self._build_shape)} (sizes fixed on axes {list(self._axes)}), "
                             f"received {tuple(inputs.shape)}")

    def _add_scale_and_offset(self, input_shape) -> tuple:
        self._axes = self._resolve_axes(input_shape)
        self._build_shape = tuple(input_shape)
        shape = tuple(input_shape[a] for a in self._axes)
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, self.gamma_initializer, self.gamma_regularizer)
        if self.center:
            self.beta = self.add_weight("beta", shape, self.beta_initializer, self.beta_regularizer)
        return shape

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(axis=self.axis if isinstance(self.axis, int) else list(self.axis),
                      epsilon=self.epsilon, center=self.center, scale=self.scale,
                      beta_initializer=initializers.serialize(self.beta_initializer),
                      gamma_initializer=initializers.serialize(self.gamma_initializer),
                      beta_regularizer=regularizers.serialize(self.beta_regularizer),
                      gamma_regularizer=regularizers.serialize(self.gamma_regularizer))
        return config


class BatchNormalization(_Normalization):
    """Normalises each feature with the batch's mean and variance, then scales and shifts it.

    In training (``training=True``, which ``fit`` and ``train_on_batch`` pass) each feature is
    normalised with the mean and the biased variance of the current batch, taken over every
    axis except ``axis`` (for images: over the batch, height and width), and the moving
    statistics are updated outside the gradient graph:

        moving_mean     = moving_mean * momentum     + batch_mean * (1 - momentum)
        moving_variance = moving_variance * momentum + batch_variance * (1 - momentum)

    Otherwise (``training=False`` in ``evaluate``/``predict``, and ``training=None``, as in
    Keras) it uses the moving statistics, so a prediction does not depend on the rest of the
    batch. ``y = gamma * (x - mean) / sqrt(variance + epsilon) + beta``.

    A frozen layer (``trainable=False``, or inside a frozen model) always runs in inference
    mode and keeps its moving statistics, as in Keras: that is what fine-tuning wants.

    Note for PyTorch users: ``torch.nn.BatchNorm*d`` uses momentum the other way round
    (``running = (1 - 0.1) * running + 0.1 * batch``, so its 0.1 is Keras's 0.9), its default
    ``eps`` is 1e-5, and its running variance is the unbiased one (batch variance times
    N / (N - 1)). The normalisation itself uses the biased variance in both.

    Args:
        axis: the feature axis (or list of axes) kept; -1 for channels-last images and for
            ``(batch, features)`` inputs.
        momentum: weight of the old value in the moving averages (0.99).
        epsilon: added to the variance before the square root (1e-3).
        center: learn a shift ``beta``. scale: learn a scale ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializers (zeros, ones, zeros, ones).
        beta_regularizer, gamma_regularizer: optional penalties.

    Input shape: any, with the size of ``axis`` known. Output shape: same as the input.
    Weights (Keras order): ``gamma``, ``beta`` (trainable), ``moving_mean``,
    ``moving_variance`` (non-trainable), each of shape ``(features,)``.

    Example:
        >>> import numpy as np
        >>> bn = BatchNormalization()
        >>> x = np.random.randn(32, 10).astype("float32") * 3 + 5
        >>> y = bn(x, training=True)        # each column now has mean ~0 and variance ~1
        >>> [w.shape for w in bn.weights]
        [(10,), (10,), (10,), (10,)]
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, **kwargs)
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization '{self.name}': expected momentum in [0, 1], "
                             f"received {momentum!r}")
        self.momentum = float(momentum)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape):
        shape = self._add_scale_and_offset(input_shape)
        self.moving_mean = self.add_weight("moving_mean", shape, self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape, self.moving_variance_initializer,
                                               trainable=False)

    def call(self, inputs, training=None):
        self._check_input(inputs)
        if not (training and self.trainable):
            return batch_norm_inference(inputs, self.moving_mean, self.moving_variance, self.gamma, self.beta,
                                        axis=self._axes, epsilon=self.epsilon)
        out, mean, var = batch_norm(inputs, self.gamma, self.beta, axis=self._axes, epsilon=self.epsilon)
        with no_grad():  # the statistics are bookkeeping, not part of the differentiated graph
            m = self.moving_mean.dtype.type(self.momentum)
            for moving, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
                moving.data *= m
                moving.data += batch.data.astype(moving.dtype, copy=False) * (1 - m)
        return out

    def get_config(self):
        config = super().get_config()
        config.update(momentum=self.momentum,
                      moving_mean_initializer=initializers.serialize(self.moving_mean_initializer),
                      moving_variance_initializer=initializers.serialize(self.moving_variance_initializer))
        return config


class LayerNormalization(_Normalization):
    """Normalises each sample on its own over ``axis``, then scales and shifts it.

    Unlike batch normalisation, the statistics are per sample (no dependence on the batch, no
    moving averages), so training and inference compute the same thing. Used in recurrent
    networks and Transformers. ``y = gamma * (x - mean) / sqrt(variance + epsilon) + beta``
    with the mean and (biased) variance of each sample over ``axis``.

    Args:
        axis: the axis or list of axes normalised together (-1: the features).
        epsilon: added to the variance (1e-3, as Keras; PyTorch's default is 1e-5).
        center: learn a shift ``beta``. scale: learn a scale ``gamma``.
        beta_initializer, gamma_initializer: initializers (zeros, ones).
        beta_regularizer, gamma_regularizer: optional penalties.

    Input shape: any. Output shape: same as the input.
    Weights (Keras order): ``gamma``, ``beta``, with the input's sizes on ``axis``.

    Example:
        >>> import numpy as np
        >>> ln = LayerNormalization()
        >>> y = ln(np.random.randn(4, 7, 16).astype("float32"))   # each (sample, step) row normalised
        >>> [w.shape for w in ln.weights]
        [(16,), (16,)]
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, **kwargs)

    def build(self, input_shape):
        self._add_scale_and_offset(input_shape)

    def call(self, inputs):
        self._check_input(inputs)
        return layer_norm(inputs, self.gamma, self.beta, axis=self._axes, epsilon=self.epsilon)
