"""Every op in ``glassnet.ops`` (except losses) against PyTorch: values, dtype and gradients.

One line per case: (id, glassnet function, torch function, input shapes or arrays, options).
Inputs are seeded float32 uniforms on [-2, 2] unless the case narrows the range.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from glassnet import Tensor, ops
from helpers import compare_with_torch

torch = pytest.importorskip("torch")
F = torch.nn.functional

POS = {"low": 0.2, "high": 2.0}  # inputs of log, sqrt, divisors, bases of powers
F32 = np.float32


def arr(values):
    return np.asarray(values, dtype=F32)


COND = np.random.default_rng(7).random((3, 4)) > 0.5
TIES_A = arr([[1.0, 2.0, 3.0, -1.0], [0.5, 0.5, 2.0, 4.0]])
TIES_B = arr([[1.0, 5.0, 3.0, -2.0], [0.5, 0.0, 2.0, 4.5]])
TIED_ROWS = arr([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, 2.0]])


def _all(x):
    return tuple(range(x.ndim))


def _axis_id(axis):
    return "all" if axis is None else str(axis).replace(" ", "").replace(",)", ")")


ELEMENTWISE = [
    # add: broadcasting in both directions and with scalars
    ("add_same", lambda a, b: a + b, lambda a, b: a + b, [(3, 4), (3, 4)], {}),
    ("add_34_4", lambda a, b: a + b, lambda a, b: a + b, [(3, 4), (4,)], {}),
    ("add_4_34", lambda a, b: a + b, lambda a, b: a + b, [(4,), (3, 4)], {}),
    ("add_214_31", lambda a, b: ops.add(a, b), lambda a, b: a + b, [(2, 1, 4), (3, 1)], {}),
    ("add_31_214", lambda a, b: ops.add(a, b), lambda a, b: a + b, [(3, 1), (2, 1, 4)], {}),
    ("add_0d_34", lambda a, b: a + b, lambda a, b: a + b, [(), (3, 4)], {}),
    ("add_34_0d", lambda a, b: a + b, lambda a, b: a + b, [(3, 4), ()], {}),
    ("add_scalar_right", lambda a: a + 2.5, lambda a: a + 2.5, [(3, 4)], {}),
    ("add_scalar_left", lambda a: 2.5 + a, lambda a: 2.5 + a, [(3, 4)], {}),
    # subtract
    ("sub_34_4", lambda a, b: a - b, lambda a, b: a - b, [(3, 4), (4,)], {}),
    ("sub_4_34", lambda a, b: ops.subtract(a, b), lambda a, b: a - b, [(4,), (3, 4)], {}),
    ("sub_31_214", lambda a, b: a - b, lambda a, b: a - b, [(3, 1), (2, 1, 4)], {}),
    ("sub_scalar_right", lambda a: a - 3.0, lambda a: a - 3.0, [(3, 4)], {}),
    ("sub_scalar_left", lambda a: 3.0 - a, lambda a: 3.0 - a, [(3, 4)], {}),
    # multiply
    ("mul_same", lambda a, b: a * b, lambda a, b: a * b, [(3, 4), (3, 4)], {}),
    ("mul_214_31", lambda a, b: a * b, lambda a, b: a * b, [(2, 1, 4), (3, 1)], {}),
    ("mul_31_214", lambda a, b: ops.multiply(a, b), lambda a, b: a * b, [(3, 1), (2, 1, 4)], {}),
    ("mul_5_235", lambda a, b: a * b, lambda a, b: a * b, [(5,), (2, 3, 5)], {}),
    ("mul_0d_23", lambda a, b: a * b, lambda a, b: a * b, [(), (2, 3)], {}),
    ("mul_scalar_left", lambda a: 0.5 * a, lambda a: 0.5 * a, [(3, 4)], {}),
    ("square", lambda a: ops.square(a), lambda a: a * a, [(3, 4)], {}),
    # divide (divisors kept away from 0)
    ("div_34_4", lambda a, b: a / b, lambda a, b: a / b, [(3, 4), arr([0.5, -1.5, 2.0, 0.8])], {}),
    ("div_4_34", lambda a, b: ops.divide(a, b), lambda a, b: a / b, [(4,), (3, 4)], POS),
    ("div_214_31", lambda a, b: a / b, lambda a, b: a / b, [(2, 1, 4), (3, 1)], POS),
    ("div_scalar_right", lambda a: a / 3.0, lambda a: a / 3.0, [(3, 4)], {}),
    ("div_scalar_left", lambda a: 3.0 / a, lambda a: 3.0 / a, [(3, 4)], POS),
    # power
    ("pow_2", lambda a: a ** 2, lambda a: a ** 2, [(3, 4)], {}),
    ("pow_3", lambda a: a ** 3, lambda a: a ** 3, [(3, 4)], {}),
    ("pow_half", lambda a: a ** 0.5, lambda a: a ** 0.5, [(3, 4)], POS),
    ("pow_neg", lambda a: a ** -1.5, lambda a: a ** -1.5, [(3, 4)], POS),
    ("pow_scalar_base", lambda a: 2.0 ** a, lambda a: 2.0 ** a, [(3, 4)], {}),
    ("pow_tensors_34_4", lambda a, b: a ** b, lambda a, b: a ** b, [(3, 4), (4,)], POS),
    ("pow_tensors_4_34", lambda a, b: ops.power(a, b), lambda a, b: a ** b, [(4,), (3, 4)], POS),
    # unary
    ("negative", lambda a: -a, lambda a: -a, [(3, 4)], {}),
    ("negative_fn", ops.negative, torch.neg, [(2, 3, 4)], {}),
    ("exp", ops.exp, torch.exp, [(3, 4)], {}),
    ("log", ops.log, torch.log, [(3, 4)], POS),
    ("sqrt", ops.sqrt, torch.sqrt, [(3, 4)], POS),
    ("abs", ops.abs, torch.abs, [(3, 4)], {}),
    ("clip", lambda a: ops.clip(a, -1.0, 1.0), lambda a: torch.clamp(a, -1.0, 1.0), [(4, 5)], {}),
    ("clip_at_bounds", lambda a: ops.clip(a, -1.0, 1.0), lambda a: torch.clamp(a, -1.0, 1.0),
     [arr([-2.0, -1.0, 0.0, 1.0, 3.0])], {}),
    ("clip_low_only", lambda a: ops.clip(a, 0.0, None), lambda a: torch.clamp(a, min=0.0), [(4, 5)], {}),
    ("clip_high_only", lambda a: ops.clip(a, None, 0.5), lambda a: torch.clamp(a, max=0.5), [(4, 5)], {}),
    ("cast_f64", lambda a: ops.cast(a, np.float64), lambda a: a.double(), [(3, 4)], {}),
    # maximum / minimum (ties split the gradient evenly, as torch does)
    ("maximum", ops.maximum, torch.maximum, [(3, 4), (3, 4)], {}),
    ("maximum_34_4", ops.maximum, torch.maximum, [(3, 4), (4,)], {}),
    ("maximum_4_234", ops.maximum, torch.maximum, [(4,), (2, 3, 4)], {}),
    ("maximum_ties", ops.maximum, torch.maximum, [TIES_A, TIES_B], {}),
    ("maximum_scalar", lambda a: ops.maximum(a, 0.5), lambda a: torch.clamp(a, min=0.5), [(3, 4)], {}),
    ("minimum", ops.minimum, torch.minimum, [(3, 4), (3, 4)], {}),
    ("minimum_31_214", ops.minimum, torch.minimum, [(3, 1), (2, 1, 4)], {}),
    ("minimum_ties", ops.minimum, torch.minimum, [TIES_A, TIES_B], {}),
    # where
    ("where", lambda a, b: ops.where(COND, a, b), lambda a, b: torch.where(torch.tensor(COND), a, b),
     [(3, 4), (3, 4)], {}),
    ("where_broadcast", lambda a, b: ops.where(COND, a, b), lambda a, b: torch.where(torch.tensor(COND), a, b),
     [(3, 4), (4,)], {}),
    ("where_bool_tensor", lambda a, b: ops.where(a > 0, a, b), lambda a, b: torch.where(a > 0, a, b),
     [(3, 4), (3, 1)], {}),
    ("where_scalar", lambda a: ops.where(COND, a, 0.0), lambda a: torch.where(torch.tensor(COND), a, 0.0),
     [(3, 4)], {}),
]


def _reduction(name, gn_fn, torch_fn, axis, keepdims, shape=(2, 3, 4)):
    """A case for a reduction, with torch given the same axes explicitly."""
    def t_fn(x):
        dim = _all(x) if axis is None else axis
        return torch_fn(x, dim, keepdims)
    return (f"{name}_axis{_axis_id(axis)}_keep{int(keepdims)}", lambda x: gn_fn(x, axis=axis, keepdims=keepdims),
            t_fn, [shape], {})


REDUCTIONS = []
for _axis in [None, 0, 1, -1, (0, 2), (1, -1)]:
    for _keep in [False, True]:
        REDUCTIONS.append(_reduction("sum", ops.sum, lambda x, d, k: x.sum(dim=d, keepdim=k), _axis, _keep))
        REDUCTIONS.append(_reduction("mean", ops.mean, lambda x, d, k: x.mean(dim=d, keepdim=k), _axis, _keep))
        REDUCTIONS.append(_reduction("max", ops.max, lambda x, d, k: torch.amax(x, dim=d, keepdim=k), _axis, _keep))
        REDUCTIONS.append(_reduction("min", ops.min, lambda x, d, k: torch.amin(x, dim=d, keepdim=k), _axis, _keep))
        for _ddof in (0, 1):
            REDUCTIONS.append((f"var_ddof{_ddof}_axis{_axis_id(_axis)}_keep{int(_keep)}",
                               (lambda a, k, d: lambda x: ops.var(x, axis=a, keepdims=k, ddof=d))(_axis, _keep, _ddof),
                               (lambda a, k, d: lambda x: torch.var(x, dim=_all(x) if a is None else a,
                                                                     correction=d, keepdim=k))(_axis, _keep, _ddof),
                               [(2, 3, 4)], {}))
REDUCTIONS += [
    ("sum_method", lambda x: x.sum(), lambda x: x.sum(), [(5,)], {}),
    ("mean_method", lambda x: x.mean(axis=0), lambda x: x.mean(0), [(5, 2)], {}),
    ("max_ties_all", ops.max, torch.amax, [TIED_ROWS], {}),
    ("max_ties_axis1", lambda x: ops.max(x, axis=1), lambda x: torch.amax(x, 1), [TIED_ROWS], {}),
    ("min_ties_axis0", lambda x: ops.min(x, axis=0), lambda x: torch.amin(x, 0), [TIED_ROWS], {}),
    ("var_default_is_population", ops.var, lambda x: torch.var(x, correction=0), [(4, 5)], {}),
]

LINALG = [
    ("matmul_2d", ops.matmul, torch.matmul, [(3, 4), (4, 5)], {}),
    ("matmul_operator", lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (4, 5)], {}),
    ("matmul_3d_2d", ops.matmul, torch.matmul, [(2, 3, 4), (4, 5)], {}),
    ("matmul_2d_3d", ops.matmul, torch.matmul, [(3, 4), (2, 4, 5)], {}),
    ("matmul_3d_3d", ops.matmul, torch.matmul, [(2, 3, 4), (2, 4, 5)], {}),
    ("matmul_1d_2d", ops.matmul, torch.matmul, [(4,), (4, 5)], {}),
    ("matmul_2d_1d", ops.matmul, torch.matmul, [(3, 4), (4,)], {}),
    ("matmul_1d_1d", ops.matmul, torch.matmul, [(4,), (4,)], {}),
    ("matmul_1d_3d", ops.matmul, torch.matmul, [(4,), (2, 4, 5)], {}),
    ("matmul_3d_1d", ops.matmul, torch.matmul, [(2, 3, 4), (4,)], {}),
    ("matmul_broadcast_batch", ops.matmul, torch.matmul, [(2, 1, 3, 4), (5, 4, 6)], {}),
    ("matmul_broadcast_batch_rev", ops.matmul, torch.matmul, [(5, 3, 4), (2, 1, 4, 6)], {}),
    ("linear_bias", ops.linear, lambda x, w, b: x @ w + b, [(5, 3), (3, 4), (4,)], {}),
    ("linear_no_bias", ops.linear, lambda x, w: x @ w, [(5, 3), (3, 4)], {}),
    ("linear_3d_input", ops.linear, lambda x, w, b: x @ w + b, [(2, 5, 3), (3, 4), (4,)], {}),
    ("linear_1d_input", ops.linear, lambda x, w, b: x @ w + b, [(3,), (3, 4), (4,)], {}),
    ("linear_vs_F_linear", ops.linear, lambda x, w, b: F.linear(x, w.T, b), [(6, 3), (3, 2), (2,)], {}),
]


def _split_case(name, sections, axis, torch_sections):
    def gn_fn(x):
        pieces = ops.split(x, sections, axis=axis)
        return ops.concatenate([p * float(i + 1) for i, p in enumerate(pieces)][::-1], axis=axis)

    def t_fn(x):
        pieces = torch.tensor_split(x, torch_sections, dim=axis)
        return torch.cat([p * float(i + 1) for i, p in enumerate(pieces)][::-1], dim=axis)
    return (name, gn_fn, t_fn, [(2, 6, 3)], {})


IDX = np.array([[0, 2], [1, 1]])
MASK = np.random.default_rng(3).random((3, 4)) > 0.4

SHAPE = [
    ("reshape", lambda x: ops.reshape(x, (4, 6)), lambda x: x.reshape(4, 6), [(2, 3, 4)], {}),
    ("reshape_minus1", lambda x: ops.reshape(x, (-1,)), lambda x: x.reshape(-1), [(2, 3, 4)], {}),
    ("reshape_method", lambda x: x.reshape(6, -1), lambda x: x.reshape(6, -1), [(2, 3, 4)], {}),
    ("transpose_default", ops.transpose, lambda x: x.permute(2, 1, 0), [(2, 3, 4)], {}),
    ("transpose_axes", lambda x: ops.transpose(x, (1, 0, 2)), lambda x: x.permute(1, 0, 2), [(2, 3, 4)], {}),
    ("transpose_axes_2", lambda x: ops.transpose(x, (0, 2, 1)), lambda x: x.permute(0, 2, 1), [(2, 3, 4)], {}),
    ("transpose_T", lambda x: x.T, lambda x: x.T, [(3, 5)], {}),
    ("transpose_negative_axes", lambda x: ops.transpose(x, (0, -1, -2)), lambda x: x.permute(0, -1, -2),
     [(2, 3, 4)], {}),
    ("transpose_method_negative", lambda x: x.transpose(-1, 0, 1), lambda x: x.permute(-1, 0, 1), [(2, 3, 4)], {}),
    ("getitem_int", lambda x: x[1], lambda x: x[1], [(3, 4)], {}),
    ("getitem_negative_int", lambda x: x[-1, 2], lambda x: x[-1, 2], [(3, 4)], {}),
    ("getitem_slice", lambda x: x[:, 1:3], lambda x: x[:, 1:3], [(3, 4)], {}),
    ("getitem_step", lambda x: x[::2, 1::2], lambda x: x[::2, 1::2], [(5, 4)], {}),
    ("getitem_negative_step", lambda x: x[::-1], lambda x: torch.flip(x, [0]), [(3, 4)], {}),
    ("getitem_negative_step_2", lambda x: x[..., ::-2], lambda x: torch.flip(x, [-1])[..., ::2], [(3, 4)], {}),
    ("getitem_ellipsis_none", lambda x: x[None, ..., 0], lambda x: x[None, ..., 0], [(2, 3, 4)], {}),
    ("getitem_int_list", lambda x: x[[2, 0]], lambda x: x[[2, 0]], [(3, 4)], {}),
    ("getitem_repeated", lambda x: x[[0, 0, 2, 0]], lambda x: x[[0, 0, 2, 0]], [(3, 4)], {}),
    ("getitem_repeated_cols", lambda x: x[:, [1, 1, 3]], lambda x: x[:, [1, 1, 3]], [(3, 4)], {}),
    ("getitem_pairs", lambda x: x[[0, 2, 0], [1, 3, 1]], lambda x: x[[0, 2, 0], [1, 3, 1]], [(3, 4)], {}),
    ("take_embedding", lambda w: ops.take(w, np.array([[2, 0, 2], [1, 2, 2]])),
     lambda w: F.embedding(torch.tensor([[2, 0, 2], [1, 2, 2]]), w), [(3, 4)], {}),
    ("getitem_int_array_2d", lambda x: x[IDX], lambda x: x[torch.tensor(IDX)], [(3, 4)], {}),
    ("getitem_bool_mask", lambda x: x[MASK], lambda x: x[torch.tensor(MASK)], [(3, 4)], {}),
    ("getitem_row_mask", lambda x: x[MASK[:, 0]], lambda x: x[torch.tensor(MASK[:, 0])], [(3, 4)], {}),
    ("broadcast_to_31", lambda x: ops.broadcast_to(x, (2, 3, 4)), lambda x: x.broadcast_to((2, 3, 4)), [(3, 1)], {}),
    ("broadcast_to_4", lambda x: ops.broadcast_to(x, (3, 4)), lambda x: x.broadcast_to((3, 4)), [(4,)], {}),
    ("concatenate_axis0", lambda a, b, c: ops.concatenate([a, b, c], axis=0),
     lambda a, b, c: torch.cat([a, b, c], dim=0), [(2, 3), (1, 3), (4, 3)], {}),
    ("concatenate_axis1", lambda a, b, c: ops.concatenate([a, b, c], axis=1),
     lambda a, b, c: torch.cat([a, b, c], dim=1), [(2, 3), (2, 1), (2, 2)], {}),
    ("concatenate_axis_neg", lambda a, b: ops.concatenate((a, b), axis=-1),
     lambda a, b: torch.cat([a, b], dim=-1), [(2, 2, 3), (2, 2, 1)], {}),
    ("concatenate_same_twice", lambda a: ops.concatenate([a, a * 2.0, a], axis=1),
     lambda a: torch.cat([a, a * 2.0, a], dim=1), [(2, 3)], {}),
    ("stack_same_twice", lambda a: ops.stack([a, a]), lambda a: torch.stack([a, a]), [(2, 3)], {}),
    ("stack_axis0", lambda a, b, c: ops.stack([a, b, c]), lambda a, b, c: torch.stack([a, b, c]),
     [(2, 3), (2, 3), (2, 3)], {}),
    ("stack_axis1", lambda a, b, c: ops.stack([a, b, c], axis=1), lambda a, b, c: torch.stack([a, b, c], dim=1),
     [(2, 3), (2, 3), (2, 3)], {}),
    ("stack_axis_neg", lambda a, b: ops.stack([a, b], axis=-1), lambda a, b: torch.stack([a, b], dim=-1),
     [(2, 3), (2, 3)], {}),
    _split_case("split_equal_axis1", 3, 1, 3),
    _split_case("split_equal_axis0", 2, 0, 2),
    _split_case("split_points", [1, 4], 1, [1, 4]),
    _split_case("split_points_axis_neg", [2], -1, [2]),
    ("pad_per_axis", lambda x: ops.pad(x, ((1, 2), (0, 1))), lambda x: F.pad(x, (0, 1, 1, 2)), [(3, 4)], {}),
    ("pad_int", lambda x: ops.pad(x, 1), lambda x: F.pad(x, (1, 1, 1, 1)), [(3, 4)], {}),
    ("pad_value", lambda x: ops.pad(x, ((0, 0), (2, 1), (1, 0)), constant_values=0.5),
     lambda x: F.pad(x, (1, 0, 2, 1), value=0.5), [(2, 3, 4)], {}),
    ("squeeze_all", ops.squeeze, torch.squeeze, [(3, 1, 4, 1)], {}),
    ("squeeze_axis", lambda x: ops.squeeze(x, axis=1), lambda x: x.squeeze(1), [(3, 1, 4, 1)], {}),
    ("squeeze_axes", lambda x: ops.squeeze(x, axis=(1, 3)), lambda x: x.squeeze((1, 3)), [(3, 1, 4, 1)], {}),
    ("expand_dims_0", lambda x: ops.expand_dims(x, 0), lambda x: x.unsqueeze(0), [(3, 4)], {}),
    ("expand_dims_1", lambda x: ops.expand_dims(x, 1), lambda x: x.unsqueeze(1), [(3, 4)], {}),
    ("expand_dims_neg", lambda x: ops.expand_dims(x, -1), lambda x: x.unsqueeze(-1), [(3, 4)], {}),
    ("flatten", ops.flatten, lambda x: torch.flatten(x, 1), [(2, 3, 4)], {}),
    ("flatten_2d", ops.flatten, lambda x: torch.flatten(x, 1), [(5, 3)], {}),
]

BIG = arr([[-100.0, -50.0, -20.0, -1.0], [0.0, 20.0, 50.0, 100.0]])
LOGITS = arr([[1000.0, 999.0, 0.0], [-1000.0, 0.0, 1000.0], [500.0, 500.0, -500.0]])

ACTIVATIONS = [
    ("identity", ops.identity, lambda x: x.clone(), [(3, 4)], {}),
    ("sigmoid", ops.sigmoid, torch.sigmoid, [(3, 4)], {"low": -6.0, "high": 6.0}),
    ("sigmoid_large", ops.sigmoid, torch.sigmoid, [BIG], {}),
    ("tanh", ops.tanh, torch.tanh, [(3, 4)], {"low": -4.0, "high": 4.0}),
    ("tanh_large", ops.tanh, torch.tanh, [BIG], {}),
    ("arctan", ops.arctan, torch.arctan, [(3, 4)], {"low": -5.0, "high": 5.0}),
    ("relu", ops.relu, torch.relu, [(3, 4)], {}),
    ("relu_with_zero", ops.relu, torch.relu, [arr([-1.0, 0.0, 2.0])], {}),
    ("leaky_relu_default", ops.leaky_relu, lambda x: F.leaky_relu(x, 0.2), [(3, 4)], {}),
    ("leaky_relu_0.2", lambda x: ops.leaky_relu(x, 0.2), lambda x: F.leaky_relu(x, 0.2), [(3, 4)], {}),
    ("leaky_relu_0.1", lambda x: ops.leaky_relu(x, negative_slope=0.1), lambda x: F.leaky_relu(x, 0.1),
     [(3, 4)], {}),
    ("prelu_per_channel", ops.prelu, F.prelu, [(5, 3), (3,)], {}),
    ("prelu_channels_last_3d", ops.prelu, lambda x, a: torch.where(x > 0, x, a * x), [(2, 5, 3), (3,)], {}),
    ("prelu_scalar_alpha", ops.prelu, lambda x, a: torch.where(x > 0, x, a * x), [(4, 3), ()], {}),
    ("prelu_alpha_constant", lambda x: ops.prelu(x, 0.25), lambda x: torch.where(x > 0, x, 0.25 * x), [(4, 3)], {}),
    ("elu_1", ops.elu, F.elu, [(3, 4)], {}),
    ("elu_0.5", lambda x: ops.elu(x, alpha=0.5), lambda x: F.elu(x, alpha=0.5), [(3, 4)], {}),
    ("elu_large_negative", ops.elu, F.elu, [BIG], {}),
    ("selu", ops.selu, F.selu, [(3, 4)], {}),
    ("selu_large", ops.selu, F.selu, [BIG], {}),
    ("softplus", ops.softplus, F.softplus, [(3, 4)], {"low": -5.0, "high": 5.0}),
    ("softplus_large", ops.softplus, F.softplus, [BIG], {}),
    ("gaussian", ops.gaussian, lambda x: torch.exp(-x ** 2), [(3, 4)], {}),
    ("softmax_last", ops.softmax, lambda x: torch.softmax(x, -1), [(3, 5)], {}),
    ("softmax_axis0", lambda x: ops.softmax(x, axis=0), lambda x: torch.softmax(x, 0), [(3, 5)], {}),
    ("softmax_3d", lambda x: ops.softmax(x, axis=1), lambda x: torch.softmax(x, 1), [(2, 3, 4)], {}),
    ("softmax_large_logits", ops.softmax, lambda x: torch.softmax(x, -1), [LOGITS], {}),
    ("log_softmax_last", ops.log_softmax, lambda x: torch.log_softmax(x, -1), [(3, 5)], {}),
    ("log_softmax_axis0", lambda x: ops.log_softmax(x, axis=0), lambda x: torch.log_softmax(x, 0), [(3, 5)], {}),
    ("log_softmax_large_logits", ops.log_softmax, lambda x: torch.log_softmax(x, -1), [LOGITS],
     {"rtol": 1e-5, "atol": 1e-4}),
]

ALL_CASES = ELEMENTWISE + REDUCTIONS + LINALG + SHAPE + ACTIVATIONS

# Known bugs (id -> reason), marked strict xfail until fixed; empty when none are open.
KNOWN_BUGS: dict = {}


def _params(cases):
    return [pytest.param(*c[1:], id=c[0], marks=[pytest.mark.xfail(reason=KNOWN_BUGS[c[0]], strict=True)]
                         if c[0] in KNOWN_BUGS else []) for c in cases]


@pytest.mark.parametrize("gn_fn, torch_fn, shapes, options", _params(ALL_CASES))
def test_op_matches_torch(gn_fn, torch_fn, shapes, options):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow / invalid value inside ops
        out = compare_with_torch(gn_fn, torch_fn, shapes, **options)
    assert np.all(np.isfinite(out.data))


def test_case_ids_are_unique():
    ids = [c[0] for c in ALL_CASES]
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------------------ special cases
def test_binary_step_values_match_heaviside():
    x = arr([-2.0, -0.1, 0.0, 0.1, 3.0])
    compare_with_torch(ops.binary_step, lambda t: torch.heaviside(t, torch.tensor(1.0)), [x], grad=False)
    compare_with_torch(ops.binary_step, lambda t: torch.heaviside(t, torch.tensor(1.0)), [(3, 4)], grad=False)


def test_binary_step_gradient_is_zero():
    x = Tensor(arr([-2.0, 0.0, 3.0]), requires_grad=True)
    ops.binary_step(x).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(3))
    assert x.grad.dtype == np.float32


def test_split_piece_shapes():
    x = Tensor(np.zeros((2, 6)))
    assert [p.shape for p in ops.split(x, 3, axis=1)] == [(2, 2)] * 3
    assert [p.shape for p in ops.split(x, [1, 4], axis=1)] == [(2, 1), (2, 3), (2, 2)]
    assert [p.shape for p in ops.split(x, 2)] == [(1, 6), (1, 6)]


def test_split_into_unequal_parts_raises():
    with pytest.raises(ValueError, match="equal parts"):
        ops.split(Tensor(np.zeros((2, 5))), 2, axis=1)


@pytest.mark.parametrize("fn", [ops.concatenate, ops.stack])
def test_joining_nothing_raises(fn):
    with pytest.raises(ValueError, match="at least one"):
        fn([])


def test_reduction_axis_out_of_range_raises():
    with pytest.raises(ValueError, match="out of range"):
        ops.sum(Tensor(np.zeros((2, 3))), axis=2)


def test_softmax_rows_sum_to_one_for_huge_logits():
    y = ops.softmax(Tensor(LOGITS))
    assert np.all(np.isfinite(y.data))
    np.testing.assert_allclose(y.data.sum(axis=-1), 1.0, rtol=1e-6)
    assert np.all(np.isfinite(ops.log_softmax(Tensor(LOGITS)).data))


def test_sigmoid_extremes_are_exact_limits_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ops.sigmoid(Tensor(arr([-1000.0, -100.0, 100.0, 1000.0])))
    assert np.all(np.isfinite(y.data))
    assert y.data[-1] == 1.0 and y.data[0] == 0.0 and 0.0 <= y.data[1] < 1e-40


def test_maximum_tie_gradient_is_split_evenly():
    a = Tensor(arr([1.0, 2.0]), requires_grad=True)
    b = Tensor(arr([1.0, 0.0]), requires_grad=True)
    ops.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0])
    np.testing.assert_array_equal(b.grad, [0.5, 0.0])
