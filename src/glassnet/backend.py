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
        for library in _DEVICE_LIBRARIES.values():
            if type(value) is library.array_type:
                return library.to_host(value)
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


# --------------------------------------------------------------------------- devices
# Where new weights and the batches of fit/evaluate/predict go: "cpu" (NumPy) or "gpu:<i>" (a
# registered device library: CuPy, or a test double). CuPy is imported only when a GPU is
# asked for (set_device("gpu"), GLASSNET_DEVICE=gpu, devices()), never at ``import glassnet``.
GPU_INSTALL_HINT = 'pip install "glassnet[gpu]"'


class DeviceUnavailableError(RuntimeError):
    """Asked for a device glassnet cannot use here (no CuPy, no CUDA device, a bad index).

    The message says what is missing and how to install it; everything else keeps running on
    NumPy.

    Example:
        >>> try:
        ...     backend.set_device("gpu")
        ... except backend.DeviceUnavailableError as err:
        ...     print(err)          # "...CuPy is not installed... pip install "glassnet[gpu]"..."
    """


class DeviceLibrary:
    """A registered device library: the array module, its array type and the two copies.

    ``to_device(host_array)`` copies a NumPy array onto the device (``cupy.asarray``);
    ``to_host(device_array)`` copies back (``cupy.asnumpy``); ``count`` devices of the kind
    exist; ``select(i)`` makes device ``i`` the one new arrays go to (``cupy.cuda.Device(i).use()``).
    """

    def __init__(self, kind, module, array_type, to_device, to_host=None, count=1, select=None):
        self.kind, self.module, self.array_type = kind, module, array_type
        self.to_device = to_device
        self.to_host = to_host if to_host is not None else (lambda a: a.get())
        self.count, self.select = int(count), select

    def __repr__(self):
        return f"<DeviceLibrary {self.kind} {getattr(self.module, '__name__', self.module)!s} x{self.count}>"


_DEVICE_LIBRARIES: dict = {}   # "gpu" -> DeviceLibrary
_current_device = None         # "cpu" or "gpu:0"...; None until first use (reads GLASSNET_DEVICE)


def register_device(kind: str, module, array_type: type, to_device, to_host=None, count: int = 1,
                    select=None) -> DeviceLibrary:
    """Make ``module`` the array library of the device kind ``kind`` (only ``"gpu"`` for now).

    How CuPy plugs in (``load_cupy`` calls it), and how tests plug in a fake GPU library.
    It also registers ``array_type -> module`` with ``register_array_module``, so every op on
    such arrays computes with ``module``.

    Args:
        kind: ``"gpu"``.
        module: the array library (NumPy's API, as CuPy offers it).
        array_type: the type of its arrays (``cupy.ndarray``).
        to_device: copies a NumPy array onto the device (``cupy.asarray``).
        to_host: copies a device array back to NumPy (default: ``array.get()``).
        count: how many devices of this kind there are (``gpu:0`` ... ``gpu:<count-1>``).
        select: ``select(index)`` makes a device current (None: only one device is used).

    Example:
        >>> backend.register_device("gpu", cupy, cupy.ndarray, cupy.asarray, cupy.asnumpy)
        >>> backend.set_device("gpu")
    """
    if kind != "gpu":
        raise ValueError(f"register_device: expected kind 'gpu', received {kind!r}")
    library = DeviceLibrary(kind, module, array_type, to_device, to_host, count, select)
    register_array_module(array_type, module)
    _DEVICE_LIBRARIES[kind] = library
    return library


def unregister_device(kind: str) -> None:
    """Undo ``register_device``; when that device was the current one, the CPU becomes current."""
    global _current_device
    library = _DEVICE_LIBRARIES.pop(kind, None)
    if library is not None:
        unregister_array_module(library.array_type)
    if _current_device is not None and _current_device.startswith(kind):
        _current_device = "cpu"


def load_cupy(cupy_module=None) -> DeviceLibrary:
    """Import CuPy, check that it can compute on a CUDA device, and register it as ``"gpu"``.

    ``set_device("gpu")`` calls it; call it yourself only to pass another module than
    ``import cupy`` gives (tests do). Raises ``DeviceUnavailableError`` with what is missing:
    CuPy itself (install ``glassnet[gpu]``), a CUDA device or driver, or the CUDA libraries CuPy
    compiles its kernels with.

    Example:
        >>> backend.load_cupy()          # DeviceLibrary for cupy, or DeviceUnavailableError
    """
    if cupy_module is None:
        try:
            import cupy as cupy_module
        except Exception as err:  # ImportError; a broken CUDA install can raise others
            raise DeviceUnavailableError(
                f"glassnet: the GPU backend needs CuPy, which cannot be imported here ({type(err).__name__}: "
                f"{err}). Install it with: {GPU_INSTALL_HINT} (CuPy for CUDA 12), and use a machine with an "
                f"NVIDIA GPU; meanwhile glassnet runs on the CPU (set_device('cpu'))") from None
    try:
        count = int(cupy_module.cuda.runtime.getDeviceCount())
    except Exception as err:  # cupy.cuda.runtime.CUDARuntimeError: no driver, no device
        raise DeviceUnavailableError(
            f"glassnet: CuPy is installed but finds no usable CUDA device ({type(err).__name__}: {err}). "
            f"The GPU backend needs an NVIDIA GPU with its driver; glassnet runs on the CPU meanwhile "
            f"(set_device('cpu'))") from None
    if count < 1:
        raise DeviceUnavailableError("glassnet: CuPy is installed but this machine has no CUDA device; "
                                     "glassnet runs on the CPU (set_device('cpu'))")
    try:  # the first elementwise kernel is compiled with NVRTC: check the CUDA libraries are there
        probe = cupy_module.asarray(np.arange(3, dtype=np.float32)) * 2
        if not np.array_equal(cupy_module.asnumpy(probe), [0, 2, 4]):
            raise RuntimeError(f"2 * [0, 1, 2] gave {cupy_module.asnumpy(probe)}")
    except Exception as err:
        raise DeviceUnavailableError(
            f"glassnet: CuPy sees {count} CUDA device(s) but cannot compute on them ({type(err).__name__}: "
            f"{err}). Without a local CUDA Toolkit, install CuPy with its CUDA libraries: "
            f'pip install "cupy-cuda12x[ctk]"') from None

    def select(index):
        cupy_module.cuda.Device(index).use()

    return register_device("gpu", cupy_module, cupy_module.ndarray, to_device=cupy_module.asarray,
                           to_host=cupy_module.asnumpy, count=count, select=select)


def _parse_device(name) -> tuple:
    """``"cpu"`` -> ("cpu", 0); ``"gpu"``/``"cuda"`` -> ("gpu", 0); ``"gpu:1"`` -> ("gpu", 1)."""
    text = str(name).strip().lower()
    kind, _, index = text.partition(":")
    kind = "gpu" if kind == "cuda" else kind
    if kind == "cpu" and not index:
        return "cpu", 0
    if kind == "gpu" and (not index or index.isdigit()):
        return "gpu", int(index or 0)
    raise ValueError(f"expected a device 'cpu', 'gpu' or 'gpu:<index>', received {name!r}")


def canonical_device(name) -> str:
    """A device name in full: ``"gpu"`` -> ``"gpu:0"``, ``"CPU"`` -> ``"cpu"`` (ValueError otherwise)."""
    kind, index = _parse_device(name)
    return "cpu" if kind == "cpu" else f"{kind}:{index}"


def _gpu_library() -> DeviceLibrary:
    library = _DEVICE_LIBRARIES.get("gpu")
    return library if library is not None else load_cupy()


def set_device(name: str) -> str:
    """Make ``name`` the device that new weights and the batches of ``fit``/``evaluate``/
    ``predict`` go to: ``"cpu"`` (NumPy) or ``"gpu"`` / ``"gpu:<index>"`` (CuPy).

    The environment variable ``GLASSNET_DEVICE`` sets the starting device (read at first use).
    Models built while the device is ``"gpu"`` keep their weights there; ``model.to(device)``
    moves an existing one. Returns the device's full name (``"gpu:0"``).

    Raises:
        DeviceUnavailableError: a GPU was asked for and CuPy or a CUDA device is missing (the
            message says which, and ``pip install "glassnet[gpu]"``).
        ValueError: ``name`` is not a device name.

    Example:
        >>> backend.set_device("gpu")
        'gpu:0'
        >>> model = gn.Sequential([layers.Dense(10)])      # its weights are CuPy arrays
    """
    global _current_device
    kind, index = _parse_device(name)
    if kind == "cpu":
        _current_device = "cpu"
        return _current_device
    library = _gpu_library()
    if index >= library.count:
        raise DeviceUnavailableError(f"set_device: there is no gpu:{index}; this machine has {library.count} "
                                     f"GPU(s): {[f'gpu:{i}' for i in range(library.count)]}")
    if library.select is not None:
        library.select(index)
    _current_device = f"gpu:{index}"
    return _current_device


def get_device() -> str:
    """The current device: ``"cpu"`` or ``"gpu:<index>"`` (see ``set_device``).

    The first call reads ``GLASSNET_DEVICE`` (``cpu``, ``gpu``, ``gpu:1``); when it asks for a GPU
    glassnet cannot use, every call raises ``DeviceUnavailableError`` until ``set_device``.

    Example:
        >>> backend.get_device()
        'cpu'
    """
    if _current_device is None:
        return set_device(os.environ.get("GLASSNET_DEVICE", "").strip() or "cpu")
    return _current_device


def devices() -> list:
    """The compute devices glassnet can use here: ``["cpu"]``, plus ``"gpu:0"``... when CuPy
    and a CUDA device are present (asking imports CuPy, if installed).

    Example:
        >>> backend.devices()
        ['cpu']                          # ['cpu', 'gpu:0'] on a machine with a GPU and CuPy
    """
    try:
        library = _gpu_library()
    except DeviceUnavailableError:
        return ["cpu"]
    return ["cpu"] + [f"gpu:{i}" for i in range(library.count)]


def gpu_unavailable_reason():
    """Why glassnet cannot use a GPU here (the ``DeviceUnavailableError`` message), or None
    when it can. For labs and benchmarks that print a GPU row only when there is one."""
    try:
        _gpu_library()
    except DeviceUnavailableError as err:
        return str(err)
    return None


def device_of(value) -> str:
    """The device an array lives on: ``"cpu"`` for NumPy arrays (and numbers), ``"gpu:<i>"``
    for arrays of a registered device library."""
    for library in _DEVICE_LIBRARIES.values():
        if type(value) is library.array_type:
            index = getattr(getattr(value, "device", None), "id", 0)  # cupy: array.device.id
            return f"{library.kind}:{index if isinstance(index, int) else 0}"
    return "cpu"


def to_device(value, device: str | None = None):
    """``value`` (an array or array-like) as an array on ``device`` (default: the current one).

    Already there: returned as it is (no copy). To the CPU: a NumPy array (``to_host``). To a
    GPU: a copy on that device.

    Example:
        >>> import numpy as np
        >>> xg = backend.to_device(np.ones(3), "gpu")      # cupy array
        >>> backend.to_device(xg, "cpu")                   # NumPy array again
    """
    kind, index = _parse_device(get_device() if device is None else device)
    if kind == "cpu":
        return to_host(value)
    library = _gpu_library()
    if type(value) is library.array_type and device_of(value) == f"gpu:{index}":
        return value
    host = to_host(value)  # from another device (or library) through the host
    current = _parse_device(get_device())[1]
    switch = library.select is not None and index != current
    if switch:
        library.select(index)
    try:
        return library.to_device(host)
    finally:
        if switch:
            library.select(current)


def move_like(value, like):
    """``value`` on the device where the array ``like`` lives (no copy when already there)."""
    if type(value) is type(like):
        return value
    return to_device(value, device_of(like))


def __getattr__(name):
    # Keras 2's ``keras.backend`` functions on tensors (int_shape, get_value, ones...) live in
    # glassnet.compat.keras_backend, which needs the autograd core: found lazily, by name
    if name.startswith("__"):
        raise AttributeError(name)
    from glassnet.compat import keras_backend
    if name in keras_backend.__all__:
        return getattr(keras_backend, name)
    raise AttributeError(f"module 'glassnet.backend' has no attribute {name!r}")
