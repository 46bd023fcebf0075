"""The labs of COURSE.md sections 3-4 at --quick settings: what each reports must be right
(exactly, for the worked examples) and the figures must be saved."""
from __future__ import annotations


import numpy as np
import pytest

from glassnet.labs import load_all, run_lab
from helpers import SHARED_DATA

needs_mnist = pytest.mark.skipif(not (SHARED_DATA / "mnist").is_dir(),
                                 reason=f"the MNIST labs need the data folder; none at {SHARED_DATA}")


@pytest.fixture(autouse=True)
def _registry():
    load_all()


def quick(name, tmp_path, **overrides):
    return run_lab(name, quick=True, out=tmp_path, echo=lambda *a: None, overrides=overrides or None)


def assert_pngs(result):
    assert result.figures, f"{result.name} saved no figure"
    for path in result.figures:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_conv_arithmetic_reproduces_the_course_examples(tmp_path):
    result = quick("conv-arithmetic", tmp_path)
    assert result.metric("max-pool result") == [[8, 10], [7, 4]]
    assert result.metric("5x5 input, 3x3 conv, valid") == "3x3"
    assert result.metric("5x5 input, 3x3 conv, same (p = (F-1)/2 = 1)") == "5x5"
    assert result.metric("5x5 input, 3x3 conv, same, stride 2") == "3x3"
    assert result.metric("Conv2D(32, 3x3) on 3 channels: parameters") == 896
    assert result.metric("Conv3D (5,5,5) input, (2,2,2) kernel: output") == "4x4x4"
    assert_pngs(result)


@needs_mnist
def test_mnist_cnn_quick_learns(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(SHARED_DATA))
    result = quick("mnist-cnn", tmp_path)
    # 1,500 images, one epoch: far from the full run's 0.99 but clearly learning (chance: 0.1)
    assert result.metric("test accuracy") > 0.6
    assert result.metric("parameters") == (9 * 32 + 32) + (9 * 32 * 64 + 64) + (3136 * 128 + 128) + (128 * 10 + 10)
    assert {p.name for p in result.figures} >= {"history.png", "filters_conv1.png", "feature_maps_conv1.png"}
    assert_pngs(result)


@needs_mnist
def test_mnist_resnet_quick_trains_both_twins(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(SHARED_DATA))
    result = quick("mnist-resnet", tmp_path)
    for label in ("ResNet", "plain twin"):
        assert 0.0 <= result.metric(f"{label}: test accuracy") <= 1.0
        # the deep pair at quick settings: 2 blocks per stage, 1 + 2 * 2 * 3 = 13 conv layers
        assert np.isfinite(result.metric(f"13 layers, {label}: final training loss"))
    assert result.metric("ResNet parameters") > 0
    assert {p.name for p in result.figures} == {"resnet_vs_plain.png", "deep_resnet_vs_plain.png"}
    assert_pngs(result)


@needs_mnist
def test_training_techniques_quick_runs_every_technique(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(SHARED_DATA))
    result = quick("training-techniques", tmp_path)
    names = [m.name for m in result.metrics]
    assert len([n for n in names if n.endswith(": test accuracy")]) == 5
    assert (tmp_path / "best_model.glassnet").exists(), "the checkpoint of run 4 was not written"
    assert not (tmp_path / "backup").exists() or not any((tmp_path / "backup").iterdir()), \
        "the backup should be deleted once training ends normally"
    assert_pngs(result)


@needs_mnist
def test_cpu_vs_gpu_reports_a_cpu_time(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(SHARED_DATA))
    result = quick("cpu-vs-gpu", tmp_path)
    assert result.metric("CPU: seconds per epoch (60,000 images)") > 0
    assert result.metric("GPU: seconds per epoch") == "n/a"
    assert_pngs(result)
