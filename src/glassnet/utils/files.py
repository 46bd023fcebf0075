"""Writing files safely: the one atomic-write helper that model files, weights, backups and
downloads share, and the check that refuses file names glassnet cannot honour.

An atomic write goes to a temporary file in the target's folder, which is renamed over the
target only once it is complete, so a reader (or a crash) never sees half a file. A temporary
file is created with mode 0600 (private), and a rename keeps that mode; ``atomic_write`` gives
the finished file the mode a plain ``open(path, "w")`` would: ``0666`` minus the umask.

Example:
    >>> from glassnet.utils.files import atomic_write
    >>> atomic_write("/tmp/hello.txt", lambda f: f.write(b"hello"))   # doctest: +SKIP
"""
from __future__ import annotations

import os
import tempfile
import threading
import time

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

_UMASK_LOCK = threading.Lock()

# Keras's file formats, which glassnet neither reads nor writes (see ``check_model_extension``)
KERAS_EXTENSIONS = (".h5", ".hdf5", ".keras")


def default_file_mode() -> int:
    """The mode a new file gets from ``open()``: ``0o666`` minus the process's umask.

    Example:
        >>> oct(default_file_mode())                      # doctest: +SKIP
        '0o644'
    """
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask: read from /proc on Linux (no side effect), else by setting it and
    putting it back at once."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def made_folders(folder) -> list:
    """The folders ``os.makedirs(folder)`` would create, outermost first (none if it exists)."""
    missing = []
    folder = os.path.abspath(os.fspath(folder))
    while not os.path.isdir(folder):
        missing.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return missing[::-1]


def remove_empty_folders(folders) -> None:
    """Remove the folders (listed outermost first, as ``made_folders`` gives them) that are
    still empty, innermost first: undo the folders a failed write created."""
    for folder in reversed(list(folders)):
        try:
            os.rmdir(folder)
        except OSError:  # not empty, or gone: leave it
            break


def atomic_write(filepath, write_fn, overwrite: bool = True, prefix: str = ".glassnet-") -> None:
    """Write ``filepath`` through a temporary file renamed over it when complete.

    Args:
        filepath: the target file; missing folders above it are created (and removed again
            if the write fails).
        write_fn: called with the open binary file object; writes the content.
        overwrite: if False, an existing ``filepath`` is an error.
        prefix: name prefix of the temporary file (hidden, in the target's folder).

    The finished file gets the mode ``open()`` would give it (``default_file_mode``), not
    the temporary file's 0600. On any failure (Ctrl-C included) the temporary file is removed
    and an existing target is left untouched.

    Raises:
        FileExistsError: ``overwrite=False`` and the file exists.
    """
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    folder = os.path.dirname(os.path.abspath(filepath))
    created = made_folders(folder)
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        remove_stale_temporaries(folder, prefix)
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as f:
            _lock(f)  # held while writing: tells remove_stale_temporaries this file is alive
            write_fn(f)
            f.flush()
            os.fchmod(f.fileno(), default_file_mode())
            os.fsync(f.fileno())
        os.replace(tmp, filepath)  # atomic: readers see the old file or the new one, never half
    except BaseException:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)
        remove_empty_folders(created)
        raise


def _lock(f) -> bool:
    """Take an exclusive lock on an open file without waiting; False if another holds it.
    The lock ends when the file is closed or its process dies (however it dies)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def remove_stale_temporaries(folder, prefix: str = ".glassnet-") -> list:
    """Remove the temporary files that interrupted writes (a killed process, a power cut) left
    in ``folder``: ``<prefix>*.tmp`` files that no live writer holds locked.

    ``atomic_write`` calls this before each write, so the next save of a file in that folder
    cleans up after an interrupted one. A write in progress holds a lock on its temporary file
    and is never touched. Where file locks are not available (Windows), only files older than
    a day are removed.

    Returns:
        The paths removed.
    """
    removed = []
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith(".tmp")]
    except OSError:
        return removed
    for name in names:
        path = os.path.join(folder, name)
        try:
            if fcntl is None:
                if time.time() - os.path.getmtime(path) > 86400:
                    os.remove(path)
                    removed.append(path)
                continue
            if time.time() - os.path.getmtime(path) < 2:
                continue  # just created: its writer may not have taken its lock yet
            with open(path, "rb") as f:
                if _lock(f):  # nobody is writing it: a leftover
                    os.remove(path)
                    removed.append(path)
        except OSError:  # gone meanwhile, or not ours to remove: leave it
            continue
    return removed


def check_model_extension(filepath, action: str) -> None:
    """Refuse Keras's file extensions (``.h5``, ``.hdf5``, ``.keras``) for glassnet's files.

    glassnet writes its own format (a zip of JSON and ``.npy`` arrays, extension
    ``.glassnet``) and does not read or write Keras's HDF5 or ``.keras`` files; saving under
    their names would make a file Keras cannot open.

    Args:
        filepath: the file name given to ``save``/``load_model``/``save_weights``...
        action: what was being done, for the message (``"save"``, ``"load_model"``).

    Raises:
        ValueError: for those extensions, naming glassnet's own.
    """
    name = os.fspath(filepath)
    lower = name.lower()
    for ext in KERAS_EXTENSIONS:
        if lower.endswith(ext):
            raise ValueError(
                f"{action}: {name!r} has the extension {ext!r} of a Keras file; glassnet does not "
                f"read or write Keras's formats (.keras, .h5). Use glassnet's own extension, "
                f"e.g. {name[:-len(ext)] or 'model'}.glassnet (weights only: .npz)")
