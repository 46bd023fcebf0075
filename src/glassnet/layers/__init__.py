"""Layers, one file per family (Keras names, arguments and weight layouts).

- ``base``: ``Layer`` (the lifecycle: ``__init__`` / ``build`` / ``call`` / ``get_config``)
- ``core``: ``Input``, ``InputLayer``, ``Dense``, ``Dropout``, ``Lambda``
- ``activation_layers``: ``Activation``, ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``,
  ``Softmax``, ``Maxout`` (the layer classes; the functions they apply are in
  ``glassnet.ops.activations``, looked up by name through ``glassnet.activations``)
- ``merge``: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``,
  ``Concatenate``
- ``convolution``: ``Conv1D``/``2D``/``3D`` and ``Conv1DTranspose``/``2D``/``3D`` (im2col + GEMM)
- ``pooling``: ``MaxPooling1D``/``2D``/``3D``, ``AveragePooling1D``/``2D``/``3D``, their
  ``Global...`` forms, and Keras's short aliases (``MaxPool2D``, ``GlobalAvgPool2D``...)
- ``reshaping``: ``Flatten``, ``Reshape``, ``UpSampling1D``/``2D``/``3D``, ``ZeroPadding1D``/``2D``/``3D``,
  ``Cropping1D``/``2D``/``3D``, ``Permute``, ``RepeatVector``
- ``normalization``: ``BatchNormalization``, ``LayerNormalization``
- ``embedding``: ``Embedding`` (token ids -> learned vectors; ``mask_zero`` marks padding)
- ``masking``: ``Masking`` (marks padded steps of feature sequences); how masks travel is in
  ``base.Layer.compute_mask``
- ``text_vectorization``: ``TextVectorization`` (strings -> token ids or bag-of-words; no weights)
- ``recurrent`` (a package): ``RNN``, ``SimpleRNN``, ``LSTM``, ``GRU`` and their cells,
  ``StackedRNNCells``, ``Bidirectional``, ``TimeDistributed``
- ``attention`` (a package): ``Attention``, ``AdditiveAttention``, ``MultiHeadAttention``
- ``regularization``: ``ActivityRegularization`` (adds a penalty on its input to the loss)
- ``noise``: ``GaussianNoise``, ``GaussianDropout``, ``AlphaDropout`` (active in training only)
- ``preprocessing`` (a package): ``Rescaling``, ``Normalization`` (with ``adapt``), ``Resizing``,
  ``CenterCrop``, ``RandomFlip``, ``RandomRotation``, ``RandomTranslation``, ``RandomZoom``,
  ``RandomContrast`` (the random ones active in training only)

- ``registry``: ``deserialize``, ``get_layer_class`` and ``register``, which rebuild a saved layer
  from its class name and config (models nested as layers included) without ever importing
  code named in a file; this package registers every layer above.

Example:
    >>> from glassnet import Sequential, layers
    >>> model = Sequential([layers.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
    ...                     layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10, activation="softmax")])
    >>> model.output_shape
    (None, 10)
"""
from __future__ import annotations


from glassnet.layers.base import Layer  # noqa: F401
from glassnet.layers.registry import deserialize, get_layer_class, register  # noqa: F401
from glassnet.layers.core import Dense, Dropout, Input, InputLayer, Lambda  # noqa: F401
from glassnet.layers.activation_layers import (  # noqa: F401
    ELU, Activation, LeakyReLU, Maxout, PReLU, ReLU, Softmax)
from glassnet.layers.merge import Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract  # noqa: F401
from glassnet.layers import activation_layers, convolution, normalization, pooling, reshaping  # noqa: E402
from glassnet.layers.convolution import (  # noqa: F401
    Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose)
from glassnet.layers.pooling import (  # noqa: F401
    AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D, AvgPool3D,
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool1D,
    GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D,
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D, MaxPool2D, MaxPool3D,
    MaxPooling1D, MaxPooling2D, MaxPooling3D)
from glassnet.layers.reshaping import (  # noqa: F401
    Cropping1D, Cropping2D, Cropping3D, Flatten, Permute, RepeatVector, Reshape, UpSampling1D,
    UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from glassnet.layers.normalization import BatchNormalization, LayerNormalization  # noqa: F401
from glassnet.layers import embedding, masking  # noqa: E402
from glassnet.layers.embedding import Embedding  # noqa: F401
from glassnet.layers.masking import Masking  # noqa: F401
from glassnet.layers import text_vectorization  # noqa: E402
from glassnet.layers.text_vectorization import TextVectorization  # noqa: F401
from glassnet.layers import recurrent  # noqa: E402
from glassnet.layers.recurrent import (  # noqa: F401
    GRU, LSTM, RNN, Bidirectional, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells, TimeDistributed)
from glassnet.layers import attention, noise  # noqa: E402
from glassnet.layers.attention import AdditiveAttention, Attention, MultiHeadAttention  # noqa: F401
from glassnet.layers.noise import AlphaDropout, GaussianDropout, GaussianNoise  # noqa: F401
from glassnet.layers import preprocessing  # noqa: E402
from glassnet.layers import regularization  # noqa: E402
from glassnet.layers.regularization import ActivityRegularization  # noqa: F401
from glassnet.layers.preprocessing import (  # noqa: F401
    CenterCrop, Normalization, RandomContrast, RandomFlip, RandomRotation, RandomTranslation, RandomZoom,
    Rescaling, Resizing)


# every built-in layer can be found by its class name (what saved models store)
for _cls in (InputLayer, Dense, Dropout, Lambda, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate):
    register(_cls)
# each family module lists its public layers (aliases included) in ``__all__``
for _module in (activation_layers, convolution, pooling, reshaping, normalization, embedding, masking,
                text_vectorization, recurrent, attention, noise, preprocessing, regularization):
    for _name in _module.__all__:
        register(getattr(_module, _name), name=_name)
from glassnet.layers import symbolic_ops  # noqa: E402,F401  (x + y on Input-based tensors)
