"""Layers, one file per family (Keras names, arguments and weight layouts).

- ``base``: ``Layer`` (the lifecycle: ``__init__`` / ``build`` / ``call`` / ``get_config``)
- ``core``: ``Input``, ``InputLayer``, ``Dense``, ``Dropout``, ``Lambda``
- ``activation_layers``: ``Activation``, ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``,
  ``Softmax``, ``Maxout`` (the layer classes; the functions they apply are in
  ``glassnet.ops.activations``, looked up by name through ``glassnet.activations``)
- ``merge``: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``,
  ``Concatenate``
- ``convolution``: ``Conv1D``/``2D``/``3D`` and ``Conv1DTranspose``/``2D``/``3D`` (im2col + GEMM)
- ``pooling``: ``MaxPooling1D``/``2D``/``3D``, ``AveragePooling1D``/``2D``/``3D``, their
  ``Global...`` forms, and Keras's short aliases (``MaxPool2D``, ``GlobalAvgPool2D``...)
- ``reshaping``: ``Flatten``, ``Reshape``, ``UpSampling1D``/``2D``/``3D``, ``ZeroPadding1D``/``2D``/``3D``,
  ``Cropping1D``/``2D``/``3D``, ``Permute``, ``RepeatVector``
- ``normalization``: ``BatchNormalization``, ``LayerNormalization``

Here: ``deserialize`` and ``get_layer_class``, which rebuild a saved layer from its class name
and config (models nested as layers included) without ever importing code named in a file.

Example:
    >>> from glassnet import Sequential, layers
    >>> model = Sequential([layers.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
    ...                     layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10, activation="softmax")])
    >>> model.output_shape
    (None, 10)
"""
from __future__ import annotations

import inspect

from glassnet.layers.base import Layer  # noqa: F401
from glassnet.layers.core import Dense, Dropout, Input, InputLayer, Lambda  # noqa: F401
from glassnet.layers.activation_layers import (  # noqa: F401
    ELU, Activation, LeakyReLU, Maxout, PReLU, ReLU, Softmax)
from glassnet.layers.merge import Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract  # noqa: F401
from glassnet.layers import activation_layers, convolution, normalization, pooling, reshaping  # noqa: E402
from glassnet.layers.convolution import (  # noqa: F401
    Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose)
from glassnet.layers.pooling import (  # noqa: F401
    AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D, AvgPool3D,
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool1D,
    GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D,
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D, MaxPool2D, MaxPool3D,
    MaxPooling1D, MaxPooling2D, MaxPooling3D)
from glassnet.layers.reshaping import (  # noqa: F401
    Cropping1D, Cropping2D, Cropping3D, Flatten, Permute, RepeatVector, Reshape, UpSampling1D,
    UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from glassnet.layers.normalization import BatchNormalization, LayerNormalization  # noqa: F401


# ---------------------------------------------------------------------------- rebuilding by name
def get_layer_class(name: str, custom_objects=None):
    """The layer class called ``name`` (used when loading a saved model; never imports code).

    Looks in ``custom_objects`` first, then among glassnet's own layers and models.

    Example:
        >>> get_layer_class("Dense")
        <class 'glassnet.layers.core.Dense'>
    """
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    cls = _REGISTRY.get(name)
    if cls is None:
        raise ValueError(f"unknown layer class {name!r}: not a glassnet layer; pass custom layers "
                         f"with custom_objects={{'{name}': YourLayer}}")
    return cls


def register(cls, name: str | None = None):
    """Make a class loadable by ``name`` (default: its class name) through ``get_layer_class``.

    The models package registers ``Sequential`` and ``Functional`` this way: a model can be
    used as a layer inside another model, so its class must be found by name like any layer's,
    but this package cannot import the models package (models are built on layers).

    Example:
        >>> @register
        ... class Sequential(Model): ...
    """
    _REGISTRY[name or cls.__name__] = cls
    return cls


def deserialize(entry: dict, custom_objects=None):
    """Rebuild one layer (with fresh weights) from ``{"class_name": ..., "config": ...}``.

    This is how every saved layer comes back: the class is looked up by name
    (``get_layer_class``), never imported from the file, and made by its ``from_config``.
    Models nested as layers come back the same way: ``Sequential.from_config`` and
    ``Model.from_config`` call this function for each of their own layers.

    Args:
        entry: a dict with the class name and the layer's ``get_config()`` output.
        custom_objects: dict of name -> class or function, for layers and functions that are
            not glassnet's own.

    Raises:
        ValueError: the entry is malformed, names an unknown class, or holds a config the class
            refuses.

    Example:
        >>> dense = deserialize({"class_name": "Dense", "config": {"units": 3, "name": "out"}})
        >>> dense.units, dense.name
        (3, 'out')
    """
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str) \
            or not isinstance(entry.get("config"), dict):
        raise ValueError(f"a layer entry must be {{'class_name': str, 'config': dict}}, "
                         f"found {str(entry)[:100]}")
    class_name, config = entry["class_name"], dict(entry["config"])
    cls = get_layer_class(class_name, custom_objects)
    # a model's config lists layers, a Lambda's names a function: their from_config takes the
    # custom objects too; a plain layer's from_config(config) only needs its own arguments
    takes_objects = "custom_objects" in inspect.signature(cls.from_config).parameters
    try:
        return cls.from_config(config, custom_objects) if takes_objects else cls.from_config(config)
    except (TypeError, ValueError) as err:
        if takes_objects:  # their errors already say which model or layer failed
            raise
        raise ValueError(f"invalid config for {class_name} layer '{config.get('name')}': {err}") from err


_REGISTRY = {cls.__name__: cls for cls in (
    InputLayer, Dense, Dropout, Lambda, Add, Subtract, Multiply, Average, Maximum, Minimum,
    Concatenate)}
# each family module lists its public layers (aliases included) in ``__all__``
for _module in (activation_layers, convolution, pooling, reshaping, normalization):
    _REGISTRY.update({name: getattr(_module, name) for name in _module.__all__})
