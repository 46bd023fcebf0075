"""The one image sampler behind ``RandomRotation``, ``RandomTranslation``, ``RandomZoom`` and
``Resizing``: an affine map from output pixels to input positions, read with nearest or bilinear
interpolation.

Every geometric transform here is written *backwards*: for each output pixel ``(x, y)`` (column,
row) the transform says where in the input to read,

    x_in = a0 x + a1 y + a2
    y_in = b0 x + b1 y + b2          (one 2 x 3 matrix [[a0, a1, a2], [b0, b1, b2]] per image)

so every output pixel gets exactly one value (a forward map would leave holes). A rotation by
angle t about the centre ``c`` reads ``in - c = R(-t)(out - c)``; a zoom by ``z`` reads
``in - c = z (out - c)``; a shift by ``d`` reads ``in = out - d``; a resize from ``n`` to ``m``
pixels reads ``in = (out + 1/2) n / m - 1/2`` (pixel centres line up, as in ``tf.image.resize``).

Positions fall between pixels and outside the image. ``"bilinear"`` mixes the four surrounding
pixels, weighted by closeness; ``"nearest"`` takes the closest one. A pixel index outside the
image is brought back in by ``fill_mode`` (Keras's names, for the row ``a b c d``):

- ``"reflect"``:  ``d c b a | a b c d | d c b a`` (mirrored about the edge of the last pixel)
- ``"wrap"``:     ``a b c d | a b c d | a b c d``
- ``"nearest"``:  ``a a a a | a b c d | d d d d``
- ``"constant"``: ``k k k k | a b c d | k k k k`` with ``k = fill_value``

Everything is vectorised over the batch: one gather per neighbour for the whole batch.
Images are channels-last ``(batch, height, width, channels)``. ``AffineSample`` is an op: the
output is a weighted sum of input pixels, so its gradient scatters each output's gradient back
to the pixels it read, with the same weights.

Example:
    >>> import numpy as np
    >>> image = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    >>> shift_right = np.array([[[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]]])   # x_in = x - 1
    >>> affine_sample(image, shift_right, fill_mode="constant")[0, :, :, 0]
    array([[0., 0., 1.],
           [0., 3., 4.],
           [0., 6., 7.]], dtype=float32)
"""
from __future__ import annotations

from glassnet.core.tensor import Function, Tensor

FILL_MODES = ("reflect", "wrap", "nearest", "constant")
INTERPOLATIONS = ("bilinear", "nearest")


def _inside(index, size, fill_mode, xp):
    """Integer pixel indices brought into ``[0, size)`` by ``fill_mode``, and (for
    ``"constant"``) a mask of those that were inside to begin with."""
    if fill_mode == "reflect":  # period 2 size: 0..size-1, then size-1..0
        m = index % (2 * size)
        return xp.where(m >= size, 2 * size - 1 - m, m), None
    if fill_mode == "wrap":
        return index % size, None
    clipped = xp.clip(index, 0, size - 1)
    return clipped, (None if fill_mode == "nearest" else clipped == index)


def _taps(matrices, in_size, out_size, interpolation, fill_mode, xp):
    """Where each output pixel reads: a list of ``(rows, cols, weight)``, one per neighbour (4 for
    bilinear, 1 for nearest), each ``(batch, out_h, out_w)``; indices already brought inside the
    image by ``fill_mode``. With ``"constant"`` a neighbour outside the image gets weight 0 and
    its weight is returned separately, as the share of ``fill_value`` in the output."""
    h, w = in_size
    oh, ow = out_size
    m = xp.asarray(matrices, dtype="float64")
    n = m.shape[0]
    ys = xp.arange(oh, dtype="float64").reshape(1, oh, 1)
    xs = xp.arange(ow, dtype="float64").reshape(1, 1, ow)

    def coefficient(row, col):
        return m[:, row, col].reshape(n, 1, 1)
    x_in = coefficient(0, 0) * xs + coefficient(0, 1) * ys + coefficient(0, 2)   # (batch, oh, ow)
    y_in = coefficient(1, 0) * xs + coefficient(1, 1) * ys + coefficient(1, 2)
    if interpolation == "nearest":
        neighbours = [(xp.floor(y_in + 0.5), xp.floor(x_in + 0.5), xp.ones_like(x_in))]
    else:
        y0, x0 = xp.floor(y_in), xp.floor(x_in)
        wy, wx = y_in - y0, x_in - x0       # the weights of the lower row y0 + 1 and right column x0 + 1
        neighbours = [(y0, x0, (1 - wy) * (1 - wx)), (y0, x0 + 1, (1 - wy) * wx),
                      (y0 + 1, x0, wy * (1 - wx)), (y0 + 1, x0 + 1, wy * wx)]
    taps, outside = [], xp.zeros_like(x_in)
    for rows, cols, weight in neighbours:
        rows, row_ok = _inside(rows.astype("int64"), h, fill_mode, xp)
        cols, col_ok = _inside(cols.astype("int64"), w, fill_mode, xp)
        if row_ok is not None:
            ok = row_ok & col_ok
            outside = outside + xp.where(ok, 0.0, weight)
            weight = xp.where(ok, weight, 0.0)
        taps.append((rows, cols, weight))
    return taps, outside


class AffineSample(Function):
    """Resampling through per-image affine maps (see the module docstring). With the taps
    (neighbour k of output pixel (i, j): input pixel p_k(i, j) with weight w_k(i, j)):

        y[n, i, j, c] = sum_k w_k x[n, p_k, c]  (+ fill_value * the weight that fell outside);
        dx[n, p, c] = sum of w_k g[n, i, j, c] over the (i, j, k) that read pixel p

    (a scatter-add: a pixel read by several outputs receives all their gradients).
    """

    def __init__(self, matrices, output_size, interpolation, fill_mode, fill_value):
        self.matrices, self.output_size = matrices, output_size
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value

    def forward(self, images):
        xp = self.xp
        n, h, w, _ = images.shape
        self.in_shape = images.shape
        self.taps, outside = _taps(self.matrices, (h, w), self.output_size, self.interpolation, self.fill_mode, xp)
        self.batch = xp.arange(n).reshape(n, 1, 1)
        out = None
        for rows, cols, weight in self.taps:
            term = images[self.batch, rows, cols] * weight.astype(images.dtype)[..., None]
            out = term if out is None else out + term
        if self.fill_mode == "constant" and self.fill_value != 0:
            out = out + (outside * self.fill_value).astype(images.dtype)[..., None]
        return out

    def backward(self, g):
        grad = self.xp.zeros(self.in_shape, dtype=g.dtype)
        for rows, cols, weight in self.taps:
            self.xp.add.at(grad, (self.batch, rows, cols), g * weight.astype(g.dtype)[..., None])
        return (grad,)


def affine_sample(images, matrices, output_size=None, interpolation="bilinear", fill_mode="reflect",
                  fill_value=0.0):
    """Resample a batch of images through one affine map per image (see the module docstring).

    Args:
        images: a Tensor (gradients flow back to it) or an array, ``(batch, height, width,
            channels)``, float.
        matrices: array ``(batch, 2, 3)``: row 0 gives ``x_in``, row 1 ``y_in`` from
            ``(x_out, y_out, 1)``.
        output_size: ``(height, width)`` of the output (default: the input's).
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"nearest"`` or ``"constant"``.
        fill_value: the value outside the image with ``fill_mode="constant"``.

    Returns:
        A Tensor ``(batch, out_height, out_width, channels)`` in the images' dtype (an array
        for an array input).
    """
    shape = images.shape
    size = tuple(shape[1:3]) if output_size is None else tuple(output_size)
    fn = AffineSample(matrices, size, interpolation, fill_mode, float(fill_value))
    out = fn(images if isinstance(images, Tensor) else Tensor(images, dtype=images.dtype))
    return out if isinstance(images, Tensor) else out.data


def resize_matrices(n, in_size, out_size, box=None, xp=None):
    """The ``(n, 2, 3)`` matrices of a resize from ``in_size`` to ``out_size`` (``(h, w)`` each),
    reading the window ``box = (top, left, height, width)`` of the input (default: all of it).
    Pixel centres line up: ``in = top + (out + 1/2) height / out_height - 1/2``."""
    top, left, bh, bw = (0, 0) + tuple(in_size) if box is None else box
    sy, sx = bh / out_size[0], bw / out_size[1]
    row = [[sx, 0.0, left + 0.5 * sx - 0.5], [0.0, sy, top + 0.5 * sy - 0.5]]
    return xp.broadcast_to(xp.asarray(row, dtype="float64"), (n, 2, 3))


def check_fill(who: str, fill_mode, interpolation) -> None:
    """Refuse an unknown ``fill_mode`` or ``interpolation``, naming the layer."""
    if fill_mode not in FILL_MODES:
        raise ValueError(f"{who}: expected fill_mode in {list(FILL_MODES)}, received {fill_mode!r}")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"{who}: expected interpolation in {list(INTERPOLATIONS)}, received {interpolation!r}")
