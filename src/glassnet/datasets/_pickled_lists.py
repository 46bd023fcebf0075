"""Reading the ragged integer sequences in Keras's ``imdb.npz`` and ``reuters.npz`` WITHOUT pickle.

Keras stores each review or newswire as a Python list of word indexes, all of them in one NumPy
array of ``dtype=object``. NumPy can save such an array only as a *pickle* inside the ``.npy``
member, and unpickling is running a small program: a crafted file can make ``pickle.load`` (and
``np.load(allow_pickle=True)``) import and call anything, ``os.system`` included. glassnet never
unpickles a data file. This module reads the pickle's byte code itself and accepts only what an
array of integer lists needs:

* the opcodes that push plain values (integers, booleans, ``None``, byte and text strings),
  build tuples and lists, and use the memo (``BINPUT``/``BINGET``...), plus ``MARK``, ``PROTO``,
  ``FRAME`` and ``STOP``;
* the names ``numpy.core.multiarray._reconstruct`` (or ``numpy._core...``), ``numpy.ndarray`` and
  ``numpy.dtype``, and ``REDUCE``/``BUILD`` applied to them. These are never looked up or called:
  they stay inert records (``_Call``) that the reader checks against the exact shape NumPy
  writes for an array and turns into data itself.

Any other opcode (``INST``, ``OBJ``, ``NEWOBJ``, ``EXT*``, dictionaries, sets, persistent ids...)
or name is refused with ``DataIntegrityError`` naming the opcode or name and its byte offset.
The result is checked to be a one-dimensional object array whose items are lists (or 1-D
integer arrays) of integers; each item comes back as an ``int64`` NumPy array.

Example:
    >>> import io
    >>> import numpy as np
    >>> buf = io.BytesIO()
    >>> np.save(buf, np.array([[1, 2, 3], [4]], dtype=object), allow_pickle=True)
    >>> [s.tolist() for s in read_sequences_npy(buf.getvalue(), "x.npy")]
    [[1, 2, 3], [4]]
"""
from __future__ import annotations

import io
import math
import re
import struct
from itertools import repeat

import numpy as np

from glassnet.datasets._files import DataIntegrityError

_RECONSTRUCT = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
# Python 3 writes bytes at protocol 2 as _codecs.encode(text, "latin1") (b"" as bytes()):
# rebuilt here from the text, never called
_BYTES = {("_codecs", "encode"), ("__builtin__", "bytes"), ("builtins", "bytes")}
_ALLOWED = _RECONSTRUCT | _BYTES | {("numpy", "ndarray"), ("numpy", "dtype")}
_INT_KINDS = {"i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"}
_INT_RUN = re.compile(rb"(?:K.|M..|J....)+", re.S)   # consecutive BININT1 / BININT2 / BININT
_INT_TOKEN = re.compile(rb"K.|M..|J....", re.S)


class _Mark:
    """The ``MARK`` sentinel on the stack."""


_MARK = _Mark()


class _Global:
    """An allowed name, kept inert: never imported, never called."""

    def __init__(self, module: str, name: str):
        self.key = (module, name)


class _Call:
    """``REDUCE`` of an allowed name: the name, its arguments and the state ``BUILD`` gave it."""

    def __init__(self, func: _Global, args: tuple):
        self.func, self.args, self.state = func, args, None


def _refuse(source, offset, what) -> DataIntegrityError:
    return DataIntegrityError(
        f"{source}: the pickled object array holds {what} (at byte {offset}); glassnet reads only "
        f"arrays of integer lists and never unpickles a data file. Is this the data set's own file? "
        f"Delete it and download it again, or convert it as the data set's load_data docstring says")


_RECORD = np.dtype([("op", "u1"), ("value", "<i4")])  # opcode + 4 little-endian bytes, packed


class _Ints:
    """The integers of one run of integer opcodes that an ``APPENDS`` adds to a list, kept as one
    int64 array (``values``, filled in by ``_decode_runs`` once the whole stream is parsed; a
    sequence's items are these chunks, joined by ``np.concatenate``)."""

    def __init__(self, start: int, end: int):
        self.start, self.end, self.values = start, end, None


_BATCH_BYTES = 5 * 1000  # the pickler appends at most 1,000 items at a time, 5 bytes at most each
_WIDTH = np.zeros(256, dtype=np.int64)
_WIDTH[[ord("K"), ord("M"), ord("J")]] = [2, 3, 5]  # opcode + 1, 2 or 4 value bytes
_MASK = np.zeros(256, dtype=np.int32)
_MASK[[ord("K"), ord("M"), ord("J")]] = [0xFF, 0xFFFF, -1]  # the value bytes of each token


def _decode_runs(data: bytes, runs: list) -> None:
    """Decode every run at once: one vectorised step per token position, over all runs together.

    Token ``k`` of every run that has one is read in the same NumPy operations, so the Python loop
    turns as many times as the longest run has tokens (at most 1,000, the pickler's batch:
    ``parse_pickle`` refuses longer runs), not once per integer. The runs were matched by
    ``_INT_RUN``, so every token is whole."""
    if not runs:
        return
    buf = np.frombuffer(data + b"\0\0\0\0", dtype=np.uint8)
    ends = np.array([r.end for r in runs], dtype=np.int64)
    ids, pos = np.arange(len(runs)), np.array([r.start for r in runs], dtype=np.int64)
    steps = []
    while ids.size:                                  # token k of every run still going
        op = buf[pos]
        value = buf[pos + 1].astype(np.int32)        # the 4 bytes after the opcode, little-endian,
        for shift in (8, 16, 24):                    # cut to the token's own by the mask (int32:
            value |= buf[pos + shift // 8 + 1].astype(np.int32) << shift   # BININT is signed)
        value &= _MASK[op]
        steps.append((ids, value))
        pos = pos + _WIDTH[op]
        keep = pos < ends[ids]
        ids, pos = ids[keep], pos[keep]
    counts = np.zeros(len(runs), dtype=np.int64)
    for ids, _ in steps:
        counts[ids] += 1
    offsets = np.cumsum(counts) - counts
    out = np.empty(int(counts.sum()), dtype=np.int64)
    for k, (ids, value) in enumerate(steps):
        out[offsets[ids] + k] = value
    for run, first, n in zip(runs, offsets.tolist(), counts.tolist()):
        run.values = out[first:first + n]


def _decode_int_run(run: bytes) -> np.ndarray:
    """The integers of a run of BININT1/BININT2/BININT opcodes, decoded without a Python loop.

    Each token is zero-padded to 5 bytes (opcode + 4 value bytes): BININT1's and BININT2's
    unsigned values read correctly as a little-endian int32, and BININT's is one already."""
    tokens = _INT_TOKEN.findall(run)
    padded = b"".join(map(bytes.ljust, tokens, repeat(5, len(tokens)), repeat(b"\0", len(tokens))))
    return np.frombuffer(padded, dtype=_RECORD)["value"].astype(np.int64)


def parse_pickle(data: bytes, source) -> object:
    """Interpret the restricted pickle ``data`` (see the module docstring) and return its value.

    Raises:
        DataIntegrityError: an opcode or name outside the allowed set, or a malformed stream.
    """
    stack, marks, memo, runs = [], [], {}, []
    pos, end = 0, len(data)
    unpack = struct.unpack_from

    def pop_mark():
        if not marks:
            raise _refuse(source, pos, "an opcode that needs a MARK where there is none")
        at = marks.pop()
        items = stack[at:]
        del stack[at:]
        return items

    try:
        while pos < end:
            op = data[pos]
            at = pos
            pos += 1
            if op in b"KMJ":                                     # integers: the bulk of the data
                match = _INT_RUN.match(data, at)
                if match is not None:
                    pos = match.end()
                    if pos - at > _BATCH_BYTES:
                        raise _refuse(source, at, f"a run of {pos - at} bytes of integers, more than the "
                                      f"1,000 that NumPy's pickler writes at a time")
                    if data[pos:pos + 1] == b"e" and marks and marks[-1] == len(stack):
                        runs.append(_Ints(at, pos))           # the whole batch of an APPENDS, decoded
                        stack.append(runs[-1])                # with all the others at STOP
                    else:                                     # a few ints: a shape, a dtype's state
                        stack.extend(_decode_int_run(data[at:pos]).tolist())
                    continue
                raise _refuse(source, at, "a truncated integer")
            if op == 0x80:                                       # PROTO
                pos += 1
            elif op == 0x95:                                     # FRAME
                pos += 8
            elif op == 0x2E:                                     # STOP
                if len(stack) != 1 or marks:
                    raise _refuse(source, at, "a malformed stream (STOP with a stack of "
                                  f"{len(stack)} items)")
                _decode_runs(data, runs)
                return stack[0]
            elif op == 0x28:                                     # MARK
                marks.append(len(stack))
            elif op == 0x5D:                                     # EMPTY_LIST
                stack.append([])
            elif op == 0x6C:                                     # LIST
                stack.append(pop_mark())
            elif op == 0x61:                                     # APPEND
                item = stack.pop()
                _as_list(stack[-1], source, at).append(item)
            elif op == 0x65:                                     # APPENDS
                items = pop_mark()
                _as_list(stack[-1], source, at).extend(items)
            elif op == 0x29:                                     # EMPTY_TUPLE
                stack.append(())
            elif op == 0x74:                                     # TUPLE
                stack.append(tuple(pop_mark()))
            elif op in (0x85, 0x86, 0x87):                       # TUPLE1, TUPLE2, TUPLE3
                n = op - 0x84
                if len(stack) < n:
                    raise _refuse(source, at, "a tuple opcode on a short stack")
                items = tuple(stack[len(stack) - n:])
                del stack[len(stack) - n:]
                stack.append(items)
            elif op == 0x4E:                                     # NONE
                stack.append(None)
            elif op in (0x88, 0x89):                             # NEWTRUE, NEWFALSE
                stack.append(op == 0x88)
            elif op == 0x49:                                     # INT (text; I00/I01 are booleans)
                stop = data.index(b"\n", pos)
                text = data[pos:stop]
                pos = stop + 1
                if not re.fullmatch(rb"-?\d{1,19}", text):
                    raise _refuse(source, at, f"an INT opcode with the text {text[:20]!r}")
                stack.append({b"00": False, b"01": True}.get(text, int(text)))
            elif op == 0x8A:                                     # LONG1
                n = data[pos]
                stack.append(int.from_bytes(data[pos + 1:pos + 1 + n], "little", signed=True))
                pos += 1 + n
            elif op in (0x43, 0x55, 0x8C):                       # SHORT_BINBYTES, SHORT_BINSTRING, SHORT_BINUNICODE
                n = data[pos]
                raw = data[pos + 1:pos + 1 + n]
                pos += 1 + n
                stack.append(raw.decode("utf-8") if op == 0x8C else raw)
            elif op in (0x42, 0x54, 0x58):                       # BINBYTES, BINSTRING, BINUNICODE
                (n,) = unpack("<I", data, pos)
                raw = data[pos + 4:pos + 4 + n]
                pos += 4 + n
                stack.append(raw.decode("utf-8") if op == 0x58 else raw)
            elif op == 0x63:                                     # GLOBAL module\nname\n
                stop1 = data.index(b"\n", pos)
                stop2 = data.index(b"\n", stop1 + 1)
                module, name = data[pos:stop1].decode("ascii"), data[stop1 + 1:stop2].decode("ascii")
                pos = stop2 + 1
                stack.append(_global(module, name, source, at))
            elif op == 0x93:                                     # STACK_GLOBAL
                name, module = stack.pop(), stack.pop()
                if not (isinstance(module, str) and isinstance(name, str)):
                    raise _refuse(source, at, "a STACK_GLOBAL without two names")
                stack.append(_global(module, name, source, at))
            elif op == 0x52:                                     # REDUCE
                args, func = stack.pop(), stack.pop()
                if not isinstance(func, _Global) or not isinstance(args, tuple):
                    raise _refuse(source, at, "a REDUCE that is not an allowed name applied to a tuple")
                stack.append(_bytes(args, source, at) if func.key in _BYTES else _Call(func, args))
            elif op == 0x62:                                     # BUILD
                state = stack.pop()
                target = stack[-1]
                if not isinstance(target, _Call) or target.state is not None:
                    raise _refuse(source, at, "a BUILD of something other than a NumPy array or dtype")
                target.state = state
            elif op in (0x71, 0x72):                             # BINPUT, LONG_BINPUT
                key = data[pos] if op == 0x71 else unpack("<I", data, pos)[0]
                pos += 1 if op == 0x71 else 4
                memo[key] = stack[-1]
            elif op == 0x94:                                     # MEMOIZE
                memo[len(memo)] = stack[-1]
            elif op in (0x68, 0x6A):                             # BINGET, LONG_BINGET
                key = data[pos] if op == 0x68 else unpack("<I", data, pos)[0]
                pos += 1 if op == 0x68 else 4
                if key not in memo:
                    raise _refuse(source, at, f"a memo reference {key} to nothing")
                stack.append(memo[key])
            else:
                raise _refuse(source, at, f"the pickle opcode {bytes([op])!r}, which an array of integer "
                              f"lists does not use")
            if pos > end:
                raise _refuse(source, at, "a truncated value")
    except (IndexError, ValueError, struct.error, UnicodeDecodeError) as err:
        if isinstance(err, DataIntegrityError):
            raise
        raise _refuse(source, pos, f"a malformed or truncated stream ({type(err).__name__})") from None
    raise _refuse(source, end, "no STOP opcode: the stream is truncated")


def _as_list(x, source, at) -> list:
    if not isinstance(x, list):
        raise _refuse(source, at, "an APPEND to something other than a list")
    return x


def _bytes(args: tuple, source, at) -> bytes:
    """The bytes that ``_codecs.encode(text, "latin1")`` or ``bytes()`` stands for."""
    if args == ():
        return b""
    if len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin1", "latin-1"):
        return args[0].encode("latin-1")
    raise _refuse(source, at, f"a bytes constructor with the arguments {args!r:.60}")


def _global(module: str, name: str, source, at) -> _Global:
    if (module, name) not in _ALLOWED:
        raise _refuse(source, at, f"a reference to {module}.{name}, which is refused: it is not part of a "
                      f"NumPy array (a crafted file could run code through it)")
    return _Global(module, name)


# --------------------------------------------------------------------------- arrays from the records
def _dtype_of(record, source) -> np.dtype:
    """The dtype a ``numpy.dtype(...)`` record describes: object, or an integer type."""
    ok = isinstance(record, _Call) and record.func.key == ("numpy", "dtype") and len(record.args) >= 1 \
        and isinstance(record.args[0], (str, bytes))
    if not ok:
        raise _refuse(source, "?", "an array whose dtype is not a plain NumPy dtype")
    code = record.args[0].decode("ascii") if isinstance(record.args[0], bytes) else record.args[0]
    if code in ("O8", "O4"):
        return np.dtype(object)
    order = "|"
    state = record.state
    if isinstance(state, tuple) and len(state) > 1 and state[1] in ("<", ">", "|", "=", b"<", b">"):
        order = record.state[1].decode() if isinstance(record.state[1], bytes) else record.state[1]
    if code not in _INT_KINDS:
        raise _refuse(source, "?", f"an array of dtype {code!r}; expected integers or objects")
    return np.dtype(code).newbyteorder("<" if order in ("|", "=") else order)


def _array_parts(record, source):
    """``(shape, dtype, data)`` of a ``_reconstruct(ndarray, (0,), b'b')`` record with its state."""
    ok = isinstance(record, _Call) and record.func.key in _RECONSTRUCT and len(record.args) == 3 \
        and isinstance(record.args[0], _Global) and record.args[0].key == ("numpy", "ndarray") \
        and isinstance(record.state, tuple) and len(record.state) == 5
    if not ok:
        raise _refuse(source, "?", "something other than a NumPy array at its top level")
    _, shape, dtype, _, data = record.state
    if isinstance(shape, int):
        shape = (shape,)
    if not (isinstance(shape, tuple) and all(isinstance(n, int) and n >= 0 for n in shape)):
        raise _refuse(source, "?", f"an array with the shape {shape!r}")
    return shape, _dtype_of(dtype, source), data


def _sequence(item, source, index) -> np.ndarray:
    """One item of the object array: a list of ints, or a 1-D integer array, as int64."""
    if isinstance(item, list):
        if item and all(type(v) is _Ints for v in item):     # the usual case: batches of APPENDS
            return np.concatenate([v.values for v in item])
        parts = [v.values for v in item if type(v) is _Ints]
        rest = [v for v in item if type(v) is not _Ints]
        kinds = set(map(type, rest))
        if not kinds <= {int}:
            bad = sorted(k.__name__ for k in kinds - {int})
            raise _refuse(source, "?", f"item {index} containing {', '.join(bad)} values, not only integers")
        if parts:  # chunks and single ints mixed: keep the order
            return np.concatenate([v.values if type(v) is _Ints else np.array([v], np.int64) for v in item])
        try:
            return np.array(item, dtype=np.int64)
        except OverflowError:
            raise _refuse(source, "?", f"item {index} with an integer beyond 64 bits") from None
    if isinstance(item, _Call):
        shape, dtype, data = _array_parts(item, source)
        if dtype.hasobject or len(shape) != 1 or not isinstance(data, (bytes, str)):
            raise _refuse(source, "?", f"item {index}: an array that is not a 1-D array of integers")
        raw = data.encode("latin-1") if isinstance(data, str) else data
        if len(raw) != shape[0] * dtype.itemsize:
            raise _refuse(source, "?", f"item {index}: an integer array whose data does not match its shape")
        return np.frombuffer(raw, dtype=dtype).astype(np.int64)
    raise _refuse(source, "?", f"item {index} of type {type(item).__name__}; expected a list of integers")


def sequences_from_pickle(data: bytes, source) -> list:
    """The integer sequences of a pickled 1-D object array (see the module docstring)."""
    shape, dtype, items = _array_parts(parse_pickle(data, source), source)
    if not dtype.hasobject:
        raise _refuse(source, "?", "a pickled array that is not an object array")
    if len(shape) != 1 or not isinstance(items, list) or len(items) != shape[0]:
        raise _refuse(source, "?", f"an object array of shape {shape} whose items do not match it")
    return [_sequence(item, source, i) for i, item in enumerate(items)]


def read_sequences_npy(member: bytes, source):
    """A ``.npy`` member: a numeric array as it is, or a 1-D object array of integer lists as a list of
    int64 arrays (read without pickle).

    Raises:
        DataIntegrityError: an unreadable header, a numeric array whose size does not match its
            header, or an object array that is not made of integer lists.

    Example:
        >>> import io
        >>> import numpy as np
        >>> buf = io.BytesIO(); np.save(buf, np.arange(3))
        >>> read_sequences_npy(buf.getvalue(), "y.npy")
        array([0, 1, 2])
    """
    f = io.BytesIO(member)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):  # 3.0 differs from 2.0 only in the header's text encoding
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    except (ValueError, OSError, EOFError) as err:
        raise DataIntegrityError(f"{source}: not a readable array (.npy): {err}") from None
    header = f.tell()
    if dtype.hasobject:
        return sequences_from_pickle(member[header:], source)
    if dtype.kind not in "biuf" or dtype.names is not None:
        raise DataIntegrityError(f"{source}: expected an array of numbers, received dtype {dtype}")
    expected = math.prod(shape) * dtype.itemsize
    if len(member) - header != expected:
        raise DataIntegrityError(f"{source}: the header declares shape {shape} of {dtype} ({expected} bytes), "
                                 f"the member holds {len(member) - header} bytes of data")
    return np.lib.format.read_array(io.BytesIO(member), allow_pickle=False)
