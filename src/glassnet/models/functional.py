"""Functional models: a graph of layer calls between ``Input``s and outputs.

``Model(inputs, outputs)`` walks the recorded ``Node``s back from the outputs to the inputs and
keeps them in an order where each node comes after the nodes that feed it (topological
order). Running the model replays the nodes in that order on real tensors.

``functional_from_config`` rebuilds such a model from its config (the inverse of
``Functional.get_config``), as Keras's ``functional.py`` does.
"""
from __future__ import annotations

from glassnet.layers import deserialize, register
from glassnet.layers.base import is_shape
from glassnet.layers.core import InputLayer
from glassnet.layers.symbolic import SymbolicTensor, flatten, map_structure
from glassnet.models.model import Model, compatible_shape


@register
class Functional(Model):
    """A model defined by ``Model(inputs, outputs)``; see ``Model``.

    Args:
        inputs: an ``Input`` tensor, a list of them, or a dict name -> ``Input`` (data is then
            passed as a dict with those keys).
        outputs: a tensor, a list of tensors computed from the inputs by layer calls, or a dict
            name -> tensor (``compile``'s ``loss``/``metrics``/``loss_weights`` and ``fit``'s
            targets may then be dicts with those keys, and ``predict`` returns such a dict).

    Example:
        >>> inp = gn.Input((4,), name="x")
        >>> h = gn.layers.Dense(8, activation="relu")(inp)
        >>> model = gn.Model(inp, {"score": gn.layers.Dense(1)(h), "label": gn.layers.Dense(3)(h)})
        >>> model.compile("adam", loss={"score": "mse", "label": "sparse_categorical_crossentropy"})
        >>> model.predict(x)["label"].shape      # (len(x), 3)
        name: model name.
    """

    def __init__(self, inputs, outputs, name=None, trainable=True):
        super().__init__(name=name, trainable=trainable)
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = list(flatten(inputs))
        self.outputs = list(flatten(outputs))
        for t in self.inputs + self.outputs:
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f"Model '{self.name}': inputs and outputs must come from Input(...) and layer "
                                f"calls, received {type(t).__name__}")
        for t in self.inputs:
            if not isinstance(t.node.layer, InputLayer):
                raise ValueError(f"Model '{self.name}': every input must be made by Input(...); "
                                 f"{t} comes from layer '{t.node.layer.name}'")
        self._nodes = self._topological_nodes()
        for node in self._nodes:
            layer = node.layer
            if not isinstance(layer, InputLayer) and not any(layer is l for l in self._sublayers):
                self._sublayers.append(layer)
        self._input_layers = [t.node.layer for t in self.inputs]
        self.built = True
        self._build_input_shape = [t.shape for t in self.inputs] if len(self.inputs) > 1 else self.inputs[0].shape

    def _topological_nodes(self) -> list:
        """The nodes between inputs and outputs, each after the nodes producing its inputs."""
        order, state = [], {}  # state: id(node) -> "visiting" | "done"
        input_ids = {id(t) for t in self.inputs}
        for out in self.outputs:
            stack = [(out.node, False)]
            while stack:
                node, expanded = stack.pop()
                if expanded:
                    state[id(node)] = "done"
                    order.append(node)
                    continue
                if state.get(id(node)) == "done":
                    continue
                state[id(node)] = "visiting"
                stack.append((node, True))
                for t in node.input_tensors:
                    if id(t) in input_ids:
                        continue
                    if isinstance(t.node.layer, InputLayer):
                        raise ValueError(f"Model '{self.name}': output depends on an Input that is not in "
                                         f"the model's inputs (from layer '{t.node.layer.name}')")
                    if state.get(id(t.node)) != "done":
                        stack.append((t.node, False))
        return [n for n in order if not isinstance(n.layer, InputLayer)]

    @property
    def input_names(self) -> list:
        """The inputs' names: the dict's keys for ``Model({"a": in_a, ...}, ...)``, else the
        ``Input`` layers' names (the keys a dict of data passed to ``fit`` must use)."""
        if isinstance(self._nested_inputs, dict):
            return list(self._nested_inputs)
        return [t.node.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list:
        """The outputs' names: the dict's keys for ``Model(..., {"a": out_a, ...})`` (as Keras 3
        matches ``loss={...}`` and ``fit(x, {...})`` to them), else the output layers' names."""
        if isinstance(self._nested_outputs, dict):
            return list(self._nested_outputs)
        return [t.node.layer.name for t in self.outputs]

    def call(self, inputs, training=None):
        values = {}
        given = list(flatten(inputs)) if isinstance(inputs, (list, tuple, dict)) else [inputs]
        if isinstance(inputs, dict):
            missing = [name for name in self.input_names if name not in inputs]
            if missing:
                raise ValueError(f"Model '{self.name}': the inputs dict is missing {missing}; the model's "
                                 f"inputs are {self.input_names}, received keys {list(inputs)}")
            given = [inputs[name] for name in self.input_names]
        if len(given) != len(self.inputs):
            raise ValueError(f"Model '{self.name}': expected {len(self.inputs)} inputs {self.input_names}, "
                             f"received {len(given)}")
        for t, value in zip(self.inputs, given):
            if not compatible_shape(t.shape[1:], value.shape[1:]):  # any batch size is fine
                raise ValueError(f"Model '{self.name}': input '{t.node.layer.name}' expects shape {t.shape}, "
                                 f"received {value.shape}")
            values[id(t)] = value
        for node in self._nodes:
            args = map_structure(lambda t: values[id(t)], node.inputs)
            # the model's training flag reaches every layer (nested models pass it on in turn),
            # unless the layer was wired with an explicit one: layer(x, training=True)
            kwargs = node.call_kwargs if "training" in node.call_kwargs else \
                dict(node.call_kwargs, training=training)
            result = node.layer(args, **kwargs)
            for sym, real in zip(flatten(node.outputs), flatten(result)):
                values[id(sym)] = real
        outputs = map_structure(lambda t: values[id(t)], self._nested_outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        """The outputs' shapes, after checking ``input_shape`` against the model's inputs (the
        check that matters when this model is called as a layer inside another model)."""
        given = [input_shape] if len(self.inputs) == 1 and is_shape(input_shape) else list(input_shape)
        if len(given) != len(self.inputs) or not all(is_shape(s) for s in given):
            raise ValueError(f"Model '{self.name}': expected {len(self.inputs)} input(s) of shapes "
                             f"{[t.shape for t in self.inputs]}, received {input_shape}")
        for t, shape in zip(self.inputs, given):
            if not compatible_shape(t.shape, shape):
                raise ValueError(f"Model '{self.name}': input '{t.node.layer.name}' expects shape {t.shape}, "
                                 f"received {tuple(shape)}")
        batch = given[0][0]
        return map_structure(lambda t: (batch,) + tuple(t.shape[1:]), self._nested_outputs)

    def layer_output_shapes(self) -> list:
        """The output shape of each layer, in ``layers`` order (for ``summary``)."""
        shapes = []
        for layer in self.layers:
            if isinstance(layer, InputLayer):
                shapes.append(layer.output.shape)
                continue
            node = next(n for n in self._nodes if n.layer is layer)
            outs = [t.shape for t in flatten(node.outputs)]
            shapes.append(outs[0] if len(outs) == 1 else outs)
        return shapes

    @property
    def layers(self) -> list:
        """Input layers first, then the others in execution order (as Keras lists them)."""
        return list(self._input_layers) + list(self._sublayers)

    def get_config(self) -> dict:
        """Layers with their configs and the wiring: for each layer call, the (layer, node,
        tensor) indices of its inputs, as Keras's functional config does."""
        # a node is named by its layer and its position among that layer's calls in this model
        node_index = {id(t.node): 0 for t in self.inputs}
        for layer in self._sublayers:
            for i, node in enumerate(n for n in self._nodes if n.layer is layer):
                node_index[id(node)] = i

        def ref(t):
            return [t.node.layer.name, node_index[id(t.node)], t.index]

        layers = []
        for layer in self.layers:
            calls = [n for n in self._nodes if n.layer is layer]
            layers.append({"class_name": type(layer).__name__, "name": layer.name, "config": layer.get_config(),
                           "inbound_nodes": [{"args": map_structure(ref, n.inputs), "kwargs": n.call_kwargs}
                                             for n in calls]})
        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "input_layers": map_structure(ref, self._nested_inputs),
                "output_layers": map_structure(ref, self._nested_outputs)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuild the model (fresh weights) from ``get_config()``'s output; nested models too.

        Example:
            >>> clone = Functional.from_config(model.get_config(), custom_objects=None)
        """
        return functional_from_config(config, custom_objects, cls)


# files written by older Keras versions name a functional model's class "Model"
register(Functional, name="Model")


def functional_from_config(config: dict, custom_objects=None, cls=Functional):
    """Rebuild a functional model from ``Functional.get_config()``'s output (fresh weights).

    Each layer comes back through ``glassnet.layers.deserialize`` (models nested as layers
    included), then the recorded calls are replayed in order: a call's inputs are named by
    ``[layer name, call index, output index]``, and since the layers are listed in execution
    order every call finds its inputs already computed.

    Args:
        config: the model's config (``name``, ``trainable``, ``layers`` with their
            ``inbound_nodes``, ``input_layers``, ``output_layers``).
        custom_objects: dict of name -> class or function for layers that are not glassnet's.
        cls: the model class to make.

    Raises:
        ValueError: the config is malformed or its layers do not fit together.

    Example:
        >>> clone = functional_from_config(model.get_config())
    """
    name = config.get("name")
    entries = config.get("layers")
    if not isinstance(entries, list):
        raise ValueError(f"Model '{name}': the functional config has no layer list")
    built = [deserialize(entry, custom_objects) for entry in entries]
    outputs_of = {}  # outputs_of[(layer name, call index)] = that call's output structure
    for layer in built:
        if isinstance(layer, InputLayer):
            outputs_of[(layer.name, 0)] = layer.output

    def tensor_of(ref, user):
        out = outputs_of.get((ref[0], ref[1]))
        if out is None:
            raise ValueError(f"Model '{name}': {user} refers to unknown input {ref}")
        return out if not isinstance(out, list) else out[ref[2]]

    for entry, layer in zip(entries, built):
        for i, call in enumerate(entry.get("inbound_nodes", [])):
            if not isinstance(call, dict) or not isinstance(call.get("kwargs", {}), dict):
                raise ValueError(f"Model '{name}': layer '{layer.name}' has a malformed inbound node")
            args = _map_refs(lambda ref: tensor_of(ref, f"layer '{layer.name}'"), call.get("args"))
            try:
                outputs_of[(layer.name, i)] = layer(args, **call.get("kwargs", {}))
            except (ValueError, TypeError) as err:
                raise ValueError(f"Model '{name}': cannot wire layer '{layer.name}': {err}") from err
    inputs = _map_refs(lambda ref: tensor_of(ref, "the model's inputs"), config.get("input_layers"))
    outputs = _map_refs(lambda ref: tensor_of(ref, "the model's outputs"), config.get("output_layers"))
    if not inputs or not outputs:
        raise ValueError(f"Model '{name}': the config names no inputs or no outputs")
    model = cls(inputs, outputs, name=name)
    if config.get("trainable") is False:
        model.trainable = False  # only freezing: True would unfreeze layers saved as frozen
    return model


def _is_ref(x) -> bool:
    return isinstance(x, list) and len(x) == 3 and isinstance(x[0], str) and isinstance(x[1], int)


def _map_refs(fn, structure):
    """Apply ``fn`` to every ``[layer name, call index, output index]`` in a nested list."""
    if _is_ref(structure):
        return fn(structure)
    if isinstance(structure, list):
        return [_map_refs(fn, s) for s in structure]
    if isinstance(structure, dict):  # a model made with dict inputs or outputs (Keras 3)
        return {key: _map_refs(fn, s) for key, s in structure.items()}
    raise ValueError(f"malformed layer reference {str(structure)[:80]}")
