"""Upsampling ops and the reshaping layers: against NumPy references and PyTorch, float64
gradient checks, the layer harness and shape errors."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, ops
from glassnet.testing import check_gradients
from helpers import compare_with_torch, make_inputs
from layer_harness import layer_test

torch = pytest.importorskip("torch")
F = torch.nn.functional


def channels_first(fn):
    """Wrap a torch function of (N, C, ...) tensors to take and return channels-last tensors."""
    def wrapped(x):
        first = x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))
        y = fn(first)
        return y.permute(0, *range(2, y.ndim), 1)
    return wrapped


# ----------------------------------------------------------------------------- upsampling ops
@pytest.mark.parametrize("shape,size", [((2, 5, 3), (3,)), ((2, 3, 4, 2), (2, 2)), ((2, 3, 4, 2), (1, 3)),
                                        ((1, 2, 3, 2, 2), (2, 1, 3))])
def test_upsample_nearest_matches_numpy_repeat_and_torch(shape, size):
    (x,) = make_inputs([shape])
    expected = x
    for axis, f in enumerate(size, start=1):
        expected = np.repeat(expected, f, axis=axis)
    out = compare_with_torch(lambda a: ops.upsample_nearest(a, size),
                             channels_first(lambda t: F.interpolate(t, scale_factor=size, mode="nearest")), [shape])
    np.testing.assert_array_equal(out.data, expected)


@pytest.mark.parametrize("shape,size", [((2, 3, 4, 2), (2, 2)), ((2, 4, 3, 3), (3, 2)), ((1, 1, 5, 2), (2, 3))])
def test_upsample_bilinear_matches_torch(shape, size):
    compare_with_torch(lambda a: ops.upsample_bilinear(a, size),
                       channels_first(lambda t: F.interpolate(t, scale_factor=size, mode="bilinear",
                                                              align_corners=False)),
                       [shape])


def test_upsample_bilinear_keeps_constants_and_interpolates_between_pixels():
    const = ops.upsample_bilinear(np.full((1, 2, 2, 1), 3.0, np.float32), 2)
    np.testing.assert_allclose(const.data, 3.0)
    ramp = ops.upsample_bilinear(np.array([0.0, 4.0], np.float32).reshape(1, 1, 2, 1), (1, 2))
    np.testing.assert_allclose(ramp.data.ravel(), [0.0, 1.0, 3.0, 4.0])  # half-pixel centres, edges held


@pytest.mark.parametrize("fn,shape", [
    (lambda x: ops.upsample_nearest(x, (2, 3)), (2, 3, 2, 2)),
    (lambda x: ops.upsample_nearest(x, 2), (2, 4, 3)),
    (lambda x: ops.upsample_bilinear(x, (2, 3)), (2, 3, 4, 2)),
    (lambda x: ops.upsample_bilinear(x, 3), (1, 2, 2, 2, 2)),
], ids=["nearest2d", "nearest1d", "bilinear2d", "trilinear"])
def test_upsample_gradients_float64(fn, shape):
    x = np.random.default_rng(2).standard_normal(shape)
    assert fn(gn.Tensor(x, dtype=np.float64)).dtype == np.float64
    check_gradients(fn, [x])


def test_upsample_errors():
    with pytest.raises(ValueError, match="rank >= 3"):
        ops.upsample_nearest(np.zeros((2, 3), np.float32), 2)
    with pytest.raises(ValueError, match="size"):
        ops.upsample_nearest(np.zeros((1, 2, 2, 1), np.float32), (2, 0))
    with pytest.raises(ValueError, match="interpolation"):
        ops.upsample(np.zeros((1, 2, 2, 1), np.float32), 2, interpolation="bicubic")


# ----------------------------------------------------------------------------- layers vs references
def test_upsampling2d_layer_values():
    x = np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2)
    out = layers.UpSampling2D((2, 3))(x)
    np.testing.assert_array_equal(out.data, np.repeat(np.repeat(x, 2, axis=1), 3, axis=2))
    bil = layers.UpSampling2D(2, interpolation="bilinear")(x)
    t = torch.tensor(x).permute(0, 3, 1, 2)
    ref = F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(bil.data, ref, rtol=1e-6, atol=1e-6)


def test_zero_padding_and_cropping_layer_values():
    (x,) = make_inputs([(2, 4, 5, 3)])
    padded = layers.ZeroPadding2D(((1, 2), (0, 3)))(x)
    np.testing.assert_array_equal(padded.data, np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0))))
    ref = F.pad(torch.tensor(x), (0, 0, 0, 3, 1, 2)).numpy()  # F.pad lists the last axis first
    np.testing.assert_array_equal(padded.data, ref)
    np.testing.assert_array_equal(layers.ZeroPadding2D(1)(x).data, np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))))
    np.testing.assert_array_equal(layers.ZeroPadding2D((2, 1))(x).data, np.pad(x, ((0, 0), (2, 2), (1, 1), (0, 0))))
    cropped = layers.Cropping2D(((1, 0), (2, 1)))(x)
    np.testing.assert_array_equal(cropped.data, x[:, 1:, 2:-1, :])
    np.testing.assert_array_equal(layers.Cropping2D(1)(x).data, x[:, 1:-1, 1:-1, :])
    # cropping undoes padding
    np.testing.assert_array_equal(layers.Cropping2D(((1, 2), (0, 3)))(padded).data, x)
    (s,) = make_inputs([(2, 6, 3)])
    np.testing.assert_array_equal(layers.ZeroPadding1D((2, 1))(s).data, np.pad(s, ((0, 0), (2, 1), (0, 0))))
    np.testing.assert_array_equal(layers.Cropping1D((2, 1))(s).data, s[:, 2:-1])


def test_padding_and_cropping_gradients_match_torch():
    compare_with_torch(lambda a: layers.ZeroPadding2D(((1, 2), (0, 3)))(a),
                       lambda t: F.pad(t, (0, 0, 0, 3, 1, 2)), [(2, 4, 5, 3)])
    compare_with_torch(lambda a: layers.Cropping2D(((1, 0), (2, 1)))(a),
                       lambda t: t[:, 1:, 2:-1, :], [(2, 4, 5, 3)])


def test_permute_and_repeat_vector_values():
    (x,) = make_inputs([(2, 3, 4, 5)])
    np.testing.assert_array_equal(layers.Permute((3, 1, 2))(x).data, x.transpose(0, 3, 1, 2))
    (v,) = make_inputs([(2, 5)])
    out = compare_with_torch(lambda a: layers.RepeatVector(3)(a), lambda t: t[:, None, :].expand(2, 3, 5).contiguous(),
                             [(2, 5)])
    np.testing.assert_array_equal(out.data, np.repeat(v[:, None, :], 3, axis=1))
    assert out.data.flags.writeable


# ----------------------------------------------------------------------------- layer harness
RESHAPING_LAYERS = [
    (layers.UpSampling1D, {"size": 3}, (2, 4, 3), (2, 12, 3)),
    (layers.UpSampling2D, {}, (2, 3, 4, 2), (2, 6, 8, 2)),
    (layers.UpSampling2D, {"size": (1, 3), "interpolation": "bilinear"}, (2, 3, 4, 2), (2, 3, 12, 2)),
    (layers.UpSampling3D, {"size": 2}, (1, 2, 3, 2, 2), (1, 4, 6, 4, 2)),
    (layers.ZeroPadding1D, {"padding": (1, 2)}, (2, 4, 3), (2, 7, 3)),
    (layers.ZeroPadding2D, {}, (2, 3, 4, 2), (2, 5, 6, 2)),
    (layers.ZeroPadding2D, {"padding": ((1, 0), (2, 3))}, (2, 3, 4, 2), (2, 4, 9, 2)),
    (layers.ZeroPadding3D, {"padding": (1, 0, 2)}, (1, 2, 3, 2, 2), (1, 4, 3, 6, 2)),
    (layers.Cropping1D, {}, (2, 5, 3), (2, 3, 3)),
    (layers.Cropping2D, {"cropping": ((1, 0), (0, 2))}, (2, 4, 5, 2), (2, 3, 3, 2)),
    (layers.Cropping2D, {"cropping": 1}, (2, 4, 5, 2), (2, 2, 3, 2)),
    (layers.Cropping3D, {"cropping": (1, 0, 1)}, (1, 3, 2, 4, 2), (1, 1, 2, 2, 2)),
    (layers.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    (layers.Permute, {"dims": (3, 1, 2)}, (2, 3, 4, 5), (2, 5, 3, 4)),
    (layers.RepeatVector, {"n": 4}, (3, 5), (3, 4, 5)),
]


@pytest.mark.parametrize("cls,kwargs,in_shape,out_shape", RESHAPING_LAYERS,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(RESHAPING_LAYERS)])
def test_reshaping_layers(cls, kwargs, in_shape, out_shape):
    layer_test(cls, kwargs, in_shape, out_shape, expected_num_weights=0, expected_params=0, train=False)


def test_reshaping_layers_train_inside_a_model():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 4, 4, 2)).astype(np.float32)
    y = rng.standard_normal((8, 6)).astype(np.float32)
    model = gn.Sequential([layers.Input((4, 4, 2)), layers.UpSampling2D(2), layers.Cropping2D(1),
                           layers.ZeroPadding2D(1), layers.MaxPooling2D(4), layers.Flatten(),
                           layers.RepeatVector(2), layers.Permute((2, 1)), layers.Flatten(), layers.Dense(6)])
    assert model.layers[-1].kernel.shape == (16, 6)
    model.compile(optimizer=gn.optimizers.SGD(0.05), loss="mse")
    losses = [model.train_on_batch(x, y) for _ in range(15)]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]


def test_reshaping_layer_errors():
    with pytest.raises(ValueError, match=r"UpSampling2D 'up' expects input of rank 4 \(batch, height, width, "
                                         r"channels\), received shape \(2, 3, 4\)"):
        layers.UpSampling2D(name="up")(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match="channels_last"):
        layers.ZeroPadding2D(data_format="channels_first")
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding2D(((1, 2, 3), (0, 0)))
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding2D(-1)
    with pytest.raises(ValueError, match="removes all"):
        layers.Cropping2D(((2, 2), (0, 0)))(np.zeros((1, 4, 4, 1), np.float32))
    with pytest.raises(ValueError, match="removes all"):
        layers.Cropping1D((3, 3))(layers.Input((5, 2)))
    with pytest.raises(ValueError, match="permutation"):
        layers.Permute((1, 3))
    with pytest.raises(ValueError, match="rank 3"):
        layers.Permute((2, 1))(np.zeros((2, 3, 4, 5), np.float32))
    with pytest.raises(ValueError, match="rank 2"):
        layers.RepeatVector(2)(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="positive int"):
        layers.RepeatVector(0)
    assert layers.ZeroPadding2D(((1, 0), (2, 3))).compute_output_shape((None, None, 4, 2)) == (None, None, 9, 2)
    assert layers.UpSampling2D(3).compute_output_shape((None, 5, None, 2)) == (None, 15, None, 2)
    assert layers.ZeroPadding2D(2).get_config()["padding"] == [[2, 2], [2, 2]]
    assert layers.Cropping1D((1, 2)).get_config()["cropping"] == [1, 2]
    assert gn.layers.get_layer_class("RepeatVector") is layers.RepeatVector
