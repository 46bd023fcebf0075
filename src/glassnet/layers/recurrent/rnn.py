"""``RNN(cell)``: the generic recurrent layer, the cell protocol and the per-step loop.

A recurrent layer reads a sequence ``(batch, time, features)`` one step at a time and carries
a state from step to step (course section 5: ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b)``).
What happens at one step is the job of a *cell*; the layer only runs the loop. A cell is any
object (usually a ``Layer``) with, as in Keras:

- ``state_size``: an int (one state of that size) or a list of ints (LSTM: ``[units, units]``
  for ``h`` and ``c``);
- ``output_size`` (optional, default ``state_size[0]``): the size of the per-step output;
- ``call(inputs, states, training=None) -> (output, new_states)``: one step, from the inputs
  at time t ``(batch, features)`` and the list of states to the output and the new states;
- ``get_initial_state(batch_size)`` (optional): the states before the first step (zeros by
  default).

The loop here (``run_cell``) calls the cell once per time step with glassnet ops, so
backpropagation through time is simply the autograd graph of that loop: correct for any cell,
but 3-4x slower than a fused op. ``SimpleRNN``, ``LSTM`` and ``GRU`` therefore use the fused
ops of ``glassnet.ops.recurrent`` and come back to this loop only when those cannot apply.

Masks: a boolean ``mask`` (batch, time), True for a real step, makes the loop skip padded
steps: the states are carried over unchanged, and the step's output repeats the previous
output (zeros before the first real step), or is zero with ``zero_output_for_mask=True``, as
in Keras. So padding before or after a sequence does not change the final output.

Example (a cell written by hand):
    >>> import numpy as np
    >>> class MinimalRNNCell(Layer):
    ...     def __init__(self, units, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.units, self.state_size = units, units
    ...     def build(self, input_shape):
    ...         self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
    ...         self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, self.units))
    ...     def call(self, inputs, states):
    ...         h = ops.tanh(inputs @ self.kernel + states[0] @ self.recurrent_kernel)
    ...         return h, [h]
    >>> RNN(MinimalRNNCell(4))(np.ones((2, 5, 3))).shape
    (2, 4)
"""
from __future__ import annotations

import inspect

import numpy as np

from glassnet import ops
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.layers.base import Layer, is_shape
from glassnet.layers.registry import deserialize

__all__ = ["RNN", "StackedRNNCells"]


# ---------------------------------------------------------------------------- the cell protocol
def state_sizes(cell, who: str) -> list:
    """The cell's ``state_size`` as a list of ints (an int means one state)."""
    size = getattr(cell, "state_size", None)
    sizes = [size] if isinstance(size, (int, np.integer)) else size
    if not isinstance(sizes, (list, tuple)) or not sizes or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError(f"{who}: expected the cell's state_size to be a positive int or a list of them, "
                         f"received {size!r}")
    return [int(s) for s in sizes]


def output_size(cell, who: str) -> int:
    """The size of the cell's per-step output: ``output_size``, else the first state's size."""
    size = getattr(cell, "output_size", None)
    return state_sizes(cell, who)[0] if size is None else int(size)


def zeros_like_weights(layer, shape):
    """A zeros array of ``shape`` in ``layer``'s dtype, where its weights live (host or device)."""
    return array_module(*(w.data for w in layer.weights)).zeros(shape, dtype=layer.dtype)


def _takes(fn, argument: str) -> bool:
    return argument in inspect.signature(fn).parameters


def adopt(owner: str, layer) -> None:
    """Name ``layer`` and the layers inside it ``<owner>/<name>``, those not built yet (a built
    layer's weights already have their names). So the weights of ``RNN(my_cell)`` are
    ``rnn/my_cell/kernel``, Keras 3's path, and stay unique when two RNNs hold equal cells; a
    layer rebuilt from a saved config has the prefix already and keeps its name."""
    todo = [layer]
    while todo:
        current = todo.pop()
        if isinstance(current, Layer) and not current.built and not current.name.startswith(owner + "/"):
            current.name = f"{owner}/{current.name}"
        todo.extend(getattr(current, "_sublayers", []))


def reset_dropout_masks(cell) -> None:
    """Forget the dropout masks a cell keeps for the current sequence (see ``_builtin.BuiltinCell``)."""
    for c in getattr(cell, "cells", [cell]):
        if hasattr(c, "reset_dropout_mask"):
            c.reset_dropout_mask()
            c.reset_recurrent_dropout_mask()


def run_cell(cell, x, states, mask=None, training=False, go_backwards=False, keep_sequence=True,
             zero_output_for_mask=False):
    """The generic recurrence: ``cell.call`` once per time step, as an autograd graph.

    Args:
        cell: a cell (see the module docstring).
        x: input Tensor (batch, time, features).
        states: list of state Tensors (batch, size), the states before the first step.
        mask: None or a bool array (batch, time); a masked step keeps the states, and outputs
            the previous output (zeros before the first real step) or, with
            ``zero_output_for_mask``, zeros.
        training: passed to ``cell.call`` when it takes it (dropout).
        go_backwards: process the steps from last to first.
        keep_sequence: also return the outputs of all steps (else None in their place).

    Returns:
        ``(sequence, last_output, last_states)``: the outputs stacked on axis 1 in processing
        order (reversed for ``go_backwards``) or None, the output of the last unmasked step,
        and the final states.
    """
    steps = x.shape[1]
    kwargs = {"training": training} if _takes(cell.call, "training") else {}
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    outputs, last = [], None
    reset_dropout_masks(cell)  # one dropout mask per sequence, drawn at its first step
    for t in order:
        out, new_states = cell.call(x[:, t], states, **kwargs)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if len(new_states) != len(states):
            raise ValueError(f"cell '{getattr(cell, 'name', type(cell).__name__)}': expected call() to "
                             f"return {len(states)} state(s), received {len(new_states)}")
        if mask is not None:
            keep = mask[:, t:t + 1]  # (batch, 1): broadcasts over the features
            new_states = [ops.where(keep, new, old) for new, old in zip(new_states, states)]
            last = ops.where(keep, out, 0.0 if last is None else last)
            out = ops.where(keep, out, 0.0) if zero_output_for_mask else last
        else:
            last = out
        if keep_sequence:
            outputs.append(out)
        states = new_states
    reset_dropout_masks(cell)
    sequence = ops.stack(outputs, axis=1) if keep_sequence else None
    return sequence, last, states


# ---------------------------------------------------------------------------- the layer
class RNN(Layer):
    """A recurrent layer running any cell over the time axis (Keras's ``keras.layers.RNN``).

    Args:
        cell: a cell (see the module docstring), or a list of cells, stacked (the output of
            one is the input of the next, as ``StackedRNNCells``).
        return_sequences: return the outputs of every step (batch, time, output_size)
            instead of the last one (batch, output_size).
        return_state: also return the final states: ``[output, *states]``.
        go_backwards: process the sequence from its end; with ``return_sequences`` the
            outputs come in that (reversed) order, as in Keras.
        stateful: the final states of a batch are the initial states of the next (the i-th
            sample continues the i-th sample), until ``reset_states()``. The batch size must
            stay the same.
        unroll: accepted for Keras compatibility; has no effect (the loop is a Python loop).
        zero_output_for_mask: with a mask and ``return_sequences``, masked steps output zeros
            (True) or repeat the previous output (False, Keras's default).

    Call arguments:
        inputs: (batch, time, features); the time axis may have any length.
        mask: optional bool array (batch, time), True for real steps. Masked steps keep the
            states (see ``zero_output_for_mask`` for their outputs); the last output is that of
            the last real step.
        training: passed to the cell (dropout).
        initial_state: list of state arrays, one (batch, size) per entry of ``state_size``.

    Input shape: ``(batch, time, features)``. Output shape: ``(batch, output_size)``, or
    ``(batch, time, output_size)`` with ``return_sequences``; with ``return_state`` a list
    ``[output, *states]``, each state ``(batch, size)``. Stacked cells' states come as one
    flat list (Keras 3 nests them per cell).

    Weights are the cell's. A cell that is a ``Layer`` and not yet built is renamed
    ``<rnn name>/<cell name>`` (see ``adopt``), so its weights are ``rnn/my_cell/kernel`` as
    Keras 3 names them.

    Example:
        >>> import numpy as np
        >>> layer = RNN(SimpleRNNCell(4), return_sequences=True)
        >>> layer(np.ones((2, 5, 3))).shape
        (2, 5, 4)
    """

    supports_masking = True

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, dict):
            cell = _deserialize(cell)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells([_deserialize(c) if isinstance(c, dict) else c for c in cell],
                                   name=f"{self.name}/stacked_rnn_cells")
        if not callable(getattr(cell, "call", None)):
            raise ValueError(f"{self._who}: expected a cell with a call(inputs, states) method, "
                             f"received {type(cell).__name__}")
        self.state_size = state_sizes(cell, self._who)
        adopt(self.name, cell)
        self.cell = cell  # a Layer cell becomes a sub-layer: its weights are this layer's
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states = None  # stateful: the carried-over state arrays

    @property
    def _who(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    # ---------------------------------------------------------------- initial state in the graph
    def __call__(self, inputs, *args, initial_state=None, **kwargs):
        # the initial states travel as extra inputs, [sequence, *states], so that in a
        # functional model they are wired like any input (an encoder's states into a decoder)
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            inputs = [inputs] + states
        return super().__call__(inputs, *args, **kwargs)

    # ---------------------------------------------------------------- shapes
    def _check_input_shape(self, shape) -> None:
        if len(shape) != 3:
            raise ValueError(f"{self._who}: expected input of rank 3 (batch, time, features), "
                             f"received shape {tuple(shape)}")
        if shape[-1] is None:
            raise ValueError(f"{self._who}: the features axis (last) of the input must be known, "
                             f"received input shape {tuple(shape)}")

    def build(self, input_shape):
        shape = input_shape if is_shape(input_shape) else input_shape[0]
        self._check_input_shape(shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._build_once((shape[0],) + tuple(shape[2:]))  # one step: (batch, features)
        if self.stateful and shape[0] is not None and self.states is None:
            self.states = [zeros_like_weights(self, (shape[0], s)) for s in self.state_size]

    def compute_output_shape(self, input_shape):
        shape = input_shape if is_shape(input_shape) else input_shape[0]
        self._check_input_shape(shape)
        batch, steps = shape[0], shape[1]
        size = output_size(self.cell, self._who)
        output = (batch, steps, size) if self.return_sequences else (batch, size)
        if self.return_state:
            return [output] + [(batch, s) for s in self.state_size]
        return output

    def compute_mask(self, inputs, mask=None):
        """The output's mask: the input's for ``return_sequences`` (reversed with
        ``go_backwards``, like the outputs), else None; None for each returned state."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = None
        if self.return_sequences and mask is not None:
            out = mask[:, ::-1] if self.go_backwards else mask
        return [out] + [None] * len(self.state_size) if self.return_state else out

    # ---------------------------------------------------------------- computation
    def call(self, inputs, mask=None, training=None, initial_state=None):
        if isinstance(inputs, (list, tuple)):  # [sequence, *initial states], see __call__
            inputs, given = inputs[0], list(inputs[1:])
            initial_state = given or initial_state
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        self._check_input_shape(inputs.shape)
        if inputs.shape[1] == 0:
            raise ValueError(f"{self._who}: expected at least one time step, received input shape {inputs.shape}")
        states = self._initial_states(inputs, initial_state)
        mask = self._check_mask(mask, inputs)
        sequence, last, states = self._run(inputs, states, mask, bool(training))
        if self.stateful:  # carried to the next batch as values: no gradient flows across batches
            self.states = [array_module(s.data).array(s.data) for s in states]
        output = sequence if self.return_sequences else last
        return [output] + list(states) if self.return_state else output

    def _run(self, x, states, mask, training):
        """``(sequence or None, last output, final states)``; subclasses use fused ops here."""
        return run_cell(self.cell, x, states, mask=mask, training=training,
                        go_backwards=self.go_backwards, keep_sequence=self.return_sequences,
                        zero_output_for_mask=self.zero_output_for_mask)

    def get_initial_state(self, batch_size) -> list:
        """The states before the first step: the cell's ``get_initial_state``, else zeros."""
        make = getattr(self.cell, "get_initial_state", None)
        if make is None:
            return [Tensor(zeros_like_weights(self, (batch_size, s))) for s in self.state_size]
        states = make(batch_size=batch_size)
        return list(states) if isinstance(states, (list, tuple)) else [states]

    def _initial_states(self, x, given) -> list:
        batch = x.shape[0]
        xp = array_module(x.data)
        if given is None and self.stateful:
            if self.states is None:
                self.states = [xp.zeros((batch, s), dtype=x.dtype) for s in self.state_size]
            if self.states[0].shape[0] != batch:
                raise ValueError(f"{self._who}: stateful layer expected batch size {self.states[0].shape[0]} "
                                 f"(the batch size it started with), received {batch}; call reset_states() "
                                 f"after changing it or keep batches of one size")
            given = self.states
        if given is None:
            given = self.get_initial_state(batch)
        given = list(given) if isinstance(given, (list, tuple)) else [given]
        given = [s if isinstance(s, Tensor) else Tensor(xp.asarray(s), dtype=x.dtype) for s in given]
        expected = [(batch, s) for s in self.state_size]
        if [s.shape for s in given] != expected:
            raise ValueError(f"{self._who}: expected initial_state of {len(expected)} array(s) with shapes "
                             f"{expected}, received shapes {[s.shape for s in given]}")
        return given

    def _check_mask(self, mask, x):
        if mask is None:
            return None
        mask = mask.data if isinstance(mask, Tensor) else mask
        mask = array_module(x.data).asarray(mask).astype(bool, copy=False)
        if mask.shape != x.shape[:2]:
            raise ValueError(f"{self._who}: expected a mask of shape {x.shape[:2]} (batch, time), "
                             f"received {mask.shape}")
        return None if mask.all() else mask  # nothing masked: the unmasked (faster) path

    def reset_states(self, states=None) -> None:
        """Stateful layers: zero the carried states (or set them to ``states``, a list of
        (batch, size) arrays). Does nothing for a layer that is not stateful."""
        if not self.stateful:
            return
        if states is None:
            if self.states is not None:
                self.states = [array_module(s).zeros_like(s) for s in self.states]
            return
        xp = array_module(*(w.data for w in self.weights))
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        states = [xp.array(s.data if isinstance(s, Tensor) else s, dtype=self.dtype) for s in states]
        expected = [(states[0].shape[0], s) for s in self.state_size]
        if [s.shape for s in states] != expected:
            raise ValueError(f"{self._who}: expected states of shapes {expected}, "
                             f"received {[s.shape for s in states]}")
        self.states = states

    reset_state = reset_states  # Keras 3's name

    # ---------------------------------------------------------------- config
    def _rnn_config(self) -> dict:
        return {"return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask}

    def get_config(self):
        config = super().get_config()
        config.update(self._rnn_config())
        config["cell"] = _serialize(self.cell, self._who)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Recreate the layer; its cell is rebuilt by class name (``custom_objects`` first).

        Example:
            >>> RNN.from_config(RNN(MyCell(4)).get_config(), custom_objects={"MyCell": MyCell})
        """
        config = dict(config)
        config["cell"] = _deserialize(config["cell"], custom_objects)
        return cls(**config)


class StackedRNNCells(Layer):
    """Cells on top of each other acting as one cell: the output of each is the input of the
    next (``RNN([cell1, cell2])`` makes one). Its states are all the cells' states, in order.

    Args:
        cells: list of cells.

    Example:
        >>> import numpy as np
        >>> RNN(StackedRNNCells([LSTMCell(8), LSTMCell(4)]))(np.ones((2, 5, 3))).shape
        (2, 4)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = [_deserialize(c) if isinstance(c, dict) else c for c in cells]
        if not cells:
            raise ValueError(f"StackedRNNCells '{self.name}': expected at least one cell, received none")
        self.cells = cells
        self._sizes = [state_sizes(c, f"StackedRNNCells '{self.name}'") for c in cells]
        self._sublayers.extend(c for c in cells if isinstance(c, Layer))

    @property
    def state_size(self) -> list:
        return [s for sizes in self._sizes for s in sizes]

    @property
    def output_size(self) -> int:
        return output_size(self.cells[-1], f"StackedRNNCells '{self.name}'")

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._build_once(shape)
            shape = shape[:-1] + (output_size(cell, f"StackedRNNCells '{self.name}'"),)

    def call(self, inputs, states, training=None):
        new_states, start = [], 0
        for cell, sizes in zip(self.cells, self._sizes):
            own = list(states[start:start + len(sizes)])
            start += len(sizes)
            kwargs = {"training": training} if _takes(cell.call, "training") else {}
            inputs, cell_states = cell.call(inputs, own, **kwargs)
            new_states.extend(cell_states if isinstance(cell_states, (list, tuple)) else [cell_states])
        return inputs, new_states

    def get_initial_state(self, batch_size) -> list:
        states = []
        for cell, sizes in zip(self.cells, self._sizes):
            make = getattr(cell, "get_initial_state", None)
            if make is None:
                states.extend(Tensor(zeros_like_weights(self, (batch_size, s))) for s in sizes)
            else:
                own = make(batch_size=batch_size)
                states.extend(own if isinstance(own, (list, tuple)) else [own])
        return states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [_serialize(c, f"StackedRNNCells '{self.name}'") for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        config["cells"] = [_deserialize(c, custom_objects) for c in config["cells"]]
        return cls(**config)


# ---------------------------------------------------------------------------- saving inner layers
def _serialize(layer, who: str) -> dict:
    if not hasattr(layer, "get_config"):
        raise ValueError(f"{who}: cannot save cell {type(layer).__name__}: it has no get_config()")
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def _deserialize(entry, custom_objects=None):
    """A layer or cell back from ``{"class_name", "config"}`` (an object is returned as is)."""
    if not isinstance(entry, dict):
        return entry
    return deserialize(entry, custom_objects)
