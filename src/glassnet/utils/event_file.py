"""Writing TensorBoard event files with nothing but the standard library and NumPy.

TensorBoard draws its curves from *event files*: files whose name contains ``tfevents``
(``events.out.tfevents.1717171717.myhost.4242.glassnet``), one directory per run
(``logs/train``, ``logs/validation``). This module writes them without TensorFlow or the
``protobuf`` package, so the whole format fits on one page. There are two layers.

**1. Records (the TFRecord framing).** The file is a sequence of records, each::

    uint64  length            little-endian: the number of bytes in ``data``
    uint32  masked_crc(length bytes)
    bytes   data              ``length`` bytes: one serialized ``Event`` message
    uint32  masked_crc(data)

The CRC is CRC-32C (Castagnoli), not the CRC-32 of zip files, and is "masked"::

    masked = ((crc >> 15) | (crc << 17)) + 0xA282EAD8    (mod 2**32)

(the mask makes a CRC of data that itself contains CRCs look different). The two checksums let
a reader tell a half-written last record (the writer is still running) from a corrupted file.

**2. Messages (protocol buffers).** Each record's data is an ``Event``, encoded with Google's
protocol-buffer wire format. A message is a list of fields; each field is a *key* then a value.
The key is the varint ``(field_number << 3) | wire_type``; the wire type says how to read the
value:

========= ============================ =====================================================
wire type value                        used here for
========= ============================ =====================================================
0         varint                       int64 (``step``)
1         8 bytes little-endian        double (``wall_time``, histogram statistics)
2         varint length, then bytes    strings, nested messages, packed repeated doubles
5         4 bytes little-endian        float (``simple_value``)
========= ============================ =====================================================

A *varint* stores an integer 7 bits per byte, least significant group first, with the top bit
of each byte set when more bytes follow: 300 = 0b10_0101100 is ``AC 02``. Negative int64s are
written as their 64-bit two's complement, so they always take 10 bytes.

The messages used (field numbers from TensorBoard's ``event.proto``, ``summary.proto`` and
``histogram.proto``)::

    Event          { double wall_time = 1; int64 step = 2;
                     oneof what { string file_version = 3; Summary summary = 5; ... } }
    Summary        { repeated Value value = 1; }
    Summary.Value  { string tag = 1;
                     oneof value { float simple_value = 2; HistogramProto histo = 5; ... } }
    HistogramProto { double min = 1; double max = 2; double num = 3; double sum = 4;
                     double sum_squares = 5;
                     repeated double bucket_limit = 6 [packed = true];
                     repeated double bucket = 7 [packed = true]; }

These are proto3 messages: a plain number field equal to 0 is left out (a reader assumes 0),
while a field inside a ``oneof`` is always written (``simple_value = 0.0`` must be stored, or
the value would be missing). Fields are written in field-number order, so the bytes are the
same as the official ``protobuf`` library's. The first record of a file is an ``Event`` with
``file_version = "brain.Event:2"``; every later one carries a ``Summary`` (a scalar is a
``Value`` with ``simple_value``; a histogram, a ``Value`` with ``histo``).

Scalars are stored as float32 (``simple_value`` is a ``float``): a loss of
``0.123456789`` reads back as ``0.12345679104328156``.

Example:
    >>> import numpy as np
    >>> with EventFileWriter("logs/demo") as writer:
    ...     for step in range(3):
    ...         writer.add_scalar("loss", 1.0 / (step + 1), step)
    ...     writer.add_histogram("weights", np.random.randn(1000), step=0)

Then ``tensorboard --logdir logs`` shows the run ``demo``. (The tests read the files back with
the small reader in ``tests/event_file_reader.py``.)
"""
from __future__ import annotations

import operator
import os
import socket
import struct
import time

import numpy as np

__all__ = ["EventFileWriter", "crc32c", "masked_crc32c", "encode_event", "encode_summary",
           "encode_scalar_value", "encode_histogram_value", "encode_histogram", "histogram_stats",
           "frame_record"]

FILE_VERSION = "brain.Event:2"

# ---------------------------------------------------------------------------------- CRC-32C
# zlib.crc32 (and binascii.crc32) compute the CRC-32 of zip/PNG, with the polynomial 0xEDB88320.
# TFRecord uses CRC-32C, the Castagnoli polynomial (0x82F63B78 in reflected form), which the
# standard library does not provide: a different polynomial gives different checksums, and
# TensorBoard would reject every record. So it is computed here, one byte at a time with a
# 256-entry table. Pure Python manages about 1 MB/s, plenty for event records (a scalar event
# is ~50 bytes, a 30-bucket histogram ~600 bytes: about a millisecond).

_CRC32C_POLY = 0x82F63B78


def _make_crc_table() -> tuple:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):  # one step of polynomial division per bit, lowest bit first
            crc = (crc >> 1) ^ _CRC32C_POLY if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _make_crc_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C (Castagnoli) checksum of ``data``, as an unsigned 32-bit int.

    Example:
        >>> hex(crc32c(b"123456789"))
        '0xe3069283'
    """
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC: the CRC rotated right by 15 bits plus a constant, mod 2**32."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame_record(data: bytes) -> bytes:
    """One TFRecord: length, CRC of the length, ``data``, CRC of the data."""
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", masked_crc32c(length))
            + data + struct.pack("<I", masked_crc32c(data)))


# ---------------------------------------------------------------------------------- protobuf: writing
_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5


def _varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64  # int64 two's complement: negative numbers take 10 bytes
    out = bytearray()
    while True:
        low7 = n & 0x7F
        n >>= 7
        if n:
            out.append(low7 | 0x80)  # top bit set: more bytes follow
        else:
            out.append(low7)
            return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint((field << 3) | wire_type)


def _int64_field(field: int, n: int) -> bytes:
    return _key(field, _VARINT) + _varint(n)


def _double_field(field: int, x: float) -> bytes:
    return _key(field, _FIXED64) + struct.pack("<d", x)


def _float_field(field: int, x: float) -> bytes:
    return _key(field, _FIXED32) + struct.pack("<f", x)


def _bytes_field(field: int, data: bytes) -> bytes:
    return _key(field, _LENGTH_DELIMITED) + _varint(len(data)) + data


def _packed_doubles_field(field: int, values) -> bytes:
    return _bytes_field(field, np.asarray(values, dtype="<f8").tobytes())


def encode_histogram(min, max, num, sum, sum_squares, bucket_limit, bucket) -> bytes:  # noqa: A002
    """A serialized ``HistogramProto`` (zero statistics and empty lists are left out, as in proto3)."""
    out = b""
    for field, x in ((1, min), (2, max), (3, num), (4, sum), (5, sum_squares)):
        if x != 0:
            out += _double_field(field, float(x))
    if len(bucket_limit):
        out += _packed_doubles_field(6, bucket_limit)
    if len(bucket):
        out += _packed_doubles_field(7, bucket)
    return out


def encode_scalar_value(tag: str, value: float) -> bytes:
    """A serialized ``Summary.Value`` holding a scalar (``simple_value``, a float32)."""
    # simple_value belongs to a oneof: written even when it is 0.0
    return _bytes_field(1, tag.encode("utf-8")) + _float_field(2, value)


def encode_histogram_value(tag: str, histogram: bytes) -> bytes:
    """A serialized ``Summary.Value`` holding a histogram (``histogram``: from ``encode_histogram``)."""
    return _bytes_field(1, tag.encode("utf-8")) + _bytes_field(5, histogram)


def encode_summary(values) -> bytes:
    """A serialized ``Summary`` from serialized ``Summary.Value`` messages."""
    return b"".join(_bytes_field(1, v) for v in values)


def encode_event(wall_time: float, step: int = 0, file_version: str | None = None,
                 summary: bytes | None = None) -> bytes:
    """A serialized ``Event``: a time, a step and either a file version or a summary.

    Example:
        >>> encode_event(1.5, 3, summary=encode_summary([encode_scalar_value("loss", 0.25)])).hex(" ")
        '09 00 00 00 00 00 00 f8 3f 10 03 2a 0d 0a 0b 0a 04 6c 6f 73 73 15 00 00 80 3e'
    """
    out = b""
    if wall_time != 0:
        out += _double_field(1, float(wall_time))
    if step != 0:
        out += _int64_field(2, step)
    if file_version is not None:
        out += _bytes_field(3, file_version.encode("utf-8"))
    if summary is not None:
        out += _bytes_field(5, summary)
    return out


def histogram_stats(values, bins: int = 30):
    """The ``HistogramProto`` fields of ``values`` as a dict, or None when no value is finite.

    Buckets are ``bins`` equal-width bins from the smallest to the largest value
    (``np.histogram``); ``bucket_limit[i]`` is the right edge of bucket ``i``, ``bucket[i]`` its
    count. NaN and infinite values are left out. A constant array gives one bucket.
    """
    a = np.asarray(values, dtype=np.float64).ravel()
    a = a[np.isfinite(a)]
    if a.size == 0:
        return None
    low, high = float(a.min()), float(a.max())
    if low == high:
        limits, counts = np.array([high]), np.array([float(a.size)])
    else:
        counts, edges = np.histogram(a, bins=bins, range=(low, high))
        limits = edges[1:]
    return {"min": low, "max": high, "num": float(a.size), "sum": float(a.sum()),
            "sum_squares": float(np.dot(a, a)), "bucket_limit": limits.astype(np.float64),
            "bucket": counts.astype(np.float64)}


# ---------------------------------------------------------------------------------- writer
def _check_tag(tag) -> str:
    if not isinstance(tag, str) or not tag:
        raise TypeError(f"expected the tag to be a non-empty string, received {tag!r}")
    return tag


def _check_step(step) -> int:
    try:
        return operator.index(step)
    except TypeError:
        raise TypeError(f"expected the step to be an int, received {step!r}") from None


class EventFileWriter:
    """Writes one TensorBoard event file in ``log_dir`` (created if needed).

    The file is ``events.out.tfevents.<seconds>.<hostname>.<pid>.glassnet``; its first record is
    the file version. Records go through a file buffer: call ``flush()`` for a running
    TensorBoard to see them (``close()`` flushes too). Usable as a context manager.

    Args:
        log_dir: the run's directory (TensorBoard shows each directory as a run).
        filename_suffix: the end of the file name.

    Example:
        >>> writer = EventFileWriter("logs/run1")
        >>> writer.add_scalar("loss", 0.5, step=0)
        >>> writer.flush()
        >>> writer.close()
    """

    def __init__(self, log_dir, filename_suffix: str = ".glassnet"):
        self.log_dir = os.fspath(log_dir)
        os.makedirs(self.log_dir, exist_ok=True)
        base = f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}"
        n = 0
        while True:  # two writers in one directory in the same second get distinct names
            name = base + (f".{n}" if n else "") + filename_suffix
            self.path = os.path.join(self.log_dir, name)
            try:
                self._file = open(self.path, "xb")
                break
            except FileExistsError:
                n += 1
        self._write(encode_event(time.time(), 0, file_version=FILE_VERSION))
        self.flush()

    @property
    def closed(self) -> bool:
        return self._file is None

    def _write(self, event: bytes) -> None:
        if self._file is None:
            raise ValueError(f"EventFileWriter: {self.path} is closed")
        self._file.write(frame_record(event))

    def add_event(self, event: bytes) -> None:
        """Append one serialized ``Event`` (see ``encode_event``)."""
        self._write(event)

    def add_scalar(self, tag: str, value, step: int, wall_time: float | None = None) -> None:
        """Record ``value`` (a number, stored as float32) under ``tag`` at ``step``."""
        tag, step = _check_tag(tag), _check_step(step)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"add_scalar({tag!r}): expected a number, received {value!r}") from None
        summary = encode_summary([encode_scalar_value(tag, value)])
        self._write(encode_event(time.time() if wall_time is None else wall_time, step, summary=summary))

    def add_histogram(self, tag: str, values, step: int, bins: int = 30,
                      wall_time: float | None = None) -> bool:
        """Record the distribution of ``values`` (any array) under ``tag`` at ``step``.

        Returns False (writing nothing) when ``values`` has no finite number; NaN and infinite
        values are left out of the histogram.
        """
        tag, step = _check_tag(tag), _check_step(step)
        if not isinstance(bins, (int, np.integer)) or bins < 1:
            raise ValueError(f"add_histogram({tag!r}): expected bins to be a positive int, received {bins!r}")
        stats = histogram_stats(values, int(bins))
        if stats is None:
            return False
        summary = encode_summary([encode_histogram_value(tag, encode_histogram(**stats))])
        self._write(encode_event(time.time() if wall_time is None else wall_time, step, summary=summary))
        return True

    def flush(self) -> None:
        """Push buffered records to the file, where TensorBoard can read them."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Flush and close the file (closing twice is harmless)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001  (interpreter shutdown)
            pass

    def __repr__(self):
        return f"EventFileWriter({self.path!r}{', closed' if self.closed else ''})"
