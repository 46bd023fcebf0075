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
from glassnet.layers.symbolic import is_symbolic
from glassnet.models import cloning, saving
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


_TWINS = {}  # a Model subclass -> the class its MyModel(inputs, outputs) instances get


def _functional_twin(cls):
    """``cls`` combined with ``Functional`` (its methods first), under ``cls``'s own name, so
    that saved files name ``cls`` and ``isinstance(model, cls)`` holds. Made once per class."""
    twin = _TWINS.get(cls)
    if twin is None:
        twin = _TWINS[cls] = type(cls.__name__, (cls, _functional_class()),
                                  {"__module__": cls.__module__, "__qualname__": cls.__qualname__})
    return twin


def _functional_class():
    """The class ``Model(inputs, outputs)`` makes.

    ``Functional`` subclasses ``Model``, so ``functional.py`` imports this module and this
    module cannot import it back (an import cycle); the class is found by name instead, in the
    layer registry where ``functional.py`` registers it.
    """
    return get_layer_class("Functional")


class Model(Trainer, Layer):
    """A trainable layer graph.

    ``Model(inputs, outputs)`` builds a functional model; subclass it for custom ``call`` code,
    or to override ``train_step`` / ``test_step`` (see ``glassnet.models.steps``). A subclass
    called as ``MyModel(inputs, outputs)`` is a functional model that keeps MyModel's methods,
    as in Keras.

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
        outputs = args[1] if len(args) >= 2 else kwargs.get("outputs")
        if not issubclass(cls, _functional_class()) and is_symbolic(outputs if outputs is not None else []) \
                and is_symbolic(args[:1] or kwargs.get("inputs") or []):
            # ``class MyModel(Model)`` (a custom train_step, say) called as MyModel(inputs, outputs):
            # a functional model that keeps MyModel's methods, as in Keras
            return super().__new__(_functional_twin(cls))
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
    def input(self):
        """The model's symbolic input (a list for several), as Keras's ``model.input``."""
        inputs = self.__dict__.get("inputs")
        if inputs:  # a functional model
            return inputs[0] if len(inputs) == 1 else list(inputs)
        if self._sublayers and self._sublayers[0]._inbound_nodes:  # a built Sequential: its graph's input
            return self._sublayers[0]._inbound_nodes[-1].inputs
        return Layer.input.fget(self)

    @property
    def output(self):
        """The model's symbolic output (a list for several), as Keras's ``model.output``."""
        outputs = self.__dict__.get("outputs")
        if outputs:
            return outputs[0] if len(outputs) == 1 else list(outputs)
        if self._sublayers and self._sublayers[-1]._inbound_nodes:
            return self._sublayers[-1]._inbound_nodes[-1].outputs
        return Layer.output.fget(self)

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

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, **kwargs):
        """Keras 2's ``fit`` for a generator of ``(x, y)`` batches; warns once (Keras 3 removed it).
        The batches are drawn once and reused every epoch: see ``glassnet.compat.legacy``."""
        from glassnet.compat import legacy
        return legacy.fit_generator(self, generator, steps_per_epoch, epochs, **kwargs)

    def evaluate_generator(self, generator, steps=None, **kwargs):
        """Keras 2's ``evaluate`` for a generator; warns once (see ``glassnet.compat.legacy``)."""
        from glassnet.compat import legacy
        return legacy.evaluate_generator(self, generator, steps, **kwargs)

    def predict_generator(self, generator, steps=None, **kwargs):
        """Keras 2's ``predict`` for a generator; warns once (see ``glassnet.compat.legacy``)."""
        from glassnet.compat import legacy
        return legacy.predict_generator(self, generator, steps, **kwargs)

    def to_json(self, **kwargs) -> str:
        """The architecture as a JSON string, without weights; ``models.model_from_json`` rebuilds
        it with fresh weights. ``kwargs`` go to ``json.dumps``. See ``glassnet.models.cloning``."""
        return cloning.model_to_json(self, **kwargs)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuild a model from ``get_config()``'s output. ``Model.from_config`` accepts a
        functional config (as in Keras); a subclassed model gets ``cls(**config)``.

        Example:
            >>> clone = Model.from_config(model.get_config())   # same layers, fresh weights
        """
        if isinstance(config, dict) and "input_layers" in config and "layers" in config:
            if cls is Model:
                return _functional_class().from_config(config, custom_objects)
            # a subclass made as MyModel(inputs, outputs): rebuilt through MyModel(inputs, outputs)
            return _functional_class().from_config.__func__(cls, config, custom_objects)
        return cls(**config)

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__}: a subclassed model defines its structure in "
                                  f"Python code, which a model file never stores; override get_config, "
                                  f"or use save_weights/load_weights")
