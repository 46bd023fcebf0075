"""Reading zip archives and ``.npz`` files that may be hostile, with bounded memory.

A model file and a training backup are zip archives (a ``.npz`` is one too). A small archive
can declare members that inflate to gigabytes (a "zip bomb"), or arrays whose header declares
a shape far larger than the data that follows. Before anything is inflated, every member's
declared size and compression ratio are checked against the limits below; an array's header
(shape, dtype) is read and checked against the member's size before its data is read; and
members are read through ``zipfile``'s stream, which never returns more than the declared
size and checks the CRC at the end.

Limits (module attributes; raise them only for files you trust):

- ``MAX_MEMBER_BYTES`` (8 GiB): the largest uncompressed member;
- ``MAX_TOTAL_BYTES`` (16 GiB): all members of one archive together;
- ``MAX_COMPRESSION_RATIO`` (200): uncompressed / compressed size of any member larger than
  ``RATIO_FREE_BYTES`` (1 MiB). Trained weights compress to about 90% of their size; only
  arrays of zeros reach ratios near deflate's maximum of 1032.
- ``MAX_MEMBERS`` (100,000): members per archive.

Host-only code (NumPy arrays read from files).

Example:
    >>> arrays = NpzArrays(io.BytesIO(data), "weights.npz", ValueError)   # doctest: +SKIP
    >>> arrays.shapes()["dense/kernel"], arrays.read("dense/kernel").dtype  # doctest: +SKIP
    ((6, 8), dtype('float32'))
"""
from __future__ import annotations

import math
import zipfile
import zlib

import numpy as np

MAX_MEMBER_BYTES = 8 * 2**30
MAX_TOTAL_BYTES = 16 * 2**30
MAX_COMPRESSION_RATIO = 200
RATIO_FREE_BYTES = 2**20
MAX_MEMBERS = 100_000

# what a damaged or lying archive raises while it is read
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


def check_members(infos, source, error) -> None:
    """Refuse an archive whose declared sizes exceed the limits, before inflating anything.

    Raises:
        error: naming ``source``, the member, its declared size and the limit it exceeds.
    """
    if len(infos) > MAX_MEMBERS:
        raise error(f"{source}: the archive declares {len(infos)} members, more than the limit "
                    f"{MAX_MEMBERS}; refused")
    total = 0
    for info in infos:
        size, packed = info.file_size, info.compress_size
        if size > MAX_MEMBER_BYTES:
            raise error(f"{source}: member {info.filename!r} declares {size} bytes uncompressed, more than "
                        f"the limit of {MAX_MEMBER_BYTES} (glassnet.utils.safe_zip.MAX_MEMBER_BYTES); refused")
        if size > RATIO_FREE_BYTES and size > MAX_COMPRESSION_RATIO * max(packed, 1):
            raise error(f"{source}: member {info.filename!r} would inflate {packed} bytes to {size} (ratio "
                        f"{size / max(packed, 1):.0f}:1, the limit is {MAX_COMPRESSION_RATIO}:1); refused "
                        f"as a likely zip bomb, nothing was inflated. If you trust this file, raise "
                        f"glassnet.utils.safe_zip.MAX_COMPRESSION_RATIO")
        total += size
    if total > MAX_TOTAL_BYTES:
        raise error(f"{source}: the members declare {total} bytes in all, more than the limit of "
                    f"{MAX_TOTAL_BYTES} (glassnet.utils.safe_zip.MAX_TOTAL_BYTES); refused")


def open_zip(file, source, error) -> zipfile.ZipFile:
    """Open a zip archive (a path or a binary file object) and check its declared sizes.

    Nothing is inflated here (``ZipFile.testzip`` would inflate every member).

    Raises:
        error: not a zip archive, a damaged directory, or sizes over the limits.
    """
    try:
        z = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as err:
        raise error(f"{source}: not a zip archive, or corrupt or truncated ({err})") from err
    try:
        check_members(z.infolist(), source, error)
    except BaseException:
        z.close()
        raise
    return z


def read_member(z: zipfile.ZipFile, name: str, source, error, limit=None) -> bytes:
    """The inflated bytes of member ``name``, read as a stream bounded by its declared size.

    Args:
        limit: refuse a member declaring more bytes than this (a JSON file is small).

    Raises:
        KeyError: no such member.
        error: larger than ``limit``, corrupt (CRC or inflate error), truncated, or too large
            for the memory available (``MemoryError``).
    """
    info = z.getinfo(name)
    if limit is not None and info.file_size > limit:
        raise error(f"{source}: {name} declares {info.file_size} bytes, more than the {limit} such a "
                    f"member may hold; refused")
    try:
        with z.open(info) as f:
            data = f.read()  # zipfile stops at the declared size and checks the CRC at the end
    except MemoryError:
        raise error(f"{source}: not enough memory to read {name} ({info.file_size} bytes)") from None
    except _READ_ERRORS as err:
        raise error(f"{source}: {name} is corrupt or truncated ({type(err).__name__}: {err})") from err
    if len(data) != info.file_size:
        raise error(f"{source}: {name} is truncated: it declares {info.file_size} bytes, holds {len(data)}")
    return data


class NpzArrays:
    """The arrays of an ``.npz`` archive, their headers checked before any data is read.

    Each member must be a ``.npy`` file of numbers or text (no Python objects: those need
    pickle, which is refused) whose size is exactly its header plus the data its shape and
    dtype declare: a short member is reported as truncated.

    Args:
        file: path or binary file object of the ``.npz``.
        source: what to call the archive in messages (``"m.glassnet: weights.npz"``).
        error: the exception class to raise.

    Example:
        >>> arrays = NpzArrays("w.npz", "w.npz", ValueError)             # doctest: +SKIP
        >>> {k: arrays.read(k) for k in arrays.keys()}                  # doctest: +SKIP
    """

    def __init__(self, file, source, error):
        self.source, self.error = source, error
        self._zip = open_zip(file, source, error)
        self._entries = {}
        try:
            for info in self._zip.infolist():
                self._index(info)
        except BaseException:
            self._zip.close()
            raise

    def _index(self, info) -> None:
        name, source, error = info.filename, self.source, self.error
        if info.is_dir() or not name.endswith(".npy"):
            raise error(f"{source}: member {name!r} is not an array (.npy file); refused")
        try:
            with self._zip.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
                else:
                    raise ValueError(f"unsupported .npy format version {version}")
                header = f.tell()
        except MemoryError:
            raise error(f"{source}: not enough memory to read the header of {name!r}") from None
        except _READ_ERRORS as err:
            raise error(f"{source}: member {name!r} is not a readable array (.npy): {err}") from err
        key = name[:-len(".npy")]
        if dtype.hasobject:
            raise error(f"{source}: array {key!r} holds Python objects (dtype {dtype}), which need pickle "
                        f"to load; refused")
        if dtype.kind not in "biufcUS" or dtype.names is not None:
            raise error(f"{source}: array {key!r} has dtype {dtype}; expected numbers (or text)")
        nbytes = math.prod(shape) * dtype.itemsize
        held = info.file_size - header
        if held < nbytes:
            raise error(f"{source}: array {key!r} is truncated: its header declares shape {shape} of {dtype} "
                        f"({nbytes} bytes), the file holds {held} bytes of data")
        if held > nbytes:
            raise error(f"{source}: array {key!r} is corrupt: {held} bytes of data follow a header declaring "
                        f"shape {shape} of {dtype} ({nbytes} bytes)")
        self._entries[key] = (info, tuple(shape), dtype)

    def keys(self) -> list:
        """The array names, in the archive's order."""
        return list(self._entries)

    def __contains__(self, key) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def shape(self, key) -> tuple:
        return self._entries[key][1]

    def dtype(self, key) -> np.dtype:
        return self._entries[key][2]

    def read(self, key) -> np.ndarray:
        """Read one array (its size was checked against the member's when indexing).

        Raises:
            error: corrupt data (CRC), or not enough memory (``MemoryError``).
        """
        info, shape, dtype = self._entries[key]
        try:
            with self._zip.open(info) as f:
                return np.lib.format.read_array(f, allow_pickle=False)
        except MemoryError:
            raise self.error(f"{self.source}: not enough memory to read array {key!r} of shape {shape} "
                             f"({dtype})") from None
        except _READ_ERRORS as err:
            raise self.error(f"{self.source}: array {key!r} is corrupt or truncated "
                             f"({type(err).__name__}: {err})") from err

    def read_all(self) -> dict:
        """Every array, by name."""
        return {key: self.read(key) for key in self._entries}

    def close(self) -> None:
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
