"""The table of layer classes by name, and rebuilding a saved layer from its name and config.

Saved models name each layer's class (``"Dense"``); loading looks the class up here and calls
its ``from_config``: no code is ever imported or executed from a file. ``glassnet.layers``
fills the table with every built-in layer; the models package adds ``Sequential`` and
``Functional`` with ``register`` (a model can be a layer inside another model). This module
imports no layer family, so any layer module (an RNN rebuilding its cell, a wrapper its inner
layer) can use ``deserialize`` without an import cycle.
"""
from __future__ import annotations

import inspect

_REGISTRY: dict = {}


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
