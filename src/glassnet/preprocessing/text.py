"""Words to numbers: Keras 2's ``Tokenizer`` and ``text_to_word_sequence``.

A network reads numbers, not words. The tokenizer counts the words of a corpus and gives each
one an index, the most frequent word first (index 1; 0 stays free for padding). Texts then
become lists of indices, which ``pad_sequences`` turns into one rectangular array for an
``Embedding`` layer. Any Unicode text works: splitting is on a separator string, not on an
English alphabet.

The course's next-word example (section 5), in three lines of Korean:

    >>> tokenizer = Tokenizer()
    >>> tokenizer.fit_on_texts(["경마장에 있는 말이 뛰고 있다", "그의 말이 법이다",
    ...                         "가는 말이 고와야 오는 말이 곱다"])
    >>> tokenizer.word_index["말이"], len(tokenizer.word_index) + 1   # + 1: the padding index 0
    (1, 12)
    >>> tokenizer.texts_to_sequences(["그의 말이 곱다"])
    [[6, 1, 11]]

``layers.TextVectorization`` is the same idea as a layer (Keras 3's way).
"""
from __future__ import annotations

import json
from collections import OrderedDict, defaultdict

import numpy as np

from glassnet import backend

__all__ = ["DEFAULT_FILTERS", "text_to_word_sequence", "Tokenizer", "tokenizer_from_json"]

# Keras's default: punctuation, tab and newline (not the apostrophe, so "don't" stays one word)
DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def _check_split(split, who: str) -> None:
    if not isinstance(split, str) or not split:
        raise ValueError(f"{who}: expected split to be a non-empty string, received {split!r}")


def text_to_word_sequence(input_text, filters=DEFAULT_FILTERS, lower=True, split=" ") -> list:
    """Split a text into a list of words (Keras 2's ``text_to_word_sequence``).

    Steps: lowercase (if ``lower``), replace every character of ``filters`` by ``split``, split
    on ``split`` and drop the empty pieces (so repeated separators do not make empty words).

    Args:
        input_text: a string.
        filters: characters to remove (each becomes a separator). Default: punctuation, tab
            and newline.
        lower: lowercase the text first.
        split: the word separator.

    Returns:
        A list of words (strings).

    Raises:
        ValueError: ``input_text`` is not a string, or ``split`` is empty.

    Example:
        >>> text_to_word_sequence("Hello, world!  Hello...")
        ['hello', 'world', 'hello']
        >>> text_to_word_sequence("가는 말이 고와야 오는 말이 곱다")
        ['가는', '말이', '고와야', '오는', '말이', '곱다']
    """
    who = "text_to_word_sequence"
    if not isinstance(input_text, str):
        raise ValueError(f"{who}: expected a string, received {type(input_text).__name__}")
    _check_split(split, who)
    if lower:
        input_text = input_text.lower()
    # one translation table turns every filtered character into the separator in one pass
    table = str.maketrans({char: split for char in filters})
    return [word for word in input_text.translate(table).split(split) if word]


class Tokenizer:
    """Turns texts into sequences of word indices (Keras 2's ``Tokenizer``, same semantics).

    ``fit_on_texts`` counts the words; then ``word_index`` maps each word to an index from 1
    up, by descending count, words with the same count in the order they first appeared.
    Index 0 is never given to a word: ``pad_sequences`` uses it for padding.

    Args:
        num_words: keep only the ``num_words - 1`` most frequent words when converting texts
            (``texts_to_sequences`` drops words with index ``>= num_words``, or maps them to the
            OOV index when there is an ``oov_token``). ``word_index`` still holds every word.
            None keeps all.
        filters: characters removed from texts (each acts as a separator).
        lower: lowercase texts first.
        split: the word separator.
        char_level: every character is a token (filters are then not applied).
        oov_token: if given, it gets index 1 and stands for every word not in ``word_index``
            (out of vocabulary) instead of dropping it.
        analyzer: optional function ``text -> list of words`` used instead of the built-in
            splitting (not used with ``char_level``).
        document_count: starting value of ``document_count`` (Keras's argument, for restoring).

    Attributes:
        word_counts: ``OrderedDict`` word -> number of occurrences, in order of first appearance.
        word_docs: word -> number of texts it appears in.
        index_docs: index -> number of texts its word appears in.
        word_index: word -> index (1-based).
        index_word: index -> word.
        document_count: number of texts seen by ``fit_on_texts``.

    Input: a list of strings (a NumPy array of strings works too); a text given as a list of
    strings is taken as already split into words.

    Example:
        >>> tokenizer = Tokenizer(num_words=3, oov_token="<OOV>")
        >>> tokenizer.fit_on_texts(["the cat sat", "the cat ran", "a dog"])
        >>> tokenizer.word_index
        {'<OOV>': 1, 'the': 2, 'cat': 3, 'sat': 4, 'ran': 5, 'a': 6, 'dog': 7}
        >>> tokenizer.texts_to_sequences(["the dog sat"])   # index >= 3 becomes <OOV>
        [[2, 1, 1]]
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
                 char_level=False, oov_token=None, analyzer=None, document_count=0):
        who = "Tokenizer"
        if num_words is not None and (isinstance(num_words, bool) or not isinstance(num_words, (int, np.integer))
                                      or num_words < 1):
            raise ValueError(f"{who}: expected num_words to be None or a positive int, received {num_words!r}")
        if not isinstance(filters, str):
            raise ValueError(f"{who}: expected filters to be a string of characters, received {filters!r}")
        _check_split(split, who)
        if oov_token is not None and not isinstance(oov_token, str):
            raise ValueError(f"{who}: expected oov_token to be None or a string, received {oov_token!r}")
        if analyzer is not None and not callable(analyzer):
            raise ValueError(f"{who}: expected analyzer to be None or a function, received {analyzer!r}")
        self.num_words = None if num_words is None else int(num_words)
        self.filters = filters
        self.lower = bool(lower)
        self.split = split
        self.char_level = bool(char_level)
        self.oov_token = oov_token
        self.analyzer = analyzer
        self.document_count = int(document_count)
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.index_docs = defaultdict(int)
        self.word_index = {}
        self.index_word = {}

    # ---------------------------------------------------------------- texts to tokens
    def _tokens(self, text, who: str, position: int) -> list:
        """The tokens of one text, by the tokenizer's rules."""
        if isinstance(text, list):  # already split into words
            if not all(isinstance(t, str) for t in text):
                raise ValueError(f"Tokenizer.{who}: expected text {position} to be a string or a list of "
                                 f"strings, received a list holding {_types(text)}")
            return [t.lower() for t in text] if self.lower else list(text)
        if not isinstance(text, str):
            raise ValueError(f"Tokenizer.{who}: expected text {position} to be a string, "
                             f"received {type(text).__name__} {text!r:.40}")
        if self.char_level:
            return list(text.lower() if self.lower else text)
        if self.analyzer is not None:
            return list(self.analyzer(text))
        return text_to_word_sequence(text, filters=self.filters, lower=self.lower, split=self.split)

    @staticmethod
    def _check_many(texts, who: str, what: str = "texts") -> None:
        if isinstance(texts, str):
            raise ValueError(f"Tokenizer.{who}: expected a list of {what}, received a single string; "
                             f"wrap it in a list: [{texts[:20]!r}...]")
        if not hasattr(texts, "__iter__"):
            raise ValueError(f"Tokenizer.{who}: expected a list of {what}, received {type(texts).__name__}")

    # ---------------------------------------------------------------- fitting
    def fit_on_texts(self, texts) -> None:
        """Count the words of ``texts`` and (re)build ``word_index`` and ``index_word``.

        Calling it again adds to the counts (the index is rebuilt from all texts seen so far).

        Args:
            texts: a list of strings (or of lists of words).

        Example:
            >>> tokenizer = Tokenizer()
            >>> tokenizer.fit_on_texts(["b a", "a c"])
            >>> tokenizer.word_index, dict(tokenizer.word_counts)
            ({'a': 1, 'b': 2, 'c': 3}, {'b': 1, 'a': 2, 'c': 1})
        """
        self._check_many(texts, "fit_on_texts")
        for position, text in enumerate(texts):
            tokens = self._tokens(text, "fit_on_texts", position)
            self.document_count += 1
            for word in tokens:
                self.word_counts[word] = self.word_counts.get(word, 0) + 1
            for word in dict.fromkeys(tokens):  # each word once per text, in a fixed order
                self.word_docs[word] += 1
        # Python's sort is stable, also with reverse=True: words with equal counts keep the
        # order in which they were first seen (Keras sorts the same way)
        ranked = sorted(self.word_counts.items(), key=lambda item: item[1], reverse=True)
        vocabulary = [] if self.oov_token is None else [self.oov_token]
        vocabulary.extend(word for word, _ in ranked)
        self.word_index = dict(zip(vocabulary, range(1, len(vocabulary) + 1)))
        self.index_word = {index: word for word, index in self.word_index.items()}
        self.index_docs = defaultdict(int)
        for word, count in self.word_docs.items():
            self.index_docs[self.word_index[word]] = count

    def fit_on_sequences(self, sequences) -> None:
        """Count in how many sequences each index appears (needed by ``sequences_to_matrix``
        in ``"tfidf"`` mode when the tokenizer was not fitted on texts).

        Args:
            sequences: a list of lists of indices.
        """
        self._check_many(sequences, "fit_on_sequences", "sequences")
        sequences = list(sequences)
        self.document_count += len(sequences)
        for sequence in sequences:
            for index in set(sequence):
                self.index_docs[index] += 1

    # ---------------------------------------------------------------- converting
    def texts_to_sequences(self, texts) -> list:
        """Each text as a list of word indices.

        Words not in ``word_index``, and words with index ``>= num_words``, are dropped, or
        become the OOV index 1 when the tokenizer has an ``oov_token``.

        Args:
            texts: a list of strings (or of lists of words).

        Returns:
            A list of lists of ints (lengths differ: pad them with ``pad_sequences``).

        Example:
            >>> tokenizer = Tokenizer()
            >>> tokenizer.fit_on_texts(["the cat sat", "the dog"])
            >>> tokenizer.texts_to_sequences(["the cat", "a dog"])   # "a" is unknown: dropped
            [[1, 2], [4]]
        """
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """``texts_to_sequences`` one text at a time (yields one list of indices per text)."""
        self._check_many(texts, "texts_to_sequences")
        oov_index = self.word_index.get(self.oov_token)
        for position, text in enumerate(texts):
            indices = []
            for word in self._tokens(text, "texts_to_sequences", position):
                index = self.word_index.get(word)
                if index is not None and not (self.num_words and index >= self.num_words):
                    indices.append(index)
                elif oov_index is not None:
                    indices.append(oov_index)
            yield indices

    def sequences_to_texts(self, sequences) -> list:
        """Each list of indices back as a text: the words joined by single spaces.

        Indices with no word (0, the padding) are dropped; so are indices ``>= num_words``,
        or they read as the ``oov_token`` when there is one.

        Args:
            sequences: a list of lists (or a 2-D array) of indices.

        Returns:
            A list of strings.

        Example:
            >>> tokenizer = Tokenizer()
            >>> tokenizer.fit_on_texts(["경마장에 있는 말이 뛰고 있다", "그의 말이 법이다"])
            >>> tokenizer.sequences_to_texts([[0, 0, 6, 1, 7]])
            ['그의 말이 법이다']
        """
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """``sequences_to_texts`` one sequence at a time (yields one string per sequence)."""
        self._check_many(sequences, "sequences_to_texts", "sequences")
        oov_index = self.word_index.get(self.oov_token)
        for sequence in sequences:
            words = []
            for index in sequence:
                index = int(index)
                word = self.index_word.get(index)
                if word is not None and not (self.num_words and index >= self.num_words):
                    words.append(word)
                elif oov_index is not None:
                    words.append(self.index_word[oov_index])
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode: str = "binary") -> np.ndarray:
        """One row per text, one column per word index (a bag of words).

        Args:
            texts: a list of strings.
            mode: ``"binary"`` (1 if the word occurs), ``"count"`` (occurrences), ``"freq"``
                (occurrences / words in the text) or ``"tfidf"``.

        Returns:
            A float32 array of shape ``(len(texts), num_words)`` (``len(word_index) + 1``
            columns when ``num_words`` is None).

        Example:
            >>> tokenizer = Tokenizer()
            >>> tokenizer.fit_on_texts(["a a b"])
            >>> tokenizer.texts_to_matrix(["a a b", "b"], mode="count")
            array([[0., 2., 1.],
                   [0., 0., 1.]], dtype=float32)
        """
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode: str = "binary") -> np.ndarray:
        """Like ``texts_to_matrix``, from lists of indices.

        ``"tfidf"`` weighs a word by ``(1 + log(count)) * log(1 + documents / (1 + documents
        with the word))``, the document numbers from fitting.

        Args:
            sequences: a list of lists of indices.
            mode: ``"binary"``, ``"count"``, ``"freq"`` or ``"tfidf"``.

        Returns:
            A float32 array of shape ``(len(sequences), num_words)``.

        Raises:
            ValueError: an unknown mode; no ``num_words`` and nothing fitted; ``"tfidf"``
                before fitting.
        """
        who = "Tokenizer.sequences_to_matrix"
        if mode not in MATRIX_MODES:
            raise ValueError(f"{who}: expected mode to be one of {list(MATRIX_MODES)}, received {mode!r}")
        if self.num_words:
            width = self.num_words
        elif self.word_index:
            width = len(self.word_index) + 1
        else:
            raise ValueError(f"{who}: the number of columns is unknown; give num_words= to the "
                             f"Tokenizer or fit it on some texts first")
        if mode == "tfidf" and not self.document_count:
            raise ValueError(f"{who}: mode 'tfidf' needs document counts; fit the Tokenizer first")
        self._check_many(sequences, "sequences_to_matrix", "sequences")
        sequences = list(sequences)
        matrix = np.zeros((len(sequences), width), dtype=backend.floatx())
        for row, sequence in enumerate(sequences):
            counts = defaultdict(int)
            for index in sequence:
                if 0 <= int(index) < width:  # indices past the last column are left out
                    counts[int(index)] += 1
            for index, count in counts.items():
                if mode == "binary":
                    matrix[row, index] = 1
                elif mode == "count":
                    matrix[row, index] = count
                elif mode == "freq":
                    matrix[row, index] = count / len(sequence)
                else:  # tfidf
                    term = 1 + np.log(count)
                    inverse = np.log(1 + self.document_count / (1 + self.index_docs.get(index, 0)))
                    matrix[row, index] = term * inverse
        return matrix

    # ---------------------------------------------------------------- saving
    def get_config(self) -> dict:
        """The tokenizer's settings and counts; the dictionaries are JSON strings (as in Keras).

        An ``analyzer`` function is not saved (a config holds no code).
        """
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs) -> str:
        """The tokenizer as a JSON string; ``tokenizer_from_json`` reads it back.

        Args:
            **kwargs: passed to ``json.dumps`` (e.g. ``ensure_ascii=False`` to keep Korean
                readable in the file).

        Example:
            >>> tokenizer = Tokenizer()
            >>> tokenizer.fit_on_texts(["말이 말이 곱다"])
            >>> tokenizer_from_json(tokenizer.to_json()).word_index
            {'말이': 1, '곱다': 2}
        """
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()}, **kwargs)

    def __repr__(self):
        return f"<Tokenizer words={len(self.word_index)} documents={self.document_count}>"


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """Rebuild a ``Tokenizer`` from ``Tokenizer.to_json()``'s output.

    Raises:
        ValueError: the string is not a saved tokenizer.
    """
    try:
        config = dict(json.loads(json_string)["config"])
        word_counts = json.loads(config.pop("word_counts"))
        word_docs = json.loads(config.pop("word_docs"))
        index_docs = json.loads(config.pop("index_docs"))
        index_word = json.loads(config.pop("index_word"))
        word_index = json.loads(config.pop("word_index"))
        tokenizer = Tokenizer(**config)
        tokenizer.word_counts = OrderedDict(word_counts)
        tokenizer.word_docs = defaultdict(int, word_docs)
        # JSON keys are strings: the index keys become ints again
        tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in index_docs.items()})
        tokenizer.index_word = {int(k): v for k, v in index_word.items()}
        if not isinstance(word_index, dict):
            raise TypeError(f"word_index is a {type(word_index).__name__}, not a dict")
        tokenizer.word_index = word_index
    except (TypeError, KeyError, ValueError, AttributeError) as err:
        raise ValueError(f"tokenizer_from_json: expected the output of Tokenizer.to_json(), "
                         f"received {str(json_string)[:60]!r} ({type(err).__name__}: {err})") from None
    return tokenizer


def _types(items) -> str:
    return ", ".join(sorted({type(item).__name__ for item in items}))
