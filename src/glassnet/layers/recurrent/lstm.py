"""``LSTMCell`` and ``LSTM``: long short-term memory (course section 5).

One step, with the gates in Keras's order i, f, c, o (the blocks of the fused kernels):

    z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias           # (batch, 4u)
    i = sigmoid(z_i)   f = sigmoid(z_f)   g = tanh(z_c)   o = sigmoid(z_o)
    c_t = f * c_{t-1} + i * g          h_t = o * tanh(c_t)          # output: h_t

The cell state c is a running sum the forget gate f scales, which is why gradients survive
long sequences better than in a simple RNN. Four gates: 4 * (i + u + 1) * u parameters,
``kernel`` (i, 4u), ``recurrent_kernel`` (u, 4u), ``bias`` (4u,).
"""
from __future__ import annotations

from glassnet import activations, ops
from glassnet.layers.recurrent._builtin import BuiltinCell, BuiltinRNN, cell_attribute, fused

__all__ = ["LSTMCell", "LSTM"]


class LSTMCell(BuiltinCell):
    """One LSTM step (gate order i, f, c, o as Keras). States: ``[h, c]``, each (batch, units).

    Args:
        units: size u of h and c (and of the output).
        activation: for the candidate g and for the output tanh(c) (default tanh).
        recurrent_activation: for the gates i, f, o (default sigmoid).
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers (defaults
            glorot_uniform, orthogonal, zeros).
        unit_forget_bias: start the forget gate's bias at 1 (so f starts near 0.73 and the
            cell remembers from the start; Jozefowicz et al. 2015), the rest from
            ``bias_initializer``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the loss.
        dropout, recurrent_dropout, seed: as in ``SimpleRNNCell``.

    Example:
        >>> import numpy as np
        >>> RNN(LSTMCell(4), return_state=True)(np.ones((2, 5, 3)))[2].shape   # c
        (2, 4)
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def build(self, input_shape):
        super().build(input_shape)
        if self.use_bias and self.unit_forget_bias:
            self.bias.data[self.units:2 * self.units] = 1  # blocks i, f, c, o: f starts at 1

    def call(self, inputs, states, training=None):
        h_prev, c_prev = states
        x, h = self._dropped(inputs, h_prev, training)
        z = ops.linear(x, self.kernel, self.bias) + ops.matmul(h, self.recurrent_kernel)
        u = self.units
        i = self.recurrent_activation(z[:, :u])
        f = self.recurrent_activation(z[:, u:2 * u])
        g = self.activation(z[:, 2 * u:3 * u])
        o = self.recurrent_activation(z[:, 3 * u:])
        c = f * c_prev + i * g
        h = o * self.activation(c)
        return h, [h, c]

    def cell_arguments(self) -> dict:
        arguments = super().cell_arguments()
        arguments.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                         unit_forget_bias=self.unit_forget_bias)
        return arguments


class LSTM(BuiltinRNN):
    """Long short-term memory layer (Hochreiter and Schmidhuber 1997; Keras's ``LSTM``).

    Runs ``glassnet.ops.recurrent.lstm`` (one fused op over the sequence) when both activations
    are ones it supports and no recurrent dropout is active; otherwise its cell step by step
    (same results, slower). Input dropout is applied to the whole sequence before the fused op
    (one mask per sequence, as in the per-step loop).

    Args:
        units: size u of h and c; 4 * (i + u + 1) * u parameters for i input features.
        activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, unit_forget_bias, kernel_regularizer, recurrent_regularizer,
            bias_regularizer, dropout, recurrent_dropout, seed: as in ``LSTMCell``.
        return_sequences, return_state, go_backwards, stateful, unroll: as in ``RNN`` (and
            ``zero_output_for_mask``, Keras's RNN argument, as a keyword).

    Input shape: ``(batch, time, features)``. Output shape: ``(batch, units)``, or
    ``(batch, time, units)`` with ``return_sequences``; ``[output, h, c]`` with ``return_state``.
    Weights (Keras layout, gates i, f, c, o): ``lstm/lstm_cell/kernel`` (i, 4u),
    ``recurrent_kernel`` (u, 4u), ``bias`` (4u,).

    Example (course exercise 9: learn "ihello" from one-hot "hihell"):
        >>> model = Sequential([Input((6, 5)), LSTM(8, return_sequences=True), Dense(5, activation="softmax")])
        >>> model.output_shape
        (None, 6, 5)
    """

    cell_class = LSTMCell
    recurrent_activation = cell_attribute("recurrent_activation")
    unit_forget_bias = cell_attribute("unit_forget_bias")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, **kwargs):
        cell_arguments = dict(
            units=units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed)
        super().__init__(cell_arguments, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)

    def _fused(self, x, states, mask):
        cell = self.cell
        return fused.lstm(x, cell.kernel, cell.recurrent_kernel, cell.bias, states[0], states[1], mask=mask,
                          activation=activations.serialize(cell.activation),
                          recurrent_activation=activations.serialize(cell.recurrent_activation),
                          go_backwards=self.go_backwards, zero_output_for_mask=self.zero_output_for_mask)
