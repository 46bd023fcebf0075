"""Functional models: a graph of layer calls between ``Input``s and outputs.

``Model(inputs, outputs)`` walks the recorded ``Node``s back from the outputs to the inputs and
keeps them in an order where each node comes after the nodes that feed it (topological
order). Running the model replays the nodes in that order on real tensors.
"""
from __future__ import annotations

from glassnet.layers.base import is_shape
from glassnet.layers.core import InputLayer
from glassnet.layers.symbolic import SymbolicTensor, flatten, map_structure
from glassnet.models.model import Model


class Functional(Model):
    """A model defined by ``Model(inputs, outputs)``; see ``Model``.

    Args:
        inputs: an ``Input`` tensor or a list of them.
        outputs: a tensor or a list of tensors computed from the inputs by layer calls.
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
        return [t.node.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list:
        return [t.node.layer.name for t in self.outputs]

    def call(self, inputs, training=None):
        values = {}
        given = list(flatten(inputs)) if isinstance(inputs, (list, tuple, dict)) else [inputs]
        if isinstance(inputs, dict):
            given = [inputs[name] for name in self.input_names]
        if len(given) != len(self.inputs):
            raise ValueError(f"Model '{self.name}': expected {len(self.inputs)} inputs {self.input_names}, "
                             f"received {len(given)}")
        for t, value in zip(self.inputs, given):
            expected = t.shape[1:]
            if len(value.shape) != len(t.shape) or any(e is not None and e != a for e, a in zip(expected, value.shape[1:])):
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
            if not _compatible(t.shape, shape):
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
        """Rebuild the model (fresh weights) from ``get_config()``'s output; nested models too."""
        from glassnet.models.saving import model_from_config
        return model_from_config({"class_name": "Functional", "config": config}, custom_objects)


def _compatible(expected, received) -> bool:
    """Same rank, and equal sizes wherever both are known (None matches anything)."""
    return len(expected) == len(received) and all(
        e is None or r is None or e == r for e, r in zip(expected, received))
