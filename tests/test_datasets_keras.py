"""Keras's data sets in glassnet: imdb, reuters, cifar10, cifar100, boston_housing, california_housing.

Every test writes tiny files in the real formats itself (no data in the repository, no network):
``.npz`` files with pickled object arrays as Keras's ``imdb.npz``/``reuters.npz`` hold them, the
binary CIFAR archives (and, for Keras, the pickled Python version of the same images). Real Keras
3 is the oracle: its loaders run on the same files (its ``get_file`` pointed at them) and
glassnet must return the same arrays. Downloads go to ``file://`` addresses.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import pickle
import tarfile

import numpy as np
import pytest

from glassnet.datasets import (
    DataIntegrityError,
    DatasetNotFoundError,
    _files,
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    imdb,
    reuters,
)
from glassnet.datasets._pickled_lists import read_sequences_npy
from helpers import import_keras_on_torch


@pytest.fixture(scope="module")
def keras():
    return import_keras_on_torch()


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def object_array(seqs):
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = list(s)
    return out


def random_sequences(rng, n, vocabulary=300, longest=40):
    return [rng.integers(1, vocabulary, rng.integers(1, longest)).tolist() for _ in range(n)]


@pytest.fixture()
def imdb_file(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    folder = tmp_path / "data" / "imdb"
    folder.mkdir(parents=True)
    path = folder / "imdb.npz"
    np.savez(path, x_train=object_array(random_sequences(rng, 30)), y_train=rng.integers(0, 2, 30),
             x_test=object_array(random_sequences(rng, 20)), y_test=rng.integers(0, 2, 20))
    monkeypatch.setattr(imdb, "FILE", dataclasses.replace(imdb.FILE, sha256=sha256(path)))
    return path


@pytest.fixture()
def reuters_file(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    path = tmp_path / "data" / "reuters" / "reuters.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, x=object_array(random_sequences(rng, 47, 500, 60)), y=rng.integers(0, 46, 47))
    monkeypatch.setattr(reuters, "FILE", dataclasses.replace(reuters.FILE, sha256=sha256(path)))
    return path


def assert_same_split(ours, theirs):
    for (xa, ya), (xb, yb) in zip(ours, theirs):
        assert len(xa) == len(xb)
        assert [list(s) for s in xa] == [list(s) for s in xb]
        np.testing.assert_array_equal(ya, yb)
        assert ya.dtype == yb.dtype


# --------------------------------------------------------------------------- imdb / reuters vs Keras
SEQUENCE_OPTIONS = [
    {},
    {"num_words": 100, "skip_top": 5},
    {"maxlen": 20, "seed": 7},
    {"start_char": None, "oov_char": None, "num_words": 150},
    {"index_from": 0, "start_char": None},
    {"oov_char": 9, "skip_top": 20, "index_from": 1},
]


@pytest.mark.parametrize("options", SEQUENCE_OPTIONS, ids=str)
def test_imdb_matches_keras(keras, imdb_file, options, monkeypatch):
    from keras.src.datasets import imdb as keras_imdb

    monkeypatch.setattr(keras_imdb, "get_file", lambda *a, **k: str(imdb_file))
    ours = imdb.load_data(**options, data_dir=imdb_file.parent.parent)
    theirs = keras_imdb.load_data(**options)
    assert ours[0][0].dtype == object and ours[0][0].ndim == 1
    assert_same_split(ours, theirs)


@pytest.mark.parametrize("options", SEQUENCE_OPTIONS[:4] + [{"test_split": 0.5, "seed": 3}], ids=str)
def test_reuters_matches_keras(keras, reuters_file, options, monkeypatch):
    from keras.src.datasets import reuters as keras_reuters

    monkeypatch.setattr(keras_reuters, "get_file", lambda *a, **k: str(reuters_file))
    ours = reuters.load_data(**options, data_dir=reuters_file.parent)
    theirs = keras_reuters.load_data(**options)
    assert_same_split(ours, theirs)


def test_reuters_label_names_and_imdb_maxlen_error(imdb_file):
    assert len(reuters.get_label_names()) == 46 and reuters.get_label_names()[3] == "earn"
    with pytest.raises(ValueError, match="maxlen=2.*none is left"):
        imdb.load_data(maxlen=2, data_dir=imdb_file.parent)
    with pytest.raises(ValueError, match="expected num_words to be an integer >= 0 or None, received 'many'"):
        imdb.load_data(num_words="many", data_dir=imdb_file.parent)
    with pytest.raises(ValueError, match=r"expected test_split in \[0, 1\), received 1.5"):
        reuters.load_data(test_split=1.5)


def test_path_names_the_file_or_its_folder(imdb_file, tmp_path):
    a = imdb.load_data(path=str(imdb_file))                    # Keras: a path to the file
    b = imdb.load_data(data_dir=imdb_file.parent)              # glassnet: the folder
    c = imdb.load_data(path=imdb_file.parent)                  # a folder given as path=
    renamed = imdb_file.parent / "reviews.npz"
    renamed.write_bytes(imdb_file.read_bytes())
    d = imdb.load_data(path="reviews.npz", data_dir=imdb_file.parent)  # Keras: a name in the folder
    for other in (b, c, d):
        assert_same_split(a, other)


def test_environment_variable_finds_the_sub_folder(imdb_file, monkeypatch):
    monkeypatch.setenv(_files.ENV_VAR, str(imdb_file.parent.parent))
    (x, y), _ = imdb.load_data(download=False)
    assert len(x) == 30


def test_get_word_index_checks_the_md5(tmp_path, monkeypatch):
    path = tmp_path / "imdb_word_index.json"
    path.write_text(json.dumps({"the": 1, "and": 2}), encoding="utf-8")
    good = hashlib.md5(path.read_bytes()).hexdigest()
    monkeypatch.setattr(imdb, "WORD_INDEX", dataclasses.replace(imdb.WORD_INDEX, md5=good))
    assert imdb.get_word_index(data_dir=tmp_path) == {"the": 1, "and": 2}
    monkeypatch.setattr(imdb, "WORD_INDEX", dataclasses.replace(imdb.WORD_INDEX, md5="0" * 32))
    with pytest.raises(DataIntegrityError, match=f"MD5 does not match; expected 0{{32}}, received {good}"):
        imdb.get_word_index(data_dir=tmp_path)
    assert path.exists()  # a local file is never deleted


# --------------------------------------------------------------------------- no pickle
class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_that_would_run_code_is_refused_without_running_it(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    evil = np.empty(2, dtype=object)
    evil[0], evil[1] = [1, 2], _Exploit(marker)
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=evil, y_train=np.zeros(2, np.int64), x_test=evil, y_test=np.zeros(2, np.int64))
    with pytest.raises(DataIntegrityError, match=r"posix\.system, which is refused.*never unpickles"):
        imdb.load_data(data_dir=tmp_path, verify=False)
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_the_pickle_reader_reads_every_protocol_and_integer_size(protocol):
    seqs = [[0, 1, 255, 256, 65535, 65536, 2**31 - 1, -1, -2**31, 2**40, -2**40], [], list(range(3000)),
            list(range(1001)), [5]]  # 1001: a batch of 1,000 then one APPEND
    arr = object_array(seqs)
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(arr))
    buf.write(pickle.dumps(arr, protocol=protocol))
    out = read_sequences_npy(buf.getvalue(), "x.npy")
    assert [s.tolist() for s in out] == seqs
    if protocol == 5:  # protocol 5 pickles arrays through numpy's _frombuffer: refused, np.save never uses it
        return
    # items that are integer arrays instead of lists
    arr[0], arr[1] = np.array([5, -3], dtype=">i4"), np.arange(4, dtype=np.uint8)
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(arr))
    buf.write(pickle.dumps(arr, protocol=protocol))
    assert [s.tolist() for s in read_sequences_npy(buf.getvalue(), "x.npy")][:2] == [[5, -3], [0, 1, 2, 3]]


def test_a_run_of_integers_longer_than_a_pickler_batch_is_refused():
    """np.save's pickler appends 1,000 items at a time; a hand-made run of 50,000 is refused
    (it would make the reader hold far more than the file)."""
    arr = np.empty(1, dtype=object)
    arr[0] = [7]
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    data = buf.getvalue()
    at = data.index(b"K\x07a")
    crafted = data[:at] + b"(" + b"M\x01\x02" * 50_000 + b"e" + data[at + 3:]
    with pytest.raises(DataIntegrityError, match="a run of 150000 bytes of integers, more than the 1,000"):
        read_sequences_npy(crafted, "x.npy")
    fine = data[:at] + b"(" + b"M\x01\x02" * 1000 + b"e" + data[at + 3:]
    (seq,) = read_sequences_npy(fine, "x.npy")
    assert seq.shape == (1000,) and set(seq.tolist()) == {0x0201}


@pytest.mark.parametrize("item,what", [([1.5, 2], r"the pickle opcode b'G'"), ({"a": 1}, r"the pickle opcode b'\}'"),
                                       ("text", "item 0 of type str"), ([True], "bool values"),
                                       ([1, 2, 3], "truncated|malformed")])
def test_the_pickle_reader_accepts_only_integer_lists(item, what):
    arr = np.empty(1, dtype=object)
    arr[0] = item
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    data = buf.getvalue()[:-3] if item == [1, 2, 3] else buf.getvalue()
    with pytest.raises(DataIntegrityError, match=what):
        read_sequences_npy(data, "x.npy")


# --------------------------------------------------------------------------- housing vs Keras
@pytest.fixture()
def housing_files(tmp_path, monkeypatch):
    rng = np.random.default_rng(2)
    paths = {}
    for module, n, features in ((boston_housing, 50, 13), (california_housing, 700, 8)):
        path = tmp_path / module.FILE.subdir / module.FILE.name
        path.parent.mkdir()
        np.savez(path, x=rng.standard_normal((n, features)), y=rng.uniform(10, 50, n))
        monkeypatch.setattr(module, "FILE", dataclasses.replace(module.FILE, sha256=sha256(path)))
        paths[module] = path
    return paths


@pytest.mark.parametrize("kwargs", [{}, {"test_split": 0.3, "seed": 1}, {"test_split": 0.0}], ids=str)
def test_boston_housing_matches_keras(keras, housing_files, kwargs, monkeypatch):
    from keras.src.datasets import boston_housing as theirs

    monkeypatch.setattr(theirs, "get_file", lambda *a, **k: str(housing_files[boston_housing]))
    ours = boston_housing.load_data(**kwargs, data_dir=housing_files[boston_housing].parent.parent)
    for a, b in zip(ours, theirs.load_data(**kwargs)):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
            assert x.dtype == y.dtype


@pytest.mark.parametrize("kwargs", [{}, {"version": "small"}, {"version": "small", "test_split": 0.5, "seed": 4}],
                         ids=str)
def test_california_housing_matches_keras(keras, housing_files, kwargs, monkeypatch):
    from keras.src.datasets import california_housing as theirs

    monkeypatch.setattr(theirs, "get_file", lambda *a, **k: str(housing_files[california_housing]))
    ours = california_housing.load_data(**kwargs, data_dir=housing_files[california_housing].parent)
    for a, b in zip(ours, theirs.load_data(**kwargs)):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError, match="expected version 'small' or 'large', received 'medium'"):
        california_housing.load_data(version="medium")


# --------------------------------------------------------------------------- CIFAR: binary for us, pickles for Keras
def _tar_gz(path, members: dict, folder: str):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _cifar_images(rng, n):
    return rng.integers(0, 256, (n, 3072), dtype=np.uint8)


@pytest.fixture()
def cifar10_files(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    batches = {f"data_batch_{i}": 4 for i in range(1, 6)}
    batches["test_batch"] = 3
    binary, python = {}, {}
    for name, n in batches.items():
        images, labels = _cifar_images(rng, n), rng.integers(0, 10, n, dtype=np.uint8)
        binary[name + ".bin"] = np.concatenate([labels[:, None], images], axis=1).tobytes()
        python[name] = pickle.dumps({b"data": images, b"labels": labels.tolist()}, protocol=3)
    archive = tmp_path / "cifar10" / "cifar-10-binary.tar.gz"
    archive.parent.mkdir()
    _tar_gz(archive, {**binary, "batches.meta.txt": b"airplane\n"}, "cifar-10-batches-bin")
    keras_dir = tmp_path / "keras" / "cifar-10-batches-py"
    keras_dir.mkdir(parents=True)
    for name, data in python.items():
        (keras_dir / name).write_bytes(data)
    spec = dataclasses.replace(cifar10.SPEC, file=dataclasses.replace(cifar10.SPEC.file, sha256=sha256(archive)))
    monkeypatch.setattr(cifar10, "SPEC", spec)
    return archive, keras_dir.parent


@pytest.fixture()
def cifar100_files(tmp_path, monkeypatch):
    rng = np.random.default_rng(4)
    binary, keras_dir = {}, tmp_path / "keras" / "cifar-100-python"
    keras_dir.mkdir(parents=True)
    for name, n in (("train", 6), ("test", 3)):
        images = _cifar_images(rng, n)
        coarse, fine = rng.integers(0, 20, n, dtype=np.uint8), rng.integers(0, 100, n, dtype=np.uint8)
        binary[name + ".bin"] = np.concatenate([coarse[:, None], fine[:, None], images], axis=1).tobytes()
        (keras_dir / name).write_bytes(pickle.dumps(
            {b"data": images, b"fine_labels": fine.tolist(), b"coarse_labels": coarse.tolist()}, protocol=3))
    archive = tmp_path / "cifar100" / "cifar-100-binary.tar.gz"
    archive.parent.mkdir()
    _tar_gz(archive, binary, "cifar-100-binary")
    spec = dataclasses.replace(cifar100.SPEC, file=dataclasses.replace(cifar100.SPEC.file, sha256=sha256(archive)))
    monkeypatch.setattr(cifar100, "SPEC", spec)
    return archive, keras_dir.parent


def test_cifar10_matches_keras(keras, cifar10_files, monkeypatch):
    from keras.src.datasets import cifar10 as theirs

    archive, keras_dir = cifar10_files
    monkeypatch.setattr(theirs, "get_file", lambda *a, **k: str(keras_dir))
    monkeypatch.setattr(theirs, "load_batch", _small_batches(theirs.load_batch))
    ours = cifar10.load_data(data_dir=archive.parent.parent)
    (x_train, y_train), (x_test, y_test) = ours
    assert x_train.shape == (20, 32, 32, 3) and y_train.shape == (20, 1) and x_test.shape == (3, 32, 32, 3)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    (kx_train, ky_train), (kx_test, ky_test) = theirs.load_data()
    rows = np.concatenate([np.arange(4) + 10000 * i for i in range(5)])  # batch i sits at 10000 * i
    for x, y in ((x_train, kx_train[rows]), (y_train, ky_train[rows]), (x_test, kx_test[:3]), (y_test, ky_test[:3])):
        np.testing.assert_array_equal(x, y)
        assert x.dtype == y.dtype


def _small_batches(load_batch):
    """Keras's cifar10 writes each batch into a (10000, ...) slot; our batches hold 4 images."""
    def padded(fpath, label_key="labels"):
        data, labels = load_batch(fpath, label_key)
        return np.resize(data, (10000,) + data.shape[1:]), np.resize(labels, 10000)
    return padded


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_matches_keras(keras, cifar100_files, label_mode, monkeypatch):
    from keras.src.datasets import cifar100 as theirs

    archive, keras_dir = cifar100_files
    monkeypatch.setattr(theirs, "get_file", lambda *a, **k: str(keras_dir))
    ours = cifar100.load_data(label_mode, data_dir=archive.parent)
    for a, b in zip(ours, theirs.load_data(label_mode)):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
            assert x.dtype == y.dtype and x.shape == y.shape
    with pytest.raises(ValueError, match="expected label_mode 'fine' or 'coarse', received 'medium'"):
        cifar100.load_data("medium")


def test_cifar10_keras_test_is_not_vacuous(cifar10_files):
    """_small_batches repeats each batch to 10000 rows; the comparison above would fail if our
    train images were not in Keras's order, so check the order directly here too."""
    archive, keras_dir = cifar10_files
    (x_train, y_train), _ = cifar10.load_data(data_dir=archive.parent)
    first = pickle.loads((keras_dir / "cifar-10-batches-py" / "data_batch_2").read_bytes())
    np.testing.assert_array_equal(x_train[4:8], first[b"data"].reshape(4, 3, 32, 32).transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train[4:8, 0], first[b"labels"])


def test_a_cifar_gzip_bomb_stops_at_the_limit(cifar10_files, monkeypatch):
    archive, _ = cifar10_files
    monkeypatch.setattr(_files, "MAX_INFLATED_BYTES", 20_000)
    with pytest.raises(DataIntegrityError, match="inflates to more than 20000 bytes"):
        cifar10.load_data(data_dir=archive.parent)


def test_a_cifar_archive_without_the_binary_batches_is_explained(tmp_path):
    archive = tmp_path / "cifar-10-binary.tar.gz"
    _tar_gz(archive, {"data_batch_1": b"pickle"}, "cifar-10-batches-py")
    with pytest.raises(DataIntegrityError, match="lacks.*data_batch_1.bin.*binary version"):
        cifar10.load_data(data_dir=tmp_path, verify=False)
    archive.write_bytes(b"not gzip")
    with pytest.raises(DataIntegrityError, match="gzip stream is corrupt"):
        cifar10.load_data(data_dir=tmp_path, verify=False)


# --------------------------------------------------------------------------- download, offline, hashes
def test_download_from_the_origin_into_the_data_folder(imdb_file, tmp_path, monkeypatch):
    monkeypatch.setattr(imdb, "FILE", dataclasses.replace(imdb.FILE, url=imdb_file.as_uri()))
    target = tmp_path / "fresh"
    (x, y), _ = imdb.load_data(data_dir=target)
    assert (target / "imdb.npz").read_bytes() == imdb_file.read_bytes() and len(x) == 30
    # a download whose hash is wrong is removed, with the folders made for it
    monkeypatch.setattr(imdb, "FILE", dataclasses.replace(imdb.FILE, sha256="0" * 64))
    with pytest.raises(DataIntegrityError, match="the file downloaded from file://.*was damaged and has been removed"):
        imdb.load_data(data_dir=tmp_path / "new" / "deeper")
    assert not (tmp_path / "new").exists()


def test_offline_error_says_which_file_to_put_where(tmp_path, monkeypatch):
    monkeypatch.setenv(_files.ENV_VAR, str(tmp_path / "data"))
    monkeypatch.setattr(reuters, "FILE", dataclasses.replace(reuters.FILE, url=(tmp_path / "gone.npz").as_uri()))
    with pytest.raises(DatasetNotFoundError) as info:
        reuters.load_data()
    message = str(info.value)
    assert "Reuters: 1 file(s) missing from" in message
    assert str(tmp_path / "data" / "reuters" / "reuters.npz") in message
    assert "GLASSNET_DATA" in message and "gone.npz" in message
    assert not (tmp_path / "data").exists()  # no empty folder left behind
    with pytest.raises(DatasetNotFoundError, match="(?s)downloads are switched off.*cifar-10-binary.tar.gz"):
        cifar10.load_data(data_dir=tmp_path, download=False)


def test_a_damaged_local_file_is_reported_and_kept(imdb_file):
    imdb_file.write_bytes(imdb_file.read_bytes()[:-10])
    with pytest.raises(DataIntegrityError, match=r"SHA256 does not match.*delete it"):
        imdb.load_data(data_dir=imdb_file.parent)
    assert imdb_file.exists()
    with pytest.raises(DataIntegrityError, match="not a zip archive"):
        imdb.load_data(data_dir=imdb_file.parent, verify=False)


def test_published_hashes_are_keras_and_tfds_values():
    assert imdb.FILE.sha256 == "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
    assert imdb.FILE.origin == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
    assert cifar10.FILE.origin == "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    for spec in (imdb.FILE, reuters.FILE, boston_housing.FILE, california_housing.FILE, cifar10.FILE,
                 cifar100.FILE):
        assert len(spec.sha256) == 64
