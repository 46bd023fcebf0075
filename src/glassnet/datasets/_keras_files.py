"""Files that Keras's own data sets download, found, fetched and verified the glassnet way.

Keras's ``load_data`` functions download single files (``imdb.npz``, ``boston_housing.npz``...)
from Google's bucket ``https://storage.googleapis.com/tensorflow/tf-keras-datasets/`` into
``~/.keras/datasets``. glassnet downloads the same files from the same address, but keeps them
where its other data sets live: ``<data_dir>/<subdir>/``, ``$GLASSNET_DATA/<subdir>/`` or
``~/.glassnet/datasets/<subdir>/`` (see ``_files.locate``), and checks each against the hash
Keras publishes for it (of the whole file, as downloaded) before reading a byte of it.

Keras's ``path`` argument (``load_data(path="imdb.npz")``) is a file name in that folder, or a
path to the file itself when it has a folder part (``path="/data/imdb.npz"``).

Also here: Keras's shuffling and splitting, shared by the loaders, so that glassnet returns
the same samples in the same order as Keras for the same ``seed``.

Example:
    >>> spec = KerasFile("IMDB", "imdb", "imdb.npz", sha256="69664113...")   # doctest: +SKIP
    >>> content = spec.read(path="imdb.npz", data_dir=None)                  # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import http.client
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet.datasets import _files
from glassnet.datasets._files import DataIntegrityError, DatasetNotFoundError
from glassnet.utils import safe_zip

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
KERAS_CACHE = Path("~") / ".keras" / "datasets"
MAX_MEMBER_BYTES = 256 * 2**20
"""The largest array member read from a data set's ``.npz`` (IMDB's largest is about 30 MB)."""


def file_hash(path, algorithm: str = "sha256") -> str:
    """Hex digest of a whole file, read in 1 MiB pieces (the file is never held in memory)."""
    digest = hashlib.new(algorithm, usedforsecurity=False) if algorithm == "md5" else hashlib.new(algorithm)
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


@dataclass(frozen=True)
class KerasFile:
    """One published file of a data set.

    Args:
        title: the data set's name for messages (``"IMDB"``).
        subdir: its sub-folder under the data root (``"imdb"``).
        name: the published file name (``"imdb.npz"``).
        sha256: hex SHA-256 of the whole file, or ``None``.
        md5: hex MD5 of the whole file (what Keras publishes for some files), or ``None``.
        url: where to download it from (default: Keras's bucket + ``name``).
    """

    title: str
    subdir: str
    name: str
    sha256: str | None = None
    md5: str | None = None
    url: str | None = None

    @property
    def origin(self) -> str:
        return self.url or KERAS_ORIGIN + self.name

    def locate(self, path=None, data_dir=None):
        """``(DataSource, file name)``: where the file is or will be (see the module docstring)."""
        name = self.name
        if path is not None and os.fspath(path) != self.name:
            given = Path(os.fspath(path)).expanduser()
            if given.is_dir():                      # a folder: glassnet's own meaning of path=
                if data_dir is not None:
                    raise ValueError(f"{self.title}.load_data: expected path or data_dir, received both "
                                     f"({path!r} and {data_dir!r})")
                data_dir = given
            elif given.parent != Path("."):         # a path to the file itself
                if data_dir is not None:
                    raise ValueError(f"{self.title}.load_data: path {os.fspath(path)!r} names a file in a "
                                     f"folder; expected no data_dir with it, received {data_dir!r}")
                folder = Path(os.path.abspath(given.parent))
                return _files.DataSource(folder, "argument", os.fspath(path)), given.name
            else:
                name = given.name
        return _files.locate(self.subdir, data_dir, [name]), name

    def fetch(self, path=None, data_dir=None, download: bool = True, verify: bool = True,
              progress: bool = True) -> Path:
        """The verified local file, downloaded first if it is missing.

        Raises:
            DatasetNotFoundError: missing and not downloadable; says which file to put where.
            DataIntegrityError: the file's hash is not the published one.
        """
        source, name = self.locate(path, data_dir)
        target = source.folder / name
        if target.is_file():
            if verify:
                self._check(target, fresh=False)
            return target
        reasons = []
        if download:
            created = _made_folders(source.folder)
            try:
                _files.download(self.origin, target, progress=progress)
            except (OSError, http.client.HTTPException, DataIntegrityError) as exc:
                reasons.append(f"{self.origin}: {exc}")
            else:
                if verify:
                    try:
                        self._check(target, fresh=True)
                    except DataIntegrityError:
                        target.unlink(missing_ok=True)
                        _remove_empty(created)
                        raise
                return target
        message = _files._missing_message(self.title, source.folder, [name], [self.origin], reasons, source)
        message = message.replace("pass path= to load_data", "pass data_dir= to load_data")
        keras_copy = KERAS_CACHE.expanduser() / self.name
        if keras_copy.is_file():
            message += f"\nKeras has already downloaded it: copy {keras_copy} to {target}."
        raise DatasetNotFoundError(message)

    def _check(self, target: Path, fresh: bool) -> None:
        expected = [(alg, h) for alg, h in (("sha256", self.sha256), ("md5", self.md5)) if h]
        for algorithm, wanted in expected:
            actual = file_hash(target, algorithm)
            if actual != wanted:
                what = f"the file downloaded from {self.origin}" if fresh else str(target)
                raise DataIntegrityError(
                    f"{what}: {algorithm.upper()} does not match; expected {wanted}, received {actual}. "
                    + ("The download was damaged and has been removed; try again" if fresh else
                       "The file is damaged or is not the published one: delete it and load again to "
                       "download it (or pass verify=False for data of your own)"))

    def read_npz(self, path=None, data_dir=None, download=True, verify=True, keys=()) -> dict:
        """The arrays ``keys`` of the verified ``.npz`` (object arrays of integer lists come back as
        lists of int64 arrays, read without pickle: see ``_pickled_lists``)."""
        from glassnet.datasets._pickled_lists import read_sequences_npy

        target = self.fetch(path, data_dir, download=download, verify=verify)
        with safe_zip.open_zip(io.BytesIO(target.read_bytes()), target, DataIntegrityError) as z:
            names = set(z.namelist())
            missing = [k for k in keys if f"{k}.npy" not in names]
            if missing:
                raise DataIntegrityError(f"{target}: expected the arrays {list(keys)}, missing {missing} "
                                         f"(the archive holds {sorted(names)})")
            return {k: read_sequences_npy(safe_zip.read_member(z, f"{k}.npy", target, DataIntegrityError,
                                                               limit=MAX_MEMBER_BYTES), f"{target}: {k}")
                    for k in keys}


def _made_folders(folder):
    from glassnet.utils.files import made_folders
    return made_folders(folder)


def _remove_empty(folders) -> None:
    from glassnet.utils.files import remove_empty_folders
    remove_empty_folders(folders)


# --------------------------------------------------------------------------- Keras's shuffles and splits
def check_test_split(test_split, who: str) -> float:
    """``test_split`` as a float in [0, 1), or a ValueError naming it."""
    ok = isinstance(test_split, (int, float, np.integer, np.floating)) and not isinstance(test_split, bool) \
        and 0 <= test_split < 1
    if not ok:
        raise ValueError(f"{who}: expected test_split in [0, 1), received {test_split!r}")
    return float(test_split)


def shuffled_split(x, y, test_split: float, seed):
    """Keras's split: shuffle with ``np.random.RandomState(seed)``, then the first
    ``int(n * (1 - test_split))`` samples train, the rest test."""
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def check_int(value, name: str, who: str, allow_none: bool = False, minimum: int | None = None):
    """``value`` as an int (or None when allowed), or a ValueError naming the argument."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and (minimum is None or value >= minimum)
    if not ok:
        expected = "an integer" + (f" >= {minimum}" if minimum is not None else "") + (" or None" if allow_none else "")
        raise ValueError(f"{who}: expected {name} to be {expected}, received {value!r}")
    return int(value)
