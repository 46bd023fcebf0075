"""Layers, one file per family (Keras names, arguments and weight layouts).

- ``base``: ``Layer`` (the lifecycle: ``__init__`` / ``build`` / ``call`` / ``get_config``)
- ``core``: ``Input``, ``InputLayer``, ``Dense``, ``Activation``, ``Dropout``, ``Flatten``,
  ``Reshape``, ``Lambda``
- ``activation``: ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``, ``Softmax``, ``Maxout``
- ``merge``: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``,
  ``Concatenate``
"""
from glassnet.layers.base import Layer  # noqa: F401
from glassnet.layers.core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Lambda, Reshape  # noqa: F401
from glassnet.layers.activation import ELU, LeakyReLU, Maxout, PReLU, ReLU, Softmax  # noqa: F401
from glassnet.layers.merge import Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract  # noqa: F401
# Families being written in parallel; each module lists its public layers in ``__all__``.
from glassnet.layers import convolution, normalization, pooling, reshaping  # noqa: E402
from glassnet.layers.convolution import *  # noqa: F401,F403,E402
from glassnet.layers.pooling import *  # noqa: F401,F403,E402
from glassnet.layers.reshaping import *  # noqa: F401,F403,E402
from glassnet.layers.normalization import *  # noqa: F401,F403,E402


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
for _module in (convolution, pooling, reshaping, normalization):
    _REGISTRY.update({name: getattr(_module, name) for name in _module.__all__})


def register(cls):
    """Make a layer class loadable by name (decorator for layers defined in later modules)."""
    _REGISTRY[cls.__name__] = cls
    return cls
