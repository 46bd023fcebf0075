"""The autoencoder labs of COURSE.md section 6 at --quick settings (figures saved, tables and
results present, values finite and in range), the pieces they are built of (rounded accuracy,
the tied ``DenseTranspose`` layer, PCA by SVD, t-SNE's message when scikit-learn is missing),
and ``Conv2DTranspose``'s ``output_padding`` against Keras itself."""
from __future__ import annotations

import math
import os
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.labs import load_all, run_lab
from glassnet.labs._autoencoders import mse_per_image, rounded_accuracy
from glassnet.labs.anomaly_detection import PCA
from glassnet.labs.fashion_autoencoder import DenseTranspose, tied_autoencoder, tsne_codes
from helpers import SHARED_DATA

needs_fashion = pytest.mark.skipif(not (SHARED_DATA / "fashion-mnist").is_dir(),
                                   reason=f"the autoencoder labs need Fashion-MNIST; none at {SHARED_DATA}")


@pytest.fixture(autouse=True)
def _registry():
    load_all()


def quick(name, tmp_path, monkeypatch, **overrides):
    monkeypatch.setenv("GLASSNET_DATA", str(SHARED_DATA))
    lines = []
    result = run_lab(name, quick=True, out=tmp_path, echo=lines.append, overrides=overrides or None)
    return result, "\n".join(lines)


def assert_pngs(result, expected):
    names = {p.name for p in result.figures}
    assert names == set(expected), f"{result.name} saved {sorted(names)}"
    for path in result.figures:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"


# --------------------------------------------------------------------------- the pieces

def test_rounded_accuracy_counts_pixels_that_round_alike():
    y_true = np.array([[[0.0, 1.0], [0.2, 0.9]], [[1.0, 1.0], [1.0, 1.0]]], dtype=np.float32)
    y_pred = np.array([[[0.4, 0.6], [0.7, 0.8]], [[0.1, 0.2], [0.9, 0.51]]], dtype=np.float32)
    np.testing.assert_allclose(rounded_accuracy(y_true, y_pred), [0.75, 0.5])


def test_dense_transpose_reuses_the_encoders_kernel():
    dense = layers.Dense(3, activation="selu")
    dense(np.ones((1, 5), np.float32))
    tied = DenseTranspose(dense, activation="sigmoid")
    codes = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    out = tied(codes)
    assert out.shape == (4, 5) and [w.name.split("/")[-1] for w in tied._params.values()] == ["bias"]
    kernel = dense.kernel.data
    np.testing.assert_allclose(out.numpy(), 1 / (1 + np.exp(-(codes @ kernel.T))), rtol=1e-5, atol=1e-6)
    # a loss through the decoder alone moves the encoder's kernel: one matrix, two layers
    with gn.GradientTape() as tape:
        loss = gn.ops.sum(tied(codes))
    grad_kernel, = tape.gradient(loss, [dense.kernel])
    assert grad_kernel is not None and np.abs(grad_kernel.numpy()).sum() > 0


def test_dense_transpose_needs_its_dense_built_first():
    with pytest.raises(ValueError, match="has no kernel yet; build the encoder first"):
        DenseTranspose(layers.Dense(3))(np.ones((2, 3), np.float32))


def test_tied_autoencoder_has_half_the_weights():
    model = tied_autoencoder(codings=30)
    # encoder kernels and biases; the decoder adds biases only (100 and 784)
    assert model.count_params() == (784 * 100 + 100) + (100 * 30 + 30) + 100 + 784
    assert model.predict(np.zeros((2, 28, 28), np.float32), verbose=0).shape == (2, 28, 28)


def test_pca_by_svd_is_the_best_rank_k_reconstruction():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 3)) @ rng.standard_normal((3, 12)) + 0.01 * rng.standard_normal((200, 12))
    pca = PCA(3).fit(x)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(3), atol=1e-10)
    assert pca.explained_variance_ratio > 0.999
    assert mse_per_image(pca.reconstruct(x), x).mean() < 2e-4        # rank 3 + noise of std 0.01
    np.testing.assert_allclose(PCA(12).fit(x).reconstruct(x), x, atol=1e-10)   # every component: exact
    worse = PCA(2).fit(x)
    assert mse_per_image(worse.reconstruct(x), x).mean() > 100 * mse_per_image(pca.reconstruct(x), x).mean()


def test_tsne_without_scikit_learn_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.manifold", None)     # import fails as if not installed
    points, why = tsne_codes(np.zeros((5, 3)), seed=0)
    assert points is None and "pip install scikit-learn" in why and "t-SNE skipped" in why


# --------------------------------------------------------------------------- Conv2DTranspose vs Keras

OUTPUT_PADDING_CASES = [   # kernel, strides, padding, output_padding
    (3, 2, "valid", 1), (3, 2, "same", 1), (3, 2, "same", 0), (3, 3, "same", 2), (3, 3, "valid", 2),
    (5, 2, "same", 1), (4, 2, "same", 1), (2, 2, "valid", 1), ((3, 2), (2, 3), "same", (1, 2)),
]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("kernel,strides,padding,output_padding", OUTPUT_PADDING_CASES)
def test_conv2d_transpose_output_padding_matches_keras(kernel, strides, padding, output_padding):
    os.environ.setdefault("KERAS_BACKEND", "torch")      # before keras is imported: no TensorFlow
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 3)).astype(np.float32)
    k_model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Conv2DTranspose(
        4, kernel, strides=strides, padding=padding, output_padding=output_padding)])
    weights = [w + 0.1 for w in k_model.get_weights()]   # a non-zero bias too
    k_model.set_weights(weights)
    g_model = gn.Sequential([layers.Input(x.shape[1:]), layers.Conv2DTranspose(
        4, kernel, strides=strides, padding=padding, output_padding=output_padding)])
    g_model.set_weights(weights)
    expected = np.asarray(k_model(x).detach().cpu())
    got = g_model(x).numpy()
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- the labs, quick

@needs_fashion
def test_fashion_autoencoder_quick(tmp_path, monkeypatch):
    pytest.importorskip("sklearn", reason="the t-SNE plot needs scikit-learn (the test extra has it)")
    result, printed = quick("fashion-autoencoder", tmp_path, monkeypatch)
    for name in ("stacked: validation rounded accuracy", "tied weights: validation rounded accuracy",
                 "greedy layer-wise: validation rounded accuracy"):
        value = result.metric(name)
        # 2,000 images, one epoch: mostly background pixels right already (chance: about 0.5)
        assert math.isfinite(value) and 0.6 < value <= 1.0, (name, value)
    assert 0.1 < result.metric("stacked: validation loss (binary cross-entropy)") < 0.7
    assert result.metric("tied weights: parameters") == 82414
    assert result.metric("t-SNE: validation codes mapped") == 300
    for row in ("stacked ", "tied weights ", "greedy: two AEs stacked, before fine-tuning",
                "greedy: after fine-tuning"):
        assert row in printed, f"comparison row {row!r} missing"
    assert "val_rounded_accuracy" in printed and "163814" in printed
    assert_pngs(result, ["history.png", "reconstructions.png", "tsne_codes.png", "reconstructions_compared.png"])


@needs_fashion
def test_denoising_autoencoder_quick(tmp_path, monkeypatch):
    result, printed = quick("denoising-autoencoder", tmp_path, monkeypatch)
    labels = ["dense + GaussianNoise", "dense + Dropout", "dense, no noise in training", "conv + GaussianNoise"]
    for label in labels:
        value = result.metric(f"{label}: MSE of the output")
        assert math.isfinite(value) and 0.0 < value < 0.2, (label, value)   # sigmoid outputs vs [0, 1]
        assert label in printed
    # the input's MSE printed beside each: std 0.2 Gaussian noise has a mean square of 0.04
    assert "input (Gaussian noise, std 0.2): 0.04" in printed
    assert "MSE input vs clean" in printed and "MSE output vs clean" in printed
    assert_pngs(result, ["denoised_gaussian.png", "denoised_dropout.png", "history.png"])


@needs_fashion
def test_anomaly_detection_quick(tmp_path, monkeypatch):
    result, printed = quick("anomaly-detection", tmp_path, monkeypatch)
    ae, pca = result.metric("autoencoder: ROC AUC"), result.metric("PCA (30 components): ROC AUC")
    # quick: 3,000 images, one epoch; both already tell sandals from the rest better than chance
    assert 0.55 < ae <= 1.0 and 0.55 < pca <= 1.0, (ae, pca)
    assert 0.5 < result.metric("PCA: variance explained by the components") < 1.0
    assert "5 Sandal (left out)" in printed and "caught at 5% false alarms" in printed
    assert_pngs(result, ["history.png", "roc.png", "error_histograms.png", "reconstructions.png"])


def test_anomaly_class_out_of_range_is_refused(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="anomaly_class': expected a class 0-9, received 12"):
        quick("anomaly-detection", tmp_path, monkeypatch, anomaly_class=12)
