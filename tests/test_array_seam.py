"""The array seam: ops compute with the array module of their inputs, never with NumPy directly.

Every op is run twice, on NumPy arrays and on ``DeviceArray`` (``tests/device_double.py``), an
array type that, like a CuPy array, refuses to meet host NumPy arrays and refuses NumPy's
functions. On the device the op must give the same values and gradients, and every result
and gradient must still be a device array: that is what lets a CuPy backend run the ops
unchanged. A static check then keeps NumPy calls out of the modules that compute on device
arrays, except for dtype and shape arithmetic.
"""
from __future__ import annotations

import ast
import pathlib

import numpy as np
import pytest

import glassnet as gn
from glassnet import Tensor, backend, ops
from device_double import DeviceArray, device, on_fake_device, to_device
from test_ops_gradcheck import ALL_CASES

F32 = np.float32


def _rand(*shape, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(F32)


def _run(fn, arrays, on_device: bool):
    """``fn`` on tensors made of ``arrays``; backward of a random-weighted sum of its output.

    Returns the output's values and the inputs' gradients, as NumPy arrays (checking on the
    device that every one of them is a device array)."""
    place = to_device if on_device else (lambda a: a)
    inputs = [Tensor(place(a), requires_grad=a.dtype.kind == "f", dtype=a.dtype) for a in arrays]
    out = fn(*inputs)
    outputs = out if isinstance(out, (tuple, list)) else (out,)
    total = None
    for i, o in enumerate(outputs):
        if not o.requires_grad:
            continue
        w = np.random.default_rng(i + 1).standard_normal(o.shape).astype(o.dtype)
        term = (o * Tensor(place(w), dtype=o.dtype)).sum()
        total = term if total is None else total + term
    if total is not None:
        total.backward()
    values = [o.data for o in outputs]
    grads = [t.grad for t in inputs if t.requires_grad]
    if on_device:
        for v in values + grads:
            assert type(v) is DeviceArray, f"a result left the device: {type(v).__name__}"
        values, grads = [v.get() for v in values], [g.get() for g in grads]
    return values, grads


def _same_on_device(fn, arrays, rtol=1e-6, atol=1e-6):
    host_values, host_grads = _run(fn, arrays, on_device=False)
    with on_fake_device():
        dev_values, dev_grads = _run(fn, arrays, on_device=True)
    for h, d in zip(host_values + host_grads, dev_values + dev_grads):
        np.testing.assert_allclose(d, h, rtol=rtol, atol=atol)


# --------------------------------------------------------------------------- the fake device
def test_the_device_double_refuses_what_cupy_refuses():
    with on_fake_device():
        x = to_device(np.ones(3, F32))
        assert backend.array_module(x) is device
        assert type(x + 1.0) is DeviceArray and type(device.exp(x)) is DeviceArray
        with pytest.raises(TypeError, match="host"):
            x + np.ones(3, F32)                   # a host array meets a device array
        with pytest.raises(TypeError, match="numpy.where"):
            np.where(x > 0, x, 0)                 # NumPy's function instead of the module's
        with pytest.raises(TypeError, match="host"):
            x[np.array([0, 1])]                   # a host index array
    assert backend.array_module(x) is np          # unregistered again after the block


def test_ops_run_through_the_array_module_of_their_inputs():
    before = device.calls["exp"]
    with on_fake_device():
        y = ops.exp(Tensor(to_device(np.zeros(4, F32))))
    assert type(y.data) is DeviceArray
    assert device.calls["exp"] == before + 1


# --------------------------------------------------------------------------- every op
@pytest.mark.parametrize("fn, inputs", [pytest.param(c[1], c[2], id=c[0]) for c in ALL_CASES])
def test_every_op_of_the_gradient_checks_runs_on_the_device(fn, inputs):
    _same_on_device(fn, inputs, rtol=1e-12, atol=1e-12)


SPATIAL_CASES = [
    ("conv1d_same_stride", lambda x, w, b: ops.conv1d(x, w, b, strides=2, padding="same"),
     [_rand(2, 9, 3), _rand(3, 3, 4, seed=1), _rand(4, seed=2)]),
    ("conv2d_relu", lambda x, w, b: ops.conv2d(x, w, b, padding="same", activation="relu"),
     [_rand(2, 6, 5, 3), _rand(3, 3, 3, 4, seed=1), _rand(4, seed=2)]),
    ("conv2d_many_channels_dilated", lambda x, w: ops.conv2d(x, w, dilation_rate=2),
     [_rand(2, 8, 8, 9), _rand(3, 3, 9, 5, seed=1)]),
    ("conv2d_col2im", lambda x, w: ops.conv2d(x, w, strides=2, padding="same"),
     [_rand(2, 7, 7, 2), _rand(3, 3, 2, 8, seed=1)]),
    ("conv2d_reference", lambda x, w, b: ops.conv2d_reference(x, w, b, strides=2, padding="same"),
     [_rand(2, 7, 6, 3), _rand(3, 3, 3, 4, seed=1), _rand(4, seed=2)]),
    ("conv3d", lambda x, w: ops.conv3d(x, w, padding="same"),
     [_rand(1, 4, 5, 4, 2), _rand(2, 3, 2, 2, 3, seed=1)]),
    ("conv2d_transpose", lambda x, w, b: ops.conv2d_transpose(x, w, b, strides=2, padding="same"),
     [_rand(2, 4, 4, 3), _rand(3, 3, 5, 3, seed=1), _rand(5, seed=2)]),
    ("max_pool2d_same", lambda x: ops.max_pool2d(x, 3, 2, padding="same"), [_rand(2, 7, 6, 3)]),
    ("max_pool2d_tiles", lambda x: ops.max_pool2d(x, 2), [_rand(2, 6, 6, 3)]),
    ("avg_pool1d_same", lambda x: ops.avg_pool1d(x, 3, 2, padding="same"), [_rand(2, 9, 3)]),
    ("avg_pool3d", lambda x: ops.avg_pool3d(x, 2), [_rand(1, 4, 4, 4, 2)]),
    ("global_max_pool", lambda x: ops.global_max_pool(x), [_rand(2, 5, 5, 3)]),
    ("global_avg_pool", lambda x: ops.global_avg_pool(x, keepdims=True), [_rand(2, 5, 5, 3)]),
    ("upsample_nearest", lambda x: ops.upsample_nearest(x, (2, 3)), [_rand(2, 3, 3, 2)]),
    ("upsample_bilinear", lambda x: ops.upsample_bilinear(x, 2), [_rand(2, 3, 4, 2)]),
    ("batch_norm_wide", lambda x, g, b: ops.batch_norm(x, g, b)[0],
     [_rand(4, 8, 8, 16), _rand(16, seed=1), _rand(16, seed=2)]),
    ("batch_norm_2d", lambda x, g, b: ops.batch_norm(x, g, b)[0],
     [_rand(6, 5), _rand(5, seed=1), _rand(5, seed=2)]),
    ("batch_norm_inference", lambda x, m, v, g, b: ops.batch_norm_inference(x, m, v, g, b),
     [_rand(4, 5), _rand(5, seed=1), _rand(5, seed=2, low=0.5), _rand(5, seed=3), _rand(5, seed=4)]),
    ("layer_norm", lambda x, g, b: ops.layer_norm(x, g, b), [_rand(3, 4, 6), _rand(6, seed=1), _rand(6, seed=2)]),
    ("softmax_ce_sparse", lambda x: ops.softmax_cross_entropy(x, np.array([0, 2, 1, 2])), [_rand(4, 3)]),
    ("softmax_ce_dense_axis0", lambda x, t: ops.softmax_cross_entropy(x, t, axis=0),
     [_rand(3, 4), np.eye(3, 4, dtype=F32)]),
    ("sigmoid_bce", lambda x, t: ops.sigmoid_binary_cross_entropy(x, t),
     [_rand(4, 2), np.array([[1, 0], [0, 1], [1, 1], [0, 0]], F32)]),
    ("simple_rnn_relu_backwards", lambda x, k, r, b, h: ops.simple_rnn(x, k, r, b, h, activation="relu",
                                                                       go_backwards=True),
     [_rand(2, 5, 3), _rand(3, 4, seed=1, low=-0.5, high=0.5), _rand(4, 4, seed=2, low=-0.5, high=0.5),
      _rand(4, seed=3), _rand(2, 4, seed=4)]),
    ("lstm_masked", lambda x, k, r, b, h, c: ops.lstm(x, k, r, b, h, c, mask=np.array(
        [[0, 1, 1, 1, 1], [1, 1, 0, 1, 0]], bool)),
     [_rand(2, 5, 3), _rand(3, 16, seed=1, low=-0.5, high=0.5), _rand(4, 16, seed=2, low=-0.5, high=0.5),
      _rand(16, seed=3), _rand(2, 4, seed=4), _rand(2, 4, seed=5)]),
    ("lstm_hard_sigmoid_zero_output", lambda x, k, r, h, c: ops.lstm(
        x, k, r, None, h, c, mask=np.array([[1, 1, 0, 1], [0, 1, 1, 1]], bool), activation="relu",
        recurrent_activation="hard_sigmoid", zero_output_for_mask=True),
     [_rand(2, 4, 3), _rand(3, 8, seed=1), _rand(2, 8, seed=2), _rand(2, 2, seed=4), _rand(2, 2, seed=5)]),
    ("lstm_many_features", lambda x, k, r, b, h, c: ops.lstm(x, k, r, b, h, c, go_backwards=True),
     [_rand(2, 4, 40), _rand(40, 12, seed=1, low=-0.2, high=0.2), _rand(3, 12, seed=2, low=-0.5, high=0.5),
      _rand(12, seed=3), _rand(2, 3, seed=4), _rand(2, 3, seed=5)]),
    ("gru_masked", lambda x, k, r, b, h: ops.gru(x, k, r, b, h, mask=np.array([[1, 1, 1, 0], [0, 0, 1, 1]], bool)),
     [_rand(2, 4, 3), _rand(3, 12, seed=1, low=-0.5, high=0.5), _rand(4, 12, seed=2, low=-0.5, high=0.5),
      _rand(2, 12, seed=3), _rand(2, 4, seed=4)]),
    ("gru_no_reset_after_backwards", lambda x, k, r, b, h: ops.gru(x, k, r, b, h, reset_after=False,
                                                                 go_backwards=True),
     [_rand(2, 4, 3), _rand(3, 12, seed=1, low=-0.5, high=0.5), _rand(4, 12, seed=2, low=-0.5, high=0.5),
      _rand(12, seed=3), _rand(2, 4, seed=4)]),
    # attention: host masks (a user's arrays) are moved to the scores' device by the ops
    ("masked_softmax", lambda s: ops.masked_softmax(s, np.arange(5) < np.array([[2], [5], [0]])[:, None, :]),
     [_rand(3, 4, 5)]),
    ("additive_scores", lambda q, k, w: ops.additive_scores(q, k, w), [_rand(2, 3, 4), _rand(2, 5, 4, seed=1),
                                                                       _rand(4, seed=2)]),
    ("dot_product_attention_causal", lambda q, k, v: ops.dot_product_attention(
        q, k, v, mask=ops.causal_mask(3, 5, like=q.data), scale=0.5)[0],
     [_rand(2, 2, 3, 4), _rand(2, 2, 5, 4, seed=1), _rand(2, 2, 5, 6, seed=2)]),
]


@pytest.mark.parametrize("fn, inputs", [pytest.param(c[1], c[2], id=c[0]) for c in SPATIAL_CASES])
def test_spatial_normalization_and_loss_ops_run_on_the_device(fn, inputs):
    _same_on_device(fn, inputs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("method", ["im2col", "col2im", "taps"])
def test_every_convolution_algorithm_runs_on_the_device(method, monkeypatch):
    from glassnet.ops import convolution
    if method == "taps":  # the tap-products forward and kernel gradient
        monkeypatch.setattr(convolution, "FORWARD_METHOD", "taps")
    else:
        monkeypatch.setattr(convolution, "INPUT_GRAD_METHOD", method)
    _same_on_device(lambda x, w: ops.conv2d(x, w, strides=(2, 1), padding="same"),
                    [_rand(2, 7, 6, 4), _rand(3, 2, 4, 5, seed=1)], rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- static check
# Modules that compute on device arrays. They may use NumPy only for dtypes and for host
# arithmetic on shapes; array work goes through ``self.xp`` or ``backend.array_module``.
SEAM_MODULES = ["core", "ops", "layers", "optimizers", "losses", "numerics.py", "regularizers.py"]
HOST_NUMPY_NAMES = {
    "dtype", "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_",
    "integer", "floating", "generic", "number", "iinfo", "finfo", "inf", "nan", "pi",
    "broadcast_shapes", "argsort",
}
# NumPy on the host, named one by one: shape arithmetic (a shape probe, a pad-width table),
# host copies that the API promises (get_weights, optimizer state), host arrays given by a user
HOST_NUMPY_USES = {
    ("ops/shape.py", "squeeze"), ("ops/shape.py", "expand_dims"), ("ops/shape.py", "broadcast_to"),
    ("ops/shape.py", "empty"), ("ops/shape.py", "asarray"), ("ops/shape.py", "ndarray"),
    ("ops/convolution.py", "shape"), ("core/tensor.py", "ndarray"), ("core/tensor.py", "asarray"),
    ("core/tensor.py", "array2string"), ("numerics.py", "shape"),
    ("layers/base.py", "array"), ("layers/base.py", "shape"),
    ("optimizers/base.py", "array"), ("optimizers/base.py", "asarray"),
    ("optimizers/schedules.py", "asarray"), ("regularizers.py", "asarray"),
}
ROOT = pathlib.Path(gn.__file__).parent


def _numpy_uses(tree):
    """(line, attribute) of every ``np.<attribute>`` outside annotations."""
    annotations = set()
    for node in ast.walk(tree):
        for ann in ([getattr(node, "returns", None), getattr(node, "annotation", None)]):
            if ann is not None:
                annotations.update(id(n) for n in ast.walk(ann))
    return [(n.lineno, n.attr) for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "np"
            and id(n) not in annotations]


def test_modules_that_compute_on_device_arrays_keep_numpy_to_dtypes_and_shapes():
    offences = []
    for name in SEAM_MODULES:
        paths = [ROOT / name] if name.endswith(".py") else sorted((ROOT / name).rglob("*.py"))
        for path in paths:
            rel = path.relative_to(ROOT).as_posix()
            for line, attr in _numpy_uses(ast.parse(path.read_text())):
                if attr not in HOST_NUMPY_NAMES and (rel, attr) not in HOST_NUMPY_USES:
                    offences.append(f"{rel}:{line}: np.{attr}")
    assert not offences, "NumPy called on device data; use self.xp / backend.array_module:\n" + "\n".join(offences)


# --------------------------------------------------------------------------- a training step
def _small_cnn():
    from glassnet import layers
    gn.backend.clear_session()
    return gn.Sequential([
        layers.Input((6, 6, 2)),
        layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(8),
        layers.LeakyReLU(),
        layers.LayerNormalization(),
        layers.Dense(3, activation="softmax"),
    ])


@pytest.mark.parametrize("optimizer", ["sgd_momentum", "adam", "rmsprop_centered", "adagrad"])
def test_a_training_step_of_layers_losses_and_optimizers_runs_on_the_device(optimizer):
    """Forward (training mode), loss, backward and the optimizer's update of a small CNN give
    the same weights on the device as on the host, and leave every weight on the device."""
    make = {"sgd_momentum": lambda: gn.optimizers.SGD(0.1, momentum=0.9),
            "adam": lambda: gn.optimizers.Adam(0.01),
            "rmsprop_centered": lambda: gn.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
            "adagrad": lambda: gn.optimizers.Adagrad(0.1)}[optimizer]
    x = _rand(5, 6, 6, 2)
    y = np.array([0, 2, 1, 1, 0])

    def train(on_device):
        model = _small_cnn()
        gn.backend.set_seed(0)
        for i, p in enumerate(model.weights):
            p.assign(np.random.default_rng(i).uniform(-0.5, 0.5, p.shape).astype(F32))
            if on_device:
                p.data = to_device(p.data)
        place = to_device if on_device else (lambda a: a)
        opt, loss_fn = make(), gn.losses.SparseCategoricalCrossentropy()
        for _ in range(2):
            for p in model.trainable_weights:
                p.grad = None
            loss = loss_fn(place(y), model(Tensor(place(x)), training=True))
            loss.backward()
            opt.apply(model.trainable_weights)
        if on_device:
            assert all(type(p.data) is DeviceArray for p in model.weights)
        return float(loss.data), model.get_weights()

    host_loss, host_weights = train(on_device=False)
    with on_fake_device():
        dev_loss, dev_weights = train(on_device=True)
    assert dev_loss == pytest.approx(host_loss, rel=1e-6)
    for h, d in zip(host_weights, dev_weights):
        assert type(d) is np.ndarray  # get_weights gives host copies
        np.testing.assert_allclose(d, h, rtol=1e-5, atol=1e-6)


def test_embedding_masks_and_masked_losses_run_on_the_device():
    """Token ids and masks made from them stay on the device through Embedding, Masking-aware
    pooling, a per-step Dense and a masked sequence loss."""
    from glassnet import layers
    ids = np.array([[3, 1, 4, 0], [5, 2, 0, 0]])
    y = np.array([[1, 0, 2, 0], [2, 2, 0, 0]])

    def run(on_device):
        gn.backend.clear_session()
        gn.backend.set_seed(0)
        emb = layers.Embedding(6, 4, mask_zero=True)
        head = layers.Dense(3, activation="softmax")
        pool = layers.GlobalAveragePooling1D()
        head(emb(ids))  # build both layers on the host
        place = to_device if on_device else (lambda a: a)
        for p in emb.weights + head.weights:
            p.data = place(p.data)
        h = emb(Tensor(place(ids)))
        out = head(h)
        loss = gn.losses.SparseCategoricalCrossentropy()(place(y), out) + ops.sum(pool(h))
        loss.backward()
        grads = [emb.embeddings.grad, head.kernel.grad]
        if on_device:
            assert type(out._keras_mask) is DeviceArray
            assert all(type(g) is DeviceArray for g in grads)
            grads = [g.get() for g in grads]
        return float(loss.data), grads

    host_loss, host_grads = run(False)
    with on_fake_device():
        dev_loss, dev_grads = run(True)
    assert dev_loss == pytest.approx(host_loss, rel=1e-6)
    for h, d in zip(host_grads, dev_grads):
        np.testing.assert_allclose(d, h, rtol=1e-5, atol=1e-7)
