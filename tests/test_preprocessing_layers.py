"""Preprocessing and augmentation layers (issue 13): Rescaling, Normalization (adapt), Resizing,
CenterCrop, RandomFlip, RandomRotation, RandomTranslation, RandomZoom, RandomContrast.

Geometry is checked against NumPy's own flips, rotations and slices; resizing against PyTorch's
bilinear interpolation (the same half-pixel convention as ``tf.image.resize``); gradients through
the sampler against finite differences; the statistics of ``adapt`` against ``np.mean``/``np.var``;
the random layers for being the identity outside training and random per image in training.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.testing import check_layer_gradients
from layer_harness import layer_test

F32 = np.float32


def images(n=2, h=6, w=6, c=3, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (n, h, w, c)).astype(F32)


def train(layer, x):
    return layer(x, training=True).numpy()


# ============================================================================ Rescaling
def test_rescaling_values_channels_and_integer_pixels():
    pixels = np.array([[[[0, 255, 51]]]], dtype=np.uint8)
    out = layers.Rescaling(1 / 127.5, offset=-1.0)(pixels)
    assert out.dtype == F32
    np.testing.assert_allclose(out.numpy(), [[[[-1.0, 1.0, -0.6]]]], rtol=1e-6)
    per_channel = layers.Rescaling([1.0, 2.0, 3.0], offset=[0.0, 0.0, 10.0])(np.ones((2, 3), F32))
    np.testing.assert_array_equal(per_channel.numpy(), [[1.0, 2.0, 13.0]] * 2)
    with pytest.raises(ValueError, match="Rescaling 'r': expected scale"):
        layers.Rescaling("big", name="r")


def test_rescaling_passes_the_layer_harness():
    layer_test(layers.Rescaling, {"scale": 0.5, "offset": 1.0}, (2, 4, 3), (2, 4, 3), expected_num_weights=0)
    gn.backend.set_floatx("float64")
    try:
        check_layer_gradients(layers.Rescaling([2.0, -1.0, 0.5]), np.random.default_rng(0).standard_normal((2, 3)))
    finally:
        gn.backend.set_floatx("float32")


# ============================================================================ Normalization
def test_normalization_adapt_learns_per_channel_mean_and_variance():
    x = images(5, 4, 4, 3) * np.array([1.0, 10.0, 100.0], F32) + np.array([0.0, -5.0, 7.0], F32)
    layer = layers.Normalization()
    layer.adapt(x)
    np.testing.assert_allclose(layer.mean.numpy(), x.reshape(-1, 3).mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(layer.variance.numpy(), x.reshape(-1, 3).var(axis=0), rtol=1e-5)
    out = layer(x).numpy()
    np.testing.assert_allclose(out.reshape(-1, 3).mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.reshape(-1, 3).std(axis=0), 1.0, rtol=1e-4)
    assert [w.name for w in layer.non_trainable_weights] == [f"{layer.name}/mean", f"{layer.name}/variance"]
    assert layer.trainable_weights == []


def test_normalization_adapt_in_batches_equals_one_pass_and_other_axes():
    x = np.random.default_rng(1).standard_normal((50, 4, 2)) * 3 + 1
    whole, batched = layers.Normalization(axis=(1, 2)), layers.Normalization(axis=(1, 2))
    whole.adapt(x)
    batched.adapt(iter([x[:7], x[7:30], x[30:]]))  # uneven batches, a generator
    np.testing.assert_allclose(batched.mean.numpy(), x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(batched.variance.numpy(), x.var(axis=0), rtol=1e-5)
    np.testing.assert_allclose(batched.variance.numpy(), whole.variance.numpy(), rtol=1e-6)
    scalar = layers.Normalization(axis=None)
    scalar.adapt(x)
    assert scalar.mean.shape == () and float(scalar.variance.numpy()) == pytest.approx(x.var(), rel=1e-5)
    limited = layers.Normalization(axis=None)
    limited.adapt(iter([x[:10], x[10:]]), steps=1)
    assert float(limited.mean.numpy()) == pytest.approx(x[:10].mean(), rel=1e-5)


def test_normalization_given_statistics_invert_and_constant_features():
    layer = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.0])
    out = layer(np.array([[3.0, 2.0], [1.0, 2.0]], F32)).numpy()
    np.testing.assert_allclose(out, [[1.0, 0.0], [0.0, 0.0]])       # variance 0: no division by zero
    assert layer.weights == []                                       # given statistics live in the config
    back = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    np.testing.assert_allclose(back(np.array([[1.0, -1.0]], F32)).numpy(), [[3.0, -1.0]])
    x = images(3, 2, 2, 3)
    there = layers.Normalization()
    there.adapt(x)
    again = layers.Normalization(mean=there.mean.numpy(), variance=there.variance.numpy(), invert=True)
    np.testing.assert_allclose(again(there(x)).numpy(), x, rtol=1e-5, atol=1e-6)


def test_normalization_errors_name_the_layer():
    with pytest.raises(ValueError, match="'n': give both mean and variance"):
        layers.Normalization(mean=1.0, name="n")
    with pytest.raises(ValueError, match="'n2'.adapt: the layer was given mean and variance"):
        layers.Normalization(mean=1.0, variance=1.0, name="n2").adapt(np.ones((2, 1)))
    adapted = layers.Normalization(name="n3")
    adapted.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"'n3'.adapt: expected data of shape .*3.*received shape \(4, 5\)"):
        adapted.adapt(np.ones((4, 5)))
    with pytest.raises(ValueError, match="'n4': expected mean of a shape that broadcasts to \\(3,\\)"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 1.0], name="n4")(np.ones((2, 3), F32))
    with pytest.raises(ValueError, match="axis 0 is the batch axis"):
        layers.Normalization(axis=0)


def test_normalization_passes_the_layer_harness():
    layer_test(layers.Normalization, {"mean": [0.5, -1.0, 2.0], "variance": [4.0, 1.0, 0.25]}, (3, 2, 3), (3, 2, 3))
    layer_test(layers.Normalization, {"axis": None}, (3, 4), (3, 4), expected_num_weights=2,
               expected_num_trainable=0)


def test_adapted_normalization_is_saved_and_loaded_as_weights(tmp_path):
    gn.backend.clear_session()
    x = images(8, 4, 4, 3) * 50 + 3
    norm = layers.Normalization()
    norm.adapt(x)
    model = gn.Sequential([layers.Input((4, 4, 3)), norm, layers.Flatten(), layers.Dense(2)])
    model.save(tmp_path / "norm.glassnet")
    loaded = gn.load_model(tmp_path / "norm.glassnet")
    np.testing.assert_array_equal(loaded.layers[0].mean.numpy(), norm.mean.numpy())
    np.testing.assert_array_equal(loaded.layers[0].variance.numpy(), norm.variance.numpy())
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[0].mean.numpy()[0] != 0.0


# ============================================================================ Resizing, CenterCrop
def test_resizing_matches_torch_bilinear_and_nearest_upsampling():
    torch = pytest.importorskip("torch")
    x = images(2, 5, 7, 3)
    as_torch = torch.tensor(x).permute(0, 3, 1, 2)
    for size in [(10, 14), (3, 4), (8, 5)]:
        expected = torch.nn.functional.interpolate(as_torch, size=size, mode="bilinear", align_corners=False)
        got = layers.Resizing(*size)(x).numpy()
        np.testing.assert_allclose(got, expected.permute(0, 2, 3, 1).numpy(), rtol=1e-5, atol=1e-6)
    nearest = layers.Resizing(10, 14, interpolation="nearest")(x).numpy()
    np.testing.assert_array_equal(nearest, x.repeat(2, axis=1).repeat(2, axis=2))
    np.testing.assert_array_equal(layers.Resizing(5, 7)(x).numpy(), x)  # same size: unchanged


def test_resizing_crop_to_aspect_ratio_and_unbatched_images():
    x = images(1, 4, 8, 2)
    cropped = layers.Resizing(4, 4, crop_to_aspect_ratio=True)(x).numpy()
    np.testing.assert_array_equal(cropped, x[:, :, 2:6])     # the centred 4 x 4 window, not squashed
    squashed = layers.Resizing(4, 4)(x).numpy()
    assert not np.allclose(squashed, cropped)
    single = layers.Resizing(2, 4)(x[0])
    assert single.shape == (2, 4, 2)
    with pytest.raises(ValueError, match=r"Resizing 'rs': expected images .* received shape \(4, 8\)"):
        layers.Resizing(2, 2, name="rs")(x[0, :, :, 0])
    with pytest.raises(ValueError, match="expected interpolation in"):
        layers.Resizing(2, 2, interpolation="bicubic")
    with pytest.raises(ValueError, match="expected height to be a positive int"):
        layers.Resizing(0, 2)


def test_center_crop_slices_the_centre_and_passes_gradients():
    x = images(2, 7, 6, 3)
    np.testing.assert_array_equal(layers.CenterCrop(3, 4)(x).numpy(), x[:, 2:5, 1:5])
    layer_test(layers.CenterCrop, {"height": 3, "width": 2}, (2, 5, 6, 2), (2, 3, 2, 2))
    small = layers.CenterCrop(8, 4)(x)   # taller than the input: resized, as Keras does
    assert small.shape == (2, 8, 4, 3)
    assert layers.CenterCrop(3, 3).compute_output_shape((None, 9, 9, 1)) == (None, 3, 3, 1)


# ============================================================================ random layers
RANDOM_LAYERS = [
    (layers.RandomFlip, {}),
    (layers.RandomRotation, {"factor": 0.2}),
    (layers.RandomTranslation, {"height_factor": 0.2, "width_factor": 0.3}),
    (layers.RandomZoom, {"height_factor": 0.3}),
    (layers.RandomContrast, {"factor": 0.5, "value_range": [0, 1]}),
]
RANDOM_IDS = [cls.__name__ for cls, _ in RANDOM_LAYERS]


@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS, ids=RANDOM_IDS)
def test_random_layers_are_the_identity_outside_training_and_random_in_it(cls, kwargs):
    x = images(16, 8, 8, 3)
    layer = cls(seed=1, **kwargs)
    np.testing.assert_array_equal(layer(x).numpy(), x)                  # a bare call: inference
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    first, second = train(layer, x), train(layer, x)
    assert first.shape == x.shape and first.dtype == F32
    assert not np.array_equal(first, x) and not np.array_equal(first, second)   # new draws each call
    changed = [not np.allclose(first[i], x[i]) for i in range(len(x))]
    assert any(changed) and len({round(float(np.abs(first[i] - x[i]).sum()), 4) for i in range(len(x))}) > 2
    np.testing.assert_array_equal(train(cls(seed=1, **kwargs), x), first)      # a seed repeats the stream
    model = gn.Sequential([layers.Input((8, 8, 3)), cls(seed=1, **kwargs)])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)


@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS, ids=RANDOM_IDS)
def test_random_layer_configs_round_trip_and_are_registered(cls, kwargs):
    layer = cls(seed=3, name="aug", **kwargs)
    config = json.loads(json.dumps(layer.get_config()))
    again = gn.layers.deserialize({"class_name": cls.__name__, "config": config})
    assert type(again) is cls and again.get_config() == config
    x = images(4)
    np.testing.assert_array_equal(train(again, x), train(cls(seed=3, **kwargs), x))


def test_random_flip_gives_each_image_a_flip_of_its_own():
    x = images(64, 4, 5, 2)
    out = train(layers.RandomFlip(seed=0), x)
    kinds = []
    for o, i in zip(out, x):
        options = [i, np.flip(i, 1), np.flip(i, 0), np.flip(np.flip(i, 0), 1)]
        matches = [k for k, option in enumerate(options) if np.array_equal(o, option)]
        assert matches, "an output is none of the four flips"
        kinds.append(matches[0])
    assert set(kinds) == {0, 1, 2, 3}
    horizontal = train(layers.RandomFlip("horizontal", seed=0), x)
    assert all(np.array_equal(o, i) or np.array_equal(o, np.flip(i, 1)) for o, i in zip(horizontal, x))
    assert not all(np.array_equal(o, i) for o, i in zip(horizontal, x))
    with pytest.raises(ValueError, match="RandomFlip 'f': expected mode in"):
        layers.RandomFlip("diagonal", name="f")


@pytest.mark.parametrize("turns, k", [(0.25, 1), (-0.25, -1), (0.5, 2), (0.0, 0)])
def test_rotation_by_quarter_turns_equals_rot90(turns, k):
    x = images(3, 7, 7, 2)
    out = train(layers.RandomRotation((turns, turns)), x)
    np.testing.assert_allclose(out, np.rot90(x, k, axes=(1, 2)), atol=1e-5)
    nearest = train(layers.RandomRotation((turns, turns), interpolation="nearest"), x)
    np.testing.assert_array_equal(nearest, np.rot90(x, k, axes=(1, 2)))


def test_rotation_fills_the_corners_by_fill_mode():
    x = np.ones((1, 9, 9, 1), F32)
    out = train(layers.RandomRotation((0.125, 0.125), fill_mode="constant", fill_value=-1.0), x)[0, :, :, 0]
    assert out[0, 0] == -1.0 and out[4, 4] == pytest.approx(1.0)     # a corner leaves the image at 45 degrees
    reflected = train(layers.RandomRotation((0.125, 0.125)), x)
    np.testing.assert_allclose(reflected, x, atol=1e-6)              # reflect: a constant image stays constant


@pytest.mark.parametrize("fill_mode, rows", [("constant", None), ("reflect", [1, 0]), ("wrap", [8, 9]),
                                             ("nearest", [0, 0])])
def test_translation_by_whole_pixels_shifts_the_array(fill_mode, rows):
    x = images(2, 10, 10, 3)
    out = train(layers.RandomTranslation((0.2, 0.2), 0.0, fill_mode=fill_mode, fill_value=0.5), x)
    np.testing.assert_allclose(out[:, 2:], x[:, :-2], atol=1e-6)       # two rows down
    expected_top = np.full_like(x[:, :2], 0.5) if rows is None else x[:, rows]
    np.testing.assert_allclose(out[:, :2], expected_top, atol=1e-6)
    left = train(layers.RandomTranslation(0.0, (-0.3, -0.3), fill_mode="constant"), x)
    np.testing.assert_allclose(left[:, :, :7], x[:, :, 3:], atol=1e-6)  # three columns left
    np.testing.assert_array_equal(left[:, :, 7:], 0.0)
    with pytest.raises(ValueError, match=r"within \[-1.0, 1.0\]"):
        layers.RandomTranslation(1.5, 0.1)


def test_zoom_of_one_is_the_identity_and_zoom_out_samples_every_other_pixel():
    x = images(2, 5, 5, 1)
    np.testing.assert_allclose(train(layers.RandomZoom(0.0), x), x, atol=1e-6)
    out = train(layers.RandomZoom((1.0, 1.0), fill_mode="constant", fill_value=-1.0), x)  # zoom out x2
    np.testing.assert_allclose(out[:, 1:4, 1:4], x[:, ::2, ::2], atol=1e-6)
    assert (out[:, 0] == -1.0).all() and (out[:, :, 4] == -1.0).all()
    wide = train(layers.RandomZoom((0.0, 0.0), width_factor=(1.0, 1.0), fill_mode="constant"), x)
    np.testing.assert_allclose(wide[:, :, 1:4], x[:, :, ::2], atol=1e-6)   # across only
    with pytest.raises(ValueError, match="above -1"):
        layers.RandomZoom((-1.0, 0.0))


def test_contrast_keeps_each_channel_mean_and_scales_the_deviations():
    x = images(8, 4, 4, 3) * 100 + 50
    out = train(layers.RandomContrast(0.5, seed=2), x)
    np.testing.assert_allclose(out.mean(axis=(1, 2)), x.mean(axis=(1, 2)), rtol=1e-5)
    ratio = (out - x.mean(axis=(1, 2), keepdims=True)) / (x - x.mean(axis=(1, 2), keepdims=True))
    per_image = ratio.reshape(8, -1)
    np.testing.assert_allclose(per_image, np.broadcast_to(per_image[:, :1], per_image.shape), rtol=1e-3)
    assert ((per_image[:, 0] >= 0.5) & (per_image[:, 0] <= 1.5)).all() and np.ptp(per_image[:, 0]) > 0.05
    clipped = train(layers.RandomContrast((0.0, 1.0), value_range=(0, 1), seed=0), images(4))
    assert clipped.min() >= 0.0 and clipped.max() <= 1.0
    with pytest.raises(ValueError, match="lower in \\[0, 1\\]"):
        layers.RandomContrast(1.5)


def test_augmentation_runs_in_fit_and_a_model_with_every_layer_saves(tmp_path):
    gn.backend.clear_session()
    gn.utils.set_random_seed(0)
    x = (images(16, 12, 12, 3) * 255).astype(np.uint8)
    y = np.arange(16) % 2
    norm = layers.Normalization()
    norm.adapt(x.astype(F32) / 255)
    model = gn.Sequential([
        layers.Input((12, 12, 3)), layers.Rescaling(1 / 255), norm, layers.Resizing(10, 10),
        layers.CenterCrop(8, 8), layers.RandomFlip(), layers.RandomRotation(0.1), layers.RandomTranslation(0.1, 0.1),
        layers.RandomZoom(0.1), layers.RandomContrast(0.2, value_range=(-5, 5)),
        layers.Conv2D(4, 3, activation="gelu"), layers.GlobalAveragePooling2D(), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    model.save(tmp_path / "aug.glassnet")
    loaded = gn.load_model(tmp_path / "aug.glassnet")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]


def test_augmentation_runs_on_the_device():
    from device_double import DeviceArray, on_fake_device, to_device
    x = images(3, 6, 6, 2)
    for cls, kwargs in RANDOM_LAYERS + [(layers.Resizing, {"height": 4, "width": 9})]:
        host = cls(seed=5, **kwargs) if cls is not layers.Resizing else cls(**kwargs)
        expected = host(x, training=True).numpy()
        with on_fake_device():
            layer = cls(seed=5, **kwargs) if cls is not layers.Resizing else cls(**kwargs)
            out = layer(gn.Tensor(to_device(x)), training=True)
            assert type(out.data) is DeviceArray, cls.__name__
        np.testing.assert_allclose(out.data.get(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["glassnet.layers.preprocessing", "glassnet.layers.preprocessing.affine",
                                  "glassnet.layers.preprocessing.numerical", "glassnet.layers.preprocessing.sizing",
                                  "glassnet.layers.preprocessing.augmentation"])
def test_docstring_examples_of_the_preprocessing_layers_run(name):
    import doctest
    import importlib
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(module, name, globs=dict(vars(module))):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0


GRADIENT_CASES = [  # fixed amounts (lower == upper), so every forward pass is the same function
    (layers.Resizing, {"height": 5, "width": 9}),
    (layers.Resizing, {"height": 3, "width": 4, "interpolation": "nearest"}),
    (layers.Resizing, {"height": 4, "width": 4, "crop_to_aspect_ratio": True}),
    (layers.CenterCrop, {"height": 8, "width": 3}),          # taller than the input: the resize path
    (layers.RandomRotation, {"factor": (0.07, 0.07)}),
    (layers.RandomRotation, {"factor": (0.1, 0.1), "fill_mode": "constant", "fill_value": 0.5}),
    (layers.RandomTranslation, {"height_factor": (0.15, 0.15), "width_factor": (-0.3, -0.3), "fill_mode": "wrap"}),
    (layers.RandomZoom, {"height_factor": (0.3, 0.3), "width_factor": (-0.2, -0.2), "fill_mode": "nearest"}),
    (layers.RandomContrast, {"factor": (0.5, -0.5)}),
]


@pytest.mark.parametrize("cls, kwargs", GRADIENT_CASES, ids=[f"{c.__name__}-{i}" for i, (c, _) in
                                                             enumerate(GRADIENT_CASES)])
def test_gradients_flow_back_through_the_image_layers(cls, kwargs):
    """The sampler's backward scatters each output's gradient to the pixels it read, with the
    same weights: checked against finite differences in float64."""
    gn.backend.set_floatx("float64")
    try:
        layer = cls(**kwargs)
        x = np.random.default_rng(4).uniform(0.2, 0.8, (2, 6, 5, 2))
        check_layer_gradients(layer, x, training=True)
        check_layer_gradients(layer, x[0], training=True)    # one image, no batch axis
    finally:
        gn.backend.set_floatx("float32")


def test_the_sampler_backward_adds_up_where_pixels_are_read_twice():
    from glassnet.layers.preprocessing.affine import affine_sample
    x = gn.Tensor(np.arange(4.0).reshape(1, 1, 4, 1), requires_grad=True, dtype=np.float64)
    # nearest upsampling 4 -> 8 reads each pixel twice; bilinear reads at half-pixel positions
    affine_sample(x, np.array([[[0.5, 0.0, -0.25], [0.0, 1.0, 0.0]]]), (1, 8), interpolation="nearest").sum().backward()
    np.testing.assert_array_equal(x.grad.ravel(), [2.0, 2.0, 2.0, 2.0])


def test_the_sampler_gradient_runs_on_the_device():
    from device_double import DeviceArray, on_fake_device, to_device
    x = images(2, 5, 7, 3)
    w = np.random.default_rng(1).standard_normal((2, 4, 9, 3)).astype(F32)

    def grad(place):
        t = gn.Tensor(place(x), requires_grad=True)
        (layers.Resizing(4, 9)(t) * gn.Tensor(place(w))).sum().backward()
        return t.grad

    expected = grad(lambda a: a)
    with on_fake_device():
        got = grad(to_device)
        assert type(got) is DeviceArray
    np.testing.assert_allclose(got.get(), expected, rtol=1e-6, atol=1e-6)
