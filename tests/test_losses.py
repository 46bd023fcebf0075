"""Losses: the fused cross-entropy ops and every Keras-style loss, against PyTorch.

Each torch reference is written with torch's own loss functions where one exists, else with
torch ops spelling out Keras's formula (MAPE, hinge, Keras's clipped KL divergence).
"""
from __future__ import annotations

import numpy as np
import pytest

from glassnet import Tensor, losses, no_grad, ops
from glassnet.ops.activations import Softmax
from glassnet.ops.losses import (SigmoidBinaryCrossEntropy, SoftmaxCrossEntropy, sigmoid_binary_cross_entropy,
                                 softmax_cross_entropy)
from glassnet.testing import check_gradients
from helpers import compare_with_torch

torch = pytest.importorskip("torch")
F = torch.nn.functional

PROB = {"low": 0.05, "high": 0.95}  # probabilities away from the clipping margins
RNG = np.random.default_rng(42)
LABELS = RNG.integers(0, 4, size=6)                                   # for (6, 4) outputs
ONE_HOT = np.eye(4, dtype=np.float32)[LABELS]
SOFT = RNG.dirichlet(np.ones(4), size=6).astype(np.float32)          # rows sum to 1
BITS = RNG.integers(0, 2, size=(6, 3)).astype(np.float32)            # binary targets
POSITIVE = RNG.uniform(0.5, 3.0, size=(6, 3)).astype(np.float32)     # MAPE targets away from 0


def ops_in_graph(t: Tensor) -> set:
    """Types of every op recorded behind ``t``."""
    seen, stack, found = set(), [t], set()
    while stack:
        x = stack.pop()
        if id(x) in seen or x._ctx is None:
            continue
        seen.add(id(x))
        found.add(type(x._ctx))
        stack.extend(x._ctx.inputs)
    return found


# ============================================================================ fused ops
def test_softmax_cross_entropy_with_indices_matches_torch():
    compare_with_torch(lambda x, t: softmax_cross_entropy(x, t),
                       lambda x, t: F.cross_entropy(x, t, reduction="none"), [(6, 4), LABELS])


def test_softmax_cross_entropy_with_probabilities_matches_torch_including_target_grad():
    compare_with_torch(lambda x, t: softmax_cross_entropy(x, t),
                       lambda x, t: F.cross_entropy(x, t, reduction="none"), [(6, 4), SOFT], wrt=[0, 1])


def test_softmax_cross_entropy_on_a_middle_axis_matches_torch():
    labels = RNG.integers(0, 4, size=(2, 3))
    compare_with_torch(lambda x, t: softmax_cross_entropy(x, t, axis=1),
                       lambda x, t: F.cross_entropy(x, t, reduction="none"), [(2, 4, 3), labels])


def test_sigmoid_binary_cross_entropy_matches_torch():
    compare_with_torch(sigmoid_binary_cross_entropy,
                       lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"),
                       [(6, 3), BITS + 0.0], wrt=[0, 1])


def test_fused_ops_gradcheck_float64():
    x = RNG.standard_normal((5, 4))
    check_gradients(lambda a: softmax_cross_entropy(a, LABELS[:5]), [x])
    check_gradients(lambda a: softmax_cross_entropy(a, LABELS[:5].reshape(5), axis=-1) * 2.0, [x])
    # soft targets that do not sum to 1: gradient p * sum(t) - t, and d/dt = -log p
    t = RNG.uniform(0, 1, size=(5, 4))
    check_gradients(lambda a, b: softmax_cross_entropy(a, b), [x, t])
    check_gradients(lambda a, b: softmax_cross_entropy(a, b, axis=0), [x, t])
    check_gradients(lambda a, b: sigmoid_binary_cross_entropy(a, b), [x * 5, t])


def test_fused_ops_are_exact_for_extreme_logits():
    x = Tensor(np.array([[1000.0, 0.0], [-1000.0, 0.0]], dtype=np.float32), requires_grad=True)
    ce = softmax_cross_entropy(x, np.array([1, 1]))
    np.testing.assert_allclose(ce.data, [1000.0, 0.0], atol=1e-6)
    ce.sum().backward()
    np.testing.assert_allclose(x.grad, [[1.0, -1.0], [0.0, 0.0]], atol=1e-6)
    z = Tensor(np.array([100.0, -100.0, 0.0], dtype=np.float32), requires_grad=True)
    bce = sigmoid_binary_cross_entropy(z, np.array([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(bce.data, [100.0, 0.0, np.log(2.0)], rtol=1e-6, atol=1e-30)
    bce.sum().backward()
    np.testing.assert_allclose(z.grad, [1.0, 0.0, -0.5], atol=1e-6)
    assert ce.dtype == bce.dtype == z.grad.dtype == np.float32


def test_fused_op_errors_name_expected_and_received():
    x = Tensor(np.zeros((3, 4), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(3,\).*received shape \(4,\)"):
        softmax_cross_entropy(x, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"\[0, 3\].*received values from 0 to 4"):
        softmax_cross_entropy(x, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="does not broadcast"):
        sigmoid_binary_cross_entropy(x, np.zeros((2, 4)))


# ============================================================================ losses vs torch
def _mean_rows(t):
    return t.mean(dim=-1).mean()


CASES = [
    # id, glassnet loss, torch reference(y_true, y_pred), [y_true, y_pred shape], options
    ("mse", losses.MeanSquaredError(), lambda t, p: F.mse_loss(p, t), [BITS, (6, 3)], {}),
    ("mae", losses.MeanAbsoluteError(), lambda t, p: F.l1_loss(p, t), [BITS, (6, 3)], {}),
    ("mape", losses.MeanAbsolutePercentageError(),
     lambda t, p: 100 * _mean_rows(torch.abs((t - p) / torch.clamp(torch.abs(t), min=1e-7))),
     [POSITIVE, (6, 3)], {}),
    ("huber", losses.Huber(delta=0.7), lambda t, p: F.huber_loss(p, t, delta=0.7), [BITS, (6, 3)], {}),
    ("bce_probs", losses.BinaryCrossentropy(), lambda t, p: F.binary_cross_entropy(p, t),
     [BITS, (6, 3)], PROB),
    ("bce_logits_smoothed", losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2),
     lambda t, p: F.binary_cross_entropy_with_logits(p, t * 0.8 + 0.1), [BITS, (6, 3)], {}),
    ("cce_probs_unnormalised", losses.CategoricalCrossentropy(),
     lambda t, p: -(t * torch.log(p / p.sum(-1, keepdim=True))).sum(-1).mean(), [ONE_HOT, (6, 4)], PROB),
    ("cce_logits_smoothed", losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
     lambda t, p: F.cross_entropy(p, t, label_smoothing=0.1), [ONE_HOT, (6, 4)], {}),
    ("cce_soft_targets", losses.CategoricalCrossentropy(from_logits=True),
     lambda t, p: F.cross_entropy(p, t), [SOFT, (6, 4)], {}),
    ("sparse_logits", losses.SparseCategoricalCrossentropy(from_logits=True),
     lambda t, p: F.cross_entropy(p, t), [LABELS, (6, 4)], {}),
    ("sparse_probs", losses.SparseCategoricalCrossentropy(),
     lambda t, p: -torch.log(p / p.sum(-1, keepdim=True))[torch.arange(6), t].mean(), [LABELS, (6, 4)], PROB),
    ("kld", losses.KLDivergence(),
     lambda t, p: F.kl_div(torch.log(p.clamp(1e-7, 1)), t.clamp(1e-7, 1), reduction="none").sum(-1).mean(),
     [SOFT, (6, 4)], PROB),
    ("cosine", losses.CosineSimilarity(), lambda t, p: -F.cosine_similarity(p, t, dim=-1).mean(),
     [SOFT, (6, 4)], {}),
    ("hinge_01_labels", losses.Hinge(), lambda t, p: _mean_rows(F.relu(1 - (2 * t - 1) * p)), [BITS, (6, 3)], {}),
    ("hinge_pm1_labels", losses.Hinge(), lambda t, p: _mean_rows(F.relu(1 - t * p)), [2 * BITS - 1, (6, 3)], {}),
]


@pytest.mark.parametrize("loss, reference, shapes, options", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_loss_matches_torch(loss, reference, shapes, options):
    out = compare_with_torch(loss, reference, shapes, wrt=[1], **options)
    assert out.shape == ()


def test_sparse_ignore_class_matches_torch_ignore_index():
    labels = LABELS.copy()
    labels[[1, 4]] = -1
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    compare_with_torch(loss, lambda t, p: F.cross_entropy(p, t, ignore_index=-1), [labels, (6, 4)], wrt=[1],
                       rtol=1e-5, atol=1e-6)


# ============================================================================ fusion
@pytest.mark.parametrize("loss, activation, reference, target", [
    (losses.CategoricalCrossentropy(), ops.softmax, lambda t, x: F.cross_entropy(x, t), ONE_HOT),
    (losses.CategoricalCrossentropy(label_smoothing=0.2), ops.softmax,
     lambda t, x: F.cross_entropy(x, t, label_smoothing=0.2), ONE_HOT),
    (losses.SparseCategoricalCrossentropy(), ops.softmax, lambda t, x: F.cross_entropy(x, t), LABELS),
    (losses.BinaryCrossentropy(), ops.sigmoid, lambda t, x: F.binary_cross_entropy_with_logits(x, t),
     BITS[:, :1].repeat(4, axis=1)),
], ids=["categorical", "categorical_smoothed", "sparse", "binary"])
def test_fused_path_matches_torch_on_logits(loss, activation, reference, target):
    compare_with_torch(lambda t, x: loss(t, activation(x)), reference, [target, (6, 4)], wrt=[1])


def test_fused_path_is_taken_and_skips_the_softmax():
    x = Tensor(RNG.standard_normal((6, 4)).astype(np.float32), requires_grad=True)
    out = losses.CategoricalCrossentropy()(ONE_HOT, ops.softmax(x))
    kinds = ops_in_graph(out)
    assert SoftmaxCrossEntropy in kinds and Softmax not in kinds
    out = losses.BinaryCrossentropy()(BITS, ops.sigmoid(x[:, :3]))
    assert SigmoidBinaryCrossEntropy in ops_in_graph(out)
    # softmax over another axis than the loss's class axis: no fusion, the generic path
    out = losses.CategoricalCrossentropy()(ONE_HOT, ops.softmax(x, axis=0))
    assert SoftmaxCrossEntropy not in ops_in_graph(out) and Softmax in ops_in_graph(out)


@pytest.mark.parametrize("loss, activation, target", [
    (losses.CategoricalCrossentropy(label_smoothing=0.1), ops.softmax, ONE_HOT),
    (losses.SparseCategoricalCrossentropy(), ops.softmax, LABELS),
    (losses.BinaryCrossentropy(), ops.sigmoid, BITS[:, :1].repeat(4, axis=1)),
], ids=["categorical", "sparse", "binary"])
def test_fused_and_unfused_paths_agree_and_fused_grads_check(loss, activation, target):
    x = RNG.uniform(-3, 3, size=(6, 4)).astype(np.float32)
    fused = loss(target, activation(Tensor(x, requires_grad=True)))
    with no_grad():
        unfused = loss(target, activation(Tensor(x)))
    np.testing.assert_allclose(fused.data, unfused.data, rtol=1e-5)
    assert fused.dtype == unfused.dtype == np.float32
    # finite differences run without a graph (the clipped path), the analytic gradient fused
    loss_none = type(loss).from_config({**loss.get_config(), "reduction": "none"})
    check_gradients(lambda a: loss_none(target, activation(a)), [x.astype(np.float64)])


def test_fused_path_is_exact_where_keras_clipping_saturates():
    x = Tensor(np.array([[30.0, -30.0]], dtype=np.float32), requires_grad=True)
    fused = losses.CategoricalCrossentropy()(np.array([[0.0, 1.0]]), ops.softmax(x))
    assert fused.item() == pytest.approx(60.0, rel=1e-6)
    with no_grad():
        clipped = losses.CategoricalCrossentropy()(np.array([[0.0, 1.0]]), ops.softmax(x))
    assert clipped.item() == pytest.approx(-np.log(1e-7), rel=1e-5)  # Keras's value
    z = Tensor(np.array([[40.0]], dtype=np.float32), requires_grad=True)
    assert losses.BinaryCrossentropy()(np.array([[0.0]]), ops.sigmoid(z)).item() == pytest.approx(40.0, rel=1e-6)


# ============================================================================ reductions and weights
def test_reductions_and_sample_weight():
    y_true = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], dtype=np.float32)
    y_pred = Tensor(np.array([[1.0, 1.0], [1.0, 3.0], [0.0, 0.0]], dtype=np.float32), requires_grad=True)
    per_sample = np.array([1.0, 2.0, 2.0], dtype=np.float32)  # mean of squared errors per row
    none = losses.MeanSquaredError(reduction="none")(y_true, y_pred)
    np.testing.assert_allclose(none.data, per_sample)
    assert losses.MeanSquaredError(reduction="sum")(y_true, y_pred).item() == pytest.approx(5.0)
    w = np.array([1.0, 0.0, 3.0])
    weighted = losses.MeanSquaredError()(y_true, y_pred, sample_weight=w)
    assert weighted.item() == pytest.approx((1.0 + 0.0 + 6.0) / 3)  # sum(w * l) / batch size
    assert weighted.dtype == np.float32
    by_weight = losses.MeanSquaredError(reduction="mean_with_sample_weight")(y_true, y_pred, sample_weight=w)
    assert by_weight.item() == pytest.approx(7.0 / 4.0)
    # (N, 1) weights work too, and the gradient carries the weights
    weighted = losses.MeanSquaredError()(y_true, y_pred, sample_weight=w[:, None])
    weighted.backward()
    np.testing.assert_allclose(y_pred.grad[1], [0.0, 0.0])
    np.testing.assert_allclose(y_pred.grad[2], 3.0 * 2 * np.array([-2.0, 0.0]) / 2 / 3)
    with pytest.raises(ValueError, match="sample_weight.*received \\(2,\\)"):
        losses.MeanSquaredError()(y_true, y_pred, sample_weight=[1.0, 2.0])


def test_sequence_losses_weight_each_sample():
    y_true = np.zeros((2, 3, 1), dtype=np.float32)
    y_pred = Tensor(np.ones((2, 3, 1), dtype=np.float32))
    loss = losses.MeanAbsoluteError(reduction="none")(y_true, y_pred)
    assert loss.shape == (2, 3)
    weighted = losses.MeanAbsoluteError()(y_true, y_pred, sample_weight=np.array([1.0, 0.0]))
    assert weighted.item() == pytest.approx(0.5)


def test_target_shapes_follow_keras_and_mismatches_raise():
    y_pred = Tensor(np.array([[0.2], [0.9]], dtype=np.float32))
    value = losses.BinaryCrossentropy()(np.array([0, 1]), y_pred).item()  # (N,) labels, (N, 1) output
    assert value == pytest.approx(-(np.log(0.8) + np.log(0.9)) / 2, rel=1e-5)
    assert losses.MeanSquaredError()(np.array([[0.0], [1.0]]), Tensor([0.0, 0.0])).item() == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"expected y_true of shape \(2, 1\).*received shape \(2, 3\)"):
        losses.MeanSquaredError()(np.zeros((2, 3)), y_pred)
    probs = Tensor(np.full((2, 3), 1 / 3, dtype=np.float32))
    with pytest.raises(ValueError, match="use sparse_categorical_crossentropy"):
        losses.CategoricalCrossentropy()(np.array([0, 2]), probs)
    with pytest.raises(ValueError, match="use categorical_crossentropy"):
        losses.SparseCategoricalCrossentropy()(np.eye(3)[:2], probs)
    with pytest.raises(ValueError, match=r"labels in \[0, 2\].*from 0 to 3"):
        losses.SparseCategoricalCrossentropy()(np.array([0, 3]), probs)
    assert losses.SparseCategoricalCrossentropy()(np.array([[0.0], [2.0]]), probs).item() == pytest.approx(np.log(3))


def test_every_loss_keeps_float32_values_and_gradients():
    for name, loss, _, shapes, options in CASES:
        y_true = shapes[0]
        y_pred = Tensor(np.full(shapes[1], 0.4, dtype=np.float32), requires_grad=True)
        out = loss(y_true.astype(np.float64) if y_true.dtype.kind == "f" else y_true, y_pred)
        out.backward()
        assert out.dtype == np.float32 and y_pred.grad.dtype == np.float32, name


def test_loss_docstring_values():
    y_pred = Tensor(np.array([[1.0, 2.0], [3.0, 5.0]], dtype=np.float32))
    assert losses.get("mse")(np.array([[1.0, 1.0], [3.0, 3.0]]), y_pred).item() == pytest.approx(1.25)
    assert losses.Huber()(np.zeros((1, 2)), Tensor([[0.5, 3.0]])).item() == pytest.approx(1.3125)
    assert losses.CosineSimilarity()(np.array([[1.0, 1.0]]), Tensor([[2.0, 2.0]])).item() == pytest.approx(-1.0)
    assert losses.Hinge()(np.array([[1.0], [0.0]]), Tensor([[0.3], [-2.0]])).item() == pytest.approx(0.35)
    assert losses.MeanAbsolutePercentageError()(np.array([[2.0]]), Tensor([[1.0]])).item() == pytest.approx(50.0)


# ============================================================================ lookup and config
@pytest.mark.parametrize("name, cls", [
    ("mse", losses.MeanSquaredError), ("mean_squared_error", losses.MeanSquaredError),
    ("mae", losses.MeanAbsoluteError), ("mean_absolute_error", losses.MeanAbsoluteError),
    ("mape", losses.MeanAbsolutePercentageError),
    ("mean_absolute_percentage_error", losses.MeanAbsolutePercentageError),
    ("huber", losses.Huber), ("binary_crossentropy", losses.BinaryCrossentropy),
    ("categorical_crossentropy", losses.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
    ("kl_divergence", losses.KLDivergence), ("kld", losses.KLDivergence),
    ("kullback_leibler_divergence", losses.KLDivergence), ("cosine_similarity", losses.CosineSimilarity),
    ("hinge", losses.Hinge), ("Huber", losses.Huber), ("MSE", losses.MeanSquaredError),
])
def test_get_resolves_aliases(name, cls):
    assert type(losses.get(name)) is cls


def test_get_other_identifiers_and_serialization_round_trip():
    with pytest.raises(ValueError, match="Unknown loss: 'msq'. Expected one of: .*'mse'"):
        losses.get("msq")
    assert losses.get(None) is None
    instance = losses.Huber(delta=2.5, reduction="sum", name="my_huber")
    assert losses.get(instance) is instance
    assert type(losses.get(losses.Hinge)) is losses.Hinge
    assert type(losses.get(losses.mean_absolute_error)) is losses.MeanAbsoluteError
    for loss in (instance, losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
                 losses.SparseCategoricalCrossentropy(ignore_class=0), losses.CategoricalCrossentropy(axis=1)):
        config = losses.serialize(loss)
        restored = losses.get(config)
        assert type(restored) is type(loss) and restored.get_config() == loss.get_config()
    assert losses.get(losses.serialize(instance)).get_config()["delta"] == 2.5

    def double_mae(y_true, y_pred):
        return 2.0 * losses.mean_absolute_error(y_true, y_pred)

    wrapped = losses.get(double_mae)
    assert isinstance(wrapped, losses.LossFunctionWrapper) and wrapped.name == "double_mae"
    assert wrapped(np.zeros((2, 1)), Tensor([[1.0], [2.0]])).item() == pytest.approx(3.0)
    with pytest.raises(ValueError, match="double_mae"):
        losses.get(losses.serialize(wrapped))
    with pytest.raises(ValueError, match="reduction.*received 'avg'"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing in \\[0, 1\\], received 1.5"):
        losses.CategoricalCrossentropy(label_smoothing=1.5)


def test_functional_forms_return_per_sample_losses():
    y_pred = Tensor(RNG.uniform(0.1, 0.9, size=(5, 3)).astype(np.float32))
    for fn in (losses.mean_squared_error, losses.mse, losses.mean_absolute_error, losses.huber,
               losses.binary_crossentropy, losses.kl_divergence, losses.cosine_similarity, losses.hinge):
        assert fn(BITS[:5], y_pred).shape == (5,), fn.__name__
    assert losses.categorical_crossentropy(ONE_HOT[:5, :3], y_pred).shape == (5,)
    assert losses.sparse_categorical_crossentropy(LABELS[:5] % 3, y_pred).shape == (5,)


# ============================================================================ package structure
def test_a_loss_subclass_without_a_name_is_named_after_its_class():
    class MeanCubedError(losses.Loss):
        def call(self, y_true, y_pred):
            e = y_pred - y_true
            return ops.mean(ops.abs(e * e * e), axis=-1)

    loss = MeanCubedError()
    assert loss.name == "mean_cubed_error"  # backend.snake_case of the class name
    assert MeanCubedError(name="cubes").name == "cubes"
    y_pred = Tensor([[1.0], [2.0]], requires_grad=True)
    value = loss(np.zeros((2, 1)), y_pred)
    assert value.item() == pytest.approx(4.5)
    value.backward()
    np.testing.assert_allclose(y_pred.grad, [[1.5], [6.0]])  # 3 p^2 / 2 samples


def _docstring_failures(obj, module, extra_globals=None):
    """Run the docstring examples of ``obj`` in ``module``'s own namespace (plus
    ``extra_globals``); returns (failed, attempted)."""
    import doctest
    globs = {**(extra_globals or {}), **vars(module)}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(obj, module.__name__, module=module, globs=globs):
        runner.run(test)
    return runner.failures, runner.tries


def test_the_loss_base_class_docstring_example_runs():
    from glassnet.losses import loss as loss_module
    failed, attempted = _docstring_failures(losses.Loss, loss_module)  # nothing but the module's names
    assert attempted >= 3 and failed == 0


@pytest.mark.parametrize("name", ["glassnet.losses", "glassnet.losses.loss", "glassnet.losses.regression",
                                  "glassnet.losses.probabilistic"])
def test_docstring_examples_of_the_losses_run(name):
    import importlib
    module = importlib.import_module(name)
    failed, attempted = _docstring_failures(module, module, {"np": np, "Tensor": Tensor})
    assert attempted > 0 and failed == 0


def test_logits_behind_finds_the_logits_of_a_recorded_softmax_or_sigmoid():
    from glassnet.ops import losses as ops_losses
    from glassnet.ops.activations import Sigmoid
    assert _docstring_failures(ops_losses.logits_behind, ops_losses) == (0, 3)
    logits = Tensor(RNG.standard_normal((2, 3, 4)).astype(np.float32), requires_grad=True)
    assert ops_losses.logits_behind(ops.softmax(logits), Softmax, axis=-1) is logits
    assert ops_losses.logits_behind(ops.softmax(logits), Softmax, axis=2) is logits
    assert ops_losses.logits_behind(ops.softmax(logits, axis=1), Softmax, axis=-1) is None  # another axis
    assert ops_losses.logits_behind(ops.sigmoid(logits), Sigmoid) is logits
    assert ops_losses.logits_behind(ops.sigmoid(logits), Softmax, axis=-1) is None
    assert ops_losses.logits_behind(logits, Softmax, axis=-1) is None       # not made by a softmax
    assert ops_losses.logits_behind(np.zeros(3), Sigmoid) is None           # not a Tensor
    with no_grad():
        assert ops_losses.logits_behind(ops.softmax(logits), Softmax, axis=-1) is None  # no graph


DEVICE_CASES = [  # (loss, y_true, y_pred: an array or the activation applied to X_DEV, sample_weight)
    (losses.MeanSquaredError(), BITS[:4], "p", None),
    (losses.MeanAbsoluteError(), BITS[:4], "p", None),
    (losses.MeanAbsolutePercentageError(), POSITIVE[:4], "p", None),
    (losses.Huber(), BITS[:4], "x", None),
    (losses.CosineSimilarity(), POSITIVE[:4], "x", None),
    (losses.Hinge(), BITS[:4], "x", None),
    (losses.KLDivergence(), SOFT[:4, :3], "p", None),
    (losses.BinaryCrossentropy(label_smoothing=0.1), BITS[:4], "p", "w"),
    (losses.BinaryCrossentropy(from_logits=True), BITS[:4], "x", None),
    (losses.BinaryCrossentropy(), BITS[:4], "sigmoid", "w"),
    (losses.CategoricalCrossentropy(label_smoothing=0.1), ONE_HOT[:4, :3], "p", "w"),
    (losses.CategoricalCrossentropy(), ONE_HOT[:4, :3], "softmax", None),
    (losses.SparseCategoricalCrossentropy(), LABELS[:4] % 3, "p", "w"),
    (losses.SparseCategoricalCrossentropy(ignore_class=1), LABELS[:4] % 3, "softmax", None),
    (losses.SparseCategoricalCrossentropy(ignore_class=1), LABELS[:4] % 3, "p", None),
    (losses.MeanSquaredError(reduction="mean_with_sample_weight"), BITS[:4], "p", "w"),
]


@pytest.mark.parametrize("loss, y_true, y_pred, sample_weight", DEVICE_CASES, ids=lambda v: getattr(v, "name", None))
def test_every_loss_runs_on_device_arrays(loss, y_true, y_pred, sample_weight):
    """Targets, weights and masks are made where y_pred lives (the device double refuses NumPy
    arrays and functions on device data), and the values and gradients equal the host's."""
    from device_double import DeviceArray, on_fake_device, to_device
    inputs = {"p": RNG.uniform(0.1, 0.9, (4, 3)).astype(np.float32),
              "x": RNG.standard_normal((4, 3)).astype(np.float32)}
    weights = np.array([1.0, 0.5, 0.0, 2.0], dtype=np.float32)

    def run(place):
        x = Tensor(place(inputs["p" if y_pred == "p" else "x"]), requires_grad=True)
        out = getattr(ops, y_pred)(x) if y_pred in ("softmax", "sigmoid") else x
        value = loss(place(y_true), out, sample_weight=place(weights) if sample_weight else None)
        value.backward()
        return value, x.grad

    host_value, host_grad = run(lambda a: a)
    with on_fake_device():
        value, grad = run(to_device)
    assert type(value.data) is DeviceArray and type(grad) is DeviceArray
    assert float(value.data) == pytest.approx(float(host_value.data), rel=1e-6)
    np.testing.assert_allclose(grad.get(), host_grad, rtol=1e-6, atol=1e-7)
