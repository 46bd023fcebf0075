"""CIFAR-10 and CIFAR-100 read from the *binary* version the Toronto site publishes.

Keras downloads ``cifar-10-python.tar.gz``, whose batches are Python pickles, and unpickles them.
glassnet never unpickles a data file, so it reads the other version published beside it,
``cifar-10-binary.tar.gz`` (``cifar-100-binary.tar.gz``): the same images in the same order, as
plain bytes. Each record is the label byte(s), then 3,072 pixel bytes: the 1,024 red values of
the 32x32 image row by row, then the green, then the blue::

    CIFAR-10:  <label> <3072 pixels>                  data_batch_1.bin ... data_batch_5.bin, test_batch.bin
    CIFAR-100: <coarse label> <fine label> <3072 pixels>            train.bin, test.bin

The archive is checked against its SHA-256 (the values TensorFlow Datasets records for these
files), then inflated as a stream, never past ``_files.MAX_INFLATED_BYTES`` (a gzip bomb stops
there), and only the needed members are read from it; nothing is extracted to disk.

Example:
    >>> (x_train, y_train), (x_test, y_test) = CIFAR10.load()          # doctest: +SKIP
"""
from __future__ import annotations

import io
import tarfile
import zlib
from dataclasses import dataclass

import numpy as np

from glassnet.datasets import _files
from glassnet.datasets._files import DataIntegrityError
from glassnet.datasets._keras_files import KerasFile

TORONTO = "https://www.cs.toronto.edu/~kriz/"
PIXELS = 32 * 32 * 3
_CHUNK = 1 << 20


class _Gunzip(io.RawIOBase):
    """A gzip file inflated as a stream that refuses to produce more than ``limit`` bytes."""

    def __init__(self, raw, limit: int, source):
        self.raw, self.limit, self.source = raw, limit, source
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.pending, self.out, self.total, self.done = b"", b"", 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            while not self.out and not self.done:
                if not self.pending:
                    self.pending = self.raw.read(_CHUNK)
                    if not self.pending:
                        raise DataIntegrityError(f"{self.source}: the gzip stream is truncated; delete the file "
                                                 f"and download it again")
                self.out = self.inflater.decompress(self.pending, _CHUNK)
                self.pending = self.inflater.unconsumed_tail
                self.total += len(self.out)
                if self.total > self.limit:
                    raise DataIntegrityError(
                        f"{self.source}: the archive inflates to more than {self.limit} bytes "
                        f"(glassnet.datasets._files.MAX_INFLATED_BYTES); refused")
                self.done = self.inflater.eof
        except zlib.error as err:
            raise DataIntegrityError(f"{self.source}: the gzip stream is corrupt ({err})") from None
        n = min(len(buffer), len(self.out))
        buffer[:n] = self.out[:n]
        self.out = self.out[n:]
        return n


def read_members(path, names, source=None) -> dict:
    """``{base name: bytes}`` of the regular files called ``names`` in the ``.tar.gz`` at ``path``.

    Raises:
        DataIntegrityError: not a gzip'd tar, corrupt, past the inflation limit, or missing one of ``names``.
    """
    source = source or path
    wanted, found = set(names), {}
    with open(path, "rb") as raw:
        stream = io.BufferedReader(_Gunzip(raw, _files.MAX_INFLATED_BYTES, source), buffer_size=_CHUNK)
        try:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                for member in tar:
                    base = member.name.rsplit("/", 1)[-1]
                    if base in wanted and member.isfile() and base not in found:
                        found[base] = tar.extractfile(member).read()
        except tarfile.TarError as err:
            raise DataIntegrityError(f"{source}: not a readable .tar.gz archive ({err})") from None
    missing = sorted(wanted - set(found))
    if missing:
        raise DataIntegrityError(f"{source}: the archive lacks {missing}; is it the binary version of the data set?")
    return found


@dataclass(frozen=True)
class CifarSpec:
    """One CIFAR variant: its archive, the members of each split, the label bytes per record."""

    file: KerasFile
    train: tuple
    test: tuple
    label_bytes: int
    classes: tuple  # number of classes per label byte

    def load(self, label: int = 0, label_dtype=np.uint8, *, data_dir=None, download=True, verify=True):
        archive = self.file.fetch(None, data_dir, download=download, verify=verify)
        members = read_members(archive, self.train + self.test)
        splits = []
        for names in (self.train, self.test):
            images, labels = zip(*(self._records(members[n], f"{archive}: {n}", label) for n in names))
            y = np.concatenate(labels).astype(label_dtype).reshape(-1, 1)
            splits.append((np.concatenate(images), y))
        return tuple(splits)

    def _records(self, data: bytes, source, label: int):
        size = self.label_bytes + PIXELS
        if not data or len(data) % size:
            raise DataIntegrityError(f"{source}: {len(data)} bytes is not a whole number of {size}-byte records")
        rows = np.frombuffer(data, dtype=np.uint8).reshape(-1, size)
        labels = rows[:, label]
        if labels.max() >= self.classes[label]:
            raise DataIntegrityError(f"{source}: label {int(labels.max())} found, expected labels below "
                                     f"{self.classes[label]}")
        images = rows[:, self.label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return np.ascontiguousarray(images), labels


CIFAR10 = CifarSpec(
    KerasFile("CIFAR-10", "cifar10", "cifar-10-binary.tar.gz", url=TORONTO + "cifar-10-binary.tar.gz",
              sha256="c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"),
    train=tuple(f"data_batch_{i}.bin" for i in range(1, 6)), test=("test_batch.bin",), label_bytes=1,
    classes=(10,))
CIFAR100 = CifarSpec(
    KerasFile("CIFAR-100", "cifar100", "cifar-100-binary.tar.gz", url=TORONTO + "cifar-100-binary.tar.gz",
              sha256="58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec"),
    train=("train.bin",), test=("test.bin",), label_bytes=2, classes=(20, 100))
