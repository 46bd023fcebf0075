"""Regularizers: Keras's penalty values, gradients (finite differences), config and lookup."""
from __future__ import annotations

import json

import numpy as np
import pytest

from glassnet import Parameter, Tensor, regularizers
from glassnet.regularizers import L1, L1L2, L2
from glassnet.testing import check_gradients

W = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -0.25]])


def test_values_follow_keras():
    x = Tensor(W)
    assert float(L1(0.1)(x).data) == pytest.approx(0.1 * 6.75)
    assert float(L2(0.1)(x).data) == pytest.approx(0.1 * 14.3125)          # no 1/2, as Keras
    assert float(L1L2(0.1, 0.2)(x).data) == pytest.approx(0.1 * 6.75 + 0.2 * 14.3125)
    assert float(L1L2()(x).data) == 0.0
    assert L1()(x).shape == () and L1()(x).dtype == np.float32


def test_l2_gradient_is_two_l2_w():
    w = Parameter(W, name="d/kernel")
    L2(0.1)(w).backward()
    np.testing.assert_allclose(w.grad, 0.2 * W.astype(np.float32), rtol=1e-6)
    assert w.grad.dtype == np.float32


@pytest.mark.parametrize("reg", [L1(0.3), L2(0.7), L1L2(0.3, 0.7), L1L2(l2=0.5), L1L2(l1=0.5)], ids=repr)
def test_gradients_match_finite_differences(reg):
    x = np.random.default_rng(0).standard_normal((4, 5))     # away from 0, where |x| has a kink
    x += np.sign(x) * 0.1
    check_gradients(reg, [x])


def test_float64_weights_give_float64_penalty():
    assert L1L2(0.1, 0.1)(Tensor(W, dtype=np.float64)).dtype == np.float64
    assert L2()(W).dtype == np.float64       # a float64 array keeps its dtype


@pytest.mark.parametrize("reg", [L1(0.3), L2(0.002), L1L2(0.1, 0.2)], ids=repr)
def test_config_round_trip(reg):
    config = json.loads(json.dumps(regularizers.serialize(reg)))
    again = regularizers.get(config)
    assert type(again) is type(reg) and again.get_config() == reg.get_config()
    assert type(reg).from_config(reg.get_config()).get_config() == reg.get_config()


def test_get():
    assert regularizers.get(None) is None
    assert isinstance(regularizers.get("l1"), L1) and regularizers.get("l1").l1 == 0.01
    assert isinstance(regularizers.get("L2"), L2) and regularizers.get("l2").l2 == 0.01
    both = regularizers.get("l1_l2")
    assert isinstance(both, L1L2) and (both.l1, both.l2) == (0.01, 0.01)
    reg = L2(0.5)
    assert regularizers.get(reg) is reg
    assert isinstance(regularizers.get(L1), L1)
    fn = lambda w: 0.1 * w.sum()  # noqa: E731
    assert regularizers.get(fn) is fn
    assert regularizers.get({"class_name": "L1", "config": {"l1": 0.5}}).l1 == 0.5
    with pytest.raises(ValueError, match=r"Unknown regularizer: 'l3'\. Expected one of: 'l1', 'l1_l2', 'l2'; "
                                         r"or a class name: 'L1L2'\."):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 0.1"):
        regularizers.get(0.1)


def test_invalid_factors():
    with pytest.raises(ValueError, match="expected l1 to be a non-negative number, received -0.1"):
        L1(-0.1)
    with pytest.raises(ValueError, match="expected l2 to be a non-negative number, received 'a'"):
        L2("a")
    with pytest.raises(ValueError, match="expected l2 to be a non-negative number, received inf"):
        L1L2(l2=float("inf"))
