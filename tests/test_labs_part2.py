"""Labs of COURSE.md section 2 on real data, run at their quick settings, with real outcomes
checked; plus the shipped diabetes data set (shape, dtype, refusal of a damaged copy)."""
import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from glassnet import labs
from glassnet.datasets import DataIntegrityError, diabetes
from helpers import SHARED_DATA

DATA = Path(os.environ["GLASSNET_DATA"]) if os.environ.get("GLASSNET_DATA") else SHARED_DATA


@pytest.fixture(autouse=True)
def _data_env(monkeypatch):
    # Labs find MNIST and Fashion-MNIST through GLASSNET_DATA; an existing value is kept.
    if not os.environ.get("GLASSNET_DATA") and SHARED_DATA.is_dir():
        monkeypatch.setenv("GLASSNET_DATA", str(SHARED_DATA))


def needs(subdir):
    return pytest.mark.skipif(not (DATA / subdir).is_dir(),
                              reason=f"{subdir} files not found under {DATA} (set GLASSNET_DATA)")


def run(name, tmp_path):
    labs.load_all()
    result = labs.run_lab(name, quick=True, out=tmp_path, echo=lambda *a: None)
    assert result.figures, f"{name} saved no figure"
    for path in result.figures:
        assert path.is_file() and path.stat().st_size > 5000, f"{path} missing or empty"
    return result


@needs("mnist")
def test_mnist_softmax_quick_learns(tmp_path):
    result = run("mnist-softmax", tmp_path)
    # 150 SGD steps from zeros: measured 0.906; the course's 1,000 steps give 0.9205.
    assert result.metric("test accuracy") > 0.8
    assert [m.course for m in result.metrics if m.name == "test accuracy"] == [0.9205]


@needs("mnist")
def test_mnist_mlp_quick_both_nets_learn(tmp_path):
    result = run("mnist-mlp", tmp_path)
    # 2 epochs on 3,000 images: measured 0.85 and 0.85; chance is 0.1.
    assert result.metric("784-360-10 test accuracy") > 0.75
    assert result.metric("quick-start test accuracy") > 0.75


@needs("fashion-mnist")
def test_binary_image_quick_finds_bags(tmp_path):
    result = run("binary-image", tmp_path)
    baseline = result.metric("always-'other' accuracy")
    assert 0.85 < baseline < 0.95  # about 1 image in 10 is a bag
    # measured 0.969 accuracy, recall 0.94, precision 0.78 on 2,000 test images
    assert result.metric("test accuracy") > baseline
    assert result.metric("test recall") > 0.8
    assert result.metric("test precision") > 0.6
    p, r = result.metric("test precision"), result.metric("test recall")
    assert result.metric("test F1") == pytest.approx(2 * p * r / (p + r))


def test_tabular_csv_quick_beats_majority(tmp_path):
    result = run("tabular-csv", tmp_path)
    assert (tmp_path / "synthetic_claims.csv").is_file()
    assert result.metric("missing values filled") > 0
    # measured test accuracy 0.85 against a majority rate of 0.79
    assert result.metric("test accuracy") > result.metric("test majority-class rate") + 0.02
    assert result.metric("train accuracy") > 0.75
    assert 0.0 < result.metric("test recall") <= 1.0


def test_tabular_csv_reads_a_given_file(tmp_path):
    # The lab's own synthetic table, handed back through --set csv=..., with other column names.
    source = tmp_path / "made"
    from glassnet.labs.tabular_csv import write_synthetic_claims
    write_synthetic_claims(source / "claims.csv", rows=300, seed=3)
    text = (source / "claims.csv").read_text().replace("customer_id", "id").replace(",fraud", ",is_fraud")
    (source / "renamed.csv").write_text(text)
    labs.load_all()
    result = labs.run_lab("tabular-csv", quick=True, out=tmp_path / "out", echo=lambda *a: None,
                          overrides={"csv": str(source / "renamed.csv"), "label": "is_fraud", "id_column": "id"})
    assert not (tmp_path / "out" / "synthetic_claims.csv").exists()
    assert result.metric("test accuracy") > 0.7


def test_regression_metrics_quick_beats_mean_baseline(tmp_path):
    result = run("regression-metrics", tmp_path)
    mse, baseline = result.metric("test MSE"), result.metric("baseline test MSE")
    # measured MSE ~3,300 against ~4,970 for the mean (and ~3,240 for the least-squares line)
    assert mse < 0.8 * baseline
    assert result.metric("test RMSE") == pytest.approx(mse ** 0.5)
    assert 0 < result.metric("test MAE") < result.metric("test RMSE")
    assert 0 < result.metric("test MAPE %") < 100


def test_diabetes_shape_dtype_and_values():
    x, y, names = diabetes.load_data(return_names=True)
    assert x.shape == (442, 10) and x.dtype == np.float32
    assert y.shape == (442,) and y.dtype == np.float32
    assert names == ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
    # raw (unscaled) values, as published by Efron et al.: first patient and target range
    np.testing.assert_allclose(x[0], [59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87], rtol=1e-6)
    assert (float(y[0]), float(y.min()), float(y.max())) == (151.0, 25.0, 346.0)
    assert set(np.unique(x[:, 1])) == {1.0, 2.0}


def test_diabetes_refuses_a_damaged_copy(tmp_path):
    shipped = Path(diabetes.__file__).parent / "data" / "diabetes.csv"
    good = shipped.read_bytes()
    # A gzip copy of the same content is accepted: the hash is of the content.
    (tmp_path / "copy.csv.gz").write_bytes(gzip.compress(good))
    x, _ = diabetes.load_data(tmp_path / "copy.csv.gz")
    assert x.shape == (442, 10)
    # One changed digit, or a truncated file, is refused.
    damaged = bytearray(good)
    damaged[200] = ord("7") if damaged[200] != ord("7") else ord("3")
    (tmp_path / "damaged.csv").write_bytes(bytes(damaged))
    with pytest.raises(DataIntegrityError, match="SHA-256"):
        diabetes.load_data(tmp_path / "damaged.csv")
    (tmp_path / "short.csv").write_bytes(good[: len(good) // 2])
    with pytest.raises(DataIntegrityError):
        diabetes.load_data(tmp_path / "short.csv")
    # Without verification the row count still guards the layout.
    with pytest.raises(DataIntegrityError, match="442 rows"):
        diabetes.load_data(tmp_path / "short.csv", verify=False)
