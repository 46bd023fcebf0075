"""Where data files live, how they are downloaded, and how their content is verified.

Folder resolution, for a data set stored in the sub-folder ``subdir`` (``mnist``,
``fashion-mnist``, ``stocks``):

1. the folder passed by the caller (``path=`` / ``data_dir=``); if the files are not directly
   in it but in its ``subdir`` sub-folder, that sub-folder;
2. else ``$GLASSNET_DATA/<subdir>`` when the ``GLASSNET_DATA`` environment variable is set;
3. else the user cache ``~/.glassnet/datasets/<subdir>``.

A missing file is downloaded from the data set's mirrors, in turn, into a temporary file in
the target folder that is renamed only once it is complete and, when a SHA-256 is known,
verified, so an interrupted or corrupt download never leaves a file that looks finished.

Example:
    >>> from glassnet.datasets import _files
    >>> _files.resolve_folder("mnist", None)          # doctest: +SKIP
    PosixPath('/home/me/.glassnet/datasets/mnist')
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Iterable, Sequence
from urllib.request import urlopen

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
    """The root folder for data sets: ``$GLASSNET_DATA`` if set, else ``~/.glassnet/datasets``.

    Example:
        >>> data_home()                                   # doctest: +SKIP
        PosixPath('/home/me/.glassnet/datasets')
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return CACHE_DIR.expanduser()


def resolve_folder(subdir: str, path=None, filenames: Iterable[str] = ()) -> Path:
    """The folder that holds (or will hold) a data set's files.

    Args:
        subdir: the data set's sub-folder name under the data root (``"mnist"``).
        path: a folder chosen by the caller, or ``None`` to use ``GLASSNET_DATA`` or the cache.
        filenames: the data set's file names; when none of them is directly in ``path`` but
            ``path/subdir`` exists, that sub-folder is used (so both ``.../data`` and
            ``.../data/mnist`` work).

    Returns:
        The folder as a ``Path`` (it may not exist yet).

    Raises:
        NotADirectoryError: if ``path`` names an existing file.

    Example:
        >>> resolve_folder("mnist", "/tmp/my-data")       # doctest: +SKIP
        PosixPath('/tmp/my-data')
    """
    if path is None:
        return data_home() / subdir
    folder = Path(path).expanduser()
    if folder.is_file():
        raise NotADirectoryError(
            f"expected a folder holding the {subdir} files, received the file {folder}")
    names = list(filenames)
    inner = folder / subdir
    if inner.is_dir() and not any(_present(folder, name) for name in names):
        return inner
    return folder


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
        DataIntegrityError: for a truncated or corrupt gzip file, naming the file.

    Example:
        >>> len(read_content("mnist/t10k-labels-idx1-ubyte.gz"))     # doctest: +SKIP
        10008
    """
    return _decompress(Path(path).read_bytes(), path)


def _decompress(raw: bytes, source) -> bytes:
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise DataIntegrityError(
            f"{source}: the gzip file is truncated ({len(raw)} bytes); delete it and download "
            "it again") from None
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise DataIntegrityError(
            f"{source}: the gzip file is corrupt ({exc}); delete it and download it again") from None


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _as_set(values) -> set:
    if values is None:
        return set()
    if isinstance(values, str):
        return {values.lower()}
    return {v.lower() for v in values}


def read_verified(path, sha256=None, gz_md5=None, source=None) -> bytes:
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

    Returns:
        The uncompressed content.

    Raises:
        DataIntegrityError: truncated or corrupt gzip, or content that matches no hash.

    Example:
        >>> read_verified("f.gz", sha256="e3b0c442...")              # doctest: +SKIP
    """
    source = path if source is None else source
    raw = Path(path).read_bytes()
    content = _decompress(raw, source)
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
    including Ctrl-C, the temporary file is removed.

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
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".", suffix=".part")
    tmp = Path(tmp_name)
    stream = sys.stderr
    try:
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
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def fetch(folder: Path, names: Sequence[str], mirrors: Sequence[str], title: str,
          sha256: dict | None = None, gz_md5: dict | None = None, allow_download: bool = True,
          progress: bool = True) -> list:
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

    Returns:
        A list of paths in the order of ``names``.

    Raises:
        DatasetNotFoundError: when a file is missing and no mirror delivered it; the message
            says which files to put where, and mentions ``GLASSNET_DATA``.
    """
    folder = Path(folder)
    paths = [find_local(folder, name) for name in names]
    missing = [name for name, p in zip(names, paths) if p is None]
    if not missing:
        return paths
    if not allow_download:
        raise DatasetNotFoundError(_missing_message(title, folder, missing, mirrors, []))
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
            raise DatasetNotFoundError(_missing_message(title, folder, missing, mirrors, reasons))
    return [find_local(folder, name) for name in names]


def _missing_message(title: str, folder: Path, missing: list, mirrors: Sequence[str],
                     reasons: list) -> str:
    lines = [f"{title}: {len(missing)} file(s) missing from {folder}"
             + (" and the download failed:" if reasons else " (downloads are switched off):")]
    lines += [f"  - {r}" for r in reasons]
    lines.append("Put these files in that folder:")
    lines += [f"  {folder / name}" for name in missing]
    if mirrors:
        lines.append("They can be fetched on a connected machine from " + " or ".join(mirrors))
    lines.append(f"or set the {ENV_VAR} environment variable to a folder holding "
                 f"'{folder.name}/' with these files, or pass path= to load_data.")
    return "\n".join(lines)
