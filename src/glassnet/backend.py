"""The array seam: the one place that decides the array library, the default dtype and seeding.

Ops, layers, losses and optimizers never call NumPy on the arrays they compute with. They ask
for the array library of those arrays, as DeZero's ``get_array_module`` and Chainer's
``cuda.get_array_module`` do:

- inside a ``Function``, ``self.xp`` is the library of the op's inputs;
- elsewhere, ``backend.array_module(*arrays)`` returns it.

For NumPy arrays that library is ``numpy``. A device backend (CuPy, on a GPU) registers its array
type here with ``register_array_module`` and every op then runs on its arrays unchanged: this
module is the only one that will import CuPy. Host-only code (datasets, plotting, saving,
metrics, the labs) works on NumPy arrays and says so; it gets device arrays back to the host with
``to_host``.

The module also holds the default float dtype (``floatx``, float32), seeding and default names.

Example:
    >>> import numpy as np
    >>> from glassnet import backend
    >>> backend.floatx()
    'float32'
    >>> backend.array_module(np.zeros(3)) is np
    True
    >>> backend.set_seed(0)
"""
from __future__ import annotations

import ctypes
import os
import re
import sys

import numpy as np

# Array types of device libraries -> their module (NumPy's own ndarray is not listed: it is the
# default). Empty on the CPU; a lookup by exact type keeps ``array_module`` cheap, since every
# op calls it. Change it only through ``register_array_module``.
DEVICE_ARRAY_MODULES: dict = {}


def array_module(*arrays):
    """The array library (a module like ``numpy``) that ``arrays`` live in.

    The first array whose type a device backend registered decides; otherwise NumPy. Python
    numbers, NumPy scalars and ``None`` are allowed and ignored.

    Example:
        >>> xp = array_module(x)            # numpy for NumPy arrays, cupy for CuPy arrays
        >>> y = xp.exp(x) / xp.exp(x).sum()
    """
    if DEVICE_ARRAY_MODULES:
        for a in arrays:
            module = DEVICE_ARRAY_MODULES.get(type(a))
            if module is not None:
                return module
    return np


def register_array_module(array_type: type, module) -> None:
    """Make ``array_module`` answer ``module`` for arrays of exactly ``array_type``.

    How a device backend plugs in: ``register_array_module(cupy.ndarray, cupy)``. ``module``
    must offer the NumPy API that glassnet's ops use (CuPy does), including
    ``module.lib.stride_tricks.as_strided``.
    """
    DEVICE_ARRAY_MODULES[array_type] = module


def unregister_array_module(array_type: type) -> None:
    """Undo ``register_array_module`` (tests use it to clean up)."""
    DEVICE_ARRAY_MODULES.pop(array_type, None)


def is_device_array(value) -> bool:
    """True for an array of a registered device library (not NumPy)."""
    return type(value) in DEVICE_ARRAY_MODULES


def to_host(value) -> np.ndarray:
    """``value`` as a NumPy array in host memory: a device array is copied back (``.get()``,
    as CuPy spells it); NumPy arrays and array-likes go through ``numpy.asarray``."""
    if type(value) in DEVICE_ARRAY_MODULES:
        return value.get()
    return np.asarray(value)


def _keep_freed_memory_in_heap() -> bool:
    """Ask glibc to reuse freed memory for big arrays instead of returning it to the OS.

    By default glibc serves each allocation above 128 KiB-32 MiB with a fresh ``mmap`` and
    gives it back on free. A training step frees and re-allocates the same large activations
    and gradients every step, so every step then pays a page fault (and the kernel zeroing a
    page) for every 4 KiB touched: measured here, that made the MLP benchmark's backward pass
    1.8x slower. Keeping those blocks in the heap removes the faults. Set the environment
    variable ``GLASSNET_MALLOC_TUNING=0`` to leave the allocator alone.
    """
    if not sys.platform.startswith("linux") or os.environ.get("GLASSNET_MALLOC_TUNING", "1") == "0":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3  # constants from glibc's malloc.h
        ok = libc.mallopt(m_mmap_threshold, 32 * 2**20)       # the largest value glibc accepts
        ok &= libc.mallopt(m_trim_threshold, 1 * 2**30)
        return bool(ok)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return False


MALLOC_TUNED = _keep_freed_memory_in_heap()

_FLOATX = "float32"
_rng = np.random.default_rng()


def floatx() -> str:
    """Return the default float dtype name (``'float32'`` unless changed with ``set_floatx``)."""
    return _FLOATX


def set_floatx(dtype: str) -> None:
    """Set the default float dtype (``'float32'`` or ``'float64'``; float64 is for gradient checks)."""
    global _FLOATX
    if np.dtype(dtype) not in (np.dtype("float16"), np.dtype("float32"), np.dtype("float64")):
        raise ValueError(f"set_floatx: expected one of float16, float32, float64, received {dtype!r}")
    _FLOATX = np.dtype(dtype).name


_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


def epsilon() -> float:
    """The fuzz factor Keras programs read (``keras.backend.epsilon()``, default ``1e-7``)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the value ``epsilon()`` returns (glassnet's losses keep their own ``1e-7``)."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """``'channels_last'``: glassnet's images are (batch, height, width, channels), always."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Accepts ``'channels_last'`` only: glassnet's layers compute on channels-last images."""
    if data_format != "channels_last":
        raise ValueError(f"set_image_data_format: glassnet's layers are channels-last only, received "
                         f"{data_format!r}; write images as (batch, height, width, channels)")


def set_seed(seed: int | None) -> None:
    """Seed glassnet's global random generator (weight initialisers, dropout, shuffling)."""
    global _rng
    _rng = np.random.default_rng(seed)


def rng() -> np.random.Generator:
    """Return glassnet's global random generator."""
    return _rng


def make_rng(seed: int | None = None) -> np.random.Generator:
    """A generator from ``seed``, or a child of the global generator when ``seed`` is None.

    Drawing a child keeps ``set_seed`` reproducible while letting each consumer own its stream.
    """
    if seed is None:
        return np.random.default_rng(_rng.integers(0, 2**63 - 1))
    return np.random.default_rng(seed)


def as_array(value, dtype=None) -> np.ndarray:
    """Convert ``value`` to an array. Python and float64 inputs become ``floatx()`` unless
    ``dtype`` is given; integer and bool arrays keep their dtype (labels, masks, indices).
    An array of a device library stays on its device."""
    if isinstance(value, np.ndarray) or type(value) in DEVICE_ARRAY_MODULES:
        if dtype is not None:
            return value.astype(dtype, copy=False)
        if value.dtype == np.float64 and _FLOATX != "float64":
            return value.astype(_FLOATX)
        return value
    arr = np.asarray(value)
    if dtype is not None:
        return arr.astype(dtype, copy=False)
    if arr.dtype.kind == "f" or arr.dtype == object:
        return arr.astype(_FLOATX)
    if arr.dtype.kind in "iu" and arr.ndim == 0:
        # a Python int used as a number in arithmetic, not as a label
        return arr.astype(_FLOATX)
    return arr


_name_counts: dict = {}


def snake_case(name: str) -> str:
    """``"BatchNormalization"`` -> ``"batch_normalization"``, ``"Conv2D"`` -> ``"conv2d"``,
    ``"KLDivergence"`` -> ``"kl_divergence"`` (Keras's rule; how instances get default names)."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix: str) -> str:
    """``prefix``, then ``prefix_1``, ``prefix_2``... (how layers get default names)."""
    n = _name_counts.get(prefix, 0)
    _name_counts[prefix] = n + 1
    return prefix if n == 0 else f"{prefix}_{n}"


def clear_session() -> None:
    """Reset default layer names (``dense``, ``dense_1``...), as ``keras.backend.clear_session``."""
    _name_counts.clear()


def devices() -> list:
    """The compute devices glassnet can use here, e.g. ``["cpu"]``.

    Arrays are NumPy arrays, so only the CPU for now; the CuPy GPU backend of the roadmap
    will add ``"gpu"`` here when a GPU and CuPy are present.
    """
    return ["cpu"]


def __getattr__(name):
    # Keras 2's ``keras.backend`` functions on tensors (int_shape, get_value, ones...) live in
    # glassnet.compat.keras_backend, which needs the autograd core: found lazily, by name
    if name.startswith("__"):
        raise AttributeError(name)
    from glassnet.compat import keras_backend
    if name in keras_backend.__all__:
        return getattr(keras_backend, name)
    raise AttributeError(f"module 'glassnet.backend' has no attribute {name!r}")
