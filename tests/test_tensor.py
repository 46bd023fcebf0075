"""The autograd core: Tensor construction, backward(), graph bookkeeping and operators."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import Parameter, Tensor, is_grad_enabled, no_grad, ops


def leaf(values, dtype=np.float32):
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=True, dtype=dtype)


# ------------------------------------------------------------------------------ construction
@pytest.mark.parametrize("data", [1.5, [1.0, 2.0], [[1.0], [2.0]], np.array([1.0, 2.0]),
                                  np.float64(3.0), np.arange(6.0).reshape(2, 3)],
                         ids=["py_float", "py_list", "nested_list", "f64_array", "f64_scalar", "f64_2d"])
def test_floats_become_float32(data):
    t = Tensor(data)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float32))


def test_python_int_scalar_is_a_number_not_a_label():
    assert Tensor(3).dtype == np.float32


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_int_and_bool_arrays_keep_dtype(dtype):
    t = Tensor(np.array([1, 0, 1], dtype=dtype))
    assert t.dtype == dtype


def test_int_list_stays_integer():
    assert Tensor([2, 0, 1]).dtype.kind == "i"


def test_float32_array_is_kept_as_is():
    a = np.ones((2, 2), dtype=np.float32)
    assert Tensor(a).dtype == np.float32


def test_explicit_dtype():
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert Tensor(np.ones(2), dtype="float64").dtype == np.float64
    assert Tensor([1.5, 2.5], dtype=np.int32).dtype == np.int32


def test_tensor_from_tensor():
    a = Tensor([1.0, 2.0])
    b = Tensor(a, requires_grad=True)
    assert b.requires_grad and b.dtype == np.float32
    np.testing.assert_array_equal(b.data, a.data)


@pytest.mark.parametrize("data", [np.array([1, 2]), np.array([True, False]), [1, 2]])
def test_requires_grad_on_non_float_raises(data):
    with pytest.raises(TypeError, match="float"):
        Tensor(data, requires_grad=True)


def test_properties():
    t = Tensor(np.zeros((2, 3, 4)))
    assert t.shape == (2, 3, 4)
    assert t.dtype == np.float32
    assert t.ndim == 3
    assert t.size == 24
    assert len(t) == 2
    assert t.is_leaf
    assert t.grad is None and not t.requires_grad
    assert isinstance(t.numpy(), np.ndarray)
    assert Tensor([[4.0]]).item() == 4.0
    assert float(Tensor(2.5)) == 2.5
    assert "requires_grad=True" in repr(leaf([1.0]))
    assert "float32" in repr(t)


def test_op_result_is_not_a_leaf():
    x = leaf([1.0, 2.0])
    y = x * 2
    assert not y.is_leaf and y.requires_grad
    assert not (Tensor([1.0]) * 2).requires_grad


# ------------------------------------------------------------------------------ backward
def test_backward_default_seed_is_one_for_scalars():
    x = leaf([1.0, 2.0, 3.0])
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0, 3.0])
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


def test_backward_default_seed_for_one_element_tensor():
    x = leaf([[2.0]])
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, [[4.0]])


def test_backward_non_scalar_without_grad_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"one-element.*grad="):
        (x * 2).backward()


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0]) * 2).sum().backward()


@pytest.mark.parametrize("as_tensor", [False, True])
def test_backward_with_explicit_grad(as_tensor):
    x = leaf([1.0, 2.0, 3.0])
    seed = np.array([1.0, -2.0, 0.5])
    (x * 2).backward(Tensor(seed) if as_tensor else seed)
    np.testing.assert_allclose(x.grad, 2 * seed)
    assert x.grad.dtype == np.float32


def test_backward_explicit_grad_shape_is_checked():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"expected grad of shape \(3,\), received \(2,\)"):
        (x * 2).backward(np.ones(2))


def test_gradients_accumulate_until_zero_grad():
    x = leaf([1.0, -2.0])
    for _ in range(2):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * (2 * x.data))
    x.zero_grad()
    assert x.grad is None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data)


def test_tensor_used_twice_gets_summed_gradient():
    x = leaf([1.0, -2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data)
    x.zero_grad()
    (x * x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * x.data ** 2, rtol=1e-6)


def test_diamond_graph():
    a = leaf([0.5, -1.0, 2.0])
    b = a * 2
    c = a.exp()
    (b + c).sum().backward()
    np.testing.assert_allclose(a.grad, 2 + np.exp(a.data), rtol=1e-6)


def test_diamond_with_deeper_branch_needs_topological_order():
    # b is reached through two paths of different length; its full gradient must be known
    # before it is passed on to a.
    a = leaf([1.0, 2.0])
    b = a * 3
    c = b * b
    d = (c + b).sum()
    d.backward()
    np.testing.assert_allclose(a.grad, 3 * (2 * b.data + 1))


def test_intermediate_grads_are_not_kept():
    a = leaf([1.0, 2.0])
    b = a * 2
    (b * b).sum().backward()
    assert b.grad is None
    np.testing.assert_allclose(a.grad, 8 * a.data)


def test_retain_grad_keeps_intermediate_grad():
    a = leaf([1.0, 2.0])
    b = a * 2
    b.retain_grad()
    (b * b).sum().backward()
    np.testing.assert_allclose(b.grad, 2 * b.data)
    np.testing.assert_allclose(a.grad, 8 * a.data)


def test_second_backward_on_freed_graph_raises():
    a = leaf([1.0, 2.0])
    y = (a * a).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    a = leaf([1.0, 2.0])
    y = (a * a).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(a.grad, 3 * 2 * a.data)
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


@pytest.mark.parametrize("build", ["cnn", "lstm", "conv_taps_transpose"])
def test_retain_graph_through_ops_that_save_arrays_gives_the_same_gradient_twice(build):
    # ops free what forward saved as soon as backward used it (Function.release), except when
    # the graph is retained: the second backward must find everything it needs
    import glassnet as gn
    from glassnet import layers
    rng = np.random.default_rng(0)
    if build == "cnn":
        model = gn.Sequential([layers.Input((8, 8, 3)), layers.Conv2D(4, 3, activation="relu"),
                               layers.MaxPooling2D(2), layers.BatchNormalization(), layers.Flatten(),
                               layers.Dense(2)])
        x = rng.standard_normal((2, 8, 8, 3))
    elif build == "lstm":
        model = gn.Sequential([layers.Input((5, 3)), layers.LSTM(4, return_sequences=True), layers.GRU(2)])
        x = rng.standard_normal((2, 5, 3))
    else:  # a 32 -> 1 convolution takes the tap-products path
        model = gn.Sequential([layers.Input((6, 6, 32)), layers.Conv2D(1, 3, padding="same"),
                               layers.Conv2DTranspose(2, 3, strides=2, padding="same")])
        x = rng.standard_normal((2, 6, 6, 32))
    loss = (model(Tensor(x), training=True) ** 2).sum()
    loss.backward(retain_graph=True)
    first = [w.grad.copy() for w in model.trainable_weights]
    loss.backward()
    for w, g in zip(model.trainable_weights, first):
        np.testing.assert_allclose(w.grad, 2 * g, rtol=1e-5, atol=1e-6)


def test_only_leaves_requiring_grad_get_grad():
    a = leaf([1.0, 2.0])
    c = Tensor([3.0, 4.0])
    (a * c).sum().backward()
    np.testing.assert_allclose(a.grad, c.data)
    assert c.grad is None


def test_detach_cuts_the_graph():
    a = leaf([1.0, 2.0])
    d = (a * 2).detach()
    assert not d.requires_grad and d.is_leaf
    np.testing.assert_array_equal(d.data, [2.0, 4.0])
    (d * a).sum().backward()
    np.testing.assert_allclose(a.grad, d.data)  # no contribution through d


def test_no_grad_records_nothing():
    a = leaf([1.0, 2.0])
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = (a * 2).sum()
    assert is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    with pytest.raises(RuntimeError):
        y.backward()


def test_no_grad_restores_state_after_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert is_grad_enabled()


def test_nested_no_grad():
    with no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
@pytest.mark.parametrize("other", [1.0, np.array([1.0, 0.0, 3.0]), "tensor"])
def test_comparisons_give_bool_tensors_without_grad(op, other):
    x = leaf([0.0, 1.0, 3.0])
    o = Tensor([1.0, 0.0, 3.0]) if isinstance(other, str) else other
    raw = o.data if isinstance(o, Tensor) else o
    result = eval(f"x {op} o", {}, {"x": x, "o": o})
    assert isinstance(result, Tensor)
    assert result.dtype == np.bool_ and not result.requires_grad
    np.testing.assert_array_equal(result.data, eval(f"x {op} raw", {}, {"x": x.data, "raw": raw}))


def test_tensor_is_hashable_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b}) == 2


def test_truth_value_of_many_elements_raises():
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))
    assert bool(Tensor([1.0]))


# ------------------------------------------------------------------------------ operators
X = np.array([0.5, 1.0, 2.0], dtype=np.float32)

OPERATOR_CASES = [
    ("x+2", lambda x: x + 2, X + 2, np.ones_like(X)),
    ("2+x", lambda x: 2 + x, 2 + X, np.ones_like(X)),
    ("x-2", lambda x: x - 2, X - 2, np.ones_like(X)),
    ("2-x", lambda x: 2 - x, 2 - X, -np.ones_like(X)),
    ("x*3", lambda x: x * 3, X * 3, 3 * np.ones_like(X)),
    ("3*x", lambda x: 3 * x, 3 * X, 3 * np.ones_like(X)),
    ("x/4", lambda x: x / 4, X / 4, np.full_like(X, 0.25)),
    ("1/x", lambda x: 1 / x, 1 / X, -1 / X ** 2),
    ("x**2", lambda x: x ** 2, X ** 2, 2 * X),
    ("x**0.5", lambda x: x ** 0.5, np.sqrt(X), 0.5 / np.sqrt(X)),
    ("2**x", lambda x: 2 ** x, 2 ** X, 2 ** X * np.log(2)),
    ("-x", lambda x: -x, -X, -np.ones_like(X)),
    ("x.exp", lambda x: x.exp(), np.exp(X), np.exp(X)),
    ("x.log", lambda x: x.log(), np.log(X), 1 / X),
]


@pytest.mark.parametrize("fn, value, grad", [c[1:] for c in OPERATOR_CASES], ids=[c[0] for c in OPERATOR_CASES])
def test_operators_with_python_scalars(fn, value, grad):
    x = leaf(X)
    y = fn(x)
    assert isinstance(y, Tensor) and y.dtype == np.float32
    np.testing.assert_allclose(y.data, value, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, grad, rtol=1e-6)


@pytest.mark.parametrize("expr, expected", [
    ("arr + x", lambda a, x: a + x), ("arr - x", lambda a, x: a - x), ("arr * x", lambda a, x: a * x),
    ("arr / x", lambda a, x: a / x), ("arr ** x", lambda a, x: a ** x),
    ("np.float64(2.0) * x", lambda a, x: 2.0 * x), ("np.float64(2.0) - x", lambda a, x: 2.0 - x),
])
def test_ndarray_on_the_left_gives_tensor(expr, expected):
    arr = np.array([1.0, 2.0, 3.0])  # float64 on purpose
    x = leaf(X)
    y = eval(expr, {"np": np}, {"arr": arr, "x": x})
    assert isinstance(y, Tensor), type(y)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, expected(arr, X), rtol=1e-6)


def test_ndarray_matmul_tensor():
    w = leaf(np.arange(6.0).reshape(3, 2))
    y = np.ones((2, 3)) @ w
    assert isinstance(y, Tensor) and y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_allclose(w.grad, np.full((3, 2), 2.0))


def test_method_forms():
    x = leaf(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(x.sum(axis=0).data, [3.0, 5.0, 7.0])
    np.testing.assert_allclose(x.mean(axis=1, keepdims=True).data, [[1.0], [4.0]])
    assert x.max().item() == 5.0 and x.min().item() == 0.0
    assert x.reshape(3, 2).shape == (3, 2) and x.reshape((6,)).shape == (6,)
    assert x.transpose().shape == (3, 2) and x.T.shape == (3, 2)
    assert x.transpose(1, 0).shape == (3, 2)
    assert x.astype(np.float64).dtype == np.float64


# ------------------------------------------------------------------------------ indexing
BASE = np.arange(24, dtype=np.float32).reshape(4, 6)
MASK = (BASE % 3 == 1)

INDEX_CASES = [
    ("int", 1), ("negative_int", -1), ("slice", slice(1, 3)), ("tuple_slices", (slice(None), slice(2, 5))),
    ("negative_step", slice(None, None, -1)), ("negative_step_2", (slice(None), slice(None, None, -2))),
    ("int_and_slice", (2, slice(1, None))), ("ellipsis", (Ellipsis, 0)), ("newaxis", (None, 1)),
    ("bool_mask", MASK), ("row_mask", np.array([True, False, True, True])),
    ("int_list", [2, 0]), ("repeated", [0, 0, 1]), ("repeated_pairs", ([0, 0, 3], [1, 1, 5])),
    ("slice_and_list", (slice(None), [5, 5, 0])), ("int_array_2d", np.array([[0, 1], [1, 1]])),
]


@pytest.mark.parametrize("index", [c[1] for c in INDEX_CASES], ids=[c[0] for c in INDEX_CASES])
def test_getitem_values_and_gradients(index):
    x = leaf(BASE)
    y = x[index]
    np.testing.assert_array_equal(y.data, BASE[index])
    weights = np.random.default_rng(0).standard_normal(y.shape).astype(np.float32)
    (y * weights).sum().backward()
    expected = np.zeros_like(BASE)
    np.add.at(expected, index, weights)  # repeated indices accumulate
    np.testing.assert_allclose(x.grad, expected, rtol=1e-6)
    assert x.grad.dtype == np.float32


def test_repeated_indices_accumulate():
    x = leaf([1.0, 2.0, 3.0])
    x[[0, 0, 1]].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 1.0, 0.0])


@pytest.mark.parametrize("make_index", [lambda x: x > 5, lambda x: Tensor(np.array([3, 0])),
                                        lambda x: (Tensor(np.array([1, 2])), slice(0, 2))],
                         ids=["bool_tensor", "int_tensor", "tuple_with_tensor"])
def test_tensor_indices(make_index):
    x = leaf(BASE)
    index = make_index(x)
    raw = index.data if isinstance(index, Tensor) else tuple(i.data if isinstance(i, Tensor) else i for i in index)
    y = x[index]
    np.testing.assert_array_equal(y.data, BASE[raw])
    y.sum().backward()
    expected = np.zeros_like(BASE)
    np.add.at(expected, raw, 1.0)
    np.testing.assert_array_equal(x.grad, expected)


# ------------------------------------------------------------------------------ long graphs
def test_deep_chain_backpropagates_without_recursion_error():
    x = leaf(1.0)
    y = x
    for _ in range(2500):
        y = y * 1.0001
        y = y + 0.0
    y.backward()
    np.testing.assert_allclose(x.grad, 1.0001 ** 2500, rtol=1e-3)


def test_deep_unused_graph_can_be_freed():
    x = leaf(1.0)
    y = x
    for _ in range(20000):
        y = y + 1.0
    del y  # deallocating a long chain must not overflow the C stack


# ------------------------------------------------------------------------------ Parameter
def test_parameter_basics():
    p = Parameter(np.zeros((2, 3)), name="dense/kernel")
    assert p.dtype == np.float32 and p.requires_grad and p.is_leaf and p.trainable
    assert p.name == "dense/kernel" and "dense/kernel" in repr(p)
    assert not Parameter(np.zeros(2), trainable=False).requires_grad


def test_parameter_assign_in_place_keeps_dtype():
    p = Parameter(np.zeros((2, 3)), name="w")
    buffer = p.data
    p.assign(np.ones((2, 3)))  # float64 values
    assert p.data is buffer and p.dtype == np.float32
    np.testing.assert_array_equal(p.data, np.ones((2, 3)))
    p.assign(Tensor(np.full((2, 3), 2.0)))
    np.testing.assert_array_equal(p.data, np.full((2, 3), 2.0))


def test_parameter_assign_checks_shape():
    p = Parameter(np.zeros((2, 3)), name="dense/kernel")
    with pytest.raises(ValueError, match=r"dense/kernel.*expected shape \(2, 3\), received \(3, 2\)"):
        p.assign(np.zeros((3, 2)))


def test_parameter_gets_gradient():
    p = Parameter(np.array([1.0, 2.0]), name="w")
    (p * p).sum().backward()
    np.testing.assert_allclose(p.grad, [2.0, 4.0])


# ------------------------------------------------------------------------------ gradients as owned arrays
def test_leaf_grads_are_writable_and_not_shared():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    assert a.grad.flags.writeable and b.grad.flags.writeable
    assert not np.shares_memory(a.grad, b.grad)
    a.grad *= 0.5  # an in-place update (gradient clipping, weight decay) must touch a only
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


@pytest.mark.parametrize("make_loss", [
    lambda a, b: (a + b).sum(),
    lambda a, b: ops.concatenate([a, b]).sum(),
    lambda a, b: ops.stack([a, b]).mean(),
    lambda a, b: (ops.broadcast_to(a, (3, 2)) * b).sum(),
    lambda a, b: (a.reshape(2, 1) + b.reshape(1, 2)).max(),
    lambda a, b: ops.identity(a).sum() + ops.identity(b).sum(),
], ids=["add", "concatenate", "stack", "broadcast_to", "reshape_max", "identity"])
def test_leaf_grads_are_own_writable_arrays(make_loss):
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    make_loss(a, b).backward()
    for g in (a.grad, b.grad):
        assert g.flags.writeable and g.shape == (2,) and g.dtype == np.float32
    assert not np.shares_memory(a.grad, b.grad)


def test_leaf_grad_does_not_alias_the_seed():
    x = leaf([1.0, 2.0])
    seed = np.array([1.0, 1.0], dtype=np.float32)
    (x + 0).backward(seed)
    assert not np.shares_memory(x.grad, seed)


def test_module_exports():
    assert gn.Tensor is Tensor and gn.ops is ops


def test_backward_order_when_a_tensor_feeds_its_consumer_and_the_root():
    # r = x + p with p = 3x: x must get both contributions (1 + 3) before passing on;
    # a wrong topological order would process x before p and lose p's share
    w = Tensor(np.array([2.0]), requires_grad=True)
    x = w * 1.0
    p = x * 3.0
    r = (x + p).sum()
    r.backward()
    np.testing.assert_allclose(w.grad, [4.0])
    # the same with the inputs listed the other way round
    w2 = Tensor(np.array([2.0]), requires_grad=True)
    x2 = w2 * 1.0
    r2 = ((x2 * 3.0) + x2).sum()
    r2.backward()
    np.testing.assert_allclose(w2.grad, [4.0])
