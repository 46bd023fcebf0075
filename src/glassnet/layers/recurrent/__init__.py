"""Recurrent layers (Keras names, arguments and weight layouts), one file per concept.

- ``rnn``: ``RNN`` (any cell over the time axis; the cell protocol and the per-step loop),
  ``StackedRNNCells``
- ``simple_rnn``: ``SimpleRNNCell``, ``SimpleRNN``
- ``lstm``: ``LSTMCell``, ``LSTM``
- ``gru``: ``GRUCell``, ``GRU``
- ``wrappers``: ``Bidirectional``, ``TimeDistributed``
- ``_builtin``: what SimpleRNN, LSTM and GRU share (arguments, weights, dropout masks, and the
  choice between the fused ops of ``glassnet.ops.recurrent`` and the per-step loop)

Example:
    >>> from glassnet import Sequential, layers
    >>> model = Sequential([layers.Input((None, 3)), layers.LSTM(8), layers.Dense(1)])
    >>> model.output_shape
    (None, 1)
"""
from glassnet.layers.recurrent.rnn import RNN, StackedRNNCells
from glassnet.layers.recurrent.simple_rnn import SimpleRNN, SimpleRNNCell
from glassnet.layers.recurrent.lstm import LSTM, LSTMCell
from glassnet.layers.recurrent.gru import GRU, GRUCell
from glassnet.layers.recurrent.wrappers import Bidirectional, TimeDistributed

__all__ = ["RNN", "StackedRNNCells", "SimpleRNNCell", "SimpleRNN", "LSTMCell", "LSTM", "GRUCell", "GRU",
           "Bidirectional", "TimeDistributed"]
