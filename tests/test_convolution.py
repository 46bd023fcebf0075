"""Convolution: ops against PyTorch, float64 gradient checks, the layers, the course's shapes."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, ops
from glassnet.ops import convolution as conv_ops
from glassnet.testing import check_gradients
from tests.helpers import compare_with_torch
from tests.layer_harness import layer_test


# ---------------------------------------------------------------------------- torch references
def _tuple(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


def _same_pads(sizes, k, s, d):
    """Keras/TensorFlow "same" pads per axis: (before, after), the odd one after."""
    pads = []
    for n, ki, si, di in zip(sizes, k, s, d):
        k_eff = (ki - 1) * di + 1
        total = max((-(-n // si) - 1) * si + k_eff - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def torch_conv(x, w, b=None, strides=1, padding="valid", dilation=1):
    """Channels-last conv with a Keras kernel, through torch's channels-first conv{1,2,3}d."""
    import torch
    import torch.nn.functional as F
    nd = w.dim() - 2
    s, d = _tuple(strides, nd), _tuple(dilation, nd)
    xc = x.permute(0, nd + 1, *range(1, nd + 1))                 # (B, C, *n)
    wc = w.permute(nd + 1, nd, *range(nd))                       # (F, C, *k)
    if padding == "same":  # torch's own "same" is symmetric; Keras puts the odd pad at the end
        flat = []
        for lo, hi in reversed(_same_pads(xc.shape[2:], w.shape[:nd], s, d)):
            flat += [lo, hi]
        xc = F.pad(xc, flat)
    out = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd](xc, wc, b, stride=s, dilation=d)
    return out.permute(0, *range(2, nd + 2), 1).contiguous() if torch.is_tensor(out) else out


def torch_conv_transpose2d(x, w, b=None, strides=1, padding="valid", dilation=1, output_padding=None):
    """Keras Conv2DTranspose through torch: the full transposed conv, then cropped as Keras."""
    import torch.nn.functional as F
    s, d = _tuple(strides, 2), _tuple(dilation, 2)
    xc = x.permute(0, 3, 1, 2)
    wc = w.permute(3, 2, 0, 1)                                   # (in, out, kh, kw)
    full = F.conv_transpose2d(xc, wc, None, stride=s, dilation=d)  # (n - 1) * s + k_eff
    ops_ = (None, None) if output_padding is None else _tuple(output_padding, 2)
    sizes = [conv_ops.conv_transpose_output_length(n, k, si, padding, di, p)
             for n, k, si, di, p in zip(x.shape[1:3], w.shape[:2], s, d, ops_)]
    lows = [lo for lo, _ in _same_pads(sizes, w.shape[:2], s, d)] if padding == "same" else [0, 0]
    out = full[:, :, lows[0]:lows[0] + sizes[0], lows[1]:lows[1] + sizes[1]]
    out = F.pad(out, [0, sizes[1] - out.shape[3], 0, sizes[0] - out.shape[2]])  # uncovered end rows
    if b is not None:
        out = out + b[None, :, None, None]
    return out.permute(0, 2, 3, 1)


@pytest.fixture(params=["im2col", "col2im", "taps"])
def input_grad_method(request, monkeypatch):
    """Run a test with each input-gradient algorithm (both must be exact), and once more with
    the tap-products forward and kernel gradient ("taps", input gradient chosen by cost)."""
    if request.param == "taps":
        monkeypatch.setattr(conv_ops, "FORWARD_METHOD", "taps")
    else:
        monkeypatch.setattr(conv_ops, "FORWARD_METHOD", "im2col")
        monkeypatch.setattr(conv_ops, "INPUT_GRAD_METHOD", request.param)
    return request.param


# ---------------------------------------------------------------------------- ops vs torch
CONV_CASES = [
    # x shape, kernel_size, filters, strides, padding, dilation
    ((2, 11, 3), (3,), 4, 1, "valid", 1),
    ((2, 11, 3), (4,), 5, 2, "same", 1),
    ((2, 12, 2), (3,), 3, 1, "same", 3),
    ((2, 7, 8, 3), (3, 3), 4, 1, "same", 1),
    ((2, 7, 8, 3), (3, 2), 5, 1, "valid", 1),           # non-square kernel
    ((2, 9, 8, 4), (2, 3), 3, (2, 1), "same", 1),       # odd total pad: extra at the end
    ((2, 9, 10, 4), (3, 3), 6, 2, "valid", 1),
    ((2, 9, 10, 8), (3, 3), 4, 1, "valid", 2),          # dilation
    ((2, 10, 9, 8), (3, 3), 4, 2, "same", 2),           # stride and dilation together
    ((2, 5, 6, 16), (1, 1), 8, 1, "valid", 1),          # 1x1
    ((2, 6, 6, 12), (5, 5), 3, 3, "same", 1),
    ((1, 5, 6, 7, 2), (2, 3, 2), 3, 1, "same", 1),
    ((1, 6, 5, 7, 3), (3, 2, 2), 2, (2, 1, 2), "valid", 1),
]


@pytest.mark.parametrize("shape,k,filters,strides,padding,dilation", CONV_CASES)
def test_conv_matches_torch(shape, k, filters, strides, padding, dilation, input_grad_method):
    nd = len(k)
    gn_fn = {1: ops.conv1d, 2: ops.conv2d, 3: ops.conv3d}[nd]
    compare_with_torch(
        lambda x, w, b: gn_fn(x, w, b, strides=strides, padding=padding, dilation_rate=dilation),
        lambda x, w, b: torch_conv(x, w, b, strides, padding, dilation),
        [shape, k + (shape[-1], filters), (filters,)], rtol=1e-4, atol=1e-5)


def test_conv_without_bias_and_input_not_needing_grad():
    compare_with_torch(lambda x, w: ops.conv2d(x, w, padding="same"),
                       lambda x, w: torch_conv(x, w, None, 1, "same"),
                       [(2, 6, 6, 1), (3, 3, 1, 8)], rtol=1e-4, atol=1e-5, wrt=[1])


@pytest.mark.parametrize("strides,padding", [(1, "same"), (2, "valid")])
def test_conv_with_fused_relu_matches_torch(strides, padding, input_grad_method):
    import torch
    compare_with_torch(
        lambda x, w, b: ops.conv2d(x, w, b, strides=strides, padding=padding, activation="relu"),
        lambda x, w, b: torch.relu(torch_conv(x, w, b, strides, padding)),
        [(2, 7, 8, 3), (3, 3, 3, 6), (6,)], rtol=1e-4, atol=1e-5)
    rng = np.random.default_rng(5)
    check_gradients(lambda x, w, b: ops.conv2d(x, w, b, strides, padding, activation="relu"),
                    [rng.standard_normal((2, 6, 5, 2)), rng.standard_normal((3, 3, 2, 3)), rng.standard_normal(3)])
    with pytest.raises(ValueError, match="activation None or 'relu'"):
        ops.conv2d(np.zeros((1, 5, 5, 1), np.float32), np.zeros((3, 3, 1, 1), np.float32), activation="tanh")


TRANSPOSE_CASES = [
    # x shape, kernel_size, filters, strides, padding, dilation, output_padding
    ((2, 5, 6, 3), (3, 3), 4, 1, "valid", 1, None),
    ((2, 5, 6, 3), (3, 3), 4, 1, "same", 1, None),
    ((2, 4, 5, 3), (3, 3), 4, 2, "same", 1, None),
    ((2, 4, 5, 3), (3, 3), 4, 2, "valid", 1, None),
    ((2, 4, 4, 2), (4, 4), 3, 2, "same", 1, None),       # even kernel
    ((2, 4, 5, 3), (2, 3), 2, (3, 2), "valid", 1, None),  # kernel smaller than stride: zero rows
    ((2, 4, 4, 2), (3, 3), 3, 1, "same", 2, None),
    ((2, 3, 4, 2), (3, 3), 3, 2, "valid", 1, 1),
    ((2, 3, 4, 2), (3, 3), 3, 2, "same", 1, (1, 0)),
]


@pytest.mark.parametrize("shape,k,filters,strides,padding,dilation,out_pad", TRANSPOSE_CASES)
def test_conv2d_transpose_matches_torch(shape, k, filters, strides, padding, dilation, out_pad,
                                        input_grad_method):
    compare_with_torch(
        lambda x, w, b: ops.conv2d_transpose(x, w, b, strides, padding, dilation, out_pad),
        lambda x, w, b: torch_conv_transpose2d(x, w, b, strides, padding, dilation, out_pad),
        [shape, k + (filters, shape[-1]), (filters,)], rtol=1e-4, atol=1e-5)


def test_conv_transpose_is_the_input_gradient_of_conv():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 10, 8, 3)).astype(np.float32)  # sizes n * stride: "same" maps them back
    w = rng.standard_normal((3, 3, 3, 5)).astype(np.float32)
    xt = gn.Tensor(x, requires_grad=True)
    y = ops.conv2d(xt, w, strides=2, padding="same")
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    back = ops.conv2d_transpose(g, w, strides=2, padding="same")
    np.testing.assert_allclose(back.data, xt.grad, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------- float64 gradient checks
@pytest.mark.parametrize("shape,k,strides,padding,dilation", [
    ((2, 7, 3), (3,), 2, "same", 1),
    ((2, 6, 5, 3), (3, 2), 1, "same", 1),
    ((2, 7, 6, 2), (3, 3), 2, "valid", 1),
    ((1, 7, 7, 2), (2, 2), 1, "same", 2),
    ((1, 4, 4, 5, 2), (2, 2, 3), (1, 2, 1), "same", 1),
])
def test_conv_gradcheck_float64(shape, k, strides, padding, dilation, input_grad_method):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    w = rng.standard_normal(k + (shape[-1], 3))
    b = rng.standard_normal(3)
    check_gradients(lambda x, w, b: ops.conv(x, w, b, strides, padding, dilation), [x, w, b])
    out = ops.conv(gn.Tensor(x, dtype=np.float64), gn.Tensor(w, dtype=np.float64), None, strides, padding,
                   dilation)
    assert out.dtype == np.float64


@pytest.mark.parametrize("strides,padding,out_pad", [(1, "same", None), (2, "valid", None), (2, "same", 1)])
def test_conv_transpose_gradcheck_float64(strides, padding, out_pad, input_grad_method):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 3, 4, 2)), rng.standard_normal((3, 3, 3, 2)), rng.standard_normal(3)
    check_gradients(lambda x, w, b: ops.conv2d_transpose(x, w, b, strides, padding, 1, out_pad), [x, w, b])


# ---------------------------------------------------------------------------- dtype
def test_float32_is_preserved_everywhere(input_grad_method):
    rng = np.random.default_rng(0)
    for fn, wshape in ((ops.conv2d, (3, 3, 3, 4)), (ops.conv2d_transpose, (3, 3, 4, 3))):
        x = gn.Tensor(rng.standard_normal((2, 6, 6, 3)).astype(np.float32), requires_grad=True)
        w = gn.Tensor(rng.standard_normal(wshape).astype(np.float32), requires_grad=True)
        b = gn.Tensor(np.zeros(4, np.float32), requires_grad=True)
        y = fn(x, w, b, strides=2, padding="same")
        assert y.dtype == np.float32
        y.sum().backward()
        assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


# ---------------------------------------------------------------------------- the layers
def test_conv2d_layer_course_parameter_count():
    layer_test(layers.Conv2D, dict(filters=32, kernel_size=3), (2, 5, 5, 3), (2, 3, 3, 32),
               expected_num_weights=2, expected_params=896, gradcheck=False)


@pytest.mark.parametrize("cls,kwargs,input_shape,output_shape,params", [
    (layers.Conv1D, dict(filters=4, kernel_size=3, strides=2, padding="same", activation="tanh"),
     (2, 7, 3), (2, 4, 4), 3 * 3 * 4 + 4),
    (layers.Conv2D, dict(filters=3, kernel_size=(3, 2), padding="same", dilation_rate=(1, 2),
                         kernel_regularizer="l2"), (2, 5, 6, 2), (2, 5, 6, 3), 3 * 2 * 2 * 3 + 3),
    (layers.Conv2D, dict(filters=2, kernel_size=3, strides=2, use_bias=False), (2, 7, 6, 3), (2, 3, 2, 2),
     3 * 3 * 3 * 2),
    (layers.Conv3D, dict(filters=2, kernel_size=2, activation="relu", bias_initializer="ones"),
     (2, 4, 3, 4, 2), (2, 3, 2, 3, 2), 2 * 2 * 2 * 2 * 2 + 2),
    (layers.Conv1DTranspose, dict(filters=3, kernel_size=3, strides=2), (2, 4, 2), (2, 9, 3), 3 * 3 * 2 + 3),
    (layers.Conv2DTranspose, dict(filters=3, kernel_size=3, strides=2, padding="same"), (2, 3, 4, 2),
     (2, 6, 8, 3), 3 * 3 * 3 * 2 + 3),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=(2, 3), strides=(2, 1), output_padding=(1, 0)),
     (2, 3, 3, 2), (2, 7, 5, 2), 2 * 3 * 2 * 2 + 2),
    (layers.Conv3DTranspose, dict(filters=2, kernel_size=2, strides=2, padding="same"), (1, 2, 2, 3, 2),
     (1, 4, 4, 6, 2), 2 * 2 * 2 * 2 * 2 + 2),
])
def test_conv_layers(cls, kwargs, input_shape, output_shape, params):
    layer = layer_test(cls, kwargs, input_shape, output_shape, expected_params=params)
    assert [p.name.split("/")[-1] for p in layer.weights] == (["kernel", "bias"] if kwargs.get("use_bias", True)
                                                              else ["kernel"])


def test_kernel_layouts_follow_keras():
    conv = layers.Conv2D(8, (3, 2))
    conv(np.zeros((1, 6, 6, 5), np.float32))
    assert conv.kernel.shape == (3, 2, 5, 8) and conv.bias.shape == (8,)
    tconv = layers.Conv2DTranspose(8, (3, 2))
    tconv(np.zeros((1, 6, 6, 5), np.float32))
    assert tconv.kernel.shape == (3, 2, 8, 5)


@pytest.mark.parametrize("cls,kwargs,input_shape,expected", [
    (layers.Conv2D, dict(filters=1, kernel_size=3), (None, 5, 5, 1), (None, 3, 3, 1)),   # valid
    (layers.Conv2D, dict(filters=1, kernel_size=3, padding="same"), (None, 5, 5, 1), (None, 5, 5, 1)),
    (layers.Conv2D, dict(filters=1, kernel_size=3, padding="same", strides=2), (None, 5, 5, 1), (None, 3, 3, 1)),
    (layers.Conv3D, dict(filters=4, kernel_size=2), (None, 5, 5, 5, 3), (None, 4, 4, 4, 4)),
    (layers.Conv1D, dict(filters=2, kernel_size=3), (None, None, 3), (None, None, 2)),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=3, strides=2), (None, 7, 7, 4), (None, 15, 15, 2)),
])
def test_course_output_shapes(cls, kwargs, input_shape, expected):
    layer = cls(**kwargs)
    assert layer.compute_output_shape(input_shape) == expected
    if None not in input_shape[1:]:
        out = cls(**kwargs)(np.zeros((2,) + input_shape[1:], np.float32))
        assert out.shape == (2,) + expected[1:]


def test_valid_convolution_of_the_course_5x5_example():
    x = np.arange(25, dtype=np.float32).reshape(1, 5, 5, 1)
    w = np.ones((3, 3, 1, 1), np.float32)
    out = ops.conv2d(x, w).data[0, :, :, 0]
    expected = [[x[0, i:i + 3, j:j + 3, 0].sum() for j in range(3)] for i in range(3)]
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("kwargs,match", [
    (dict(filters=0, kernel_size=3), "positive integer for filters, received 0"),
    (dict(filters=2.5, kernel_size=3), "filters"),
    (dict(filters=2, kernel_size=(3, 3, 3)), "kernel_size to be an int or a tuple of 2 ints"),
    (dict(filters=2, kernel_size=0), "kernel_size to be positive"),
    (dict(filters=2, kernel_size=3, strides=(1, 0)), "strides"),
    (dict(filters=2, kernel_size=3, padding="full"), "padding 'valid' or 'same', received 'full'"),
    (dict(filters=2, kernel_size=3, dilation_rate="2"), "dilation_rate"),
    (dict(filters=2, kernel_size=3, data_format="channels_first"), "channels_last"),
])
def test_conv2d_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        layers.Conv2D(**kwargs)
    assert "Conv2D" in str(info.value)


def test_input_errors():
    with pytest.raises(ValueError, match=r"Conv2D expects input of rank 4 \(batch, h, w, channels\), "
                                         r"received shape \(2, 5, 5\)"):
        layers.Conv2D(2, 3)(np.zeros((2, 5, 5), np.float32))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        layers.Conv2D(2, 5)(np.zeros((2, 4, 6, 1), np.float32))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        layers.Conv1D(2, 3, dilation_rate=3).compute_output_shape((None, 6, 1))
    layer = layers.Conv2D(2, 3)
    layer(np.zeros((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match="expected input with 3 channels"):
        layer(np.zeros((1, 5, 5, 4), np.float32))
    with pytest.raises(ValueError, match="output_padding"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="Conv3D expects input of rank 5"):
        layers.Conv3D(2, 2)(np.zeros((1, 4, 4, 1), np.float32))


def test_op_errors():
    x = np.zeros((1, 5, 5, 3), np.float32)
    with pytest.raises(ValueError, match="3 channels but the kernel expects 2"):
        ops.conv2d(x, np.zeros((3, 3, 2, 4), np.float32))
    with pytest.raises(ValueError, match="conv2d: expected a kernel of rank 4"):
        ops.conv2d(x, np.zeros((3, 3, 4), np.float32))
    with pytest.raises(ValueError, match="expected bias of shape"):
        ops.conv2d(x, np.zeros((3, 3, 3, 4), np.float32), np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="smaller than the"):
        ops.conv2d(x, np.zeros((6, 3, 3, 4), np.float32))
    with pytest.raises(ValueError, match="padding"):
        ops.conv2d(x, np.zeros((3, 3, 3, 4), np.float32), padding="causal")


def test_conv_layers_train_in_a_small_cnn():
    """A tiny CNN learns to tell horizontal from vertical bars (the layers train end to end)."""
    gn.backend.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 0.2, size=(64, 8, 8, 1)).astype(np.float32)
    y = rng.integers(0, 2, size=64)
    for i in range(64):
        r = rng.integers(1, 7)
        if y[i]:
            x[i, r, 1:7, 0] = 1.0
        else:
            x[i, 1:7, r, 0] = 1.0
    model = gn.Sequential([layers.Input((8, 8, 1)), layers.Conv2D(4, 3, padding="same", activation="relu"),
                           layers.Conv2D(4, 3, strides=2, activation="relu"), layers.Flatten(),
                           layers.Dense(2, activation="softmax")])
    model.compile(optimizer=gn.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    first = model.train_on_batch(x, y)
    for _ in range(60):
        last = model.train_on_batch(x, y)
    assert last < 0.3 * first
