"""``Sequential``: a stack of layers, each feeding the next; ``Sequential.from_config`` rebuilds
one from its config."""
from __future__ import annotations

from glassnet.layers import deserialize, register
from glassnet.layers.base import Layer, is_shape
from glassnet.layers.core import Input, InputLayer
from glassnet.layers.symbolic import SymbolicTensor
from glassnet.models.model import Model, compatible_shape


@register
class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: list of layers (an ``Input(...)`` first fixes the input shape).
        name: model name.

    The model is built as soon as the input shape is known (from ``Input``, or from
    ``input_shape=`` / ``input_dim=`` on the first layer), else on the first call or ``fit``.

    Example:
        >>> model = Sequential([
        ...     Input(shape=(28, 28)),
        ...     Flatten(),
        ...     Dense(128, activation="relu"),
        ...     Dropout(0.2),
        ...     Dense(10, activation="softmax"),
        ... ])
        >>> model.add(Dense(10))   # layers can also be added one by one
    """

    def __init__(self, layers=None, name=None, trainable=True):
        super().__init__(name=name, trainable=trainable)
        self._input_batch_shape = None
        self._output_shapes = []
        for layer in layers or []:
            self.add(layer)

    def add(self, layer) -> None:
        """Append a layer (or an ``Input``, which sets the input shape)."""
        if isinstance(layer, SymbolicTensor):
            if self._sublayers or self._input_batch_shape is not None:
                raise ValueError(f"Sequential '{self.name}': an Input can only come first")
            self._input_batch_shape = layer.shape
            self._build_graph()
            return
        if isinstance(layer, InputLayer):
            self.add(layer.output)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential '{self.name}': expected a Layer, received {type(layer).__name__}")
        if any(layer is existing for existing in self._sublayers):
            raise ValueError(f"Sequential '{self.name}': layer '{layer.name}' was already added")
        if not self._sublayers and self._input_batch_shape is None and layer._batch_input_shape is not None:
            self._input_batch_shape = layer._batch_input_shape
        self._sublayers.append(layer)
        if self._input_batch_shape is not None:
            try:
                if self._output_shapes:
                    self._build_layer(layer, self._last_output)
                else:
                    self._build_graph()
            except ValueError:
                self._sublayers.pop()  # a layer that does not fit is not kept
                raise

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._sublayers:
            raise ValueError(f"Sequential '{self.name}': there is no layer to pop")
        layer = self._sublayers.pop()
        if self._input_batch_shape is not None:
            self._build_graph()
        return layer

    def _build_graph(self) -> None:
        """Run the layers on a symbolic input: builds every layer, records output shapes."""
        self._last_output = SymbolicTensor(self._input_batch_shape, self.dtype)
        self._output_shapes = []
        for layer in self._sublayers:
            self._build_layer(layer, self._last_output)
        self._build_input_shape = self._input_batch_shape

    def _build_layer(self, layer, x) -> None:
        try:
            self._last_output = layer(x)
        except (ValueError, TypeError) as err:
            raise ValueError(f"Sequential '{self.name}': layer '{layer.name}' cannot take input of shape "
                             f"{x.shape}: {err}") from err
        self._output_shapes.append(self._last_output.shape)
        self.built = True

    def build(self, input_shape=None) -> None:
        """Build for inputs of ``input_shape`` (batch axis included)."""
        if input_shape is not None and self._input_batch_shape is None:
            self._input_batch_shape = (None,) + tuple(input_shape[1:])
        if self._input_batch_shape is None:
            raise ValueError(f"Sequential '{self.name}': the input shape is unknown; give input_shape= to the "
                             f"first layer, start with Input(shape), or call the model on data")
        self._build_graph()

    def call(self, inputs, training=None):
        x = inputs
        for layer in self._sublayers:
            x = layer(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        if self._output_shapes:
            expected = self._input_batch_shape
            if not is_shape(input_shape) or not compatible_shape(expected[1:], input_shape[1:]):
                raise ValueError(f"Sequential '{self.name}': expected input of shape {tuple(expected)}, "
                                 f"received {input_shape}")
            out = self._output_shapes[-1]
            return (input_shape[0],) + tuple(out[1:]) if is_shape(out) else out
        return super().compute_output_shape(input_shape)

    def layer_output_shapes(self) -> list:
        """The output shape of each layer (for ``summary``)."""
        return list(self._output_shapes)

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable,
                "input_shape": None if self._input_batch_shape is None else list(self._input_batch_shape),
                "layers": [{"class_name": type(l).__name__, "config": l.get_config()} for l in self._sublayers]}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuild the model (fresh weights) from ``get_config()``'s output; nested models too.

        Each layer comes back through ``glassnet.layers.deserialize``, which finds its class by
        name (``custom_objects`` first) and never imports code.

        Raises:
            ValueError: the config is malformed or its layers do not fit together.

        Example:
            >>> clone = Sequential.from_config(model.get_config())   # same layers, fresh weights
        """
        name = config.get("name")
        model = cls(name=name)
        shape = config.get("input_shape")
        if shape is not None:
            if not isinstance(shape, list) or not shape or not all(d is None or isinstance(d, int) for d in shape):
                raise ValueError(f"Sequential '{name}' has an invalid input_shape {str(shape)[:80]}")
            model.add(Input(batch_size=shape[0], shape=tuple(shape[1:])))
        entries = config.get("layers", [])
        if not isinstance(entries, list):
            raise ValueError(f"Sequential '{name}' has no layer list")
        for entry in entries:
            model.add(deserialize(entry, custom_objects))
        if config.get("trainable") is False:
            model.trainable = False  # only freezing: True would unfreeze layers saved as frozen
        return model
