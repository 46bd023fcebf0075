"""``GRUCell`` and ``GRU``: the gated recurrent unit (Cho et al. 2014), about half an LSTM.

One step, with the gates in Keras's order z (update), r (reset), h (candidate):

    x_z, x_r, x_h = split(x_t @ kernel + input_bias, 3)
    reset_after=True (default, cuDNN's and PyTorch's form):
        a_z, a_r, a_h = split(h_{t-1} @ recurrent_kernel + recurrent_bias, 3)
        z = sigmoid(x_z + a_z)   r = sigmoid(x_r + a_r)   hh = tanh(x_h + r * a_h)
    reset_after=False (the original form): r multiplies the state before the product:
        z, r as above (without a recurrent bias)   hh = tanh(x_h + (r * h_{t-1}) @ U_h)
    h_t = z * h_{t-1} + (1 - z) * hh                                  # output: h_t

Weights: ``kernel`` (i, 3u), ``recurrent_kernel`` (u, 3u), and ``bias`` (2, 3u) with
``reset_after`` (row 0 the input bias, row 1 the recurrent bias: 3 * (i + u + 2) * u
parameters) or (3u,) without (3 * (i + u + 1) * u parameters).
"""
from __future__ import annotations

from glassnet import activations, ops
from glassnet.layers.recurrent._builtin import BuiltinCell, BuiltinRNN, cell_attribute, fused

__all__ = ["GRUCell", "GRU"]


class GRUCell(BuiltinCell):
    """One GRU step (gate order z, r, h as Keras). State: ``[h]`` (batch, units).

    Args:
        units: size u of the state (and of the output).
        activation: for the candidate hh (default tanh).
        recurrent_activation: for the gates z and r (default sigmoid).
        use_bias: whether to add biases.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers (defaults
            glorot_uniform, orthogonal, zeros).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the loss.
        dropout, recurrent_dropout, seed: as in ``SimpleRNNCell``.
        reset_after: apply the reset gate after the recurrent product (True, the default, with
            separate input and recurrent biases) or before it (False).

    Example:
        >>> import numpy as np
        >>> RNN(GRUCell(4))(np.ones((2, 5, 3))).shape
        (2, 4)
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True, seed=None,
                 **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=None):
        h_prev = states[0]
        x, h = self._dropped(inputs, h_prev, training)
        u = self.units
        if self.bias is None:
            input_bias = recurrent_bias = None
        elif self.reset_after:
            input_bias, recurrent_bias = self.bias[0], self.bias[1]
        else:
            input_bias, recurrent_bias = self.bias, None
        xz = ops.linear(x, self.kernel, input_bias)  # (batch, 3u): the blocks z, r, h
        if self.reset_after:
            a = ops.linear(h, self.recurrent_kernel, recurrent_bias)
            z = self.recurrent_activation(xz[:, :u] + a[:, :u])
            r = self.recurrent_activation(xz[:, u:2 * u] + a[:, u:2 * u])
            hh = self.activation(xz[:, 2 * u:] + r * a[:, 2 * u:])
        else:
            a = ops.matmul(h, self.recurrent_kernel[:, :2 * u])
            z = self.recurrent_activation(xz[:, :u] + a[:, :u])
            r = self.recurrent_activation(xz[:, u:2 * u] + a[:, u:])
            hh = self.activation(xz[:, 2 * u:] + ops.matmul(r * h, self.recurrent_kernel[:, 2 * u:]))
        h_new = z * h_prev + (1.0 - z) * hh  # the mix uses the state itself, not its dropped copy
        return h_new, [h_new]

    def cell_arguments(self) -> dict:
        arguments = super().cell_arguments()
        arguments.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                         reset_after=self.reset_after)
        return arguments


class GRU(BuiltinRNN):
    """Gated recurrent unit layer (Keras's ``GRU``).

    Runs ``glassnet.ops.recurrent.gru`` (one fused op over the sequence) when both activations
    are ones it supports and no recurrent dropout is active; otherwise its cell step by step
    (same results, slower).

    Args:
        units: size u of the state; 3 * (i + u + 2) * u parameters for i input features with
            ``reset_after`` (3 * (i + u + 1) * u without).
        activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
            dropout, recurrent_dropout, seed, reset_after: as in ``GRUCell``.
        return_sequences, return_state, go_backwards, stateful, unroll: as in ``RNN`` (and
            ``zero_output_for_mask``, Keras's RNN argument, as a keyword).

    Input shape: ``(batch, time, features)``. Output shape: ``(batch, units)``, or
    ``(batch, time, units)`` with ``return_sequences``; ``[output, h]`` with ``return_state``.
    Weights (Keras layout, gates z, r, h): ``gru/gru_cell/kernel`` (i, 3u), ``recurrent_kernel``
    (u, 3u), ``bias`` (2, 3u) (or (3u,) with ``reset_after=False``).

    Example:
        >>> import numpy as np
        >>> GRU(4, return_sequences=True)(np.ones((2, 5, 3))).shape
        (2, 5, 4)
    """

    cell_class = GRUCell
    recurrent_activation = cell_attribute("recurrent_activation")
    reset_after = cell_attribute("reset_after")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 **kwargs):
        cell_arguments = dict(
            units=units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer, dropout=dropout,
            recurrent_dropout=recurrent_dropout, reset_after=reset_after, seed=seed)
        super().__init__(cell_arguments, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)

    def _fused(self, x, states, mask):
        cell = self.cell
        return fused.gru(x, cell.kernel, cell.recurrent_kernel, cell.bias, states[0], mask=mask,
                         activation=activations.serialize(cell.activation),
                         recurrent_activation=activations.serialize(cell.recurrent_activation),
                         reset_after=cell.reset_after,
                         go_backwards=self.go_backwards, zero_output_for_mask=self.zero_output_for_mask)
