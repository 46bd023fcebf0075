"""Reuters newswires: 11,228 short news texts labelled with one of 46 topics.

Word indexes as in ``imdb`` (ranked by frequency, shifted by ``index_from``), from Keras's
``reuters.npz``, read without pickle (see ``imdb``), split into train and test with Keras's
``test_split`` and ``seed``. ``get_label_names()`` names the 46 topics.

Example:
    >>> from glassnet.datasets import reuters
    >>> (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=10000)   # doctest: +SKIP
    >>> reuters.get_label_names()[y_train[0]]                                         # doctest: +SKIP
    'earn'
"""
from __future__ import annotations

import numpy as np

from glassnet.datasets._keras_files import KerasFile, check_test_split
from glassnet.datasets.imdb import (
    _check_options,
    _pair,
    as_object_array,
    drop_long,
    limit_vocabulary,
    mark_and_offset,
    read_word_index,
)

FILE = KerasFile("Reuters", "reuters", "reuters.npz",
                 sha256="d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916")
WORD_INDEX = KerasFile("Reuters word index", "reuters", "reuters_word_index.json",
                       md5="4d44cc38712099c9e383dc6e5f11a921")
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee", "sugar",
    "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog",
    "lead",
)


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
              start_char=1, oov_char=2, index_from=3, *, data_dir=None, download: bool = True,
              verify: bool = True):
    """Load Reuters like ``keras.datasets.reuters.load_data``: same arguments, same result.

    The newswires are shuffled (``np.random.RandomState(seed)``), marked and offset, filtered by
    ``maxlen`` and limited to ``[skip_top, num_words)`` as in ``imdb.load_data``; then the first
    ``int(n * (1 - test_split))`` are the training set.

    Args:
        path, num_words, skip_top, maxlen, seed, start_char, oov_char, index_from, data_dir,
            download, verify: as in ``imdb.load_data`` (the folder is ``reuters/``).
        test_split: fraction of the newswires for the test set, in [0, 1).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` object arrays of lists of ints, ``y``
        int topic labels 0-45.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(num_words=10000, test_split=0.2)  # doctest: +SKIP
    """
    who = "reuters.load_data"
    options = _check_options(who, num_words, skip_top, maxlen, start_char, oov_char, index_from)
    test_split = check_test_split(test_split, who)
    arrays = FILE.read_npz(path, data_dir, download=download, verify=verify, keys=("x", "y"))
    xs, labels = _pair(arrays, "x", "y", FILE.name)
    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = mark_and_offset([xs[i] for i in order], options), labels[order]
    if options["maxlen"]:
        xs, labels = drop_long(xs, labels, options["maxlen"])
    xs = limit_vocabulary(xs, options)
    cut = int(len(xs) * (1 - test_split))
    return (as_object_array(xs[:cut]), np.array(labels[:cut])), (as_object_array(xs[cut:]), np.array(labels[cut:]))


def get_word_index(path="reuters_word_index.json", *, data_dir=None, download: bool = True, verify: bool = True):
    """The ``{word: index}`` dict of the newswires, like ``keras.datasets.reuters.get_word_index``.

    Example:
        >>> get_word_index()["the"]                                                   # doctest: +SKIP
        1
    """
    return read_word_index(WORD_INDEX, path, data_dir, download, verify)


def get_label_names() -> tuple:
    """The 46 topic names, indexed by label, like ``keras.datasets.reuters.get_label_names``.

    Example:
        >>> get_label_names()[3]
        'earn'
    """
    return LABEL_NAMES
