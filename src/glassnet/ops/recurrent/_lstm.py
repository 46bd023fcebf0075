"""The LSTM's loop as one ``Function`` (``glassnet.ops.recurrent.lstm``).

Example:
    >>> from glassnet import ops
    >>> seq, h, c = ops.lstm(x, kernel, recurrent_kernel, bias, h0, c0)   # gates i, f, c, o
"""
from __future__ import annotations

from glassnet.ops.recurrent._base import _activate, _derivative, _halve_sigmoid_gates, _Recurrence

# The LSTM's backward computes the factors of its gate gradients for a chunk of steps at a time,
# just before the loop reaches them, while they are still in cache: a chunk's factor buffer holds
# about this many values (8 steps of an LSTM(128) at batch 32, whose buffers and gates then fit
# a 2 MB L2 cache; a short sequence of a small layer is one chunk). Measured 3-5% faster than
# one pass over all steps for LSTM(128).
CHUNK_VALUES = 1 << 17


# ---------------------------------------------------------------------------- LSTM
def _lstm_internal(a, u, xp):
    """Gate blocks along the last axis from Keras's order i, f, c, o to ours, o, i, f, c."""
    return xp.concatenate([a[..., 3 * u:], a[..., :3 * u]], axis=-1)


def _lstm_keras(a, u, xp):
    """Gate blocks along the last axis from our order o, i, f, c back to Keras's i, f, c, o."""
    return xp.concatenate([a[..., u:], a[..., :u]], axis=-1)


class LSTM(_Recurrence):
    """The LSTM over all steps (``lstm``); gates kept in the order o, i, f, c inside.

    Forward per step: ``G = [o, i, f, c~]`` activated, a contiguous ``(4U, B)`` block;
    ``c_t = f c_{t-1} + i c~``, ``h_t = o a(c_t)``. Backward per step, from ``dh_t`` (output
    + step t + 1) and ``dc_t`` (from step t + 1), with ``'`` each gate activation's derivative:

        dG_o  = dh_t * a(c_t) * o'
        dc    = dc_t + dh_t * o * a'(c_t)
        dG_i  = dc * c~ * i'      dG_f = dc * c_{t-1} * f'      dG_c = dc * i * c~'
        dc_{t-1} = dc * f          dh_{t-1} = dG R^T

    The products that do not involve dh or dc are computed outside the step loop, vectorised
    over a chunk of steps at a time (``_factors``, ``CHUNK_VALUES``).
    """

    n_states = 2

    def _run(self, kernel, recurrent_kernel, bias, states):
        xp, H, Z, act, rec = self.xp, self.H, self.Z, self.activation, self.recurrent_activation
        b, t_steps, f, u = self.sizes
        dt = H.dtype
        stacked = _lstm_internal(self._stacked(recurrent_kernel, kernel, bias), u, xp)   # our gate order
        self.recurrent, self.kernel = stacked[:u], stacked[u:u + f]   # (U, 4U), (F, 4U): for backward
        w = xp.ascontiguousarray(_halve_sigmoid_gates(stacked, (rec, rec, rec, act), u).T)   # (4U, D)
        w, p, cols = self._step_product(w)
        self.G = G = xp.empty((t_steps, 4 * u, b), dtype=dt)     # activated gates o, i, f, c~
        self.C = C = xp.empty((t_steps + 1, u, b), dtype=dt)     # cell states, C[0] = c0
        self.AC = AC = xp.empty((t_steps, u, b), dtype=dt)       # a(c_t) before masking
        C[0] = states[1].T
        tmp = xp.empty((u, b), dtype=dt)
        one_tanh = act == "tanh" and rec == "sigmoid"            # Keras's default: one tanh for all
        half = dt.type(0.5)
        keep = self.keep
        for t in range(t_steps):
            g = G[t]
            xp.matmul(w, Z[t, :, :cols].T, out=g)                # (4U, D) @ (D, B)
            if p is not None:
                g += p[:, t]
            if one_tanh:
                xp.tanh(g, out=g)
                s = g[:3 * u]                                    # (1 + tanh(x / 2)) / 2
                s *= half
                s += half
            else:
                _activate(rec, g[:3 * u], xp, halved=True)
                _activate(act, g[3 * u:], xp, halved=True)
            o, i, fg, cc = g[:u], g[u:2 * u], g[2 * u:3 * u], g[3 * u:]
            c = C[t + 1]
            xp.multiply(fg, C[t], out=c)
            xp.multiply(i, cc, out=tmp)
            c += tmp
            ac = AC[t]
            if act == "tanh":
                xp.tanh(c, out=ac)
            else:
                ac[...] = c
                _activate(act, ac, xp)
            xp.multiply(o, ac, out=tmp)
            H[t + 1] = tmp.T                                     # into Z's batch-major row
            if keep is not None:
                xp.copyto(c, C[t], where=keep[t][None, :])
                xp.copyto(H[t + 1], H[t], where=keep[t][:, None])
        return [C[t_steps].T]

    def _factors(self, t0, t1, A, to_c, carry_c):
        """The factors of dG for steps t0..t1 - 1 (into the first t1 - t0 rows of the buffers):
        dG_o = dh * A_o; [dG_i, dG_f, dG_c] = dc * A_ifc; dc += dh * to_c; dc_{t-1} = dc * carry."""
        xp, u = self.xp, self.sizes[3]
        G, C, AC = self.G[t0:t1], self.C[t0:t1 + 1], self.AC[t0:t1]
        n = t1 - t0
        A, to_c, carry_c = A[:n], to_c[:n], carry_c[:n]
        o, i, fg, cc = G[:, :u], G[:, u:2 * u], G[:, 2 * u:3 * u], G[:, 3 * u:]
        _derivative(self.recurrent_activation, G[:, :3 * u], xp, out=A[:, :3 * u])      # o', i', f'
        A[:, :u] *= AC                                             # a(c) o'
        A[:, u:2 * u] *= cc                                        # c~ i'
        A[:, 2 * u:3 * u] *= C[:-1]                                # c_{t-1} f'
        _derivative(self.activation, cc, xp, out=A[:, 3 * u:])
        A[:, 3 * u:] *= i                                          # i c~'
        _derivative(self.activation, AC, xp, out=to_c)
        to_c *= o
        if self.real is not None:
            real = self.real[t0:t1, None, :]
            A *= real
            to_c *= real
            xp.multiply(fg, real, out=carry_c)
            carry_c += fg.dtype.type(1) - real
        else:
            carry_c[...] = fg

    def _backprop(self, g_sequence, g_states):
        xp, G = self.xp, self.G
        b, t_steps, f, u = self.sizes
        chunk = max(1, min(t_steps, CHUNK_VALUES // (4 * u * b)))
        A = xp.empty((chunk, 4 * u, b), dtype=G.dtype)
        to_c, carry_c = xp.empty((chunk, u, b), dtype=G.dtype), xp.empty((chunk, u, b), dtype=G.dtype)
        dG = xp.empty_like(G)
        # the blocks i, f, c~ of the factors and of dG as (3, U, B): dc multiplies all three at once
        A_ifc, dG_ifc = A[:, u:].reshape(chunk, 3, u, b), dG[:, u:].reshape(t_steps, 3, u, b)
        A_o, dG_o = A[:, :u], dG[:, :u]
        dh, dc = g_states[0].T.copy(), g_states[1].T.copy()       # (U, B), carried back
        dh_t, tmp = xp.empty_like(dh), xp.empty_like(dh)
        keep, r = self.keep, self.recurrent
        for t in range(t_steps - 1, -1, -1):
            k = t % chunk
            if t == t_steps - 1 or k == chunk - 1:
                t0 = t - k
                self._factors(t0, t + 1, A, to_c, carry_c)
            if g_sequence is None:                                 # dh_t is dh alone: swap buffers
                dh, dh_t = dh_t, dh
            else:
                xp.add(g_sequence[t], dh, out=dh_t)
            xp.multiply(dh_t, A_o[k], out=dG_o[t])
            xp.multiply(dh_t, to_c[k], out=tmp)
            dc += tmp
            xp.multiply(dc, A_ifc[k], out=dG_ifc[t])             # (U, B) broadcast over (3, U, B)
            dc *= carry_c[k]
            xp.matmul(r, dG[t], out=dh)
            if keep is not None:
                xp.copyto(dh, dh_t, where=keep[t][None, :])
        dg = self._to_feature_major(dG)                            # (4U, T * B)
        drecurrent = dkernel = dbias = None
        if self._need_weights():
            drecurrent, dkernel, dbias = self._split_grad(_lstm_keras(self._stacked_grad(dg), u, xp))
        dx = (dg.T @ self.kernel.T) if self.needs_input_grad[0] else None
        return dx, dkernel, drecurrent, dbias, [dh.T, dc.T]
