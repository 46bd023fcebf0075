"""A stand-in for a GPU array library, to test that ops keep to the array seam.

``DeviceArray`` behaves like a CuPy array as far as glassnet can tell: arithmetic, methods,
indexing and ufuncs on it work and give ``DeviceArray`` results, but

- mixing it with a plain NumPy array (an operand, an index, an ``out=``) raises ``TypeError``,
  as CuPy refuses host arrays;
- calling a NumPy *function* on it (``np.where``, ``np.pad``, ``np.concatenate``...) raises
  ``TypeError``: code must call the array module's function (``xp.where``) instead.

``device`` is the array module that owns it (what ``backend.array_module`` returns for a
``DeviceArray``): every NumPy function, run on host views and wrapped back into ``DeviceArray``,
with a count of the calls in ``device.calls``.

Example:
    >>> with on_fake_device():
    ...     y = ops.exp(Tensor(to_device(x)))     # runs through device.exp
"""
from __future__ import annotations

import collections
import contextlib
import types

import numpy as np

from glassnet import backend


class DeviceArray(np.ndarray):
    """An ndarray that pretends to live on another device (see the module docstring)."""

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        _refuse_host_arrays(ufunc.__name__, inputs + (out or ()))
        host_inputs = [_host(x) for x in inputs]
        if out is not None:
            kwargs["out"] = tuple(_host(o) for o in out)
        result = getattr(ufunc, method)(*host_inputs, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func, types_, args, kwargs):
        raise TypeError(f"numpy.{func.__name__} was called on a device array: "
                        f"use the array module of the arrays (xp.{func.__name__})")

    def __getitem__(self, index):
        _refuse_host_arrays("indexing", _flat(index))
        return super().__getitem__(_host_index(index))

    def __setitem__(self, index, value):
        _refuse_host_arrays("index assignment", _flat(index) + (value,))
        super().__setitem__(_host_index(index), _host(value))

    def get(self) -> np.ndarray:
        """A host copy, as ``cupy.ndarray.get()``."""
        return np.array(self.view(np.ndarray))


def _flat(index) -> tuple:
    return index if isinstance(index, tuple) else (index,)


def _refuse_host_arrays(what: str, values) -> None:
    for v in values:
        if type(v) is np.ndarray:
            raise TypeError(f"{what}: a host (NumPy) array of shape {v.shape} met a device array; "
                            f"create arrays with the array module of the data")


def _host(x):
    return x.view(np.ndarray) if isinstance(x, DeviceArray) else x


def _host_index(index):
    if isinstance(index, tuple):
        return tuple(_host(i) for i in index)
    return _host(index)


def _wrap(x):
    """Results onto the device. A NumPy scalar from a 0-d result becomes a 0-d device array,
    as CuPy returns (``(a * b).sum()`` stays on the GPU)."""
    if isinstance(x, (tuple, list)):  # xp.split gives a list
        return type(x)(_wrap(v) for v in x)
    if type(x) is np.ndarray:
        return x.view(DeviceArray)
    if isinstance(x, np.generic):
        return np.asarray(x).view(DeviceArray)
    return x


def _unwrap_all(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap_all(v) for v in x)
    return _host(x)


class _FakeArrayModule(types.SimpleNamespace):
    """NumPy's namespace, each function run on host views and its results put on the device."""

    def __init__(self, numpy_namespace, calls):
        super().__init__()
        self._np, self.calls = numpy_namespace, calls

    def __getattr__(self, name):
        target = getattr(self._np, name)
        if isinstance(target, types.ModuleType):  # xp.lib.stride_tricks
            return _FakeArrayModule(target, self.calls)
        if not callable(target) or isinstance(target, type):
            return target  # dtypes, constants, np.float32, np.errstate
        if isinstance(target, np.ufunc):  # xp.add(a, b) and xp.add.at(...)
            return _FakeUfunc(target, name, self.calls)
        return _on_device(target, name, self.calls)


def _on_device(target, name, calls):
    """``target`` run on host views of its arguments, its results wrapped as device arrays."""
    def on_device(*args, **kwargs):
        calls[name] += 1
        args = [_unwrap_all(a) for a in args]
        kwargs = {k: _unwrap_all(v) for k, v in kwargs.items()}
        result = target(*args, **kwargs)
        if "out" in kwargs:  # written into the caller's (device) array
            return result if result is None else _wrap(result)
        return _wrap(result)

    on_device.__name__ = name
    return on_device


class _FakeUfunc:
    def __init__(self, ufunc, name, calls):
        self._ufunc, self._name, self._calls = ufunc, name, calls

    def __call__(self, *args, **kwargs):
        return _on_device(self._ufunc, self._name, self._calls)(*args, **kwargs)

    def __getattr__(self, method):  # at, reduce, accumulate, outer
        return _on_device(getattr(self._ufunc, method), f"{self._name}.{method}", self._calls)


device = _FakeArrayModule(np, collections.Counter())


def to_device(x):
    """A copy of ``x`` (array-like, Tensor data) on the fake device; other values unchanged."""
    if isinstance(x, np.ndarray):
        return np.array(x).view(DeviceArray)
    return x


@contextlib.contextmanager
def on_fake_device():
    """Register ``DeviceArray`` with glassnet's backend for the duration of the block."""
    backend.register_array_module(DeviceArray, device)
    try:
        yield device
    finally:
        backend.unregister_array_module(DeviceArray)
