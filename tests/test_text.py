"""Tests of the text tools: Keras 2's ``Tokenizer`` / ``text_to_word_sequence``, ``pad_sequences``
and Keras 3's ``layers.TextVectorization`` (course section 5)."""
import doctest
import json
from collections import OrderedDict

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.core.tensor import Tensor
from glassnet.layers import text_vectorization as text_vectorization_module
from glassnet.layers.text_vectorization import TextVectorization
from glassnet.preprocessing import sequence as sequence_module, text as text_module
from glassnet.preprocessing.sequence import pad_sequences
from glassnet.preprocessing.text import Tokenizer, text_to_word_sequence, tokenizer_from_json

# --------------------------------------------------------------------------- the course's example

KOREAN_LINES = ["경마장에 있는 말이 뛰고 있다", "그의 말이 법이다", "가는 말이 고와야 오는 말이 곱다"]


def course_samples(tokenizer, lines):
    """The course's next-word samples: every prefix (length >= 2) of each line's indices."""
    samples = []
    for line in lines:
        encoded = tokenizer.texts_to_sequences([line])[0]
        samples += [encoded[:end] for end in range(2, len(encoded) + 1)]
    return samples


def test_course_korean_next_word_data():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(KOREAN_LINES)
    assert tokenizer.word_index == {"말이": 1, "경마장에": 2, "있는": 3, "뛰고": 4, "있다": 5, "그의": 6,
                                    "법이다": 7, "가는": 8, "고와야": 9, "오는": 10, "곱다": 11}
    assert len(tokenizer.word_index) + 1 == 12  # the table with the padding index 0
    assert tokenizer.word_counts["말이"] == 4 and tokenizer.document_count == 3
    samples = course_samples(tokenizer, KOREAN_LINES)
    assert samples == [[2, 3], [2, 3, 1], [2, 3, 1, 4], [2, 3, 1, 4, 5], [6, 1], [6, 1, 7],
                       [8, 1], [8, 1, 9], [8, 1, 9, 10], [8, 1, 9, 10, 1], [8, 1, 9, 10, 1, 11]]
    max_len = max(len(s) for s in samples)
    padded = pad_sequences(samples, maxlen=max_len, padding="pre")
    expected = np.array([[0, 0, 0, 0, 2, 3], [0, 0, 0, 2, 3, 1], [0, 0, 2, 3, 1, 4], [0, 2, 3, 1, 4, 5],
                         [0, 0, 0, 0, 6, 1], [0, 0, 0, 6, 1, 7], [0, 0, 0, 0, 8, 1], [0, 0, 0, 8, 1, 9],
                         [0, 0, 8, 1, 9, 10], [0, 8, 1, 9, 10, 1], [8, 1, 9, 10, 1, 11]])
    assert padded.shape == (11, 6) and padded.dtype == np.int32
    np.testing.assert_array_equal(padded, expected)
    x, y = padded[:, :-1], padded[:, -1]  # inputs and the next word to predict
    assert x.shape == (11, 5)
    np.testing.assert_array_equal(y, [3, 1, 4, 5, 1, 7, 1, 9, 10, 1, 11])
    # generating from "경마장에" walks the first line back: indices to words
    assert tokenizer.sequences_to_texts([expected[3]]) == ["경마장에 있는 말이 뛰고 있다"]


def test_korean_through_text_vectorization():
    layer = TextVectorization()
    layer.adapt(KOREAN_LINES)
    vocabulary = layer.get_vocabulary()
    assert vocabulary[:3] == ["", "[UNK]", "말이"] and len(vocabulary) == 13  # 11 words + 2 special
    assert sorted(vocabulary[3:], reverse=True) == vocabulary[3:]  # ties: later-sorting token first
    ids = layer(["그의 말이 법이다"]).numpy()
    assert [vocabulary[i] for i in ids[0]] == ["그의", "말이", "법이다"]


# --------------------------------------------------------------------------- text_to_word_sequence

def test_text_to_word_sequence():
    assert text_to_word_sequence("Hello, World!  Hello...") == ["hello", "world", "hello"]
    assert text_to_word_sequence("Don't stop\tnow\n") == ["don't", "stop", "now"]  # ' is kept
    assert text_to_word_sequence("A-B C", filters="", lower=False) == ["A-B", "C"]
    assert text_to_word_sequence("a,b;c", split=";") == ["a", "b", "c"]  # filtered chars split too
    with pytest.raises(ValueError, match="text_to_word_sequence: expected a string, received list"):
        text_to_word_sequence(["a"])
    with pytest.raises(ValueError, match="non-empty string"):
        text_to_word_sequence("a", split="")


# --------------------------------------------------------------------------- Tokenizer

def test_tokenizer_index_order_counts_and_documents():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["z y", "Y x z."])
    # counts z 2, y 2, x 1: equal counts keep the order of first appearance
    assert tokenizer.word_index == {"z": 1, "y": 2, "x": 3}
    assert tokenizer.index_word == {1: "z", 2: "y", 3: "x"}
    assert isinstance(tokenizer.word_counts, OrderedDict)
    assert list(tokenizer.word_counts.items()) == [("z", 2), ("y", 2), ("x", 1)]
    assert dict(tokenizer.word_docs) == {"z": 2, "y": 2, "x": 1}
    assert dict(tokenizer.index_docs) == {1: 2, 2: 2, 3: 1}
    assert tokenizer.document_count == 2
    tokenizer.fit_on_texts(["x x x"])  # a second fit adds to the counts and re-ranks
    assert tokenizer.word_index == {"x": 1, "z": 2, "y": 3} and tokenizer.document_count == 3


def test_tokenizer_num_words_and_oov_token():
    texts = ["a a a b b c"]
    plain = Tokenizer(num_words=3)
    plain.fit_on_texts(texts)
    assert plain.word_index == {"a": 1, "b": 2, "c": 3}  # the index keeps every word
    assert plain.texts_to_sequences(["a b c d"]) == [[1, 2]]  # index >= 3 and unknown: dropped
    oov = Tokenizer(num_words=3, oov_token="<unk>")
    oov.fit_on_texts(texts)
    assert oov.word_index == {"<unk>": 1, "a": 2, "b": 3, "c": 4}
    assert oov.texts_to_sequences(["a b c d"]) == [[2, 1, 1, 1]]
    assert oov.sequences_to_texts([[2, 3, 4, 0, 99]]) == ["a <unk> <unk> <unk> <unk>"]
    assert plain.sequences_to_texts([[1, 2, 3, 0]]) == ["a b"]
    everything = Tokenizer(oov_token="<unk>")
    everything.fit_on_texts(texts)
    assert everything.texts_to_sequences(["c d a"]) == [[4, 1, 2]]


def test_tokenizer_char_level_filters_lower_split():
    chars = Tokenizer(char_level=True)
    chars.fit_on_texts(["hihello"])  # the course's exercise 7
    assert chars.word_index == {"h": 1, "l": 2, "i": 3, "e": 4, "o": 5}
    assert chars.texts_to_sequences(["hihell"]) == [[1, 3, 1, 4, 2, 2]]
    spaced = Tokenizer(char_level=True, lower=False)
    spaced.fit_on_texts(["A b!"])
    assert spaced.word_index == {"A": 1, " ": 2, "b": 3, "!": 4}  # no filters at char level
    keep = Tokenizer(filters="")
    keep.fit_on_texts(["hi, there"])
    assert keep.word_index == {"hi,": 1, "there": 2}
    cased = Tokenizer(lower=False)
    cased.fit_on_texts(["A a"])
    assert cased.word_index == {"A": 1, "a": 2}
    commas = Tokenizer(split=",")
    commas.fit_on_texts(["a,b c"])
    assert commas.word_index == {"a": 1, "b c": 2}
    words = Tokenizer()
    words.fit_on_texts([["Hello", "World"]])  # a list of words is already split
    assert words.word_index == {"hello": 1, "world": 2}
    custom = Tokenizer(analyzer=lambda text: text.split("|"))
    custom.fit_on_texts(["a|b|a"])
    assert custom.texts_to_sequences(["b|a"]) == [[2, 1]]


def test_tokenizer_round_trip_and_numpy_input():
    texts = np.array(["The cat sat on the mat.", "The dog ate my homework!"])
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(texts)
    sequences = tokenizer.texts_to_sequences(texts)
    assert tokenizer.sequences_to_texts(sequences) == ["the cat sat on the mat", "the dog ate my homework"]
    assert tokenizer.sequences_to_texts(pad_sequences(sequences)) == tokenizer.sequences_to_texts(sequences)
    assert list(tokenizer.texts_to_sequences_generator(texts)) == sequences


def test_tokenizer_matrix_modes():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["a a b", "a c"])  # a: 1, b: 2, c: 3
    texts = ["a a b", "c"]
    binary = tokenizer.texts_to_matrix(texts)  # default mode: binary
    assert binary.dtype == np.float32 and binary.shape == (2, 4)
    np.testing.assert_array_equal(binary, [[0, 1, 1, 0], [0, 0, 0, 1]])
    np.testing.assert_array_equal(tokenizer.texts_to_matrix(texts, mode="count"), [[0, 2, 1, 0], [0, 0, 0, 1]])
    np.testing.assert_allclose(tokenizer.texts_to_matrix(texts, mode="freq"), [[0, 2 / 3, 1 / 3, 0], [0, 0, 0, 1]])
    tfidf = tokenizer.texts_to_matrix(texts, mode="tfidf")
    idf = {1: np.log(1 + 2 / 3), 2: np.log(1 + 2 / 2), 3: np.log(1 + 2 / 2)}  # a in 2 docs, b and c in 1
    np.testing.assert_allclose(tfidf, [[0, (1 + np.log(2)) * idf[1], idf[2], 0], [0, 0, 0, idf[3]]], rtol=1e-6)
    narrow = Tokenizer(num_words=2)
    narrow.fit_on_texts(["a a b"])
    np.testing.assert_array_equal(narrow.texts_to_matrix(["a b"]), [[0, 1]])
    with pytest.raises(ValueError, match=r"sequences_to_matrix: expected mode to be one of .*received 'tf'"):
        tokenizer.texts_to_matrix(texts, mode="tf")
    with pytest.raises(ValueError, match="num_words"):
        Tokenizer().sequences_to_matrix([[1]])
    counted = Tokenizer(num_words=5)
    counted.fit_on_sequences([[1, 2], [2, 2]])
    assert counted.document_count == 2 and dict(counted.index_docs) == {1: 1, 2: 2}
    with pytest.raises(ValueError, match="tfidf"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")


def test_tokenizer_json_round_trip():
    tokenizer = Tokenizer(num_words=10, oov_token="<unk>")
    tokenizer.fit_on_texts(KOREAN_LINES)
    clone = tokenizer_from_json(tokenizer.to_json(ensure_ascii=False))
    assert clone.word_index == tokenizer.word_index and clone.index_word == tokenizer.index_word
    assert clone.word_counts == tokenizer.word_counts and dict(clone.index_docs) == dict(tokenizer.index_docs)
    assert clone.num_words == 10 and clone.oov_token == "<unk>" and clone.document_count == 3
    assert clone.texts_to_sequences(KOREAN_LINES) == tokenizer.texts_to_sequences(KOREAN_LINES)
    assert json.loads(tokenizer.to_json())["class_name"] == "Tokenizer"
    with pytest.raises(ValueError, match="tokenizer_from_json: expected the output of Tokenizer.to_json"):
        tokenizer_from_json('{"a": 1}')


def test_tokenizer_errors():
    with pytest.raises(ValueError, match=r"Tokenizer.fit_on_texts: expected a list of texts, received a single string"):
        Tokenizer().fit_on_texts("one text")
    with pytest.raises(ValueError, match=r"Tokenizer.fit_on_texts: expected text 1 to be a string, received int"):
        Tokenizer().fit_on_texts(["ok", 3])
    with pytest.raises(ValueError, match=r"Tokenizer.texts_to_sequences: expected a list of texts, received int"):
        Tokenizer().texts_to_sequences(5)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match=r"Tokenizer: expected num_words to be None or a positive int"):
            Tokenizer(num_words=bad)
    with pytest.raises(ValueError, match="oov_token"):
        Tokenizer(oov_token=1)
    with pytest.raises(ValueError, match="split"):
        Tokenizer(split="")


# --------------------------------------------------------------------------- pad_sequences

RAGGED = [[1, 2, 3, 4], [5, 6], []]


@pytest.mark.parametrize("padding, truncating, expected", [
    ("pre", "pre", [[2, 3, 4], [0, 5, 6], [0, 0, 0]]),
    ("pre", "post", [[1, 2, 3], [0, 5, 6], [0, 0, 0]]),
    ("post", "pre", [[2, 3, 4], [5, 6, 0], [0, 0, 0]]),
    ("post", "post", [[1, 2, 3], [5, 6, 0], [0, 0, 0]]),
])
def test_pad_sequences_sides(padding, truncating, expected):
    out = pad_sequences(RAGGED, maxlen=3, padding=padding, truncating=truncating)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, expected)


def test_pad_sequences_defaults_value_dtype_and_shapes():
    np.testing.assert_array_equal(pad_sequences(RAGGED), [[1, 2, 3, 4], [0, 0, 5, 6], [0, 0, 0, 0]])
    np.testing.assert_array_equal(pad_sequences([[1], [2, 3]], value=-1), [[-1, 1], [2, 3]])
    floats = pad_sequences([[0.5], [1.5, 2.5]], dtype="float32", padding="post", value=9.0)
    assert floats.dtype == np.float32
    np.testing.assert_array_equal(floats, [[0.5, 9.0], [1.5, 2.5]])
    strings = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert strings.tolist() == [["a", "b"], ["<pad>", "c"]]
    assert pad_sequences([[1, 2], [3]], maxlen=0).shape == (2, 0)
    assert pad_sequences([]).shape == (0, 0)
    arrays = pad_sequences((np.array([7, 8]), range(3)), maxlen=4)  # any sequences, in a tuple
    np.testing.assert_array_equal(arrays, [[0, 0, 7, 8], [0, 0, 1, 2]])
    vectors = pad_sequences([[[1, 1], [2, 2]], [[3, 3]]], dtype="float32")  # a vector per step
    assert vectors.shape == (2, 2, 2)
    np.testing.assert_array_equal(vectors[1], [[0, 0], [3, 3]])
    assert gn.utils.pad_sequences is pad_sequences and gn.preprocessing.pad_sequences is pad_sequences


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match=r"pad_sequences: expected padding='pre' or 'post', received 'middle'"):
        pad_sequences(RAGGED, padding="middle")
    with pytest.raises(ValueError, match=r"pad_sequences: expected truncating='pre' or 'post', received 'end'"):
        pad_sequences(RAGGED, truncating="end")
    with pytest.raises(ValueError, match=r"pad_sequences: expected a list of sequences, received int"):
        pad_sequences(5)
    with pytest.raises(ValueError, match=r"pad_sequences: expected every entry to be a sequence.*entry 1 is int"):
        pad_sequences([[1], 2])
    with pytest.raises(ValueError, match=r"expected maxlen to be None or an int >= 0, received -1"):
        pad_sequences(RAGGED, maxlen=-1)
    with pytest.raises(ValueError, match=r"string value '<pad>' needs dtype=object"):
        pad_sequences([["a"]], value="<pad>")
    with pytest.raises(ValueError, match=r"expected elements of shape \(2,\).*entry 1 has elements of shape \(3,\)"):
        pad_sequences([[[1, 1]], [[1, 2, 3]]])


# --------------------------------------------------------------------------- TextVectorization

def test_text_vectorization_adapt_vocabulary_order_and_int_output():
    layer = TextVectorization(max_tokens=5000, output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    # by count, then ties by token from high to low (Keras's rule)
    assert layer.get_vocabulary() == ["", "[UNK]", "baz", "bar", "foo", "boom", "bada"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["baz", "bar", "foo", "boom", "bada"]
    assert layer.vocabulary_size() == 7
    out = layer([["foo qux bar"], ["qux baz"]])  # Keras's docstring example, (batch, 1) input
    assert isinstance(out, Tensor) and out.dtype == np.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), [[4, 1, 3, 0], [1, 2, 0, 0]])
    assert layer.compute_output_shape((None,)) == (None, 4)
    layer.adapt(["new words", "new"])  # a new adapt replaces the vocabulary
    assert layer.get_vocabulary() == ["", "[UNK]", "new", "words"]


def test_text_vectorization_lengths_and_max_tokens():
    layer = TextVectorization()
    layer.adapt(np.array(["a b c d", "a b", "a"]))
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "b", "d", "c"]  # c, d: same count
    out = layer(np.array(["a b c d e", "b", ""]))  # pads to the longest string of the batch
    np.testing.assert_array_equal(out.numpy(), [[2, 3, 5, 4, 1], [3, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
    assert layer.compute_output_shape((None,)) == (None, None)
    cut = TextVectorization(output_sequence_length=2, vocabulary=["a", "b"])
    np.testing.assert_array_equal(cut(["b a b", "a"]).numpy(), [[3, 2], [2, 0]])  # cut and padded at the end
    small = TextVectorization(max_tokens=4)
    small.adapt(["a a a b b c d"])
    assert small.get_vocabulary() == ["", "[UNK]", "a", "b"]
    hot = TextVectorization(max_tokens=3, output_mode="multi_hot")
    hot.adapt(["a a a b b c d"])
    assert hot.get_vocabulary() == ["[UNK]", "a", "b"]  # no padding entry outside int mode


def test_text_vectorization_vocabulary_argument_and_file(tmp_path):
    layer = TextVectorization(vocabulary=["earth", "wind", "and", "fire"])
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    same = TextVectorization(vocabulary=["", "[UNK]", "earth"])  # special tokens may be given
    assert same.get_vocabulary() == ["", "[UNK]", "earth"]
    path = tmp_path / "vocab.txt"
    path.write_text("말이\n그의\n", encoding="utf-8")
    from_file = TextVectorization(vocabulary=str(path))
    np.testing.assert_array_equal(from_file(["그의 말이"]).numpy(), [[3, 2]])
    layer.set_vocabulary(["x"])
    assert layer.get_vocabulary() == ["", "[UNK]", "x"]


def test_text_vectorization_output_modes():
    docs = ["a a b", "a c"]
    vocab = ["[UNK]", "a", "c", "b"]  # a: 3; b, c: 1 each, ties from high to low
    multi = TextVectorization(output_mode="multi_hot")
    multi.adapt(docs)
    assert multi.get_vocabulary() == vocab
    out = multi(["a a d", "b"])
    assert out.dtype == np.float32 and out.shape == (2, 4)
    np.testing.assert_array_equal(out.numpy(), [[1, 1, 0, 0], [0, 0, 0, 1]])  # d is unknown: index 0
    count = TextVectorization(output_mode="count", vocabulary=vocab[1:])
    np.testing.assert_array_equal(count(["a a d", "b"]).numpy(), [[1, 2, 0, 0], [0, 0, 0, 1]])
    tfidf = TextVectorization(output_mode="tf_idf")
    tfidf.adapt(docs)
    idf = np.log(1 + 2 / (1 + np.array([2, 1, 1])))  # a in 2 documents, c and b in 1
    weights = np.concatenate([[idf.mean()], idf])  # the OOV entry gets the mean weight
    np.testing.assert_allclose(tfidf(["a a d"]).numpy(), [[1, 2, 0, 0] * weights], rtol=1e-6)
    given = TextVectorization(output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[1.0, 3.0])
    np.testing.assert_allclose(given(["b a x"]).numpy(), [[2.0, 1.0, 3.0]])  # OOV weight: the mean
    padded = TextVectorization(max_tokens=6, output_mode="count", pad_to_max_tokens=True)
    padded.adapt(docs)
    assert padded(["a"]).shape == (1, 6) and padded.compute_output_shape((None,)) == (None, 6)
    legacy = TextVectorization(output_mode="binary", vocabulary=["a"])
    assert legacy.output_mode == "multi_hot"


def test_text_vectorization_standardize_split_and_ngrams():
    def tokens(layer, text):
        layer.adapt([text])
        return layer.get_vocabulary(include_special_tokens=False)

    assert sorted(tokens(TextVectorization(), "Hi, there! It's")) == ["hi", "its", "there"]
    assert sorted(tokens(TextVectorization(standardize="lower"), "Hi, there!")) == ["hi,", "there!"]
    assert sorted(tokens(TextVectorization(standardize="strip_punctuation"), "Hi, there!")) == ["Hi", "there"]
    assert sorted(tokens(TextVectorization(standardize=None), "Hi, there!")) == ["Hi,", "there!"]
    assert sorted(tokens(TextVectorization(standardize=str.upper), "a b")) == ["A", "B"]
    assert sorted(tokens(TextVectorization(split="character"), "ab a")) == [" ", "a", "b"]
    split_on_dash = TextVectorization(standardize="lower", split=lambda s: s.split("-"))
    assert sorted(tokens(split_on_dash, "A-b c")) == ["a", "b c"]
    bigrams = TextVectorization(ngrams=2)
    assert sorted(tokens(bigrams, "a b c")) == ["a", "a b", "b", "b c", "c"]
    assert sorted(tokens(TextVectorization(ngrams=(2,)), "a b c")) == ["a b", "b c"]
    pre_split = TextVectorization(split=None, vocabulary=["new york", "paris"])
    np.testing.assert_array_equal(pre_split(np.array([["New York", "Paris"], ["paris", "rome"]])).numpy(),
                                  [[2, 3], [3, 1]])
    np.testing.assert_array_equal(pre_split(["paris", "berlin"]).numpy(), [[3], [1]])


def test_text_vectorization_config_round_trip():
    layer = TextVectorization(max_tokens=20, ngrams=(1, 2), output_sequence_length=5, name="vectorizer")
    layer.adapt(KOREAN_LINES)
    config = layer.get_config()
    json.dumps(config)  # a saved model's config is JSON
    clone = TextVectorization.from_config(json.loads(json.dumps(config)))
    assert clone.get_vocabulary() == layer.get_vocabulary() and clone.ngrams == (1, 2)
    np.testing.assert_array_equal(clone(KOREAN_LINES).numpy(), layer(KOREAN_LINES).numpy())
    tfidf = TextVectorization(output_mode="tf_idf")
    tfidf.adapt(["a a b", "a c"])
    rebuilt = layers.deserialize({"class_name": "TextVectorization", "config": tfidf.get_config()})
    np.testing.assert_array_equal(rebuilt(["a b x"]).numpy(), tfidf(["a b x"]).numpy())


def shout(text):
    return text.upper()


def test_text_vectorization_functions_are_saved_by_name():
    layer = TextVectorization(standardize=shout, vocabulary=["A"])
    config = layer.get_config()
    assert config["standardize"] == "shout"
    with pytest.raises(ValueError, match=r"its standardize function 'shout' is not saved.*custom_objects"):
        TextVectorization.from_config(config)
    clone = TextVectorization.from_config(config, custom_objects={"shout": shout})
    np.testing.assert_array_equal(clone(["a"]).numpy(), [[2]])
    with pytest.raises(ValueError, match="a lambda split cannot be saved"):
        TextVectorization(split=lambda s: s.split()).get_config()


def test_text_vectorization_in_a_model_fits_predicts_and_saves(tmp_path):
    texts = np.array(["good movie", "bad movie", "great film", "awful film", "good film", "bad film"])
    labels = np.array([1, 0, 1, 0, 1, 0], dtype="float32")
    vectorizer = TextVectorization(output_mode="multi_hot")
    vectorizer.adapt(texts)
    gn.backend.set_seed(0)
    model = gn.Sequential([vectorizer, layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(texts, labels, epochs=3, batch_size=2, verbose=0)
    predictions = model.predict(texts)
    assert predictions.shape == (6, 1) and model.layers[0].count_params() == 0
    path = tmp_path / "sentiment.glassnet"
    model.save(str(path))
    loaded = gn.load_model(str(path))
    assert loaded.layers[0].get_vocabulary() == vectorizer.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(texts), predictions, rtol=1e-6)


@pytest.mark.skipif(not hasattr(layers, "Embedding"), reason="layers.Embedding not available")
def test_text_vectorization_feeds_an_embedding():
    vectorizer = TextVectorization(output_sequence_length=6)
    vectorizer.adapt(KOREAN_LINES)
    model = gn.Sequential([layers.Input(shape=()), vectorizer,
                           layers.Embedding(vectorizer.vocabulary_size(), 10)])
    assert model.output_shape == (None, 6, 10)
    assert model.predict(np.array(KOREAN_LINES)).shape == (3, 6, 10)


def test_text_vectorization_errors():
    with pytest.raises(ValueError,
                       match=r"TextVectorization 'tv': expected output_mode to be one of .*received 'one_hot'"):
        TextVectorization(output_mode="one_hot", name="tv")
    with pytest.raises(ValueError, match=r"expected standardize to be one of .*received 'upper'"):
        TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match=r"expected split to be one of .*received 'comma'"):
        TextVectorization(split="comma")
    with pytest.raises(ValueError, match="output_sequence_length only applies to output_mode='int'"):
        TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="pad_to_max_tokens=True needs max_tokens"):
        TextVectorization(output_mode="count", pad_to_max_tokens=True)
    with pytest.raises(ValueError, match=r"expected max_tokens to be None or an int > 1"):
        TextVectorization(max_tokens=1)
    with pytest.raises(ValueError, match=r"expected ngrams to be None"):
        TextVectorization(ngrams=0)
    with pytest.raises(ValueError, match=r"TextVectorization 'empty'.call: the layer has no vocabulary yet"):
        TextVectorization(name="empty")(["a"])
    with pytest.raises(ValueError, match="the output width .* is unknown"):
        TextVectorization(output_mode="multi_hot").compute_output_shape((None,))
    layer = TextVectorization(vocabulary=["a"], name="tv2")
    with pytest.raises(ValueError,
                       match=r"TextVectorization 'tv2'.call: expected strings, received an array of dtype float"):
        layer(np.zeros((2,)))
    with pytest.raises(ValueError, match="received a single string; wrap it in a list"):
        layer("a b")
    with pytest.raises(ValueError, match=r"expected strings, received int 3 at position \(1,\)"):
        layer(["a", 3])
    with pytest.raises(ValueError,
                       match=r"expected strings of shape \(batch,\) or \(batch, 1\), received shape \(2, 2\)"):
        layer(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(ValueError, match=r"received a row of 2 entries at position 0"):
        layer([["a", "b"]])
    with pytest.raises(ValueError, match=r"expected a list or an array of strings, received int"):
        layer(5)
    with pytest.raises(ValueError, match=r"set_vocabulary: expected unique tokens, received repeats of \['a'\]"):
        layer.set_vocabulary(["a", "b", "a"])
    with pytest.raises(ValueError, match="padding token '' may only come first"):
        layer.set_vocabulary(["a", ""])
    with pytest.raises(ValueError, match=r"expected at most max_tokens=3 entries, received a vocabulary of 4"):
        TextVectorization(max_tokens=3, vocabulary=["a", "b"])
    with pytest.raises(ValueError, match="output_mode='tf_idf' needs idf_weights"):
        TextVectorization(output_mode="tf_idf", vocabulary=["a"])
    with pytest.raises(ValueError, match="idf_weights only apply to output_mode='tf_idf'"):
        TextVectorization(vocabulary=["a"], idf_weights=[1.0])
    with pytest.raises(ValueError, match=r"one idf weight per vocabulary entry \(2\)"):
        TextVectorization(output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[1.0])


# --------------------------------------------------------------------------- docstring examples

@pytest.mark.parametrize("module", [text_module, sequence_module, text_vectorization_module],
                         ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    globs = {"np": np, **vars(module)}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(module, module.__name__, globs=globs):
        runner.run(test)
    assert runner.failures == 0
