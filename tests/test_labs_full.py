"""The labs at full settings reach the course's figures (slow: about 5 minutes on 2 cores).

Deselected by default; run with ``python -m pytest -q -m slow`` (CI does, after the fast suite).
Each bound leaves a margin under the figure measured on 2026-12-01 (in the comment), so the
test fails on a real regression in learning, not on noise.
"""
from __future__ import annotations


import pytest

from glassnet.labs import load_all
from helpers import SHARED_DATA, run_full_lab


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (SHARED_DATA / "mnist").is_dir(),
                       reason=f"the full labs need the MNIST files; none at {SHARED_DATA}"),
]


@pytest.fixture(autouse=True)
def _data(monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(SHARED_DATA))
    load_all()


def test_mnist_softmax_reaches_the_course_figure(tmp_path):
    assert run_full_lab("mnist-softmax", tmp_path).metric("test accuracy") >= 0.915       # 0.9177; course 0.9205


def test_mnist_mlp_both_networks(tmp_path):
    result = run_full_lab("mnist-mlp", tmp_path)
    assert result.metric("784-360-10 test accuracy") >= 0.975                      # 0.9796
    assert result.metric("quick-start test accuracy") >= 0.97                      # 0.9752


def test_mnist_cnn_reaches_99_percent(tmp_path):
    assert run_full_lab("mnist-cnn", tmp_path).metric("test accuracy") >= 0.99             # 0.9922; course >= 0.99


def test_deep_resnet_trains_where_its_plain_twin_does_not(tmp_path):
    # part 1 shortened (one epoch on 6,000 images); part 2, the 49-layer pair, at full settings
    result = run_full_lab("mnist-resnet", tmp_path, epochs=1, train_limit=6000)
    resnet = result.metric("49 layers, ResNet: final training loss")               # 0.167
    plain = result.metric("49 layers, plain twin: final training loss")            # 1.92
    assert resnet < 0.5 * plain
