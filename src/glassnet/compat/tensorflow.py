"""What ``import tensorflow as tf`` gives under ``glassnet run``: a thin module, not TensorFlow.

Keras-2-era programs import TensorFlow for ``tf.keras`` and a handful of calls around their
Keras code. Those are here, on glassnet:

- ``tf.keras`` (glassnet's Keras namespace), ``tf.__version__`` (a 2.x string marked glassnet);
- ``tf.random.set_seed`` (and ``normal``/``uniform``), ``tf.config.list_physical_devices``
  (the devices glassnet can use), ``tf.config.experimental.set_memory_growth`` (a no-op);
- ``tf.function`` (returns the function unchanged: glassnet runs eagerly), ``tf.GradientTape``
  (glassnet's), ``tf.Variable`` (a trainable ``Parameter``);
- ``tf.constant``/``convert_to_tensor``, dtypes (``tf.float32``...), and math on tensors:
  ``reduce_mean``/``reduce_sum``/``reduce_max``/``reduce_min``, ``square``, ``sqrt``, ``exp``,
  ``log``, ``abs``, ``maximum``, ``minimum``, ``matmul``, ``reshape``, ``transpose``, ``concat``,
  ``stack``, ``expand_dims``, ``squeeze``, ``clip_by_value``, ``cast``, ``shape``, ``argmax``,
  ``one_hot``, ``ones``/``zeros`` (and ``_like``), ``range``, ``where``, ``sigmoid``, ``tanh``,
  ``add``/``subtract``/``multiply``/``divide``, ``tf.math.*`` and ``tf.nn.*`` of those.

Anything else is TensorFlow itself and raises "tf.X is TensorFlow itself; glassnet runs Keras
programs, not TensorFlow graphs".

Example:
    >>> from glassnet.compat import tensorflow as tf
    >>> float(tf.reduce_mean(tf.square(tf.constant([1.0, 3.0]))))
    5.0
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

import glassnet
from glassnet import backend, ops
from glassnet.compat import keras  # noqa: F401  (tf.keras)
from glassnet.core.tensor import Parameter, Tensor

__version__ = f"2.16.1+glassnet.{glassnet.__version__}"

float16, float32, float64 = np.float16, np.float32, np.float64
int8, int16, int32, int64, uint8 = np.int8, np.int16, np.int32, np.int64, np.uint8
bool = np.bool_  # noqa: A001 - TensorFlow's name
string = np.str_
newaxis = None
Tensor = Tensor  # tf.Tensor, for isinstance checks


def _tensor(x, dtype=None):
    if isinstance(x, Tensor):
        return x if dtype is None else ops.cast(x, dtype)
    return Tensor(np.asarray(x, dtype=dtype) if dtype is not None else x,
                  dtype=dtype if dtype is not None else None)


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """A constant tensor (``tf.constant([1.0, 2.0])``)."""
    arr = np.asarray(value.data if isinstance(value, Tensor) else value, dtype=dtype)
    if shape is not None:
        arr = np.broadcast_to(arr, shape).copy()
    return Tensor(arr, dtype=arr.dtype if dtype is not None or arr.dtype.kind in "iub" else None)


def convert_to_tensor(value, dtype=None, name=None) -> Tensor:
    return value if isinstance(value, Tensor) and dtype is None else constant(value, dtype)


_variables = 0


def Variable(initial_value, trainable=True, name=None, dtype=None):  # noqa: N802 - TensorFlow's name
    """A weight (glassnet ``Parameter``) that a ``GradientTape`` can differentiate with respect to."""
    global _variables
    _variables += 1
    data = initial_value.data if isinstance(initial_value, Tensor) else initial_value
    return Parameter(np.asarray(data, dtype=dtype or backend.floatx()), name=name or f"Variable_{_variables}",
                     trainable=trainable)


def function(func=None, **kwargs):
    """``@tf.function`` (with or without arguments): the function unchanged; glassnet runs eagerly."""
    if func is None:
        return lambda f: f
    return func


def __getattr__(name):
    if name == "GradientTape":
        from glassnet.core.tape import GradientTape
        return GradientTape
    raise AttributeError(f"tf.{name} is TensorFlow itself; glassnet runs Keras programs, not TensorFlow graphs "
                         f"(what `import tensorflow as tf` gives under glassnet is listed in "
                         f"glassnet.compat.tensorflow)")


class _Namespace(SimpleNamespace):
    """A ``tf.X`` sub-namespace whose missing names get the one clear error."""

    def __init__(self, prefix, **names):
        super().__init__(**names)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"tf.{object.__getattribute__(self, '_prefix')}.{name} is TensorFlow itself; glassnet "
                             f"runs Keras programs, not TensorFlow graphs")


# ---------------------------------------------------------------- math
def reduce_mean(x, axis=None, keepdims=False, name=None):
    return ops.mean(_tensor(x), axis=axis, keepdims=keepdims)


def reduce_sum(x, axis=None, keepdims=False, name=None):
    return ops.sum(_tensor(x), axis=axis, keepdims=keepdims)


def reduce_max(x, axis=None, keepdims=False, name=None):
    return ops.max(_tensor(x), axis=axis, keepdims=keepdims)


def reduce_min(x, axis=None, keepdims=False, name=None):
    return ops.min(_tensor(x), axis=axis, keepdims=keepdims)


def _unary(fn):
    def apply(x, name=None):
        return fn(_tensor(x))
    apply.__name__ = fn.__name__
    return apply


square, sqrt, exp, log, abs, sigmoid, tanh, negative = (  # noqa: A001
    _unary(f) for f in (ops.square, ops.sqrt, ops.exp, ops.log, ops.abs, ops.sigmoid, ops.tanh, ops.negative))
relu, softmax = _unary(ops.relu), ops.softmax
add, subtract, multiply, divide, maximum, minimum, pow, matmul = (  # noqa: A001
    ops.add, ops.subtract, ops.multiply, ops.divide, ops.maximum, ops.minimum, ops.power, ops.matmul)


def cast(x, dtype, name=None):
    return ops.cast(_tensor(x), np.dtype(dtype))


def clip_by_value(x, clip_value_min, clip_value_max, name=None):
    return ops.clip(_tensor(x), clip_value_min, clip_value_max)


def reshape(x, shape, name=None):
    return ops.reshape(_tensor(x), tuple(shape))


def transpose(x, perm=None, name=None):
    return ops.transpose(_tensor(x), perm) if perm is not None else ops.transpose(_tensor(x))


def concat(values, axis, name=None):
    return ops.concatenate([_tensor(v) for v in values], axis=axis)


def stack(values, axis=0, name=None):
    return ops.stack([_tensor(v) for v in values], axis=axis)


def expand_dims(x, axis, name=None):
    return ops.expand_dims(_tensor(x), axis)


def squeeze(x, axis=None, name=None):
    return ops.squeeze(_tensor(x), axis)


def shape(x, name=None):
    """The shape as an int array (TensorFlow returns a tensor)."""
    return np.asarray(x.shape, dtype=np.int32)


def argmax(x, axis=None, output_type=np.int64, name=None):
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return Tensor(np.argmax(backend.to_host(data), axis=-1 if axis is None else axis).astype(output_type),
                  dtype=output_type)


def one_hot(indices, depth, dtype=np.float32, name=None):
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices, dtype=np.int64)
    return Tensor(np.eye(depth, dtype=dtype)[idx])


def ones(shape, dtype=np.float32, name=None):
    return Tensor(np.ones(shape, dtype=dtype), dtype=dtype)


def zeros(shape, dtype=np.float32, name=None):
    return Tensor(np.zeros(shape, dtype=dtype), dtype=dtype)


def ones_like(x, dtype=None, name=None):
    return Tensor(np.ones(x.shape, dtype=dtype or x.dtype))


def zeros_like(x, dtype=None, name=None):
    return Tensor(np.zeros(x.shape, dtype=dtype or x.dtype))


def range(start, limit=None, delta=1, dtype=None, name=None):  # noqa: A001
    values = np.arange(start, limit, delta) if limit is not None else np.arange(start)
    return Tensor(values.astype(dtype) if dtype is not None else values,
                  dtype=dtype or values.dtype)


def where(condition, x=None, y=None, name=None):
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if x is None and y is None:
        return Tensor(np.argwhere(backend.to_host(cond)), dtype=np.int64)
    return ops.where(cond, _tensor(x), _tensor(y))


# ---------------------------------------------------------------- namespaces
def set_seed(seed):
    """``tf.random.set_seed``: seeds glassnet's generator (weights, dropout, shuffling)."""
    glassnet.utils.set_random_seed(int(seed))


class PhysicalDevice(SimpleNamespace):
    """What ``tf.config.list_physical_devices`` returns: ``name`` and ``device_type``."""


def list_physical_devices(device_type=None):
    """The devices glassnet can use (``glassnet.backend.devices()``): the CPU; a GPU when the
    GPU backend finds one."""
    found = [PhysicalDevice(name=f"/physical_device:{d.upper()}:0", device_type=d.upper())
             for d in backend.devices()]
    return [d for d in found if device_type is None or d.device_type == device_type.upper()]


random = _Namespace("random", set_seed=set_seed, normal=glassnet.random.normal,
                    uniform=glassnet.random.uniform, shuffle=glassnet.random.shuffle)
config = _Namespace("config", list_physical_devices=list_physical_devices,
                    list_logical_devices=list_physical_devices,
                    run_functions_eagerly=lambda run_eagerly: None,
                    experimental=_Namespace("config.experimental", set_memory_growth=lambda device, enable: None,
                                            list_physical_devices=list_physical_devices),
                    set_visible_devices=lambda devices, device_type=None: None)
math = _Namespace("math", reduce_mean=reduce_mean, reduce_sum=reduce_sum, reduce_max=reduce_max,
                  reduce_min=reduce_min, square=square, sqrt=sqrt, exp=exp, log=log, abs=abs, sigmoid=sigmoid,
                  tanh=tanh, add=add, subtract=subtract, multiply=multiply, divide=divide, maximum=maximum,
                  minimum=minimum, pow=pow, argmax=argmax, negative=negative)
nn = _Namespace("nn", relu=relu, sigmoid=sigmoid, tanh=tanh, softmax=softmax)
debugging = _Namespace("debugging", set_log_device_placement=lambda enabled: None)
autograph = _Namespace("autograph", set_verbosity=lambda level, alsologtostdout=False: None)
get_logger = None  # replaced below: tf.get_logger().setLevel("ERROR") is common
compat = _Namespace("compat", v1=_Namespace("compat.v1", logging=_Namespace(
    "compat.v1.logging", set_verbosity=lambda level: None, ERROR=40, WARN=30, INFO=20)))


def _get_logger():
    import logging
    return logging.getLogger("glassnet.tensorflow")


get_logger = _get_logger  # noqa: F811
