"""What ``SimpleRNN``, ``LSTM`` and ``GRU`` share.

- ``BuiltinCell``: the cells' common arguments (Keras names and defaults), their three weights
  in Keras layouts (``kernel`` (features, gates * units), ``recurrent_kernel`` (units, gates *
  units), ``bias``; the gate blocks side by side, so one matrix product computes every gate),
  and the dropout masks (one per sequence for the inputs, one for the recurrent state, as
  Keras: the same units are dropped at every step of a sequence).
- ``BuiltinRNN``: the layers. Each makes its cell (named ``<layer>/<cell>``, so weights are
  ``lstm/lstm_cell/kernel`` as in Keras 3), exposes the cell's arguments as its own, and runs
  the fused op of ``glassnet.ops.recurrent`` (the whole sequence in one op with a hand-written
  backward), falling back to the per-step loop of ``rnn.run_cell`` when the fused op cannot
  do the job: an activation it does not support, or ``recurrent_dropout`` while training (a
  fused op has no per-step mask on the state).
"""
from __future__ import annotations

import numpy as np

from glassnet import activations, backend, initializers, regularizers
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.layers.base import Layer
from glassnet.layers.recurrent.rnn import RNN
from glassnet.ops import recurrent as fused


def _rate(value, name: str, who: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not 0 <= value < 1:
        raise ValueError(f"{who}: expected {name} in [0, 1), received {value!r}")
    return float(value)


class BuiltinCell(Layer):
    """Base of ``SimpleRNNCell``, ``LSTMCell`` and ``GRUCell`` (not used directly).

    Subclasses set ``gates`` (how many blocks of ``units`` columns the kernels hold) and
    implement ``call(inputs, states, training=None)``.
    """

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        who = f"{type(self).__name__} '{self.name}'"
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"{who}: expected a positive integer for units, received {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.dropout = _rate(dropout, "dropout", who)
        self.recurrent_dropout = _rate(recurrent_dropout, "recurrent_dropout", who)
        self.seed = seed
        # with a seed the cell owns its random stream; without, it draws from glassnet's global
        # one, so that gn.utils.set_random_seed makes training runs repeatable
        self._rng = None if seed is None else backend.make_rng(seed)
        self._dropout_mask = self._recurrent_dropout_mask = None

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    # ---------------------------------------------------------------- weights
    def _bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the features axis (last) of the input "
                             f"must be known, received input shape {tuple(input_shape)}")
        width = self.gates * self.units
        self.kernel = self.add_weight("kernel", (features, width), self.kernel_initializer,
                                      self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, width),
                                                self.recurrent_initializer, self.recurrent_regularizer)
        self.bias = (self.add_weight("bias", self._bias_shape(), self.bias_initializer, self.bias_regularizer)
                     if self.use_bias else None)

    def get_initial_state(self, batch_size) -> list:
        """Zeros, one (batch, units) array per state."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        xp = array_module(*(w.data for w in self.weights))  # zeros where the weights live
        return [Tensor(xp.zeros((batch_size, s), dtype=self.dtype)) for s in sizes]

    # ---------------------------------------------------------------- dropout
    def make_dropout_mask(self, shape, like: Tensor, rate: float) -> Tensor:
        """Inverted-dropout factors of ``shape``: 0 with probability ``rate``, else 1 / (1 - rate)."""
        keep = (self._rng or backend.rng()).random(shape) >= rate
        keep = array_module(like.data).asarray(keep).astype(like.dtype)
        return Tensor(keep * like.dtype.type(1.0 / (1.0 - rate)), dtype=like.dtype)

    def get_dropout_mask(self, inputs: Tensor) -> Tensor:
        """The input dropout mask of the current sequence (drawn at its first step)."""
        if self._dropout_mask is None:
            self._dropout_mask = self.make_dropout_mask(inputs.shape, inputs, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state: Tensor) -> Tensor:
        """The recurrent-state dropout mask of the current sequence."""
        if self._recurrent_dropout_mask is None:
            self._recurrent_dropout_mask = self.make_dropout_mask(state.shape, state, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None

    def _dropped(self, inputs, h, training):
        """The inputs and the previous output as the matrix products see them (dropout in training)."""
        if training and self.dropout > 0:
            inputs = inputs * self.get_dropout_mask(inputs)
        if training and self.recurrent_dropout > 0:
            h = h * self.get_recurrent_dropout_mask(h)
        return inputs, h

    # ---------------------------------------------------------------- config
    def cell_arguments(self) -> dict:
        """The cell's own arguments (what a layer's config adds to the RNN flags)."""
        return {"units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}

    def get_config(self):
        config = super().get_config()
        config.update(self.cell_arguments())
        return config


def cell_attribute(name: str) -> property:
    """A read-only attribute of the layer that is its cell's (``lstm.units``)."""
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's ``{name}``.")


def fusable(fn) -> bool:
    """True if activation ``fn`` is one the fused ops implement (by name, and that name's function)."""
    name = activations.serialize(fn)
    if name not in fused.FUSED_ACTIVATIONS:
        return False
    try:
        return activations.get(name) is fn  # not a function of the user's that has the same name
    except ValueError:  # a name the fused ops know and glassnet's activations do not
        return False


class BuiltinRNN(RNN):
    """Base of ``SimpleRNN``, ``LSTM`` and ``GRU`` (not used directly).

    Subclasses set ``cell_class`` and implement ``_fused(x, states, mask)`` (the call of their
    fused op) and ``_fusable_activations()``.
    """

    cell_class = BuiltinCell

    units = cell_attribute("units")
    activation = cell_attribute("activation")
    use_bias = cell_attribute("use_bias")
    kernel_initializer = cell_attribute("kernel_initializer")
    recurrent_initializer = cell_attribute("recurrent_initializer")
    bias_initializer = cell_attribute("bias_initializer")
    kernel_regularizer = cell_attribute("kernel_regularizer")
    recurrent_regularizer = cell_attribute("recurrent_regularizer")
    bias_regularizer = cell_attribute("bias_regularizer")
    dropout = cell_attribute("dropout")
    recurrent_dropout = cell_attribute("recurrent_dropout")
    seed = cell_attribute("seed")

    def __init__(self, cell_arguments: dict, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        # (zero_output_for_mask, Keras's RNN argument, reaches RNN through kwargs, as in Keras)
        name = kwargs.pop("name", None) or backend.unique_name(backend.snake_case(type(self).__name__))
        cell = self.cell_class(**cell_arguments, name=f"{name}/{backend.snake_case(self.cell_class.__name__)}",
                               dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, name=name, **kwargs)

    def uses_fused_op(self, training=False) -> bool:
        """Whether a call runs the fused op (True) or the per-step loop (False)."""
        return not (training and self.cell.recurrent_dropout > 0) and all(
            fusable(fn) for fn in self._fusable_activations())

    def _fusable_activations(self) -> list:
        """The cell's activations the fused op must compute (a gated cell also has a recurrent one)."""
        names = ("activation", "recurrent_activation")
        return [getattr(self.cell, n) for n in names if hasattr(self.cell, n)]

    def _run(self, x, states, mask, training):
        if not self.uses_fused_op(training):
            return super()._run(x, states, mask, training)
        if training and self.cell.dropout > 0:
            # one input mask per sequence, the same at every step: (batch, 1, features)
            drop = self.cell.make_dropout_mask((x.shape[0], 1, x.shape[2]), x, self.cell.dropout)
            x = x * drop
        sequence, *final = self._fused(x, states, mask)
        return sequence, final[0], final  # the output of these cells is their state h

    def _fused(self, x, states, mask):  # pragma: no cover - interface
        raise NotImplementedError

    def get_config(self):
        config = Layer.get_config(self)
        config.update(self._rnn_config())
        config.update(self.cell.cell_arguments())
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

