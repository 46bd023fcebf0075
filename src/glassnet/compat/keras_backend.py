"""Keras 2's ``keras.backend`` functions, on glassnet tensors (``K.int_shape``, ``K.ones``...).

``keras.backend`` (``from keras import backend as K``) was Keras 2's namespace for tensor
functions and global settings. Under ``glassnet run`` it is this module; each name is also
reachable as ``glassnet.backend.NAME``. Tensors here are glassnet ``Tensor``s; a "variable" is a
``Parameter``.

Example:
    >>> import numpy as np
    >>> from glassnet.compat import keras_backend as K
    >>> K.int_shape(K.zeros((2, 3)))
    (2, 3)
    >>> K.image_data_format()
    'channels_last'
"""
from __future__ import annotations

import numpy as np

from glassnet import backend as _backend, ops
from glassnet.backend import (  # noqa: F401  (Keras 2's names for the settings)
    clear_session, epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format)
from glassnet.core.tensor import Parameter, Tensor
from glassnet.layers.symbolic import SymbolicTensor

__all__ = ["clear_session", "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
           "set_image_data_format", "int_shape", "shape", "ndim", "dtype", "get_value", "batch_get_value",
           "set_value", "batch_set_value", "eval", "count_params", "variable", "constant", "ones", "zeros",
           "ones_like", "zeros_like", "random_normal", "random_uniform", "is_keras_tensor", "cast",
           "sum", "mean", "max", "min", "square", "sqrt", "exp", "log", "abs", "clip", "dot",
           "reshape", "concatenate", "expand_dims", "flatten", "relu", "sigmoid", "softmax", "tanh",
           "learning_phase", "backend", "set_learning_phase"]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def int_shape(x) -> tuple:
    """The shape as a tuple of ints (None for an unknown batch axis of a symbolic tensor)."""
    return tuple(x.shape)


def shape(x):
    """The shape as an int array (Keras 2 returned a tensor)."""
    return np.asarray(x.shape, dtype=np.int64)


def ndim(x) -> int:
    return len(x.shape)


def dtype(x) -> str:
    return np.dtype(x.dtype).name


def get_value(x):
    """The values of a variable or tensor as a NumPy array (``K.get_value(model.optimizer.lr)``)."""
    if isinstance(x, (int, float)):
        return x
    return np.array(_backend.to_host(_data(x)))


def batch_get_value(xs) -> list:
    return [get_value(x) for x in xs]


eval = get_value  # noqa: A001 - Keras 2's name


def set_value(x, value) -> None:
    """Set a variable's values, or an optimizer's learning rate read as Keras 2's
    ``model.optimizer.lr`` (``K.set_value(model.optimizer.lr, 0.001)``); a plain number cannot
    be set: write ``model.optimizer.learning_rate = value``."""
    if type(x).__name__ == "_LearningRateValue":  # Keras 2's K.set_value(model.optimizer.lr, 0.001)
        x.optimizer.learning_rate = float(value)
        return
    if not isinstance(x, Parameter):
        raise TypeError(f"set_value: expected a variable (a weight), received {type(x).__name__}; for the "
                        f"learning rate write model.optimizer.learning_rate = value")
    x.assign(value)


def batch_set_value(pairs) -> None:
    for x, value in pairs:
        set_value(x, value)


def count_params(x) -> int:
    """Number of scalars in a weight (or of a layer's weights)."""
    return int(x.count_params()) if hasattr(x, "count_params") else int(np.prod(x.shape))


_variables = 0


def variable(value, dtype=None, name=None) -> Parameter:
    """A trainable weight holding ``value``."""
    global _variables
    _variables += 1
    return Parameter(np.asarray(value, dtype=dtype or _backend.floatx()), name=name or f"variable_{_variables}")


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    arr = np.asarray(value, dtype=dtype or _backend.floatx())
    return Tensor(np.broadcast_to(arr, shape).copy() if shape is not None else arr)


def ones(shape, dtype=None, name=None) -> Tensor:
    return Tensor(np.ones(shape, dtype=dtype or _backend.floatx()))


def zeros(shape, dtype=None, name=None) -> Tensor:
    return Tensor(np.zeros(shape, dtype=dtype or _backend.floatx()))


def ones_like(x, dtype=None, name=None) -> Tensor:
    return Tensor(np.ones(x.shape, dtype=dtype or x.dtype))


def zeros_like(x, dtype=None, name=None) -> Tensor:
    return Tensor(np.zeros(x.shape, dtype=dtype or x.dtype))


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    rng = _backend.make_rng(seed)
    return Tensor(rng.normal(mean, stddev, size=shape).astype(dtype or _backend.floatx()))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    rng = _backend.make_rng(seed)
    return Tensor(rng.uniform(minval, maxval, size=shape).astype(dtype or _backend.floatx()))


def is_keras_tensor(x) -> bool:
    """True for a symbolic tensor from ``Input`` or a layer called on one."""
    return isinstance(x, SymbolicTensor)


def cast(x, dtype) -> Tensor:
    return ops.cast(x, dtype)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return ops.sum(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    return ops.mean(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return ops.max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return ops.min(x, axis=axis, keepdims=keepdims)


square, sqrt, exp, log, abs = ops.square, ops.sqrt, ops.exp, ops.log, ops.abs  # noqa: A001
dot, reshape, expand_dims, flatten = ops.matmul, ops.reshape, ops.expand_dims, ops.flatten
relu, sigmoid, softmax, tanh = ops.relu, ops.sigmoid, ops.softmax, ops.tanh


def clip(x, min_value, max_value):
    return ops.clip(x, min_value, max_value)


def concatenate(tensors, axis=-1):
    return ops.concatenate(tensors, axis=axis)


def learning_phase() -> int:
    """0: glassnet passes ``training=`` to layers instead of a global phase."""
    return 0


def set_learning_phase(value) -> None:
    """Accepted and ignored: glassnet passes ``training=`` to each call (``fit`` sets it)."""


def backend() -> str:  # noqa: F811 - Keras 2's K.backend() names the engine
    """``'glassnet'``: the engine under this Keras API."""
    return "glassnet"
