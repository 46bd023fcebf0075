"""Devices: ``set_device``/``get_device``/``devices``, ``Tensor.to``, ``model.to``, and whole
training runs on a GPU library, compared with the same runs on the CPU.

Two GPU libraries are used:

- ``fake_gpu``: the strict device double of ``tests/device_double.py`` (an array type that, like
  CuPy's, refuses host arrays and NumPy's functions) registered as ``"gpu"`` through
  ``backend.register_device``, the hook that real CuPy registers through too. These tests run
  everywhere and check everything except CUDA itself.
- ``real_gpu`` (marker ``gpu``): CuPy on a CUDA device. Skipped, with the reason, on a machine
  without one; where there is one, the same runs and every op of the array-seam suite are
  compared with the CPU within float32 tolerances.
"""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest

import glassnet as gn
from glassnet import Tensor, backend, layers
from device_double import DeviceArray, device, to_device
from test_array_seam import SPATIAL_CASES
from test_ops_gradcheck import ALL_CASES

try:  # the CPU suite's PyTorch cases, checked against PyTorch on CUDA where there is a GPU
    from test_ops_torch import ALL_CASES as TORCH_CASES
except (ImportError, pytest.skip.Exception):  # no torch here: those GPU cases are not collected
    TORCH_CASES = []

F32 = np.float32


@pytest.fixture(autouse=True)
def _restore_device():
    """Every test ends on the CPU (or unresolved, as it started) with no fake library registered."""
    previous = backend._current_device
    yield
    library = backend._DEVICE_LIBRARIES.get("gpu")
    if library is not None and library.array_type is DeviceArray:
        backend.unregister_device("gpu")
    backend._current_device = previous if previous in (None, "cpu") else "cpu"


@pytest.fixture
def fake_gpu():
    """The device double registered as the "gpu" library, through the same hook as CuPy."""
    backend.register_device("gpu", device, DeviceArray, to_device=to_device, to_host=lambda a: a.get())
    yield DeviceArray
    backend.set_device("cpu")
    backend.unregister_device("gpu")


@pytest.fixture
def real_gpu():
    """CuPy on a CUDA device, or a skip saying why there is none."""
    reason = backend.gpu_unavailable_reason()
    if reason is not None:
        pytest.skip(f"no real GPU for glassnet here: {reason}")
    import cupy
    yield cupy.ndarray
    backend.set_device("cpu")


@pytest.fixture(params=["fake_gpu", pytest.param("real_gpu", marks=pytest.mark.gpu)])
def any_gpu(request):
    """Each GPU test twice: on the device double, and on CuPy when there is a GPU."""
    return request.getfixturevalue(request.param)


# --------------------------------------------------------------------------- choosing a device
def test_set_device_get_device_and_devices_with_a_registered_gpu(fake_gpu):
    assert backend.get_device() == "cpu"
    assert backend.devices() == ["cpu", "gpu:0"]
    assert backend.set_device("gpu") == "gpu:0" and backend.get_device() == "gpu:0"
    assert backend.set_device("CUDA:0") == "gpu:0"
    with pytest.raises(backend.DeviceUnavailableError, match="no gpu:1"):
        backend.set_device("gpu:1")
    with pytest.raises(ValueError, match="expected a device"):
        backend.set_device("tpu")
    assert backend.get_device() == "gpu:0"  # a refused request changes nothing
    assert backend.set_device("cpu") == "cpu"


def test_glassnet_device_environment_variable_is_read_at_first_use(fake_gpu, monkeypatch):
    monkeypatch.setattr(backend, "_current_device", None)
    monkeypatch.setenv("GLASSNET_DEVICE", "gpu")
    gn.backend.clear_session()
    model = gn.Sequential([layers.Input((3,)), layers.Dense(2)])
    assert backend.get_device() == "gpu:0"
    assert all(type(w.data) is DeviceArray for w in model.weights)


def test_without_cupy_asking_for_the_gpu_gives_one_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` raises ImportError
    with pytest.raises(backend.DeviceUnavailableError, match=r'CuPy.*pip install "glassnet\[gpu\]"') as err:
        backend.set_device("gpu")
    assert isinstance(err.value, RuntimeError)
    assert backend.get_device() == "cpu"
    assert backend.devices() == ["cpu"]
    assert "glassnet[gpu]" in backend.gpu_unavailable_reason()
    with pytest.raises(backend.DeviceUnavailableError, match="glassnet"):
        gn.Tensor(np.ones(2)).to("gpu")
    # GLASSNET_DEVICE=gpu: the same error at first use, and again until set_device
    monkeypatch.setattr(backend, "_current_device", None)
    monkeypatch.setenv("GLASSNET_DEVICE", "gpu")
    for _ in range(2):
        with pytest.raises(backend.DeviceUnavailableError, match="glassnet\\[gpu\\]"):
            layers.Dense(2)(np.ones((1, 3), F32))
    assert backend.set_device("cpu") == "cpu"
    assert layers.Dense(2)(np.ones((1, 3), F32)).shape == (1, 2)  # everything else runs on NumPy


def _fake_cupy(count=1, get_device_count=None, broken_kernels=False):
    """A module shaped like ``cupy`` (what ``load_cupy`` reads), computing with the device double."""
    cupy = types.ModuleType("cupy")
    used = []

    def device_count():
        return count

    def asarray(a):
        result = to_device(np.asarray(a))
        if broken_kernels:
            raise RuntimeError("CUDA_ERROR_FILE_NOT_FOUND: libnvrtc.so.12 not found")
        return result

    cupy.ndarray = DeviceArray
    cupy.asarray, cupy.asnumpy = asarray, lambda a: a.get()
    cupy.cuda = types.SimpleNamespace(
        runtime=types.SimpleNamespace(getDeviceCount=get_device_count or device_count),
        Device=lambda i: types.SimpleNamespace(use=lambda: used.append(i)))
    cupy.used_devices = used
    for name in ("exp", "zeros", "zeros_like", "ones_like", "array", "shares_memory", "matmul"):
        setattr(cupy, name, getattr(device, name))
    return cupy


def test_cupy_without_a_cuda_device_gives_one_clear_error(monkeypatch):
    def no_device():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy(get_device_count=no_device))
    with pytest.raises(backend.DeviceUnavailableError, match="no usable CUDA device.*cudaErrorNoDevice"):
        backend.set_device("gpu")
    assert backend.devices() == ["cpu"] and backend.get_device() == "cpu"
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy(count=0))
    with pytest.raises(backend.DeviceUnavailableError, match="no CUDA device"):
        backend.set_device("gpu")
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy(broken_kernels=True))
    with pytest.raises(backend.DeviceUnavailableError, match=r"cannot compute.*cupy-cuda12x\[ctk\]"):
        backend.set_device("gpu")
    assert "gpu" not in backend._DEVICE_LIBRARIES  # nothing half-registered


def test_cupy_registers_through_the_hook_and_selects_devices(monkeypatch):
    """The real loader's path (import, device count, probe, register, select) on a cupy-shaped module."""
    fake = _fake_cupy(count=2)
    monkeypatch.setitem(sys.modules, "cupy", fake)
    try:
        assert backend.devices() == ["cpu", "gpu:0", "gpu:1"]
        assert backend.set_device("gpu:1") == "gpu:1" and fake.used_devices[-1] == 1
        assert backend.array_module(to_device(np.ones(2))) is fake
        x = Tensor(np.arange(3, dtype=F32)).to("gpu:1")
        assert type(x.data) is DeviceArray and x.device == "gpu:0"  # the double has no .device.id
        assert type(backend.to_host(x.data)) is np.ndarray
    finally:
        backend.set_device("cpu")
        backend.unregister_device("gpu")
    assert backend.array_module(to_device(np.ones(2))) is np


# --------------------------------------------------------------------------- Tensor.to
def test_tensor_to_moves_values_and_gradients_come_back(any_gpu):
    x = Tensor(np.array([1.0, -2.0, 3.0], F32), requires_grad=True)
    assert x.device == "cpu" and x.to("cpu") is x
    xg = x.to("gpu")
    assert type(xg.data) is any_gpu and xg.device == "gpu:0" and xg.to("gpu:0") is xg
    loss = (xg * xg * 2.0).sum()
    assert type(loss.data) is any_gpu
    loss.backward()
    assert type(x.grad) is np.ndarray  # the gradient of a host tensor stays on the host
    np.testing.assert_allclose(x.grad, 4 * np.array([1.0, -2.0, 3.0]), rtol=1e-6)
    back = Tensor(np.ones(2, F32)).to("gpu").to("cpu")
    assert type(back.data) is np.ndarray and back.device == "cpu"
    with gn.no_grad():
        assert not x.to("gpu").requires_grad


# --------------------------------------------------------------------------- whole models
def _mlp():
    return gn.Sequential([layers.Input((6,)), layers.Dense(16, activation="relu"), layers.Dropout(0.2),
                          layers.Dense(3, activation="softmax")])


def _cnn():
    return gn.Sequential([layers.Input((8, 8, 1)), layers.Conv2D(4, 3, padding="same", activation="relu"),
                          layers.MaxPooling2D(), layers.Flatten(), layers.Dense(3, activation="softmax")])


def _lstm():
    return gn.Sequential([layers.Input((5, 4)), layers.LSTM(8), layers.Dense(3, activation="softmax")])


_DATA_SHAPES = {"mlp": (6,), "cnn": (8, 8, 1), "lstm": (5, 4)}
_BUILD = {"mlp": _mlp, "cnn": _cnn, "lstm": _lstm}


def _data(kind, n=24):
    rng = np.random.default_rng(1)
    return rng.standard_normal((n,) + _DATA_SHAPES[kind]).astype(F32), rng.integers(0, 3, n)


def _run(kind, where, tmp_path, array_type=np.ndarray):
    """Build on ``where``, fit 2 epochs (adam), evaluate, predict, save, load on ``where``."""
    backend.set_device(where)
    gn.backend.clear_session()
    gn.backend.set_seed(0)
    model = _BUILD[kind]()
    assert all(type(w.data) is array_type for w in model.weights)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = _data(kind)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_split=0.25)
    assert all(type(w.data) is array_type for w in model.weights)
    assert all(type(a) is array_type for slots in model.optimizer._slots.values() for a in slots.values())
    assert all(type(v) is float for values in history.history.values() for v in values)
    evaluated = model.evaluate(x, y, verbose=0)
    predicted = model.predict(x, batch_size=10)
    assert type(predicted) is np.ndarray and predicted.dtype == F32
    on_batch = (model.train_on_batch(x[:8], y[:8]), model.test_on_batch(x[:8], y[:8]),
                model.predict_on_batch(x[:8]))
    assert type(on_batch[2]) is np.ndarray
    path = tmp_path / f"{kind}-{where}.glassnet"
    model.save(path)
    loaded = gn.load_model(path)
    assert all(type(w.data) is array_type for w in loaded.weights)
    reloaded_prediction = loaded.predict(x)
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])
    loaded.fit(x, y, epochs=1, batch_size=8, verbose=0)  # optimizer state restored onto the device
    return dict(history=history.history, evaluated=evaluated, predicted=predicted, on_batch=on_batch,
                weights=model.get_weights(), reloaded=reloaded_prediction, refit=loaded.get_weights())


def _assert_close(gpu, cpu, rtol=2e-5, atol=2e-6):
    assert gpu["history"].keys() == cpu["history"].keys()
    for key in cpu["history"]:
        np.testing.assert_allclose(gpu["history"][key], cpu["history"][key], rtol=rtol, atol=atol, err_msg=key)
    np.testing.assert_allclose(gpu["evaluated"], cpu["evaluated"], rtol=rtol, atol=atol)
    for name in ("predicted", "reloaded"):
        np.testing.assert_allclose(gpu[name], cpu[name], rtol=rtol, atol=atol, err_msg=name)
    np.testing.assert_allclose(gpu["on_batch"][0], cpu["on_batch"][0], rtol=rtol, atol=atol)
    np.testing.assert_allclose(gpu["on_batch"][2], cpu["on_batch"][2], rtol=rtol, atol=atol)
    for g, c in zip(gpu["weights"] + gpu["refit"], cpu["weights"] + cpu["refit"]):
        assert type(g) is np.ndarray
        np.testing.assert_allclose(g, c, rtol=rtol, atol=atol)


@pytest.mark.parametrize("kind", ["mlp", "cnn", "lstm"])
def test_a_model_built_on_the_gpu_trains_saves_and_loads_as_on_the_cpu(kind, any_gpu, tmp_path):
    cpu = _run(kind, "cpu", tmp_path)
    gpu = _run(kind, "gpu", tmp_path, array_type=any_gpu)
    _assert_close(gpu, cpu)
    assert gpu["history"]["loss"][1] < gpu["history"]["loss"][0] * 1.05  # it trains, not just runs


def test_a_model_saved_on_the_gpu_loads_on_the_cpu_and_back(any_gpu, tmp_path):
    backend.set_device("gpu")
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = _data("mlp")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.glassnet")
    model.save_weights(tmp_path / "m.weights.npz")
    backend.set_device("cpu")
    on_cpu = gn.load_model(tmp_path / "m.glassnet")
    assert all(type(w.data) is np.ndarray for w in on_cpu.weights)
    np.testing.assert_allclose(on_cpu.predict(x), model.predict(x), rtol=1e-5, atol=1e-6)
    fresh = _mlp()
    fresh.load_weights(tmp_path / "m.weights.npz")
    np.testing.assert_array_equal(fresh.get_weights()[0], model.get_weights()[0])


def test_model_to_moves_weights_and_optimizer_state_follows(any_gpu):
    """Train on the CPU, move to the GPU, train, move back, train: the same weights as training
    on the CPU throughout, with the optimizer state on whichever device the weights are."""
    x, y = _data("mlp")

    def train(moves):
        gn.backend.clear_session()
        gn.backend.set_seed(0)
        model = _mlp()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        for where in moves:
            assert model.to(where) is model
            model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
            expected = np.ndarray if where == "cpu" else any_gpu
            assert all(type(w.data) is expected for w in model.weights)
            assert all(type(a) is expected for s in model.optimizer._slots.values() for a in s.values())
        return model.get_weights()

    stayed = train(["cpu", "cpu", "cpu"])
    moved = train(["cpu", "gpu", "cpu"])
    for m, s in zip(moved, stayed):
        np.testing.assert_allclose(m, s, rtol=2e-5, atol=2e-6)


def test_calling_a_model_on_host_arrays_and_a_custom_training_loop_on_the_gpu(any_gpu):
    """``model(x)`` with NumPy input runs where the weights are; GradientTape and
    ``apply_gradients`` update the weights in place on the device."""
    backend.set_device("gpu")
    model = _cnn()
    x, y = _data("cnn", n=4)
    optimizer = gn.optimizers.Adam(0.01)
    loss_fn = gn.losses.SparseCategoricalCrossentropy()
    before = model.get_weights()
    with gn.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_weights)
    assert type(loss.data) is any_gpu and all(type(g.data) is any_gpu for g in grads)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    assert all(type(w.data) is any_gpu for w in model.weights)
    assert not np.allclose(model.get_weights()[0], before[0])
    backend.set_device("cpu")
    out = model(np.ones((1, 8, 8, 1), F32))  # the device of the weights decides, not the current one
    assert type(out.data) is any_gpu and out.numpy().shape == (1, 3)


# --------------------------------------------------------------------------- real GPU: every op
def _compare_op_on(fn, arrays, place, rtol, atol):
    """Values and gradients of ``fn`` on host arrays and on ``place``-d arrays, compared."""
    results = []
    for mover in (lambda a: a, place):
        inputs = [Tensor(mover(a), requires_grad=a.dtype.kind == "f", dtype=a.dtype) for a in arrays]
        out = fn(*inputs)
        outputs = out if isinstance(out, (tuple, list)) else (out,)
        total = None
        for i, o in enumerate(outputs):
            if o.requires_grad:
                w = np.random.default_rng(i + 1).standard_normal(o.shape).astype(o.dtype)
                term = (o * Tensor(mover(w), dtype=o.dtype)).sum()
                total = term if total is None else total + term
        if total is not None:
            total.backward()
        results.append([backend.to_host(o.data) for o in outputs] +
                       [backend.to_host(t.grad) for t in inputs if t.requires_grad])
    for h, d in zip(*results):
        np.testing.assert_allclose(d, h, rtol=rtol, atol=atol)


@pytest.mark.gpu
@pytest.mark.parametrize("fn, inputs", [pytest.param(c[1], c[2], id=c[0]) for c in ALL_CASES + SPATIAL_CASES])
def test_every_op_of_the_array_seam_suite_on_a_real_gpu(fn, inputs, real_gpu):
    import cupy
    float64 = any(a.dtype == np.float64 for a in inputs)
    tol = 1e-9 if float64 else 2e-4
    _compare_op_on(fn, inputs, cupy.asarray, rtol=tol, atol=tol)


@pytest.mark.gpu
@pytest.mark.parametrize("case", [pytest.param(c, id=c[0]) for c in TORCH_CASES])
def test_ops_on_a_real_gpu_match_pytorch_on_cuda(case, real_gpu):
    """``tests/test_ops_torch.py``'s cases with glassnet on CuPy and PyTorch on CUDA: values,
    dtype and gradients (tolerances 10x the CPU suite's, at least 1e-4: reductions on a GPU add
    in another order)."""
    import cupy
    import torch
    if not torch.cuda.is_available():
        pytest.skip(f"PyTorch {torch.__version__} sees no CUDA device")
    _, gn_fn, torch_fn, shapes, options = case
    options = dict(options)
    dtype = options.get("dtype", F32)
    rtol, atol = max(10 * options.get("rtol", 1e-5), 1e-4), max(10 * options.get("atol", 1e-6), 1e-5)
    rng = np.random.default_rng(options.get("seed", 0))
    arrays = [s if isinstance(s, np.ndarray) else
              rng.uniform(options.get("low", -2.0), options.get("high", 2.0), size=s).astype(dtype) for s in shapes]
    grad = options.get("grad", True)
    wrt = options.get("wrt") or [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    gn_in = [Tensor(cupy.asarray(a), requires_grad=grad and i in wrt, dtype=a.dtype) for i, a in enumerate(arrays)]
    t_in = [torch.tensor(a, device="cuda", requires_grad=grad and i in wrt) for i, a in enumerate(arrays)]
    gn_out, t_out = gn_fn(*gn_in), torch_fn(*t_in)
    assert type(gn_out.data) is cupy.ndarray
    expected = t_out.detach().cpu().numpy()
    assert gn_out.shape == expected.shape and gn_out.dtype == expected.dtype
    np.testing.assert_allclose(gn_out.numpy(), expected, rtol=rtol, atol=atol)
    if grad and wrt:
        weights = np.random.default_rng(options.get("seed", 0) + 1).standard_normal(expected.shape).astype(dtype)
        (gn_out * Tensor(cupy.asarray(weights), dtype=dtype)).sum().backward()
        (t_out * torch.tensor(weights, device="cuda")).sum().backward()
        for i in wrt:
            assert type(gn_in[i].grad) is cupy.ndarray
            np.testing.assert_allclose(backend.to_host(gn_in[i].grad), t_in[i].grad.cpu().numpy(),
                                       rtol=10 * rtol, atol=10 * atol, err_msg=f"gradient of input {i}")


# --------------------------------------------------------------------------- benchmark script
def _benchmarks_gpu():
    import importlib
    import pathlib
    root = str(pathlib.Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module("benchmarks.gpu")


@pytest.mark.parametrize("workload", ["mlp", "cnn", "lstm"])
def test_the_gpu_benchmark_steps_glassnet_on_the_device(workload, fake_gpu):
    """The glassnet side of ``benchmarks/gpu.py``: model and batch on the device, a float loss
    per step, the same loss as the CPU step (PyTorch's CUDA side needs a real GPU)."""
    gpu = _benchmarks_gpu()
    step = gpu.glassnet_gpu_step(workload, 4)
    first = step()
    assert type(first) is float and np.isfinite(first)
    backend.set_device("cpu")
    gn.backend.set_seed(0)
    model_cpu = gpu.glassnet_model(workload)
    x, y = gpu._data(workload, 4)
    gn.backend.set_seed(0)
    backend.set_device("gpu")
    model_gpu = gpu.glassnet_model(workload)
    model_gpu.set_weights(model_cpu.get_weights())
    assert all(type(w.data) is DeviceArray for w in model_gpu.weights)
    np.testing.assert_allclose(model_gpu.train_on_batch(backend.to_device(x), backend.to_device(y)),
                               model_cpu.train_on_batch(x, y), rtol=1e-5)


def test_the_gpu_benchmark_says_why_it_cannot_run(monkeypatch, capsys):
    gpu = _benchmarks_gpu()
    monkeypatch.setitem(sys.modules, "cupy", None)
    with pytest.raises(SystemExit, match=r"no GPU benchmark on this machine: .*glassnet\[gpu\]") as err:
        gpu.main([])
    assert err.value.code != 0


# --------------------------------------------------------------------------- the cpu-vs-gpu lab
def test_the_cpu_vs_gpu_lab_times_both_devices_and_prints_the_speed_up(fake_gpu, tmp_path, monkeypatch):
    """With a GPU library registered the lab measures both rows and the ratio (on the device
    double the "GPU" is NumPy underneath, so only the plumbing is checked, not the speed)."""
    from glassnet.labs import load_all
    from test_labs_cnn import SHARED_DATA, quick
    load_all()
    if not (SHARED_DATA / "mnist").is_dir():
        pytest.skip(f"the MNIST labs need the data folder; none at {SHARED_DATA}")
    monkeypatch.setenv("GLASSNET_DATA", str(SHARED_DATA))
    result = quick("cpu-vs-gpu", tmp_path)
    cpu, gpu = result.metric("CPU: seconds per epoch (60,000 images)"), result.metric("GPU: seconds per epoch")
    assert cpu > 0 and gpu > 0
    assert result.metric("GPU speed-up over the CPU") == pytest.approx(cpu / gpu, rel=0.1)
    assert backend.get_device() == "cpu"  # the lab leaves the device as it found it


# --------------------------------------------------------------------------- every layer, callbacks, metrics
class _SelfAttention(layers.Layer):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.inner = layers.MultiHeadAttention(2, 3) if kind == "mha" else layers.Attention(use_scale=True)

    def call(self, x):
        return self.inner(x, x, use_causal_mask=True) if self.kind == "mha" else self.inner([x, x])


def _adapted_normalization():
    layer = layers.Normalization()
    layer.adapt(np.random.default_rng(3).standard_normal((10, 6)).astype(F32) * 3 + 1)
    return layer


_R = np.random.default_rng(0)
_IMG, _SEQ = _R.standard_normal((2, 8, 8, 3)).astype(F32), _R.standard_normal((2, 5, 4)).astype(F32)
_VEC, _VOL = _R.standard_normal((2, 6)).astype(F32), _R.standard_normal((2, 4, 4, 4, 2)).astype(F32)
LAYER_CASES = {
    "Dense": (lambda: layers.Dense(3, kernel_regularizer="l2"), _VEC),
    "PReLU": (lambda: layers.PReLU(), _VEC), "ELU": (lambda: layers.ELU(), _VEC),
    "Maxout": (lambda: layers.Maxout(2), _VEC), "Softmax": (lambda: layers.Softmax(), _VEC),
    "Activation_gelu": (lambda: layers.Activation("gelu"), _VEC),
    "Conv1D": (lambda: layers.Conv1D(3, 2), _SEQ), "Conv2D": (lambda: layers.Conv2D(3, 3, strides=2), _IMG),
    "Conv2DTranspose": (lambda: layers.Conv2DTranspose(3, 3, strides=2), _IMG),
    "Conv1DTranspose": (lambda: layers.Conv1DTranspose(3, 3, strides=2), _SEQ),
    "Conv3D": (lambda: layers.Conv3D(2, 2), _VOL), "Conv3DTranspose": (lambda: layers.Conv3DTranspose(2, 2), _VOL),
    "BatchNormalization": (lambda: layers.BatchNormalization(), _IMG),
    "LayerNormalization": (lambda: layers.LayerNormalization(), _IMG),
    "Embedding_mask_zero": (lambda: layers.Embedding(5, 3, mask_zero=True), np.array([[1, 2, 0], [3, 0, 0]])),
    "SimpleRNN": (lambda: layers.SimpleRNN(3, return_sequences=True), _SEQ),
    "GRU": (lambda: layers.GRU(3), _SEQ),
    "LSTM_dropouts": (lambda: layers.LSTM(3, dropout=0.2, recurrent_dropout=0.2), _SEQ),
    "Bidirectional": (lambda: layers.Bidirectional(layers.LSTM(3)), _SEQ),
    "RNN_LSTMCell": (lambda: layers.RNN(layers.LSTMCell(3)), _SEQ),
    "RNN_stacked_cells": (lambda: layers.RNN(layers.StackedRNNCells([layers.GRUCell(3), layers.SimpleRNNCell(2)])),
                          _SEQ),
    "TimeDistributed": (lambda: layers.TimeDistributed(layers.Dense(2)), _SEQ),
    "MultiHeadAttention_causal": (lambda: _SelfAttention("mha"), _SEQ),
    "Attention": (lambda: _SelfAttention("dot"), _SEQ),
    "Normalization_adapted": (_adapted_normalization, _VEC),
    "Rescaling": (lambda: layers.Rescaling(1 / 255.0), _IMG), "Resizing": (lambda: layers.Resizing(4, 4), _IMG),
    "CenterCrop": (lambda: layers.CenterCrop(4, 4), _IMG), "RandomFlip": (lambda: layers.RandomFlip(seed=1), _IMG),
    "RandomRotation": (lambda: layers.RandomRotation(0.2, seed=1), _IMG),
    "RandomTranslation": (lambda: layers.RandomTranslation(0.2, 0.2, seed=1), _IMG),
    "RandomZoom": (lambda: layers.RandomZoom(0.2, seed=1), _IMG),
    "RandomContrast": (lambda: layers.RandomContrast(0.3, seed=1), _IMG),
    "GaussianNoise": (lambda: layers.GaussianNoise(0.1, seed=1), _VEC),
    "GaussianDropout": (lambda: layers.GaussianDropout(0.1, seed=1), _VEC),
    "AlphaDropout": (lambda: layers.AlphaDropout(0.1, seed=1), _VEC),
    "Dropout": (lambda: layers.Dropout(0.3, seed=1), _VEC),
    "UpSampling2D_bilinear": (lambda: layers.UpSampling2D(interpolation="bilinear"), _IMG),
    "ZeroPadding2D": (lambda: layers.ZeroPadding2D(), _IMG), "Cropping2D": (lambda: layers.Cropping2D(1), _IMG),
    "Permute": (lambda: layers.Permute((2, 1)), _SEQ), "RepeatVector": (lambda: layers.RepeatVector(3), _VEC),
    "Masking": (lambda: layers.Masking(0.0), _SEQ), "LeakyReLU": (lambda: layers.LeakyReLU(), _VEC),
    "GlobalMaxPooling2D": (lambda: layers.GlobalMaxPooling2D(), _IMG),
    "AveragePooling2D": (lambda: layers.AveragePooling2D(), _IMG),
    "MaxPooling3D": (lambda: layers.MaxPooling3D(), _VOL),
    "ActivityRegularization": (lambda: layers.ActivityRegularization(0.1, 0.1), _VEC),
    "Reshape": (lambda: layers.Reshape((3, 2)), _VEC), "Flatten": (lambda: layers.Flatten(), _IMG),
}


def _layer_forward_backward(make, x, where, array_type):
    """Build ``make()`` on ``where``, call it on host ``x`` in training mode, backward of a sum
    of squares; outputs and weight gradients on the host."""
    backend.set_device(where)
    gn.backend.clear_session()
    gn.backend.set_seed(0)
    layer = make()
    out = layer(x, training=True) if layer._accepts_training else layer(x)
    outs = out if isinstance(out, (list, tuple)) else [out]
    assert all(type(o.data) is array_type for o in outs)
    assert all(type(w.data) is array_type for w in layer.weights)
    loss = sum(((o * o).sum() for o in outs if o.dtype.kind == "f"), Tensor(np.zeros((), F32)).to(where))
    loss = loss + sum(layer.losses, Tensor(np.zeros((), F32)).to(where))
    if loss.requires_grad:
        loss.backward()
    return [o.numpy() for o in outs] + [backend.to_host(w.grad) for w in layer.trainable_weights]


@pytest.mark.parametrize("name", list(LAYER_CASES))
def test_every_kind_of_layer_builds_and_trains_on_the_gpu_as_on_the_cpu(name, any_gpu):
    make, x = LAYER_CASES[name]
    cpu = _layer_forward_backward(make, x, "cpu", np.ndarray)
    gpu = _layer_forward_backward(make, x, "gpu", any_gpu)
    assert len(gpu) == len(cpu)
    for g, c in zip(gpu, cpu):
        np.testing.assert_allclose(g, c, rtol=2e-5, atol=2e-6)


def test_callbacks_metrics_class_and_sample_weights_get_host_values_on_the_gpu(any_gpu, tmp_path):
    from glassnet import callbacks as cb, metrics as mt
    x, y = _data("mlp", n=40)
    yb = (y == 1).astype(F32)

    def run(where):
        backend.set_device(where)
        gn.backend.clear_session()
        gn.backend.set_seed(0)
        model = gn.Sequential([layers.Input((6,)), layers.Dense(8, activation="relu"), layers.BatchNormalization(),
                               layers.Dense(3, activation="softmax")])
        model.compile(optimizer="nadam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy", mt.SparseTopKCategoricalAccuracy(2), "sparse_categorical_crossentropy"])
        out = tmp_path / where
        callbacks = [cb.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True),
                     cb.ModelCheckpoint(str(out / "best.glassnet")), cb.ReduceLROnPlateau(patience=1),
                     cb.CSVLogger(str(out / "log.csv")), cb.TerminateOnNaN(),
                     cb.LearningRateScheduler(lambda epoch, lr: lr * 0.9),
                     cb.TensorBoard(str(out / "tb"), histogram_freq=1), cb.BackupAndRestore(str(out / "backup"))]
        out.mkdir()
        history = model.fit(x, y, epochs=4, batch_size=8, validation_data=(x[:10], y[:10]), callbacks=callbacks,
                            verbose=0, class_weight={0: 1.0, 1: 2.0, 2: 1.0})
        binary = gn.Sequential([layers.Input((6,)), layers.Dense(1, activation="sigmoid")])
        binary.compile(optimizer="rmsprop", loss="binary_crossentropy",
                       metrics=[mt.AUC(), mt.Precision(), mt.Recall(), "binary_accuracy"])
        binary_history = binary.fit(x, yb, epochs=2, verbose=0, sample_weight=np.linspace(0.5, 1, 40, dtype=F32))
        regression = gn.Sequential([layers.Input((6,)), layers.Dense(2, kernel_regularizer="l2")])
        regression.compile(optimizer="sgd", loss="huber", metrics=["mae", "mse", mt.RootMeanSquaredError()])
        regression_history = regression.fit(x, np.c_[yb, yb], epochs=2, verbose=0)
        assert all(type(w.data) is (np.ndarray if where == "cpu" else any_gpu)
                   for m in (model, binary, regression) for w in m.weights)
        assert gn.load_model(out / "best.glassnet").predict(x[:2]).shape == (2, 3)
        return [history.history, binary_history.history, regression_history.history], model.predict(x)

    cpu, gpu = run("cpu"), run("gpu")
    for c, g in zip(cpu[0], gpu[0]):
        assert c.keys() == g.keys()
        for key in c:
            np.testing.assert_allclose(g[key], c[key], rtol=2e-5, atol=2e-6, err_msg=key)
    np.testing.assert_allclose(gpu[1], cpu[1], rtol=2e-5, atol=2e-6)


def test_a_text_model_sends_host_token_ids_to_the_gpu(any_gpu):
    """TextVectorization makes token ids on the host (it works on strings); the Embedding after
    it takes them, and its mask, to the device of its vectors."""
    texts, labels = np.array(["the cat sat", "a dog ran far away", "the dog"]), np.array([0.0, 1.0, 1.0], F32)

    def run(where):
        backend.set_device(where)
        gn.backend.clear_session()
        gn.backend.set_seed(0)
        vectorize = layers.TextVectorization(max_tokens=20, output_sequence_length=4)
        vectorize.adapt(texts)
        model = gn.Sequential([vectorize, layers.Embedding(20, 3, mask_zero=True), layers.GlobalAveragePooling1D(),
                               layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(texts, labels, epochs=2, verbose=0)
        assert all(type(w.data) is (np.ndarray if where == "cpu" else any_gpu) for w in model.weights)
        return model.predict(texts)

    np.testing.assert_allclose(run("gpu"), run("cpu"), rtol=2e-5, atol=2e-6)
