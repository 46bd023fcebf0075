"""The benchmark command's pieces run (no timing is asserted: speed lives in ``benchmarks/``).

Every contender of every workload builds and takes a step, the glassnet and PyTorch sides of a
workload compute the same kind of loss, the FLOP counts match the networks, and one worker
process round-trips its time, thread pools and peak memory to the parent.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from benchmarks import autoencoder, cnn, fit_epoch, harness, lstm, mlp  # noqa: E402


@pytest.mark.parametrize("contender", list(mlp.CONTENDERS))
def test_mlp_contenders_take_a_finite_step(contender):
    loss = mlp.CONTENDERS[contender](8, 0.01)()
    assert loss is None or math.isfinite(float(np.asarray(loss).ravel()[0]))


@pytest.mark.parametrize("contender", list(cnn.CONTENDERS))
def test_cnn_contenders_take_a_step(contender):
    cnn.CONTENDERS[contender](4, 0.01)()


@pytest.mark.parametrize("contender", list(autoencoder.CONTENDERS))
def test_autoencoder_contenders_take_a_step(contender):
    autoencoder.CONTENDERS[contender](4, 0.01)()


def test_the_autoencoder_networks_have_the_same_parameter_count():
    ours = autoencoder.glassnet_model(0.01).count_params()
    theirs = sum(p.numel() for p in autoencoder.torch_model().parameters())
    assert ours == theirs


@pytest.mark.parametrize("contender", list(lstm.CONTENDERS))
def test_lstm_contenders_take_a_step(contender):
    lstm.CONTENDERS[contender](4, 4, 0.01)()


@pytest.mark.parametrize("contender", list(fit_epoch.CONTENDERS))
def test_fit_epoch_contenders_run_an_epoch(contender):
    import torch
    try:
        fit_epoch.CONTENDERS[contender](3 * fit_epoch.BATCH)()
    finally:
        # "pytorch-flush-denormal" sets the CPU's flush-to-zero mode, which would change the
        # arithmetic of every later test in this process (NumPy's too)
        torch.set_flush_denormal(False)
    tiny = np.finfo(np.float32).tiny
    assert np.float32(tiny) / np.float32(4) != 0  # subnormals exist again


def test_flop_counts_follow_the_networks():
    # MLP: 2 * batch * (3 * sum of products - the first layer's input gradient)
    assert mlp.flops_per_step(1) == 2 * (3 * (784 * 512 + 512 * 256 + 256 * 10) - 784 * 512)
    assert cnn.flops_per_step(2) == 2 * cnn.flops_per_step(1)
    assert lstm.flops_per_step(20, 1) == 2 * 50 * ((1 + 20) * 80 + 40 * 80) * 3
    assert autoencoder.flops_per_step(1) > 0 and fit_epoch.flops_per_epoch(10) == 10 * fit_epoch.flops_per_epoch(1)


def test_a_worker_reports_time_thread_pools_and_peak_memory():
    seconds, pools, peak_mb = harness.run_worker("benchmarks.mlp", "numpy-by-hand", {"batch": 8, "steps": 2})
    assert 0 < seconds < 5
    assert pools and pools != "not reported"
    assert 10 < peak_mb < 4096


def test_contenders_run_without_the_machine_blas_overrides(monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    env = harness.contender_env()
    assert "OPENBLAS_CORETYPE" not in env and "OPENBLAS_L2_SIZE" not in env
