"""Weight initializers, as Keras's ``keras.initializers``.

An initializer is an object you call with a shape (and optionally a dtype) to get a NumPy
array of starting values: ``GlorotUniform()((784, 128))``. Layers accept them by name
(``Dense(10, kernel_initializer="he_normal")``) and turn the name into an object with ``get``.

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
    >>> from glassnet import initializers
    >>> w = initializers.get("glorot_uniform")((3, 2))
    >>> w.shape, w.dtype
    ((3, 2), dtype('float32'))
"""
from __future__ import annotations

import inspect
import math

import numpy as np

from glassnet import backend

# The standard deviation of a standard normal truncated to [-2, 2]. Dividing by it makes the
# *truncated* distribution have the requested standard deviation (Keras uses the same constant).
_TRUNCATED_STDDEV = 0.87962566103423978


# ---------------------------------------------------------------------------- helpers
def _check_shape(shape, who: str) -> tuple:
    """``shape`` as a tuple of non-negative ints (an int n means ``(n,)``)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"{who}: expected a shape (tuple of ints), received {shape!r}") from None
    for d in shape:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise ValueError(f"{who}: expected a shape of non-negative ints, received {shape!r}")
    return tuple(int(d) for d in shape)


def _check_dtype(dtype, who: str, float_only: bool = False) -> np.dtype:
    dtype = np.dtype(backend.floatx() if dtype is None else dtype)
    if float_only and dtype.kind != "f":
        raise ValueError(f"{who}: expected a float dtype for random values, received {dtype}")
    return dtype


def _check_seed(seed, who: str):
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{who}: expected seed to be None or a non-negative int, received {seed!r}")
    return int(seed)


def _work_dtype(dtype: np.dtype):
    """NumPy draws float32 or float64 directly; anything else (float16) is drawn in float32."""
    return dtype if dtype in (np.dtype("float32"), np.dtype("float64")) else np.dtype("float32")


def compute_fans(shape) -> tuple:
    """The number of inputs and outputs a weight of this shape connects, as Keras computes them.

    - scalar: (1, 1);  vector ``(n,)``: (n, n)
    - Dense kernel ``(in, out)``: (in, out)
    - convolution kernel ``(k1, ..., in, out)``: each output sums over a whole window, so both
      counts are multiplied by the receptive field size ``k1 * k2 * ...``.

    Args:
        shape: the weight's shape.

    Returns:
        ``(fan_in, fan_out)`` as ints.

    Example:
        >>> compute_fans((3, 3, 16, 32))   # a 3x3 Conv2D from 16 to 32 channels
        (144, 288)
    """
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive_field = 1
    for d in shape[:-2]:
        receptive_field *= d
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


# ---------------------------------------------------------------------------- base class
class Initializer:
    """Base class: call it with a shape to get an array of initial values.

    Subclasses implement ``__call__(shape, dtype=None)`` and, if they take arguments,
    ``get_config()`` returning those arguments (so ``from_config`` can rebuild them).

    Example:
        >>> class Twos(Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return np.full(shape, 2, dtype=dtype or backend.floatx())
        >>> Twos()((2,))
        array([2., 2.], dtype=float32)
    """

    def __call__(self, shape, dtype=None) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype=None)")

    def get_config(self) -> dict:
        """The constructor arguments, JSON-serialisable."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        """Rebuild an initializer from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# ---------------------------------------------------------------------------- constants
class Zeros(Initializer):
    """All zeros (the default for biases).

    Example:
        >>> Zeros()((2, 2))
        array([[0., 0.],
               [0., 0.]], dtype=float32)
    """

    def __call__(self, shape, dtype=None):
        return np.zeros(_check_shape(shape, "Zeros"), dtype=_check_dtype(dtype, "Zeros"))


class Ones(Initializer):
    """All ones (the default for batch-norm scales).

    Example:
        >>> Ones()((3,))
        array([1., 1., 1.], dtype=float32)
    """

    def __call__(self, shape, dtype=None):
        return np.ones(_check_shape(shape, "Ones"), dtype=_check_dtype(dtype, "Ones"))


class Constant(Initializer):
    """Every value equal to ``value`` (a number, or an array that broadcasts to the shape).

    Args:
        value: the constant.

    Example:
        >>> Constant(0.1)((2,))
        array([0.1, 0.1], dtype=float32)
    """

    def __init__(self, value=0.0):
        arr = np.asarray(value)
        if arr.dtype.kind not in "fiub":
            raise ValueError(f"Constant: expected a number or numeric array, received {value!r}")
        self.value = value

    def __call__(self, shape, dtype=None):
        shape = _check_shape(shape, "Constant")
        value = np.asarray(self.value)
        try:
            np.broadcast_shapes(value.shape, shape)
        except ValueError:
            raise ValueError(f"Constant: value of shape {value.shape} cannot fill shape {shape}") from None
        return np.full(shape, value, dtype=_check_dtype(dtype, "Constant"))

    def get_config(self):
        value = self.value
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        return {"value": value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; non-square gives ones on the diagonal).

    Args:
        gain: multiplicative factor.

    Example:
        >>> Identity()((2, 2))
        array([[1., 0.],
               [0., 1.]], dtype=float32)
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _check_shape(shape, "Identity")
        if len(shape) != 2:
            raise ValueError(f"Identity: expected a 2-D shape, received {shape} of rank {len(shape)}")
        dtype = _check_dtype(dtype, "Identity")
        out = np.eye(shape[0], shape[1], dtype=dtype)
        out *= np.asarray(self.gain, dtype=dtype)
        return out

    def get_config(self):
        return {"gain": self.gain}


# ---------------------------------------------------------------------------- random
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


# ---------------------------------------------------------------------------- lookup
_CLASSES = (Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal,
            LecunUniform, Orthogonal)

_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "identity": Identity,
    "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform, "orthogonal": Orthogonal,
    # Keras aliases
    "zero": Zeros, "one": Ones, "normal": RandomNormal, "uniform": RandomUniform,
    "xavier_uniform": GlorotUniform, "xavier_normal": GlorotNormal,
}
_BY_CLASS_NAME = {cls.__name__: cls for cls in _CLASSES}


def _lookup(name: str, custom_objects=None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _BY_CLASS_NAME:
        return _BY_CLASS_NAME[name]
    key = name.lower()
    if key in _BY_NAME:
        return _BY_NAME[key]
    for cls_name, cls in _BY_CLASS_NAME.items():
        if cls_name.lower() == key:
            return cls
    raise ValueError(f"unknown initializer {name!r}; expected one of {sorted(_BY_NAME)}")


def serialize(initializer):
    """``{"class_name": ..., "config": ...}`` for an initializer (None stays None).

    A plain function is saved by its ``__name__`` (load it back with ``custom_objects``).

    Example:
        >>> serialize(HeNormal(seed=1))
        {'class_name': 'HeNormal', 'config': {'seed': 1}}
    """
    if initializer is None:
        return None
    if isinstance(initializer, Initializer):
        return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
    return getattr(initializer, "__name__", repr(initializer))


def deserialize(config, custom_objects=None):
    """Rebuild an initializer from ``serialize``'s output (or a name).

    Args:
        config: a dict ``{"class_name": ..., "config": {...}}`` or a name.
        custom_objects: optional ``{name: class or function}`` for your own initializers.
    """
    if isinstance(config, str):
        obj = _lookup(config, custom_objects)
        return obj() if inspect.isclass(obj) else obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"initializer config: expected a dict with 'class_name' and 'config', received {config!r}")
    cls = _lookup(config["class_name"], custom_objects)
    if not inspect.isclass(cls):
        return cls
    kwargs = config.get("config") or {}
    return cls.from_config(kwargs) if hasattr(cls, "from_config") else cls(**kwargs)


def get(identifier):
    """Resolve an initializer: None, a name, a config dict, an instance, a class or a function.

    Names are Keras's: ``"zeros"``, ``"ones"``, ``"glorot_uniform"``, ``"he_normal"``,
    ``"truncated_normal"``, ``"random_normal"``, ... (class names such as ``"HeNormal"`` work
    too). A function must take ``(shape, dtype=None)`` and return an array.

    Raises:
        ValueError: for an unknown name, listing the known ones.

    Example:
        >>> get("he_normal")
        HeNormal(seed=None)
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"could not interpret initializer: expected a name, config dict, Initializer or "
                     f"function, received {identifier!r}")
