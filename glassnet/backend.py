"""The array seam: the one place that decides the array library, the default dtype and seeding.

Everything else in glassnet asks this module for ``xp`` (the array namespace), ``floatx()`` (the
default float dtype) and random generators, so that a GPU backend (CuPy) can later be swapped in
here without touching ops or layers.

Example:
    >>> from glassnet import backend
    >>> backend.floatx()
    'float32'
    >>> backend.set_seed(0)
"""
from __future__ import annotations

import ctypes
import os
import re
import sys

import numpy as np

xp = np  # the array namespace; CuPy would replace it here and only here


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
    ``dtype`` is given; integer and bool arrays keep their dtype (labels, masks, indices)."""
    if isinstance(value, np.ndarray):
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
