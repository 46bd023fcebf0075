"""Keras 2's ``ImageDataGenerator`` (``glassnet.preprocessing.image``) and ``fit`` fed by
generators, Sequences and ``PyDataset``s (``glassnet.models.data_sources``).

The geometric transforms are checked pixel for pixel against Keras's own (legacy)
``ImageDataGenerator.apply_transform`` where Keras is installed.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.preprocessing.image import ImageDataGenerator, NumpyArrayIterator
from glassnet.utils import PyDataset, Sequence
from helpers import import_keras_on_torch


@pytest.fixture(scope="module")
def keras_idg():
    import_keras_on_torch()
    pytest.importorskip("scipy")
    from keras._tf_keras.keras.preprocessing.image import ImageDataGenerator as KerasIDG
    return KerasIDG


TRANSFORMS = [dict(theta=30.0), dict(tx=2.0, ty=-3.0), dict(shear=10.0), dict(zx=0.8, zy=1.2),
              dict(flip_horizontal=True), dict(flip_vertical=True),
              dict(theta=17.0, tx=1.5, ty=-2.0, shear=8.0, zx=0.9, zy=1.1, flip_horizontal=True)]


@pytest.mark.parametrize("params", TRANSFORMS)
@pytest.mark.parametrize("fill_mode", ["nearest", "reflect"])
def test_apply_transform_matches_keras(keras_idg, params, fill_mode):
    image = np.random.default_rng(0).random((11, 11, 3)).astype("float32")
    expected = keras_idg(fill_mode=fill_mode).apply_transform(image.copy(), params)
    got = ImageDataGenerator(fill_mode=fill_mode).apply_transform(image.copy(), params)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_shift_and_flip_move_pixels_where_expected():
    image = np.zeros((5, 5, 1), "float32")
    image[2, 3, 0] = 1.0
    gen = ImageDataGenerator(fill_mode="constant")
    assert np.argwhere(gen.apply_transform(image, {"tx": 1.0})[..., 0] > 0.5).tolist() == [[2, 2]]
    assert np.argwhere(gen.apply_transform(image, {"ty": 1.0})[..., 0] > 0.5).tolist() == [[1, 3]]
    assert np.argwhere(gen.apply_transform(image, {"flip_horizontal": True})[..., 0] > 0.5).tolist() == [[2, 1]]
    first = ImageDataGenerator(data_format="channels_first", fill_mode="constant")
    moved = first.apply_transform(np.moveaxis(image, -1, 0), {"flip_vertical": True})
    assert np.argwhere(moved[0] > 0.5).tolist() == [[2, 3]]


def test_flow_batches_rescale_and_subsets():
    x = np.arange(10 * 4 * 4 * 1, dtype="float32").reshape(10, 4, 4, 1)
    y = np.arange(10) % 2
    gen = ImageDataGenerator(rescale=0.5, validation_split=0.2)
    train = gen.flow(x, y, batch_size=3, shuffle=False, subset="training")
    val = gen.flow(x, y, batch_size=3, shuffle=False, subset="validation")
    assert isinstance(train, NumpyArrayIterator) and len(train) == 3 and len(val) == 1
    bx, by = train[0]
    np.testing.assert_allclose(bx, x[2:5] * 0.5)   # validation is the first 20%, as in Keras
    np.testing.assert_array_equal(by, y[2:5])
    vx, vy = val[0]
    np.testing.assert_allclose(vx, x[:2] * 0.5)
    assert train[2][0].shape == (2, 4, 4, 1)     # the last batch is smaller
    assert gen.flow(x, batch_size=4)[0].shape == (4, 4, 4, 1)   # no y: images only
    xb, yb, wb = gen.flow(x, y, sample_weight=np.ones(10), batch_size=4)[1]
    assert len(xb) == len(yb) == len(wb) == 4
    with pytest.raises(ValueError, match="different classes"):
        ImageDataGenerator(validation_split=0.5).flow(x, np.r_[np.zeros(5), np.ones(5)], subset="training")
    with pytest.raises(ValueError, match="validation_split"):
        ImageDataGenerator().flow(x, y, subset="training")


def test_flow_reshuffles_and_augments_every_epoch():
    x = np.random.default_rng(1).random((8, 6, 6, 1)).astype("float32")
    it = ImageDataGenerator(rotation_range=40, horizontal_flip=True).flow(x, np.arange(8), batch_size=8, seed=3)
    first_x, first_y = it[0]
    again_x, _ = it[0]
    assert not np.allclose(first_x, again_x)       # a fresh augmentation every read
    it.on_epoch_end()
    _, second_y = it[0]
    assert sorted(first_y) == sorted(second_y) == list(range(8))
    assert not np.array_equal(first_y, second_y)   # reshuffled
    same = ImageDataGenerator(rotation_range=40).flow(x, np.arange(8), batch_size=8, seed=3)
    other = ImageDataGenerator(rotation_range=40).flow(x, np.arange(8), batch_size=8, seed=3)
    np.testing.assert_allclose(same[0][0], other[0][0])  # a seed makes it reproducible
    nx, _ = next(it)
    assert nx.shape == (8, 6, 6, 1)


def test_featurewise_and_samplewise_standardisation():
    rng = np.random.default_rng(2)
    x = (rng.random((20, 5, 5, 3)) * [1.0, 10.0, 100.0]).astype("float32")
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    with pytest.warns(UserWarning, match="fit"):
        gen.standardize(x[0])
    gen.fit(x)
    assert gen.mean.shape == (1, 1, 3)
    out = gen.flow(x, batch_size=20, shuffle=False)[0]
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0.0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1.0, atol=1e-3)
    sample = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True).standardize(x)
    np.testing.assert_allclose(sample.mean(axis=(1, 2, 3)), 0.0, atol=1e-4)
    np.testing.assert_allclose(sample.std(axis=(1, 2, 3)), 1.0, atol=1e-3)
    zca = ImageDataGenerator(zca_whitening=True, featurewise_center=True)
    zca.fit(x[:, :2, :2, :])
    white = zca.standardize(x[:, :2, :2, :]).reshape(20, -1)
    cov = white.T @ white / 20
    np.testing.assert_allclose(np.diag(cov), 1.0, atol=0.05)   # whitened: unit variances


def test_flow_from_directory_says_what_to_do():
    with pytest.raises(NotImplementedError, match=r"\.flow\(x, y\)"):
        ImageDataGenerator().flow_from_directory("images/")


# --------------------------------------------------------------------------- fit on batch sources
def _classifier():
    gn.utils.set_random_seed(0)
    model = gn.Sequential([gn.Input((6, 6, 1)), layers.Flatten(), layers.Dense(2, activation="softmax")])
    model.compile("adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _images(n=32):
    rng = np.random.default_rng(4)
    x = rng.random((n, 6, 6, 1)).astype("float32")
    y = (x[:, :3].mean(axis=(1, 2, 3)) > x[:, 3:].mean(axis=(1, 2, 3))).astype(int)
    return x, y


def test_fit_on_image_data_generator_draws_every_epoch():
    x, y = _images()
    seen = []

    class Recording(NumpyArrayIterator):
        def __getitem__(self, idx):
            batch = super().__getitem__(idx)
            seen.append(batch[0].copy())
            return batch

    gen = ImageDataGenerator(rotation_range=30, horizontal_flip=True)
    it = Recording(x, y, gen, batch_size=8, shuffle=True, seed=0)
    model = _classifier()
    history = model.fit(it, epochs=3, verbose=0, validation_data=gen.flow(x, y, batch_size=16, shuffle=False))
    assert len(history.history["loss"]) == 3 and "val_accuracy" in history.history
    assert history.params["steps"] == 4
    assert len(seen) >= 12                      # 4 batches per epoch, drawn each epoch
    assert not np.allclose(seen[0], seen[4])    # epoch 2 saw other images


def test_fit_on_generator_with_steps_and_validation_steps():
    x, y = _images()
    calls = {"train": 0, "val": 0}

    def batches(what):
        while True:
            for i in range(0, 32, 8):
                calls[what] += 1
                yield x[i:i + 8], y[i:i + 8]

    model = _classifier()
    history = model.fit(batches("train"), steps_per_epoch=3, epochs=2, verbose=0,
                        validation_data=batches("val"), validation_steps=2)
    assert calls["train"] == 6 and calls["val"] == 4   # one stream: epoch 2 continues it
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    loss, acc = model.evaluate(batches("val"), steps=4, verbose=0)
    ref_loss, ref_acc = model.evaluate(x, y, batch_size=8, verbose=0)
    assert loss == pytest.approx(ref_loss, rel=1e-5) and acc == pytest.approx(ref_acc)
    np.testing.assert_allclose(model.predict(batches("val"), steps=4), model.predict(x), rtol=1e-5)


def test_fit_on_finite_generator_and_pydataset():
    x, y = _images()
    model = _classifier()
    history = model.fit(((x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8)), epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1

    class Data(PyDataset):
        def __init__(self):
            super().__init__()
            self.epochs_ended = 0

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8], np.ones(8)

        def on_epoch_end(self):
            self.epochs_ended += 1

    data = Data()
    model.fit(data, epochs=2, verbose=0)
    assert data.epochs_ended == 2       # on_epoch_end after every epoch, as Keras calls it
    assert issubclass(PyDataset, Sequence)
    before = model.get_weights()
    model.fit(data, epochs=1, steps_per_epoch=1, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


def test_fit_on_a_source_refuses_y_and_validation_split():
    x, y = _images()
    model = _classifier()
    it = ImageDataGenerator().flow(x, y, batch_size=8)
    with pytest.raises(ValueError, match="y and sample_weight must be None"):
        model.fit(it, y, verbose=0)
    with pytest.raises(ValueError, match="validation_split needs arrays"):
        model.fit(it, validation_split=0.2, verbose=0)


def test_fit_generator_alias_warns_and_draws_fresh_batches():
    from glassnet import compat
    compat._warned.clear()  # the Keras 2 spelling warns once per process; another test may have used it
    x, y = _images()
    model = _classifier()
    it = ImageDataGenerator(rotation_range=20).flow(x, y, batch_size=8, seed=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit_generator(it, steps_per_epoch=2, epochs=2, verbose=0)
    assert any("fit_generator" in str(w.message) for w in caught)
    assert len(history.history["loss"]) == 2 and it.total_batches_seen >= 4
