"""Reading IDX files, the simple binary format MNIST and Fashion-MNIST are published in.

An IDX file is a header followed by the raw array, big-endian, row-major:

    bytes 0-1   zero
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     number of dimensions d
    then d big-endian uint32 sizes, then prod(sizes) elements

``train-images-idx3-ubyte`` is therefore ``00 00 08 03``, then 60000, 28, 28, then
47,040,000 pixel bytes. This module checks every part of that before handing out an array.

Example:
    >>> from glassnet.datasets._idx import parse_idx
    >>> parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]), "labels")
    array([7, 2, 1], dtype=uint8)
"""
from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from glassnet.datasets import _files
from glassnet.datasets._files import DataIntegrityError

_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def parse_idx(content: bytes, source="<bytes>") -> np.ndarray:
    """Decode the (uncompressed) bytes of an IDX file into an array.

    Args:
        content: the whole file, uncompressed.
        source: the file's name, used in error messages.

    Returns:
        A writable array in native byte order with the header's shape and element type.

    Raises:
        DataIntegrityError: wrong magic number, unknown element type, short header, or a data
            size that does not match the header (the message names ``source``).

    Example:
        >>> parse_idx(bytes([0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 5, 6])).shape
        (1, 2)
    """
    if len(content) < 4 or content[0] != 0 or content[1] != 0 or content[2] not in _TYPES:
        raise DataIntegrityError(
            f"{source}: not an IDX file; expected the magic number 00 00 <type> <ndim> with type "
            f"one of {', '.join(f'{t:#04x}' for t in _TYPES)}, received {content[:4].hex(' ') or 'nothing'}")
    dtype = _TYPES[content[2]]
    ndim = content[3]
    header = 4 + 4 * ndim
    if len(content) < header:
        raise DataIntegrityError(
            f"{source}: IDX header expected {header} bytes for {ndim} dimensions, received "
            f"{len(content)}")
    shape = struct.unpack(f">{ndim}I", content[4:header])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    received = len(content) - header
    if received != expected:
        raise DataIntegrityError(
            f"{source}: IDX header says shape {shape} of {dtype.name} ({expected} data bytes), "
            f"but the file holds {received} data bytes")
    data = np.frombuffer(content, dtype=dtype, offset=header).reshape(shape)
    # astype makes a writable, native-endian copy (frombuffer over bytes is read-only)
    return data.astype(dtype.newbyteorder("="))


def read_idx(path, sha256=None, gz_md5=None) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not), verifying its content first.

    Args:
        path: the file.
        sha256: expected hex SHA-256 of the uncompressed content (a string or several), or
            ``None`` to skip the check.
        gz_md5: published MD5 of the compressed file, accepted instead (see
            ``_files.read_verified``), or ``None``.

    Returns:
        The array (see ``parse_idx``).

    Raises:
        DataIntegrityError: truncated or corrupt gzip, hash mismatch, a bad IDX header, or a
            file inflating past the size its header declares (checked while inflating).

    Example:
        >>> read_idx("mnist/t10k-labels-idx1-ubyte.gz")[:3]   # doctest: +SKIP
        array([7, 2, 1], dtype=uint8)
    """
    with open(path, "rb") as f:
        start = f.read(1 << 12)
    declared = _declared_size(_files.gzip_head(start, 4 + 4 * 255), path)
    packed = Path(path).stat().st_size
    if declared is not None and start[:2] == b"\x1f\x8b" and declared > (1 << 20) and declared > MAX_RATIO * packed:
        raise DataIntegrityError(
            f"{path}: the IDX header declares {declared} bytes, {declared / packed:.0f} times the {packed} bytes of "
            f"the gzip file (the limit is {MAX_RATIO}:1); refused as a likely gzip bomb before inflating it")
    # a little slack, so that a file slightly off gets parse_idx's exact count of data bytes
    limit = None if declared is None else declared + _SLACK
    reason = None if declared is None else f"the {declared} bytes its IDX header declares, plus {_SLACK}"
    return parse_idx(_files.read_verified(path, sha256, gz_md5, limit=limit, reason=reason), path)


def _declared_size(head: bytes, source):
    """The whole file's size as its IDX header declares it (None if the header is not readable
    from ``head``: ``parse_idx`` then says what is wrong). A gzip file is inflated no further
    than that size, so a small file declaring or inflating to gigabytes is refused early."""
    if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _TYPES:
        return None
    ndim = head[3]
    if len(head) < 4 + 4 * ndim:
        return None
    shape = struct.unpack(f">{ndim}I", head[4:4 + 4 * ndim])
    dtype = _TYPES[head[2]]
    total = 4 + 4 * ndim + math.prod(shape) * dtype.itemsize
    if total > MAX_IDX_BYTES:
        raise DataIntegrityError(
            f"{source}: the IDX header declares shape {shape} of {dtype.name} ({total} bytes), more than the "
            f"{MAX_IDX_BYTES} bytes an IDX file may hold (glassnet.datasets._idx.MAX_IDX_BYTES); refused before "
            f"inflating it")
    return total


_SLACK = 1 << 20
MAX_IDX_BYTES = 4 * 2**30  # the largest IDX file read (MNIST's largest is 47 MB)
MAX_RATIO = 200  # inflated / gzip size: MNIST's images reach 5; only zeros go near deflate's 1032


FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


@dataclass(frozen=True)
class IdxDataset:
    """Description of an MNIST-style data set: four IDX files, mirrors and checksums.

    Args:
        title: name for messages (``"MNIST"``).
        subdir: sub-folder under the data root (``"mnist"``).
        mirrors: base URLs to download from, tried in order.
        sha256: expected SHA-256 of each file's uncompressed content, keyed by file name
            (a string, or a tuple of accepted values).
        gz_md5: the publisher's MD5 of each compressed file, keyed by file name; a file whose
            bytes match it is accepted too (for mirrors whose uncompressed hash is not
            recorded). Optional.
        files: the four file names: train images, train labels, test images, test labels.

    Example:
        >>> spec = IdxDataset("Digits", "digits", mirrors=("file:///srv/digits/",))
        >>> (x_train, y_train), (x_test, y_test) = spec.load(verify=False)  # doctest: +SKIP
    """

    title: str
    subdir: str
    mirrors: tuple = ()
    sha256: dict = field(default_factory=dict)
    gz_md5: dict = field(default_factory=dict)
    files: tuple = FILES

    def load(self, path=None, *, data_dir=None, verify=True, download: bool = True,
             progress: bool = True):
        """Find (or download), verify and read the four files.

        Args:
            path: the folder holding the files (or their data root); ``None`` uses
                ``GLASSNET_DATA/<subdir>`` or ``~/.glassnet/datasets/<subdir>``.
            data_dir: another name for ``path``.
            verify: ``True`` checks each file's uncompressed SHA-256 against ``self.sha256``;
                ``False`` skips the check (the IDX structure is always checked); a dict
                ``{file name: sha256}`` checks against those values instead.
            download: fetch missing files from the mirrors.
            progress: progress bar on stderr while downloading.

        Returns:
            ``(x_train, y_train), (x_test, y_test)``.

        Raises:
            DatasetNotFoundError: files missing and not downloadable.
            DataIntegrityError: a file is corrupt, truncated, or has the wrong hash or header.
        """
        if data_dir is not None:
            if path is not None and Path(path) != Path(data_dir):
                raise ValueError(
                    f"{self.title}.load_data: expected path or data_dir, received both "
                    f"({path!r} and {data_dir!r})")
            path = data_dir
        sha256, gz_md5 = self._hashes(verify)
        source = _files.locate(self.subdir, path, self.files)  # the folder and where it came from
        folder = source.folder
        paths = _files.fetch(folder, self.files, self.mirrors, self.title, sha256=sha256,
                             gz_md5=gz_md5, allow_download=download, progress=progress, source=source)
        arrays = [read_idx(p, sha256.get(name), gz_md5.get(name))
                  for p, name in zip(paths, self.files)]
        x_train, y_train, x_test, y_test = arrays
        for images, labels, part in ((x_train, y_train, "train"), (x_test, y_test, "test")):
            if images.shape[0] != labels.shape[0]:
                raise DataIntegrityError(
                    f"{self.title}: {folder}: {part} images and labels expected the same count, "
                    f"received {images.shape[0]} images and {labels.shape[0]} labels")
        return (x_train, y_train), (x_test, y_test)

    def _hashes(self, verify) -> tuple:
        """``(sha256, gz_md5)`` tables to check against, from the ``verify`` argument."""
        if verify is False or verify is None:
            return {}, {}
        if verify is True:
            sha256, gz_md5 = dict(self.sha256), dict(self.gz_md5)
        elif isinstance(verify, Mapping):
            sha256, gz_md5 = dict(verify), {}
        else:
            raise ValueError(
                f"{self.title}: expected verify=True, False or a dict {{file name: sha256}}, "
                f"received {verify!r}")
        unknown = [name for name in self.files if name not in sha256 and name not in gz_md5]
        if unknown:
            raise ValueError(
                f"{self.title}: verify expected a SHA-256 for every file, none known for "
                f"{', '.join(unknown)}; pass verify=False or verify={{name: sha256}}")
        return sha256, gz_md5
