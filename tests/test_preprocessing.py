"""Tests of glassnet.preprocessing: one-hot labels, scalers, splits, batches, image scaling."""
import numpy as np
import pytest

from glassnet import backend
from glassnet.preprocessing import (MinMaxScaler, StandardScaler, batches, normalize_images,
                                    to_categorical, train_test_split, train_val_test_split)


# --------------------------------------------------------------------------- to_categorical

def test_to_categorical_keras_semantics():
    out = to_categorical([0, 2, 1])
    assert out.dtype == np.float32 and out.shape == (3, 3)
    np.testing.assert_array_equal(out, np.eye(3, dtype=np.float32)[[0, 2, 1]])
    assert to_categorical(np.array([[1], [3]]), num_classes=5).shape == (2, 5)  # (n, 1) squeezed
    assert to_categorical(np.zeros((2, 3), dtype=np.uint8), num_classes=4).shape == (2, 3, 4)
    assert to_categorical([1.0, 0.0]).dtype == np.float32
    assert to_categorical([1, 0], dtype="int64").dtype == np.int64
    assert to_categorical(np.array([], dtype=int), num_classes=3).shape == (0, 3)


def test_to_categorical_errors():
    with pytest.raises(ValueError, match=r"labels in \[0, 2\].*received 3"):
        to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="labels >= 0, received -1"):
        to_categorical([0, -1])
    with pytest.raises(ValueError, match="whole-number.*1.5"):
        to_categorical([0, 1.5])
    with pytest.raises(ValueError, match="num_classes.*received 0"):
        to_categorical([0], num_classes=0)
    with pytest.raises(ValueError, match="integer class labels"):
        to_categorical(["a", "b"])


def test_utils_reexports_to_categorical():
    from glassnet.utils import to_categorical as reexported
    assert reexported is to_categorical


# --------------------------------------------------------------------------- scalers

def test_standard_scaler_fits_on_training_data_only():
    rng = np.random.default_rng(0)
    x_train = (rng.normal(5.0, 3.0, (200, 3))).astype(np.float32)
    x_train[:, 2] = 7.0  # a constant column
    x_test = (rng.normal(5.0, 3.0, (50, 3))).astype(np.float32)
    scaler = StandardScaler().fit(x_train)
    z = scaler.transform(x_train)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z[:, :2].mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(z[:, :2].std(axis=0), 1.0, atol=1e-5)
    np.testing.assert_array_equal(z[:, 2], 0.0)  # no division by zero
    assert np.isfinite(z).all()
    zt = scaler.transform(x_test)  # uses the training statistics
    np.testing.assert_allclose(zt, (x_test - x_train.mean(0)) / np.where(
        x_train.std(0) > 0, x_train.std(0), 1), rtol=1e-4, atol=1e-5)
    back = scaler.inverse_transform(zt)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, x_test, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(StandardScaler().fit_transform(x_train), z)


def test_min_max_scaler_range_and_inverse():
    x_train = np.array([[0.0, 10.0, 3.0], [5.0, 20.0, 3.0], [10.0, 30.0, 3.0]], dtype=np.float32)
    scaler = MinMaxScaler(feature_range=(-1, 1))
    out = scaler.fit_transform(x_train)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[-1, -1, -1], [0, 0, -1], [1, 1, -1]])
    np.testing.assert_allclose(scaler.transform(np.array([[20.0, 0.0, 4.0]], np.float32)),
                               [[3.0, -2.0, 1.0]])  # outside the training range is allowed
    np.testing.assert_allclose(scaler.inverse_transform(out)[:, :2], x_train[:, :2])
    default = MinMaxScaler().fit(x_train)
    np.testing.assert_allclose(default.transform(x_train)[:, 0], [0, 0.5, 1])


def test_scalers_keep_float_dtype_and_upgrade_integers():
    x64 = np.arange(6, dtype=np.float64).reshape(3, 2)
    assert StandardScaler().fit_transform(x64).dtype == np.float64
    xi = np.arange(6).reshape(3, 2)
    assert StandardScaler().fit_transform(xi).dtype == np.dtype(backend.floatx())
    assert MinMaxScaler().fit_transform(xi).dtype == np.dtype(backend.floatx())
    images = np.arange(2 * 4 * 4, dtype=np.float32).reshape(2, 4, 4)  # per-pixel statistics
    assert MinMaxScaler().fit_transform(images).shape == (2, 4, 4)


def test_scaler_errors():
    with pytest.raises(RuntimeError, match="not fitted"):
        StandardScaler().transform(np.zeros((2, 2)))
    scaler = MinMaxScaler().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"expected samples of shape \(2,\).*received \(3,\)"):
        scaler.transform(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="low < high"):
        MinMaxScaler(feature_range=(1, 0))
    with pytest.raises(ValueError, match="at least one sample"):
        StandardScaler().fit(np.zeros((0, 3)))


# --------------------------------------------------------------------------- splits

def test_train_test_split_keeps_rows_aligned():
    x = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, seed=0)
    assert x_train.shape == (7, 2) and x_test.shape == (3, 2)
    np.testing.assert_array_equal(x_train[:, 0] // 2, y_train)
    np.testing.assert_array_equal(x_test[:, 0] // 2, y_test)
    assert sorted(np.concatenate([y_train, y_test])) == list(range(10))
    again = train_test_split(x, y, test_size=0.3, seed=0)
    np.testing.assert_array_equal(again[2], y_train)
    a, b = train_test_split(y, test_size=2, shuffle=False)
    np.testing.assert_array_equal(a, np.arange(8))
    np.testing.assert_array_equal(b, [8, 9])
    backend.set_seed(5)
    first = train_test_split(y)[0]
    backend.set_seed(5)
    np.testing.assert_array_equal(train_test_split(y)[0], first)


def test_train_val_test_split_sizes_and_order():
    x = np.arange(100, dtype=np.float32).reshape(50, 2)
    y = np.arange(50)
    x_tr, x_va, x_te, y_tr, y_va, y_te = train_val_test_split(
        x, y, val_size=0.2, test_size=0.1, shuffle=False)
    assert (len(y_tr), len(y_va), len(y_te)) == (35, 10, 5)
    np.testing.assert_array_equal(np.concatenate([y_tr, y_va, y_te]), y)  # time order kept
    parts = train_val_test_split(y, val_size=5, test_size=5, seed=1)
    assert sorted(np.concatenate(parts)) == list(range(50))
    assert not np.array_equal(parts[0], np.arange(40))


def test_split_errors():
    with pytest.raises(ValueError, match="argument 1 has 4"):
        train_test_split(np.zeros(5), np.zeros(4))
    with pytest.raises(ValueError, match=r"fraction in \[0, 1\), received 1.5"):
        train_test_split(np.zeros(5), test_size=1.5)
    with pytest.raises(ValueError, match="between 0 and 5 samples, received 6"):
        train_test_split(np.zeros(5), test_size=6)
    with pytest.raises(ValueError, match="leave training samples"):
        train_val_test_split(np.zeros(10), val_size=0.5, test_size=0.5)
    with pytest.raises(ValueError, match="at least one array"):
        train_test_split()


# --------------------------------------------------------------------------- batches

def test_batches_cover_an_epoch():
    x = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    sizes = [len(yb) for _, yb in batches(x, y, batch_size=4)]
    assert sizes == [4, 4, 2]
    assert [len(xb) for xb in batches(x, batch_size=4, drop_remainder=True)] == [4, 4]
    seen = np.concatenate([yb for xb, yb in batches(x, y, batch_size=3, shuffle=True, seed=0)])
    assert sorted(seen) == list(range(10)) and not np.array_equal(seen, y)
    for xb, yb in batches(x, y, batch_size=3, shuffle=True, seed=0):
        np.testing.assert_array_equal(xb[:, 0] // 2, yb)


def test_batches_checks_arguments_at_call_time():
    with pytest.raises(ValueError, match="batch_size.*received 0"):
        batches(np.zeros(4), batch_size=0)
    with pytest.raises(ValueError, match="argument 1 has 3"):
        batches(np.zeros(4), np.zeros(3))


# --------------------------------------------------------------------------- images

def test_normalize_images():
    x = np.array([[0, 51, 255]], dtype=np.uint8)
    out = normalize_images(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, 0.2, 1.0]])
    assert normalize_images(np.array([0, 255]), dtype="float64").dtype == np.float64
    with pytest.raises(ValueError, match="float32.*scaled already"):
        normalize_images(out)
    with pytest.raises(ValueError, match=r"\[0, 255\].*300"):
        normalize_images(np.array([0, 300]))
