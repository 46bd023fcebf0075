"""``models.clone_model``, ``model.to_json()`` and ``models.model_from_json`` (issue 13)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.models import clone_model, model_from_json

X = np.random.default_rng(0).standard_normal((5, 6)).astype(np.float32)


def sequential():
    return gn.Sequential([layers.Input((6,)), layers.Dense(8, activation="gelu"), layers.Dropout(0.1),
                          layers.BatchNormalization(), layers.Dense(3, activation="softmax")], name="seq")


def functional():
    """Two inputs, a shared layer called twice, a nested Sequential block, two outputs."""
    a, b = layers.Input((6,), name="a"), layers.Input((6,), name="b")
    shared = layers.Dense(4, activation="tanh", name="shared")
    block = gn.Sequential([layers.Input((4,)), layers.Dense(4, activation="relu")], name="block")
    merged = layers.Concatenate()([block(shared(a)), shared(b)])
    return gn.Model([a, b], [layers.Dense(2, name="out1")(merged), layers.Dense(1, name="out2")(merged)], name="fun")


def outputs(model, x):
    out = model.predict(x, verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, list) else [out])]


@pytest.mark.parametrize("make, inputs", [(sequential, [X]), (functional, [X, X[::-1].copy()])],
                         ids=["sequential", "functional"])
def test_a_clone_has_the_architecture_and_fresh_weights(make, inputs):
    gn.backend.clear_session()
    model = make()
    clone = clone_model(model)
    assert type(clone) is type(model) and clone is not model and clone.name == model.name
    assert [type(l).__name__ for l in clone.layers] == [type(l).__name__ for l in model.layers]
    assert [l.get_config() for l in clone.layers] == [l.get_config() for l in model.layers]
    assert not any(c is m for c, m in zip(clone.layers, model.layers))
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    kernels = [(c, m) for c, m in zip(clone.get_weights(), model.get_weights()) if c.ndim == 2]
    assert kernels and all(not np.array_equal(c, m) for c, m in kernels)      # fresh initialisation
    x = inputs[0] if len(inputs) == 1 else inputs
    assert not all(np.allclose(c, m) for c, m in zip(outputs(clone, x), outputs(model, x)))
    clone.set_weights(model.get_weights())
    for c, m in zip(outputs(clone, x), outputs(model, x)):
        np.testing.assert_allclose(c, m, rtol=1e-6)
    # the clone trains on its own: the original's weights stay as they were
    before = model.get_weights()
    clone.compile(optimizer="sgd", loss="mse")
    targets = [np.zeros_like(o) for o in outputs(clone, x)]
    clone.fit(x, targets if len(targets) > 1 else targets[0], epochs=1, verbose=0)
    for b, a in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_shared_layer_stays_shared_and_nested_models_are_cloned():
    gn.backend.clear_session()
    model = functional()
    clone = clone_model(model)
    shared = [l for l in clone.layers if l.name == "shared"]
    assert len(shared) == 1 and shared[0] is not model.get_layer("shared")
    assert len(clone.weights) == len(model.weights)
    block = clone.get_layer("block")
    assert isinstance(block, gn.Sequential) and block is not model.get_layer("block")


def test_clone_function_and_input_tensors():
    gn.backend.clear_session()
    model = sequential()
    calls = []

    def keep_dense(layer):
        calls.append(layer.name)
        if isinstance(layer, layers.Dense):
            return layer       # shared with the original, weights included
        return type(layer).from_config(layer.get_config())
    clone = clone_model(model, clone_function=keep_dense)
    assert calls == [l.name for l in model.layers]
    assert clone.layers[0] is model.layers[0] and clone.layers[2] is not model.layers[2]
    new_input = layers.Input((6,), name="fresh")
    functional_clone = clone_model(functional(), input_tensors=[new_input, layers.Input((6,))])
    assert functional_clone.inputs[0] is new_input
    with pytest.raises(ValueError, match="has 2 inputs, received 1"):
        clone_model(functional(), input_tensors=[new_input])
    with pytest.raises(TypeError, match="clone_function must return a layer"):
        clone_model(model, clone_function=lambda layer: None)
    with pytest.raises(TypeError, match="expected a Sequential or functional Model, received Dense"):
        clone_model(layers.Dense(3))


def test_lambda_layers_keep_their_function_in_a_clone():
    gn.backend.clear_session()
    model = gn.Sequential([layers.Input((6,)), layers.Lambda(lambda t: t * 2.0)])
    np.testing.assert_allclose(clone_model(model).predict(X, verbose=0), 2 * X)


def test_a_subclassed_model_without_a_config_is_refused_with_the_reason():
    class Custom(gn.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x)
    with pytest.raises(ValueError, match="clone_model: Custom: a subclassed model"):
        clone_model(Custom())


@pytest.mark.parametrize("make, inputs", [(sequential, [X]), (functional, [X, X[::-1].copy()])],
                         ids=["sequential", "functional"])
def test_to_json_and_model_from_json_round_trip(make, inputs):
    gn.backend.clear_session()
    model = make()
    text = model.to_json()
    parsed = json.loads(text)
    assert parsed["class_name"] == type(model).__name__ and parsed["config"] == json.loads(
        json.dumps(model.get_config()))
    assert "weights" not in text and "optimizer" not in text
    again = model_from_json(text)
    assert type(again) is type(model) and again.to_json() == text
    assert [l.get_config() for l in again.layers] == [l.get_config() for l in model.layers]
    again.set_weights(model.get_weights())
    x = inputs[0] if len(inputs) == 1 else inputs
    for c, m in zip(outputs(again, x), outputs(model, x)):
        np.testing.assert_allclose(c, m, rtol=1e-6)
    assert model.to_json(indent=2) != text and json.loads(model.to_json(indent=2)) == parsed
    assert gn.models.model_to_json(model) == text


def test_model_from_json_refuses_bad_text_and_needs_custom_objects_for_custom_layers():
    with pytest.raises(ValueError, match="not valid JSON"):
        model_from_json("{not json")
    with pytest.raises(ValueError, match="unknown model class"):
        model_from_json(json.dumps({"class_name": "Dense", "config": {"units": 2}}))
    with pytest.raises(TypeError, match="expected a JSON string"):
        model_from_json({"class_name": "Sequential"})

    class Twice(layers.Layer):
        def call(self, x):
            return x * 2.0
    gn.backend.clear_session()
    model = gn.Sequential([layers.Input((6,)), Twice()])
    text = model.to_json()
    with pytest.raises(ValueError, match="unknown layer class 'Twice'"):
        model_from_json(text)
    np.testing.assert_allclose(model_from_json(text, custom_objects={"Twice": Twice}).predict(X, verbose=0), 2 * X)
    anonymous = gn.Sequential([layers.Input((6,)), layers.Lambda(lambda t: t)])
    with pytest.raises(ValueError, match="anonymous lambda"):
        anonymous.to_json()


def test_the_module_docstring_example_runs():
    import doctest
    from glassnet.models import cloning
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    test = doctest.DocTestParser().get_doctest(cloning.__doc__, {}, "cloning", None, 0)
    runner.run(test)
    assert runner.tries >= 5 and runner.failures == 0
