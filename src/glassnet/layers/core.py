"""Core layers: Input, Dense, Dropout, Lambda.

(``Activation`` lives in ``activation_layers``, ``Flatten`` and ``Reshape`` in ``reshaping``.)
"""
from __future__ import annotations

import inspect

import numpy as np

from glassnet import activations, backend, initializers, ops, regularizers
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.layers.base import Layer
from glassnet.layers.symbolic import Node, SymbolicTensor


class InputLayer(Layer):
    """The entry point of a functional model; holds the input shape.

    Use the ``Input`` function rather than this class directly.

    Args:
        shape: shape of one sample, without the batch axis (e.g. ``(28, 28)``).
        batch_size: fixed batch size, or None.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, batch_input_shape=None,
                 **kwargs):
        if batch_input_shape is None:
            if shape is None:
                raise ValueError("Input: expected a shape (one sample, without the batch axis), received None")
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_input_shape = (batch_size,) + shape
        super().__init__(name=name or backend.unique_name("input_layer"), dtype=dtype,
                         batch_input_shape=batch_input_shape, **kwargs)
        self.built = True
        self._build_input_shape = self._batch_input_shape
        self.output = SymbolicTensor(self._batch_input_shape, self.dtype, name=self.name)
        node = Node(self, [], self.output)
        self.output.node = node

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "batch_input_shape": list(self._batch_input_shape)}


def Input(shape=None, batch_size=None, name=None, dtype=None) -> SymbolicTensor:  # noqa: N802 (Keras name)
    """A symbolic input for the functional API.

    Args:
        shape: shape of one sample, without the batch axis.
        batch_size: optional fixed batch size.

    Example:
        >>> inputs = Input(shape=(784,))
        >>> outputs = Dense(10, activation="softmax")(inputs)
        >>> model = Model(inputs, outputs)
    """
    return InputLayer(shape=shape, batch_size=batch_size, name=name, dtype=dtype).output


class Dense(Layer):
    """Fully connected layer: ``activation(x @ kernel + bias)``.

    Has n(m + 1) parameters for m inputs and n units (course section 2).

    Args:
        units: number of output units n.
        activation: activation name or callable (None: linear).
        use_bias: whether to add a bias.
        kernel_initializer, bias_initializer: initializer names or objects.
        kernel_regularizer, bias_regularizer: penalties added to the loss.

    Input shape: ``(batch, ..., m)``. Output shape: ``(batch, ..., units)``.
    Weights (Keras layout): ``kernel`` (m, units), ``bias`` (units,).

    Example:
        >>> import numpy as np
        >>> layer = Dense(3, activation="relu")
        >>> layer(np.ones((2, 4))).shape
        (2, 3)
    """

    supports_masking = True  # a mask on the input passes through unchanged

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Dense '{self.name}': expected a positive integer for units, received {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense '{self.name}': the last axis of the input must be known, "
                             f"received input shape {input_shape}")
        self.kernel = self.add_weight("kernel", (in_dim, self.units), self.kernel_initializer,
                                      self.kernel_regularizer)
        self.bias = (self.add_weight("bias", (self.units,), self.bias_initializer, self.bias_regularizer)
                     if self.use_bias else None)

    def call(self, inputs):
        if inputs.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"Dense '{self.name}': expected input with last axis {self.kernel.shape[0]}, "
                             f"received shape {inputs.shape}")
        out = ops.linear(inputs, self.kernel, self.bias)
        return out if self.activation is activations.linear else self.activation(out)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=activations.serialize(self.activation),
                      use_bias=self.use_bias,
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer),
                      kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
                      bias_regularizer=regularizers.serialize(self.bias_regularizer))
        return config


class Dropout(Layer):
    """Randomly zeroes a fraction ``rate`` of the inputs during training (inverted dropout).

    Kept values are scaled by 1 / (1 - rate) so that the expected sum is unchanged and nothing
    needs rescaling at inference, where the layer is the identity.

    Args:
        rate: fraction of the units to drop, in [0, 1).
        noise_shape: shape of the keep-mask, broadcast against the input (None: input shape).
        seed: seed of the layer's own random stream.

    Example:
        >>> import numpy as np
        >>> Dropout(0.5)(np.ones((2, 4)), training=True)   # half the entries 0, the rest 2.0
    """

    supports_masking = True  # a mask on the input passes through unchanged

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
            raise TypeError(f"Dropout '{self.name}': expected rate to be a number in [0, 1), received "
                            f"{rate!r} of type {type(rate).__name__}")
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout '{self.name}': expected rate in [0, 1), received {rate!r}")
        if noise_shape is not None and (not isinstance(noise_shape, (list, tuple)) or not all(
                d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0)
                for d in noise_shape)):
            raise TypeError(f"Dropout '{self.name}': expected noise_shape to be None or a tuple of positive "
                            f"sizes (None for the input's size), received {noise_shape!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"Dropout '{self.name}': expected seed to be an integer or None, received {seed!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        # with a seed the layer owns its stream; without, it draws from the global generator,
        # so that gn.utils.set_random_seed makes whole training runs repeatable
        self._rng = None if seed is None else backend.make_rng(seed)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape if self.noise_shape is None else tuple(
            n if n is not None else s for n, s in zip(self.noise_shape, inputs.shape))
        # drawn from glassnet's one seeded NumPy stream (repeatable runs), then moved to where
        # the inputs live; inverted dropout: the kept values are scaled by 1 / (1 - rate)
        keep = (self._rng or backend.rng()).random(shape, dtype=np.float32) >= self.rate
        keep = array_module(inputs.data).asarray(keep)
        mask = keep.astype(inputs.dtype) * inputs.dtype.type(1.0 / (1.0 - self.rate))
        return inputs * Tensor(mask, dtype=inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=None if self.noise_shape is None else list(self.noise_shape),
                      seed=self.seed)
        return config


class Lambda(Layer):
    """Wraps a function of glassnet ops as a layer: ``Lambda(lambda x: x * 2)``.

    The function must use glassnet ops so that gradients flow. Saving: a model file never holds
    code, so ``get_config`` stores only the function's name. A function from ``glassnet.ops`` or
    ``glassnet.activations`` is found again by that name on loading; any other function must be
    passed as ``custom_objects={name: function}`` to ``load_model``.

    Args:
        function: callable taking a tensor (or list of tensors).
        output_shape: optional output shape of one sample, to skip shape inference.
        arguments: optional keyword arguments passed to ``function``.
    """

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(function, str):
            found = _glassnet_function(function)
            if found is None:
                raise ValueError(f"Lambda '{self.name}': function {function!r} is not a glassnet op or "
                                 f"activation; pass the function itself (or, to load a model, "
                                 f"custom_objects={{{function!r}: function}})")
            function = found
        if not callable(function):
            raise TypeError(f"Lambda '{self.name}': expected a callable, received {type(function).__name__}")
        self.function = function
        self.output_shape_arg = None if output_shape is None else tuple(output_shape)
        self.arguments = dict(arguments or {})

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self.output_shape_arg is not None:
            batch = input_shape[0] if not isinstance(input_shape, list) else input_shape[0][0]
            return (batch,) + self.output_shape_arg
        return super().compute_output_shape(input_shape)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Recreate the layer, finding its function by name: first in ``custom_objects``, then
        among glassnet's ops and activations (a model file never holds the function's code).

        Example:
            >>> Lambda.from_config({"function": "double"}, custom_objects={"double": double})
        """
        config = dict(config)
        if custom_objects and isinstance(config.get("function"), str) and config["function"] in custom_objects:
            config["function"] = custom_objects[config["function"]]
        return cls(**config)

    def get_config(self):
        config = super().get_config()
        name = getattr(self.function, "__name__", None)
        if name is None or name == "<lambda>":
            name = None
        output_shape = None if self.output_shape_arg is None else list(self.output_shape_arg)
        config.update(function=name, output_shape=output_shape, arguments=self.arguments)
        return config


def _glassnet_function(name: str):
    """The public glassnet op or activation function called ``name``, or None.

    Only public functions defined by glassnet count: a name from a file such as
    ``"__init__"``, ``"__class__"`` or ``"_util"`` never resolves to a module's internals.
    """
    if not name or name.startswith("_"):
        return None
    function = getattr(ops, name, None)
    if inspect.isfunction(function) and function.__module__.startswith("glassnet."):
        return function
    try:
        return activations.get(name)
    except ValueError:
        return None
