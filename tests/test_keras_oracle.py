"""Keras itself as the oracle: weights taken from a Keras 3 model load into the glassnet twin
with ``set_weights`` and give the same outputs.

The PyTorch tests (``test_recurrent_layers.py``) check values and gradients through a mapping
of Keras layouts to torch's; these check the layouts, defaults and mask semantics against Keras
directly (Keras 3 on its torch backend, so no TensorFlow is needed).
"""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")   # before keras is imported: no TensorFlow here
keras = pytest.importorskip("keras")

import glassnet as gn  # noqa: E402
from glassnet import layers  # noqa: E402

# Keras's torch backend converts tensors the pre-NumPy-2 way: its warnings are not ours
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

B, T, F, U = 4, 7, 3, 5
ATOL = 2e-5   # float32 on both sides, different summation orders


def sequences(seed=0, batch=B, steps=T, features=F):
    return np.random.default_rng(seed).standard_normal((batch, steps, features)).astype(np.float32)


def twins(make_keras, make_glassnet, input_shape):
    """A Keras model and its glassnet twin holding the same (Keras-initialised, then perturbed)
    weights: biases are zeros at initialisation, so they get random values to be checked too."""
    k_model = keras.Sequential([keras.Input(input_shape), *make_keras()])
    rng = np.random.default_rng(1)
    k_model.set_weights([w + 0.3 * rng.standard_normal(w.shape).astype(w.dtype) for w in k_model.get_weights()])
    g_model = gn.Sequential([layers.Input(input_shape), *make_glassnet()])
    assert [w.shape for w in g_model.get_weights()] == [w.shape for w in k_model.get_weights()]
    g_model.set_weights(k_model.get_weights())
    return k_model, g_model


def assert_same(k_model, g_model, x):
    k_out = k_model(x)
    k_out = [np.asarray(o.detach().cpu()) for o in (k_out if isinstance(k_out, (list, tuple)) else [k_out])]
    g_out = g_model(x)
    g_out = [np.asarray(o.data) for o in (g_out if isinstance(g_out, (list, tuple)) else [g_out])]
    assert len(k_out) == len(g_out)
    for k, g in zip(k_out, g_out):
        assert g.shape == k.shape
        np.testing.assert_allclose(g, k, atol=ATOL, rtol=1e-4)


RECURRENT = [
    ("SimpleRNN", {}),
    ("LSTM", {}),
    ("GRU", {}),                                     # reset_after=True: bias (2, 3u)
    ("GRU", {"reset_after": False}),                 # bias (3u,)
    ("LSTM", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    ("GRU", {"use_bias": False}),
]


@pytest.mark.parametrize("name,kwargs", RECURRENT, ids=lambda v: str(v))
@pytest.mark.parametrize("options", [{}, {"return_sequences": True}, {"go_backwards": True, "return_sequences": True}],
                         ids=["last", "sequences", "backwards"])
def test_recurrent_layer_equals_keras(name, kwargs, options):
    k, g = twins(lambda: [getattr(keras.layers, name)(U, **kwargs, **options)],
                 lambda: [getattr(layers, name)(U, **kwargs, **options)], (T, F))
    assert_same(k, g, sequences())


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_masked_padding_equals_keras(name):
    """Zeros padded before and after the sequences, masked by ``Masking``: the outputs (the whole
    sequence too, where Keras repeats the last output at masked steps) are Keras's."""
    x = sequences(2)
    x[0, :2] = 0.0                       # padded in front
    x[1, -3:] = 0.0                      # padded behind
    x[2, 1] = 0.0                        # a hole in the middle
    for return_sequences in (False, True):
        options = {"return_sequences": return_sequences}
        k, g = twins(lambda: [keras.layers.Masking(0.0), getattr(keras.layers, name)(U, **options)],
                     lambda: [layers.Masking(0.0), getattr(layers, name)(U, **options)], (T, F))
        assert_same(k, g, x)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
def test_bidirectional_equals_keras(merge_mode):
    k, g = twins(lambda: [keras.layers.Bidirectional(keras.layers.LSTM(U, return_sequences=True), merge_mode)],
                 lambda: [layers.Bidirectional(layers.LSTM(U, return_sequences=True), merge_mode)], (T, F))
    assert_same(k, g, sequences(3))


def test_embedding_with_mask_zero_into_gru_equals_keras():
    ids = np.array([[0, 0, 3, 4, 5, 6, 2], [1, 2, 3, 0, 0, 0, 0], [7, 8, 9, 9, 8, 7, 1], [0, 5, 0, 5, 0, 5, 0]])
    k, g = twins(lambda: [keras.layers.Embedding(10, 4, mask_zero=True), keras.layers.GRU(U), keras.layers.Dense(2)],
                 lambda: [layers.Embedding(10, 4, mask_zero=True), layers.GRU(U), layers.Dense(2)], (T,))
    assert_same(k, g, ids)


def test_time_distributed_dense_and_stacked_lstms_equal_keras():
    k, g = twins(lambda: [keras.layers.LSTM(U, return_sequences=True), keras.layers.LSTM(U, return_sequences=True),
                          keras.layers.TimeDistributed(keras.layers.Dense(3))],
                 lambda: [layers.LSTM(U, return_sequences=True), layers.LSTM(U, return_sequences=True),
                          layers.TimeDistributed(layers.Dense(3))], (T, F))
    assert_same(k, g, sequences(4))


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_parameter_counts_equal_keras(name):
    k_layer = getattr(keras.layers, name)(20)
    keras.Sequential([keras.Input((50, 1)), k_layer])
    g_model = gn.Sequential([layers.Input((50, 1)), getattr(layers, name)(20)])
    assert g_model.count_params() == k_layer.count_params()
