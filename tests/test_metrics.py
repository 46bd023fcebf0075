"""Metrics: hand-computed values, running means over batches, accuracy resolution, confusion matrix."""
from __future__ import annotations

import numpy as np
import pytest

from glassnet import Tensor, losses, metrics
from glassnet.models import compile_utils


# ============================================================================ per-sample functions
def test_accuracy_functions_by_hand():
    np.testing.assert_array_equal(
        metrics.binary_accuracy(np.array([[1, 0], [0, 0]]), np.array([[0.7, 0.2], [0.6, 0.5]])), [1.0, 0.5])
    np.testing.assert_array_equal(
        metrics.binary_accuracy(np.array([1, 0]), np.array([[0.7], [0.6]]), threshold=0.65), [1.0, 1.0])
    np.testing.assert_array_equal(
        metrics.categorical_accuracy(np.array([[0, 1, 0], [1, 0, 0]]),
                                     np.array([[0.2, 0.5, 0.3], [0.1, 0.8, 0.1]])), [1.0, 0.0])
    np.testing.assert_array_equal(
        metrics.sparse_categorical_accuracy(np.array([[1], [2]]), np.array([[0.2, 0.5, 0.3], [0.1, 0.8, 0.1]])),
        [1.0, 0.0])
    probs = np.array([[0.2, 0.8]], dtype=np.float32)
    assert metrics.sparse_categorical_accuracy(np.array([1]), probs).dtype == np.float32
    assert metrics.binary_crossentropy(np.array([[1.0, 0.0]]), probs).dtype == np.float32


def test_regression_functions_by_hand():
    y_true = np.array([[1.0, 2.0], [4.0, -2.0]])
    y_pred = np.array([[2.0, 2.0], [1.0, -1.0]])
    np.testing.assert_allclose(metrics.mean_squared_error(y_true, y_pred), [0.5, 5.0])
    np.testing.assert_allclose(metrics.mean_absolute_error(y_true, y_pred), [0.5, 2.0])
    np.testing.assert_allclose(metrics.mean_absolute_percentage_error(y_true, y_pred), [50.0, 62.5])  # (3/4 + 1/2) / 2


def test_crossentropy_metrics_agree_with_the_losses():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4), size=5).astype(np.float32)
    labels = rng.integers(0, 4, size=5)
    one_hot = np.eye(4, dtype=np.float32)[labels]
    logits = rng.standard_normal((5, 4)).astype(np.float32)
    pairs = [
        (metrics.sparse_categorical_crossentropy(labels, probs),
         losses.sparse_categorical_crossentropy(labels, Tensor(probs))),
        (metrics.categorical_crossentropy(one_hot, probs, label_smoothing=0.1),
         losses.categorical_crossentropy(one_hot, Tensor(probs), label_smoothing=0.1)),
        (metrics.categorical_crossentropy(one_hot, logits, from_logits=True),
         losses.categorical_crossentropy(one_hot, Tensor(logits), from_logits=True)),
        (metrics.binary_crossentropy(one_hot, probs), losses.binary_crossentropy(one_hot, Tensor(probs))),
        (metrics.binary_crossentropy(one_hot, logits, from_logits=True, label_smoothing=0.2),
         losses.binary_crossentropy(one_hot, Tensor(logits), from_logits=True, label_smoothing=0.2)),
    ]
    for value, loss in pairs:
        np.testing.assert_allclose(value, loss.data, rtol=1e-5)
    # the by-hand value of one sample: -log p[label]
    assert metrics.sparse_categorical_crossentropy([2], [[0.25, 0.25, 0.5]])[0] == pytest.approx(np.log(2))


# ============================================================================ running means
def test_mean_over_uneven_batches_is_the_mean_over_all_samples():
    m = metrics.MeanAbsoluteError()
    m.update_state(np.array([[1.0], [1.0], [1.0]]), np.zeros((3, 1)))  # 3 samples, error 1
    m.update_state(np.array([[5.0]]), np.zeros((1, 1)))                 # 1 sample, error 5
    assert m.result() == pytest.approx((3 * 1.0 + 5.0) / 4)            # 2.0, not (1 + 5) / 2
    m.reset_state()
    assert m.result() == 0.0
    m.update_state(np.array([[2.0]]), Tensor([[0.0]]))
    assert m.result() == pytest.approx(2.0)


def test_rmse_is_the_root_of_the_overall_mean():
    m = metrics.get("rmse")
    assert isinstance(m, metrics.RootMeanSquaredError) and m.name == "rmse"
    m.update_state(np.zeros((2, 1)), np.array([[1.0], [1.0]]))   # squared errors 1, 1
    m.update_state(np.zeros((1, 1)), np.array([[4.0]]))          # squared error 16
    assert m.result() == pytest.approx(np.sqrt(18.0 / 3))
    assert m.result() != pytest.approx((1.0 + 4.0) / 2)          # not the mean of batch roots


def test_sample_weight_weights_the_mean():
    m = metrics.BinaryAccuracy()
    m.update_state(np.array([[1], [0], [1]]), np.array([[0.9], [0.9], [0.1]]), sample_weight=np.array([3.0, 1.0, 0.0]))
    assert m.result() == pytest.approx(3.0 / 4.0)
    m.update_state(np.array([[1]]), np.array([[0.2]]))  # unweighted: weight 1
    assert m.result() == pytest.approx(3.0 / 5.0)


def test_precision_and_recall_are_running_counts():
    p, r = metrics.Precision(), metrics.Recall()
    for m in (p, r):
        m.update_state(np.array([1, 0, 1, 1]), np.array([0.9, 0.8, 0.4, 0.7]))  # TP 2, FP 1, FN 1
        m.update_state(np.array([[0], [1]]), np.array([[0.6], [0.1]]))          # FP 1, FN 1
    assert p.result() == pytest.approx(2 / 4)
    assert r.result() == pytest.approx(2 / 4)
    r.reset_state()
    r.update_state([1, 1, 1], [0.9, 0.9, 0.2])
    assert r.result() == pytest.approx(2 / 3)
    assert metrics.Precision().result() == 0.0  # nothing predicted positive yet
    assert metrics.Precision(thresholds=0.95)([1, 0], [0.9, 0.99]) == 0.0


# ============================================================================ resolution
@pytest.mark.parametrize("loss, kind", [
    ("binary_crossentropy", "binary"), (losses.BinaryCrossentropy(from_logits=True), "binary"),
    ("sparse_categorical_crossentropy", "sparse_categorical"),
    (losses.SparseCategoricalCrossentropy(), "sparse_categorical"),
    ("categorical_crossentropy", "categorical"), (losses.categorical_crossentropy, "categorical"),
    ("mse", None), (None, None),
])
def test_accuracy_is_resolved_from_the_loss(loss, kind):
    m = compile_utils.get_metric("accuracy", loss=loss)
    assert isinstance(m, metrics.AutoAccuracy) and m.kind == kind and m.name == "accuracy"


def test_accuracy_resolution_changes_the_value():
    probs = np.array([[0.6, 0.3, 0.1], [0.2, 0.3, 0.5]])
    labels = np.array([0, 2])
    sparse = compile_utils.get_metric("accuracy", loss="sparse_categorical_crossentropy")
    sparse.update_state(labels, probs)
    assert sparse.result() == 1.0
    binary = compile_utils.get_metric("acc", loss="binary_crossentropy")
    assert binary.name == "acc"
    binary.update_state(np.array([[1, 0, 0], [0, 0, 1]]), probs)  # thresholds each output at 0.5
    assert binary.result() == pytest.approx(5 / 6)
    categorical = compile_utils.get_metric("accuracy", loss="categorical_crossentropy")
    categorical.update_state(np.array([[0, 1, 0], [0, 0, 1]]), probs)
    assert categorical.result() == pytest.approx(0.5)


@pytest.mark.parametrize("y_true, y_pred, kind", [
    (np.array([0, 2]), np.array([[0.6, 0.3, 0.1], [0.2, 0.3, 0.5]]), "sparse_categorical"),
    (np.array([[0], [2]]), np.array([[0.6, 0.3, 0.1], [0.2, 0.3, 0.5]]), "sparse_categorical"),
    (np.array([[1], [0]]), np.array([[0.6], [0.7]]), "binary"),
    (np.array([1, 0]), np.array([[0.6], [0.7]]), "binary"),
    (np.array([[1, 0, 0], [0, 0, 1]]), np.array([[0.6, 0.3, 0.1], [0.2, 0.3, 0.5]]), "categorical"),
])
def test_accuracy_without_a_hint_decides_from_shapes(y_true, y_pred, kind):
    m = metrics.get("accuracy")
    m.update_state(y_true, y_pred)
    assert m.kind == kind
    expected = {"sparse_categorical": 1.0, "binary": 0.5, "categorical": 1.0}[kind]
    assert m.result() == pytest.approx(expected)
    m.reset_state()
    assert m.kind == kind  # the shapes do not change between epochs


@pytest.mark.parametrize("name, cls", [
    ("mse", metrics.MeanSquaredError), ("mean_squared_error", metrics.MeanSquaredError),
    ("mae", metrics.MeanAbsoluteError), ("mape", metrics.MeanAbsolutePercentageError),
    ("rmse", metrics.RootMeanSquaredError), ("binary_accuracy", metrics.BinaryAccuracy),
    ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("binary_crossentropy", metrics.BinaryCrossentropy), ("precision", metrics.Precision),
    ("recall", metrics.Recall),
])
def test_get_resolves_names_and_keeps_the_string_as_name(name, cls):
    m = metrics.get(name)
    assert type(m) is cls and m.name == name


def test_get_other_identifiers():
    assert type(compile_utils.get_metric("crossentropy", loss="sparse_categorical_crossentropy")) is \
        metrics.SparseCategoricalCrossentropy
    instance = metrics.Recall(thresholds=0.3)
    assert metrics.get(instance) is instance
    assert type(metrics.get(metrics.Precision)) is metrics.Precision
    assert metrics.get("Recall").name == "recall"
    restored = metrics.get(metrics.serialize(metrics.BinaryAccuracy(threshold=0.7)))
    assert restored.get_config()["threshold"] == 0.7

    def rounded_accuracy(y_true, y_pred):
        return metrics.binary_accuracy(np.round(y_true), np.round(y_pred))

    custom = metrics.get(rounded_accuracy)
    assert custom.name == "rounded_accuracy"
    custom.update_state(np.array([[0.2, 0.9]]), np.array([[0.4, 0.2]]))
    assert custom.result() == pytest.approx(0.5)
    assert type(metrics.get(metrics.mean_absolute_error)) is metrics.MeanAbsoluteError
    with pytest.raises(ValueError, match="Unknown metric: 'acuracy'. Expected one of: .*'accuracy'"):
        metrics.get("acuracy")


def test_shape_errors_name_expected_and_received():
    with pytest.raises(ValueError, match=r"expected y_true of shape \(2, 3\).*received \(2, 2\)"):
        metrics.mean_squared_error(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="use sparse_categorical_accuracy"):
        metrics.categorical_accuracy(np.array([0, 1]), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="sample_weight.*received \\(3,\\)"):
        metrics.MeanSquaredError().update_state(np.zeros((2, 1)), np.zeros((2, 1)), sample_weight=[1.0, 2.0, 3.0])


# ============================================================================ confusion matrix
def test_confusion_matrix_from_labels_one_hot_and_probabilities():
    y_true = np.array([0, 1, 2, 2, 1])
    y_pred = np.array([0, 2, 2, 1, 1])
    expected = np.array([[1, 0, 0], [0, 1, 1], [0, 1, 1]])
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred), expected)
    probs = np.eye(3)[y_pred] * 0.8 + 0.05
    cm = metrics.confusion_matrix(np.eye(3)[y_true], probs)
    np.testing.assert_array_equal(cm, expected)
    assert cm.dtype == np.int64 and cm.sum() == 5
    np.testing.assert_array_equal(metrics.confusion_matrix([0, 1], [1, 1], num_classes=4)[:2, :2], [[0, 1], [0, 1]])
    sigmoid = np.array([[0.9], [0.2], [0.6], [0.1]])
    np.testing.assert_array_equal(metrics.confusion_matrix([1, 0, 0, 1], sigmoid), [[1, 1], [1, 1]])
    with pytest.raises(ValueError, match=r"class ids in \[0, 1\].*to 2"):
        metrics.confusion_matrix([0, 2], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match="3 predictions for 2 labels"):
        metrics.confusion_matrix([0, 1], [0, 1, 1])


def test_classification_report_lists_each_class():
    report = metrics.classification_report([0, 1, 1, 1], [0, 1, 0, 1], target_names=["cat", "dog"])
    dog = next(line for line in report.splitlines() if line.strip().startswith("dog"))
    assert dog.split()[1:] == ["1.0000", "0.6667", "0.8000", "3"]
    assert "0.7500" in report.splitlines()[-1]


def test_rank_one_labels_beside_column_predictions_stay_per_sample():
    # Keras expands y_true (n,) to (n, 1) rather than squeezing y_pred, so each sample keeps its value
    per_sample = metrics.mean_squared_error(np.array([1.0, 2.0, 3.0]), np.array([[1.0], [2.0], [5.0]]))
    np.testing.assert_allclose(per_sample, [0.0, 0.0, 4.0])


# ============================================================================ package structure
def _imported_names(source: str) -> list:
    """(line, dotted name) of everything a module imports, at the top or inside functions:
    ``from glassnet import ops`` gives ``glassnet.ops``, ``import numpy`` gives ``numpy``."""
    import ast
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def test_the_metrics_package_does_not_import_the_autograd_stack():
    """Metrics are host-only NumPy code: no module of ``glassnet.metrics`` imports (at the top
    or inside a function) the autograd core, the ops, the losses, the layers or the models."""
    from pathlib import Path
    forbidden = ("glassnet.core", "glassnet.ops", "glassnet.losses", "glassnet.layers", "glassnet.models")

    def offending(source):
        return [f"{line}: {name}" for line, name in _imported_names(source)
                if name.startswith(".") or any(name == f or name.startswith(f + ".") for f in forbidden)]

    assert offending("def f():\n    from glassnet import losses\n") == ["2: glassnet.losses"]  # the check works
    assert offending("from glassnet.ops.losses import x\nfrom . import y\n") == ["1: glassnet.ops.losses.x", "2: ..y"]
    files = sorted(Path(metrics.__file__).parent.glob("*.py"))
    assert len(files) >= 5
    offences = [f"{path.name}:{o}" for path in files for o in offending(path.read_text(encoding="utf-8"))]
    assert not offences, "metrics must not need the autograd stack (relative imports are refused too):\n" + \
        "\n".join(offences)


@pytest.mark.parametrize("name", ["glassnet.metrics", "glassnet.metrics.metric", "glassnet.metrics.accuracy_metrics",
                                  "glassnet.metrics.regression_metrics", "glassnet.metrics.probabilistic_metrics",
                                  "glassnet.metrics.confusion_metrics", "glassnet.models.compile_utils"])
def test_docstring_examples_of_the_metrics_run(name):
    import doctest
    import importlib
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(module, name, globs={"np": np, **vars(module)}):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0


def test_metrics_bring_device_arrays_and_tensors_to_the_host():
    from device_double import on_fake_device, to_device
    probs = np.array([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7]], dtype=np.float32)
    labels = np.array([1, 1, 0])
    weights = np.array([1.0, 2.0, 0.5])
    expected = []
    for m in (metrics.SparseCategoricalAccuracy(), metrics.SparseCategoricalCrossentropy(), metrics.Precision()):
        m.update_state(labels, probs[:, 1] if isinstance(m, metrics.Precision) else probs, sample_weight=weights)
        expected.append(m.result())
    with on_fake_device():
        got = []
        for m in (metrics.SparseCategoricalAccuracy(), metrics.SparseCategoricalCrossentropy(), metrics.Precision()):
            y_pred = probs[:, 1] if isinstance(m, metrics.Precision) else probs
            m.update_state(to_device(labels), Tensor(to_device(y_pred)), sample_weight=to_device(weights))
            got.append(m.result())
    assert got == expected and all(isinstance(v, float) for v in got)


def test_losses_and_metrics_share_the_rank_and_sample_weight_rules():
    from glassnet import numerics
    assert numerics.match_rank((4,), (4, 1)) == ((4, 1), (4, 1))          # labels gain the axis
    assert numerics.match_rank((4, 1), (4,)) == ((4, 1), (4, 1))
    assert numerics.match_rank((4, 7, 1), (4, 7)) == ((4, 7), (4, 7))     # the longer loses it
    assert numerics.match_rank((4, 7), (4, 7, 1)) == ((4, 7), (4, 7))
    assert numerics.match_rank((4, 3), (4, 2)) == ((4, 3), (4, 2))        # left for the caller to reject
    w = numerics.sample_weights(Tensor([[1.0], [2.0]]), (2,), "float32")
    assert w.shape == (2,) and w.dtype == np.float32
    assert numerics.sample_weights([1.0, 2.0], (2, 3), "float64").shape == (2, 1)
    assert numerics.sample_weights([1.0, 2.0], (2, 3), "float64", broadcast=True).shape == (2, 3)
    with pytest.raises(ValueError, match=r"sample_weight: .*\(2, 3\), received \(3,\)"):
        numerics.sample_weights([1.0, 2.0, 3.0], (2, 3), "float32")
    with pytest.raises(ValueError, match=r"received \(1, 2\)"):  # would broadcast to (1, 2)
        numerics.sample_weights(np.ones((1, 2)), (2,), "float64", broadcast=True)
    # the same targets and predictions give the same per-sample errors in both
    y_true, y_pred = np.array([1.0, 2.0, 3.0]), np.array([[1.0], [2.0], [5.0]], dtype=np.float32)
    np.testing.assert_allclose(metrics.mean_squared_error(y_true, y_pred),
                               losses.mean_squared_error(y_true, Tensor(y_pred)).data)


def test_compile_resolves_accuracy_by_the_loss_and_the_mean_tracks_the_epoch_loss():
    from glassnet.models import trainer
    assert not hasattr(trainer, "_Mean")  # one running mean: metrics.Mean
    assert compile_utils.get_metric("ACC", loss=losses.BinaryCrossentropy()).name == "ACC"
    assert compile_utils.get_metric("mae", loss="binary_crossentropy").name == "mae"
    assert type(compile_utils.get_metric("ce")) is metrics.CategoricalCrossentropy
    assert compile_utils.loss_kind(losses.LossFunctionWrapper(losses.sparse_categorical_crossentropy)) == \
        "sparse_categorical"
    mean = metrics.Mean(name="loss")
    for batch_loss, batch_size in [(0.5, 32), (0.25, 32), (1.0, 4)]:
        mean.update_state(batch_loss, sample_weight=batch_size)
    assert mean.result() == (0.5 * 32 + 0.25 * 32 + 1.0 * 4) / 68


# ============================================================================ top-k, precision/recall, AUC, ROC
def test_top_k_accuracy_by_hand_with_ties_and_running_mean():
    probs = np.array([[0.1, 0.5, 0.4, 0.0], [0.3, 0.3, 0.3, 0.1], [0.7, 0.1, 0.1, 0.1]])
    labels = np.array([2, 1, 3])
    # sample 0: label 2 is second -> in the top 2, not the top 1; sample 1: three-way tie, all in
    # the top 1 (nothing scores strictly higher); sample 2: label 3 ties 1 and 2 behind class 0
    np.testing.assert_array_equal(metrics.sparse_top_k_categorical_accuracy(labels, probs, k=1), [0, 1, 0])
    np.testing.assert_array_equal(metrics.sparse_top_k_categorical_accuracy(labels, probs, k=2), [1, 1, 1])
    one_hot = np.eye(4)[labels]
    np.testing.assert_array_equal(metrics.top_k_categorical_accuracy(one_hot, probs, k=1), [0, 1, 0])
    assert metrics.sparse_top_k_categorical_accuracy(labels[:, None], probs.astype(np.float32), k=1).dtype == np.float32
    m = metrics.get("sparse_top_k_categorical_accuracy")
    assert isinstance(m, metrics.SparseTopKCategoricalAccuracy) and m.get_config()["k"] == 5
    m = metrics.SparseTopKCategoricalAccuracy(k=1)
    m.update_state(labels[:2], probs[:2])
    m.update_state(labels[2:], probs[2:])
    assert m.result() == pytest.approx(1 / 3)
    t = metrics.get("top_k_categorical_accuracy")
    t.update_state(one_hot, probs)
    assert t.result() == 1.0 and t.name == "top_k_categorical_accuracy"
    again = metrics.deserialize(metrics.serialize(metrics.TopKCategoricalAccuracy(k=3, name="top3")))
    assert again.name == "top3" and again.get_config()["k"] == 3
    with pytest.raises(ValueError, match=r"labels in \[0, 3\]"):
        metrics.sparse_top_k_categorical_accuracy(np.array([4, 0, 0]), probs)
    with pytest.raises(ValueError, match="one-hot y_true"):
        metrics.top_k_categorical_accuracy(labels, probs)


def test_precision_and_recall_thresholds_top_k_and_class_id_by_hand():
    y_true = np.array([1, 0, 1, 1, 0])
    y_pred = np.array([0.9, 0.6, 0.4, 0.7, 0.2])
    p = metrics.Precision(thresholds=[0.3, 0.5, 0.8])
    p.update_state(y_true, y_pred)
    # > 0.3: 4 predicted, 3 right; > 0.5: 3 predicted, 2 right; > 0.8: 1 predicted, 1 right
    assert p.result() == pytest.approx([0.75, 2 / 3, 1.0])
    r = metrics.Recall(thresholds=[0.3, 0.5, 0.8])
    r.update_state(y_true, y_pred)
    assert r.result() == pytest.approx([1.0, 2 / 3, 1 / 3])
    # top_k: per row only the k highest scores are predicted positive
    multi_true = np.array([[0, 1, 1, 0], [1, 0, 0, 0]])
    multi_pred = np.array([[0.1, 0.8, 0.3, 0.6], [0.2, 0.9, 0.05, 0.1]])
    top2 = metrics.Precision(top_k=2)
    top2.update_state(multi_true, multi_pred)   # row 0 keeps 1, 3 (one right); row 1 keeps 1, 0 (one right)
    assert top2.result() == pytest.approx(0.5)
    recall_top1 = metrics.Recall(top_k=1)
    recall_top1.update_state(multi_true, multi_pred)  # row 0: class 1 found of 2; row 1: class 0 missed
    assert recall_top1.result() == pytest.approx(1 / 3)
    class2 = metrics.Precision(class_id=2, thresholds=0.2)
    class2.update_state(multi_true, multi_pred)    # column 2: 0.3 > 0.2 (true), 0.05 (not predicted)
    assert class2.result() == 1.0
    weighted = metrics.Recall()
    weighted.update_state(y_true, y_pred, sample_weight=[1.0, 1.0, 3.0, 1.0, 1.0])
    assert weighted.result() == pytest.approx(2 / 5)   # the missed positive weighs 3
    assert metrics.get("precision").get_config() == {"name": "precision", "dtype": "float32", "thresholds": None,
                                                     "top_k": None, "class_id": None}
    with pytest.raises(ValueError, match="thresholds"):
        metrics.Precision(thresholds=1.5)
    with pytest.raises(ValueError, match="class_id 4"):
        metrics.Recall(class_id=4).update_state(multi_true, multi_pred)


def test_auc_matches_keras_by_hand_and_the_exact_area():
    m = metrics.get("auc")
    assert isinstance(m, metrics.AUC) and m.name == "auc"
    m = metrics.AUC(num_thresholds=3)
    m.update_state([0, 0, 1], [0, 0.5, 0.3])
    m.update_state([1], [0.9])  # accumulates over batches: Keras's docstring case in two parts
    # thresholds -1e-7, 0.5, 1 + 1e-7: TPR (1, 0.5, 0), FPR (1, 0, 0) -> trapezoids 0.75
    assert m.result() == pytest.approx(0.75)
    pr = metrics.AUC(num_thresholds=3, curve="PR")
    pr.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    # Davis-Goadrich pieces: (1/3)(1 + (2/3) ln 4) / 2 + 1 / 2
    assert pr.result() == pytest.approx((1 + 2 / 3 * np.log(4)) / 6 + 0.5)
    minor = metrics.AUC(num_thresholds=3, summation_method="minoring")
    minor.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert minor.result() == pytest.approx(0.5)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    scores = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    fine = metrics.AUC(num_thresholds=2000)
    for i in range(0, 2000, 300):
        fine.update_state(y[i:i + 300], scores[i:i + 300])
    assert fine.result() == pytest.approx(metrics.roc_auc_score(y, scores), abs=1e-3)
    logits = metrics.AUC(num_thresholds=2000, from_logits=True)
    logits.update_state(y, np.log(scores + 1e-9) - np.log1p(-scores + 1e-9))
    assert logits.result() == pytest.approx(fine.result(), abs=2e-3)
    multi = metrics.AUC(multi_label=True, num_thresholds=3)
    multi.update_state(np.array([[0, 1], [0, 0], [1, 1], [1, 0]]),
                       np.array([[0, 0.1], [0.5, 0.9], [0.3, 0.8], [0.9, 0.2]]))
    # label 0 is the Keras case (0.75); label 1: TPR (1, 0.5, 0), FPR (1, 0.5, 0) -> 0.5; mean 0.625
    assert multi.result() == pytest.approx(0.625)
    again = metrics.deserialize(metrics.serialize(metrics.AUC(curve="pr", num_thresholds=50)))
    assert again.curve == "PR" and again.num_thresholds == 50
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="DET")


def test_roc_curve_and_roc_auc_score_by_hand_and_against_sklearn():
    fpr, tpr, thresholds = metrics.roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    np.testing.assert_array_equal(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_array_equal(tpr, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_array_equal(thresholds, [np.inf, 0.8, 0.4, 0.35, 0.1])
    assert metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert metrics.roc_auc_score([1, 0, 1], [0.9, 0.9, 0.2]) == 0.25           # a tie counts one half
    assert metrics.roc_auc_score([0, 1], [0.2, 0.7]) == 1.0
    assert metrics.roc_auc_score([True, False], [0.2, 0.7]) == 0.0
    fpr, tpr, _ = metrics.roc_curve([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.1])        # ties move together
    np.testing.assert_array_equal(fpr, [0, 0.5, 1])
    np.testing.assert_array_equal(tpr, [0, 1, 1])
    with pytest.raises(ValueError, match="both positive and negative"):
        metrics.roc_auc_score([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="labels 0 and 1"):
        metrics.roc_curve([0, 2], [0.2, 0.3])
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    for n in (7, 100, 1000):
        y = rng.integers(0, 2, n)
        y[:2] = [0, 1]
        scores = np.round(rng.normal(y * 0.5, 1.0), 1)   # rounded: many ties
        assert metrics.roc_auc_score(y, scores) == pytest.approx(sklearn_metrics.roc_auc_score(y, scores), abs=1e-12)
        ours = metrics.roc_curve(y, scores)
        theirs = sklearn_metrics.roc_curve(y, scores, drop_intermediate=False)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b)
        assert np.trapezoid(ours[1], ours[0]) == pytest.approx(metrics.roc_auc_score(y, scores))


def test_new_metrics_in_compile_and_their_docstrings_run():
    import doctest
    import glassnet as gn
    from glassnet import layers
    from glassnet.metrics import ranking, threshold_metrics, top_k_metrics
    for module in (ranking, threshold_metrics, top_k_metrics):
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        for test in doctest.DocTestFinder().find(module, module.__name__, globs=dict(vars(module))):
            runner.run(test)
        assert runner.tries > 0 and runner.failures == 0, module.__name__
    gn.backend.clear_session()
    model = gn.Sequential([layers.Input((3,)), layers.Dense(4, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  metrics=["sparse_top_k_categorical_accuracy",
                           metrics.SparseTopKCategoricalAccuracy(k=1, name="top1")])
    x = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)
    logs = model.evaluate(x, np.arange(8) % 4, verbose=0, return_dict=True)
    assert logs["sparse_top_k_categorical_accuracy"] == 1.0   # 4 classes: always in the top 5
    assert 0.0 <= logs["top1"] <= 1.0
    binary = gn.Sequential([layers.Input((3,)), layers.Dense(1, activation="sigmoid")])
    binary.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["auc", "precision", "recall"])
    logs = binary.evaluate(x, (x[:, 0] > 0).astype(np.float32), verbose=0, return_dict=True)
    assert set(logs) >= {"auc", "precision", "recall"} and 0.0 <= logs["auc"] <= 1.0
