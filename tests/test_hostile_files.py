"""Hostile and malformed files: model files, weights, backups and data files are refused with
an error that names the file and what is wrong, nothing in them runs, and memory stays bounded.

The bombs are built here, in a few milliseconds and without allocating what they inflate to:
a deflate stream of N MiB of zeros is one compressed MiB repeated N times (after a full flush
the compressor's output for the same input repeats exactly). The cases that would blow up
memory run in a subprocess under ``resource.setrlimit(RLIMIT_AS, baseline + 1 GiB)``.
"""
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.callbacks import BackupAndRestore
from glassnet.datasets._files import DataIntegrityError
from glassnet.models import ModelFileError, load_model

MIB = 1 << 20


# ----------------------------------------------------------------------------- building bombs
def deflate_zeros(mib: int, prefix: bytes = b"") -> bytes:
    """A raw deflate stream inflating to ``prefix`` + ``mib`` MiB of zeros (about 1 KB per MiB)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(MIB)
    first = c.compress(prefix + zeros) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    return first + again * (mib - 2) + c.compress(zeros) + c.flush()


def gzip_zeros(mib: int, prefix: bytes = b"") -> bytes:
    """A .gz file inflating to ``prefix`` + ``mib`` MiB of zeros (its CRC is not even right)."""
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + deflate_zeros(mib, prefix) + struct.pack("<II", 0, 0)


def write_zip(path, members) -> None:
    """A zip file from ``(name, data, declared size, method)``: ``data`` is stored as given
    (already deflated for method 8), so the declared size may be anything (zip64 above 4 GiB)."""
    with open(path, "wb") as f:
        central = []
        for name, data, size, method in members:
            offset, raw = f.tell(), name.encode()
            crc = zlib.crc32(data) if method == 0 else 0
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, method, 0, 0, crc, min(len(data), 0xFFFFFFFF),
                                min(size, 0xFFFFFFFF), len(raw), 0) + raw + data)
            central.append((raw, offset, size, len(data), method, crc))
        start = f.tell()
        for raw, offset, size, packed, method, crc in central:
            extra = struct.pack("<HHQ", 1, 8, size) if size >= 0xFFFFFFFF else b""
            f.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, method, 0, 0, crc, packed,
                                0xFFFFFFFF if extra else size, len(raw), len(extra), 0, 0, 0, 0, offset) + raw + extra)
        end = f.tell()
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), end - start, start, 0))


def npy_header(shape, dtype="<f4") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def saved_model(tmp_path, name="m.glassnet"):
    gn.utils.set_random_seed(0)
    model = gn.Sequential([layers.Input((6,)), layers.Dense(8, activation="relu", name="hidden"),
                           layers.Dense(3, name="out")])
    model.compile(optimizer="adam", loss="mse")
    path = tmp_path / name
    model.save(path)
    return model, path


def members(path) -> dict:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def rewrite(path, **changes) -> None:
    content = members(path)
    content.update(changes)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in content.items():
            z.writestr(name, data)


def bomb_model(path, weights_member: bytes, size: int, method: int) -> None:
    """A model file whose weights.npz member is ``weights_member`` declaring ``size`` bytes."""
    _, good = saved_model(path.parent, "good-" + path.name)
    content = members(good)
    write_zip(path, [("metadata.json", content["metadata.json"], len(content["metadata.json"]), 0),
                     ("config.json", content["config.json"], len(content["config.json"]), 0),
                     ("weights.npz", weights_member, size, method)])


# ----------------------------------------------------------------------------- capped subprocess
CHILD = r"""
import json, resource, sys
import numpy as np
import glassnet as gn
from glassnet.callbacks import BackupAndRestore
from glassnet.datasets._files import read_verified
from glassnet.datasets._idx import read_idx
from glassnet.models import load_model
from glassnet import layers

def vm():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()
cap = vm() + (1 << 30)
resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

def backup(path):
    model = gn.Sequential([layers.Input((6,)), layers.Dense(8), layers.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((4, 6), np.float32)
    model.fit(x, np.zeros((4, 3), np.float32), epochs=1, verbose=0, callbacks=[BackupAndRestore(path)])

readers = {"model": load_model, "idx": read_idx, "gz": read_verified, "backup": backup}
results = {}
for case, (kind, path) in json.loads(sys.argv[1]).items():
    try:
        readers[kind](path)
        results[case] = ["no error", ""]
    except Exception as err:
        results[case] = [type(err).__name__, str(err)]
growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) * 1024
print(json.dumps({"results": results, "rss_growth": growth}))
"""


@pytest.fixture(scope="module")
def capped_results(tmp_path_factory):
    """Every memory-hostile case, read once in one subprocess capped at baseline + 1 GiB."""
    tmp = tmp_path_factory.mktemp("hostile")
    cases = {}
    # a model whose weights.npz inflates to 3 GiB, and to 9 GiB (zip64), from a few MB
    for gib in (3, 9):
        path = tmp / f"bomb{gib}.glassnet"
        bomb_model(path, deflate_zeros(gib * 1024), gib << 30, 8)
        cases[f"model_{gib}gib"] = ("model", str(path))
    # weights.npz stored, but its array member a 3 GiB bomb of its own (a nested bomb)
    inner = tmp / "inner.npz"
    write_zip(inner, [("dense/kernel.npy", deflate_zeros(3072, npy_header((3 << 28,)).ljust(128)), 3 << 30, 8)])
    path = tmp / "nested.glassnet"
    bomb_model(path, inner.read_bytes(), inner.stat().st_size, 0)
    cases["model_nested"] = ("model", str(path))
    # an array header declaring 10**12 floats followed by 40 bytes
    inner = tmp / "liar.npz"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("dense/kernel.npy", npy_header((10**6, 10**6)) + bytes(40))
    path = tmp / "liar.glassnet"
    bomb_model(path, inner.read_bytes(), inner.stat().st_size, 0)
    cases["model_array_header"] = ("model", str(path))
    # a 2 KB config declaring a layer of 400 GB: the file's arrays are the small model's
    _, path = saved_model(tmp, "huge-layer.glassnet")
    config = json.loads(members(path)["config.json"])
    config["config"]["input_shape"] = [None, 100_000]
    config["config"]["layers"][0]["config"]["units"] = 1_000_000
    rewrite(path, **{"config.json": json.dumps(config)})
    cases["model_huge_layer"] = ("model", str(path))
    # IDX: a small header then 3 GiB of zeros; an honest-looking header declaring 3 GiB
    path = tmp / "labels-idx1-ubyte.gz"
    path.write_bytes(gzip_zeros(3072, bytes([0, 0, 8, 1, 0, 0, 0, 10])))
    cases["idx_bomb"] = ("idx", str(path))
    path = tmp / "images-idx1-ubyte.gz"
    path.write_bytes(gzip_zeros(3072, bytes([0, 0, 8, 1]) + struct.pack(">I", 3 << 30)))
    cases["idx_declared"] = ("idx", str(path))
    path = tmp / "table.csv.gz"
    path.write_bytes(gzip_zeros(3072))
    cases["gz_bomb"] = ("gz", str(path))
    # a training backup whose weights inflate to 3 GiB
    folder = tmp / "backup"
    folder.mkdir()
    write_zip(folder / "backup.npz", [("weight:0.npy", deflate_zeros(3072, npy_header((3 << 28,)).ljust(128)),
                                       3 << 30, 8)])
    cases["backup_bomb"] = ("backup", str(folder))
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(cases)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case, error, words", [
    ("model_3gib", "ModelFileError", ["bomb3.glassnet", "weights.npz", "3221225472", "zip bomb"]),
    ("model_9gib", "ModelFileError", ["bomb9.glassnet", "weights.npz", "9663676416", "limit"]),
    ("model_nested", "ModelFileError", ["nested.glassnet", "dense/kernel.npy", "zip bomb"]),
    ("model_array_header", "ModelFileError", ["liar.glassnet", "'dense/kernel'", "truncated", "(1000000, 1000000)"]),
    ("model_huge_layer", "ModelFileError", ["huge-layer.glassnet", "(100000, 1000000)", "(6, 8)", "before allocating"]),
    ("idx_bomb", "DataIntegrityError", ["labels-idx1-ubyte.gz", "IDX header declares"]),
    ("idx_declared", "DataIntegrityError", ["images-idx1-ubyte.gz", "gzip bomb"]),
    ("gz_bomb", "DataIntegrityError", ["table.csv.gz", "inflates to more than", "MAX_INFLATED_BYTES"]),
    ("backup_bomb", "ValueError", ["backup.npz", "weight:0.npy", "zip bomb"]),
])
def test_bombs_are_refused_by_name_with_bounded_memory(capped_results, case, error, words):
    kind, message = capped_results["results"][case]
    assert kind == error, message
    for word in words:
        assert word in message, (word, message)


def test_bombs_never_inflate(capped_results):
    # all nine hostile files together grew the reader by far less than any of them inflates to
    assert capped_results["rss_growth"] < 400 * MIB


# ----------------------------------------------------------------------------- malformed model files
@pytest.mark.parametrize("version", ["1", None, -7, True, 0, 1.0])
def test_invalid_format_versions(tmp_path, version):
    _, path = saved_model(tmp_path)
    metadata = json.loads(members(path)["metadata.json"])
    metadata["format_version"] = version
    rewrite(path, **{"metadata.json": json.dumps(metadata)})
    with pytest.raises(ModelFileError, match=f"m.glassnet: invalid format version {version!r}.*expected an integer"):
        load_model(path)


def test_a_newer_format_version_says_upgrade(tmp_path):
    _, path = saved_model(tmp_path)
    metadata = json.loads(members(path)["metadata.json"])
    metadata["format_version"] = 2
    rewrite(path, **{"metadata.json": json.dumps(metadata)})
    with pytest.raises(ModelFileError, match="format version 2 is newer.*upgrade glassnet"):
        load_model(path)


def functional_file(tmp_path):
    a = layers.Input((3,), name="a")
    out = layers.Dense(2, name="out")(layers.Lambda(gn.ops.tanh, name="squash")(a))
    model = gn.Model(a, out)
    path = tmp_path / "f.glassnet"
    model.save(path)
    return path, json.loads(members(path)["config.json"])


def edit(config, change):
    change(config)
    return config


@pytest.mark.parametrize("change, where, expected", [
    (lambda c: c["config"].pop("input_layers"), "config.input_layers", "layer references"),
    (lambda c: c["config"].pop("output_layers"), "config.output_layers", "layer references"),
    (lambda c: c["config"]["layers"][1].pop("name"), r"config.layers\[1\].name", "the layer's name"),
    (lambda c: c.update(build_input_shape=[]), "build_input_shape", "a shape"),
    (lambda c: c.update(build_input_shape=5), "build_input_shape", "a shape"),
    (lambda c: c["config"]["layers"][1]["config"].update(function={"x": 1}),
     r"config.layers\[1\].config.function", "the name of a glassnet op"),
    (lambda c: c["config"]["layers"].append(7), r"config.layers\[3\]", "a layer entry"),
    (lambda c: c["config"]["layers"][2]["config"].update(name=["x"]), r"config.layers\[2\].config.name", "a string"),
])
def test_malformed_configs_say_where_what_and_found(tmp_path, change, where, expected):
    path, config = functional_file(tmp_path)
    rewrite(path, **{"config.json": json.dumps(edit(config, change))})
    with pytest.raises(ModelFileError, match=f"f.glassnet: config.json: {where}: expected .*{expected}.*found"):
        load_model(path)


@pytest.mark.parametrize("name", ["__init__", "__class__", "_util", "Tensor", "shape"])
def test_lambda_functions_resolve_only_to_public_ops(tmp_path, name):
    path, config = functional_file(tmp_path)
    config["config"]["layers"][1]["config"]["function"] = name
    rewrite(path, **{"config.json": json.dumps(config)})
    with pytest.raises(ModelFileError, match=f"function '{name}' is not a glassnet op"):
        load_model(path)


def weights_with(path, **arrays_bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        with zipfile.ZipFile(io.BytesIO(members(path)["weights.npz"])) as old:
            for name in old.namelist():
                z.writestr(name, arrays_bytes.pop(name, old.read(name)))
        for name, data in arrays_bytes.items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_a_truncated_array_is_reported_as_truncated(tmp_path):
    _, path = saved_model(tmp_path)
    with zipfile.ZipFile(io.BytesIO(members(path)["weights.npz"])) as z:
        kernel = z.read("hidden/kernel.npy")
    rewrite(path, **{"weights.npz": weights_with(path, **{"hidden/kernel.npy": kernel[:-20]})})
    with pytest.raises(ModelFileError, match=r"weights.npz: array 'hidden/kernel' is truncated.*\(6, 8\)"):
        load_model(path)


def test_a_member_that_is_not_an_array_is_named(tmp_path):
    _, path = saved_model(tmp_path)
    rewrite(path, **{"weights.npz": weights_with(path, **{"notes.txt": b"hello"})})
    with pytest.raises(ModelFileError, match="member 'notes.txt' is not an array"):
        load_model(path)
    _, path = saved_model(tmp_path)
    rewrite(path, **{"weights.npz": weights_with(path, **{"fake.npy": b"not an array at all"})})
    with pytest.raises(ModelFileError, match="member 'fake.npy' is not a readable array"):
        load_model(path)


def test_object_arrays_need_pickle_and_are_refused(tmp_path):
    _, path = saved_model(tmp_path)
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    rewrite(path, **{"weights.npz": weights_with(path, **{"hidden/kernel.npy": buffer.getvalue()})})
    with pytest.raises(ModelFileError, match="'hidden/kernel' holds Python objects.*need pickle"):
        load_model(path)


def test_a_weight_missing_from_the_file_is_refused_before_allocation(tmp_path):
    _, path = saved_model(tmp_path)
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as z, zipfile.ZipFile(io.BytesIO(members(path)["weights.npz"])) as old:
        for name in old.namelist():
            if not name.startswith("out/"):
                z.writestr(name, old.read(name))
    rewrite(path, **{"weights.npz": content.getvalue()})
    with pytest.raises(ModelFileError, match=r"makes a weight out/kernel of shape \(8, 3\) that weights.npz does "
                                             r"not hold"):
        load_model(path)


def test_saved_weights_are_stored_uncompressed_and_load_back(tmp_path):
    model, path = saved_model(tmp_path)
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("weights.npz").compress_type == zipfile.ZIP_STORED
    x = np.ones((2, 6), np.float32)
    np.testing.assert_array_equal(load_model(path).predict(x), model.predict(x))


# ----------------------------------------------------------------------------- interrupted saves
def test_leftover_temporary_files_are_removed_on_the_next_save(tmp_path):
    model, path = saved_model(tmp_path)
    leftover = tmp_path / ".glassnet-abc123.tmp"  # what a killed save leaves behind
    leftover.write_bytes(b"half a model")
    os.utime(leftover, (0, 0))
    model.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.glassnet"]


def test_a_temporary_file_being_written_is_left_alone(tmp_path):
    import fcntl
    model, path = saved_model(tmp_path)
    live = tmp_path / ".glassnet-live.tmp"
    with open(live, "wb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # another process's save in progress
        os.utime(live, (0, 0))
        model.save(path)
        assert live.exists()


# ----------------------------------------------------------------------------- backups
def test_a_backup_of_another_model_says_so_and_how_to_discard_it(tmp_path):
    def model_of(units):
        gn.utils.set_random_seed(0)
        m = gn.Sequential([layers.Input((3,)), layers.Dense(units), layers.Dense(2)])
        m.compile(optimizer="sgd", loss="mse")
        return m

    x, y = np.zeros((4, 3), np.float32), np.zeros((4, 2), np.float32)
    model_of(4).fit(x, y, epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path, delete_checkpoint=False)])
    other = model_of(5)  # as many weights, other shapes
    with pytest.raises(ValueError, match=r"belongs to another model: weight 0 is .* of shape \(3, 4\) .* \(3, 5\)"
                                         r".*delete that file, or give this run its own backup_dir"):
        other.fit(x, y, epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path)])


# ----------------------------------------------------------------------------- data files
def test_a_gzip_file_inflating_past_its_idx_header_is_refused(tmp_path):
    from glassnet.datasets._idx import read_idx
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip_zeros(4, bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1])))
    with pytest.raises(DataIntegrityError, match="t10k-labels-idx1-ubyte.gz: the gzip file inflates to more than"):
        read_idx(path)
