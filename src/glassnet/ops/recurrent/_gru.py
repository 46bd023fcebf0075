"""The GRU's loop as one ``Function`` (``glassnet.ops.recurrent.gru``).

Example:
    >>> from glassnet import ops
    >>> seq, h = ops.gru(x, kernel, recurrent_kernel, bias, h0)   # gates z, r, h; bias (2, 3 * units)
"""
from __future__ import annotations

from glassnet.ops.recurrent._base import _activate, _derivative, _halve_sigmoid_gates, _Recurrence


# ---------------------------------------------------------------------------- GRU
class GRU(_Recurrence):
    """The GRU over all steps (``gru``); Keras's gate order z, r, h outside.

    The candidate h~ needs its input part and its recurrent part apart (r multiplies only one
    of them), so the product of each step computes four blocks, in this order:

        h_x = x_t K_h + b_h (reset_after: b_ih)      z, r (each x_t K + h_{t-1} R + both biases)
        reset_after only: h_r = h_{t-1} R_h + b_rh

    (``[R; K; b]`` holds zeros where a block does not use an input.) Then
    ``h~ = a(h_x + r * h_r)`` (reset_after) or ``a(h_x + (r * h_{t-1}) R_h)``, and
    ``h_t = z h_{t-1} + (1 - z) h~``. Backward per step from ``dh_t`` (output + step t + 1),
    ``'`` each activation's derivative:

        dG_z = dh_t * (h_{t-1} - h~) * z'       dG_h = dh_t * (1 - z) * h~'   (= dG of h_x)
        reset_after:     dG_r = dG_h * h_r * r';   dG of h_r = dG_h * r
                         dh_{t-1} = dh_t * z + [dG_z, dG_r, dG_h * r] R^T
        not reset_after: d(r h) = dG_h R_h^T;   dG_r = d(r h) * h_{t-1} * r'
                         dh_{t-1} = dh_t * z + d(r h) * r + [dG_z, dG_r] R_zr^T

    After the loop ``Z^T dG`` gives every weight's gradient (not reset_after: R_h's is
    ``(r h)^T dG_h``), and ``dx = dG K^T``.
    """

    def __init__(self, *args, reset_after):
        super().__init__(*args)
        self.reset_after = reset_after

    def _run(self, kernel, recurrent_kernel, bias, states):
        xp, H, Z, act, rec = self.xp, self.H, self.Z, self.activation, self.recurrent_activation
        b, t_steps, f, u = self.sizes
        dt = H.dtype
        self.kernel, self.recurrent = kernel, recurrent_kernel
        # the blocks of the step's product, in Keras layouts (gate blocks along the last axis)
        zeros_r, zeros_k = xp.zeros((u, u), dtype=dt), xp.zeros((f, u), dtype=dt)
        r_zr, k_zr, k_h = recurrent_kernel[:, :2 * u], kernel[:, :2 * u], kernel[:, 2 * u:]
        b_h = b_zr = b_rh = None
        if bias is not None:
            if self.reset_after:
                b_zr, b_h, b_rh = bias[0, :2 * u] + bias[1, :2 * u], bias[0, 2 * u:], bias[1, 2 * u:]
            else:
                b_zr, b_h = bias[:2 * u], bias[2 * u:]
        blocks = [self._stacked(zeros_r, k_h, b_h), self._stacked(r_zr, k_zr, b_zr)]
        if self.reset_after:
            blocks.append(self._stacked(recurrent_kernel[:, 2 * u:], zeros_k, b_rh))
        stacked = xp.concatenate(blocks, axis=1)                  # (D, 3U or 4U): h_x, z, r[, h_r]
        w = xp.ascontiguousarray(_halve_sigmoid_gates(stacked, ("linear", rec, rec, "linear"), u).T)
        n = w.shape[0]
        w, p, cols = self._step_product(w)
        # per step: [h~, z, r, h_r] (h~ computed over h_x in place); not reset_after: [h~, z, r]
        self.G = G = xp.empty((t_steps, n, b), dtype=dt)
        if not self.reset_after:
            self.RH = RH = xp.empty((t_steps, b, u), dtype=dt)    # r * h_{t-1}, batch-major
            w_h = xp.ascontiguousarray(recurrent_kernel[:, 2 * u:].T)
        tmp = xp.empty((u, b), dtype=dt)
        keep = self.keep
        for t in range(t_steps):
            g, h_prev = G[t], H[t].T
            xp.matmul(w, Z[t, :, :cols].T, out=g)
            if p is not None:
                g += p[:, t]
            hh, z, r = g[:u], g[u:2 * u], g[2 * u:3 * u]
            _activate(rec, g[u:3 * u], xp, halved=True)
            if self.reset_after:
                xp.multiply(r, g[3 * u:], out=tmp)
            else:
                xp.multiply(r.T, H[t], out=RH[t])
                xp.matmul(w_h, RH[t].T, out=tmp)
            hh += tmp
            _activate(act, hh, xp)
            # h_t = z h_{t-1} + (1 - z) h~ = h~ + z (h_{t-1} - h~)
            xp.subtract(h_prev, hh, out=tmp)
            tmp *= z
            tmp += hh
            H[t + 1] = tmp.T                                     # into Z's batch-major row
            if keep is not None:
                xp.copyto(H[t + 1], H[t], where=keep[t][:, None])
        return []

    def _backprop(self, g_sequence, g_states):
        xp, G = self.xp, self.G
        b, t_steps, f, u = self.sizes
        act, rec = self.activation, self.recurrent_activation
        dt = G.dtype
        hh, z, r = G[:, :u], G[:, u:2 * u], G[:, 2 * u:3 * u]
        h_prev = self.H[:-1].transpose(0, 2, 1)                   # (T, U, B) view
        d_rec = _derivative(rec, G[:, u:3 * u], xp)
        a_z = self._real_fm((h_prev - hh) * d_rec[:, :u])         # dG_z = dh * a_z
        a_h = self._real_fm((dt.type(1) - z) * _derivative(act, hh, xp))  # dG_h = dh * a_h
        carry = self._carry_fm(z)                                  # dh_{t-1} gets dh * z
        dh = g_states[0].T.copy()                                  # (U, B), carried back
        dh_t, tmp = xp.empty_like(dh), xp.empty_like(dh)
        dG = xp.empty_like(G)                                      # gradients of the product's blocks
        if self.reset_after:
            # [dG_r, dG of h_r] = dG_h * [h_r r', r]: one (2, U, B) product per step
            a_r = xp.empty((t_steps, 2 * u, b), dtype=dt)
            xp.multiply(G[:, 3 * u:], d_rec[:, u:], out=a_r[:, :u])
            a_r[:, u:] = r
            a_r, dG_rr = a_r.reshape(t_steps, 2, u, b), dG[:, 2 * u:].reshape(t_steps, 2, u, b)
            r_w = self.recurrent                                   # (U, 3U): z, r, h_r
            for t in range(t_steps - 1, -1, -1):
                dg = dG[t]
                if g_sequence is None:                             # dh_t is dh alone: swap buffers
                    dh, dh_t = dh_t, dh
                else:
                    xp.add(g_sequence[t], dh, out=dh_t)
                xp.multiply(dh_t, a_h[t], out=dg[:u])
                xp.multiply(dh_t, a_z[t], out=dg[u:2 * u])
                xp.multiply(dg[:u], a_r[t], out=dG_rr[t])      # (U, B) broadcast over (2, U, B)
                xp.matmul(r_w, dg[u:], out=dh)
                xp.multiply(dh_t, carry[t], out=tmp)
                dh += tmp
        else:
            a_r = d_rec[:, u:] * h_prev                            # dG_r = d(r h) * a_r
            d_rh = xp.empty((u, b), dtype=dt)
            r_zr, r_h = self.recurrent[:, :2 * u], self.recurrent[:, 2 * u:]
            for t in range(t_steps - 1, -1, -1):
                dg = dG[t]
                if g_sequence is None:                             # dh_t is dh alone: swap buffers
                    dh, dh_t = dh_t, dh
                else:
                    xp.add(g_sequence[t], dh, out=dh_t)
                xp.multiply(dh_t, a_h[t], out=dg[:u])
                xp.multiply(dh_t, a_z[t], out=dg[u:2 * u])
                xp.matmul(r_h, dg[:u], out=d_rh)
                xp.multiply(d_rh, a_r[t], out=dg[2 * u:])
                xp.matmul(r_zr, dg[u:], out=dh)
                xp.multiply(d_rh, r[t], out=tmp)
                dh += tmp
                xp.multiply(dh_t, carry[t], out=tmp)
                dh += tmp
        dg = self._to_feature_major(dG)                            # (3U or 4U, T * B): h_x, z, r[, h_r]
        drecurrent = dkernel = dbias = None
        if self._need_weights():
            (dr, dk, db) = self._split_grad(self._stacked_grad(dg))
            dkernel = xp.concatenate([dk[:, u:3 * u], dk[:, :u]], axis=1)     # z, r, h
            if self.reset_after:
                drecurrent = dr[:, u:]
            else:
                dr_h = self.RH.reshape(t_steps * b, u).T @ dg[:u].T
                drecurrent = xp.concatenate([dr[:, u:3 * u], dr_h], axis=1)
            if db is not None:
                dbias = xp.concatenate([db[u:3 * u], db[:u]])
                if self.reset_after:                               # both rows' z and r get the same
                    dbias = xp.stack([dbias, db[u:]])
        dx = None
        if self.needs_input_grad[0]:
            dx = dg[:3 * u].T @ xp.concatenate([self.kernel[:, 2 * u:], self.kernel[:, :2 * u]], axis=1).T
        return dx, dkernel, drecurrent, dbias, [dh.T]
