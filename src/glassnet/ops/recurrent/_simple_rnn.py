"""The SimpleRNN's loop as one ``Function`` (``glassnet.ops.recurrent.simple_rnn``).

Example:
    >>> from glassnet import ops
    >>> seq, h = ops.simple_rnn(x, kernel, recurrent_kernel, bias, h0)   # x: (batch, time, features)
"""
from __future__ import annotations

from glassnet.ops.recurrent._base import _activate, _derivative, _halve_sigmoid_gates, _Recurrence


# ---------------------------------------------------------------------------- SimpleRNN
class SimpleRNN(_Recurrence):
    """``h_t = a(x_t K + h_{t-1} R + b)`` over all steps (``simple_rnn``).

    One gate, so everything stays batch-major ``(batch, units)``: the step's product
    ``Z[t] @ [R; K; b]`` is written straight into h's place in ``Z[t + 1]`` and activated
    there. Backward, with ``dh_t`` = d(loss)/d(h_t) from the output and from step t + 1:
    ``dG_t = dh_t * a'(h_t)`` (the pre-activation's gradient); ``dh_{t-1} = dG_t R^T``; after
    the loop ``d[R; K; b] = Z^T dG`` and ``dx = dG K^T``.
    """

    feature_major = False

    def _run(self, kernel, recurrent_kernel, bias, states):
        xp, H, Z, act = self.xp, self.H, self.Z, self.activation
        b, t_steps, f, u = self.sizes
        w = _halve_sigmoid_gates(self._stacked(recurrent_kernel, kernel, bias), (act,), u)   # (D, U)
        cols, p = w.shape[0], None
        if not self._folds_input():                                      # see FOLD_MAX_COLUMNS
            cols = u
            p = (Z[:t_steps, :, u:].reshape(t_steps * b, -1) @ w[u:]).reshape(t_steps, b, u)
        keep = None if self.keep is None else self.keep[:, :, None]
        for t in range(t_steps):
            h = H[t + 1]
            xp.matmul(Z[t, :, :cols], w[:cols], out=h)
            if p is not None:
                h += p[t]
            _activate(act, h, xp, halved=True)
            if keep is not None:
                xp.copyto(h, H[t], where=keep[t])
        self.kernel, self.recurrent = kernel, recurrent_kernel
        return []

    def _backprop(self, g_sequence, g_states):
        xp, H = self.xp, self.H
        b, t_steps, f, u = self.sizes
        factor = _derivative(self.activation, H[1:], xp)                  # (T, B, U)
        if self.real is not None:
            factor *= self.real[:, :, None]
        dG = xp.empty_like(factor)
        dh, dh_t = g_states[0].copy(), xp.empty_like(g_states[0])
        keep = None if self.keep is None else self.keep[:, :, None]
        r_t = self.recurrent.T
        for t in range(t_steps - 1, -1, -1):
            if g_sequence is None:                               # dh_t is dh alone: swap buffers
                dh, dh_t = dh_t, dh
            else:
                xp.add(g_sequence[t], dh, out=dh_t)
            xp.multiply(dh_t, factor[t], out=dG[t])
            xp.matmul(dG[t], r_t, out=dh)
            if keep is not None:
                xp.copyto(dh, dh_t, where=keep[t])
        dg = dG.reshape(t_steps * b, u)
        drecurrent = dkernel = dbias = None
        if self._need_weights():
            drecurrent, dkernel, dbias = self._split_grad(self.Z[:-1].reshape(t_steps * b, -1).T @ dg)
        dx = (dg @ self.kernel.T) if self.needs_input_grad[0] else None
        return dx, dkernel, drecurrent, dbias, [dh]
