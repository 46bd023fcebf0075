"""Tests of glassnet.datasets: IDX reading and checks, folder resolution, downloads (from a
local server or a fake, never the internet), iris, toy sets, CSV tables and price series,
plus an integration test on the real files in ../shared/data when they are there."""
import functools
import gzip
import hashlib
import http.server
import io
import struct
import threading
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest

from glassnet.datasets import (DataIntegrityError, DatasetNotFoundError, fashion_mnist, iris,
                               load_table, mnist, stocks, toy)
from glassnet.datasets import _files
from glassnet.datasets._idx import FILES, IdxDataset, parse_idx, read_idx

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


# --------------------------------------------------------------------------- helpers

def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    """An IDX file's bytes for ``array`` (big-endian, as published)."""
    big = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(big).tobytes()


def tiny_arrays(seed=0):
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, (5, 3, 3), dtype=np.uint8)
    y_train = rng.integers(0, 10, 5, dtype=np.uint8)
    x_test = rng.integers(0, 256, (2, 3, 3), dtype=np.uint8)
    y_test = rng.integers(0, 10, 2, dtype=np.uint8)
    return x_train, y_train, x_test, y_test


def write_tiny_set(folder: Path, seed=0) -> dict:
    """Write the four IDX .gz files of a tiny data set; return {file name: sha256}."""
    folder.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for name, arr in zip(FILES, tiny_arrays(seed)):
        content = idx_bytes(arr)
        (folder / name).write_bytes(gzip.compress(content))
        hashes[name] = hashlib.sha256(content).hexdigest()
    return hashes


def tiny_spec(hashes=None, mirrors=()) -> IdxDataset:
    return IdxDataset(title="Tiny", subdir="tiny", mirrors=tuple(mirrors), sha256=hashes or {})


def assert_tiny(result, seed=0):
    (x_train, y_train), (x_test, y_test) = result
    for got, want in zip((x_train, y_train, x_test, y_test), tiny_arrays(seed)):
        assert got.dtype == np.uint8 and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _TruncatingHandler(_QuietHandler):
    """Announces the whole file but sends only its first half, then hangs up."""

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture
def serve():
    """Start a local HTTP server on 127.0.0.1 over a folder; returns its base URL."""
    servers = []

    def start(folder: Path, handler=_QuietHandler) -> str:
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def no_network(monkeypatch):
    """Make every download fail as it would offline, and count the attempts."""
    calls = []

    def offline(url, *args, **kwargs):
        calls.append(url)
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(_files, "urlopen", offline)
    return calls


# --------------------------------------------------------------------------- IDX format

def test_parse_idx_reads_every_element_type_in_native_order():
    for code, dtype in ((0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16), (0x0C, np.int32),
                        (0x0D, np.float32), (0x0E, np.float64)):
        arr = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
        if dtype == np.uint8:
            arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
        out = parse_idx(idx_bytes(arr, code), "f")
        assert out.dtype == np.dtype(dtype) and out.dtype.isnative
        np.testing.assert_array_equal(out, arr)
        assert out.flags.writeable


def test_read_idx_gz_and_plain(tmp_path):
    labels = np.array([7, 2, 1, 0], dtype=np.uint8)
    (tmp_path / "l.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    (tmp_path / "l").write_bytes(idx_bytes(labels))
    np.testing.assert_array_equal(read_idx(tmp_path / "l.gz"), labels)
    np.testing.assert_array_equal(read_idx(tmp_path / "l"), labels)


def test_wrong_magic_is_an_error_naming_the_file(tmp_path):
    bad = tmp_path / "train-images-idx3-ubyte.gz"
    bad.write_bytes(gzip.compress(b"\x01\x02\x08\x01\x00\x00\x00\x01\x05"))
    with pytest.raises(DataIntegrityError, match="train-images-idx3-ubyte.gz.*not an IDX file"):
        read_idx(bad)
    bad.write_bytes(gzip.compress(b"\x00\x00\x42\x01\x00\x00\x00\x01\x05"))  # unknown type
    with pytest.raises(DataIntegrityError, match="magic"):
        read_idx(bad)


def test_truncated_gzip_is_an_error_naming_the_file(tmp_path):
    data = gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8)))
    bad = tmp_path / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataIntegrityError, match="t10k-labels-idx1-ubyte.gz.*truncated"):
        read_idx(bad)


def test_corrupt_gzip_is_an_error(tmp_path):
    data = bytearray(gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8))))
    data[-6] ^= 0xFF  # damage the CRC / size trailer
    bad = tmp_path / "x.gz"
    bad.write_bytes(bytes(data))
    with pytest.raises(DataIntegrityError, match="x.gz.*corrupt"):
        read_idx(bad)


def test_size_that_does_not_match_the_header_is_an_error(tmp_path):
    good = idx_bytes(np.zeros((5, 3, 3), dtype=np.uint8))
    for content, what in ((good[:-1], "44 data bytes"), (good + b"\x00", "46 data bytes"),
                          (good[:10], "header expected 16 bytes")):
        path = tmp_path / "img.gz"
        path.write_bytes(gzip.compress(content))
        with pytest.raises(DataIntegrityError, match=f"img.gz.*{what}"):
            read_idx(path)


def test_sha256_mismatch_is_an_error_with_expected_and_received(tmp_path):
    content = idx_bytes(np.arange(4, dtype=np.uint8))
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(content))
    wrong = "0" * 64
    with pytest.raises(DataIntegrityError) as info:
        read_idx(path, sha256=wrong)
    message = str(info.value)
    assert "labels.gz" in message and wrong in message
    assert hashlib.sha256(content).hexdigest() in message
    # the right hash passes, and so does any of several accepted ones
    read_idx(path, sha256=hashlib.sha256(content).hexdigest())
    read_idx(path, sha256=(wrong, hashlib.sha256(content).hexdigest()))


def test_published_gz_md5_is_accepted_instead_of_content_hash(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(4, dtype=np.uint8))))
    md5 = hashlib.md5(path.read_bytes()).hexdigest()
    read_idx(path, sha256="0" * 64, gz_md5=md5)
    with pytest.raises(DataIntegrityError, match="MD5"):
        read_idx(path, sha256="0" * 64, gz_md5="f" * 32)


# --------------------------------------------------------------------------- loading a set

def test_load_from_folder_with_and_without_verification(tmp_path):
    hashes = write_tiny_set(tmp_path / "tiny")
    assert_tiny(tiny_spec(hashes).load(tmp_path / "tiny"))
    assert_tiny(tiny_spec(hashes).load(data_dir=str(tmp_path / "tiny")))
    assert_tiny(tiny_spec(hashes).load(tmp_path))  # the data root, with a tiny/ sub-folder
    assert_tiny(tiny_spec().load(tmp_path / "tiny", verify=False))
    assert_tiny(tiny_spec().load(tmp_path / "tiny", verify=hashes))
    with pytest.raises(ValueError, match="no.*known"):
        tiny_spec().load(tmp_path / "tiny")  # verify=True but no hashes registered
    with pytest.raises(ValueError, match="path or data_dir"):
        tiny_spec(hashes).load(tmp_path, data_dir=tmp_path / "other")


def test_a_damaged_file_stops_the_load(tmp_path):
    hashes = write_tiny_set(tmp_path)
    other = write_tiny_set(tmp_path / "b", seed=1)
    (tmp_path / FILES[1]).write_bytes((tmp_path / "b" / FILES[1]).read_bytes())
    assert other[FILES[1]] != hashes[FILES[1]]
    with pytest.raises(DataIntegrityError, match=FILES[1]):
        tiny_spec(hashes).load(tmp_path)


def test_image_and_label_counts_must_agree(tmp_path):
    write_tiny_set(tmp_path)
    (tmp_path / FILES[1]).write_bytes(gzip.compress(idx_bytes(np.zeros(4, np.uint8))))
    with pytest.raises(DataIntegrityError, match="5 images and 4 labels"):
        tiny_spec().load(tmp_path, verify=False)


def test_environment_variable_is_used(tmp_path, monkeypatch, no_network):
    write_tiny_set(tmp_path / "mnist")
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path))
    assert _files.data_home() == tmp_path
    assert_tiny(mnist.load_data(verify=False))
    # and the real MNIST hashes reject the tiny files
    with pytest.raises(DataIntegrityError, match="SHA-256"):
        mnist.load_data()
    assert no_network == []


def test_user_cache_when_nothing_else_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv("GLASSNET_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _files.data_home() == tmp_path / ".glassnet" / "datasets"
    assert _files.resolve_folder("mnist") == tmp_path / ".glassnet" / "datasets" / "mnist"
    write_tiny_set(tmp_path / ".glassnet" / "datasets" / "fashion-mnist")
    assert_tiny(fashion_mnist.load_data(verify=False))


def test_path_must_be_a_folder(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="mnist.npz"):
        mnist.load_data(tmp_path / "mnist.npz")


def test_missing_files_without_network_say_what_to_put_where(tmp_path, no_network):
    write_tiny_set(tmp_path)
    (tmp_path / FILES[0]).unlink()
    with pytest.raises(DatasetNotFoundError) as info:
        mnist.load_data(tmp_path)
    message = str(info.value)
    assert str(tmp_path / FILES[0]) in message
    assert "GLASSNET_DATA" in message and "storage.googleapis.com" in message
    assert "name resolution" in message
    assert len(no_network) == len(mnist.MIRRORS)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES[1:])  # nothing partial


def test_download_false_never_touches_the_network(tmp_path, no_network):
    with pytest.raises(DatasetNotFoundError, match="switched off"):
        fashion_mnist.load_data(tmp_path, download=False)
    assert no_network == []


# --------------------------------------------------------------------------- downloads

def test_download_from_a_local_mirror_with_progress_bar(tmp_path, serve, capsys):
    hashes = write_tiny_set(tmp_path / "mirror")
    url = serve(tmp_path / "mirror")
    spec = tiny_spec(hashes, mirrors=[url])
    assert_tiny(spec.load(tmp_path / "data"))
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == sorted(FILES)
    err = capsys.readouterr().err
    assert "Downloading train-images-idx3-ubyte.gz" in err and "100.0%" in err
    # a second load reads the files without downloading
    (tmp_path / "mirror" / FILES[0]).unlink()
    assert_tiny(spec.load(tmp_path / "data"))


def test_download_falls_back_to_the_next_mirror(tmp_path, serve):
    hashes = write_tiny_set(tmp_path / "mirror")
    (tmp_path / "empty").mkdir()
    spec = tiny_spec(hashes, mirrors=[serve(tmp_path / "empty"), serve(tmp_path / "mirror")])
    assert_tiny(spec.load(tmp_path / "data", progress=False))


def test_file_url_mirror(tmp_path):
    hashes = write_tiny_set(tmp_path / "mirror")
    spec = tiny_spec(hashes, mirrors=[(tmp_path / "mirror").as_uri() + "/"])
    assert_tiny(spec.load(tmp_path / "data", progress=False))


def test_interrupted_download_leaves_no_partial_file(tmp_path, serve):
    hashes = write_tiny_set(tmp_path / "mirror")
    spec = tiny_spec(hashes, mirrors=[serve(tmp_path / "mirror", _TruncatingHandler)])
    with pytest.raises(DatasetNotFoundError, match="ended early|IncompleteRead"):
        spec.load(tmp_path / "data", progress=False)
    assert not (tmp_path / "data").exists()  # no partial file, and no folder made for it


def test_connection_lost_mid_stream_leaves_no_partial_file(tmp_path, monkeypatch):
    class Dropping(io.BytesIO):
        headers = {"Content-Length": "100000"}

        def read(self, n=-1):
            if self.tell() >= 1000:
                raise ConnectionResetError("connection reset by peer")
            return super().read(min(n, 500))

    monkeypatch.setattr(_files, "urlopen", lambda url, timeout=None: Dropping(b"\x1f\x8b" * 50000))
    with pytest.raises(DatasetNotFoundError, match="connection reset"):
        tiny_spec({n: "0" * 64 for n in FILES}, mirrors=["https://example.invalid/"]).load(
            tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_during_download_removes_the_temporary_file(tmp_path, monkeypatch):
    class Interrupted(io.BytesIO):
        headers = {}

        def read(self, n=-1):
            if self.tell():
                raise KeyboardInterrupt
            return super().read(10)

    monkeypatch.setattr(_files, "urlopen", lambda url, timeout=None: Interrupted(b"x" * 100))
    with pytest.raises(KeyboardInterrupt):
        _files.download("https://example.invalid/f.gz", tmp_path / "f.gz", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_download_with_wrong_content_is_rejected_and_not_kept(tmp_path, serve):
    write_tiny_set(tmp_path / "mirror")
    spec = tiny_spec({n: "0" * 64 for n in FILES}, mirrors=[serve(tmp_path / "mirror")])
    with pytest.raises(DatasetNotFoundError, match="SHA-256"):
        spec.load(tmp_path / "data", progress=False)
    assert not (tmp_path / "data").exists()  # no partial file, and no folder made for it


def test_unwritable_target_folder_gives_a_clear_error(tmp_path, monkeypatch, no_network):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", kwargs.get("dir"))

    monkeypatch.setattr(_files.tempfile, "mkstemp", refuse)
    with pytest.raises(DatasetNotFoundError, match="(?s)Permission denied.*GLASSNET_DATA"):
        mnist.load_data(tmp_path / "mnist")
    assert no_network == []


# --------------------------------------------------------------------------- iris and toys

def test_iris_counts_means_and_names():
    x, y = iris.load_data()
    assert x.shape == (150, 4) and x.dtype == np.float32
    assert y.shape == (150,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    np.testing.assert_allclose(x.mean(axis=0), [5.843, 3.057, 3.758, 1.199], atol=5e-4)
    np.testing.assert_allclose(x[y == 0].mean(axis=0), [5.006, 3.428, 1.462, 0.246], atol=5e-4)
    x2, y2, features, classes = iris.load_data(return_names=True)
    assert features == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert classes == ("setosa", "versicolor", "virginica")
    np.testing.assert_array_equal(x2, x)


def test_logic_gates():
    expected = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0],
                "nand": [1, 1, 1, 0]}
    for name, want in expected.items():
        x, y = toy.logic_gate(name.upper() if name == "xor" else name)
        assert x.shape == (4, 2) and y.shape == (4, 1)
        assert x.dtype == np.float32 and y.dtype == np.float32
        np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
        np.testing.assert_array_equal(y.ravel(), want)
    with pytest.raises(ValueError, match="xor.*received 'xorr'"):
        toy.logic_gate("xorr")


def test_linear_regression_points_give_the_course_line():
    x, y = toy.linear_regression_points()
    assert x.shape == y.shape == (8,) and x.dtype == np.float32
    x64, y64 = toy.linear_regression_points("float64")
    a = np.stack([x64, np.ones_like(x64)], axis=1)
    w, b = np.linalg.solve(a.T @ a, a.T @ y64)
    assert round(w, 8) == 0.87493126 and round(b, 8) == -26.79078617


@pytest.mark.parametrize("make, kwargs, classes", [
    (toy.make_moons, {"noise": 0.1}, 2),
    (toy.make_circles, {"noise": 0.05, "factor": 0.5}, 2),
    (toy.make_spiral, {"classes": 4, "noise": 0.2}, 4),
])
def test_2d_shapes(make, kwargs, classes):
    x, y = make(101, seed=3, **kwargs)
    assert x.shape == (101, 2) and x.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(classes))
    assert abs(np.bincount(y).max() - np.bincount(y).min()) <= 1
    x2, y2 = make(101, seed=3, **kwargs)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    x3, _ = make(101, seed=4, **kwargs)
    assert not np.array_equal(x, x3)


def test_2d_shapes_geometry_without_noise():
    x, y = toy.make_circles(100, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(*x[y == 0].T), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(*x[y == 1].T), 0.3, atol=1e-6)
    x, y = toy.make_moons(100, seed=0, shuffle=False)
    np.testing.assert_allclose(np.hypot(*x[:50].T), 1.0, atol=1e-6)
    assert (x[:50, 1] >= -1e-6).all()
    x, y = toy.make_spiral(30, classes=3, noise=0.0, seed=0)
    assert np.hypot(*x.T).max() <= 1.0 + 1e-6
    with pytest.raises(ValueError, match="factor"):
        toy.make_circles(10, factor=1.5)
    with pytest.raises(ValueError, match="noise"):
        toy.make_moons(10, noise=-1)
    with pytest.raises(ValueError, match="classes"):
        toy.make_spiral(10, classes=1)


# --------------------------------------------------------------------------- CSV tables

CLAIMS = """id,age,premium,region,fraud
1,34,1200.5,north,Y
2,,980,south,N
3,51,NA,north,N
4,29,1500,,Y
5,45,1100,south,N
"""


def test_load_table_label_drop_and_missing(tmp_path, caplog):
    path = tmp_path / "claims.csv"
    path.write_text(CLAIMS)
    caplog.set_level("INFO", logger="glassnet.datasets")
    table = load_table(path, label="fraud", drop=["id", "region"])
    x, y, names = table
    assert names == ["age", "premium"]
    assert x.dtype == np.float32 and x.shape == (5, 2)
    np.testing.assert_array_equal(x[1], [0, 980])
    np.testing.assert_array_equal(x[2], [51, 0])
    assert table.missing_filled == 2 and table.missing_by_column == {"age": 1, "premium": 1}
    assert table.classes == ["N", "Y"]
    np.testing.assert_array_equal(y, [1, 0, 0, 1, 0])
    assert "filled 2 missing" in caplog.text
    assert "rows=5" in repr(table)

    filled = load_table(path, label="fraud", drop=["id", "region"], fill_missing=-1.0)
    assert filled.x[1, 0] == -1.0
    with pytest.raises(ValueError, match="line 3.*'age'.*fill_missing is None"):
        load_table(path, label="fraud", drop=["id", "region"], fill_missing=None)


def test_load_table_text_columns(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(CLAIMS)
    with pytest.raises(ValueError, match=r"claims.csv, line 2: column 'region' is not numeric"):
        load_table(path, label="fraud", drop="id")
    codes = load_table(path, label="fraud", drop="id", categorical="codes")
    assert codes.feature_names == ["age", "premium", "region"]
    np.testing.assert_array_equal(codes.x[:, 2], [0, 1, 0, 0, 1])  # missing region -> 0
    assert codes.categories == {"region": ["north", "south"]}
    onehot = load_table(path, label="fraud", drop="id", categorical="onehot")
    assert onehot.feature_names == ["age", "premium", "region=north", "region=south"]
    np.testing.assert_array_equal(onehot.x[:, 2:], [[1, 0], [0, 1], [1, 0], [0, 0], [0, 1]])
    assert onehot.missing_by_column["region"] == 1


def test_load_table_label_types_and_errors(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n1,2,0\n3,4,1\n")
    x, y, names = load_table(path, label="c")
    assert y.dtype == np.int64 and names == ["a", "b"]
    path.write_text("a,b,c\n1,2,0.5\n3,4,1.5\n")
    assert load_table(path, label="c").y.dtype == np.float32
    x, y, names = load_table(path)
    assert y is None and x.shape == (2, 3)
    with pytest.raises(ValueError, match=r"\['nope'\].*\['a', 'b', 'c'\]"):
        load_table(path, label="nope")
    with pytest.raises(ValueError, match="drop"):
        load_table(path, label="a", drop=["a"])
    path.write_text("a,b,c\n1,2,0\n3,4\n")
    with pytest.raises(ValueError, match="t.csv, line 3: expected 3 fields.*received 2"):
        load_table(path)
    path.write_text("a,b,c\n1,2,\n")
    with pytest.raises(ValueError, match="label column 'c' has a missing value"):
        load_table(path, label="c")
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        load_table(tmp_path / "missing.csv")


def test_csv_alias_is_the_tabular_module():
    import glassnet.datasets as datasets
    from glassnet.datasets.csv import load_table as alias_load_table
    assert datasets.csv is datasets.tabular
    assert alias_load_table is load_table


# --------------------------------------------------------------------------- price series

PRICES = """,Open,High,Low,Close,Volume
2004-08-19,100,104.06,95.96,100.34,22351900
2004-08-20,101.01,109.08,100.5,108.31,11428600
"""


def test_stocks_load_csv_and_by_name(tmp_path, monkeypatch):
    (tmp_path / "stocks").mkdir()
    path = tmp_path / "stocks" / "DEMO.csv"
    path.write_text(PRICES)
    series = stocks.load_csv(path)
    assert series.columns == ("Open", "High", "Low", "Close", "Volume")
    assert series.values.dtype == np.float32 and series.values.shape == (2, 5)
    assert series.dates.dtype == np.dtype("datetime64[D]")
    assert series.dates[1] == np.datetime64("2004-08-20")
    np.testing.assert_allclose(series["Close"], [100.34, 108.31], rtol=1e-6)
    assert len(series) == 2 and "DEMO" in repr(series)
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path))
    assert stocks.load_data("DEMO").name == "DEMO"
    assert stocks.load_data("DEMO.csv", path=tmp_path).name == "DEMO"
    with pytest.raises(DatasetNotFoundError, match="no file .*GOOG.csv.*available there: DEMO"):
        stocks.load_data("GOOG")
    with pytest.raises(KeyError, match="Adj Close"):
        series["Adj Close"]


def test_stocks_bad_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(",Open,Close\n2020-01-01,1,x\n")
    with pytest.raises(ValueError, match="bad.csv, line 2.*'x'"):
        stocks.load_csv(path)
    path.write_text(",Open,Close\nyesterday,1,2\n")
    with pytest.raises(ValueError, match="bad.csv.*'yesterday'"):
        stocks.load_csv(path)
    path.write_text(",Open,Close\n2020-01-01 10:00:00,1,nan\n")
    with pytest.raises(ValueError, match="2020-01-01 10:00:00.*missing"):
        stocks.load_csv(path)


# --------------------------------------------------------------------------- real files

needs_shared = pytest.mark.skipif(not (SHARED / "mnist").is_dir(),
                                  reason=f"shared data folder not found at {SHARED}")


@pytest.fixture(scope="module")
def real_mnist():
    return mnist.load_data(SHARED / "mnist", download=False)


@needs_shared
def test_real_mnist(real_mnist):
    (x_train, y_train), (x_test, y_test) = real_mnist
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == y_train.dtype == np.uint8
    np.testing.assert_array_equal(y_test[:10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    np.testing.assert_array_equal(
        np.bincount(y_train), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    assert x_train.max() == 255 and x_train.min() == 0


@needs_shared
def test_real_fashion_mnist_via_data_root():
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(data_dir=SHARED, download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)


@needs_shared
def test_real_stocks(monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(SHARED))
    goog = stocks.load_data("GOOG")
    assert goog.values.shape == (2148, 5) and goog.dates[0] == np.datetime64("2004-08-19")
    eurusd = stocks.load_data("EURUSD")
    assert eurusd.values.shape[1] == 5 and eurusd.dates.dtype == np.dtype("datetime64[s]")
    assert (np.diff(eurusd.dates) > np.timedelta64(0, "s")).all()
