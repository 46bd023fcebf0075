"""``clone_model`` (the same architecture with fresh weights) and the JSON form of an
architecture (``model.to_json()`` / ``model_from_json``), as in Keras.

A clone is made of new layer objects: each layer is recreated from its config (its
``get_config``, then the class's ``from_config``), so it gets newly initialised weights, and the
model is wired again the way the original was: a ``Sequential`` stacks the cloned layers, a
functional model replays its recorded layer calls on new ``Input``s (a layer used twice is
cloned once and stays shared). Copy the weights over with
``clone.set_weights(model.get_weights())`` when you want the same numbers too.

The JSON string is the architecture only, the ``config.json`` part of a saved model: no
weights, no compile settings and no code (``glassnet.models.saving``).

Example:
    >>> import glassnet as gn
    >>> from glassnet import layers
    >>> model = gn.Sequential([layers.Input((4,)), layers.Dense(3)])
    >>> twin = gn.models.clone_model(model)
    >>> [l.get_config() == m.get_config() for l, m in zip(twin.layers, model.layers)]
    [True]
    >>> same = gn.models.model_from_json(model.to_json())
    >>> same.output_shape
    (None, 3)
"""
from __future__ import annotations

import json

from glassnet.layers import get_layer_class
from glassnet.layers.base import Layer
from glassnet.layers.core import Input, InputLayer, Lambda
from glassnet.layers.symbolic import flatten, map_structure
from glassnet.models.saving import model_config, model_from_config
from glassnet.models.trainer import Trainer


def _clone_layer(layer: Layer) -> Layer:
    """A new layer of the same class and config (fresh weights). A ``Lambda`` keeps its
    function object (its config only names the function)."""
    config = layer.get_config()
    if isinstance(layer, Lambda):
        config["function"] = layer.function
    return type(layer).from_config(config)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture as ``model`` and freshly initialised weights.

    Args:
        model: a ``Sequential`` or functional ``Model`` (models nested as layers are cloned too).
        input_tensors: optional ``Input`` tensor(s) to build the clone on (one per model input),
            instead of new ones of the same shapes.
        clone_function: ``layer -> new layer``, called once per layer (default: the layer
            rebuilt from its config). Returning the layer itself shares it, weights included,
            between the two models.

    Returns:
        A model of the same class, with the same model and layer names.

    Raises:
        TypeError: ``model`` is not a model, or ``clone_function`` returns something else than a layer.
        ValueError: a subclassed model without ``get_config``, or ``input_tensors`` that do not fit.

    Example:
        >>> clone = clone_model(model)
        >>> clone.set_weights(model.get_weights())    # now it computes the same function
    """
    if not isinstance(model, Trainer) or not isinstance(model, Layer):
        raise TypeError(f"clone_model: expected a Sequential or functional Model, received {type(model).__name__}")
    clone_function = clone_function or _clone_layer
    sequential, functional = get_layer_class("Sequential"), get_layer_class("Functional")
    if isinstance(model, sequential):
        return _clone_sequential(model, sequential, input_tensors, clone_function)
    if isinstance(model, functional):
        return _clone_functional(model, functional, input_tensors, clone_function)
    try:
        config = model.get_config()
    except NotImplementedError as err:
        raise ValueError(f"clone_model: {err}") from None
    return type(model).from_config(config)


def _cloned(layer, clone_function) -> Layer:
    new = clone_function(layer)
    if not isinstance(new, Layer):
        raise TypeError(f"clone_model: clone_function must return a layer, it returned "
                        f"{type(new).__name__} for layer '{layer.name}'")
    return new


def _clone_sequential(model, sequential, input_tensors, clone_function):
    clone = sequential(name=model.name)
    if input_tensors is not None:
        given = list(flatten(input_tensors))
        if len(given) != 1:
            raise ValueError(f"clone_model: a Sequential model has one input, received {len(given)} input tensors")
        clone.add(given[0])
    elif model._input_batch_shape is not None:
        shape = model._input_batch_shape
        clone.add(Input(batch_size=shape[0], shape=tuple(shape[1:])))
    for layer in model.layers:
        clone.add(_cloned(layer, clone_function))
    if not model.trainable:
        clone.trainable = False
    return clone


def _clone_functional(model, functional, input_tensors, clone_function):
    new_tensors = {}  # id(original symbolic tensor) -> its counterpart in the clone
    if input_tensors is not None:
        given = list(flatten(input_tensors))
        if len(given) != len(model.inputs):
            raise ValueError(f"clone_model: model '{model.name}' has {len(model.inputs)} inputs, received "
                             f"{len(given)} input tensors")
    else:
        given = [Input(batch_size=t.shape[0], shape=tuple(t.shape[1:]), name=t.node.layer.name, dtype=t.dtype)
                 for t in model.inputs]
    for original, new in zip(model.inputs, given):
        new_tensors[id(original)] = new
    clones = {}  # id(original layer) -> its clone: a layer called twice stays shared
    for node in model._nodes:
        layer = node.layer
        if isinstance(layer, InputLayer):
            continue
        if id(layer) not in clones:
            clones[id(layer)] = _cloned(layer, clone_function)
        args = map_structure(lambda t: new_tensors[id(t)], node.inputs)
        outputs = clones[id(layer)](args, **node.call_kwargs)
        for old, new in zip(flatten(node.outputs), flatten(outputs)):
            new_tensors[id(old)] = new
    inputs = map_structure(lambda t: new_tensors[id(t)], model._nested_inputs)
    outputs = map_structure(lambda t: new_tensors[id(t)], model._nested_outputs)
    clone = functional(inputs, outputs, name=model.name)
    if not model.trainable:
        clone.trainable = False
    return clone


def model_to_json(model, **kwargs) -> str:
    """The architecture of ``model`` as a JSON string (``{"class_name": ..., "config": ...}``,
    what ``config.json`` holds in a saved model); ``kwargs`` go to ``json.dumps`` (``indent=2``).

    Raises:
        ValueError: a part that cannot be described without code (an anonymous ``Lambda``).
    """
    return json.dumps(model_config(model), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A model rebuilt from ``model.to_json()``'s string, with freshly initialised weights.

    Args:
        json_string: the JSON text.
        custom_objects: dict of name -> class or function for layers and Lambda functions that
            are not glassnet's own (nothing is ever imported from the text).

    Raises:
        ValueError: the text is not JSON, or does not describe a glassnet model.

    Example:
        >>> same = model_from_json(model.to_json())
    """
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise TypeError(f"model_from_json: expected a JSON string, received {type(json_string).__name__}")
    try:
        config = json.loads(json_string)
    except json.JSONDecodeError as err:
        raise ValueError(f"model_from_json: the text is not valid JSON ({err})") from None
    return model_from_config(config, custom_objects, filepath="model_from_json")
