"""A reference 2-D convolution to read in one screen, and the test oracle for the fast one.

``glassnet.ops.conv2d`` (in ``convolution.py``) is tuned for speed: N-d, fused bias and ReLU,
two input-gradient algorithms. This module does the same 2-D convolution the plain way, so a
learner can follow every step and the tests can check the fast op against it.

Channels-last, Keras layout: ``x`` is ``(batch, h, w, c_in)``, ``kernel`` is
``(kh, kw, c_in, c_out)``, ``bias`` is ``(c_out,)``. With stride s and padding p on each side
(p_top + p_bottom in total for "same"), each spatial axis gives

    out = floor((in + 2p - k) / s) + 1

output positions. Copying every window into one row of a "column" matrix (im2col),
``cols`` of shape ``(batch * out_h * out_w, kh * kw * c_in)``, makes the convolution one
matrix product, with ``W = kernel.reshape(kh * kw * c_in, c_out)``:

    y = cols @ W + b

Backward, with ``g = dL/dy`` reshaped to ``(batch * out_h * out_w, c_out)``:

    dW = cols^T @ g        db = sum of g over its rows        d(cols) = g @ W^T

and ``dx`` adds each row of ``d(cols)`` back onto the input window it was copied from
(col2im): an input value read by several windows receives the sum of their gradients.

Example:
    >>> import numpy as np
    >>> from glassnet.ops import conv2d_reference
    >>> x = np.ones((1, 5, 5, 3), np.float32)
    >>> w = np.ones((3, 3, 3, 8), np.float32)
    >>> conv2d_reference(x, w).shape                         # (5 - 3) / 1 + 1 = 3
    (1, 3, 3, 8)
    >>> conv2d_reference(x, w, strides=2, padding="same").shape
    (1, 3, 3, 8)
"""
from __future__ import annotations

from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import as_tensor, check_padding, int_tuple

__all__ = ["conv2d_reference"]


def _same_pads(n: int, k: int, s: int) -> tuple:
    """Keras/TensorFlow "same" padding along one axis: ``ceil(n / s)`` outputs, the odd pad last."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


class Conv2dReference(Function):
    """``y = im2col(x) @ W + b`` with a hand-written backward (see the module docstring)."""

    def __init__(self, strides: tuple, padding: str):
        self.strides, self.padding = strides, padding

    def forward(self, x, kernel, bias=None):
        xp, (sh, sw) = self.xp, self.strides
        n, h, w, c = x.shape
        kh, kw, _, f = kernel.shape
        (top, bottom), (left, right) = (_same_pads(h, kh, sh), _same_pads(w, kw, sw)) \
            if self.padding == "same" else ((0, 0), (0, 0))
        padded = xp.zeros((n, h + top + bottom, w + left + right, c), dtype=x.dtype)
        self.inside = (slice(None), slice(top, top + h), slice(left, left + w))  # x within padded
        padded[self.inside] = x
        oh, ow = (padded.shape[1] - kh) // sh + 1, (padded.shape[2] - kw) // sw + 1
        if oh < 1 or ow < 1:
            raise ValueError(f"conv2d_reference: input {x.shape} is smaller than the kernel "
                             f"{kernel.shape[:2]} with padding='valid'; expected h >= kh and w >= kw")
        # a view of every window, no copy: window (r, q) starts sh rows and sw columns after the last
        bn, bh, bw, bc = padded.strides
        windows = xp.lib.stride_tricks.as_strided(
            padded, (n, oh, ow, kh, kw, c), (bn, bh * sh, bw * sw, bh, bw, bc), writeable=False)
        cols = windows.reshape(n * oh * ow, kh * kw * c)  # im2col: this reshape copies the windows
        y = cols @ kernel.reshape(-1, f)                   # y = cols W + b: the one matmul
        if bias is not None:
            y = y + bias
        self.cols, self.kernel, self.padded_shape = cols, kernel, padded.shape
        return y.reshape(n, oh, ow, f)

    def backward(self, g):
        xp, (sh, sw), (kh, kw, c, f) = self.xp, self.strides, self.kernel.shape
        n, oh, ow, _ = g.shape
        g = g.reshape(-1, f)
        dkernel = (self.cols.T @ g).reshape(self.kernel.shape)                    # dW = cols^T g
        dcols = (g @ self.kernel.reshape(-1, f).T).reshape(n, oh, ow, kh, kw, c)  # d(cols) = g W^T
        dpadded = xp.zeros(self.padded_shape, dtype=g.dtype)
        for i in range(kh):      # col2im: offset (i, j) of window (r, q) read input row r * sh + i,
            for j in range(kw):  # column q * sw + j; its gradient is added back there
                dpadded[:, i:i + sh * oh:sh, j:j + sw * ow:sw] += dcols[:, :, :, i, j]
        dx = dpadded[self.inside]                                                 # drop the padding
        if len(self.needs_input_grad) == 3:
            return dx, dkernel, g.sum(axis=0)                                     # db = sum of g
        return dx, dkernel


def conv2d_reference(x, kernel, bias=None, strides=1, padding="valid") -> Tensor:
    """Channels-last 2-D convolution, written plainly: im2col, one matmul, col2im backward.

    The same results as ``ops.conv2d`` (without dilation or fused activation), slower; read it
    to see how a convolution and its gradients work, or use it to check a faster one.

    Args:
        x: ``(batch, h, w, c_in)``.
        kernel: ``(kh, kw, c_in, c_out)`` (Keras layout).
        bias: optional ``(c_out,)``.
        strides: an int or ``(sh, sw)``.
        padding: ``"valid"`` (p = 0) or ``"same"`` (``ceil(in / s)`` outputs; total pad
            ``max((out - 1) * s + k - in, 0)``, the odd one at the bottom/right, as Keras).

    Returns:
        ``(batch, out_h, out_w, c_out)``, ``out = floor((in + 2p - k) / s) + 1``.

    Example:
        >>> import numpy as np
        >>> conv2d_reference(np.ones((2, 7, 7, 1)), np.ones((3, 3, 1, 4)), strides=2).shape
        (2, 3, 3, 4)
    """
    who = "conv2d_reference"
    x = as_tensor(x)
    kernel = as_tensor(kernel, x)
    if x.ndim != 4 or kernel.ndim != 4 or x.shape[-1] != kernel.shape[2]:
        raise ValueError(f"{who}: expected x (batch, h, w, c_in) and kernel (kh, kw, c_in, c_out), "
                         f"received x shape {x.shape} and kernel shape {kernel.shape}")
    fn = Conv2dReference(int_tuple(strides, 2, "strides", who), check_padding(padding, who))
    if bias is None:
        return fn(x, kernel)
    return fn(x, kernel, as_tensor(bias, x))
