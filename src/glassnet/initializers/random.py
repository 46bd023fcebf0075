"""Random initializers: normal, uniform and truncated normal values, ``VarianceScaling`` and its
named presets (Glorot, He, LeCun), and ``Orthogonal``.

Why the scale matters: a layer computes sums of ``fan_in`` products. If each weight has variance
``s``, the output variance is about ``fan_in * s`` times the input's, so ``s = 1 / fan_in``
(LeCun), ``2 / fan_in`` (He, for ReLU, which zeroes half its inputs) or
``2 / (fan_in + fan_out)`` (Glorot, a compromise between the forward and the backward pass)
keeps signals from exploding or vanishing as they go through many layers.
``VarianceScaling`` is the general rule; the named initializers are presets of it.

Randomness: with ``seed=None`` every call draws fresh values from glassnet's global generator
(``backend.set_seed(0)`` makes a whole run reproducible). With an integer seed the
initializer is a fixed function of the shape: every call returns the same values (as in
Keras 3), so do not share one seeded initializer between layers that should differ.

Example:
    >>> HeNormal(seed=0)((3, 3, 8, 16)).shape
    (3, 3, 8, 16)
"""
from __future__ import annotations

import math

import numpy as np

from glassnet import backend
from glassnet.initializers.initializer import Initializer, _check_dtype, _check_seed, _check_shape, compute_fans

# The standard deviation of a standard normal truncated to [-2, 2]. Dividing by it makes the
# *truncated* distribution have the requested standard deviation (Keras uses the same constant).
_TRUNCATED_STDDEV = 0.87962566103423978


# ---------------------------------------------------------------------------- random
def _work_dtype(dtype: np.dtype):
    """NumPy draws float32 or float64 directly; anything else (float16) is drawn in float32."""
    return dtype if dtype in (np.dtype("float32"), np.dtype("float64")) else np.dtype("float32")


class RandomInitializer(Initializer):
    """Base for initializers that draw random numbers; handles ``seed``.

    Args:
        seed: None (fresh values each call, from glassnet's global generator, so
            ``backend.set_seed`` makes runs reproducible) or an int (the same values on every
            call).

    Example:
        >>> class Rademacher(RandomInitializer):      # +1 or -1 with equal probability
        ...     def __call__(self, shape, dtype=None):
        ...         signs = self._rng().integers(0, 2, size=shape) * 2 - 1
        ...         return signs.astype(dtype or backend.floatx())
        >>> Rademacher(seed=0)((4,))
        array([ 1.,  1.,  1., -1.], dtype=float32)
    """

    def __init__(self, seed=None):
        self.seed = _check_seed(seed, type(self).__name__)

    def _rng(self) -> np.random.Generator:
        return backend.make_rng(self.seed)

    def _normal(self, rng, shape, dtype, mean, stddev):
        """``mean + stddev * z``, z standard normal."""
        z = rng.standard_normal(shape, dtype=_work_dtype(dtype))
        return self._scale(z, dtype, mean, stddev)

    def _truncated_normal(self, rng, shape, dtype, mean, stddev):
        """Like ``_normal`` but every z beyond 2 is drawn again (re-drawn, not clipped)."""
        work = _work_dtype(dtype)
        z = rng.standard_normal(shape, dtype=work)
        outside = np.abs(z) > 2
        while outside.any():
            z[outside] = rng.standard_normal(int(outside.sum()), dtype=work)
            outside = np.abs(z) > 2
        return self._scale(z, dtype, mean, stddev)

    def _uniform(self, rng, shape, dtype, low, high):
        """Uniform on [low, high)."""
        work = _work_dtype(dtype)
        u = rng.random(shape, dtype=work)
        u *= work.type(high - low)
        u += work.type(low)
        return u.astype(dtype, copy=False)

    @staticmethod
    def _scale(z, dtype, mean, stddev):
        z *= z.dtype.type(stddev)
        if mean:
            z += z.dtype.type(mean)
        return z.astype(dtype, copy=False)

    def get_config(self):
        return {"seed": self.seed}


class RandomNormal(RandomInitializer):
    """Values drawn from a normal distribution N(mean, stddev^2).

    Args:
        mean: mean of the values.
        stddev: standard deviation of the values.
        seed: None, or an int for the same values on every call.

    Example:
        >>> RandomNormal(stddev=1.0, seed=0)((2, 3)).shape
        (2, 3)
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        if stddev < 0:
            raise ValueError(f"RandomNormal: expected stddev >= 0, received {stddev}")
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = _check_shape(shape, "RandomNormal"), _check_dtype(dtype, "RandomNormal", True)
        return self._normal(self._rng(), shape, dtype, self.mean, self.stddev)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """Values drawn uniformly from [minval, maxval).

    Args:
        minval: lower bound (inclusive).
        maxval: upper bound (exclusive).
        seed: None, or an int for the same values on every call.

    Example:
        >>> w = RandomUniform(-1.0, 1.0, seed=0)((100,))
        >>> bool(w.min() >= -1 and w.max() < 1)
        True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        if maxval < minval:
            raise ValueError(f"RandomUniform: expected minval <= maxval, received minval={minval}, "
                             f"maxval={maxval}")
        self.minval, self.maxval = minval, maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = _check_shape(shape, "RandomUniform"), _check_dtype(dtype, "RandomUniform", True)
        return self._uniform(self._rng(), shape, dtype, self.minval, self.maxval)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """Normal values, with any value more than 2 standard deviations from the mean re-drawn.

    Note that ``stddev`` is the standard deviation *before* truncation; the values you get have
    a slightly smaller spread (about 0.88 * stddev).

    Args:
        mean: mean of the values.
        stddev: standard deviation of the normal before truncation.
        seed: None, or an int for the same values on every call.

    Example:
        >>> w = TruncatedNormal(stddev=1.0, seed=0)((1000,))
        >>> bool(abs(w).max() <= 2)
        True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        if stddev < 0:
            raise ValueError(f"TruncatedNormal: expected stddev >= 0, received {stddev}")
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = _check_shape(shape, "TruncatedNormal"), _check_dtype(dtype, "TruncatedNormal", True)
        return self._truncated_normal(self._rng(), shape, dtype, self.mean, self.stddev)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class VarianceScaling(RandomInitializer):
    """Random values whose variance is ``scale / n``, n chosen from the shape by ``mode``.

    ``n`` is ``fan_in`` (``mode="fan_in"``), ``fan_out`` or their average (``"fan_avg"``), with
    ``compute_fans`` (convolution kernels count the whole window). Then:

    - ``"truncated_normal"``: normal truncated at 2 stddev, with
      ``stddev = sqrt(scale / n) / 0.8796...`` so that the truncated values have std
      ``sqrt(scale / n)``;
    - ``"untruncated_normal"``: normal with ``stddev = sqrt(scale / n)``;
    - ``"uniform"``: uniform on ``[-limit, limit]`` with ``limit = sqrt(3 * scale / n)``
      (a uniform on [-a, a] has variance a^2 / 3).

    Args:
        scale: positive scaling factor.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"`` (``"normal"`` is an alias), ``"untruncated_normal"``
            or ``"uniform"``.
        seed: None, or an int for the same values on every call.

    Example:
        >>> init = VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform")  # HeUniform
        >>> init((256, 128)).shape
        (256, 128)
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if (isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating))
                or not math.isfinite(scale) or scale <= 0):
            raise ValueError(f"VarianceScaling: expected a positive scale, received {scale!r}")
        if mode not in self._MODES:
            raise ValueError(f"VarianceScaling: expected mode in {self._MODES}, received {mode!r}")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling: expected distribution in {self._DISTRIBUTIONS}, "
                             f"received {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        who = type(self).__name__
        shape, dtype = _check_shape(shape, who), _check_dtype(dtype, who, True)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            return self._truncated_normal(rng, shape, dtype, 0.0, math.sqrt(variance) / _TRUNCATED_STDDEV)
        if self.distribution == "untruncated_normal":
            return self._normal(rng, shape, dtype, 0.0, math.sqrt(variance))
        limit = math.sqrt(3.0 * variance)
        return self._uniform(rng, shape, dtype, -limit, limit)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


class _Preset(VarianceScaling):
    """A named VarianceScaling whose only argument is the seed."""

    _PRESET: tuple = ()

    def __init__(self, seed=None):
        scale, mode, distribution = self._PRESET
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform: uniform on [-limit, limit], ``limit = sqrt(6 / (fan_in + fan_out))``.

    The default kernel initializer of Dense and convolution layers in Keras and glassnet.
    (PyTorch's ``nn.Linear`` default is different: uniform with ``limit = 1 / sqrt(fan_in)``.)

    Args:
        seed: None, or an int for the same values on every call.

    Example:
        >>> w = GlorotUniform(seed=0)((784, 128))
        >>> bool(abs(w).max() <= (6 / (784 + 128)) ** 0.5)
        True
    """

    _PRESET = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Glorot (Xavier) normal: truncated normal with std ``sqrt(2 / (fan_in + fan_out))``.

    Args:
        seed: None, or an int for the same values on every call.

    Example:
        >>> GlorotNormal(seed=0)((4, 3)).shape
        (4, 3)
    """

    _PRESET = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_Preset):
    """He (Kaiming) normal, for ReLU layers: truncated normal with std ``sqrt(2 / fan_in)``.

    Args:
        seed: None, or an int for the same values on every call.

    Example:
        >>> HeNormal(seed=0)((3, 3, 8, 16)).shape
        (3, 3, 8, 16)
    """

    _PRESET = (2.0, "fan_in", "truncated_normal")


class HeUniform(_Preset):
    """He (Kaiming) uniform: uniform on [-limit, limit], ``limit = sqrt(6 / fan_in)``.

    Args:
        seed: None, or an int for the same values on every call.

    Example:
        >>> HeUniform(seed=0)((10, 5)).shape
        (10, 5)
    """

    _PRESET = (2.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """LeCun normal (for SELU networks): truncated normal with std ``sqrt(1 / fan_in)``.

    Args:
        seed: None, or an int for the same values on every call.

    Example:
        >>> LecunNormal(seed=0)((10, 5)).shape
        (10, 5)
    """

    _PRESET = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """LeCun uniform: uniform on [-limit, limit], ``limit = sqrt(3 / fan_in)``.

    Args:
        seed: None, or an int for the same values on every call.

    Example:
        >>> LecunUniform(seed=0)((10, 5)).shape
        (10, 5)
    """

    _PRESET = (1.0, "fan_in", "uniform")


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``, from the QR decomposition of a normal matrix.

    Shapes with more than 2 axes are treated as a matrix ``(prod(shape[:-1]), shape[-1])``.
    With fewer rows than columns the rows are orthonormal, otherwise the columns are.
    Popular for recurrent kernels: multiplying by an orthogonal matrix preserves norms, so
    repeated application neither explodes nor vanishes.

    Args:
        gain: multiplicative factor.
        seed: None, or an int for the same values on every call.

    Example:
        >>> import numpy as np
        >>> q = Orthogonal(seed=0)((4, 4))
        >>> bool(np.allclose(q.T @ q, np.eye(4), atol=1e-5))
        True
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = _check_shape(shape, "Orthogonal"), _check_dtype(dtype, "Orthogonal", True)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: expected a shape of rank >= 2, received {shape} of rank {len(shape)}")
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))  # float64 for the QR
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))  # makes the result uniformly distributed over orthogonal matrices
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype)

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}
