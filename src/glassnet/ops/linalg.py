"""Linear algebra: matrix products, and the fused affine map that Dense layers use."""
from __future__ import annotations

from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import pair, sum_leading, unbroadcast


class MatMul(Function):
    """a @ b with NumPy's rules (batched, broadcast, 1-D vectors).

    For C = A B: dA = dC B^T and dB = A^T dC (transposes of the last two axes).
    """

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, g):
        a, b = self.a, self.b
        # 1-D operands are promoted to matrices, as matmul itself does
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if b.ndim == 1:  # b's axis first: for vector @ vector g is 0-d and becomes (1, 1)
            g2 = g2[..., None]
        if a.ndim == 1:
            g2 = g2[..., None, :]
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = g2 @ b2.swapaxes(-1, -2)
            ga = unbroadcast(ga, a2.shape).reshape(a.shape)
        if self.needs_input_grad[1]:
            gb = a2.swapaxes(-1, -2) @ g2
            gb = unbroadcast(gb, b2.shape).reshape(b.shape)
        return ga, gb


class Linear(Function):
    """The affine map x W + b of a Dense layer, fused: one op instead of matmul + add.

    x: (..., in), W: (in, out), b: (out,) or absent.
    dx = g W^T;  dW = x^T g (over all leading axes);  db = sum of g over leading axes.
    When x is the network's input it needs no gradient, and dx (as big as a whole matmul)
    is skipped.
    """

    def forward(self, x, w, b=None):
        self.x, self.w = x, w
        out = x @ w
        if b is not None:
            out += b  # in place on the fresh matmul result: saves a pass over the output
        return out

    def backward(self, g):
        x, w = self.x, self.w
        g2 = g.reshape(-1, g.shape[-1])
        gx = (g @ w.T) if self.needs_input_grad[0] else None
        gw = (x.reshape(-1, x.shape[-1]).T @ g2) if self.needs_input_grad[1] else None
        if len(self.needs_input_grad) == 3:
            # db sums g over every row: a BLAS product for tall inputs (see sum_leading)
            gb = sum_leading(g2, 1).reshape(-1) if self.needs_input_grad[2] else None
            return gx, gw, gb
        return gx, gw


def matmul(a, b) -> Tensor:
    """Matrix product ``a @ b`` (batched and broadcast like ``numpy.matmul``)."""
    return MatMul()(*pair(a, b))


def linear(x, kernel, bias=None) -> Tensor:
    """``x @ kernel + bias`` as one fused op (the Dense layer's computation)."""
    if bias is None:
        return Linear()(x, kernel)
    return Linear()(x, kernel, bias)
