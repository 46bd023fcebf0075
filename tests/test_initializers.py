"""Initializers: shapes, dtypes, statistics, seeds, Keras's fan computation and name lookup."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from glassnet import backend, initializers
from glassnet.initializers import (
    Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, LecunNormal, LecunUniform, Ones,
    Orthogonal, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros, compute_fans)

ALL = [Zeros(), Ones(), Constant(0.5), Identity(), RandomNormal(), RandomUniform(), TruncatedNormal(),
       VarianceScaling(), VarianceScaling(2.0, "fan_out", "uniform"), GlorotUniform(), GlorotNormal(), HeNormal(),
       HeUniform(), LecunNormal(), LecunUniform(), Orthogonal()]
RANDOM = [i for i in ALL if isinstance(i, initializers.RandomInitializer)]

TRUNC = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]
N = 200_000


@pytest.mark.parametrize("init", ALL, ids=repr)
def test_shape_and_dtype(init):
    out = init((6, 5))
    assert out.shape == (6, 5) and out.dtype == np.float32
    assert init((6, 5), dtype="float64").dtype == np.float64
    if not isinstance(init, (Identity, Orthogonal)):
        assert init((2, 3, 4)).shape == (2, 3, 4)
        assert init(7).shape == (7,)


def test_constants():
    np.testing.assert_array_equal(Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(Ones()((4,)), np.ones(4))
    np.testing.assert_array_equal(Constant(0.25)((2, 2)), np.full((2, 2), 0.25, np.float32))
    np.testing.assert_array_equal(Constant([1, 2])((3, 2)), [[1, 2]] * 3)
    assert Zeros()((3,), dtype="int64").dtype == np.int64
    np.testing.assert_array_equal(Identity(gain=2.0)((2, 3)), [[2, 0, 0], [0, 2, 0]])
    with pytest.raises(ValueError, match=r"expected a 2-D shape, received \(2, 2, 2\)"):
        Identity()((2, 2, 2))
    with pytest.raises(ValueError, match=r"value of shape \(2,\) cannot fill shape \(3, 3\)"):
        Constant([1.0, 2.0])((3, 3))


def test_random_normal_and_uniform_statistics():
    x = RandomNormal(mean=1.0, stddev=2.0, seed=0)((N,))
    assert abs(x.mean() - 1.0) < 0.02 and abs(x.std() - 2.0) < 0.02
    u = RandomUniform(minval=-0.5, maxval=1.5, seed=0)((N,))
    assert u.min() >= -0.5 and u.max() < 1.5
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.std() - 2.0 / math.sqrt(12)) < 0.01


def test_truncated_normal_redraws_beyond_two_stddev():
    x = TruncatedNormal(mean=0.5, stddev=3.0, seed=0)((N,))
    assert np.abs(x - 0.5).max() <= 2 * 3.0 * (1 + 1e-6)
    assert abs(x.std() - TRUNC * 3.0) < 0.02          # truncation narrows the spread by 0.8796
    # re-drawn, not clipped: clipping would put 4.6% of the values exactly on the bounds
    assert np.mean(np.abs(x - 0.5) >= 2 * 3.0 * (1 - 1e-5)) < 0.001


def test_compute_fans_follows_keras():
    assert compute_fans(()) == (1, 1)
    assert compute_fans((7,)) == (7, 7)
    assert compute_fans((784, 128)) == (784, 128)                # Dense kernel (in, out)
    assert compute_fans((5, 16, 32)) == (80, 160)                # Conv1D (k, in, out)
    assert compute_fans((3, 3, 16, 32)) == (144, 288)            # Conv2D (kh, kw, in, out)
    assert compute_fans((2, 3, 3, 4, 8)) == (72, 144)            # Conv3D


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_variance(mode, distribution):
    shape = (3, 3, 40, 60)                         # fan_in 360, fan_out 540
    x = VarianceScaling(scale=2.0, mode=mode, distribution=distribution, seed=1)(shape)
    n = {"fan_in": 360, "fan_out": 540, "fan_avg": 450}[mode]
    assert x.dtype == np.float32
    assert abs(x.var() / (2.0 / n) - 1) < 0.03
    if distribution == "uniform":
        assert np.abs(x).max() <= math.sqrt(3 * 2.0 / n)
    if distribution == "truncated_normal":
        assert np.abs(x).max() <= 2 * math.sqrt(2.0 / n) / TRUNC * (1 + 1e-6)


def test_named_presets():
    fan_in, fan_out = 400, 600
    shape = (fan_in, fan_out)
    limit = math.sqrt(6 / (fan_in + fan_out))
    g = GlorotUniform(seed=0)(shape)
    assert np.abs(g).max() <= limit and np.abs(g).max() > 0.99 * limit
    assert abs(GlorotNormal(seed=0)(shape).std() / math.sqrt(2 / (fan_in + fan_out)) - 1) < 0.02
    assert abs(HeNormal(seed=0)(shape).std() / math.sqrt(2 / fan_in) - 1) < 0.02
    h = HeUniform(seed=0)(shape)
    assert np.abs(h).max() <= math.sqrt(6 / fan_in) and np.abs(h).max() > 0.99 * math.sqrt(6 / fan_in)
    assert abs(LecunNormal(seed=0)(shape).std() / math.sqrt(1 / fan_in) - 1) < 0.02
    assert np.abs(LecunUniform(seed=0)(shape)).max() <= math.sqrt(3 / fan_in)
    # conv kernels count the whole window: He normal std is sqrt(2 / (3 * 3 * 32))
    conv = HeNormal(seed=0)((3, 3, 32, 64))
    assert abs(conv.std() / math.sqrt(2 / (3 * 3 * 32)) - 1) < 0.03


def test_orthogonal():
    q = Orthogonal(seed=0)((6, 4))                                 # tall: orthonormal columns
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    q = Orthogonal(gain=2.0, seed=0)((3, 5))                       # wide: orthogonal rows
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-5)
    k = Orthogonal(seed=0)((3, 3, 4, 8)).reshape(-1, 8)            # conv: flattened to (36, 8)
    np.testing.assert_allclose(k.T @ k, np.eye(8), atol=1e-5)
    with pytest.raises(ValueError, match="rank >= 2"):
        Orthogonal()((4,))


@pytest.mark.parametrize("cls", [type(i) for i in RANDOM], ids=lambda c: c.__name__)
def test_seeds(cls):
    a = cls(seed=42)((5, 4))
    np.testing.assert_array_equal(a, cls(seed=42)((5, 4)))           # fresh instance, same values
    init = cls(seed=42)
    np.testing.assert_array_equal(init((5, 4)), init((5, 4)))          # a seeded one is a fixed function
    assert not np.array_equal(a, cls(seed=43)((5, 4)))
    unseeded = cls()
    assert not np.array_equal(unseeded((5, 4)), unseeded((5, 4)))     # fresh values each call
    backend.set_seed(7)
    first = [cls()((5, 4)), cls()((5, 4))]
    backend.set_seed(7)
    second = [cls()((5, 4)), cls()((5, 4))]
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x, y)                            # set_seed makes runs reproducible


def test_get_resolves_keras_names():
    expected = {"zeros": Zeros, "ones": Ones, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
                "he_normal": HeNormal, "he_uniform": HeUniform, "lecun_normal": LecunNormal,
                "lecun_uniform": LecunUniform, "truncated_normal": TruncatedNormal,
                "random_normal": RandomNormal, "random_uniform": RandomUniform, "orthogonal": Orthogonal,
                "identity": Identity, "constant": Constant, "variance_scaling": VarianceScaling,
                "uniform": RandomUniform, "normal": RandomNormal, "zero": Zeros, "one": Ones,
                "GlorotUniform": GlorotUniform, "HeNormal": HeNormal, "Glorot_Uniform": GlorotUniform}
    for name, cls in expected.items():
        assert type(initializers.get(name)) is cls, name
    init = HeNormal(seed=3)
    assert initializers.get(init) is init
    assert type(initializers.get(GlorotNormal)) is GlorotNormal
    fn = lambda shape, dtype=None: np.full(shape, 3.0, dtype=dtype)  # noqa: E731
    assert initializers.get(fn) is fn
    assert initializers.get(None) is None
    with pytest.raises(ValueError, match=r"Unknown initializer: 'glorot'\. Expected one of: .*'glorot_uniform'"):
        initializers.get("glorot")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 3.5"):
        initializers.get(3.5)


@pytest.mark.parametrize("init", ALL + [RandomNormal(1.0, 0.5, seed=3), Constant(2), Orthogonal(0.5, seed=1),
                                        VarianceScaling(0.5, "fan_avg", "normal", seed=2)], ids=repr)
def test_config_round_trip(init):
    config = json.loads(json.dumps(initializers.serialize(init)))
    again = initializers.get(config)
    assert type(again) is type(init) and again.get_config() == init.get_config()
    if getattr(init, "seed", None) is not None:
        np.testing.assert_array_equal(again((4, 3)), init((4, 3)))


def test_argument_errors_name_expected_and_received():
    with pytest.raises(ValueError, match=r"expected mode in .*received 'fan'"):
        VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match=r"expected distribution in .*received 'cauchy'"):
        VarianceScaling(distribution="cauchy")
    with pytest.raises(ValueError, match="expected a positive scale, received 0"):
        VarianceScaling(scale=0)
    with pytest.raises(ValueError, match="expected seed to be None or a non-negative int, received 'a'"):
        HeNormal(seed="a")
    with pytest.raises(ValueError, match=r"expected a shape of non-negative ints, received \(2, -1\)"):
        Zeros()((2, -1))
    with pytest.raises(ValueError, match="expected a float dtype for random values, received int32"):
        GlorotUniform()((2, 2), dtype="int32")
    assert VarianceScaling(distribution="normal").distribution == "truncated_normal"


@pytest.mark.parametrize("name", ["glassnet.initializers", "glassnet.initializers.initializer",
                                  "glassnet.initializers.constant", "glassnet.initializers.random"])
def test_docstring_examples_of_the_initializers_run(name):
    import doctest
    import importlib
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(module, name, globs={"np": np, **vars(module)}):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0
