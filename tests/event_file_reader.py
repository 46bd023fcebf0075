"""A reader of TensorBoard event files, for the tests: it checks what
``glassnet.utils.event_file`` writes by reading it back, record by record.

It undoes the two layers the writer's module docstring describes: the TFRecord framing (each
record's length and data with their masked CRC-32C, both checked) and the protocol-buffer
messages (decoded with small schemas of the ``Event``, ``Summary``, ``Summary.Value`` and
``HistogramProto`` fields the writer uses). TensorBoard itself reads the same files; this
reader lets the tests run without it and name the byte where a file goes wrong.

Example:
    >>> read_scalars("logs/train")["epoch_loss"]
    [(0, 0.69...), (1, 0.52...), (2, 0.41...)]
"""
from __future__ import annotations

import os
import struct
from collections import namedtuple

import numpy as np

from glassnet.utils.event_file import masked_crc32c

# the protobuf wire types (see the writer's module docstring)
_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5


class EventFileError(ValueError):
    """An event file that cannot be read: truncated, corrupted, or not an event file."""


# A message schema maps a field number to a Field. kind: "double", "float", "int64", "string"
# or a nested schema (dict). default: the value a proto3 reader assumes when the field is
# absent; None for oneof members and messages, whose absence means "not set".
Field = namedtuple("Field", "name kind repeated default")

_HISTOGRAM_SCHEMA = {
    1: Field("min", "double", False, 0.0),
    2: Field("max", "double", False, 0.0),
    3: Field("num", "double", False, 0.0),
    4: Field("sum", "double", False, 0.0),
    5: Field("sum_squares", "double", False, 0.0),
    6: Field("bucket_limit", "double", True, None),
    7: Field("bucket", "double", True, None),
}
_VALUE_SCHEMA = {
    1: Field("tag", "string", False, ""),
    2: Field("simple_value", "float", False, None),
    5: Field("histo", _HISTOGRAM_SCHEMA, False, None),
}
_SUMMARY_SCHEMA = {1: Field("value", _VALUE_SCHEMA, True, None)}
EVENT_SCHEMA = {
    1: Field("wall_time", "double", False, 0.0),
    2: Field("step", "int64", False, 0),
    3: Field("file_version", "string", False, None),
    5: Field("summary", _SUMMARY_SCHEMA, False, None),
}


def _read_varint(data: bytes, pos: int):
    result, shift = 0, 0
    while True:
        if pos >= len(data):
            raise EventFileError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise EventFileError("varint longer than 10 bytes")


def decode_message(data: bytes, schema: dict) -> dict:
    """Decode protobuf ``data`` into a dict using ``schema`` (fields it does not name are skipped)."""
    out = {}
    pos, end = 0, len(data)
    while pos < end:
        key, pos = _read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            raw, pos = _read_varint(data, pos)
        elif wire in (_FIXED64, _FIXED32):
            size = 8 if wire == _FIXED64 else 4
            raw, pos = data[pos:pos + size], pos + size
        elif wire == _LENGTH_DELIMITED:
            size, pos = _read_varint(data, pos)
            raw, pos = data[pos:pos + size], pos + size
        else:
            raise EventFileError(f"unsupported protobuf wire type {wire} (field {number})")
        if pos > end:
            raise EventFileError(f"truncated protobuf field {number}")
        field = schema.get(number)
        if field is None:
            continue  # a field we do not know (a graph, an image...): skipped, as protobuf does
        values = _convert(field, wire, raw)
        if field.repeated:
            out.setdefault(field.name, []).extend(values)
        else:
            out[field.name] = values[-1]  # protobuf: the last occurrence wins
    for field in schema.values():
        if field.name not in out:
            if field.repeated:
                out[field.name] = []
            elif field.default is not None:
                out[field.name] = field.default
    return out


_WIRE_TYPES = {"double": _FIXED64, "float": _FIXED32, "int64": _VARINT, "string": _LENGTH_DELIMITED}


def _convert(field: Field, wire: int, raw) -> list:
    kind = field.kind
    expected = _LENGTH_DELIMITED if isinstance(kind, dict) else _WIRE_TYPES[kind]
    if wire != expected and not (field.repeated and wire == _LENGTH_DELIMITED):
        raise EventFileError(f"field {field.name!r}: wire type {wire}, expected {expected}")
    if isinstance(kind, dict):
        return [decode_message(raw, kind)]
    if kind == "string":
        return [raw.decode("utf-8", errors="replace")]
    if kind == "int64":
        return [raw - (1 << 64) if raw >= 1 << 63 else raw]
    fmt = "<d" if kind == "double" else "<f"
    size = struct.calcsize(fmt)
    if wire == _LENGTH_DELIMITED:  # packed repeated numbers: one after another
        if len(raw) % size:
            raise EventFileError(f"field {field.name!r}: packed length {len(raw)} is not a multiple of {size}")
        return [float(x) for x in np.frombuffer(raw, dtype=fmt[0] + "f" + str(size))]
    return [struct.unpack(fmt, raw)[0]]


def iter_records(path):
    """Yield the data of each record of a TFRecord file, checking both CRCs.

    Raises:
        EventFileError: naming the file, the record and its byte offset, on a truncated
            record or a CRC mismatch.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        index = 0
        while True:
            offset = f.tell()
            header = f.read(12)
            if not header:
                return
            where = f"{path}: record {index} at byte {offset}"
            if len(header) < 12:
                raise EventFileError(f"{where}: truncated header ({len(header)} of 12 bytes)")
            length_bytes, (length_crc,) = header[:8], struct.unpack("<I", header[8:])
            if masked_crc32c(length_bytes) != length_crc:
                raise EventFileError(f"{where}: the CRC of the length does not match "
                                     f"(corrupted, or not an event file)")
            (length,) = struct.unpack("<Q", length_bytes)
            data = f.read(length)
            footer = f.read(4)
            if len(data) < length or len(footer) < 4:
                raise EventFileError(f"{where}: truncated data ({len(data)} of {length} bytes)")
            if masked_crc32c(data) != struct.unpack("<I", footer)[0]:
                raise EventFileError(f"{where}: the CRC of the data does not match (corrupted file)")
            yield data
            index += 1


def _event_files(path: str) -> list:
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if "tfevents" in n)
        return [os.path.join(path, n) for n in names]
    return [path]


def read_events(path) -> list:
    """Decode every event of an event file, or of all event files of a directory (by name).

    Each event is a dict: ``{"wall_time": ..., "step": ..., "file_version": ...}`` for the
    first one, then ``{"wall_time", "step", "summary": {"value": [...]}}`` where each value is
    ``{"tag", "simple_value"}`` or ``{"tag", "histo": {"min", "max", "num", "sum",
    "sum_squares", "bucket_limit", "bucket"}}``.

    Raises:
        EventFileError: when a record is truncated or its CRCs do not match.

    Example:
        >>> [e["summary"]["value"][0]["simple_value"] for e in read_events("logs/train")[1:]]
    """
    events = []
    for file in _event_files(os.fspath(path)):
        for index, data in enumerate(iter_records(file)):
            try:
                events.append(decode_message(data, EVENT_SCHEMA))
            except EventFileError as e:
                raise EventFileError(f"{file}: record {index}: {e}") from None
    return events


def read_scalars(path) -> dict:
    """``{tag: [(step, value), ...]}`` of the scalars in an event file or directory.

    Example:
        >>> read_scalars("logs/train")["epoch_loss"]
        [(0, 0.69...), (1, 0.52...), (2, 0.41...)]
    """
    out = {}
    for event in read_events(path):
        for value in event.get("summary", {}).get("value", []):
            if "simple_value" in value:
                out.setdefault(value["tag"], []).append((event["step"], value["simple_value"]))
    return out

