"""Torch-free gradient checks in float64 (``glassnet.testing.check_gradients``) for every op.

Inputs at kinks (relu at 0, abs at 0, clip at its bounds, ties in max) are moved away from
them, since a finite difference across a kink measures neither one-sided derivative.
"""
from __future__ import annotations

import numpy as np
import pytest

from glassnet import ops
from glassnet.testing import check_gradients


def rand(*shape, low=-2.0, high=2.0, seed=0):
    return np.random.default_rng(seed + 17 * len(shape) + sum(shape)).uniform(low, high, size=shape)


def pos(*shape, seed=0):
    return rand(*shape, low=0.3, high=2.0, seed=seed)


def away(x, points=(0.0,), margin=0.1):
    """``x`` with every value closer than ``margin`` to a kink pushed to 2 * margin away."""
    x = np.array(x, dtype=np.float64)
    for p in points:
        close = np.abs(x - p) < margin
        x = np.where(close, p + np.where(x >= p, 2 * margin, -2 * margin), x)
    return x


def distinct(*shape, seed=0):
    """Values with no ties (a shuffled, jittered ramp): safe for max/min reductions."""
    n = int(np.prod(shape))
    rng = np.random.default_rng(seed)
    return (rng.permutation(n) * 0.3 - n * 0.15 + rng.uniform(0, 0.1, n)).reshape(shape)


COND = np.random.default_rng(5).random((3, 4)) > 0.5
MASK = np.random.default_rng(6).random((3, 4)) > 0.4

def _axis_id(axis):
    return "all" if axis is None else str(axis).replace(" ", "").replace(",)", ")")


ELEMENTWISE = [
    ("add", ops.add, [rand(3, 4), rand(4)]),
    ("add_rev_broadcast", ops.add, [rand(3, 1), rand(2, 1, 4)]),
    ("add_scalar", lambda a: a + 1.5, [rand(3, 4)]),
    ("subtract", ops.subtract, [rand(2, 1, 4), rand(3, 1)]),
    ("subtract_rev", ops.subtract, [rand(4), rand(3, 4)]),
    ("rsub_scalar", lambda a: 2.0 - a, [rand(3, 4)]),
    ("multiply", ops.multiply, [rand(2, 1, 4), rand(3, 1)]),
    ("multiply_0d", ops.multiply, [rand(), rand(3, 4)]),
    ("square", ops.square, [rand(3, 4)]),
    ("divide", ops.divide, [rand(3, 4), pos(4)]),
    ("divide_rev", ops.divide, [rand(4), pos(3, 4)]),
    ("rdiv_scalar", lambda a: 1.0 / a, [pos(3, 4)]),
    ("power_int", lambda a: a ** 3, [rand(3, 4)]),
    ("power_frac", lambda a: a ** 0.5, [pos(3, 4)]),
    ("power_scalar_base", lambda a: 2.0 ** a, [rand(3, 4)]),
    ("power_tensors", ops.power, [pos(3, 4), rand(4)]),
    ("power_tensors_rev", ops.power, [pos(4), rand(3, 4)]),
    ("negative", ops.negative, [rand(3, 4)]),
    ("exp", ops.exp, [rand(3, 4)]),
    ("log", ops.log, [pos(3, 4)]),
    ("sqrt", ops.sqrt, [pos(3, 4)]),
    ("abs", ops.abs, [away(rand(3, 4))]),
    ("clip", lambda a: ops.clip(a, -1.0, 1.0), [away(rand(4, 5), (-1.0, 1.0))]),
    ("clip_low_only", lambda a: ops.clip(a, 0.0, None), [away(rand(4, 5))]),
    ("maximum", ops.maximum, [away(rand(3, 4) - rand(3, 4, seed=1) / 2, (0.0,)), np.zeros((3, 4))]),
    ("maximum_broadcast", ops.maximum, [rand(3, 4), rand(4, seed=3)]),
    ("minimum", ops.minimum, [rand(3, 1), rand(2, 1, 4, seed=4)]),
    ("minimum_scalar", lambda a: ops.minimum(a, 0.5), [away(rand(3, 4), (0.5,))]),
    ("where", lambda a, b: ops.where(COND, a, b), [rand(3, 4), rand(3, 4, seed=1)]),
    ("where_broadcast", lambda a, b: ops.where(COND, a, b), [rand(3, 4), rand(4)]),
    ("cast_same_dtype", lambda a: ops.cast(a, np.float64) * 2.0, [rand(3, 4)]),
]

REDUCTIONS = []
for _axis in [None, 0, -1, (0, 2)]:
    for _keep in [False, True]:
        for _name, _fn in [("sum", ops.sum), ("mean", ops.mean), ("max", ops.max), ("min", ops.min)]:
            REDUCTIONS.append((f"{_name}_axis{_axis_id(_axis)}_keep{int(_keep)}",
                               (lambda f, a, k: lambda x: f(x, axis=a, keepdims=k))(_fn, _axis, _keep),
                               [distinct(2, 3, 4)]))
        for _ddof in (0, 1):
            REDUCTIONS.append((f"var_ddof{_ddof}_axis{_axis_id(_axis)}_keep{int(_keep)}",
                               (lambda a, k, d: lambda x: ops.var(x, axis=a, keepdims=k, ddof=d))(_axis, _keep, _ddof),
                               [rand(2, 3, 4)]))

LINALG = [
    ("matmul_2d", ops.matmul, [rand(3, 4), rand(4, 5)]),
    ("matmul_3d_2d", ops.matmul, [rand(2, 3, 4), rand(4, 5)]),
    ("matmul_1d_2d", ops.matmul, [rand(4), rand(4, 5)]),
    ("matmul_2d_1d", ops.matmul, [rand(3, 4), rand(4)]),
    ("matmul_broadcast_batch", ops.matmul, [rand(2, 1, 3, 4), rand(5, 4, 6)]),
    ("matmul_1d_3d", ops.matmul, [rand(4), rand(2, 4, 5)]),
    ("matmul_1d_1d", ops.matmul, [rand(4), rand(4, seed=1)]),
    ("linear_bias", ops.linear, [rand(5, 3), rand(3, 4), rand(4)]),
    ("linear_no_bias", ops.linear, [rand(5, 3), rand(3, 4)]),
    ("linear_3d", ops.linear, [rand(2, 5, 3), rand(3, 4), rand(4)]),
]

SHAPE = [
    ("reshape", lambda x: ops.reshape(x, (4, -1)), [rand(2, 3, 4)]),
    ("transpose_default", ops.transpose, [rand(2, 3, 4)]),
    ("transpose_axes", lambda x: ops.transpose(x, (1, 2, 0)), [rand(2, 3, 4)]),
    ("transpose_negative_axes", lambda x: ops.transpose(x, (0, -1, -2)), [rand(2, 3, 4)]),
    ("getitem_int", lambda x: x[1], [rand(3, 4)]),
    ("getitem_slices", lambda x: x[1:, ::2], [rand(3, 4)]),
    ("getitem_negative_step", lambda x: x[::-1, ::-2], [rand(3, 4)]),
    ("getitem_repeated", lambda x: x[[0, 0, 2]], [rand(3, 4)]),
    ("getitem_pairs", lambda x: x[[0, 2, 0], [1, 3, 1]], [rand(3, 4)]),
    ("take_rows_repeated", lambda w: ops.take(w, np.array([[2, 0, 2], [1, 2, 2]])), [rand(3, 4)]),
    ("getitem_mask", lambda x: x[MASK], [rand(3, 4)]),
    ("broadcast_to", lambda x: ops.broadcast_to(x, (2, 3, 4)), [rand(3, 1)]),
    ("concatenate_axis0", lambda a, b, c: ops.concatenate([a, b, c], axis=0), [rand(2, 3), rand(1, 3), rand(4, 3)]),
    ("concatenate_axis1", lambda a, b, c: ops.concatenate([a, b, c], axis=1), [rand(2, 3), rand(2, 1), rand(2, 2)]),
    ("concatenate_same_twice", lambda a: ops.concatenate([a, a * 2.0, a], axis=0), [rand(2, 3)]),
    ("stack", lambda a, b, c: ops.stack([a, b, c], axis=1), [rand(2, 3), rand(2, 3, seed=1), rand(2, 3, seed=2)]),
    ("split_equal", lambda x: ops.concatenate([p * float(i + 1) for i, p in enumerate(ops.split(x, 3, axis=1))][::-1],
                                              axis=1), [rand(2, 6)]),
    ("split_points", lambda x: ops.stack([p.sum(axis=0) for p in ops.split(x, [1, 4], axis=0)]), [rand(6, 3)]),
    ("pad", lambda x: ops.pad(x, ((1, 2), (0, 1)), constant_values=0.5), [rand(3, 4)]),
    ("squeeze", ops.squeeze, [rand(3, 1, 4, 1)]),
    ("expand_dims", lambda x: ops.expand_dims(x, 1), [rand(3, 4)]),
    ("flatten", ops.flatten, [rand(2, 3, 4)]),
]

ACTIVATIONS = [
    ("identity", ops.identity, [rand(3, 4)]),
    ("sigmoid", ops.sigmoid, [rand(3, 4, low=-6, high=6)]),
    ("tanh", ops.tanh, [rand(3, 4)]),
    ("arctan", ops.arctan, [rand(3, 4, low=-4, high=4)]),
    ("relu", ops.relu, [away(rand(3, 4))]),
    ("leaky_relu_0.2", lambda x: ops.leaky_relu(x, 0.2), [away(rand(3, 4))]),
    ("leaky_relu_0.1", lambda x: ops.leaky_relu(x, 0.1), [away(rand(3, 4))]),
    ("prelu_per_channel", ops.prelu, [away(rand(5, 3)), rand(3, low=0.0, high=0.5)]),
    ("prelu_scalar_alpha", ops.prelu, [away(rand(5, 3)), np.array(0.25)]),
    ("elu_1", ops.elu, [away(rand(3, 4))]),
    ("elu_0.5", lambda x: ops.elu(x, alpha=0.5), [away(rand(3, 4))]),
    ("selu", ops.selu, [away(rand(3, 4))]),
    ("softplus", ops.softplus, [rand(3, 4, low=-5, high=5)]),
    ("gaussian", ops.gaussian, [rand(3, 4)]),
    ("softmax_last", ops.softmax, [rand(3, 5)]),
    ("softmax_axis0", lambda x: ops.softmax(x, axis=0), [rand(3, 5)]),
    ("log_softmax_last", ops.log_softmax, [rand(3, 5)]),
    ("log_softmax_axis0", lambda x: ops.log_softmax(x, axis=0), [rand(3, 5)]),
]


def _mlp(x, w1, b1, w2, b2):
    h = ops.tanh(ops.linear(x, w1, b1))
    return ops.log_softmax(h @ w2 + b2)


def _layer_norm(x):
    mu = ops.mean(x, axis=-1, keepdims=True)
    return (x - mu) / ops.sqrt(ops.var(x, axis=-1, keepdims=True) + 1e-3)


def _nll(logits):
    labels = np.array([2, 0, 1, 2])
    return -ops.mean(ops.log_softmax(logits)[np.arange(4), labels])


COMPOSITES = [
    ("mlp_2_layers", _mlp, [rand(4, 3), rand(3, 5), rand(5), rand(5, 2), rand(2)]),
    ("mlp_relu_sigmoid", lambda x, w1, w2: ops.sigmoid(ops.relu(x @ w1) @ w2),
     [rand(4, 3), rand(3, 5, seed=1), rand(5, 1, seed=2)]),
    ("x_times_x", lambda x: x * x, [rand(3, 4)]),
    ("x_reused_three_ways", lambda x: x * ops.exp(x) + x / 3.0 - ops.sum(x, axis=0), [rand(3, 4)]),
    ("diamond", lambda a: (a * 2.0) + ops.tanh(a) * a, [rand(3, 4)]),
    ("softmax_of_matmul", lambda x, w: ops.softmax(x @ w), [rand(4, 3), rand(3, 5)]),
    ("layer_norm", _layer_norm, [rand(4, 6)]),
    ("nll_with_int_labels", _nll, [rand(4, 3)]),
    ("attention_like", lambda q, k, v: ops.softmax(q @ ops.transpose(k, (0, 2, 1)) / 2.0) @ v,
     [rand(2, 3, 4), rand(2, 5, 4, seed=1), rand(2, 5, 4, seed=2)]),
]

ALL_CASES = ELEMENTWISE + REDUCTIONS + LINALG + SHAPE + ACTIVATIONS + COMPOSITES


# Known bugs (id -> reason), marked strict xfail until fixed; empty when none are open.
KNOWN_BUGS: dict = {}


def _params(cases):
    return [pytest.param(*c[1:], id=c[0], marks=[pytest.mark.xfail(reason=KNOWN_BUGS[c[0]], strict=True)]
                         if c[0] in KNOWN_BUGS else []) for c in cases]


@pytest.mark.parametrize("fn, inputs", _params(ALL_CASES))
def test_gradients_match_finite_differences(fn, inputs):
    check_gradients(fn, inputs)


def test_case_ids_are_unique():
    ids = [c[0] for c in ALL_CASES]
    assert len(ids) == len(set(ids))


def test_cast_roundtrip_through_float32():
    # float32 rounding makes tiny steps noisy; the cast is linear, so a large step is exact
    check_gradients(lambda a: ops.cast(ops.cast(a, np.float32), np.float64), [rand(3, 4)], eps=1e-2, rtol=1e-4)


def test_check_gradients_catches_a_wrong_backward():
    """The checker itself must fail on a wrong derivative (here: d/dx x^3 claimed as 2x^2)."""
    from glassnet.core.tensor import Function

    class WrongCube(Function):
        def forward(self, a):
            self.a = a
            return a ** 3

        def backward(self, g):
            return (g * 2 * self.a ** 2,)

    with pytest.raises(AssertionError, match="analytic"):
        check_gradients(lambda x: WrongCube()(x), [rand(3, 4)])


def _function_classes():
    from glassnet.core.tensor import Function
    found, todo = [], [Function]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return [f for f in found if f.__module__.startswith("glassnet.")]


def test_every_op_states_its_formula():
    """A learner opening any op finds what it computes and the gradient rule of its backward."""
    import glassnet.ops  # noqa: F401  (loads every op module)
    missing = [f"{f.__module__}.{f.__name__}" for f in _function_classes()
               if not (f.__dict__.get("__doc__") or "").strip()]
    assert not missing, f"Function classes without a docstring stating their formula: {missing}"
    assert len(_function_classes()) >= 40
