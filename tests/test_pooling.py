"""Pooling ops and layers: against PyTorch, against a loop-by-loop reference of TensorFlow's
"same" padding, float64 gradient checks, ties, the course's worked example and shape errors."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, ops
from glassnet.testing import check_gradients
from helpers import compare_with_torch, make_inputs
from layer_harness import layer_test

torch = pytest.importorskip("torch")
F = torch.nn.functional


# ----------------------------------------------------------------------------- references
def to_first(t):
    """channels-last torch tensor -> channels-first (what torch's pooling expects)."""
    return t.permute(0, t.ndim - 1, *range(1, t.ndim - 1))


def to_last(t):
    return t.permute(0, *range(2, t.ndim), 1)


def torch_pool(mode, k, s=None, padding=0, ceil_mode=False):
    """A channels-last torch pooling function for ``compare_with_torch``."""
    def fn(x):
        rank = x.ndim - 2
        name = f"{mode}_pool{rank}d"
        extra = {"count_include_pad": False} if mode == "avg" else {}
        return to_last(getattr(F, name)(to_first(x), k, s if s is not None else k, padding,
                                        ceil_mode=ceil_mode, **extra))
    return fn


def reference_pool(x, k, s, padding, mode):
    """Pooling written pixel by pixel, with TensorFlow's padding rules; also returns the
    gradient of ``sum(w * out)`` (max: to the first maximum of each window)."""
    rank = x.ndim - 2
    k, s = (k,) * rank if np.isscalar(k) else k, (s,) * rank if np.isscalar(s) else s
    spatial = x.shape[1:-1]
    if padding == "valid":
        outs = [(n - kk) // ss + 1 for n, kk, ss in zip(spatial, k, s)]
        before = [0] * rank
    else:
        outs = [-(-n // ss) for n, ss in zip(spatial, s)]
        before = [max((o - 1) * ss + kk - n, 0) // 2 for o, n, kk, ss in zip(outs, spatial, k, s)]
    out = np.zeros((x.shape[0], *outs, x.shape[-1]), x.dtype)
    w = np.random.default_rng(5).standard_normal(out.shape).astype(x.dtype)
    grad = np.zeros_like(x)
    for b, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
        for pos in itertools.product(*[range(o) for o in outs]):
            cells = []
            for off in itertools.product(*[range(kk) for kk in k]):
                idx = tuple(p * ss + o - lo for p, ss, o, lo in zip(pos, s, off, before))
                if all(0 <= i < n for i, n in zip(idx, spatial)):
                    cells.append(idx)
            vals = [x[(b,) + i + (c,)] for i in cells]
            here = (b,) + pos + (c,)
            if mode == "max":
                j = int(np.argmax(vals))  # the first maximum
                out[here] = vals[j]
                grad[(b,) + cells[j] + (c,)] += w[here]
            else:
                out[here] = np.mean(vals)
                for i in cells:
                    grad[(b,) + i + (c,)] += w[here] / len(cells)
    return out, w, grad


# ----------------------------------------------------------------------------- the course example
def test_course_worked_example_max_pool_2x2():
    x = np.array([[2, 5, 7, 8], [8, 3, 10, 2], [4, 5, 1, 2], [7, 2, 3, 4]], np.float32)
    out = ops.max_pool2d(x.reshape(1, 4, 4, 1), pool_size=2, strides=2)
    np.testing.assert_array_equal(out.data[0, :, :, 0], [[8, 10], [7, 4]])
    layer_out = layers.MaxPooling2D((2, 2))(x.reshape(1, 4, 4, 1))
    np.testing.assert_array_equal(layer_out.data[0, :, :, 0], [[8, 10], [7, 4]])


def test_pooling_output_size_is_course_formula():
    # (n - k) / s + 1, and pooling has no parameters
    for n, k, s in [(28, 2, 2), (27, 3, 2), (10, 4, 3), (5, 5, 1)]:
        out = ops.max_pool2d(np.zeros((1, n, n, 1), np.float32), k, s)
        assert out.shape == (1, (n - k) // s + 1, (n - k) // s + 1, 1)
    layer = layers.MaxPooling2D(2)
    layer(np.zeros((1, 4, 4, 3), np.float32))
    assert layer.count_params() == 0 and layer.weights == []


# ----------------------------------------------------------------------------- against torch
TORCH_CASES = [
    # id, glassnet fn, torch fn, input shape
    ("max1d", lambda x: ops.max_pool1d(x, 2), torch_pool("max", 2), (3, 10, 4)),
    ("max1d-overlap", lambda x: ops.max_pool1d(x, 3, 1), torch_pool("max", 3, 1), (2, 9, 3)),
    ("max2d", lambda x: ops.max_pool2d(x, 2), torch_pool("max", 2), (2, 8, 6, 5)),
    ("max2d-uneven-drop", lambda x: ops.max_pool2d(x, 2), torch_pool("max", 2), (2, 7, 5, 3)),
    ("max2d-overlap", lambda x: ops.max_pool2d(x, 3, 2), torch_pool("max", 3, 2), (2, 9, 8, 3)),
    ("max2d-rect", lambda x: ops.max_pool2d(x, (3, 2), (1, 2)), torch_pool("max", (3, 2), (1, 2)), (2, 6, 7, 2)),
    ("max2d-gap", lambda x: ops.max_pool2d(x, 2, 3), torch_pool("max", 2, 3), (2, 8, 8, 2)),
    ("max3d", lambda x: ops.max_pool3d(x, 2), torch_pool("max", 2), (2, 4, 6, 4, 3)),
    ("max3d-overlap", lambda x: ops.max_pool3d(x, (2, 3, 2), 1), torch_pool("max", (2, 3, 2), 1), (1, 4, 5, 3, 2)),
    ("avg1d", lambda x: ops.avg_pool1d(x, 2), torch_pool("avg", 2), (3, 10, 4)),
    ("avg2d", lambda x: ops.avg_pool2d(x, 2), torch_pool("avg", 2), (2, 8, 6, 5)),
    ("avg2d-overlap", lambda x: ops.avg_pool2d(x, 3, 2), torch_pool("avg", 3, 2), (2, 9, 8, 3)),
    ("avg3d", lambda x: ops.avg_pool3d(x, (2, 2, 1)), torch_pool("avg", (2, 2, 1)), (2, 4, 6, 3, 3)),
    # "same" where TensorFlow's padding is symmetric: torch with explicit padding agrees
    ("max2d-same-k3s1", lambda x: ops.max_pool2d(x, 3, 1, "same"), torch_pool("max", 3, 1, 1), (2, 6, 5, 3)),
    ("avg2d-same-k3s1", lambda x: ops.avg_pool2d(x, 3, 1, "same"), torch_pool("avg", 3, 1, 1), (2, 6, 5, 3)),
    ("max1d-same-k3s1", lambda x: ops.max_pool1d(x, 3, 1, "same"), torch_pool("max", 3, 1, 1), (2, 7, 3)),
    ("avg3d-same-k3s1", lambda x: ops.avg_pool3d(x, 3, 1, "same"), torch_pool("avg", 3, 1, 1), (1, 3, 4, 3, 2)),
    # "same" with all padding at the end (k = s, odd sizes): torch's ceil_mode agrees
    ("max2d-same-end", lambda x: ops.max_pool2d(x, 2, 2, "same"), torch_pool("max", 2, 2, 0, True), (2, 7, 5, 3)),
    ("avg2d-same-end", lambda x: ops.avg_pool2d(x, 2, 2, "same"), torch_pool("avg", 2, 2, 0, True), (2, 7, 5, 3)),
    ("max1d-same-end", lambda x: ops.max_pool1d(x, 3, 3, "same"), torch_pool("max", 3, 3, 0, True), (2, 11, 3)),
    ("avg1d-same-end", lambda x: ops.avg_pool1d(x, 3, 3, "same"), torch_pool("avg", 3, 3, 0, True), (2, 11, 3)),
    ("max2d-same-even", lambda x: ops.max_pool2d(x, 2, 2, "same"), torch_pool("max", 2), (2, 8, 6, 3)),
    # global pooling: torch.amax (ties share) and mean
    ("global-max2d", lambda x: ops.global_max_pool(x), lambda t: t.amax(dim=(1, 2)), (3, 5, 4, 6)),
    ("global-max1d-keep", lambda x: ops.global_max_pool(x, keepdims=True), lambda t: t.amax(dim=1, keepdim=True),
     (3, 7, 2)),
    ("global-avg2d", lambda x: ops.global_avg_pool(x), lambda t: t.mean(dim=(1, 2)), (3, 5, 4, 6)),
    ("global-avg3d-keep", lambda x: ops.global_avg_pool(x, keepdims=True),
     lambda t: t.mean(dim=(1, 2, 3), keepdim=True), (2, 3, 4, 2, 3)),
]


@pytest.mark.parametrize("gn_fn,torch_fn,shape", [c[1:] for c in TORCH_CASES], ids=[c[0] for c in TORCH_CASES])
def test_pooling_matches_torch(gn_fn, torch_fn, shape):
    compare_with_torch(gn_fn, torch_fn, [shape])


@pytest.mark.parametrize("mode,shape,k,s", [
    ("max", (2, 7, 6, 3), 4, 1),        # total padding 3: 1 before, 2 after (asymmetric)
    ("avg", (2, 7, 6, 3), 4, 1),
    ("max", (2, 5, 7, 2), (2, 3), (2, 2)),
    ("avg", (2, 5, 7, 2), (2, 3), (2, 2)),
    ("avg", (2, 9, 2), 4, 3),
    ("max", (1, 5, 4, 3, 2), (3, 2, 2), (2, 1, 2)),
    ("avg", (1, 5, 4, 3, 2), (3, 2, 2), (2, 1, 2)),
    ("max", (2, 5, 5, 2), 2, 3),         # stride > window
    ("avg", (2, 5, 5, 2), 2, 3),
])
def test_same_padding_matches_tensorflow_rules(mode, shape, k, s):
    (x,) = make_inputs([shape], seed=3)
    fn = ops.max_pool if mode == "max" else ops.avg_pool
    t = gn.Tensor(x, requires_grad=True)
    out = fn(t, k, s, padding="same")
    ref_out, w, ref_grad = reference_pool(x, k, s, "same", mode)
    assert out.shape == ref_out.shape and out.dtype == np.float32
    np.testing.assert_allclose(out.data, ref_out, rtol=1e-6, atol=1e-6)
    (out * gn.Tensor(w)).sum().backward()
    assert t.grad.dtype == np.float32
    np.testing.assert_allclose(t.grad, ref_grad, rtol=1e-5, atol=1e-6)


def test_valid_padding_matches_reference_loops():
    (x,) = make_inputs([(2, 7, 8, 3)], seed=4)
    for mode, fn in (("max", ops.max_pool2d), ("avg", ops.avg_pool2d)):
        out = fn(x, (3, 2), (2, 3))
        np.testing.assert_allclose(out.data, reference_pool(x, (3, 2), (2, 3), "valid", mode)[0], rtol=1e-6)


def test_average_same_padding_divides_by_real_elements():
    # a 3x3 window at a corner of a "same"-padded image covers 4 real ones: mean 1, not 4/9
    out = ops.avg_pool2d(np.ones((1, 4, 4, 1), np.float32), 3, 1, padding="same")
    np.testing.assert_array_equal(out.data, np.ones((1, 4, 4, 1), np.float32))


# ----------------------------------------------------------------------------- ties
def test_max_pool_ties_send_gradient_to_first_max_only():
    x = np.zeros((1, 4, 4, 2), np.float32)  # every window is a four-way tie
    t = gn.Tensor(x, requires_grad=True)
    out = ops.max_pool2d(t, 2)
    g = np.arange(1, 9, dtype=np.float32).reshape(out.shape)
    out.backward(g)
    expected = np.zeros_like(x)
    expected[:, ::2, ::2, :] = g  # the top-left element, the first in window order
    np.testing.assert_array_equal(t.grad, expected)


@pytest.mark.parametrize("k,s,padding", [(2, 2, "valid"), (3, 2, "valid"), (3, 1, "same"), (2, 2, "same")])
def test_max_pool_ties_match_torch(k, s, padding):
    # integer values on a few levels: many ties; torch also picks the first maximum
    x = np.random.default_rng(0).integers(0, 3, size=(2, 7, 7, 3)).astype(np.float32)
    if padding == "valid":
        tfn = torch_pool("max", k, s)
    elif k == s:
        tfn = torch_pool("max", k, s, 0, ceil_mode=True)
    else:
        tfn = torch_pool("max", k, s, (k - 1) // 2)
    out = compare_with_torch(lambda a: ops.max_pool2d(a, k, s, padding), tfn, [x])
    # each window's gradient landed on exactly one element: total gradient is conserved
    t = gn.Tensor(x, requires_grad=True)
    ops.max_pool2d(t, k, s, padding).backward(np.ones(out.shape, np.float32))
    assert t.grad.sum() == out.size


# ----------------------------------------------------------------------------- float64 and gradients
@pytest.mark.parametrize("fn,shape", [
    (lambda x: ops.max_pool2d(x, 2), (2, 5, 6, 2)),
    (lambda x: ops.max_pool2d(x, 3, 2, "same"), (2, 5, 6, 2)),
    (lambda x: ops.avg_pool2d(x, 2), (2, 5, 6, 2)),
    (lambda x: ops.avg_pool2d(x, (3, 2), (2, 1), "same"), (2, 5, 6, 2)),
    (lambda x: ops.max_pool1d(x, 3, 1), (2, 7, 3)),
    (lambda x: ops.avg_pool1d(x, 4, 3, "same"), (2, 7, 3)),
    (lambda x: ops.max_pool3d(x, 2, 1), (1, 3, 4, 5, 2)),
    (lambda x: ops.avg_pool3d(x, 2, 2, "same"), (1, 3, 4, 5, 2)),
    (lambda x: ops.global_max_pool(x), (2, 5, 6, 2)),
    (lambda x: ops.global_avg_pool(x, keepdims=True), (2, 7, 3)),
], ids=["max2d", "max2d-same", "avg2d", "avg2d-same", "max1d", "avg1d-same", "max3d", "avg3d-same",
        "global-max", "global-avg"])
def test_pooling_gradients_float64(fn, shape):
    x = np.random.default_rng(1).standard_normal(shape)
    assert fn(gn.Tensor(x, dtype=np.float64)).dtype == np.float64  # float64 in, float64 out: nothing downcasts
    check_gradients(fn, [x])


# ----------------------------------------------------------------------------- errors
def test_pooling_op_errors():
    with pytest.raises(ValueError, match="smaller than pool_size"):
        ops.max_pool2d(np.zeros((1, 3, 5, 1), np.float32), 4)
    with pytest.raises(ValueError, match="rank 4"):
        ops.max_pool2d(np.zeros((3, 5, 1), np.float32), 2)
    with pytest.raises(ValueError, match="padding 'valid' or 'same'"):
        ops.avg_pool2d(np.zeros((1, 4, 4, 1), np.float32), 2, padding="full")
    with pytest.raises(ValueError, match="pool_size"):
        ops.max_pool2d(np.zeros((1, 4, 4, 1), np.float32), (2, 2, 2))
    with pytest.raises(ValueError, match="strides"):
        ops.max_pool1d(np.zeros((1, 4, 1), np.float32), 2, 0)
    with pytest.raises(ValueError, match="rank >= 3"):
        ops.global_avg_pool(np.zeros((4, 3), np.float32))
    # "same" works on inputs smaller than the window
    assert ops.max_pool2d(np.ones((1, 1, 3, 1), np.float32), 2, padding="same").shape == (1, 1, 2, 1)


# ----------------------------------------------------------------------------- layers
POOL_LAYERS = [
    (layers.MaxPooling1D, {}, (2, 9, 3), (2, 4, 3)),
    (layers.MaxPooling1D, {"pool_size": 3, "strides": 1, "padding": "same"}, (2, 7, 3), (2, 7, 3)),
    (layers.MaxPooling2D, {}, (2, 6, 6, 3), (2, 3, 3, 3)),
    (layers.MaxPooling2D, {"pool_size": (3, 3), "strides": (2, 2), "padding": "same"}, (2, 5, 7, 2), (2, 3, 4, 2)),
    (layers.MaxPooling3D, {}, (2, 4, 4, 6, 2), (2, 2, 2, 3, 2)),
    (layers.AveragePooling1D, {"pool_size": 2}, (2, 8, 3), (2, 4, 3)),
    (layers.AveragePooling2D, {"pool_size": 2}, (2, 6, 6, 3), (2, 3, 3, 3)),
    (layers.AveragePooling2D, {"pool_size": 3, "strides": 1, "padding": "SAME"}, (2, 4, 5, 2), (2, 4, 5, 2)),
    (layers.AveragePooling3D, {"pool_size": (1, 2, 2)}, (2, 3, 4, 4, 2), (2, 3, 2, 2, 2)),
    (layers.GlobalMaxPooling1D, {}, (2, 7, 3), (2, 3)),
    (layers.GlobalMaxPooling2D, {}, (2, 5, 4, 3), (2, 3)),
    (layers.GlobalMaxPooling2D, {"keepdims": True}, (2, 5, 4, 3), (2, 1, 1, 3)),
    (layers.GlobalMaxPooling3D, {}, (2, 3, 2, 4, 3), (2, 3)),
    (layers.GlobalAveragePooling1D, {}, (2, 7, 3), (2, 3)),
    (layers.GlobalAveragePooling2D, {}, (2, 5, 4, 3), (2, 3)),
    (layers.GlobalAveragePooling2D, {"keepdims": True}, (2, 5, 4, 3), (2, 1, 1, 3)),
    (layers.GlobalAveragePooling3D, {"keepdims": True}, (2, 3, 2, 4, 3), (2, 1, 1, 1, 3)),
]


@pytest.mark.parametrize("cls,kwargs,in_shape,out_shape", POOL_LAYERS,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(POOL_LAYERS)])
def test_pooling_layers(cls, kwargs, in_shape, out_shape):
    layer_test(cls, kwargs, in_shape, out_shape, expected_num_weights=0, expected_params=0, train=False)


def test_pooling_layer_shape_errors_and_config():
    layer = layers.MaxPooling2D(2, name="pool")
    with pytest.raises(ValueError, match=r"MaxPooling2D 'pool' expects input of rank 4 \(batch, height, "
                                         r"width, channels\), received shape \(2, 8, 3\)"):
        layer(np.zeros((2, 8, 3), np.float32))
    with pytest.raises(ValueError, match="smaller than pool_size"):
        layers.MaxPooling2D(3)(np.zeros((1, 2, 8, 1), np.float32))
    with pytest.raises(ValueError, match="smaller than pool_size"):
        layers.AveragePooling1D(5)(layers.Input((4, 2)))
    with pytest.raises(ValueError, match="channels_last"):
        layers.MaxPooling2D(data_format="channels_first")
    with pytest.raises(ValueError, match="pool_size"):
        layers.MaxPooling2D(pool_size=0)
    with pytest.raises(ValueError, match="padding"):
        layers.AveragePooling2D(padding="causal")
    with pytest.raises(ValueError, match="rank 3"):
        layers.GlobalAveragePooling1D()(np.zeros((2, 4, 4, 3), np.float32))
    assert layers.MaxPooling2D(2, 1).compute_output_shape((None, 5, 5, 3)) == (None, 4, 4, 3)
    assert layers.MaxPooling2D(2, padding="same").compute_output_shape((None, None, 5, 3)) == (None, None, 3, 3)
    assert layers.GlobalMaxPooling2D().compute_output_shape((None, 5, 5, 3)) == (None, 3)
    config = layers.AveragePooling2D((3, 2), padding="same", name="p").get_config()
    assert config["pool_size"] == [3, 2] and config["strides"] == [3, 2] and config["padding"] == "same"
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert gn.layers.get_layer_class("MaxPooling3D") is layers.MaxPooling3D


def test_pooling_trains_inside_a_model():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 6, 6, 2)).astype(np.float32)
    y = rng.standard_normal((16, 3)).astype(np.float32)
    model = gn.Sequential([layers.Input((6, 6, 2)), layers.MaxPooling2D(2), layers.AveragePooling2D(3, 1, "same"),
                           layers.Flatten(), layers.Dense(3)])
    model.compile(optimizer=gn.optimizers.SGD(0.05), loss="mse")
    losses = [model.train_on_batch(x, y) for _ in range(20)]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]


def test_pool_output_shape_helper():
    # valid: (n - k) // s + 1; same: ceil(n / s), TF splits the padding with the extra at the end
    assert ops.pool_output_shape((28, 27), (2, 3), (2, 2), "valid") == ((14, 13), ((0, 0), (0, 0)))
    assert ops.pool_output_shape((7, 6), (4, 2), (1, 2), "same") == ((7, 3), ((1, 2), (0, 0)))
    assert ops.pool_output_shape((None, 5), (2, 2), (2, 2), "same") == ((None, 3), ((0, 0), (0, 1)))
