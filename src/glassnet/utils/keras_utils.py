"""Keras's ``keras.utils`` helpers that are not about data preparation: ``set_random_seed``,
``normalize``, ``plot_model`` (a PNG of the layer graph, drawn with matplotlib) and ``get_file``
(a download cache with checksums).

Example:
    >>> import numpy as np
    >>> from glassnet.utils import normalize, set_random_seed
    >>> set_random_seed(0)
    >>> normalize(np.array([[3.0, 4.0]]))
    array([[0.6, 0.8]])
"""
from __future__ import annotations

import hashlib
import os
import random as _python_random
import shutil
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import numpy as np

from glassnet import backend

__all__ = ["set_random_seed", "normalize", "plot_model", "get_file", "register_keras_serializable", "Sequence",
           "PyDataset"]


def set_random_seed(seed: int) -> None:
    """Seed everything a Keras program draws from: Python's ``random``, NumPy's global
    generator (``np.random``) and glassnet's own (weights, dropout, shuffling), as Keras does.

    Example:
        >>> set_random_seed(42)
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"set_random_seed: expected an integer seed, received {seed!r}")
    _python_random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    backend.set_seed(int(seed))


def normalize(x, axis=-1, order=2):
    """``x`` divided by its ``order``-norm along ``axis`` (rows of zeros stay zeros).

    Example:
        >>> import numpy as np
        >>> normalize(np.array([[1.0, 0.0], [0.0, 0.0]]))
        array([[1., 0.],
               [0., 0.]])
    """
    arr = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(arr, order, axis))
    norm[norm == 0] = 1
    return arr / np.expand_dims(norm, axis)


class Sequence:
    """Keras's base class for a data source of batches: ``__len__`` (batches per epoch) and
    ``__getitem__(i)`` (batch ``i`` as ``(x, y)``). glassnet's ``fit`` takes arrays;
    ``Model.fit_generator`` takes a Sequence (see ``glassnet.compat.legacy``).

    Example:
        >>> class Batches(Sequence):
        ...     def __len__(self):
        ...         return 10
        ...     def __getitem__(self, i):
        ...         return x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        pass

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of batches)")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__ (batch number index)")

    def on_epoch_end(self):
        """Called after each epoch (nothing by default)."""


PyDataset = Sequence  # Keras 3's name


def register_keras_serializable(package="Custom", name=None):
    """Keras's decorator for custom classes; it returns the class unchanged (glassnet's model
    files name custom classes, and ``load_model`` takes them in ``custom_objects``).

    Example:
        >>> from glassnet.layers import Layer
        >>> @register_keras_serializable()
        ... class MyLayer(Layer):
        ...     pass
    """
    if isinstance(package, type):  # used without parentheses
        return package
    return lambda cls: cls


# ---------------------------------------------------------------- plot_model
def _graph(model):
    """(boxes, edges): one box per layer (input layers included), edges between layers."""
    layers = list(getattr(model, "_input_layers", [])) + [lyr for lyr in model.layers]
    ids = {id(lyr): i for i, lyr in enumerate(layers)}
    edges = set()
    nodes = getattr(model, "_nodes", None)
    if nodes is None:  # Sequential (or subclassed): a chain in order
        edges = {(i, i + 1) for i in range(len(layers) - 1)}
    else:
        for node in nodes:
            for t in node.input_tensors:
                src = getattr(getattr(t, "node", None), "layer", None)
                if src is not None and id(src) in ids and id(node.layer) in ids:
                    edges.add((ids[id(src)], ids[id(node.layer)]))
    return layers, sorted(edges)


def _shape_text(layer, which):
    try:
        shape = layer.input_shape if which == "input" else layer.output_shape
    except (AttributeError, ValueError, NotImplementedError, TypeError):
        return "?"
    return str(shape)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=True,
               rankdir="TB", expand_nested=False, dpi=96, show_layer_activations=False, **kwargs):
    """Draw the model's layers and their connections to a PNG, with matplotlib (no Graphviz).

    Each layer is a box (its name and class; with ``show_shapes`` its input and output shapes),
    arrows follow the data; ``rankdir="LR"`` lays the graph out left to right.

    Returns:
        ``to_file`` (Keras returns an image object in notebooks; here the path).

    Example:
        >>> plot_model(model, to_file="model.png", show_shapes=True)   # doctest: +SKIP
    """
    import matplotlib
    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    if not model.built:
        raise ValueError("plot_model: the model is not built yet (give the first layer input_shape=, or call it "
                         "once on data)")
    layers, edges = _graph(model)
    depth = [0] * len(layers)
    for _ in layers:  # longest path from an input: the row of each box
        for a, b in edges:
            depth[b] = max(depth[b], depth[a] + 1)
    rows: dict = {}
    for i, d in enumerate(depth):
        rows.setdefault(d, []).append(i)
    pos = {}
    for d, members in rows.items():
        for k, i in enumerate(members):
            across = k - (len(members) - 1) / 2
            pos[i] = (across * 3.2, -d * 1.3) if rankdir == "TB" else (d * 3.6, -across * 1.3)
    labels = []
    for lyr in layers:
        text = f"{lyr.name} ({type(lyr).__name__})" if show_layer_names else type(lyr).__name__
        if show_layer_activations and getattr(lyr, "activation", None) is not None:
            text += f"\nactivation: {getattr(lyr.activation, '__name__', lyr.activation)}"
        if show_shapes:
            text += f"\nin: {_shape_text(lyr, 'input')}\nout: {_shape_text(lyr, 'output')}"
        if show_dtype:
            text += f"\ndtype: {getattr(lyr, 'dtype', '?')}"
        labels.append(text)
    xs, ys = [p[0] for p in pos.values()] or [0], [p[1] for p in pos.values()] or [0]
    width, height = max(xs) - min(xs) + 4, max(ys) - min(ys) + 2
    fig, ax = plt.subplots(figsize=(max(width, 4) * 0.9, max(height, 2) * 0.9))
    for a, b in edges:
        ax.annotate("", xy=pos[b], xytext=pos[a], arrowprops={"arrowstyle": "->", "color": "0.3",
                                                              "shrinkA": 18, "shrinkB": 18})
    for i, text in enumerate(labels):
        ax.text(*pos[i], text, ha="center", va="center", fontsize=8, family="monospace",
                bbox={"boxstyle": "round", "facecolor": "#e8f0fe", "edgecolor": "#4a6fa5"})
    ax.set_xlim(min(xs) - 2, max(xs) + 2)
    ax.set_ylim(min(ys) - 1, max(ys) + 1)
    ax.axis("off")
    fig.savefig(to_file, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return to_file


# ---------------------------------------------------------------- get_file
def _hash(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _algorithm(file_hash: str, hash_algorithm: str) -> str:
    if hash_algorithm in ("sha256", "md5"):
        return hash_algorithm
    return "sha256" if len(file_hash) == 64 else "md5"


def _extract(path: Path, into: Path) -> None:
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as tar:
            tar.extractall(into, filter="data")  # refuses absolute paths, .. and links out of `into`
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            root = into.resolve()
            for member in z.namelist():
                if not (root / member).resolve().is_relative_to(root):
                    raise ValueError(f"get_file: {path} holds {member!r}, outside the folder it extracts to")
            z.extractall(into)
    else:
        raise ValueError(f"get_file: extract=True, but {path} is neither a tar nor a zip archive")


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None, force_download=False):
    """Download ``origin`` into a cache once, check it, and return its local path (Keras's ``get_file``).

    The file goes to ``cache_dir/cache_subdir/fname`` (``cache_dir`` defaults to
    ``$GLASSNET_CACHE`` or ``~/.glassnet``). A file already there whose hash matches
    ``file_hash`` (SHA-256 or MD5, told apart by length) is not downloaded again; a download
    whose hash does not match is deleted and refused. ``extract=True`` (or ``untar=True``)
    unpacks a tar or zip archive beside it, refusing members that would land outside.

    Example:
        >>> path = get_file("data.csv", origin="https://example.org/data.csv",
        ...                 file_hash="9f86d081...")                     # doctest: +SKIP
    """
    if origin is None:
        raise ValueError("get_file: expected origin= (the URL to download from)")
    fname = fname or os.path.basename(origin.split("?")[0])
    base = Path(cache_dir or os.environ.get("GLASSNET_CACHE") or Path.home() / ".glassnet").expanduser()
    folder = base / cache_subdir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / fname
    expected = file_hash or md5_hash
    algorithm = _algorithm(expected, "md5" if md5_hash and not file_hash else hash_algorithm) if expected else None
    fresh = force_download or not path.exists() or (expected and _hash(path, algorithm) != expected)
    if fresh:
        partial = path.with_name(path.name + ".part")
        try:
            with urllib.request.urlopen(origin) as response, open(partial, "wb") as out:  # noqa: S310
                shutil.copyfileobj(response, out)
        except OSError as err:
            partial.unlink(missing_ok=True)
            raise OSError(f"get_file: could not download {origin} to {path}: {err}; put the file there "
                          f"yourself to use it offline") from err
        if expected and _hash(partial, algorithm) != expected:
            partial.unlink()
            raise ValueError(f"get_file: the file downloaded from {origin} does not match the expected "
                             f"{algorithm} hash {expected}; it was deleted")
        os.replace(partial, path)
    if extract or untar:
        _extract(path, folder)
        if untar and str(path).endswith((".tar.gz", ".tgz", ".tar")):
            return str(folder / fname.split(".tar")[0].removesuffix(".tgz"))
    return str(path)
