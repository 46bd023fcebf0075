"""TensorBoard event files (``glassnet.utils.event_file``) and the ``TensorBoard`` callback.

What the writer wrote is read back with ``tests/event_file_reader.py``.
"""
import os
import struct
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.callbacks.tensorboard import TensorBoard
from glassnet.utils import event_file as ef

from event_file_reader import EventFileError, read_events, read_scalars


# ------------------------------------------------------------------------------ CRC-32C
@pytest.mark.parametrize("data, expected", [
    (b"123456789", 0xE3069283),            # the standard check value of CRC-32C
    (b"", 0x00000000),
    (bytes(32), 0x8A9136AA),               # RFC 3720 (iSCSI) appendix B.4 test vectors
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (bytes(range(31, -1, -1)), 0x113FDB5C),
])
def test_crc32c_known_vectors(data, expected):
    assert ef.crc32c(data) == expected


def test_masked_crc_is_rotation_plus_constant():
    crc = 0xE3069283
    rotated = ((crc >> 15) | (crc << 17)) & 0xFFFFFFFF
    assert ef.masked_crc32c(b"123456789") == (rotated + 0xA282EAD8) & 0xFFFFFFFF


def test_record_framing_layout():
    record = ef.frame_record(b"abc")
    assert len(record) == 8 + 4 + 3 + 4
    assert record[:8] == struct.pack("<Q", 3)
    assert struct.unpack("<I", record[8:12])[0] == ef.masked_crc32c(struct.pack("<Q", 3))
    assert record[12:15] == b"abc"
    assert struct.unpack("<I", record[15:])[0] == ef.masked_crc32c(b"abc")


# ------------------------------------------------------------------------------ protobuf
def test_scalar_event_matches_hand_derived_bytes():
    summary = ef.encode_summary([ef.encode_scalar_value("loss", 0.25)])
    got = ef.encode_event(1.5, 3, summary=summary)
    expected = bytes.fromhex(
        "09" "000000000000f83f"     # field 1 (wall_time), wire type 1: double 1.5
        "10" "03"                   # field 2 (step), wire type 0: varint 3
        "2a" "0d"                   # field 5 (summary), wire type 2, 13 bytes
        "0a" "0b"                   #   Summary field 1 (value), 11 bytes
        "0a" "04" "6c6f7373"        #     Value field 1 (tag) "loss"
        "15" "0000803e"             #     Value field 2 (simple_value), wire type 5: float 0.25
    )
    assert got == expected


def test_file_version_varints_and_defaults():
    assert ef.encode_event(0.0, 0, file_version="brain.Event:2") == b"\x1a\x0d" + b"brain.Event:2"
    assert ef.encode_event(0.0, 300) == b"\x10\xac\x02"                  # 300 = AC 02
    assert ef.encode_event(0.0, -1) == b"\x10" + b"\xff" * 9 + b"\x01"  # int64 two's complement
    # simple_value is in a oneof: 0.0 is still written
    assert ef.encode_scalar_value("a", 0.0) == b"\x0a\x01a\x15\x00\x00\x00\x00"


def test_histogram_packed_doubles():
    got = ef.encode_histogram(min=-1.0, max=1.0, num=2.0, sum=0.0, sum_squares=2.0,
                              bucket_limit=[0.0, 1.0], bucket=[1.0, 1.0])
    d = lambda x: struct.pack("<d", x)  # noqa: E731
    expected = (b"\x09" + d(-1.0) + b"\x11" + d(1.0) + b"\x19" + d(2.0)   # sum == 0: left out
                + b"\x29" + d(2.0)
                + b"\x32\x10" + d(0.0) + d(1.0) + b"\x3a\x10" + d(1.0) + d(1.0))
    assert got == expected


def test_encoding_matches_official_protobuf_when_installed():
    event_pb2 = pytest.importorskip("tensorboard.compat.proto.event_pb2")
    stats = ef.histogram_stats(np.arange(10.0), bins=3)
    ours = ef.encode_event(12.5, 7, summary=ef.encode_summary([
        ef.encode_scalar_value("loss", 0.5),
        ef.encode_histogram_value("w", ef.encode_histogram(**stats))]))
    ref = event_pb2.Event(wall_time=12.5, step=7)
    ref.summary.value.add(tag="loss", simple_value=0.5)
    h = ref.summary.value.add(tag="w").histo
    h.min, h.max, h.num, h.sum, h.sum_squares = (stats[k] for k in ("min", "max", "num", "sum", "sum_squares"))
    h.bucket_limit.extend(stats["bucket_limit"])
    h.bucket.extend(stats["bucket"])
    assert ours == ref.SerializeToString()


# ------------------------------------------------------------------------------ writer and reader
def test_round_trip(tmp_path):
    values = np.random.default_rng(0).standard_normal(1000)
    with ef.EventFileWriter(tmp_path) as writer:
        writer.add_scalar("loss", 0.75, step=0)
        writer.add_scalar("loss", np.float32(0.5), step=1)
        writer.add_scalar("zero", 0, step=2)
        assert writer.add_histogram("w", values, step=3, bins=10)
        assert not writer.add_histogram("nan", [np.nan], step=3)   # nothing finite: not written
        path = writer.path
    assert os.path.basename(path).startswith("events.out.tfevents.")
    assert path.endswith(".glassnet")
    events = read_events(path)
    assert events[0]["file_version"] == "brain.Event:2" and events[0]["step"] == 0
    assert [e["step"] for e in events[1:]] == [0, 1, 2, 3]
    assert read_scalars(tmp_path) == {"loss": [(0, 0.75), (1, 0.5)], "zero": [(2, 0.0)]}
    histo = events[-1]["summary"]["value"][0]["histo"]
    counts, edges = np.histogram(values, bins=10)
    assert histo["num"] == 1000 and histo["min"] == values.min() and histo["max"] == values.max()
    assert histo["sum"] == pytest.approx(values.sum()) and histo["sum_squares"] == pytest.approx(values @ values)
    np.testing.assert_array_equal(histo["bucket"], counts)
    np.testing.assert_allclose(histo["bucket_limit"], edges[1:])


def test_constant_histogram_is_one_bucket(tmp_path):
    with ef.EventFileWriter(tmp_path) as writer:
        writer.add_histogram("b", np.zeros(5), step=0)
    histo = read_events(tmp_path)[1]["summary"]["value"][0]["histo"]
    assert (histo["min"], histo["max"], histo["num"], histo["bucket_limit"], histo["bucket"]) == \
        (0.0, 0.0, 5.0, [0.0], [5.0])


def test_writers_in_one_directory_get_distinct_files(tmp_path):
    with ef.EventFileWriter(tmp_path) as a, ef.EventFileWriter(tmp_path) as b:
        assert a.path != b.path


def test_corruption_is_detected(tmp_path):
    with ef.EventFileWriter(tmp_path) as writer:
        writer.add_scalar("loss", 1.0, step=0)
        path = writer.path
    good = open(path, "rb").read()
    first_record = 12 + struct.unpack("<Q", good[:8])[0] + 4
    for index, what in [(first_record + 14, "CRC of the data"),    # a byte of the second event
                        (first_record + 2, "CRC of the length")]:  # its length field
        bad = bytearray(good)
        bad[index] ^= 0x01
        open(path, "wb").write(bytes(bad))
        with pytest.raises(EventFileError, match=f"record 1 at byte {first_record}: the {what}"):
            read_events(path)
    open(path, "wb").write(good[:-2])
    with pytest.raises(EventFileError, match="truncated"):
        read_events(path)


def test_writer_checks_arguments_and_close(tmp_path):
    writer = ef.EventFileWriter(tmp_path)
    with pytest.raises(TypeError, match="number"):
        writer.add_scalar("loss", "high", step=0)
    with pytest.raises(TypeError, match="step"):
        writer.add_scalar("loss", 1.0, step=1.5)
    with pytest.raises(TypeError, match="tag"):
        writer.add_scalar("", 1.0, step=0)
    writer.close()
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.add_scalar("loss", 1.0, step=0)


# ------------------------------------------------------------------------------ the callback
def _fit(log_dir, epochs=3, **kwargs):
    gn.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((48, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = gn.Sequential([layers.Input((3,)), layers.Dense(4, activation="relu"),
                           layers.Dense(2, activation="softmax")])
    model.compile(optimizer=gn.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x[:32], y[:32], epochs=epochs, batch_size=8, verbose=0,
                        validation_data=(x[32:], y[32:]), callbacks=[TensorBoard(log_dir, **kwargs)])
    return model, history


def test_callback_writes_train_and_validation_runs(tmp_path):
    model, history = _fit(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, val = read_scalars(tmp_path / "train"), read_scalars(tmp_path / "validation")
    assert set(train) == {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"}
    assert set(val) == {"epoch_loss", "epoch_accuracy"}
    h = history.history
    f32 = lambda values: [float(np.float32(v)) for v in values]  # noqa: E731  (simple_value is a float)
    for name in ("loss", "accuracy"):
        assert [s for s, _ in train[f"epoch_{name}"]] == [0, 1, 2]
        assert [v for _, v in train[f"epoch_{name}"]] == f32(h[name])
        assert [v for _, v in val[f"epoch_{name}"]] == f32(h[f"val_{name}"])
    assert [v for _, v in train["epoch_learning_rate"]] == f32([0.05] * 3)
    assert not any("histo" in v for e in read_events(tmp_path / "train")
                   for v in e.get("summary", {}).get("value", []))


def test_callback_histograms_and_batch_scalars(tmp_path):
    model, _ = _fit(tmp_path, histogram_freq=1, update_freq=2)
    histograms = {}
    for event in read_events(tmp_path / "train"):
        for value in event.get("summary", {}).get("value", []):
            if "histo" in value:
                histograms.setdefault(value["tag"], []).append((event["step"], value["histo"]))
    sizes = {w.name: w.data.size for w in model.weights}
    assert set(histograms) == set(sizes) and len(sizes) == 4   # tagged "dense/kernel"...
    for tag, items in histograms.items():
        assert [step for step, _ in items] == [0, 1, 2]
        assert all(h["num"] == sizes[tag] for _, h in items)
        assert sum(items[-1][1]["bucket"]) == sizes[tag]
    # 4 batches per epoch, every 2nd batch: global steps 2, 4, ..., 12
    batch = read_scalars(tmp_path / "train")["batch_loss"]
    assert [s for s, _ in batch] == [2, 4, 6, 8, 10, 12]


def test_callback_without_validation_and_arguments(tmp_path):
    gn.utils.set_random_seed(0)
    model = gn.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=2, verbose=0,
              callbacks=[TensorBoard(tmp_path, histogram_freq=2)])
    assert os.listdir(tmp_path) == ["train"]   # no empty validation run
    steps = [e["step"] for e in read_events(tmp_path / "train")
             for v in e.get("summary", {}).get("value", []) if "histo" in v]
    assert steps == [0, 0]                     # epochs 0, 2, 4...: only epoch 0 of 2
    with pytest.warns(UserWarning, match="write_graph is not supported"):
        TensorBoard(tmp_path, write_graph=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TensorBoard(tmp_path)
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(tmp_path, update_freq="sometimes")
    with pytest.raises(ValueError, match="histogram_freq"):
        TensorBoard(tmp_path, histogram_freq=-1)


def test_tensorboard_reads_our_files(tmp_path):
    """TensorBoard's own reader (which checks the CRCs) loads the callback's files."""
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    model, history = _fit(tmp_path, histogram_freq=1)
    train = EventAccumulator(str(tmp_path / "train"), size_guidance={"scalars": 0, "histograms": 0})
    train.Reload()
    val = EventAccumulator(str(tmp_path / "validation"), size_guidance={"scalars": 0})
    val.Reload()
    assert set(train.Tags()["scalars"]) == {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"}
    assert set(val.Tags()["scalars"]) == {"epoch_loss", "epoch_accuracy"}
    for acc, prefix in ((train, ""), (val, "val_")):
        loss = acc.Scalars("epoch_loss")
        assert [e.step for e in loss] == [0, 1, 2]
        np.testing.assert_allclose([e.value for e in loss], history.history[prefix + "loss"], rtol=1e-6)
    weight = model.weights[0]
    histograms = train.Histograms(weight.name)
    assert [h.step for h in histograms] == [0, 1, 2]
    assert histograms[-1].histogram_value.num == weight.data.size
    assert histograms[-1].histogram_value.min == pytest.approx(float(weight.data.min()))
