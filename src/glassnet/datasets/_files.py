"""Where data files live, how they are downloaded, and how their content is verified.

Folder resolution, for a data set stored in the sub-folder ``subdir`` (``mnist``,
``fashion-mnist``, ``stocks``):

1. the folder passed by the caller (``path=`` / ``data_dir=``); if the files are not directly
   in it but in its ``subdir`` sub-folder, that sub-folder;
2. else ``$GLASSNET_DATA/<subdir>`` when the ``GLASSNET_DATA`` environment variable is set;
3. else the user cache ``~/.glassnet/datasets/<subdir>``.

Folders are made absolute (a relative ``GLASSNET_DATA`` is taken from the current folder), and
``locate`` says which of the three sources gave the folder, so messages can name both. Folders
are created only to write a downloaded file into, and removed again if that download fails.

A missing file is downloaded from the data set's mirrors, in turn, into a temporary file in
the target folder that is renamed only once it is complete and, when a SHA-256 is known,
verified, so an interrupted or corrupt download never leaves a file that looks finished.

Example:
    >>> from glassnet.datasets import _files
    >>> _files.resolve_folder("mnist", None)          # doctest: +SKIP
    PosixPath('/home/me/.glassnet/datasets/mnist')
"""
from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence
from urllib.request import urlopen

from glassnet.utils.files import default_file_mode, made_folders, remove_empty_folders

ENV_VAR = "GLASSNET_DATA"
CACHE_DIR = Path("~") / ".glassnet" / "datasets"
DOWNLOAD_TIMEOUT_S = 30
_CHUNK = 1 << 16


class DataIntegrityError(ValueError):
    """A data file exists but its content is wrong: corrupt or truncated gzip, bad header,
    size that does not match the header, or a SHA-256 different from the expected one."""


class DatasetNotFoundError(FileNotFoundError):
    """A data file is missing and could not be downloaded (no network, mirror down...)."""


def data_home() -> Path:
    """The root folder for data sets, as an absolute path: ``$GLASSNET_DATA`` if set (a
    relative value is taken from the current folder), else ``~/.glassnet/datasets``.

    Example:
        >>> data_home()                                   # doctest: +SKIP
        PosixPath('/home/me/.glassnet/datasets')
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return _absolute(env)
    return _absolute(CACHE_DIR)


def _absolute(path) -> Path:
    """``path`` with ``~`` expanded, made absolute and normalised (``..`` removed)."""
    return Path(os.path.abspath(Path(path).expanduser()))


@dataclass(frozen=True)
class DataSource:
    """Where a data set's folder came from, for messages.

    Attributes:
        folder: the absolute folder.
        kind: ``"argument"`` (``path=``/``data_dir=``), ``"environment"`` (``GLASSNET_DATA``)
            or ``"cache"`` (``~/.glassnet/datasets``).
        given: the text the user gave (the argument, or the variable's value), if any.
    """

    folder: Path
    kind: str
    given: str | None = None

    def origin(self) -> str:
        """Where the folder came from: ``'GLASSNET_DATA=../data'`` and the like."""
        if self.kind == "argument":
            return f"the path=/data_dir= argument {self.given!r}"
        if self.kind == "environment":
            return f"{ENV_VAR}={self.given}"
        return f"the user cache ({ENV_VAR} is not set)"

    def describe(self) -> str:
        """``'/abs/data/mnist (from GLASSNET_DATA=../data)'`` and the like."""
        return f"{self.folder} (from {self.origin()})"


def locate(subdir: str, path=None, filenames: Iterable[str] = ()) -> DataSource:
    """The folder of a data set and the source it came from (see ``resolve_folder``).

    Example:
        >>> locate("mnist").describe()                     # doctest: +SKIP
        '/home/me/.glassnet/datasets/mnist (the user cache; GLASSNET_DATA is not set)'
    """
    if path is None:
        env = os.environ.get(ENV_VAR)
        if env:
            return DataSource(_absolute(env) / subdir, "environment", env)
        return DataSource(_absolute(CACHE_DIR) / subdir, "cache")
    folder = _absolute(path)
    if folder.is_file():
        raise NotADirectoryError(
            f"expected a folder holding the {subdir} files, received the file {folder}")
    names = list(filenames)
    inner = folder / subdir
    if inner.is_dir() and not any(_present(folder, name) for name in names):
        folder = inner
    return DataSource(folder, "argument", os.fspath(path))


def resolve_folder(subdir: str, path=None, filenames: Iterable[str] = ()) -> Path:
    """The folder that holds (or will hold) a data set's files.

    Args:
        subdir: the data set's sub-folder name under the data root (``"mnist"``).
        path: a folder chosen by the caller, or ``None`` to use ``GLASSNET_DATA`` or the cache.
        filenames: the data set's file names; when none of them is directly in ``path`` but
            ``path/subdir`` exists, that sub-folder is used (so both ``.../data`` and
            ``.../data/mnist`` work).

    Returns:
        The folder as an absolute ``Path`` (it may not exist yet); ``locate`` also says which
        source it came from.

    Raises:
        NotADirectoryError: if ``path`` names an existing file.

    Example:
        >>> resolve_folder("mnist", "/tmp/my-data")       # doctest: +SKIP
        PosixPath('/tmp/my-data')
    """
    return locate(subdir, path, filenames).folder


def _present(folder: Path, name: str) -> Path | None:
    """``folder/name``, or its uncompressed twin (``name`` without ``.gz``), if present."""
    for candidate in (folder / name, folder / name.removesuffix(".gz")):
        if candidate.is_file():
            return candidate
    return None


def find_local(folder: Path, name: str) -> Path | None:
    """Path of ``name`` in ``folder``: the ``.gz`` file, or an already uncompressed copy.

    Args:
        folder: where to look.
        name: the file name as published (``"train-images-idx3-ubyte.gz"``).

    Returns:
        The path found, or ``None``.
    """
    return _present(folder, name)


# --------------------------------------------------------------------------- content

def read_content(path: Path) -> bytes:
    """The file's content, decompressed if it is gzip (recognised by its magic bytes).

    Args:
        path: the file to read.

    Returns:
        The uncompressed bytes.

    Raises:
        DataIntegrityError: for a truncated or corrupt gzip file, or one inflating past
            ``MAX_INFLATED_BYTES``, naming the file.

    Example:
        >>> len(read_content("mnist/t10k-labels-idx1-ubyte.gz"))     # doctest: +SKIP
        10008
    """
    return _decompress(Path(path).read_bytes(), path)


_INFLATE_CHUNK = 1 << 20
MAX_INFLATED_BYTES = 256 * 2**20
"""The most a ``.gz`` data file may inflate to when nothing better bounds it (an IDX file's
header does: it may inflate only to the size its header declares, see ``_idx.read_idx``)."""


def _decompress(raw: bytes, source, limit=None, reason=None) -> bytes:
    """Inflate gzip ``raw`` as a stream that stops as soon as it passes ``limit`` bytes.

    A few megabytes of gzip can inflate to gigabytes (a "gzip bomb"): nothing past ``limit``
    (default ``MAX_INFLATED_BYTES``) is ever held in memory.
    """
    if raw[:2] != b"\x1f\x8b":
        return raw
    if limit is None:
        limit, reason = MAX_INFLATED_BYTES, "the limit for a data file, glassnet.datasets._files.MAX_INFLATED_BYTES"
    pieces, total, data, pos = [], 0, b"", 0
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip wrapper: checks the CRC and length
    try:
        while True:
            if not data and pos < len(raw):  # feed the input a slice at a time
                data, pos = raw[pos:pos + _INFLATE_CHUNK], pos + _INFLATE_CHUNK
            piece = inflater.decompress(data, _INFLATE_CHUNK)  # never more than a chunk out at a time
            data = inflater.unconsumed_tail
            total += len(piece)
            if total > limit:
                raise DataIntegrityError(
                    f"{source}: the gzip file inflates to more than {limit} bytes ({reason}); refused "
                    f"after inflating {total} bytes of its {len(raw)}. Delete it and download it again")
            pieces.append(piece)
            if inflater.eof:
                rest = inflater.unused_data + raw[pos:]
                if rest[:2] == b"\x1f\x8b":  # another gzip member follows (concatenated files)
                    inflater, raw, data, pos = zlib.decompressobj(16 + zlib.MAX_WBITS), rest, b"", 0
                    continue
                if rest.strip(b"\x00"):
                    raise zlib.error(f"{len(rest)} bytes of trailing garbage after the gzip data")
                return b"".join(pieces)
            if not piece and not data and pos >= len(raw):
                raise EOFError
    except EOFError:
        raise DataIntegrityError(
            f"{source}: the gzip file is truncated ({len(raw)} bytes); delete it and download "
            "it again") from None
    except (zlib.error, OSError) as exc:
        raise DataIntegrityError(
            f"{source}: the gzip file is corrupt ({exc}); delete it and download it again") from None
    except MemoryError:
        raise DataIntegrityError(f"{source}: not enough memory to inflate the gzip file") from None


def gzip_head(raw: bytes, size: int) -> bytes:
    """The first ``size`` inflated bytes of gzip ``raw`` (``raw`` itself if not gzip), to read a
    header before deciding how much the whole file may inflate to."""
    if raw[:2] != b"\x1f\x8b":
        return raw[:size]
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, size)
    except zlib.error:
        return b""  # the full read reports the damage


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _as_set(values) -> set:
    if values is None:
        return set()
    if isinstance(values, str):
        return {values.lower()}
    return {v.lower() for v in values}


def read_verified(path, sha256=None, gz_md5=None, source=None, limit=None, reason=None) -> bytes:
    """Read a file, decompress it if gzip, and check that it is the expected content.

    The content passes if the SHA-256 of the UNCOMPRESSED bytes is one of ``sha256`` (the
    check that does not depend on how a mirror compressed the file), or if the file is the
    publisher's own ``.gz`` whose MD5 is one of ``gz_md5``. With neither given, nothing is
    checked beyond the gzip stream itself (its CRC and length).

    Args:
        path: the file.
        sha256: expected hex SHA-256 of the uncompressed content: a string, several strings,
            or ``None``.
        gz_md5: published hex MD5 of the compressed file (a string, several, or ``None``).
        source: what to call the file in messages (default: ``path``).
        limit: the most the file may inflate to (default ``MAX_INFLATED_BYTES``); inflating
            stops, and the file is refused, as soon as it passes that.
        reason: where ``limit`` comes from, for the message.

    Returns:
        The uncompressed content.

    Raises:
        DataIntegrityError: truncated or corrupt gzip, or content that matches no hash.

    Example:
        >>> read_verified("f.gz", sha256="e3b0c442...")              # doctest: +SKIP
    """
    source = path if source is None else source
    raw = Path(path).read_bytes()
    content = _decompress(raw, source, limit, reason)
    wanted, published = _as_set(sha256), _as_set(gz_md5)
    if not wanted and not published:
        return content
    if published and hashlib.md5(raw, usedforsecurity=False).hexdigest() in published:
        return content
    actual = sha256_hex(content)
    if actual in wanted:
        return content
    expected = " or ".join(sorted(wanted)) or "(none known)"
    raise DataIntegrityError(
        f"{source}: SHA-256 of the uncompressed content does not match; expected {expected}, "
        f"received {actual}" + (f" (nor is it the published .gz, MD5 {' or '.join(sorted(published))})"
                                if published else "")
        + ". The file is damaged or is not the expected data set: delete it and download it "
        "again (or pass verify=False for data of your own)")


# --------------------------------------------------------------------------- download

def _progress(name: str, done: int, total: int | None, stream) -> None:
    width = 30
    if total:
        frac = min(done / total, 1.0)
        bar = "#" * int(frac * width)
        stream.write(f"\rDownloading {name} [{bar:<{width}}] {frac * 100:5.1f}% "
                     f"{done / 1e6:.1f}/{total / 1e6:.1f} MB")
    else:
        stream.write(f"\rDownloading {name} {done / 1e6:.1f} MB")
    stream.flush()


def download(url: str, dest: Path, sha256=None, gz_md5=None, progress: bool = True) -> Path:
    """Download ``url`` to ``dest`` through a temporary file renamed when complete.

    The content is written to ``<dest>.<random>.part`` in the same folder; only after the
    whole body arrived (as many bytes as the server announced) and, if hashes are given,
    the content passes ``read_verified``, the file is renamed to ``dest``. On any failure,
    including Ctrl-C, the temporary file is removed, and so are the folders this call
    created for it: a failed download leaves nothing behind.

    Args:
        url: the address (``https://``, ``http://`` or ``file://``).
        dest: the final path.
        sha256: expected hex SHA-256 of the uncompressed content (see ``read_verified``),
            or ``None``.
        gz_md5: published MD5 of the compressed file, or ``None``.
        progress: draw a text progress bar on stderr.

    Returns:
        ``dest``.

    Raises:
        OSError: (``URLError`` included) when the download fails or ends early.
        DataIntegrityError: when the downloaded content is corrupt or has the wrong hash.

    Example:
        >>> download("https://example.org/f.gz", Path("/tmp/f.gz"))  # doctest: +SKIP
    """
    dest = Path(dest)
    created = made_folders(dest.parent)  # removed again if the download fails
    tmp = None
    stream = sys.stderr
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".", suffix=".part")
        tmp = Path(tmp_name)
        with os.fdopen(fd, "wb") as out, urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            length = response.headers.get("Content-Length") if response.headers else None
            total = int(length) if length and length.isdigit() else None
            done = 0
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                done += len(chunk)
                if progress:
                    _progress(dest.name, done, total, stream)
            if progress:
                stream.write("\n")
                stream.flush()
        if total is not None and done != total:
            raise OSError(f"download of {url} ended early: received {done} of {total} bytes")
        if sha256 is not None or gz_md5 is not None:
            read_verified(tmp, sha256, gz_md5, source=url)
        os.chmod(tmp, default_file_mode())  # the mode open() would give, not mkstemp's 0600
        os.replace(tmp, dest)
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        remove_empty_folders(created)
        raise
    return dest


def fetch(folder: Path, names: Sequence[str], mirrors: Sequence[str], title: str,
          sha256: dict | None = None, gz_md5: dict | None = None, allow_download: bool = True,
          progress: bool = True, source: DataSource | None = None) -> list:
    """Paths of ``names`` in ``folder``, downloading the missing ones from ``mirrors``.

    Args:
        folder: the data set's folder (see ``resolve_folder``).
        names: file names as published on the mirrors.
        mirrors: base URLs tried in turn; a file's URL is ``mirror + name``.
        title: the data set's name for messages (``"MNIST"``).
        sha256: expected hex SHA-256 of each file's uncompressed content, keyed by ``name``
            (checked on downloaded files before they are kept); ``None`` to skip.
        gz_md5: published MD5 of each compressed file, keyed by ``name`` (an alternative
            proof for downloads, see ``read_verified``); ``None`` if unknown.
        allow_download: if False, a missing file is an error straight away.
        progress: show a progress bar on stderr while downloading.
        source: where ``folder`` came from (``locate``), named in messages.

    Returns:
        A list of paths in the order of ``names``.

    Raises:
        DatasetNotFoundError: when a file is missing and no mirror delivered it; the message
            says which files to put where, where the folder came from, and the other ways
            to point at the data (``path=``, ``GLASSNET_DATA``, a lab's ``--set data_dir=``).
    """
    folder = Path(folder)
    paths = [find_local(folder, name) for name in names]
    missing = [name for name, p in zip(names, paths) if p is None]
    if not missing:
        return paths
    if not allow_download:
        raise DatasetNotFoundError(_missing_message(title, folder, missing, mirrors, [], source))
    for name in missing:
        reasons = []
        for base in mirrors:
            url = base.rstrip("/") + "/" + name
            try:
                download(url, folder / name, (sha256 or {}).get(name), (gz_md5 or {}).get(name),
                         progress)
                break
            except (OSError, http.client.HTTPException, DataIntegrityError) as exc:
                # OSError covers URLError, HTTPError, timeouts and a read-only folder
                reasons.append(f"{url}: {exc}")
        else:
            raise DatasetNotFoundError(_missing_message(title, folder, missing, mirrors, reasons, source))
    return [find_local(folder, name) for name in names]


def _missing_message(title: str, folder: Path, missing: list, mirrors: Sequence[str],
                     reasons: list, source: DataSource | None = None) -> str:
    lines = [f"{title}: {len(missing)} file(s) missing from {folder}"
             + (" and the download failed:" if reasons else " (downloads are switched off):")]
    lines += [f"  - {r}" for r in reasons]
    if source is not None:
        lines.append(f"That folder came from {source.origin()}.")
    if source is not None and source.kind == "environment":
        lines.append(f"{ENV_VAR} is set to {source.given!r} (that is {folder.parent}), but that "
                     f"folder does not hold '{folder.name}/' with these files.")
    lines.append("Put these files in that folder:")
    lines += [f"  {folder / name}" for name in missing]
    if mirrors:
        lines.append("They can be fetched on a connected machine from " + " or ".join(mirrors))
    other = "point" if source is not None and source.kind == "environment" else "set"
    lines.append(f"or {other} the {ENV_VAR} environment variable to a folder holding "
                 f"'{folder.name}/' with these files, pass path= to load_data, or, for a lab, "
                 f"add --set data_dir=FOLDER to `glassnet labs run`.")
    return "\n".join(lines)
