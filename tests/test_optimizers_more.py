"""The optimizers Keras 3 has beyond SGD/Adagrad/RMSprop/Adam: AdamW, Adadelta, Adamax, Nadam,
Ftrl and Lion, checked against real Keras 3 (on its PyTorch backend) as the oracle, and where
PyTorch has the same rule, against ``torch.optim`` too.

Also: every optimizer on a weight of shape ``()`` (a scalar weight once crashed Adam, RMSprop
and Adagrad), names in ``compile``, saving and resuming with the optimizer state, schedules as
the learning rate, the fake device of the array seam, and argument errors.
"""
from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import Parameter, layers, optimizers
from glassnet.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Ftrl, Lion, Nadam, RMSprop
from device_double import DeviceArray, on_fake_device, to_device
from helpers import import_keras_on_torch

SHAPES = [(3, 4), (4,), ()]          # () : a scalar weight
SCALES = [3.0, 1.0, 0.2, 2.0, 0.5]   # gradient scale per step
NEW = {"AdamW": AdamW, "Adadelta": Adadelta, "Adamax": Adamax, "Nadam": Nadam, "Ftrl": Ftrl, "Lion": Lion}
ALL = {**NEW, "SGD": SGD, "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam}


def weights_and_grads(seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-1, 1, s) for s in SHAPES]
    grads = [[s * rng.standard_normal(shape) for shape in SHAPES] for s in SCALES]
    return weights, grads


def run_glassnet(opt, weights, grads, dtype):
    params = [Parameter(np.asarray(w, dtype), name=f"layer/w{i}", dtype=dtype) for i, w in enumerate(weights)]
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = np.asarray(g, dtype)
        opt.apply(params)
    return [p.data for p in params]


@pytest.fixture(scope="module")
def keras():
    """Real Keras 3 on its PyTorch backend (the backend must be chosen before the import)."""
    return import_keras_on_torch()


def run_keras(keras, opt, weights, grads, dtype):
    variables = [keras.Variable(np.asarray(w, dtype), dtype=dtype, name=f"w{i}") for i, w in enumerate(weights)]
    for gs in grads:
        opt.apply_gradients([(keras.ops.convert_to_tensor(np.asarray(g, dtype)), v) for g, v in zip(gs, variables)])
    return [keras.ops.convert_to_numpy(v.value) for v in variables]


# --------------------------------------------------------------------------- Keras as the oracle
KERAS_CASES = [
    ("AdamW", {}),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1}),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1, "amsgrad": True, "beta_2": 0.5}),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1, "clipnorm": 1.0}),
    ("Adadelta", {}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.8, "epsilon": 1e-4}),
    ("Adadelta", {"learning_rate": 0.5, "weight_decay": 0.05, "global_clipnorm": 2.0}),
    ("Adamax", {}),
    ("Adamax", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.8, "epsilon": 1e-3}),
    ("Adamax", {"learning_rate": 0.05, "clipvalue": 0.5}),
    ("Nadam", {}),
    ("Nadam", {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.9}),
    ("Nadam", {"learning_rate": 0.05, "weight_decay": 0.1}),
    ("Ftrl", {}),
    ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.05, "l2_regularization_strength": 0.1}),
    ("Ftrl", {"learning_rate": 0.2, "learning_rate_power": -0.7, "initial_accumulator_value": 0.5,
              "l2_shrinkage_regularization_strength": 0.05, "beta": 0.2}),
    ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": 0.0, "l1_regularization_strength": 0.5}),
    ("Lion", {}),
    ("Lion", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "weight_decay": 0.1}),
    ("Lion", {"learning_rate": 0.05, "global_clipnorm": 1.0}),
]


def case_id(case):
    name, kwargs = case
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", KERAS_CASES, ids=[case_id(c) for c in KERAS_CASES])
def test_matches_keras(keras, case, dtype):
    name, kwargs = case
    weights, grads = weights_and_grads()
    ours = run_glassnet(NEW[name](**kwargs), weights, grads, dtype)
    theirs = run_keras(keras, getattr(keras.optimizers, name)(**kwargs), weights, grads, dtype)
    # Keras keeps the learning rate as a float32 variable, hence 1e-7 in float64
    tol = 1e-7 if dtype == "float64" else 3e-6
    for a, b, shape in zip(ours, theirs, SHAPES):
        assert a.dtype == np.dtype(dtype) and a.shape == shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    assert np.abs(ours[0] - weights[0].astype(dtype)).max() > 1e-6  # the steps moved the weights


@pytest.mark.parametrize("name", sorted(NEW))
def test_schedule_as_learning_rate_matches_keras(keras, name):
    weights, grads = weights_and_grads(1)
    ours = NEW[name](learning_rate=optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5))
    theirs = getattr(keras.optimizers, name)(
        learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5))
    a = run_glassnet(ours, weights, grads, "float64")
    b = run_keras(keras, theirs, weights, grads, "float64")
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)


def test_keras_defaults(keras):
    for name, cls in NEW.items():
        ours, theirs = cls().get_config(), getattr(keras.optimizers, name)().get_config()
        shared = set(ours) & set(theirs) - {"name"}
        assert len(shared) >= 5, name
        for k in shared:  # Keras reports its float32 learning-rate variable
            assert ours[k] == (pytest.approx(theirs[k], rel=1e-7) if isinstance(theirs[k], float) else theirs[k]), \
                (name, k)
        assert ours["name"] == name.lower()


def test_exclude_from_weight_decay_matches_keras(keras):
    weights, grads = weights_and_grads(2)
    ours = AdamW(0.05, weight_decay=0.2)
    ours.exclude_from_weight_decay(var_names=["w1"])
    theirs = keras.optimizers.AdamW(0.05, weight_decay=0.2)
    theirs.exclude_from_weight_decay(var_names=["w1"])
    a = run_glassnet(ours, weights, grads, "float64")
    b = run_keras(keras, theirs, weights, grads, "float64")
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-7, atol=1e-7)
    plain = run_glassnet(AdamW(0.05, weight_decay=0.2), weights, grads, "float64")
    assert not np.allclose(plain[1], a[1]) and np.allclose(plain[0], a[0])
    by_param = AdamW(0.05, weight_decay=0.2)
    by_param.exclude_from_weight_decay(var_list=[Parameter(np.zeros(4), name="layer/w1")])
    for x, y in zip(run_glassnet(by_param, weights, grads, "float64"), a):
        np.testing.assert_array_equal(x, y)


# --------------------------------------------------------------------------- PyTorch, where the rule is the same
def run_torch(make, weights, grads):
    torch = pytest.importorskip("torch")
    ts = [torch.tensor(np.asarray(w, np.float64), requires_grad=True) for w in weights]
    opt = make(torch, ts)
    for gs in grads:
        for t, g in zip(ts, gs):
            t.grad = torch.tensor(np.asarray(g, np.float64))
        opt.step()
    return [t.detach().numpy() for t in ts]


TORCH_CASES = {
    # same rule, PyTorch's defaults differ (lr=1.0, eps=1e-6)
    "Adadelta": (Adadelta(1.0, rho=0.9, epsilon=1e-6),
                 lambda torch, ts: torch.optim.Adadelta(ts, lr=1.0, rho=0.9, eps=1e-6)),
    # PyTorch adds eps inside the max: the same rule at eps = 0
    "Adamax": (Adamax(0.05, epsilon=0.0), lambda torch, ts: torch.optim.Adamax(ts, lr=0.05, eps=0.0)),
    # Keras's Nadam is PyTorch's NAdam with momentum_decay=1 (PyTorch's default is 0.004)
    "Nadam": (Nadam(0.05, epsilon=1e-7),
              lambda torch, ts: torch.optim.NAdam(ts, lr=0.05, eps=1e-7, momentum_decay=1.0)),
    # PyTorch bias-corrects v before adding eps: the same rule at eps = 0
    "AdamW": (AdamW(0.05, weight_decay=0.1, epsilon=0.0),
              lambda torch, ts: torch.optim.AdamW(ts, lr=0.05, weight_decay=0.1, eps=0.0)),
    "AdamW-amsgrad": (AdamW(0.05, weight_decay=0.1, epsilon=0.0, amsgrad=True, beta_2=0.5),
                      lambda torch, ts: torch.optim.AdamW(ts, lr=0.05, weight_decay=0.1, eps=0.0, amsgrad=True,
                                                          betas=(0.9, 0.5))),
}


@pytest.mark.parametrize("name", sorted(TORCH_CASES))
def test_matches_torch_where_the_rule_is_the_same(name):
    ours, make = TORCH_CASES[name]
    weights, grads = weights_and_grads(3)
    a = run_glassnet(ours, weights, grads, "float64")
    b = run_torch(make, weights, grads)
    tol = 1e-7 if name == "Nadam" else 1e-12  # PyTorch keeps NAdam's mu_product in float32
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=tol, atol=tol)


def test_torch_nadam_default_momentum_decay_is_another_rule():
    weights, grads = weights_and_grads(3)
    a = run_glassnet(Nadam(0.05), weights, grads, "float64")
    b = run_torch(lambda torch, ts: torch.optim.NAdam(ts, lr=0.05, eps=1e-7), weights, grads)
    assert not np.allclose(a[0], b[0], rtol=1e-3)


# --------------------------------------------------------------------------- shape ()
@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_weight_of_shape_empty_tuple_updates_like_a_weight_of_one_element(name, dtype):
    kwargs = {"learning_rate": 0.1}
    kwargs.update({"SGD": {"momentum": 0.9}, "RMSprop": {"momentum": 0.5, "centered": True},
                   "Adam": {"amsgrad": True}}.get(name, {}))
    scalar = Parameter(np.asarray(0.7, dtype), name="s/w", dtype=dtype)
    vector = Parameter(np.asarray([0.7], dtype), name="s/w", dtype=dtype)
    opt_s, opt_v = ALL[name](**kwargs), ALL[name](**kwargs)
    for g in (1.5, -0.3, 0.8):
        scalar.grad, vector.grad = np.asarray(g, dtype), np.asarray([g], dtype)
        opt_s.apply([scalar])
        opt_v.apply([vector])
    assert scalar.data.shape == () and scalar.data.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(scalar.data.reshape(1), vector.data)
    assert all(v.shape == () for k, v in opt_s.get_state().items() if k != "iterations")


def test_a_scalar_weight_trains_through_autograd():
    w = Parameter(np.asarray(0.0, np.float32), name="quad/w")
    opt = Adam(0.1)
    for _ in range(200):
        opt.zero_grad([w])
        ((w - 3.0) ** 2).backward()
        opt.apply([w])
    assert w.data.shape == () and abs(float(w.data) - 3.0) < 0.05


# --------------------------------------------------------------------------- names, compile, saving
def test_names_resolve_to_the_new_classes_with_keras_defaults():
    for name, cls in NEW.items():
        assert type(optimizers.get(name.lower())) is cls
        assert type(optimizers.get(name)) is cls
        assert optimizers.get(name.lower()).learning_rate == 0.001
    assert optimizers.get("adamw").weight_decay == 0.004
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamz'.*'adamw'.*'lion'.*'nadam'"):
        optimizers.get("adamz")


def _model():
    gn.utils.set_random_seed(0)
    return gn.Sequential([layers.Input((5,)), layers.Dense(6, activation="tanh"), layers.Dense(1)])


@pytest.mark.parametrize("name", ["adamw", "adadelta", "adamax", "nadam", "ftrl", "lion"])
def test_compile_by_name_trains_saves_and_resumes_identically(name, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 5)).astype(np.float32)
    y = (x @ rng.standard_normal((5, 1))).astype(np.float32)
    model = _model()
    model.compile(optimizer=name, loss="mse")
    assert type(model.optimizer) is NEW[type(optimizers.get(name)).__name__]
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    path = tmp_path / "m.glassnet"
    model.save(path)
    loaded = gn.load_model(path)
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations == 8
    a, b = model.optimizer.get_state(), loaded.optimizer.get_state()
    assert set(a) == set(b) and len(a) > 1
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    model.train_on_batch(x[:8], y[:8])
    loaded.train_on_batch(x[:8], y[:8])
    for w1, w2 in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(w1, w2)


def test_nadam_resumes_identically_from_state():
    """Nadam's running product of momentum coefficients is rebuilt from ``iterations``."""
    weights, grads = weights_and_grads(4)
    straight = run_glassnet(Nadam(0.05), weights, grads, "float64")
    first = Nadam(0.05)
    params = [Parameter(np.asarray(w), name=f"layer/w{i}", dtype="float64") for i, w in enumerate(weights)]
    for gs in grads[:3]:
        for p, g in zip(params, gs):
            p.grad = g
        first.apply(params)
    resumed = Nadam.from_config(first.get_config())
    resumed.set_state(first.get_state())
    for gs in grads[3:]:
        for p, g in zip(params, gs):
            p.grad = g
        resumed.apply(params)
    for p, s in zip(params, straight):
        np.testing.assert_array_equal(p.data, s)


# --------------------------------------------------------------------------- the array seam
@pytest.mark.parametrize("name", sorted(NEW))
def test_updates_stay_on_the_device(name):
    kwargs = {"learning_rate": 0.1, "weight_decay": 0.05}
    if name == "Ftrl":
        kwargs["l1_regularization_strength"] = 0.01
    weights, grads = weights_and_grads(5)
    host = run_glassnet(NEW[name](**kwargs), weights, grads, "float32")
    with on_fake_device():
        params = [Parameter(np.asarray(w, np.float32), name=f"layer/w{i}") for i, w in enumerate(weights)]
        for p in params:
            p.data = to_device(p.data)
        opt = NEW[name](**kwargs)
        for gs in grads:
            for p, g in zip(params, gs):
                p.grad = to_device(np.asarray(g, np.float32))
            opt.apply(params)
        assert all(type(p.data) is DeviceArray for p in params)
        device = [p.data.get() for p in params]
    for h, d in zip(host, device):
        np.testing.assert_allclose(d, h, rtol=1e-6, atol=1e-7)


# --------------------------------------------------------------------------- errors
def test_argument_errors_name_the_argument_expected_and_received():
    with pytest.raises(ValueError, match=r"AdamW: expected weight_decay to be a non-negative number, received None"):
        AdamW(weight_decay=None)
    with pytest.raises(ValueError, match=r"expected weight_decay in \[0.0, inf\], received -0.1"):
        Lion(weight_decay=-0.1)
    with pytest.raises(ValueError, match=r"Lion: expected beta_1 in \(0.0, 1.0\].*received 0.0"):
        Lion(beta_1=0.0)
    with pytest.raises(ValueError, match=r"expected learning_rate_power in \[-inf, 0.0\], received 0.5"):
        Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match=r"expected l1_regularization_strength in \[0.0, inf\], received -1"):
        Ftrl(l1_regularization_strength=-1)
    with pytest.raises(ValueError, match=r"expected rho in \[0.0, 1.0\), received 1.0"):
        Adadelta(rho=1.0)
    with pytest.raises(ValueError, match=r"Nadam: expected beta_2 in \[0.0, 1.0\), received 2"):
        Nadam(beta_2=2)
    with pytest.raises(TypeError, match="expected var_names to be a list of strings"):
        AdamW().exclude_from_weight_decay(var_names="bias")
    p = Parameter(np.ones(2), name="f/w")
    p.grad = np.ones(2, np.float32)
    with pytest.raises(ValueError, match="Ftrl divides by the learning rate; expected a positive learning rate"):
        Ftrl(learning_rate=0.0).apply([p])


@pytest.mark.parametrize("name", ["Adam", "SGD", "RMSprop", "Nadam", "Lion"])
def test_state_of_a_weight_with_zero_gradient_decays_to_zero_not_to_subnormals(name):
    # a dead unit's momentum decays geometrically; left alone it sticks in the subnormals
    # (0.9 * smallest subnormal rounds back to it), where every step computes up to 100x slower
    opt = ALL[name](momentum=0.9) if name == "SGD" else ALL[name]()
    w = Parameter(np.ones(64, np.float32), name="dead/kernel")
    w.grad = np.full(64, 1e-3, np.float32)
    opt.apply([w])
    for _ in range(1500):
        w.grad = np.zeros(64, np.float32)
        opt.apply([w])
    tiny = np.finfo(np.float32).tiny
    for slot, state in opt._slots["dead/kernel"].items():
        assert not np.any((state != 0) & (np.abs(state) < tiny)), f"{name} {slot} holds subnormals"


def test_flushing_subnormal_state_leaves_ordinary_training_bit_identical(monkeypatch):
    from glassnet.optimizers import base
    weights, grads = weights_and_grads()
    grads = grads * 8  # 40 steps: two flushes
    flushed = run_glassnet(Adam(), weights, grads, np.float32)
    monkeypatch.setattr(base, "SUBNORMAL_FLUSH_EVERY", 10**9)
    unflushed = run_glassnet(Adam(), weights, grads, np.float32)
    for a, b in zip(flushed, unflushed):
        np.testing.assert_array_equal(a, b)
