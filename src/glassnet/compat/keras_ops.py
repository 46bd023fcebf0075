"""What ``keras.ops`` gives under ``glassnet run``: glassnet's ops plus Keras 3's other names.

Every function of ``glassnet.ops`` is here under its own name; added are the Keras 3 names
programs call around them: ``shape`` (a tuple), ``ones``/``zeros`` (and ``_like``), ``arange``,
``convert_to_tensor``, ``convert_to_numpy``, ``argmax``/``argmin``, ``one_hot``, ``std``,
``dot``, ``stop_gradient``, ``leaky_relu``/``elu`` with Keras's argument names. Results are
glassnet ``Tensor``s (integer results carry no gradient).

Example:
    >>> from glassnet.compat import keras_ops as ops
    >>> ops.shape(ops.ones((2, 3)))
    (2, 3)
"""
from __future__ import annotations

import numpy as np

from glassnet import backend, ops as _ops
from glassnet.core.tensor import Tensor

_OWN = ["shape", "ones", "zeros", "ones_like", "zeros_like", "full", "arange", "convert_to_tensor",
        "convert_to_numpy", "argmax", "argmin", "one_hot", "std", "dot", "stop_gradient", "leaky_relu", "elu",
        "mean", "sum", "max", "min", "concatenate", "stack", "squeeze", "expand_dims", "reshape", "transpose"]
_OPS = [n for n in dir(_ops) if not n.startswith("_") and callable(getattr(_ops, n))
        and not isinstance(getattr(_ops, n), type(np))]
__all__ = sorted(set(_OPS) | set(_OWN))


def __getattr__(name):
    value = getattr(_ops, name, None)
    if value is None or isinstance(value, type(np)):  # glassnet.ops.shape is a module, not an op
        raise AttributeError(f"keras.ops.{name} is not in glassnet (yet); glassnet.ops lists the ops it has")
    return value


def _host(x):
    return backend.to_host(x.data if isinstance(x, Tensor) else x)


def shape(x) -> tuple:
    """The shape as a tuple of ints (Keras 3's ``ops.shape``)."""
    return tuple(x.shape)


def ones(shape, dtype=None) -> Tensor:
    return Tensor(np.ones(shape, dtype=dtype or backend.floatx()))


def zeros(shape, dtype=None) -> Tensor:
    return Tensor(np.zeros(shape, dtype=dtype or backend.floatx()))


def full(shape, fill_value, dtype=None) -> Tensor:
    return Tensor(np.full(shape, fill_value, dtype=dtype or backend.floatx()))


def ones_like(x, dtype=None) -> Tensor:
    return Tensor(np.ones(x.shape, dtype=dtype or x.dtype))


def zeros_like(x, dtype=None) -> Tensor:
    return Tensor(np.zeros(x.shape, dtype=dtype or x.dtype))


def arange(start, stop=None, step=1, dtype=None) -> Tensor:
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return Tensor(values.astype(dtype) if dtype else values, dtype=dtype or values.dtype)


def convert_to_tensor(x, dtype=None, sparse=None) -> Tensor:
    if isinstance(x, Tensor):
        return x if dtype is None else _ops.cast(x, dtype)
    arr = np.asarray(x, dtype=dtype)
    return Tensor(arr, dtype=arr.dtype if dtype is not None or arr.dtype.kind in "iub" else None)


def convert_to_numpy(x) -> np.ndarray:
    """A NumPy array of the values (host memory)."""
    return np.asarray(_host(x))


def argmax(x, axis=None, keepdims=False) -> Tensor:
    out = np.argmax(_host(x), axis=axis, keepdims=keepdims)
    return Tensor(np.asarray(out, dtype=np.int32), dtype=np.int32)


def argmin(x, axis=None, keepdims=False) -> Tensor:
    out = np.argmin(_host(x), axis=axis, keepdims=keepdims)
    return Tensor(np.asarray(out, dtype=np.int32), dtype=np.int32)


def one_hot(x, num_classes, axis=-1, dtype=None) -> Tensor:
    idx = np.asarray(_host(x), dtype=np.int64)
    out = np.eye(num_classes, dtype=dtype or backend.floatx())[idx]
    return Tensor(np.moveaxis(out, -1, axis) if axis != -1 else out)


def std(x, axis=None, keepdims=False) -> Tensor:
    return _ops.sqrt(_ops.var(convert_to_tensor(x), axis=axis, keepdims=keepdims))


def dot(x1, x2) -> Tensor:
    return _ops.matmul(x1, x2)


def stop_gradient(x) -> Tensor:
    return x.detach() if isinstance(x, Tensor) else Tensor(x)


def leaky_relu(x, negative_slope=0.2) -> Tensor:
    return _ops.leaky_relu(x, negative_slope)


def elu(x, alpha=1.0) -> Tensor:
    return _ops.elu(x, alpha)


def mean(x, axis=None, keepdims=False) -> Tensor:
    return _ops.mean(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return _ops.sum(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False, initial=None) -> Tensor:  # noqa: A001
    return _ops.max(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False, initial=None) -> Tensor:  # noqa: A001
    return _ops.min(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def concatenate(xs, axis=0) -> Tensor:
    return _ops.concatenate(list(xs), axis=axis)


def stack(x, axis=0) -> Tensor:
    return _ops.stack(list(x), axis=axis)


def squeeze(x, axis=None) -> Tensor:
    return _ops.squeeze(convert_to_tensor(x), axis)


def expand_dims(x, axis) -> Tensor:
    return _ops.expand_dims(convert_to_tensor(x), axis)


def reshape(x, newshape) -> Tensor:
    return _ops.reshape(convert_to_tensor(x), tuple(newshape) if not isinstance(newshape, int) else (newshape,))


def transpose(x, axes=None) -> Tensor:
    return _ops.transpose(convert_to_tensor(x), axes)
