"""Noise layers: regularisers that corrupt their input during training only (Keras's
``GaussianNoise``, ``GaussianDropout`` and ``AlphaDropout``).

At inference (``training`` not True) each one is the identity. The noise is drawn on the host
from the layer's own stream when it has a ``seed``, else from glassnet's global generator (so
``gn.utils.set_random_seed`` repeats a run), in the input's dtype, then moved to where the input
lives. It is a constant of the graph: the gradient flows through the input only.
"""
from __future__ import annotations

import math

import numpy as np

from glassnet import backend
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.layers.base import Layer
from glassnet.ops.activations import SELU_ALPHA, SELU_SCALE

__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout"]


def _check_fraction(layer, what: str, value, high_inclusive: bool) -> float:
    ok = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
    if ok:
        ok = 0 <= value <= 1 if high_inclusive else 0 <= value < 1
    if not ok:
        interval = "[0, 1]" if high_inclusive else "[0, 1)"
        raise ValueError(f"{type(layer).__name__} '{layer.name}': expected {what} to be a float in {interval}, "
                         f"received {value!r}")
    return float(value)


class _NoiseLayer(Layer):
    """What the noise layers share: a seed, a random stream, masks passed through."""

    supports_masking = True  # a mask on the input passes through unchanged

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        # with a seed the layer owns its stream; without, it draws from the global generator
        self._rng = None if seed is None else backend.make_rng(seed)

    def _generator(self):
        return self._rng or backend.rng()

    def _on_device(self, host_array, like: Tensor):
        return array_module(like.data).asarray(host_array)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["seed"] = self.seed
        return config


class GaussianNoise(_NoiseLayer):
    """Adds zero-centred Gaussian noise during training: ``x + N(0, stddev^2)``.

    A form of data augmentation for real-valued inputs; the identity at inference.

    Args:
        stddev: standard deviation of the noise, in [0, 1] (Keras's range).
        seed: seed of the layer's own random stream.

    Example:
        >>> import numpy as np
        >>> layer = GaussianNoise(0.1, seed=0)
        >>> x = np.zeros((2, 3), np.float32)
        >>> bool((layer(x, training=True).numpy() != 0).all()), bool((layer(x).numpy() == 0).all())
        (True, True)
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.stddev = _check_fraction(self, "stddev", stddev, high_inclusive=True)

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        noise = self._generator().standard_normal(inputs.shape, dtype=_draw_dtype(inputs))
        noise = (noise * noise.dtype.type(self.stddev)).astype(inputs.dtype, copy=False)
        return inputs + Tensor(self._on_device(noise, inputs), dtype=inputs.dtype)

    def get_config(self):
        config = super().get_config()
        config["stddev"] = self.stddev
        return config


class GaussianDropout(_NoiseLayer):
    """Multiplies the input by 1-centred Gaussian noise during training:
    ``x * N(1, rate / (1 - rate))``.

    The noise has the mean and variance of inverted dropout's multiplier (0 with probability
    ``rate``, else ``1 / (1 - rate)``), but is continuous; the identity at inference.

    Args:
        rate: drop probability as in ``Dropout``, in [0, 1); the noise's standard deviation is
            ``sqrt(rate / (1 - rate))``.
        seed: seed of the layer's own random stream.

    Example:
        >>> import numpy as np
        >>> out = GaussianDropout(0.5, seed=0)(np.ones((1000, 100), np.float32), training=True)
        >>> round(float(out.numpy().mean()), 1), round(float(out.numpy().std()), 1)
        (1.0, 1.0)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_fraction(self, "rate", rate, high_inclusive=False)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = self._generator().standard_normal(inputs.shape, dtype=_draw_dtype(inputs))
        noise = (noise * noise.dtype.type(stddev) + noise.dtype.type(1)).astype(inputs.dtype, copy=False)
        return inputs * Tensor(self._on_device(noise, inputs), dtype=inputs.dtype)

    def get_config(self):
        config = super().get_config()
        config["rate"] = self.rate
        return config


class AlphaDropout(_NoiseLayer):
    """Dropout for self-normalising networks (SELU): keeps the mean and variance of its input.

    During training each unit is dropped with probability ``rate``, but set to SELU's negative
    saturation ``alpha' = -scale * alpha`` instead of 0, then an affine map restores a standard
    input's moments:

        x' = x if kept else alpha',    out = a x' + b,
        a = ((1 - rate)(1 + rate alpha'^2))^(-1/2),    b = -a alpha' rate

    so an input of mean 0 and variance 1 keeps mean 0 and variance 1. The identity at inference.

    Args:
        rate: drop probability, in [0, 1).
        noise_shape: shape of the keep-mask, broadcast against the input (None entries take the
            input's size; None: the input's shape).
        seed: seed of the layer's own random stream.

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).standard_normal((1000, 100)).astype(np.float32)
        >>> out = AlphaDropout(0.2, seed=0)(x, training=True).numpy()
        >>> bool(abs(out.mean()) < 0.05), round(float(out.std()), 1)
        (True, 1.0)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_fraction(self, "rate", rate, high_inclusive=False)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def _mask_shape(self, shape):
        if self.noise_shape is None:
            return shape
        if len(self.noise_shape) != len(shape) or any(
                n is not None and n not in (1, s) for n, s in zip(self.noise_shape, shape)):
            raise ValueError(f"AlphaDropout '{self.name}': expected noise_shape {self.noise_shape} to broadcast "
                             f"against the input, received input shape {shape}")
        return tuple(s if n is None else n for n, s in zip(self.noise_shape, shape))

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        alpha_p = -SELU_ALPHA * SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        keep = self._generator().random(self._mask_shape(inputs.shape), dtype=np.float32) >= self.rate
        keep = self._on_device(keep, inputs)
        dtype = inputs.dtype.type
        # out = a (x keep + alpha' (1 - keep)) + b = x * (a keep) + (a alpha' (1 - keep) + b)
        scale = keep.astype(inputs.dtype) * dtype(a)
        shift = (~keep).astype(inputs.dtype) * dtype(a * alpha_p) + dtype(b)
        return inputs * Tensor(scale, dtype=inputs.dtype) + Tensor(shift, dtype=inputs.dtype)

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=None if self.noise_shape is None else list(self.noise_shape))
        return config


def _draw_dtype(inputs: Tensor):
    """NumPy's generator draws float32 or float64 only: float16 inputs get float32 noise, cast."""
    return inputs.dtype if inputs.dtype in (np.float32, np.float64) else np.float32
