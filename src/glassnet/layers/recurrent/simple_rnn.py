"""``SimpleRNNCell`` and ``SimpleRNN``: the vanilla recurrent network of course section 5.

One step: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``, and the
output is ``h_t``. With i input features and u units that is (i + u + 1) * u parameters:
``kernel`` (i, u), ``recurrent_kernel`` (u, u), ``bias`` (u,), Keras's layout.
"""
from __future__ import annotations

from glassnet import activations, ops
from glassnet.layers.recurrent._builtin import BuiltinCell, BuiltinRNN, fused

__all__ = ["SimpleRNNCell", "SimpleRNN"]


class SimpleRNNCell(BuiltinCell):
    """One step of a simple RNN: ``h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)``.

    Args:
        units: size u of the state (and of the output).
        activation: activation name or callable (default tanh; None: linear).
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers (defaults
            glorot_uniform, orthogonal, zeros).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the loss.
        dropout: fraction of the input features dropped in training (one mask per sequence).
        recurrent_dropout: fraction of the state's units dropped in training, in the recurrent
            product only (one mask per sequence).
        seed: seed of the dropout masks.

    Call: ``cell.call(inputs (batch, features), [h (batch, units)]) -> (h_new, [h_new])``.

    Example:
        >>> import numpy as np
        >>> RNN(SimpleRNNCell(4))(np.ones((2, 5, 3))).shape
        (2, 4)
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)

    def call(self, inputs, states, training=None):
        x, h = self._dropped(inputs, states[0], training)
        h = self.activation(ops.linear(x, self.kernel, self.bias) + ops.matmul(h, self.recurrent_kernel))
        return h, [h]


class SimpleRNN(BuiltinRNN):
    """Fully connected RNN whose output is fed back as the next step's state (Keras's ``SimpleRNN``).

    Runs ``glassnet.ops.recurrent.simple_rnn`` (one fused op over the sequence) when the
    activation is one it supports and no recurrent dropout is active; otherwise its cell step
    by step (same results, slower).

    Args:
        units: size u of the state and output; (i + u + 1) * u parameters for i input features.
        activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
            kernel_regularizer, recurrent_regularizer, bias_regularizer, dropout,
            recurrent_dropout, seed: as in ``SimpleRNNCell``.
        return_sequences, return_state, go_backwards, stateful, unroll: as in ``RNN`` (and
            ``zero_output_for_mask``, Keras's RNN argument, as a keyword).

    Input shape: ``(batch, time, features)``. Output shape: ``(batch, units)``, or
    ``(batch, time, units)`` with ``return_sequences``; ``[output, h]`` with ``return_state``.
    Weights (Keras layout): ``simple_rnn/simple_rnn_cell/kernel`` (i, u), ``recurrent_kernel``
    (u, u), ``bias`` (u,).

    Example (course section 5: predict the next value of a series):
        >>> model = Sequential([Input((50, 1)), SimpleRNN(20, return_sequences=True),
        ...                     SimpleRNN(20), Dense(1)])
        >>> model.output_shape
        (None, 1)
    """

    cell_class = SimpleRNNCell

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, **kwargs):
        cell_arguments = dict(
            units=units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed)
        super().__init__(cell_arguments, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)

    def _fused(self, x, states, mask):
        cell = self.cell
        return fused.simple_rnn(x, cell.kernel, cell.recurrent_kernel, cell.bias, states[0], mask=mask,
                                activation=activations.serialize(cell.activation),
                                go_backwards=self.go_backwards, zero_output_for_mask=self.zero_output_for_mask)
