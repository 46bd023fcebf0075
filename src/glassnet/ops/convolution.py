"""Convolution over 1, 2 or 3 spatial axes, channels-last, as im2col + one matrix product.

Layouts follow Keras: inputs ``(batch, *spatial, channels)``, kernels
``(*kernel_size, in_channels, filters)``, outputs ``(batch, *out_spatial, filters)``.

How a convolution becomes one matrix product (course section 3):

- Each output position looks at a window of ``prod(kernel_size) * in_channels`` input values.
  ``as_strided`` gives a *view* of all windows at once (no copy); copying that view into one
  contiguous "column" buffer of shape ``(batch * out_positions, window_size)`` (im2col) turns
  the convolution into ``columns @ kernel.reshape(window_size, filters)``: one GEMM, which is
  where a CPU is fastest.
- Output size along each axis, with padding p on each side, kernel k, stride s and dilation d:
  ``(n + 2p - k_eff) // s + 1`` where ``k_eff = (k - 1) * d + 1`` (the course's
  ``(n + 2p - k) / s + 1``). ``"valid"`` is p = 0. ``"same"`` gives ``ceil(n / s)`` outputs and
  pads ``max((ceil(n / s) - 1) * s + k_eff - n, 0)`` in total, the odd one at the end (as
  Keras and TensorFlow do).
- A layer with C input channels, K x K kernels and N filters has ``C * K * K * N + N``
  parameters: one weight per (window position, input channel, filter), one bias per filter.

Backward, for ``out = columns @ W + b`` with ``g = d(loss)/d(out)``:

- ``dW = columns^T @ g`` (one GEMM) and ``db = sum of g`` over batch and positions. The bias
  rides inside both GEMMs: the columns get one extra column of ones and the kernel matrix the
  bias as an extra row, so the forward adds it for free and ``columns^T @ g`` returns ``db`` as
  its last row (no separate pass over the largest arrays; on these machines memory passes,
  not arithmetic, are what a CNN's element-wise work costs).
- Few filters, many channels (an autoencoder's last Conv2D(1) over 32 channels): the columns
  would copy ``window * channels`` values per output position to feed a GEMM with one output
  column. The "tap products" forward skips them: ``P = x_padded @ [W_0 ... W_taps]``, one GEMM
  straight on the padded input, then each output sums, over the taps t, the product of tap t at
  the position that tap reads (one shifted view of P per tap). ``dW`` goes the same way round:
  ``x_padded^T @ G`` where G holds g shifted to where each tap read. Chosen when its arrays are
  less than half the size of the columns (``_choose_forward``). Measured on one thread
  (``OPENBLAS_NUM_THREADS=1``), the autoencoder's 32 -> 1 convolution at 28x28, batch 32: forward
  16.8 -> 3.1 ms, backward 5.9 -> 3.8 ms.
- ``dx``: every input value was used by several windows, so its gradient sums their
  contributions. Two exact ways, chosen by cost (both are tested):
  1. "transposed im2col": ``dx`` is itself a stride-1 convolution of the output gradient,
     spread out by the stride (zeros between entries) and padded, with the kernel flipped in
     space and its in/out axes swapped; im2col + one GEMM again.
  2. "col2im": for each kernel tap t, ``dcolumns_t = g @ W_t^T`` (all taps in one batched
     matmul, each a contiguous block), then the block is added back where tap t read from.
  (1) costs ``batch * in_positions * window * filters``; (2) costs about
  ``batch * out_positions * window * in_channels``. (1) wins for stride 1 when there are
  fewer filters than twice the input channels; (2) wins otherwise (an image's first layer,
  channel-doubling layers, strides).

The transposed convolution (``Conv2DTranspose``, "deconvolution") is exactly the input
gradient of a convolution, so it reuses (1)/(2) as its forward and the convolution as its
backward.

Example:
    >>> import numpy as np
    >>> from glassnet import ops
    >>> x = np.ones((1, 5, 5, 3), np.float32)          # one 5x5 RGB image
    >>> w = np.ones((3, 3, 3, 32), np.float32)         # 32 filters of 3x3x3
    >>> ops.conv2d(x, w).shape                          # (5 - 3) / 1 + 1 = 3
    (1, 3, 3, 32)
    >>> ops.conv2d(x, w, padding="same", strides=2).shape
    (1, 3, 3, 32)
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from glassnet.backend import array_module
from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import as_tensor, check_padding, int_tuple, is_int, sum_leading

__all__ = ["conv", "conv1d", "conv2d", "conv3d", "conv_transpose", "conv1d_transpose",
           "conv2d_transpose", "conv3d_transpose", "conv_output_length",
           "conv_transpose_output_length"]

# Which input-gradient algorithm to use: "auto" (by estimated cost), "im2col" or "col2im".
# Tests set it to check both paths.
INPUT_GRAD_METHOD = "auto"
# Which forward (and kernel-gradient) algorithm: "auto", "im2col" or "taps" (see
# ``_conv_forward_taps``). Tests set it to check both.
FORWARD_METHOD = "auto"

# Below this many input channels the columns are laid out window-offset-major
# ``(window, batch * positions)``: copying then moves whole image rows at a time instead of
# ``in_channels`` values at a time (an image's first layer has 1 or 3 channels).
_KERNEL_MAJOR_BELOW = 8


# ---------------------------------------------------------------------------- geometry
def conv_output_length(n, kernel_size: int, stride: int = 1, padding: str = "valid",
                       dilation: int = 1):
    """Output length of a convolution along one axis (None stays None).

    ``"valid"``: ``(n - k_eff) // s + 1`` (the course's ``(n + 2p - k) / s + 1`` with p = 0);
    ``"same"``: ``ceil(n / s)``. ``k_eff = (k - 1) * d + 1`` is the dilated kernel's extent.

    Example:
        >>> conv_output_length(5, 3), conv_output_length(5, 3, 2, "same")
        (3, 3)
    """
    if n is None:
        return None
    k_eff = (kernel_size - 1) * dilation + 1
    if padding == "same":
        return -(-n // stride)
    return (n - k_eff) // stride + 1 if n >= k_eff else 0


def conv_transpose_output_length(n, kernel_size: int, stride: int = 1, padding: str = "valid",
                                 dilation: int = 1, output_padding=None):
    """Output length of a transposed convolution along one axis, as Keras computes it.

    Without ``output_padding``: ``"valid"`` gives ``n * s + max(k_eff - s, 0)``, ``"same"``
    gives ``n * s``. With it: ``(n - 1) * s + k_eff - 2 * pad + output_padding`` where pad is 0
    (valid) or ``k_eff // 2`` (same).
    """
    if n is None:
        return None
    k_eff = (kernel_size - 1) * dilation + 1
    if output_padding is None:
        return n * stride + max(k_eff - stride, 0) if padding == "valid" else n * stride
    pad = k_eff // 2 if padding == "same" else 0
    return (n - 1) * stride + k_eff - 2 * pad + output_padding


class _Geometry:
    """Sizes of one convolution: input, kernel, strides, dilation, pads and output, per axis."""

    __slots__ = ("n", "k", "s", "d", "k_eff", "pads", "out")

    def __init__(self, n, k, s, d, padding, who):
        self.n, self.k, self.s, self.d = tuple(n), tuple(k), tuple(s), tuple(d)
        self.k_eff = tuple((ki - 1) * di + 1 for ki, di in zip(k, d))
        pads, out = [], []
        for ni, ke, si in zip(self.n, self.k_eff, self.s):
            if padding == "same":
                o = -(-ni // si)                               # ceil(n / s)
                total = max((o - 1) * si + ke - ni, 0)
                pads.append((total // 2, total - total // 2))  # the odd one at the end
            else:
                if ni < ke:
                    raise ValueError(f"{who}: input spatial shape {self.n} is smaller than the "
                                     f"(dilated) kernel {self.k_eff} with padding='valid'; "
                                     f"expected every spatial size >= kernel size, or padding='same'")
                o = (ni - ke) // si + 1                        # (n + 2p - k) / s + 1, p = 0
                pads.append((0, 0))
            out.append(o)
        self.pads, self.out = tuple(pads), tuple(out)

    @property
    def padded(self) -> tuple:
        return tuple(ni + lo + hi for ni, (lo, hi) in zip(self.n, self.pads))


def _pad(x, pads):
    """``x`` zero-padded on its spatial axes (one allocation; ``x`` itself when no padding)."""
    if not any(lo or hi for lo, hi in pads):
        return x
    shape = (x.shape[0],) + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[1:-1], pads)) + (x.shape[-1],)
    out = array_module(x).zeros(shape, dtype=x.dtype)
    out[(slice(None),) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[1:-1], pads))] = x
    return out


def _im2col(padded, out, k, s, d, ones=False):
    """The windows of the (already padded) input copied into one contiguous buffer.

    Returns ``(columns, kernel_major)``. Row-major (``kernel_major`` False): shape
    ``(batch * prod(out), prod(k) * channels)``, one row per output position. Kernel-major
    (for few channels): shape ``(prod(k) * channels, batch * prod(out))``, its transpose; the
    GEMMs use it through a transposed view, which BLAS reads without a copy.

    With ``ones``, one more column (row) of ones is appended: multiplied by a kernel matrix
    whose last row is the bias, the GEMM adds the bias itself (no extra pass over the output),
    and in the backward ``columns^T @ g`` yields the bias gradient as its last row.
    """
    xp = array_module(padded)
    as_strided = xp.lib.stride_tricks.as_strided
    b, c = padded.shape[0], padded.shape[-1]
    sb, *sp, sc = padded.strides
    pos_strides = tuple(st * si for st, si in zip(sp, s))  # next window: s elements further
    off_strides = tuple(st * di for st, di in zip(sp, d))  # next tap inside a window: d further
    rows = b * math.prod(out)
    window = math.prod(k) * c
    extra = 1 if ones else 0
    if c < _KERNEL_MAJOR_BELOW:
        view = as_strided(padded, k + (c, b) + tuple(out), off_strides + (sc, sb) + pos_strides)
        cols = xp.empty((window + extra, rows), dtype=padded.dtype)
        xp.copyto(cols[:window].reshape(view.shape), view)
        if ones:
            cols[window] = 1
        return cols, True
    view = as_strided(padded, (b,) + tuple(out) + k + (c,), (sb,) + pos_strides + off_strides + (sc,))
    cols = xp.empty((rows, window + extra), dtype=padded.dtype)
    xp.copyto(cols[:, :window].reshape(view.shape), view)
    if ones:
        cols[:, window] = 1
    return cols, False


# ---------------------------------------------------------------------------- the array kernels
def _conv_forward(x, w, b, geo, keep_columns):
    """``x`` (B, *n, C) convolved with ``w`` (*k, C, F) plus ``b`` (F,) or None.

    Returns (out (B, *out, F), columns or None). The bias rides in the GEMM as a row of the
    kernel matrix against a column of ones (see ``_im2col``).
    """
    cols, km = _im2col(_pad(x, geo.pads), geo.out, geo.k, geo.s, geo.d, ones=b is not None)
    f = w.shape[-1]
    wm = w.reshape(-1, f)
    if b is not None:
        wm = array_module(w).concatenate([wm, b.reshape(1, f).astype(wm.dtype, copy=False)])
    out = (cols.T @ wm) if km else (cols @ wm)
    return out.reshape((x.shape[0],) + geo.out + (f,)), ((cols, km) if keep_columns else None)


def _choose_forward(geo, c, f):
    """"taps" when the tap products (``padded positions * taps * f`` values) are less than half
    the im2col columns (``out positions * taps * c``), else "im2col"."""
    if FORWARD_METHOD != "auto":
        return FORWARD_METHOD
    return "taps" if 2 * math.prod(geo.padded) * f < math.prod(geo.out) * c else "im2col"


def _tap_slices(geo):
    """For each kernel tap t (in the kernel's row-major order), the slices of the padded grid
    that tap reads for the outputs o: t*d + o*s."""
    return [tuple(slice(t * d, t * d + (o - 1) * s + 1, s) for t, d, s, o in zip(tap, geo.d, geo.s, geo.out))
            for tap in itertools.product(*(range(k) for k in geo.k))]


def _conv_forward_taps(padded, w, b, geo):
    """The forward by tap products (module docstring): ``out[o] = sum_t P[o*s + t*d, t]`` with
    ``P = padded @ [W_0 ... W_taps]``. Returns (B, *out, F)."""
    xp = array_module(padded)
    taps, c, f = math.prod(geo.k), w.shape[-2], w.shape[-1]
    w_all = xp.ascontiguousarray(w.reshape(taps, c, f).transpose(1, 0, 2)).reshape(c, taps * f)
    products = (padded.reshape(-1, c) @ w_all).reshape(padded.shape[:-1] + (taps, f))
    out = None
    for index, sl in enumerate(_tap_slices(geo)):
        block = products[(slice(None),) + sl + (index,)]
        if out is None:
            out = block.copy()
        else:
            out += block
    if b is not None:
        out += b
    return out


def _kernel_grad_taps(padded, g, geo, w_shape):
    """dW = padded^T @ G, G[p, t] = g[o] where p = o*s + t*d (tap t's read), in one GEMM."""
    xp = array_module(g)
    taps, c, f = math.prod(geo.k), w_shape[-2], w_shape[-1]
    shifted = xp.zeros(padded.shape[:-1] + (taps, f), dtype=g.dtype)
    for index, sl in enumerate(_tap_slices(geo)):
        shifted[(slice(None),) + sl + (index,)] = g
    gw = padded.reshape(-1, c).T @ shifted.reshape(-1, taps * f)          # (C, taps * F)
    return xp.ascontiguousarray(gw.reshape(c, taps, f).transpose(1, 0, 2)).reshape(w_shape)


def _kernel_grad(columns, g, w_shape):
    """dW = columns^T @ g in the kernel's layout, and db (the ones column's row) or None."""
    cols, km = columns
    g2 = g.reshape(-1, g.shape[-1])
    gw = (cols @ g2) if km else (cols.T @ g2)
    window = math.prod(w_shape[:-1])
    gb = gw[window] if gw.shape[0] > window else None
    return gw[:window].reshape(w_shape), gb


def _choose_input_grad(geo, c, f):
    if INPUT_GRAD_METHOD != "auto":
        return INPUT_GRAD_METHOD
    # (1) handles window * filters values per input position, (2) window * channels per output
    # position. Measured here (2-core AVX-512, OpenBLAS): (2) wins from filters >= 2 * channels
    # at stride 1 (1.1x at 32 -> 64 channels), and by 3x at stride 2; (1) wins by 1.3-1.9x when
    # filters <= channels.
    stride_factor = math.prod(geo.s)
    return "im2col" if stride_factor * f < 2 * c else "col2im"


def _conv_input_grad(g, w, geo, x_shape):
    """d(loss)/d(x) for ``out = conv(x, w)``, given ``g = d(loss)/d(out)`` of shape (B, *out, F)."""
    xp = array_module(g)
    c, f = w.shape[-2], w.shape[-1]
    b = g.shape[0]
    nd = len(geo.n)
    if _choose_input_grad(geo, c, f) == "im2col":
        # dx[i] = sum_t g[(i + lo - t*d) / s] W[t] over the t where that index is an integer in
        # range: a stride-1 correlation of g spread out by s (zeros between) and padded by
        # k_eff - 1 - lo in front, with the kernel flipped. Only the n positions of x are computed.
        lead = tuple(ke - 1 - lo for ke, (lo, _) in zip(geo.k_eff, geo.pads))
        size = tuple(n + ke - 1 for n, ke in zip(geo.n, geo.k_eff))
        spread = xp.zeros((b,) + size + (f,), dtype=g.dtype)
        spread[(slice(None),) + tuple(slice(a, a + (o - 1) * s + 1, s)
                                       for a, o, s in zip(lead, geo.out, geo.s))] = g
        cols, km = _im2col(spread, geo.n, geo.k, (1,) * nd, geo.d)
        flipped = w[(slice(None, None, -1),) * nd]                      # flip every spatial axis
        wf = xp.ascontiguousarray(flipped.swapaxes(-1, -2)).reshape(-1, c)  # (*k, F, C)
        gx = (cols.T @ wf) if km else (cols @ wf)
        return gx.reshape(x_shape)
    # col2im, tap by tap: for the kernel tap t, dcolumns[t] = g @ W[t]^T is a contiguous
    # (B, *out, C) block (one batched matmul makes all of them), and it is added to x's gradient
    # at the positions that tap read: t*d + o*s - lo for the outputs o, clipped to the input
    # (what fell in the padding is dropped).
    taps = math.prod(geo.k)
    wt = xp.ascontiguousarray(w.reshape(taps, c, f).swapaxes(1, 2))     # (taps, F, C)
    dcols = (g.reshape(-1, f) @ wt).reshape((taps, b) + geo.out + (c,))
    gx = None
    everything = (slice(None),)
    for index, tap in enumerate(itertools.product(*(range(k) for k in geo.k))):
        src, dst, covers_all = [], [], True
        for t, d, s, o, n, (lo, _) in zip(tap, geo.d, geo.s, geo.out, geo.n, geo.pads):
            first = t * d - lo                            # input position read by output 0
            o_lo = max(0, -(first // s) if first < 0 else 0)
            o_hi = min(o - 1, (n - 1 - first) // s)      # last output whose read is inside
            if o_hi < o_lo:
                break
            src.append(slice(o_lo, o_hi + 1))
            start = first + o_lo * s
            dst.append(slice(start, start + (o_hi - o_lo) * s + 1, s))
            covers_all &= s == 1 and start == 0 and o_hi - o_lo + 1 == n
        else:
            block = dcols[index][everything + tuple(src)]
            if gx is None:
                if covers_all:  # this tap touches every input position: assign, skip the zeros
                    gx = block.copy()
                    continue
                gx = xp.zeros(x_shape, dtype=dcols.dtype)
            gx[everything + tuple(dst)] += block
    return gx if gx is not None else xp.zeros(x_shape, dtype=dcols.dtype)


# ---------------------------------------------------------------------------- Functions
class Conv(Function):
    """N-d convolution, channels-last: x (B, *n, C), kernel (*k, C, F), bias (F,) or absent.

    Forward: im2col + one GEMM, the bias inside the GEMM (a ones column), or for few filters
    the tap products (``_conv_forward_taps``; the kernel gradient then goes the same way round).
    With ``relu=True``
    the ReLU is applied in place on the fresh output, which saves the separate activation op
    its passes over the largest arrays of a CNN (memory traffic, not arithmetic, is what costs
    there). Backward: dW = columns^T g and db in one GEMM, dx by col2im or transposed im2col
    (see the module docstring). Work that no input needs is skipped (dx for a network's input,
    the saved columns for a frozen kernel).
    """

    def __init__(self, geometry, relu=False):
        self.geo = geometry
        self.relu = relu

    def forward(self, x, w, b=None):
        needs = self.needs_input_grad
        keep = len(needs) > 1 and needs[1]
        self.method = _choose_forward(self.geo, w.shape[-2], w.shape[-1])
        if self.method == "taps":
            padded = _pad(x, self.geo.pads)
            out = _conv_forward_taps(padded, w, b, self.geo)
            self.columns = padded if keep else None  # what the kernel gradient reads
        else:
            out, self.columns = _conv_forward(x, w, b, self.geo, keep_columns=keep)
        if self.relu:
            self.xp.maximum(out, 0, out=out)
            self.out = out  # relu'(z) = 1{z > 0} = 1{out > 0}: the output is the mask
        self.x_shape, self.w = x.shape, w
        return out

    def backward(self, g):
        needs = self.needs_input_grad
        if self.relu:
            g = g * (self.out > 0)  # a new array: the incoming gradient is never edited
        gx = _conv_input_grad(g, self.w, self.geo, self.x_shape) if needs[0] else None
        gw = gb = None
        if needs[1] and self.method == "taps":
            gw = _kernel_grad_taps(self.columns, g, self.geo, self.w.shape)
        elif needs[1]:
            gw, gb = _kernel_grad(self.columns, g, self.w.shape)  # gb: free with the bias column
        if len(needs) == 3:
            if needs[2] and gb is None:
                gb = sum_leading(g, g.ndim - 1).reshape(-1)
            return gx, gw, gb if needs[2] else None
        return gx, gw

    def release(self):
        super().release()
        self.columns = self.out = None  # the largest arrays of a CNN step: freed as backward goes


class ConvTranspose(Function):
    """N-d transposed convolution: x (B, *n, C_in), kernel (*k, C_out, C_in) as in Keras.

    It is the input gradient of the convolution ``conv(z, kernel)`` that maps an output ``z``
    of shape (B, *out, C_out) to (B, *n, C_in); so forward = that input gradient, and
    backward: dx = conv(g, kernel), dW = columns(g)^T @ x, db = sum of g.
    """

    def __init__(self, geometry):
        self.geo = geometry  # the geometry of the convolution from the output back to x

    def forward(self, x, w, b=None):
        geo = self.geo
        out = _conv_input_grad(x, w, geo, (x.shape[0],) + geo.n + (w.shape[-2],))
        if b is not None:
            out += b
        self.x, self.w = x, w
        return out

    def backward(self, g):
        needs = self.needs_input_grad
        gx = gw = None
        if needs[0] or needs[1]:
            gx, columns = _conv_forward(g, self.w, None, self.geo, keep_columns=needs[1])
            if needs[1]:
                gw, _ = _kernel_grad(columns, self.x, self.w.shape)
            if not needs[0]:
                gx = None
        if len(needs) == 3:
            gb = sum_leading(g, g.ndim - 1).reshape(-1) if needs[2] else None
            return gx, gw, gb
        return gx, gw


# ---------------------------------------------------------------------------- functional API
def _prepare(x, kernel, bias):
    x = as_tensor(x)
    kernel = as_tensor(kernel, x)
    if bias is not None:
        bias = as_tensor(bias, x)
    return x, kernel, bias


def conv(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, activation=None) -> Tensor:
    """Channels-last convolution over ``kernel.ndim - 2`` spatial axes (1, 2 or 3).

    Args:
        x: input of shape ``(batch, *spatial, in_channels)``.
        kernel: ``(*kernel_size, in_channels, filters)`` (Keras layout).
        bias: optional ``(filters,)``.
        strides: int or one int per spatial axis.
        padding: ``"valid"`` (no padding) or ``"same"`` (output size ``ceil(n / stride)``).
        dilation_rate: int or one per axis; a dilated kernel reads every d-th input.
        activation: None, or ``"relu"`` to apply ReLU inside the op (fused: fewer passes over
            the output; what ``Conv2D(..., activation="relu")`` uses).

    Returns:
        ``(batch, *out_spatial, filters)``, see ``conv_output_length``.

    Example:
        >>> import numpy as np
        >>> conv(np.ones((2, 10, 4)), np.ones((3, 4, 8))).shape   # a 1-D convolution
        (2, 8, 8)
    """
    x, kernel, bias = _prepare(x, kernel, bias)
    rank = kernel.ndim - 2
    who = f"conv{rank}d" if rank in (1, 2, 3) else "conv"
    if rank < 1:
        raise ValueError(f"{who}: expected a kernel of shape (*kernel_size, in_channels, filters), "
                         f"received shape {kernel.shape}")
    if x.ndim != rank + 2:
        raise ValueError(f"{who}: expected input of rank {rank + 2} (batch, *spatial, channels) for a "
                         f"kernel of shape {kernel.shape}, received shape {x.shape}")
    if x.shape[-1] != kernel.shape[-2]:
        raise ValueError(f"{who}: the input has {x.shape[-1]} channels but the kernel expects "
                         f"{kernel.shape[-2]} (kernel shape {kernel.shape}); received input shape {x.shape}")
    if bias is not None and bias.shape != (kernel.shape[-1],):
        raise ValueError(f"{who}: expected bias of shape ({kernel.shape[-1]},), received {bias.shape}")
    geo = _Geometry(x.shape[1:-1], kernel.shape[:-2], int_tuple(strides, rank, "strides", who),
                    int_tuple(dilation_rate, rank, "dilation_rate", who), check_padding(padding, who), who)
    if activation not in (None, "relu"):
        raise ValueError(f"{who}: expected activation None or 'relu' (others are separate ops), "
                         f"received {activation!r}")
    fn = Conv(geo, relu=activation == "relu")
    return fn(x, kernel) if bias is None else fn(x, kernel, bias)


def _check_kernel_rank(kernel, rank: int, who: str, channels: str) -> None:
    """A rank-``rank`` op takes a kernel ``(k, ..., k, *channels)`` of rank ``rank + 2``."""
    shape = tuple(kernel.shape) if hasattr(kernel, "shape") else np.shape(kernel)
    if len(shape) != rank + 2:
        raise ValueError(f"{who}: expected a kernel of rank {rank + 2} ({', '.join(['k'] * rank)}, "
                         f"{channels}), received shape {shape}")


def _conv_of_rank(rank):
    def f(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, activation=None):
        _check_kernel_rank(kernel, rank, f"conv{rank}d", "in_channels, filters")
        return conv(x, kernel, bias, strides, padding, dilation_rate, activation)
    f.__name__ = f.__qualname__ = f"conv{rank}d"
    spatial = {1: "steps", 2: "height, width", 3: "depth, height, width"}[rank]
    f.__doc__ = (f"{rank}-D convolution: x ``(batch, {spatial}, channels)``, kernel "
                 f"``({', '.join(['k'] * rank)}, in_channels, filters)``. See ``conv`` for the arguments.")
    return f


conv1d = _conv_of_rank(1)
conv2d = _conv_of_rank(2)
conv3d = _conv_of_rank(3)


def conv_transpose(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1,
                   output_padding=None) -> Tensor:
    """Transposed convolution ("deconvolution"), channels-last, Keras semantics.

    Each input value scatters a copy of the kernel, scaled by it, into the output; windows
    ``strides`` apart overlap and add. It maps a conv's output shape back to its input shape,
    which is why decoders and GAN generators use it to upsample.

    Args:
        x: ``(batch, *spatial, in_channels)``.
        kernel: ``(*kernel_size, filters, in_channels)`` (Keras's Conv2DTranspose layout:
            output channels before input channels).
        bias: optional ``(filters,)``.
        strides, padding, dilation_rate: as for the convolution it transposes.
        output_padding: None, or an int / one int per axis (each < its stride) added to the
            output size, see ``conv_transpose_output_length``.

    Returns:
        ``(batch, *out_spatial, filters)``; without output_padding ``n * s`` for "same" and
        ``n * s + max(k_eff - s, 0)`` for "valid".

    Example:
        >>> import numpy as np
        >>> conv2d_transpose(np.ones((1, 7, 7, 16)), np.ones((3, 3, 8, 16)), strides=2,
        ...                  padding="same").shape
        (1, 14, 14, 8)
    """
    x, kernel, bias = _prepare(x, kernel, bias)
    rank = kernel.ndim - 2
    who = f"conv{rank}d_transpose" if rank in (1, 2, 3) else "conv_transpose"
    if rank < 1 or x.ndim != rank + 2:
        raise ValueError(f"{who}: expected input of rank {rank + 2} (batch, *spatial, channels) for a "
                         f"kernel of shape {kernel.shape}, received shape {x.shape}")
    if x.shape[-1] != kernel.shape[-1]:
        raise ValueError(f"{who}: the input has {x.shape[-1]} channels but the kernel "
                         f"(*kernel_size, filters, in_channels) = {kernel.shape} expects {kernel.shape[-1]}")
    if bias is not None and bias.shape != (kernel.shape[-2],):
        raise ValueError(f"{who}: expected bias of shape ({kernel.shape[-2]},), received {bias.shape}")
    s = int_tuple(strides, rank, "strides", who)
    d = int_tuple(dilation_rate, rank, "dilation_rate", who)
    padding = check_padding(padding, who)
    if output_padding is not None:
        op = tuple(output_padding) if isinstance(output_padding, (tuple, list)) else (output_padding,) * rank
        if len(op) != rank or not all(is_int(v) and 0 <= v < si for v, si in zip(op, s)):
            raise ValueError(f"{who}: expected output_padding to be None or {rank} int(s) each in "
                             f"[0, stride) for strides {s}, received {output_padding!r}")
    else:
        op = (None,) * rank
    k = kernel.shape[:-2]
    n_out = tuple(conv_transpose_output_length(n, ki, si, padding, di, opi)
                  for n, ki, si, di, opi in zip(x.shape[1:-1], k, s, d, op))
    if any(n < 1 for n in n_out):
        raise ValueError(f"{who}: input spatial shape {x.shape[1:-1]} gives an empty output {n_out}")
    geo = _Geometry(n_out, k, s, d, padding, who)
    if geo.out != tuple(x.shape[1:-1]):  # cannot happen for valid arguments; a guard for the maths
        raise ValueError(f"{who}: output size {n_out} does not map back to input size {x.shape[1:-1]}")
    fn = ConvTranspose(geo)
    return fn(x, kernel) if bias is None else fn(x, kernel, bias)


def _conv_transpose_of_rank(rank):
    def f(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, output_padding=None):
        _check_kernel_rank(kernel, rank, f"conv{rank}d_transpose", "filters, in_channels")
        return conv_transpose(x, kernel, bias, strides, padding, dilation_rate, output_padding)
    f.__name__ = f.__qualname__ = f"conv{rank}d_transpose"
    f.__doc__ = (f"{rank}-D transposed convolution, kernel ``({', '.join(['k'] * rank)}, filters, "
                 f"in_channels)``. See ``conv_transpose`` for the arguments.")
    return f


conv1d_transpose = _conv_transpose_of_rank(1)
conv2d_transpose = _conv_transpose_of_rank(2)
conv3d_transpose = _conv_transpose_of_rank(3)
