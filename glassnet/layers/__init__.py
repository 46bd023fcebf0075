"""Layers, one file per family (Keras names, arguments and weight layouts).

- ``base``: ``Layer`` (the lifecycle: ``__init__`` / ``build`` / ``call`` / ``get_config``)
- ``core``: ``Input``, ``InputLayer``, ``Dense``, ``Activation``, ``Dropout``, ``Flatten``,
  ``Reshape``, ``Lambda``
- ``activation``: ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``, ``Softmax``, ``Maxout``
- ``merge``: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``,
  ``Concatenate``
- ``convolution``: ``Conv1D``/``2D``/``3D`` and ``Conv1DTranspose``/``2D``/``3D`` (im2col + GEMM)
- ``pooling``: ``MaxPooling1D``/``2D``/``3D``, ``AveragePooling1D``/``2D``/``3D``, their
  ``Global...`` forms, and Keras's short aliases (``MaxPool2D``, ``GlobalAvgPool2D``...)
- ``reshaping``: ``UpSampling1D``/``2D``/``3D``, ``ZeroPadding1D``/``2D``/``3D``,
  ``Cropping1D``/``2D``/``3D``, ``Permute``, ``RepeatVector``
- ``normalization``: ``BatchNormalization``, ``LayerNormalization``

Example:
    >>> from glassnet import Sequential, layers
    >>> model = Sequential([layers.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
    ...                     layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10, activation="softmax")])
    >>> model.output_shape
    (None, 10)
"""
from glassnet.layers.base import Layer  # noqa: F401
from glassnet.layers.core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Lambda, Reshape  # noqa: F401
from glassnet.layers.activation import ELU, LeakyReLU, Maxout, PReLU, ReLU, Softmax  # noqa: F401
from glassnet.layers.merge import Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract  # noqa: F401
from glassnet.layers import convolution, normalization, pooling, reshaping  # noqa: E402
from glassnet.layers.convolution import (  # noqa: F401
    Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose)
from glassnet.layers.pooling import (  # noqa: F401
    AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D, AvgPool3D,
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool1D,
    GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D,
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D, MaxPool2D, MaxPool3D,
    MaxPooling1D, MaxPooling2D, MaxPooling3D)
from glassnet.layers.reshaping import (  # noqa: F401
    Cropping1D, Cropping2D, Cropping3D, Permute, RepeatVector, UpSampling1D, UpSampling2D,
    UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from glassnet.layers.normalization import BatchNormalization, LayerNormalization  # noqa: F401

def get_layer_class(name: str, custom_objects=None):
    """The layer class called ``name`` (used when loading a saved model; never imports code)."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    cls = _REGISTRY.get(name)
    if cls is None:
        raise ValueError(f"unknown layer class {name!r}: not a glassnet layer; pass custom layers "
                         f"with custom_objects={{'{name}': YourLayer}}")
    return cls


_REGISTRY = {cls.__name__: cls for cls in (
    InputLayer, Dense, Activation, Dropout, Flatten, Reshape, Lambda, ReLU, LeakyReLU, PReLU, ELU,
    Softmax, Maxout, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate)}
# each family module lists its public layers (aliases included) in ``__all__``
for _module in (convolution, pooling, reshaping, normalization):
    _REGISTRY.update({name: getattr(_module, name) for name in _module.__all__})


def register(cls):
    """Make a layer class loadable by name (decorator for layers defined in later modules)."""
    _REGISTRY[cls.__name__] = cls
    return cls
