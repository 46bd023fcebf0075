"""Recurrent layers' time loops as fused ops: ``simple_rnn``, ``lstm`` and ``gru``.

Each op runs a whole sequence through one recurrent cell (course section 5) and is ONE
``Function``: one node in the autograd graph per layer call, whatever the number of time steps,
with a hand-written backpropagation through time (BPTT). Layouts follow Keras exactly, so
weights move between Keras and glassnet:

- ``x``: ``(batch, time, features)``; states ``(batch, units)``.
- ``kernel``: ``(features, n * units)``, ``recurrent_kernel``: ``(units, n * units)``, ``bias``:
  ``(n * units,)``, the ``n`` gate blocks side by side: SimpleRNN n = 1; LSTM n = 4 in the
  order i, f, c, o; GRU n = 3 in the order z, r, h (with ``reset_after=True`` the bias is
  ``(2, 3 * units)``: row 0 for the input, row 1 for the recurrent projection).

The cells, with ``s`` the recurrent activation (sigmoid) and ``a`` the activation (tanh):

    SimpleRNN  h_t = a(x_t K + h_{t-1} R + b)
    LSTM       [i, f, c~, o] = [s, s, a, s](x_t K + h_{t-1} R + b)
               c_t = f * c_{t-1} + i * c~          h_t = o * a(c_t)
    GRU        z = s(x_t K_z + h_{t-1} R_z + b_z)    r = s(x_t K_r + h_{t-1} R_r + b_r)
               reset_after:     h~ = a(x_t K_h + b_ih + r * (h_{t-1} R_h + b_rh))
               not reset_after: h~ = a(x_t K_h + (r * h_{t-1}) R_h + b_h)
               h_t = z * h_{t-1} + (1 - z) * h~

How the ops are fast (DESIGN.md, "Speed"; a per-step graph of small ops costs 3-4x):

- One matrix product per step gives every gate's pre-activation: with ``Z[t] = [h_{t-1}, x_t, 1]``
  (the previous state, the input, a one), ``Z[t] @ [R; K; b] = x_t K + h_{t-1} R + b``. When
  x has many features, its part ``[x_t, 1] @ [K; b]`` is instead one product for all steps
  before the loop (see ``FOLD_MAX_COLUMNS``). The rest of a step is element-wise gate math,
  in place in preallocated buffers.
- The gate math works on a feature-major ``(n * units, batch)`` block per step, so each gate is
  a contiguous ``(units, batch)`` block and every element-wise op walks one contiguous run of
  memory (measured 25-50% faster than slicing gates out of ``(batch, n * units)`` rows).
- The LSTM's gates are kept internally in the order o, i, f, c (not Keras's i, f, c, o): the
  three sigmoid gates are then one block (one call activates them) and the three gates that
  multiply dc in backward are one block too.
- ``sigmoid(x) = (1 + tanh(x / 2)) / 2``: it never overflows, and the ``x / 2`` is folded into
  the weights of sigmoid gates (their columns are halved once per call), so that an LSTM step
  activates all four gates with one ``tanh`` plus a multiply-add on the sigmoid rows.
- Backward: every factor that does not depend on the incoming gradient (the activations'
  derivatives, ``o * a'(c)``...) is computed for all steps at once before the loop; the loop
  computes the pre-activations' gradient dG per step, the gradient flowing to h_{t-1} through
  ``R``. After it, ``Z^T dG`` (all steps stacked) is the gradient of ``[R; K; b]``: the three
  weight gradients in one matrix product; ``dx = dG K^T`` is another. Work no input needs is
  skipped (dx for a network's input), and so are the zeros a layer that returns only its
  final state sends for the sequence.

Masks (``mask``: boolean ``(batch, time)``, True for real steps), as Keras does: a masked step
leaves the states unchanged (h and c are carried over), so padding before or after a sequence
changes nothing in the final states. Its output repeats the previous step's output (zeros
before the first real step), as Keras's RNN layers return it (``zero_output_for_mask=False``,
their default); with ``zero_output_for_mask=True`` masked outputs are zeros instead. Keras's
last output (what a layer without ``return_sequences`` returns) is ``sequence[:, -1]``; it
equals the final h except for a sample with no real step at all, where it is zero.

``go_backwards=True`` reads the time axis from the last step to the first, and the returned
sequence is in that processing order (reversed), as Keras returns it.

Returns: the autograd core's ``Function`` has one output, so each op packs its results into one
``(batch, time + k, units)`` array (the sequence, then the final h, then the final c for the
LSTM) and hands back slices of it made with ``ops.getitem``: each slice's gradient flows back
into the packed array's gradient, which the op's backward unpacks.

Example:
    >>> import numpy as np
    >>> from glassnet import Tensor, ops
    >>> x = Tensor(np.ones((2, 5, 3)))                          # batch 2, 5 steps, 3 features
    >>> k, r, b = np.zeros((3, 16)), np.zeros((4, 16)), np.zeros(16)   # 4 units, 4 gates
    >>> h0 = c0 = np.zeros((2, 4))
    >>> seq, h, c = ops.lstm(x, k, r, b, h0, c0)
    >>> seq.shape, h.shape, c.shape
    ((2, 5, 4), (2, 4), (2, 4))
"""
from __future__ import annotations

from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.ops._util import as_tensor
from glassnet.ops.recurrent._base import FUSED_ACTIVATIONS
from glassnet.ops.recurrent._gru import GRU
from glassnet.ops.recurrent._lstm import LSTM
from glassnet.ops.recurrent._simple_rnn import SimpleRNN

__all__ = ["simple_rnn", "lstm", "gru", "FUSED_ACTIVATIONS"]


# ---------------------------------------------------------------------------- functional API
def _check_activation(op, what, name):
    if not isinstance(name, str) or name.lower() not in FUSED_ACTIVATIONS:
        raise ValueError(f"{op}: expected {what} to be one of {sorted(FUSED_ACTIVATIONS)}, received {name!r} "
                         f"(layers run other activations step by step)")
    return name.lower()


def _prepare(op, n_gates, x, kernel, recurrent_kernel, bias, states, mask, bias_shape):
    """Tensors of the inputs, checked: shapes named in the errors, the mask as a boolean array
    of ``x``'s array library. Returns ``(tensors, mask)``; ``tensors`` is x, kernel, recurrent
    kernel, bias (when given), then the states."""
    x = as_tensor(x)
    if x.ndim != 3:
        raise ValueError(f"{op}: expected x of shape (batch, time, features), received shape {x.shape}")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a float x, received dtype {x.dtype}")
    b, t, f = x.shape
    if t < 1:
        raise ValueError(f"{op}: expected at least one time step, received x of shape {x.shape}")
    kernel, recurrent_kernel = as_tensor(kernel, x), as_tensor(recurrent_kernel, x)
    rk = recurrent_kernel.shape
    if len(rk) != 2 or rk[1] != n_gates * rk[0] or rk[0] < 1:
        raise ValueError(f"{op}: expected recurrent_kernel of shape (units, {n_gates} * units), "
                         f"received {rk}")
    u = rk[0]
    if kernel.shape != (f, n_gates * u):
        raise ValueError(f"{op}: expected kernel of shape (features, {n_gates} * units) = "
                         f"{(f, n_gates * u)}, received {kernel.shape}")
    tensors = [x, kernel, recurrent_kernel]
    if bias is not None:
        bias = as_tensor(bias, x)
        expected = bias_shape(u)
        if bias.shape != expected:
            raise ValueError(f"{op}: expected bias of shape {expected}, received {bias.shape}")
        tensors.append(bias)
    for name, s in states:
        s = as_tensor(s, x)
        if s.shape != (b, u):
            raise ValueError(f"{op}: expected {name} of shape (batch, units) = {(b, u)}, received {s.shape}")
        tensors.append(s)
    if mask is not None:
        mask = mask.data if isinstance(mask, Tensor) else mask
        mask = array_module(x.data).asarray(mask)
        if mask.shape != (b, t):
            raise ValueError(f"{op}: expected mask of shape (batch, time) = {(b, t)}, received {mask.shape}")
        if mask.dtype.kind != "b":
            mask = mask != 0
    return tensors, mask


def simple_rnn(x, kernel, recurrent_kernel, bias, initial_state, mask=None, activation="tanh",
               go_backwards=False, zero_output_for_mask=False):
    """A fully connected RNN over a whole sequence: ``h_t = a(x_t K + h_{t-1} R + b)``.

    Args:
        x: ``(batch, time, features)``.
        kernel: ``(features, units)``; recurrent_kernel: ``(units, units)``; bias: ``(units,)``
            or None.
        initial_state: ``(batch, units)`` (zeros for a fresh sequence).
        mask: None or boolean ``(batch, time)``, False at padding (see the module docstring).
        activation: one of ``FUSED_ACTIVATIONS``.
        go_backwards: process the steps from last to first (the sequence comes back reversed).
        zero_output_for_mask: masked steps output zeros instead of repeating the last output.

    Returns:
        ``(sequence, last_h)``: ``(batch, time, units)`` and ``(batch, units)``.

    Example:
        >>> seq, h = simple_rnn(x, kernel, recurrent_kernel, bias, h0)   # x: (32, 50, 1)
    """
    act = _check_activation("simple_rnn", "activation", activation)
    tensors, mask = _prepare("simple_rnn", 1, x, kernel, recurrent_kernel, bias,
                             [("initial_state", initial_state)], mask, lambda u: (u,))
    fn = SimpleRNN("simple_rnn", bias is not None, mask, act, None, go_backwards, zero_output_for_mask)
    t = tensors[0].shape[1]
    packed = fn(*tensors)                      # (batch, time + 1, units): sequence, then h
    return packed[:, :t], packed[:, t]


def lstm(x, kernel, recurrent_kernel, bias, initial_h, initial_c, mask=None, activation="tanh",
         recurrent_activation="sigmoid", go_backwards=False, zero_output_for_mask=False):
    """A long short-term memory over a whole sequence (Keras gate order i, f, c, o).

    ``[i, f, c~, o] = [s, s, a, s](x_t K + h_{t-1} R + b)``, ``c_t = f c_{t-1} + i c~``,
    ``h_t = o a(c_t)``, with ``s`` the recurrent activation and ``a`` the activation.

    Args:
        x: ``(batch, time, features)``.
        kernel: ``(features, 4 * units)``; recurrent_kernel: ``(units, 4 * units)``; bias:
            ``(4 * units,)`` or None.
        initial_h, initial_c: ``(batch, units)`` each.
        mask: None or boolean ``(batch, time)``, False at padding (see the module docstring).
        activation, recurrent_activation: names in ``FUSED_ACTIVATIONS``.
        go_backwards: process the steps from last to first (the sequence comes back reversed).
        zero_output_for_mask: masked steps output zeros instead of repeating the last output.

    Returns:
        ``(sequence, last_h, last_c)``: ``(batch, time, units)``, ``(batch, units)`` twice.

    Example:
        >>> seq, h, c = lstm(x, kernel, recurrent_kernel, bias, h0, c0)   # 4 * units columns
    """
    act = _check_activation("lstm", "activation", activation)
    rec = _check_activation("lstm", "recurrent_activation", recurrent_activation)
    tensors, mask = _prepare("lstm", 4, x, kernel, recurrent_kernel, bias,
                             [("initial_h", initial_h), ("initial_c", initial_c)], mask,
                             lambda u: (4 * u,))
    fn = LSTM("lstm", bias is not None, mask, act, rec, go_backwards, zero_output_for_mask)
    t = tensors[0].shape[1]
    packed = fn(*tensors)                      # (batch, time + 2, units): sequence, h, c
    return packed[:, :t], packed[:, t], packed[:, t + 1]


def gru(x, kernel, recurrent_kernel, bias, initial_state, mask=None, activation="tanh",
        recurrent_activation="sigmoid", reset_after=True, go_backwards=False, zero_output_for_mask=False):
    """A gated recurrent unit over a whole sequence (Keras gate order z, r, h).

    ``z = s(x K_z + h R_z + b_z)``, ``r = s(x K_r + h R_r + b_r)``; with ``reset_after``
    (Keras's default, cuDNN's form) ``h~ = a(x K_h + b_ih + r * (h R_h + b_rh))``, else
    ``h~ = a(x K_h + (r * h) R_h + b_h)``; ``h_t = z h_{t-1} + (1 - z) h~``.

    Args:
        x: ``(batch, time, features)``.
        kernel: ``(features, 3 * units)``; recurrent_kernel: ``(units, 3 * units)``.
        bias: ``(2, 3 * units)`` with ``reset_after`` (input bias row, recurrent bias row),
            ``(3 * units,)`` without, or None.
        initial_state: ``(batch, units)``.
        mask: None or boolean ``(batch, time)``, False at padding (see the module docstring).
        activation, recurrent_activation: names in ``FUSED_ACTIVATIONS``.
        reset_after: apply the reset gate after the recurrent product (see above).
        go_backwards: process the steps from last to first (the sequence comes back reversed).
        zero_output_for_mask: masked steps output zeros instead of repeating the last output.

    Returns:
        ``(sequence, last_h)``: ``(batch, time, units)`` and ``(batch, units)``.

    Example:
        >>> seq, h = gru(x, kernel, recurrent_kernel, bias, h0)   # bias: (2, 3 * units)
    """
    act = _check_activation("gru", "activation", activation)
    rec = _check_activation("gru", "recurrent_activation", recurrent_activation)
    shape = (lambda u: (2, 3 * u)) if reset_after else (lambda u: (3 * u,))
    tensors, mask = _prepare("gru", 3, x, kernel, recurrent_kernel, bias,
                             [("initial_state", initial_state)], mask, shape)
    fn = GRU("gru", bias is not None, mask, act, rec, go_backwards, zero_output_for_mask,
             reset_after=bool(reset_after))
    t = tensors[0].shape[1]
    packed = fn(*tensors)                      # (batch, time + 1, units): sequence, then h
    return packed[:, :t], packed[:, t]
