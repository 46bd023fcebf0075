"""``Model``: a layer that can be trained, summarised and saved.

Three ways to make one, as in Keras:

- ``Sequential([...])``: a plain stack of layers (``models/sequential.py``);
- ``Model(inputs, outputs)``: a graph of layer calls from ``Input`` (``models/functional.py``);
- subclassing: ``class MyModel(Model)`` with layers as attributes and a ``call`` method.

Also here: ``compatible_shape``, the input-shape check both model kinds use.
"""
from __future__ import annotations

from glassnet.layers import get_layer_class
from glassnet.layers.base import Layer
from glassnet.models import saving
from glassnet.models.summary import print_summary
from glassnet.models.trainer import Trainer


def compatible_shape(expected, received) -> bool:
    """True if ``received`` fits ``expected``: same rank, and equal sizes wherever both are
    known (None matches anything).

    Example:
        >>> compatible_shape((None, 4), (32, 4)), compatible_shape((None, 4), (32, 5))
        (True, False)
    """
    return len(expected) == len(received) and all(
        e is None or r is None or e == r for e, r in zip(expected, received))


def _functional_class():
    """The class ``Model(inputs, outputs)`` makes.

    ``Functional`` subclasses ``Model``, so ``functional.py`` imports this module and this
    module cannot import it back (an import cycle); the class is found by name instead, in the
    layer registry where ``functional.py`` registers it.
    """
    return get_layer_class("Functional")


class Model(Trainer, Layer):
    """A trainable layer graph.

    ``Model(inputs, outputs)`` builds a functional model; subclass it for custom ``call`` code.

    Example:
        >>> inputs = Input(shape=(4,))
        >>> x = Dense(8, activation="relu")(inputs)
        >>> outputs = Dense(3, activation="softmax")(x)
        >>> model = Model(inputs, outputs)
        >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> model.fit(x_train, y_train, epochs=10)
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            return super().__new__(_functional_class())
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stop_training = False
        self.history = None

    # ------------------------------------------------------------------ structure
    @property
    def layers(self) -> list:
        """The model's layers, in order (input layers excluded, as in Keras)."""
        return list(self._sublayers)

    def get_layer(self, name=None, index=None) -> Layer:
        """A layer by ``name`` or by position ``index``."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"get_layer: index {index} out of range; the model has {len(self.layers)} layers")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"get_layer: no layer named {name!r}; layers are {[l.name for l in self.layers]}")

    @property
    def input_names(self) -> list:
        return ["input"]

    @property
    def output_names(self) -> list:
        return ["output"]

    def summary(self, line_length=None, print_fn=None, expand_nested=False, show_trainable=False) -> None:
        """Print each layer's output shape and parameter count, and the totals.

        Args:
            line_length: total width of the table.
            print_fn: called with each line instead of ``print`` (e.g. ``lines.append``).
            expand_nested: list the layers of models used as layers under their row.
            show_trainable: add a column saying whether each layer is trainable.

        The totals split trainable weights (updated by the optimizer) from non-trainable ones
        (BatchNormalization's moving statistics, frozen layers), as Keras does.
        """
        print_summary(self, line_length=line_length, print_fn=print_fn, expand_nested=expand_nested,
                      show_trainable=show_trainable)

    def save(self, filepath, overwrite=True, include_optimizer=True) -> None:
        """Save architecture, weights and optimizer state to one ``.glassnet`` file (a zip of
        JSON and ``.npy`` arrays: no pickle, no code). See ``glassnet.models.saving``."""
        saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True) -> None:
        """Save only the weights, to a ``.npz`` file keyed by weight names."""
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath) -> None:
        """Load weights saved by ``save_weights`` (or a full model file), checking names and shapes."""
        saving.load_weights(self, filepath)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuild a model from ``get_config()``'s output. ``Model.from_config`` accepts a
        functional config (as in Keras); a subclassed model gets ``cls(**config)``.

        Example:
            >>> clone = Model.from_config(model.get_config())   # same layers, fresh weights
        """
        if cls is Model and isinstance(config, dict) and "input_layers" in config and "layers" in config:
            return _functional_class().from_config(config, custom_objects)
        return cls(**config)

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__}: a subclassed model defines its structure in "
                                  f"Python code, which a model file never stores; override get_config, "
                                  f"or use save_weights/load_weights")
