"""Shared test helpers.

``compare_with_torch`` is the one check of an op against PyTorch (after tinygrad's
``helper_test_op``): the same seeded float32 inputs go through glassnet and through torch, and
the output shape, dtype, values and the gradients of a random-weighted sum must agree.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

import glassnet as gn

# The course's data (MNIST, Fashion-MNIST, stocks): $GLASSNET_DATA, else ../shared/data beside the
# repository, where CI puts it. Tests that need it skip when it is absent.
SHARED_DATA = Path(os.environ.get("GLASSNET_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def import_keras_on_torch():
    """Real Keras 3 on its PyTorch backend, the oracle of Keras semantics (no TensorFlow here):
    the backend must be chosen before the first import. Skips the test when Keras is missing or
    was already imported with another backend."""
    import pytest
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip(f"Keras was imported earlier with the {keras.backend.backend()} backend")
    return keras


def run_full_lab(name, tmp_path, seed=0, **overrides):
    """The lab ``name`` at its full (not quick) settings, silenced, its figures under ``tmp_path``;
    ``overrides`` change some of its settings."""
    from glassnet.labs import run_lab
    return run_lab(name, out=tmp_path, seed=seed, echo=lambda *a: None, overrides=overrides or None)



def _torch():
    import torch as _t
    return _t


def make_inputs(shapes, seed=0, low=-2.0, high=2.0, dtype=np.float32):
    """Seeded uniform float inputs; an ndarray in ``shapes`` is used as given."""
    rng = np.random.default_rng(seed)
    out = []
    for s in shapes:
        if isinstance(s, np.ndarray):
            out.append(s)
        else:
            out.append(rng.uniform(low, high, size=s).astype(dtype))
    return out


def compare_with_torch(gn_fn, torch_fn, shapes, *, rtol=1e-5, atol=1e-6, grad_rtol=None,
                       grad_atol=None, seed=0, low=-2.0, high=2.0, grad=True, wrt=None, dtype=np.float32):
    """Check ``gn_fn(*tensors)`` against ``torch_fn(*torch_tensors)``.

    Args:
        shapes: a shape per float input (or a ready ndarray, e.g. integer labels).
        wrt: indices of the inputs whose gradients are compared (default: float inputs).
        dtype: the float dtype of the inputs (float64 for tight tolerances).
    Returns the glassnet output, for further checks.
    """
    t = _torch()
    arrays = make_inputs(shapes, seed, low, high, dtype)
    if wrt is None:
        wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    gn_in = [gn.Tensor(a, requires_grad=(grad and i in wrt), dtype=a.dtype) for i, a in enumerate(arrays)]
    t_in = [t.tensor(a, requires_grad=(grad and i in wrt)) for i, a in enumerate(arrays)]
    gn_out = gn_fn(*gn_in)
    t_out = torch_fn(*t_in)
    t_np = t_out.detach().numpy()
    assert gn_out.shape == tuple(t_np.shape), f"shape: glassnet {gn_out.shape} vs torch {tuple(t_np.shape)}"
    assert gn_out.dtype == t_np.dtype, f"dtype: glassnet {gn_out.dtype} vs torch {t_np.dtype}"
    np.testing.assert_allclose(gn_out.data, t_np, rtol=rtol, atol=atol, err_msg="forward values")
    if grad and wrt:
        weights = np.random.default_rng(seed + 1).standard_normal(t_np.shape).astype(dtype)
        (gn_out * gn.Tensor(weights, dtype=dtype)).sum().backward()
        (t_out * t.tensor(weights)).sum().backward()
        for i in wrt:
            g_gn, g_t = gn_in[i].grad, t_in[i].grad.numpy()
            assert g_gn is not None, f"input {i}: glassnet produced no gradient"
            assert g_gn.dtype == dtype, f"input {i}: gradient dtype {g_gn.dtype}, expected {np.dtype(dtype)}"
            np.testing.assert_allclose(g_gn, g_t, rtol=grad_rtol or rtol * 10, atol=grad_atol or atol * 10,
                                       err_msg=f"gradient of input {i}")
    return gn_out
