"""Embedding, Masking, and how masks travel: through layers and models, into losses and metrics."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import Tensor, layers
from layer_harness import layer_test

torch = pytest.importorskip("torch")

IDS = np.array([[3, 1, 4, 0, 0], [5, 0, 0, 0, 0], [2, 6, 5, 3, 5]])   # post-padded with 0
MASK = IDS != 0


# --------------------------------------------------------------------------- Embedding
def test_embedding_is_a_row_lookup_with_the_torch_gradient():
    gn.backend.clear_session()
    layer = layers.Embedding(7, 4)
    out = layer(IDS)
    assert out.shape == (3, 5, 4) and out.dtype == np.float32
    assert [p.name for p in layer.weights] == ["embedding/embeddings"]
    assert layer.embeddings.shape == (7, 4) and layer.count_params() == 7 * 4   # V * d
    table = layer.embeddings.data
    t_table = torch.tensor(table, requires_grad=True)
    t_out = torch.nn.functional.embedding(torch.tensor(IDS), t_table)
    np.testing.assert_allclose(out.data, t_out.detach().numpy())
    w = np.random.default_rng(0).standard_normal(out.shape).astype(np.float32)
    (out * Tensor(w)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(layer.embeddings.grad, t_table.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_embedding_default_initializer_is_keras_uniform():
    layer = layers.Embedding(200, 50)
    layer(np.array([[1]]))
    values = layer.embeddings.data
    assert values.min() >= -0.05 and values.max() <= 0.05 and values.std() > 0.02


def test_embedding_mask_zero_marks_padding():
    out = layers.Embedding(7, 3, mask_zero=True)(IDS)
    np.testing.assert_array_equal(out._keras_mask, MASK)
    assert layers.Embedding(7, 3)(IDS)._keras_mask is None


def test_embedding_accepts_whole_floats_and_input_length():
    layer = layers.Embedding(7, 2, input_length=5)
    np.testing.assert_array_equal(layer(IDS.astype(np.float32)).data, layer(IDS).data)
    model = gn.Sequential([layer])
    assert model.output_shape == (None, 5, 2)


@pytest.mark.parametrize("ids, match", [
    (np.array([[1, 7]]), r"Embedding 'embedding': expected ids in \[0, 6\].*received ids from 1 to 7"),
    (np.array([[-1, 2]]), r"expected ids in \[0, 6\]"),
    (np.array([[0.5, 2.0]]), "expected integer ids"),
])
def test_embedding_bad_ids_are_named(ids, match):
    gn.backend.clear_session()
    with pytest.raises(ValueError, match=match):
        layers.Embedding(7, 3)(ids)


@pytest.mark.parametrize("kwargs, match", [
    ({"input_dim": 0, "output_dim": 3}, "expected input_dim to be a positive int, received 0"),
    ({"input_dim": 5, "output_dim": 2.5}, "expected output_dim to be a positive int, received 2.5"),
])
def test_embedding_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.Embedding(**kwargs)


def test_embedding_config_and_saving_round_trip(tmp_path):
    model = gn.Sequential([layers.Input((5,), dtype="int64"), layers.Embedding(7, 3, mask_zero=True),
                           layers.GlobalAveragePooling1D(), layers.Dense(2)])
    path = tmp_path / "m.glassnet"
    model.save(path)
    again = gn.load_model(path)
    np.testing.assert_allclose(again.predict(IDS, verbose=0), model.predict(IDS, verbose=0), rtol=1e-6)
    assert again.layers[0].get_config()["mask_zero"] is True


# --------------------------------------------------------------------------- Masking
def test_masking_layer_harness():
    layer_test(layers.Masking, {"mask_value": 0.5}, (2, 4, 3), (2, 4, 3), expected_num_weights=0)


def test_masking_marks_and_zeroes_steps_of_the_mask_value():
    x = np.array([[[1.0, 2.0], [-1.0, -1.0], [3.0, -1.0]]], np.float32)
    out = layers.Masking(mask_value=-1.0)(x)
    np.testing.assert_array_equal(out._keras_mask, [[True, False, True]])
    np.testing.assert_array_equal(out.data, [[[1.0, 2.0], [0.0, 0.0], [3.0, -1.0]]])


# --------------------------------------------------------------------------- masks travel
def test_masks_pass_through_supporting_layers_and_stop_at_others():
    gn.backend.clear_session()
    inputs = layers.Input((5,), dtype="int64")
    h = layers.Embedding(7, 4, mask_zero=True)(inputs)
    h = layers.Dense(4, activation="relu")(h)
    h = layers.Dropout(0.1)(h)
    h = layers.LayerNormalization()(h)
    model = gn.Model(inputs, h)
    out = model(IDS)
    np.testing.assert_array_equal(out._keras_mask, MASK)
    flat = layers.Flatten()(out)           # Flatten does not support masks: the mask stops
    assert flat._keras_mask is None
    merged = layers.Add()([out, layers.Dense(4)(out)])
    np.testing.assert_array_equal(merged._keras_mask, MASK)


def test_dense_on_a_sequence_applies_per_step():
    x = np.random.default_rng(1).standard_normal((2, 5, 4)).astype(np.float32)
    dense = layers.Dense(3)
    out = dense(x)
    per_step = np.stack([dense(x[:, t]).data for t in range(5)], axis=1)
    np.testing.assert_allclose(out.data, per_step, rtol=1e-6)
    assert dense.compute_output_shape((None, None, 4)) == (None, None, 3)


def test_masked_average_pooling_averages_real_steps_only():
    x = np.random.default_rng(2).standard_normal((3, 5, 2)).astype(np.float32)
    xt = Tensor(x, requires_grad=True)
    xt._keras_mask = MASK
    pooled = layers.GlobalAveragePooling1D()(xt)
    expected = np.stack([x[i, MASK[i]].mean(axis=0) for i in range(3)])
    np.testing.assert_allclose(pooled.data, expected, rtol=1e-6)
    assert pooled._keras_mask is None
    pooled.sum().backward()
    assert not xt.grad[~MASK].any() and xt.grad[MASK].all()   # padded steps get no gradient


def _sequence_model():
    gn.backend.clear_session()
    gn.backend.set_seed(0)
    return gn.Sequential([layers.Input((5,), dtype="int64"), layers.Embedding(7, 4, mask_zero=True),
                          layers.Dense(3, activation="softmax")])


def test_losses_and_metrics_leave_masked_steps_out():
    model = _sequence_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    y = np.random.default_rng(3).integers(0, 3, size=IDS.shape)
    out = model(IDS)
    probs = out.data
    picked = -np.log(np.take_along_axis(probs, y[..., None], axis=-1)[..., 0])
    expected_loss = picked[MASK].mean()             # the mean over the 9 real steps only
    results = model.evaluate(IDS, y, verbose=0, return_dict=True)
    assert results["loss"] == pytest.approx(expected_loss, rel=1e-5)
    expected_acc = (probs.argmax(-1) == y)[MASK].mean()
    assert results["accuracy"] == pytest.approx(expected_acc, rel=1e-6)
    # the targets of padded steps do not matter at all
    y_other = np.where(MASK, y, (y + 1) % 3)
    again = model.evaluate(IDS, y_other, verbose=0, return_dict=True)
    assert again == pytest.approx(results)


def test_masked_steps_get_no_gradient_from_the_loss():
    model = _sequence_model()
    y = np.ones(IDS.shape, dtype=np.int64)
    gn.losses.SparseCategoricalCrossentropy()(y, model(IDS)).backward()
    table_grad = model.layers[0].embeddings.grad
    assert not table_grad[0].any()                       # id 0 appears only at padded steps
    assert table_grad[np.unique(IDS[MASK])].any(axis=1).all()


def test_an_embedding_model_learns_a_padded_toy_task():
    """Sequences containing token 1 are class 1: Embedding(mask_zero) + masked average + Dense
    learns it, whatever the padding."""
    rng = np.random.default_rng(4)
    lengths = rng.integers(1, 6, size=64)
    ids = np.zeros((64, 6), np.int64)
    for i, n in enumerate(lengths):
        ids[i, :n] = rng.integers(2, 8, size=n)
    y = rng.integers(0, 2, size=64)
    for i in np.flatnonzero(y):
        ids[i, rng.integers(0, lengths[i])] = 1
    gn.backend.clear_session()
    gn.backend.set_seed(1)
    model = gn.Sequential([layers.Input((6,), dtype="int64"), layers.Embedding(8, 8, mask_zero=True),
                           layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=gn.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(ids, y, epochs=60, batch_size=16, verbose=0)
    assert model.evaluate(ids, y, verbose=0, return_dict=True)["accuracy"] == 1.0
