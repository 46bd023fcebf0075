"""Data preparation, before any tensor or model is involved (host-only NumPy).

One module per kind of data, every public name also importable from here
(``from glassnet.preprocessing import StandardScaler``):

- ``labels``: ``to_categorical`` (one-hot class labels)
- ``image``: ``normalize_images`` (0-255 pixels to [0, 1]), Keras 2's ``ImageDataGenerator``
  (random augmentation, batches for ``fit``)
- ``tabular``: ``StandardScaler``, ``MinMaxScaler``, ``train_test_split``,
  ``train_val_test_split``, ``batches``
- ``text``: Keras 2's ``Tokenizer`` and ``text_to_word_sequence`` (words to indices)
- ``sequence``: ``pad_sequences`` (lists of different lengths to one rectangular array)

The layer form of text preprocessing, ``layers.TextVectorization``, lives with the layers.

The course's recipe, in code:

    >>> import numpy as np
    >>> from glassnet.preprocessing import MinMaxScaler, train_test_split, to_categorical
    >>> x = np.arange(20, dtype="float32").reshape(10, 2)
    >>> y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    >>> x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, shuffle=False)
    >>> scaler = MinMaxScaler(feature_range=(-1, 1)).fit(x_train)   # training part only
    >>> x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
    >>> to_categorical(y_train).shape
    (8, 3)

And for text (course section 5):

    >>> from glassnet.preprocessing.text import Tokenizer
    >>> from glassnet.preprocessing.sequence import pad_sequences
    >>> tokenizer = Tokenizer()
    >>> tokenizer.fit_on_texts(["the cat sat", "the dog"])
    >>> pad_sequences(tokenizer.texts_to_sequences(["the cat", "dog"]), maxlen=3)
    array([[0, 1, 2],
           [0, 0, 4]], dtype=int32)
"""
from glassnet.preprocessing import sequence, text  # noqa: F401
from glassnet.preprocessing.image import ImageDataGenerator, normalize_images
from glassnet.preprocessing.labels import to_categorical
from glassnet.preprocessing.sequence import pad_sequences
from glassnet.preprocessing.tabular import (MinMaxScaler, StandardScaler, batches, train_test_split,
                                            train_val_test_split)
from glassnet.preprocessing.text import Tokenizer, text_to_word_sequence

__all__ = [
    "to_categorical",
    "normalize_images",
    "ImageDataGenerator",
    "StandardScaler",
    "MinMaxScaler",
    "train_test_split",
    "train_val_test_split",
    "batches",
    "Tokenizer",
    "text_to_word_sequence",
    "pad_sequences",
    "text",
    "sequence",
]
