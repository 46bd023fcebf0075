"""The layer-test harness (after Keras's ``layer_test``): one call checks a layer's output
shape, weight counts, config round trip, float64 gradients, one training step, and that
inference is deterministic."""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import layers
from glassnet.testing import check_layer_gradients


def layer_test(cls, kwargs, input_shape, expected_output_shape, expected_num_weights=None,
               expected_num_trainable=None, expected_params=None, gradcheck=True, train=True, seed=0,
               input_low=-1.0, input_high=1.0):
    """Run the standard checks on ``cls(**kwargs)`` for inputs of ``input_shape`` (with batch)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(input_low, input_high, size=input_shape).astype(np.float32)

    # 1. output shape and dtype on real data; the symbolic shape agrees
    layer = cls(**kwargs)
    y = layer(x)
    assert y.shape == tuple(expected_output_shape), \
        f"{cls.__name__}: output {y.shape}, expected {expected_output_shape}"
    assert y.dtype == np.float32, f"{cls.__name__}: output dtype {y.dtype}"
    symbolic = cls(**kwargs)(layers.Input(input_shape[1:]))
    assert symbolic.shape == (None,) + tuple(expected_output_shape[1:]), \
        f"{cls.__name__}: symbolic output {symbolic.shape}"

    # 2. weights
    if expected_num_weights is not None:
        assert len(layer.weights) == expected_num_weights, f"{cls.__name__}: {len(layer.weights)} weights"
    if expected_num_trainable is not None:
        assert len(layer.trainable_weights) == expected_num_trainable
    if expected_params is not None:
        assert layer.count_params() == expected_params, f"{cls.__name__}: {layer.count_params()} params"
    for p in layer.weights:
        assert p.dtype == np.float32 and p.name.startswith(layer.name + "/")

    # 3. config round trip: same class, same config, same outputs once weights are copied
    config = layer.get_config()
    import json
    config = json.loads(json.dumps(config))  # must be JSON-serialisable
    clone = cls.from_config(config)
    assert clone.get_config() == config
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x, training=False).data, layer(x, training=False).data, rtol=1e-6, atol=1e-6)

    # 4. inference is deterministic
    np.testing.assert_array_equal(layer(x, training=False).data, layer(x, training=False).data)

    # 5. gradients of inputs and weights in float64 against finite differences
    if gradcheck:
        gn.backend.set_floatx("float64")
        try:
            layer64 = cls(**kwargs)
            check_layer_gradients(layer64, x.astype(np.float64))
        finally:
            gn.backend.set_floatx("float32")

    # 6. one training step inside a model changes the trainable weights and gives a finite loss
    if train:
        model = gn.Sequential([layers.Input(input_shape[1:]), cls(**kwargs)])
        model.compile(optimizer=gn.optimizers.SGD(0.1), loss="mse")
        target = rng.standard_normal(expected_output_shape).astype(np.float32)
        before = model.get_weights()
        loss = model.train_on_batch(x, target)
        assert np.isfinite(loss)
        after = model.get_weights()
        trainable = {id(p) for p in model.trainable_weights}
        for p, b, a in zip(model.weights, before, after):
            if id(p) in trainable:
                assert not np.array_equal(b, a), f"{cls.__name__}: weight {p.name} did not change in training"
    return layer
