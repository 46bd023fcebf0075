"""What the three recurrences share: the in-place activations and their derivatives, and the
base ``Function`` (layouts, masks, the packed output). The maths and the design are in the
package docstring (``glassnet.ops.recurrent``).

Example:
    >>> import numpy as np
    >>> from glassnet.ops.recurrent._base import _activate
    >>> a = np.array([0.0, 2.0], np.float32)
    >>> _activate("sigmoid", a, np)              # in place: sigmoid(x) = (1 + tanh(x / 2)) / 2
    >>> a
    array([0.5      , 0.8807971], dtype=float32)
"""
from __future__ import annotations

from glassnet.core.tensor import Function

# The activations the fused ops compute themselves. Each one's derivative can be written with
# its output alone (what backward keeps). Layers run other activations as a per-step graph.
FUSED_ACTIVATIONS = frozenset({"tanh", "sigmoid", "hard_sigmoid", "relu", "linear"})

# Up to this many input columns (features, plus 1 for the bias), x_t rides in every step's matrix
# product; with more, the input part of all steps is one product before the loop. (Measured with
# OpenBLAS on 2 cores: a step's (512, K) @ (K, 32) product takes 32 us at K = 129 but 160-240 us
# from K = 255 on, so an LSTM(128) fed 128 features must not fold them in; for a few features
# folding saves the extra pass per step.)
FOLD_MAX_COLUMNS = 32


# ---------------------------------------------------------------------------- activations
def _activate(name, a, xp, halved=False):
    """``a = name(a)`` in place. With ``halved``, ``a`` holds half the pre-activation of a
    sigmoid (its weights were halved; see ``glassnet.ops.recurrent``). Scalars take ``a``'s dtype."""
    one, half = a.dtype.type(1), a.dtype.type(0.5)
    if name == "tanh":
        xp.tanh(a, out=a)
    elif name == "sigmoid":            # sigmoid(x) = (1 + tanh(x / 2)) / 2
        if not halved:
            a *= half
        xp.tanh(a, out=a)
        a *= half
        a += half
    elif name == "relu":
        xp.maximum(a, a.dtype.type(0), out=a)
    elif name == "hard_sigmoid":       # Keras 3: relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1)
        a *= a.dtype.type(1 / 6)
        a += half
        xp.clip(a, a.dtype.type(0), one, out=a)
    # "linear": nothing to do


def _derivative(name, y, xp, out=None):
    """d name(x) / dx where ``name(x) = y``, computed from the output ``y``, into ``out`` (a new
    array when None)."""
    one = y.dtype.type(1)
    if out is None:
        out = xp.empty_like(y)
    if name == "tanh":                 # 1 - y^2
        xp.multiply(y, y, out=out)
        xp.subtract(one, out, out=out)
    elif name == "sigmoid":            # y (1 - y)
        xp.subtract(one, y, out=out)
        out *= y
    elif name == "relu":
        out[...] = y > 0
    elif name == "hard_sigmoid":       # 1/6 on the slope, 0 where clipped
        out[...] = (y > 0) & (y < one)
        out *= y.dtype.type(1 / 6)
    else:                              # linear
        out[...] = one
    return out


def _halve_sigmoid_gates(a, blocks, units):
    """``a`` (gate blocks of ``units`` along its last axis, Keras's layout) with the blocks whose
    activation is a sigmoid halved: the ``x / 2`` of ``sigmoid(x) = (1 + tanh(x / 2)) / 2``.
    A new array when something is halved, ``a`` itself otherwise (never written to)."""
    if "sigmoid" not in blocks:
        return a
    a = a.copy()
    half = a.dtype.type(0.5)
    for k, name in enumerate(blocks):
        if name == "sigmoid":
            a[..., k * units:(k + 1) * units] *= half
    return a


# ---------------------------------------------------------------------------- the shared Function
class _Recurrence(Function):
    """What the three recurrences share: inputs, masks, layouts, packing of the outputs.

    Inputs: ``x, kernel, recurrent_kernel``, then ``bias`` when given, then the initial states
    (h; h and c for the LSTM). Internally (U units, B batch, T steps, F features):

    - ``Z``: ``(T + 1, B, D)`` with ``Z[t] = [h_{t-1}, x_t, 1]`` (D = U + F + 1; no ones column
      without a bias), x in processing order. ``[h_{t-1}, x_t, 1] @ [R; K; b] =
      x_t K + h_{t-1} R + b`` is every gate's pre-activation: one matrix product per step
      when x has few features; with many, the ``[x_t, 1]`` part of all steps is one product
      before the loop and each step multiplies h only (see ``FOLD_MAX_COLUMNS``). After the
      loop ``Z^T dG`` is the gradient of ``[R; K; b]``: the three weight gradients in one
      product.
    - ``H = Z[:, :, :U]``: the states h, ``H[0]`` the initial state, ``H[t + 1]`` after step t,
      written by step t into the next step's row of ``Z``. Batch-major, so the output sequence
      is a copy of whole rows. (The gate math of the LSTM and GRU works on contiguous
      ``(units, batch)`` blocks and reads h transposed: matrix products take transposed
      operands for free.)
    - ``real``: ``(T, B)`` 1.0 at real steps, 0.0 at masked ones; ``keep``: True at masked
      steps (the state is carried over); ``out_w``: the weights of the output sequence.

    Subclasses implement ``_run(kernel, recurrent_kernel, bias, states)`` (the forward loop,
    filling ``H``; returns the extra final states, the LSTM's c, as ``(B, U)``) and
    ``_backprop(g_sequence, g_states)`` (returns the gradients of ``x`` as ``(T * B, F)``, of
    each weight, and of each initial state; ``g_sequence``, the sequence's gradient, comes as
    ``(T, U, B)``, or ``(T, B, U)`` when ``feature_major`` is False, and is None when it is all
    zeros).
    """

    n_states = 1                                             # h (the LSTM: h and c)
    feature_major = True     # gate math on (units, batch) blocks (SimpleRNN: batch-major rows)

    def __init__(self, name, has_bias, mask, activation, recurrent_activation, go_backwards,
                 zero_output_for_mask):
        self.name, self.has_bias, self.mask = name, has_bias, mask
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.go_backwards, self.zero_output_for_mask = go_backwards, zero_output_for_mask

    def forward(self, x, kernel, recurrent_kernel, *rest):
        xp, dt = self.xp, x.dtype
        bias = rest[0] if self.has_bias else None
        states = [s.astype(dt, copy=False) for s in (rest[1:] if self.has_bias else rest)]
        kernel, recurrent_kernel = kernel.astype(dt, copy=False), recurrent_kernel.astype(dt, copy=False)
        bias = None if bias is None else bias.astype(dt, copy=False)
        b, t, f = x.shape
        u = recurrent_kernel.shape[0]
        self.sizes = (b, t, f, u)
        self.Z = Z = xp.empty((t + 1, b, u + f + self.has_bias), dtype=dt)
        Z[0, :, :u] = states[0]
        Z[:t, :, u:u + f] = (x[:, ::-1] if self.go_backwards else x).swapaxes(0, 1)
        if self.has_bias:
            Z[:t, :, -1] = 1
        # (the last row, Z[t], only holds the final h: its x part is never read)
        self.H = Z[:, :, :u]
        self._prepare_mask(dt)
        extra = self._run(kernel, recurrent_kernel, bias, states)
        out = xp.empty((b, t + self.n_states, u), dtype=dt)
        sequence = self.H[1:].swapaxes(0, 1)                # (T, B, U) -> (B, T, U): rows copied
        if self.out_w is None:
            out[:, :t] = sequence
        else:
            xp.multiply(sequence, self.out_w.T[:, :, None], out=out[:, :t])
        out[:, t] = self.H[t]
        for k, s in enumerate(extra):
            out[:, t + 1 + k] = s
        return out

    def _prepare_mask(self, dt):
        self.real = self.keep = self.out_w = None
        if self.mask is None:
            return
        m = self.mask.T                                      # (T, B), processing order
        if self.go_backwards:
            m = m[::-1]
        self.keep = ~m                                       # masked step: carry the state over
        self.real = m.astype(dt)
        if self.zero_output_for_mask:
            self.out_w = self.real
        else:
            # a masked step repeats the previous output, zeros before the first real step: the
            # output is the (carried-over) state times "a real step was seen up to here"
            self.out_w = (self.xp.cumsum(self.real, axis=0) > 0).astype(dt)

    def backward(self, g):
        xp = self.xp
        b, t, f, u = self.sizes
        g_sequence = g[:, :t]                                # (B, T, U)
        if not g_sequence.any():
            # a layer that returns only the final state sends zeros for the sequence: the
            # loops then skip adding them (g_sequence None)
            g_sequence = None
        else:
            # one copy in the layout of the loop (feature-major (T, U, B), or (T, B, U)): each
            # step then reads a contiguous block; masks weight the outputs' gradients on the way
            g_sequence = g_sequence.transpose(1, 2, 0) if self.feature_major else g_sequence.swapaxes(0, 1)
            if self.out_w is None:
                g_sequence = xp.ascontiguousarray(g_sequence)
            else:
                w = self.out_w[:, None, :] if self.feature_major else self.out_w[:, :, None]
                g_sequence = g_sequence * w
        g_states = [g[:, t + k] for k in range(self.n_states)]   # (B, U) views: not written to
        dx, dkernel, drecurrent, dbias, dstates = self._backprop(g_sequence, g_states)
        need = self.needs_input_grad
        if need[0]:
            dx = dx.reshape(t, b, f).swapaxes(0, 1)         # (T * B, F) -> (B, T, F)
            dx = xp.ascontiguousarray(dx[:, ::-1] if self.go_backwards else dx)
        grads = [dx if need[0] else None, dkernel, drecurrent]
        if self.has_bias:
            grads.append(dbias)
        return tuple(grads) + tuple(d if n else None for d, n in zip(dstates, need[-self.n_states:]))

    # helpers for the subclasses -------------------------------------------------------
    def _stacked(self, recurrent_kernel, kernel, bias):
        """``[R; K; b]``, ``(D, n * U)``: the weights of the one product per step."""
        parts = [recurrent_kernel, kernel] + ([] if bias is None else [bias.reshape(1, -1)])
        return self.xp.concatenate(parts, axis=0)

    def _folds_input(self):
        """True when x_t rides in every step's product (few input columns, ``FOLD_MAX_COLUMNS``)."""
        return self.sizes[2] + self.has_bias <= FOLD_MAX_COLUMNS

    def _step_product(self, w):
        """Split ``w`` (``(n, D)``, the transposed ``[R; K; b]``) into what each step multiplies
        and what is done before the loop: returns ``(w_step, p, columns)``, step t computing
        ``w_step @ Z[t, :, :columns].T`` (plus ``p[:, t]`` when ``p`` is not None), all
        ``(n, B)``. See ``FOLD_MAX_COLUMNS``."""
        b, t, f, u = self.sizes
        if self._folds_input():
            return w, None, w.shape[1]
        p = w[:, u:] @ self.Z[:t, :, u:].reshape(t * b, -1).T       # (n, F + 1) @ (F + 1, T * B)
        return self.xp.ascontiguousarray(w[:, :u]), p.reshape(-1, t, b), u

    def _need_weights(self):
        """True if any of kernel, recurrent kernel and bias needs a gradient."""
        need = self.needs_input_grad
        return need[1] or need[2] or (self.has_bias and need[3])

    def _stacked_grad(self, dg):
        """d[R; K; b] = Z^T dG as ``(D, n * U)`` for ``dg`` feature-major ``(n * U, T * B)``:
        every weight's gradient in one matrix product over all steps."""
        b, t, f, u = self.sizes
        return (dg @ self.Z[:-1].reshape(t * b, -1)).T       # (faster than Z^T dG^T for small layers)

    def _split_grad(self, dw):
        """``(dR, dK, db)`` from the rows of ``d[R; K; b]`` (db None without a bias)."""
        b, t, f, u = self.sizes
        return dw[:u], dw[u:u + f], (dw[u + f] if self.has_bias else None)

    def _to_feature_major(self, a):
        """``(T, rows, B)`` -> ``(rows, T * B)``: every step's block side by side, for one GEMM."""
        t, rows, b = a.shape
        return self.xp.ascontiguousarray(a.transpose(1, 0, 2)).reshape(rows, t * b)

    def _real_fm(self, factor):
        """A feature-major ``(T, rows, B)`` factor of d(pre-activation), zeroed at masked steps
        (in place): a masked step's gates did not act."""
        if self.real is not None:
            factor *= self.real[:, None, :]
        return factor

    def _carry_fm(self, factor):
        """A feature-major factor of the gradient carried to the previous state: ``factor`` at
        real steps, 1 at masked ones (the state was passed through unchanged). A new array."""
        if self.real is None:
            return factor
        real = self.real[:, None, :]
        return factor * real + (factor.dtype.type(1) - real)
