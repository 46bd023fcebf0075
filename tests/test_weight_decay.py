"""``weight_decay`` on every optimizer (Keras 3's decoupled decay, applied by the base class
before each update), checked against real Keras 3 on its PyTorch backend."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import Parameter, optimizers
from glassnet.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from test_optimizers_more import keras, run_glassnet, run_keras, weights_and_grads  # noqa: F401

CASES = [
    ("SGD", {"learning_rate": 0.1, "weight_decay": 0.1}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05}),
    ("Adam", {"learning_rate": 0.05, "weight_decay": 0.1}),
    ("Adam", {"learning_rate": 0.05, "weight_decay": 0.1, "amsgrad": True, "clipnorm": 1.0}),
    ("RMSprop", {"learning_rate": 0.01, "weight_decay": 0.2}),
    ("RMSprop", {"learning_rate": 0.01, "weight_decay": 0.2, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"learning_rate": 0.1, "weight_decay": 0.3}),
]


@pytest.mark.parametrize("name,kwargs", CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_weight_decay_matches_keras(keras, name, kwargs, dtype):  # noqa: F811
    weights, grads = weights_and_grads(seed=5)
    ours = run_glassnet(getattr(optimizers, name)(**kwargs), weights, grads, dtype)
    theirs = run_keras(keras, getattr(keras.optimizers, name)(**kwargs), weights, grads, dtype)
    # Keras keeps the learning rate as a float32 variable, hence 1e-7 in float64
    tol = 1e-7 if dtype == "float64" else 3e-6
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    plain = {k: v for k, v in kwargs.items() if k != "weight_decay"}
    undecayed = run_glassnet(getattr(optimizers, name)(**plain), weights, grads, dtype)
    assert any(not np.allclose(a, b) for a, b in zip(ours, undecayed))  # the decay did something


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_exclude_from_weight_decay_and_schedule_match_keras(keras, name):  # noqa: F811
    weights, grads = weights_and_grads(seed=6)
    schedule = {"class": "ExponentialDecay", "args": (0.1, 2, 0.5)}
    ours = getattr(optimizers, name)(gn.optimizers.schedules.ExponentialDecay(*schedule["args"]), weight_decay=0.2)
    theirs = getattr(keras.optimizers, name)(keras.optimizers.schedules.ExponentialDecay(*schedule["args"]),
                                             weight_decay=0.2)
    ours.exclude_from_weight_decay(var_names=["w1"])
    theirs.exclude_from_weight_decay(var_names=["w1"])
    a = run_glassnet(ours, weights, grads, "float64")
    b = run_keras(keras, theirs, weights, grads, "float64")
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)
    excluded = run_glassnet(getattr(optimizers, name)(gn.optimizers.schedules.ExponentialDecay(*schedule["args"])),
                            weights, grads, "float64")
    np.testing.assert_allclose(a[1], excluded[1])            # "w1" kept out of the decay
    assert not np.allclose(a[0], excluded[0])                # the others decayed


def test_decay_is_decoupled_and_before_the_update():
    # SGD on a zero gradient: only the decay moves the weight, by lr * wd * w per step
    w = Parameter(np.array([2.0, -4.0]), name="w", dtype="float64")
    opt = SGD(learning_rate=0.5, weight_decay=0.1)
    for _ in range(3):
        w.grad = np.zeros(2)
        opt.apply([w])
    np.testing.assert_allclose(w.data, np.array([2.0, -4.0]) * 0.95 ** 3)
    # Adam: the decay is not divided by sqrt(v), so a huge gradient does not hide it
    a = Parameter(np.array([1.0]), name="a", dtype="float64")
    b = Parameter(np.array([1.0]), name="b", dtype="float64")
    decayed, plain = Adam(0.1, weight_decay=0.5), Adam(0.1)
    a.grad, b.grad = np.array([1e6]), np.array([1e6])
    decayed.apply([a])
    plain.apply([b])
    np.testing.assert_allclose(b.data - a.data, 0.1 * 0.5 * 1.0)


def test_weight_decay_config_round_trip_and_defaults():
    for cls in (SGD, Adam, RMSprop, Adagrad):
        opt = cls(weight_decay=0.01)
        config = opt.get_config()
        assert config["weight_decay"] == 0.01
        assert cls.from_config(config).weight_decay == 0.01
        assert "weight_decay" not in cls().get_config()   # unset: configs as before
        assert cls().weight_decay is None
    assert AdamW().weight_decay == 0.004 and AdamW.from_config(AdamW().get_config()).weight_decay == 0.004
    with pytest.raises(ValueError, match=r"SGD: expected weight_decay in \[0.0, inf\]"):
        SGD(weight_decay=-1.0)
    with pytest.raises(ValueError, match="AdamW: expected weight_decay to be a non-negative number"):
        AdamW(weight_decay=None)


def test_shared_hyperparameter_checks_name_the_optimizer():
    with pytest.raises(ValueError, match=r"Adam: expected beta_1 in \[0.0, 1.0\), received 1.0"):
        Adam(beta_1=1.0)
    with pytest.raises(ValueError, match=r"Nadam: expected epsilon in \[0.0, inf\]"):
        optimizers.Nadam(epsilon=-1.0)
    with pytest.raises(ValueError, match=r"RMSprop: expected rho in \[0.0, 1.0\)"):
        RMSprop(rho=1.5)
    with pytest.raises(ValueError, match=r"SGD: expected momentum in \[0.0, 1.0\]"):
        SGD(momentum=2.0)


def test_fit_with_weight_decay_shrinks_weights():
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [0.0]], "float32")
    norms = []
    for wd in (None, 0.5):
        gn.utils.set_random_seed(0)
        model = gn.Sequential([gn.Input((4,)), gn.layers.Dense(1)])
        model.compile(Adam(0.05, weight_decay=wd), loss="mse")
        model.fit(x, y, epochs=5, verbose=0)
        norms.append(float(np.linalg.norm(model.get_weights()[0])))
    assert norms[1] < norms[0]
