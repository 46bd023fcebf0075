"""The float32 guard: no op silently promotes to float64.

NumPy 2 promotes float32 with a float64 array or NumPy scalar (``np.sqrt(2.0)``) to float64;
one such constant would turn a whole training step into float64 (twice the memory, slower).
Every op below runs on float32 tensors with Python and float64 constants mixed in; a spy records
the dtype of every op's output and of every gradient any backward hands on, and all of them
must be float32. A tensor made float64 on purpose must stay float64 the same way.
"""
from __future__ import annotations

import numpy as np
import pytest

from glassnet import Function, Tensor, ops

COND = np.random.default_rng(1).random((3, 4)) > 0.5


def p(x):
    """Strictly positive version of x (for log, sqrt, fractional powers, divisors)."""
    return ops.abs(x) + 0.5


CASES = [
    # Python and NumPy scalars
    ("add_py", lambda x, w: x + 2.0),
    ("radd_py", lambda x, w: 2.0 + x),
    ("sub_py_int", lambda x, w: x - 1),
    ("rsub_py", lambda x, w: 3.0 - x),
    ("mul_py", lambda x, w: x * 0.5),
    ("rmul_np64", lambda x, w: np.float64(0.5) * x),
    ("div_np64", lambda x, w: x / np.float64(3.0)),
    ("rdiv_np_sqrt", lambda x, w: np.sqrt(2.0) / p(x)),
    ("pow_int", lambda x, w: x ** 2),
    ("pow_float", lambda x, w: p(x) ** 1.5),
    ("pow_np64", lambda x, w: p(x) ** np.float64(0.5)),
    ("rpow_py", lambda x, w: 2.0 ** x),
    ("rpow_np64", lambda x, w: np.float64(2.0) ** x),
    ("pow_tensor_exponent", lambda x, w: p(x) ** w[0]),
    # float64 arrays
    ("add_f64_row", lambda x, w: x + np.ones(4)),
    ("radd_f64", lambda x, w: np.ones((3, 4)) + x),
    ("rsub_f64", lambda x, w: np.ones(4) - x),
    ("mul_f64", lambda x, w: x * np.linspace(0.0, 1.0, 4)),
    ("rmul_f64", lambda x, w: np.full((3, 1), 2.0) * x),
    ("div_f64", lambda x, w: x / np.full(4, 2.0)),
    ("rdiv_f64", lambda x, w: np.ones(4) / p(x)),
    ("pow_f64_exponent", lambda x, w: p(x) ** np.full(4, 2.0)),
    ("matmul_eye_right", lambda x, w: x @ np.eye(4)),
    ("rmatmul_eye", lambda x, w: np.eye(3) @ x),
    ("matmul_fn_f64", lambda x, w: ops.matmul(x, np.ones((4, 2)))),
    ("matmul_fn_f64_left", lambda x, w: ops.matmul(np.ones((2, 3)), x)),
    ("matmul_w", lambda x, w: x @ w),
    ("linear_f64_bias", lambda x, w: ops.linear(x, w, np.zeros(4))),
    ("linear_f64_kernel", lambda x, w: ops.linear(x, np.eye(4)) * w[0]),
    ("linear_no_bias", lambda x, w: ops.linear(x, w)),
    # element-wise functions
    ("exp", lambda x, w: ops.exp(x)),
    ("log", lambda x, w: ops.log(p(x))),
    ("sqrt", lambda x, w: ops.sqrt(p(x))),
    ("abs", lambda x, w: ops.abs(x)),
    ("negative", lambda x, w: -x),
    ("square", lambda x, w: ops.square(x)),
    ("clip_np64", lambda x, w: ops.clip(x, np.float64(-1.0), np.float64(1.0))),
    ("clip_low", lambda x, w: ops.clip(x, -1, None)),
    ("maximum_py", lambda x, w: ops.maximum(x, 0.5)),
    ("maximum_f64_left", lambda x, w: ops.maximum(np.zeros(4), x)),
    ("minimum_np64", lambda x, w: ops.minimum(x, np.float64(0.5))),
    ("minimum_tensors", lambda x, w: ops.minimum(x, w[:3])),
    ("where_py", lambda x, w: ops.where(x > 0, x, 0.0)),
    ("where_f64", lambda x, w: ops.where(COND, np.ones((3, 4)), x)),
    ("where_tensors", lambda x, w: ops.where(COND, x, w[1:])),
    # reductions
    ("sum", lambda x, w: ops.sum(x)),
    ("sum_axis", lambda x, w: x.sum(axis=0)),
    ("mean", lambda x, w: ops.mean(x)),
    ("mean_axes_keep", lambda x, w: ops.mean(x, axis=(0, 1), keepdims=True)),
    ("max", lambda x, w: ops.max(x)),
    ("min_axis", lambda x, w: ops.min(x, axis=1)),
    ("var", lambda x, w: ops.var(x)),
    ("var_ddof1_axis", lambda x, w: ops.var(x, axis=0, ddof=1)),
    ("mean_mixed", lambda x, w: x.mean() * 2.0 + x),
    # shape and indexing
    ("reshape", lambda x, w: x.reshape(2, 6)),
    ("transpose", lambda x, w: ops.transpose(x)),
    ("T", lambda x, w: x.T @ x),
    ("getitem_slice", lambda x, w: x[1:, ::-1]),
    ("getitem_repeat", lambda x, w: x[[0, 0, 2]]),
    ("getitem_mask", lambda x, w: x[x > 0]),
    ("broadcast_to", lambda x, w: ops.broadcast_to(x[:1], (3, 4))),
    ("concat_f64_after", lambda x, w: ops.concatenate([x, np.zeros((1, 4))])),
    ("concat_f64_first", lambda x, w: ops.concatenate([np.zeros((1, 4)), x])),
    ("concat_tensors", lambda x, w: ops.concatenate([x, w], axis=0)),
    ("stack_f64", lambda x, w: ops.stack([x, np.zeros((3, 4))])),
    ("stack_tensors", lambda x, w: ops.stack([x, w[:3]], axis=-1)),
    ("split", lambda x, w: ops.split(x, 2, axis=1)[1] * ops.split(x, [1], axis=1)[1][:, :2]),
    ("pad_np64_value", lambda x, w: ops.pad(x, 1, constant_values=np.float64(0.5))),
    ("squeeze_expand", lambda x, w: ops.squeeze(ops.expand_dims(x, 0))),
    ("flatten", lambda x, w: ops.flatten(x[None])),
    # activations
    ("identity", lambda x, w: ops.identity(x)),
    ("binary_step", lambda x, w: ops.binary_step(x) + x),
    ("sigmoid", lambda x, w: ops.sigmoid(x)),
    ("tanh", lambda x, w: ops.tanh(x)),
    ("arctan", lambda x, w: ops.arctan(x)),
    ("relu", lambda x, w: ops.relu(x)),
    ("leaky_relu_np64", lambda x, w: ops.leaky_relu(x, np.float64(0.1))),
    ("leaky_relu_default", lambda x, w: ops.leaky_relu(x)),
    ("prelu_f64_alpha", lambda x, w: ops.prelu(x, np.full(4, 0.25))),
    ("prelu_py_alpha", lambda x, w: ops.prelu(x, 0.25)),
    ("prelu_tensor_alpha", lambda x, w: ops.prelu(x, w[0])),
    ("elu_np64", lambda x, w: ops.elu(x, np.float64(0.5))),
    ("elu", lambda x, w: ops.elu(x)),
    ("selu", lambda x, w: ops.selu(x)),
    ("softplus", lambda x, w: ops.softplus(x)),
    ("gaussian", lambda x, w: ops.gaussian(x)),
    ("softmax", lambda x, w: ops.softmax(x)),
    ("log_softmax_axis0", lambda x, w: ops.log_softmax(x, axis=0)),
    # a small network
    ("mlp", lambda x, w: ops.log_softmax(ops.relu(ops.linear(x, w, np.zeros(4))) @ np.ones((4, 2)) * 0.5)),
]


@pytest.fixture
def spy(monkeypatch):
    """Record the dtype of every op output and every gradient handed to a tensor."""
    seen = {"forward": [], "backward": []}
    call, accumulate = Function.__call__, Tensor._accumulate

    def spy_call(self, *inputs):
        out = call(self, *inputs)
        seen["forward"].append((type(self).__name__, out.dtype))
        return out

    def spy_accumulate(self, g, *args, **kwargs):
        seen["backward"].append((type(self._ctx).__name__ if self._ctx else "leaf", g.dtype))
        return accumulate(self, g, *args, **kwargs)

    monkeypatch.setattr(Function, "__call__", spy_call)
    monkeypatch.setattr(Tensor, "_accumulate", spy_accumulate)
    return seen


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("fn", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_ops_keep_the_tensor_dtype(fn, dtype, spy):
    rng = np.random.default_rng(0)
    x = Tensor(rng.uniform(-2, 2, (3, 4)), requires_grad=True, dtype=dtype)
    w = Tensor(rng.uniform(-1, 1, (4, 4)), requires_grad=True, dtype=dtype)
    out = fn(x, w)
    assert out.dtype == dtype, f"output is {out.dtype}"
    out.backward(rng.standard_normal(out.shape))  # a float64 seed is converted, not propagated
    assert x.grad is not None and x.grad.dtype == dtype
    assert w.grad is None or w.grad.dtype == dtype
    wrong_forward = [(op, dt) for op, dt in spy["forward"] if dt != dtype]
    wrong_backward = [(op, dt) for op, dt in spy["backward"] if dt != dtype]
    assert not wrong_forward, f"ops produced {wrong_forward}"
    assert not wrong_backward, f"backward handed on gradients {wrong_backward}"


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


def test_cast_is_the_explicit_way_to_change_dtype():
    x = Tensor(np.ones(3), requires_grad=True)
    y = ops.cast(x, np.float64)
    assert y.dtype == np.float64
    (y * 2.0).sum().backward()
    assert x.grad.dtype == np.float32


def test_mixing_with_an_explicit_float64_tensor_gives_each_input_its_own_grad_dtype():
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True, dtype=np.float64)
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


@pytest.mark.parametrize("fn", [ops.exp, ops.sigmoid, ops.relu, ops.softmax, ops.sum,
                                lambda a: ops.add(a, np.ones(3)), lambda a: ops.maximum(a, 0.0)])
def test_ops_on_raw_float64_arrays_give_float32(fn):
    assert fn(np.linspace(-1.0, 1.0, 3)).dtype == np.float32


@pytest.mark.parametrize("data", [0.5, [0.5, 1.5], np.float64(0.5), np.ones(2)])
def test_explicit_float64_tensor_is_kept(data):
    t = Tensor(data, dtype=np.float64)
    assert t.dtype == np.float64
    assert (t * 2.0 + 1).dtype == np.float64


# ------------------------------------------------------------------------------ integer labels
@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_int_labels_keep_dtype_through_indexing(dtype):
    labels = Tensor(np.array([2, 0, 1, 2], dtype=dtype))
    assert labels.dtype == dtype
    assert labels[1:].dtype == dtype
    assert labels[[0, 0]].dtype == dtype
    assert labels[labels > 0].dtype == dtype
    assert ops.reshape(labels, (2, 2)).dtype == dtype
    assert not labels[1:].requires_grad


@pytest.mark.parametrize("as_tensor", [False, True])
def test_int_labels_as_index_pick_float_values(as_tensor):
    logits = Tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    labels = np.array([2, 0, 1, 2])
    idx = Tensor(labels) if as_tensor else labels
    picked = logits[np.arange(4), idx]
    assert picked.dtype == np.float32
    np.testing.assert_array_equal(picked.data, logits.data[np.arange(4), labels])
    picked.sum().backward()
    expected = np.zeros((4, 3), dtype=np.float32)
    expected[np.arange(4), labels] = 1
    np.testing.assert_array_equal(logits.grad, expected)
    assert logits.grad.dtype == np.float32


def test_index_with_int_tensor():
    x = Tensor(np.arange(5.0), requires_grad=True)
    y = x[Tensor(np.array([4, 4, 0]))]
    assert y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 0, 0, 0, 2])


def test_comparison_of_int_labels_gives_bool():
    pred, labels = Tensor(np.array([1, 0, 2])), Tensor(np.array([1, 1, 2]))
    eq = pred == labels
    assert eq.dtype == np.bool_
    np.testing.assert_array_equal(eq.data, [True, False, True])
    assert ops.sum(eq).item() == 2


@pytest.mark.parametrize("values, expected", [
    (np.array([True, True, True, False]), 0.75),
    (np.array([1, 2]), 1.5),
], ids=["bool", "int"])
def test_mean_of_bool_or_int_tensor_is_a_float(values, expected):
    # e.g. accuracy written as (pred == labels).mean(); raising TypeError (as torch does)
    # would also be acceptable, a silently wrong value is not
    try:
        m = Tensor(values).mean()
    except TypeError:
        return
    assert m.dtype.kind == "f"
    assert m.item() == pytest.approx(expected)


@pytest.mark.parametrize("step", ["fit", "train_on_batch", "test_on_batch", "predict_on_batch"])
def test_integer_inputs_do_not_make_a_model_compute_in_float64(step, spy):
    """An int64 batch (``np.arange`` data, pixel counts) is cast to floatx at the model's door,
    by every way in: int64 * float32 would otherwise be float64 all the way through."""
    import glassnet as gn
    from glassnet import layers
    model = gn.Sequential([layers.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.arange(12).reshape(4, 3), np.ones((4, 2), np.int64)
    spy["forward"].clear()
    if step == "fit":
        model.fit(x, y, verbose=0)
    elif step == "predict_on_batch":
        model.predict_on_batch(x)
    else:
        getattr(model, step)(x, y)
    dtypes = {dt for _, dt in spy["forward"]}
    assert spy["forward"] and dtypes == {np.dtype(np.float32)}, f"ops computed in {dtypes}"
