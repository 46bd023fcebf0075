"""The reference 2-D convolution: against PyTorch, against finite differences, and as the oracle
that the fast ``ops.conv2d`` (im2col + GEMM, two input-gradient algorithms) must agree with."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import ops
from glassnet.ops import convolution as conv_ops
from glassnet.testing import check_gradients
from tests.helpers import compare_with_torch


def torch_conv2d_nhwc(x, w, b=None, strides=1, padding="valid"):
    """Channels-last conv with a Keras kernel (kh, kw, in, out) through torch's NCHW conv2d.

    Keras "same" puts the odd pad at the bottom/right; torch's own "same" is symmetric, so the
    pads are applied by hand.
    """
    import torch.nn.functional as F
    s = (strides, strides) if isinstance(strides, int) else tuple(strides)
    xc, wc = x.permute(0, 3, 1, 2), w.permute(3, 2, 0, 1)    # (B, C, H, W), (F, C, kh, kw)
    if padding == "same":
        pads = []
        for n, k, si in zip(xc.shape[2:], wc.shape[2:], s):
            total = max((-(-n // si) - 1) * si + k - n, 0)
            pads.append((total // 2, total - total // 2))
        (top, bottom), (left, right) = pads
        xc = F.pad(xc, [left, right, top, bottom])               # last axis first
    return F.conv2d(xc, wc, b, stride=s).permute(0, 2, 3, 1)


# x shape, kernel (kh, kw, in, out), strides, padding
TORCH_CASES = [
    ((2, 7, 8, 3), (3, 3, 3, 4), 1, "valid"),
    ((2, 7, 8, 3), (3, 3, 3, 4), 1, "same"),
    ((2, 9, 10, 2), (3, 3, 2, 5), 2, "valid"),
    ((2, 9, 10, 2), (3, 3, 2, 5), 2, "same"),
    ((1, 8, 9, 4), (2, 3, 4, 3), (2, 1), "same"),     # non-square kernel, odd pad at the end
    ((3, 6, 6, 5), (1, 1, 5, 2), 1, "valid"),         # 1x1
    ((2, 6, 7, 1), (5, 4, 1, 3), 3, "same"),          # kernel larger than the stride
    ((1, 5, 5, 2), (2, 2, 2, 2), 3, "valid"),         # stride larger than the kernel: skipped rows
    ((1, 3, 2, 2), (4, 4, 2, 3), 1, "same"),          # kernel larger than the input
]


@pytest.mark.parametrize("shape,kshape,strides,padding", TORCH_CASES)
def test_reference_matches_torch_float64(shape, kshape, strides, padding):
    compare_with_torch(lambda x, w, b: ops.conv2d_reference(x, w, b, strides, padding),
                       lambda x, w, b: torch_conv2d_nhwc(x, w, b, strides, padding),
                       [shape, kshape, kshape[-1:]], dtype=np.float64, rtol=1e-12, atol=1e-12)


def test_reference_matches_torch_float32_without_bias():
    compare_with_torch(lambda x, w: ops.conv2d_reference(x, w, strides=2, padding="same"),
                       lambda x, w: torch_conv2d_nhwc(x, w, None, 2, "same"),
                       [(2, 7, 6, 3), (3, 3, 3, 4)], rtol=1e-5, atol=1e-5)


def test_reference_keeps_dtype_and_shape():
    y = ops.conv2d_reference(np.ones((1, 5, 5, 3), np.float32), np.ones((3, 3, 3, 8), np.float32),
                             strides=2, padding="same")
    assert y.shape == (1, 3, 3, 8) and y.dtype == np.float32
    np.testing.assert_array_equal(y.data[0, 1, 1], 27.0)   # an interior window: 3 * 3 * 3 ones


def test_reference_errors():
    x, w = np.zeros((1, 5, 5, 2), np.float32), np.zeros((3, 3, 2, 4), np.float32)
    with pytest.raises(ValueError, match="expected padding 'valid' or 'same'"):
        ops.conv2d_reference(x, w, padding="full")
    with pytest.raises(ValueError, match="kernel \\(kh, kw, c_in, c_out\\)"):
        ops.conv2d_reference(x, np.zeros((3, 3, 3, 4), np.float32))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        ops.conv2d_reference(np.zeros((1, 2, 5, 2), np.float32), w)


# ---------------------------------------------------------------------------- the oracle
ORACLE_GRID = [(k, s, p, bias) for k in [(1, 1), (2, 2), (3, 3), (3, 2), (5, 5)] for s in (1, 2, 3)
               for p in ("valid", "same") for bias in (True, False)]


@pytest.mark.parametrize("method", ["im2col", "col2im", "taps"])
@pytest.mark.parametrize("channels", [(3, 4), (9, 16)])    # few channels, many: the two im2col layouts
@pytest.mark.parametrize("k,strides,padding,bias", ORACLE_GRID)
def test_fast_conv2d_agrees_with_reference(k, strides, padding, bias, channels, method, monkeypatch):
    """``ops.conv2d`` against the reference, forward and every gradient, in float64."""
    if method == "taps":  # the tap-products forward and kernel gradient
        monkeypatch.setattr(conv_ops, "FORWARD_METHOD", "taps")
    elif hasattr(conv_ops, "INPUT_GRAD_METHOD"):
        monkeypatch.setattr(conv_ops, "FORWARD_METHOD", "im2col")
        monkeypatch.setattr(conv_ops, "INPUT_GRAD_METHOD", method)
    elif method != "im2col":
        pytest.skip("ops.conv2d has a single input-gradient algorithm")
    c_in, c_out = channels
    rng = np.random.default_rng(sum(k) + 10 * strides)
    arrays = [rng.standard_normal((2, 9, 8, c_in)), rng.standard_normal(k + channels)]
    if bias:
        arrays.append(rng.standard_normal(c_out))

    def run(fn):
        inputs = [gn.Tensor(a, requires_grad=True, dtype=np.float64) for a in arrays]
        y = fn(*inputs, strides=strides, padding=padding)
        weights = np.random.default_rng(1).standard_normal(y.shape)
        (y * gn.Tensor(weights, dtype=np.float64)).sum().backward()
        return [y.data] + [t.grad for t in inputs]

    fast, reference = run(ops.conv2d), run(ops.conv2d_reference)
    for name, a, b in zip(["output", "d input", "d kernel", "d bias"], fast, reference):
        assert a.shape == b.shape and a.dtype == b.dtype == np.float64, name
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10, err_msg=name)


# ---------------------------------------------------------------------------- finite differences
@pytest.mark.parametrize("shape,kshape,strides,padding", TORCH_CASES)
def test_reference_gradients_by_finite_differences(shape, kshape, strides, padding):
    rng = np.random.default_rng(len(shape) + sum(kshape))
    check_gradients(lambda x, w, b: ops.conv2d_reference(x, w, b, strides, padding),
                    [rng.standard_normal(shape), rng.standard_normal(kshape), rng.standard_normal(kshape[-1])])
    check_gradients(lambda x, w: ops.conv2d_reference(x, w, strides=strides, padding=padding),
                    [rng.standard_normal(shape), rng.standard_normal(kshape)], wrt=[1])
