"""IMDB movie reviews: 25,000 training and 25,000 test reviews, labelled positive (1) or negative (0).

Each review is a list of word indexes, words ranked by frequency (index 1 is the most frequent
word of the training set), exactly as ``keras.datasets.imdb`` gives them: the same file, the
same shuffle for the same ``seed``, the same ``num_words``/``skip_top``/``maxlen`` filtering.

The file is Keras's ``imdb.npz`` (from https://storage.googleapis.com/tensorflow/tf-keras-datasets/),
kept in ``$GLASSNET_DATA/imdb/`` or ``~/.glassnet/datasets/imdb/`` and checked against its
SHA-256. Its reviews are a pickled NumPy object array, and glassnet never unpickles a data file:
they are read by ``_pickled_lists``, which interprets the pickle's byte code itself and accepts
only integers, lists and the inert description of a NumPy array (a crafted file is refused,
never run). A file of your own that holds something else is refused with a message; to use it,
save the reviews as two numeric arrays instead (``np.concatenate`` of the sequences and their
lengths) and rebuild the lists with ``np.split``.

Example:
    >>> from glassnet.datasets import imdb
    >>> (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)   # doctest: +SKIP
    >>> x_train[0][:5], y_train[0]                                                # doctest: +SKIP
    ([1, 14, 22, 16, 43], 1)
"""
from __future__ import annotations

import json

import numpy as np

from glassnet.datasets._files import DataIntegrityError
from glassnet.datasets._keras_files import KerasFile, check_int

FILE = KerasFile("IMDB", "imdb", "imdb.npz",
                 sha256="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f")
WORD_INDEX = KerasFile("IMDB word index", "imdb", "imdb_word_index.json", md5="bfafd718b763782e994055a2d397834f")
MAX_JSON_BYTES = 64 * 2**20


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, *, data_dir=None, download: bool = True, verify: bool = True):
    """Load IMDB like ``keras.datasets.imdb.load_data``: same arguments, same result.

    Steps, as in Keras: shuffle the training and the test reviews (``np.random.RandomState(seed)``),
    add ``index_from`` to every word index and put ``start_char`` in front; drop the reviews of
    ``maxlen`` words or more (counting the start mark); replace every index outside
    ``[skip_top, num_words)`` by ``oov_char`` (or drop it when ``oov_char`` is None). Without
    ``num_words`` the bound is the largest index present, which (as in Keras) is itself
    replaced by ``oov_char``.

    Args:
        path: the file name in the data folder, or a path to the file (``"/data/imdb.npz"``).
        num_words: keep the ``num_words`` most frequent words (indexes below it), or None.
        skip_top: also treat indexes below this as out of vocabulary.
        maxlen: drop reviews with ``maxlen`` words or more; None keeps all.
        seed: seed of the shuffle.
        start_char: index that marks the start of each review (None: no mark).
        oov_char: index replacing out-of-vocabulary words (None: remove them).
        index_from: offset added to every word index.
        data_dir: the folder holding ``imdb.npz`` (or one with an ``imdb/`` sub-folder); default
            ``$GLASSNET_DATA/imdb`` or ``~/.glassnet/datasets/imdb``.
        download: fetch the file from Keras's address when it is missing.
        verify: check the file's SHA-256 (False for a file of your own).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` 1-D object arrays of lists of ints,
        ``y`` int arrays of 0/1.

    Raises:
        DatasetNotFoundError: the file is missing and could not be downloaded (says where to put it).
        DataIntegrityError: the file's hash or content is wrong.
        ValueError: a bad argument, or a ``maxlen`` that keeps no review.

    Example:
        >>> (x_train, y_train), _ = load_data(num_words=5000, maxlen=200)   # doctest: +SKIP
    """
    who = "imdb.load_data"
    options = _check_options(who, num_words, skip_top, maxlen, start_char, oov_char, index_from)
    arrays = FILE.read_npz(path, data_dir, download=download, verify=verify,
                           keys=("x_train", "y_train", "x_test", "y_test"))
    rng = np.random.RandomState(seed)
    parts = []
    for x_key, y_key in (("x_train", "y_train"), ("x_test", "y_test")):
        xs, ys = _pair(arrays, x_key, y_key, FILE.name)
        order = np.arange(len(xs))
        rng.shuffle(order)
        parts.append(([xs[i] for i in order], ys[order]))
    (x_train, y_train), (x_test, y_test) = parts
    x_train, x_test = mark_and_offset(x_train, options), mark_and_offset(x_test, options)
    if options["maxlen"]:
        x_train, y_train = drop_long(x_train, y_train, options["maxlen"])
        x_test, y_test = drop_long(x_test, y_test, options["maxlen"])
        if not x_train or not x_test:
            raise ValueError(f"{who}: after dropping the reviews of maxlen={maxlen} words or more, none is "
                             f"left; increase maxlen")
    xs = limit_vocabulary(x_train + x_test, options)
    cut = len(x_train)
    return (as_object_array(xs[:cut]), y_train), (as_object_array(xs[cut:]), y_test)


def get_word_index(path="imdb_word_index.json", *, data_dir=None, download: bool = True, verify: bool = True):
    """The ``{word: index}`` dict of the reviews, like ``keras.datasets.imdb.get_word_index``.

    Indexes start at 1 (the most frequent word); in ``load_data``'s output a word's index is
    shifted by ``index_from`` (3 by default).

    Example:
        >>> index = get_word_index()                                                  # doctest: +SKIP
        >>> words = {i + 3: w for w, i in index.items()}                              # doctest: +SKIP
        >>> " ".join(words.get(i, "?") for i in x_train[0][1:])                       # doctest: +SKIP
    """
    return read_word_index(WORD_INDEX, path, data_dir, download, verify)


# --------------------------------------------------------------------------- shared with reuters
def read_word_index(spec: KerasFile, path, data_dir, download, verify) -> dict:
    target = spec.fetch(path, data_dir, download=download, verify=verify)
    if target.stat().st_size > MAX_JSON_BYTES:
        raise DataIntegrityError(f"{target}: {target.stat().st_size} bytes, more than a word index may hold "
                                 f"({MAX_JSON_BYTES})")
    try:
        index = json.loads(target.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise DataIntegrityError(f"{target}: not a JSON word index ({err})") from None
    if not isinstance(index, dict) or not all(isinstance(k, str) and type(v) is int for k, v in index.items()):
        raise DataIntegrityError(f"{target}: expected a JSON object of word -> integer index")
    return index


def _check_options(who, num_words, skip_top, maxlen, start_char, oov_char, index_from) -> dict:
    return {"num_words": check_int(num_words, "num_words", who, allow_none=True, minimum=0),
            "skip_top": check_int(skip_top, "skip_top", who, minimum=0),
            "maxlen": check_int(maxlen, "maxlen", who, allow_none=True, minimum=0),
            "start_char": check_int(start_char, "start_char", who, allow_none=True),
            "oov_char": check_int(oov_char, "oov_char", who, allow_none=True),
            "index_from": check_int(index_from, "index_from", who, minimum=0)}


def _pair(arrays, x_key, y_key, source):
    xs, ys = arrays[x_key], arrays[y_key]
    if not isinstance(xs, list):
        raise DataIntegrityError(f"{source}: {x_key} must be an object array of integer lists, received a "
                                 f"numeric array of shape {xs.shape}")
    if isinstance(ys, list) or ys.ndim != 1 or len(ys) != len(xs):
        raise DataIntegrityError(f"{source}: {y_key} must be a 1-D numeric array with one label per sequence "
                                 f"({len(xs)})")
    return xs, ys


def mark_and_offset(xs: list, options: dict) -> list:
    """Each sequence (int64 array) plus ``index_from``, with ``start_char`` in front."""
    offset, start = options["index_from"], options["start_char"]
    if start is not None:
        return [np.concatenate([np.array([start], np.int64), s + offset]) for s in xs]
    return [s + offset for s in xs]


def drop_long(xs: list, ys, maxlen: int):
    """Keras's ``remove_long_seq``: keep the sequences shorter than ``maxlen``."""
    keep = [i for i, s in enumerate(xs) if len(s) < maxlen]
    return [xs[i] for i in keep], ys[np.array(keep, dtype=np.int64)]


def limit_vocabulary(xs: list, options: dict) -> list:
    """Indexes outside ``[skip_top, num_words)`` become ``oov_char`` (or are dropped)."""
    num_words = options["num_words"]
    if not num_words:
        lengths = [len(s) for s in xs if len(s)]
        if not lengths:
            raise ValueError("load_data: every sequence is empty; nothing to index")
        num_words = max(int(s.max()) for s in xs if len(s))
    low, oov = options["skip_top"], options["oov_char"]
    out = []
    for s in xs:
        inside = (s >= low) & (s < num_words)
        out.append(np.where(inside, s, oov) if oov is not None else s[inside])
    return out


def as_object_array(xs: list) -> np.ndarray:
    """A 1-D object array of Python lists (even when all have the same length)."""
    out = np.empty(len(xs), dtype=object)
    for i, s in enumerate(xs):
        out[i] = s.tolist()
    return out
