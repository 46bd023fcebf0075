"""``TextVectorization``: strings in, token indices (or bag-of-words vectors) out.

A preprocessing layer in Keras 3's sense: it has no weights and nothing to train, but it has
state, its vocabulary, which ``adapt(texts)`` learns by counting tokens. Each string goes
through five steps:

1. standardize: lowercase and strip punctuation (by default);
2. split: into words on whitespace (or into characters);
3. n-grams: optionally add pairs, triples... of neighbouring words (``"good movie"``);
4. index: look each token up in the vocabulary; unknown ones get the OOV index;
5. output: the indices padded into a rectangle (``"int"``), or one row per string with a
   column per vocabulary entry (``"multi_hot"``, ``"count"``, ``"tf_idf"``).

In ``"int"`` mode index 0 is the padding token ``""`` and index 1 the out-of-vocabulary token
``"[UNK]"``; learned tokens follow by descending count (ties: the token that sorts later comes
first, as in Keras). The other modes have no padding entry: ``"[UNK]"`` is index 0.

The vocabulary is part of ``get_config``, so a saved model with this layer comes back ready
to use. The Keras 2 way to do the same job, outside the model, is
``glassnet.preprocessing.text.Tokenizer``.

Strings only exist on the host, so the work here is plain Python on lists of strings; the only
array is the output, made through the array seam (``backend.as_array``) like any input data.
"""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from glassnet import backend
from glassnet.core.tensor import Tensor
from glassnet.layers.base import Layer
from glassnet.layers.symbolic import is_symbolic

__all__ = ["TextVectorization"]

PAD_TOKEN, OOV_TOKEN = "", "[UNK]"
STANDARDIZE_OPTIONS = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT_OPTIONS = ("whitespace", "character")
OUTPUT_MODES = ("int", "multi_hot", "count", "tf_idf")
# Keras's punctuation: ASCII punctuation including the apostrophe ("don't" -> "dont")
_PUNCTUATION = re.compile(r"""[!"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']""")


def _is_positive_int(value, least: int = 1) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and value >= least


class TextVectorization(Layer):
    """Maps a batch of strings to token indices or bag-of-words vectors (Keras 3 semantics).

    Args:
        max_tokens: the largest vocabulary ``adapt`` may build, special tokens included (so
            ``max_tokens - 2`` learned tokens in ``"int"`` mode, ``max_tokens - 1`` otherwise).
            None: no limit.
        standardize: ``"lower_and_strip_punctuation"`` (default), ``"lower"``,
            ``"strip_punctuation"``, None (leave the text as it is) or a function
            ``str -> str``, applied to each string.
        split: ``"whitespace"`` (default; runs of spaces count as one), ``"character"`` (every
            character is a token), None (each string is already one token; a 2-D input of shape
            ``(batch, tokens)`` holds token sequences) or a function ``str -> list of str``.
        ngrams: None; an int n (tokens plus every 2-gram... up to n-grams); or a tuple of the
            sizes to make, e.g. ``(2,)``. An n-gram is n neighbouring tokens joined by a space.
        output_mode: ``"int"`` (one index per token), ``"multi_hot"`` (1 where a vocabulary
            entry occurs in the string), ``"count"`` (how often) or ``"tf_idf"`` (count times
            the entry's inverse document frequency). Keras's old names ``"binary"`` and
            ``"tf-idf"`` are accepted.
        output_sequence_length: ``"int"`` mode only: pad with 0 or cut at the end so every row
            has exactly this many indices. None: pad to the longest string of the batch.
        pad_to_max_tokens: non-int modes only: make the output ``max_tokens`` wide even when
            the vocabulary is smaller (needs ``max_tokens``).
        vocabulary: optional list of tokens (or a path to a text file with one token per line)
            used instead of ``adapt``; the special tokens may be included at its start.
        idf_weights: ``"tf_idf"`` mode with a given ``vocabulary``: one weight per token.
        encoding: how ``bytes`` inputs are decoded.

    Input: a list, tuple or 1-D array of strings (one string per sample), or an array of shape
    ``(batch, 1)``; with ``split=None``, also ``(batch, tokens)``. A glassnet ``Tensor`` holding
    a string array works too (that is how ``model.predict`` passes it).

    Output (a ``Tensor``, not differentiable): ``"int"``: int64 ``(batch, length)``; other
    modes: float32 ``(batch, vocabulary_size())`` (``max_tokens`` wide with
    ``pad_to_max_tokens``).

    In a model: ``Sequential([TextVectorization(...), Embedding(...), ...])`` trains and predicts
    on an array of strings, ``model.predict(np.array(texts))``. Pass a NumPy array, not a list:
    ``fit``/``predict`` read a list as one entry per model input.

    Example:
        >>> layer = TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["The cat sat.", "The dog!"])
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
        >>> layer(["the bird sat"]).numpy()
        array([[2, 1, 3, 0]])
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace",
                 ngrams=None, output_mode="int", output_sequence_length=None, pad_to_max_tokens=False,
                 vocabulary=None, idf_weights=None, encoding="utf-8", **kwargs):
        super().__init__(**kwargs)
        who = self._who()
        if max_tokens is not None and not _is_positive_int(max_tokens, least=2):
            raise ValueError(f"{who}: expected max_tokens to be None or an int > 1 (it counts the "
                             f"special tokens too), received {max_tokens!r}")
        for what, value, options in (("standardize", standardize, STANDARDIZE_OPTIONS),
                                     ("split", split, SPLIT_OPTIONS)):
            if not (value is None or callable(value) or value in options):
                raise ValueError(f"{who}: expected {what} to be one of {list(options)}, None or a "
                                 f"function, received {value!r}")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"{who}: expected output_mode to be one of {list(OUTPUT_MODES)}, "
                             f"received {output_mode!r}")
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)  # a config read back from JSON holds a list
        if not (ngrams is None or _is_positive_int(ngrams)
                or (isinstance(ngrams, tuple) and ngrams and all(_is_positive_int(n) for n in ngrams))):
            raise ValueError(f"{who}: expected ngrams to be None, a positive int or a tuple of positive "
                             f"ints, received {ngrams!r}")
        if output_sequence_length is not None:
            if output_mode != "int":
                raise ValueError(f"{who}: output_sequence_length only applies to output_mode='int', "
                                 f"received output_mode={output_mode!r}")
            if not _is_positive_int(output_sequence_length):
                raise ValueError(f"{who}: expected output_sequence_length to be None or a positive int, "
                                 f"received {output_sequence_length!r}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{who}: pad_to_max_tokens=True needs max_tokens (the output width)")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams
        self._ngram_sizes = tuple(range(1, ngrams + 1)) if isinstance(ngrams, (int, np.integer)) else ngrams
        self.output_mode = output_mode
        self.output_sequence_length = None if output_sequence_length is None else int(output_sequence_length)
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.encoding = encoding
        self._vocabulary = None  # every token, special ones first; None until adapt/set_vocabulary
        self._lookup = {}        # token -> index
        self._idf = None         # tf_idf: one float32 weight per vocabulary entry
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError(f"{who}: idf_weights needs a vocabulary to go with it")

    def _who(self, method: str | None = None) -> str:
        return f"TextVectorization '{self.name}'" + (f".{method}" if method else "")

    @property
    def _special_tokens(self) -> list:
        return [PAD_TOKEN, OOV_TOKEN] if self.output_mode == "int" else [OOV_TOKEN]

    # ---------------------------------------------------------------- strings to tokens
    def _as_strings(self, inputs, method: str) -> list:
        """The input as a list with one entry per sample: a string, or (``split=None``) a list
        of token strings."""
        who = self._who(method)
        if isinstance(inputs, Tensor):
            inputs = inputs.data
        if isinstance(inputs, (str, bytes)):
            raise ValueError(f"{who}: expected a batch of strings (a list or a 1-D array), received "
                             f"a single string; wrap it in a list: [{inputs[:20]!r}...]")
        expected = "(batch,) or (batch, 1)" if self.split is not None else "(batch,) or (batch, tokens)"
        if hasattr(inputs, "dtype") and hasattr(inputs, "tolist"):  # a NumPy array
            if inputs.dtype.kind not in "UOS":
                raise ValueError(f"{who}: expected strings, received an array of dtype {inputs.dtype} "
                                 f"(numbers go to other layers; this one reads text)")
            if inputs.ndim == 0 or inputs.ndim > 2 or (self.split is not None and inputs.ndim == 2
                                                       and inputs.shape[1] != 1):
                raise ValueError(f"{who}: expected strings of shape {expected}, received shape {inputs.shape}")
            inputs = inputs.tolist()
        elif not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{who}: expected a list or an array of strings, received {type(inputs).__name__}")
        samples = []
        for i, item in enumerate(inputs):
            if not isinstance(item, (list, tuple)):
                text = self._text(item, who, (i,))
                samples.append([text] if self.split is None else text)
            elif self.split is None:  # a row of tokens
                samples.append([self._text(token, who, (i, j)) for j, token in enumerate(item)])
            elif len(item) == 1:  # (batch, 1): Keras squeezes the last axis before splitting
                samples.append(self._text(item[0], who, (i, 0)))
            else:
                raise ValueError(f"{who}: expected strings of shape {expected}, received a row of "
                                 f"{len(item)} entries at position {i}")
        return samples

    def _text(self, item, who: str, position: tuple) -> str:
        if isinstance(item, bytes):
            return item.decode(self.encoding)
        if not isinstance(item, str):
            raise ValueError(f"{who}: expected strings, received {type(item).__name__} {item!r:.30} "
                             f"at position {position}")
        return str(item)

    def _standardize(self, text: str) -> str:
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        if callable(self.standardize):
            text = self.standardize(text)
        return text

    def _split(self, sample) -> list:
        """The tokens of one sample (a string, or a row of tokens when ``split`` is None)."""
        if self.split is None:
            return [self._standardize(token) for token in sample]
        text = self._standardize(sample)
        if self.split == "whitespace":
            return text.split()
        if self.split == "character":
            return list(text)
        tokens = list(self.split(text))
        if not all(isinstance(t, str) for t in tokens):
            raise ValueError(f"{self._who()}: the split function must return strings, it returned "
                             f"{tokens[:5]!r}")
        return tokens

    def _tokens(self, inputs, method: str) -> list:
        """One list of tokens (n-grams included) per sample."""
        samples = []
        for sample in self._as_strings(inputs, method):
            tokens = self._split(sample)
            if self._ngram_sizes is not None:
                tokens = [" ".join(tokens[i:i + n]) for n in self._ngram_sizes
                          for i in range(len(tokens) - n + 1)]
            samples.append(tokens)
        return samples

    # ---------------------------------------------------------------- the vocabulary
    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary (and, in ``"tf_idf"`` mode, the idf weights) from ``data``.

        Tokens are ranked by count, highest first; equal counts put the token that sorts
        later first (Keras's rule, so the vocabulary does not depend on the data's order).
        Only the first ``max_tokens`` entries (special tokens included) are kept. A new
        ``adapt`` replaces the vocabulary.

        Args:
            data: a list or array of strings (each one a document), or an iterable of such
                batches (e.g. a generator).
            batch_size: accepted for Keras compatibility; the data is read in one pass anyway.
            steps: with an iterable of batches, read at most this many.

        Example:
            >>> layer = TextVectorization(max_tokens=4)
            >>> layer.adapt(["a b b c c c"])
            >>> layer.get_vocabulary()   # 4 entries: '', '[UNK]' and the 2 most frequent
            ['', '[UNK]', 'c', 'b']
        """
        if isinstance(data, (list, tuple, Tensor, str, bytes)) or hasattr(data, "dtype"):
            batches = [data]
        elif hasattr(data, "__iter__"):
            batches = data
        else:
            raise ValueError(f"{self._who('adapt')}: expected a list or array of strings, or an "
                             f"iterable of them, received {type(data).__name__}")
        counts, documents, n_documents = Counter(), Counter(), 0
        for step, batch in enumerate(batches):
            if steps is not None and step >= steps:
                break
            for tokens in self._tokens(batch, "adapt"):
                counts.update(tokens)
                documents.update(set(tokens))
                n_documents += 1
        for special in (PAD_TOKEN, OOV_TOKEN):
            counts.pop(special, None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        room = None if self.max_tokens is None else self.max_tokens - len(self._special_tokens)
        tokens = [token for token, _ in ranked[:room]]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1 + n_documents / (1 + documents[token])) for token in tokens]
            # an unknown token's document frequency is unknown: it gets the mean weight (Keras)
            idf = [sum(idf) / len(idf) if idf else 0.0] + idf
        self._store(self._special_tokens + tokens, idf)

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary directly instead of learning it with ``adapt``.

        Args:
            vocabulary: a list (or 1-D array) of unique tokens, or the path of a UTF-8 text file
                with one token per line. The special tokens (``""``, ``"[UNK]"`` in ``"int"``
                mode; ``"[UNK]"`` otherwise) are added in front unless it starts with them.
            idf_weights: ``"tf_idf"`` mode only (and required there): one weight per entry of
                ``vocabulary``; the OOV entry gets their mean when it was not included.

        Raises:
            ValueError: a repeated token, the padding token in the wrong place, more tokens than
                ``max_tokens``, missing or unexpected ``idf_weights``.

        Example:
            >>> layer = TextVectorization()
            >>> layer.set_vocabulary(["earth", "wind", "and", "fire"])
            >>> layer.get_vocabulary()
            ['', '[UNK]', 'earth', 'wind', 'and', 'fire']
        """
        who = self._who("set_vocabulary")
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{who}: output_mode='tf_idf' needs idf_weights with the vocabulary")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{who}: idf_weights only apply to output_mode='tf_idf', received "
                             f"output_mode={self.output_mode!r}")
        if isinstance(vocabulary, str):
            if self.output_mode == "tf_idf":
                raise ValueError(f"{who}: output_mode='tf_idf' cannot read its vocabulary from a file; "
                                 f"pass a list and idf_weights")
            try:
                with open(vocabulary, encoding="utf-8") as handle:
                    vocabulary = handle.read().splitlines()
            except OSError as err:
                raise ValueError(f"{who}: cannot read the vocabulary file {vocabulary!r}: {err}") from None
            except UnicodeDecodeError as err:
                raise ValueError(f"{who}: the vocabulary file {vocabulary!r} is not UTF-8 text (byte "
                                 f"{err.start}: {err.reason})") from None
            while vocabulary and vocabulary[-1] == "":
                vocabulary.pop()
        if isinstance(vocabulary, Tensor):
            vocabulary = vocabulary.data
        if hasattr(vocabulary, "tolist"):  # a NumPy array
            vocabulary = vocabulary.tolist()
        if not isinstance(vocabulary, (list, tuple)) or not all(isinstance(t, str) for t in vocabulary):
            raise ValueError(f"{who}: expected a list of string tokens or a file path, received "
                             f"{str(vocabulary)[:60]}")
        vocabulary = [str(t) for t in vocabulary]
        if not vocabulary:
            raise ValueError(f"{who}: expected a non-empty vocabulary, received an empty one")
        specials = self._special_tokens
        has_specials = vocabulary[:len(specials)] == specials
        tokens = vocabulary[len(specials):] if has_specials else vocabulary
        repeated = sorted(t for t, n in Counter(tokens).items() if n > 1)
        if repeated:
            raise ValueError(f"{who}: expected unique tokens, received repeats of {repeated[:10]}")
        if self.output_mode == "int" and PAD_TOKEN in tokens:
            raise ValueError(f"{who}: the padding token '' may only come first, followed by "
                             f"'[UNK]' (or leave both out); found it at index {vocabulary.index(PAD_TOKEN)}")
        size = len(specials) + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"{who}: expected at most max_tokens={self.max_tokens} entries, received a "
                             f"vocabulary of {size} (special tokens included)")
        idf = None
        if idf_weights is not None:
            weights = idf_weights.data if isinstance(idf_weights, Tensor) else idf_weights
            try:
                idf = [float(w) for w in (weights.tolist() if hasattr(weights, "tolist") else weights)]
            except (TypeError, ValueError):
                raise ValueError(f"{who}: expected idf_weights to be a list of numbers, received "
                                 f"{str(idf_weights)[:60]}") from None
            if len(idf) != len(vocabulary):
                raise ValueError(f"{who}: expected one idf weight per vocabulary entry ({len(vocabulary)}), "
                                 f"received {len(idf)}")
            if not has_specials:
                idf = [sum(idf) / len(idf)] + idf
        self._store(specials + tokens, idf)

    def _store(self, vocabulary: list, idf) -> None:
        self._vocabulary = vocabulary
        self._lookup = {token: index for index, token in enumerate(vocabulary)}
        self._idf = idf  # a list of floats (tf_idf mode) or None

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary: the token of index i is entry i (special tokens first).

        Args:
            include_special_tokens: False leaves out ``""`` and ``"[UNK]"``.
        """
        vocabulary = self._vocabulary if self._vocabulary is not None else self._special_tokens
        return list(vocabulary) if include_special_tokens else vocabulary[len(self._special_tokens):]

    def vocabulary_size(self) -> int:
        """Number of vocabulary entries, special tokens included (the width of non-int output,
        and the ``input_dim`` an ``Embedding`` after this layer needs)."""
        return len(self.get_vocabulary())

    # ---------------------------------------------------------------- computing
    def __call__(self, inputs, *args, **kwargs):
        # strings cannot become float tensors, so this layer skips the base class's conversion
        if is_symbolic(inputs):
            return super().__call__(inputs, *args, **kwargs)
        strings = self._as_strings(inputs, "call")
        if not self.built:
            self._build_once((len(strings),))  # nothing to build: records the input shape
        return self.call(strings)

    def call(self, inputs):
        """Vectorize a batch of strings (see the class docstring for shapes and modes)."""
        samples = self._tokens(inputs, "call")
        if self._vocabulary is None:
            raise ValueError(f"{self._who('call')}: the layer has no vocabulary yet; call "
                             f"adapt(texts) or pass vocabulary=[...] first")
        if self.output_mode == "int":
            ids = [[self._lookup.get(token, 1) for token in tokens] for tokens in samples]  # 1: "[UNK]"
            length = self.output_sequence_length
            if length is None:
                length = max((len(row) for row in ids), default=0)
            # cut at the end, pad at the end with 0, the padding index
            rows = [row[:length] + [0] * (length - len(row[:length])) for row in ids]
            return Tensor(backend.as_array(rows, "int64").reshape(len(rows), length))
        depth = self.max_tokens if self.pad_to_max_tokens else len(self._vocabulary)
        rows = []
        for tokens in samples:
            row = [0.0] * depth
            for token in tokens:
                index = self._lookup.get(token, 0)  # 0: "[UNK]"
                row[index] = 1.0 if self.output_mode == "multi_hot" else row[index] + 1.0
            if self.output_mode == "tf_idf":  # term count times inverse document frequency
                row = [count * weight for count, weight in zip(row, self._idf)] + row[len(self._idf):]
            rows.append(row)
        return Tensor(backend.as_array(rows, backend.floatx()).reshape(len(rows), depth))

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        if self.output_mode == "int":
            if self.output_sequence_length is None and self.split is None and len(input_shape) == 1:
                return (batch, 1)
            return (batch, self.output_sequence_length)
        if self.pad_to_max_tokens:
            return (batch, self.max_tokens)
        if self._vocabulary is None:
            raise ValueError(f"{self._who()}: the output width (the vocabulary size) is unknown until "
                             f"adapt() or set_vocabulary(); call it before building the model, or use "
                             f"pad_to_max_tokens=True")
        return (batch, len(self._vocabulary))

    # ---------------------------------------------------------------- config
    def _function_name(self, what: str, value):
        if not callable(value):
            return value
        name = getattr(value, "__name__", "<lambda>")
        if name == "<lambda>":
            raise ValueError(f"{self._who('get_config')}: a lambda {what} cannot be saved (a model file "
                             f"holds no code); use a named function and pass it to load_model as "
                             f"custom_objects={{'name': function}}")
        return name

    def get_config(self) -> dict:
        """The arguments that recreate the layer, the current vocabulary (and idf weights)
        included, so a saved model needs no ``adapt`` after loading. A ``standardize`` or
        ``split`` function is saved by name (load it with ``custom_objects``)."""
        config = super().get_config()
        config.update(
            max_tokens=self.max_tokens,
            standardize=self._function_name("standardize", self.standardize),
            split=self._function_name("split", self.split),
            ngrams=list(self.ngrams) if isinstance(self.ngrams, tuple) else self.ngrams,
            output_mode=self.output_mode,
            output_sequence_length=self.output_sequence_length,
            pad_to_max_tokens=self.pad_to_max_tokens,
            vocabulary=None if self._vocabulary is None else list(self._vocabulary),
            idf_weights=None if self._idf is None else list(self._idf),
            encoding=self.encoding,
        )
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Recreate the layer; ``standardize``/``split`` functions saved by name are looked up
        in ``custom_objects``.

        Example:
            >>> layer = TextVectorization(vocabulary=["a", "b"])
            >>> TextVectorization.from_config(layer.get_config()).get_vocabulary()
            ['', '[UNK]', 'a', 'b']
        """
        config = dict(config)
        for what, options in (("standardize", STANDARDIZE_OPTIONS), ("split", SPLIT_OPTIONS)):
            name = config.get(what)
            if isinstance(name, str) and name not in options:
                if not custom_objects or name not in custom_objects:
                    raise ValueError(f"TextVectorization '{config.get('name')}': its {what} function "
                                     f"{name!r} is not saved in the file; pass it as "
                                     f"custom_objects={{{name!r}: function}}")
                config[what] = custom_objects[name]
        return cls(**config)
