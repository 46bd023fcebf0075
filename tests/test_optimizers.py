"""Optimizers against straightforward float64 NumPy references of Keras 3's update rules.

Every option (momentum, nesterov, centered, amsgrad, the three clipping modes) runs 5 steps
from the same weights and gradients, with a constant learning rate, one changed mid-training
and a schedule, and must agree with the reference written here. PyTorch is used to show where
its rules coincide with Keras's and where they differ.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from glassnet import Parameter, optimizers
from glassnet.optimizers import SGD, Adagrad, Adam, RMSprop

SHAPES = [(3, 4), (4,)]
STEPS = 5


def make_weights(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, s).astype(dtype) for s in SHAPES]


def make_grads(seed=1, dtype=np.float32):
    """5 steps of gradients whose scale changes (so AMSGrad and clipping have work to do)."""
    rng = np.random.default_rng(seed)
    scales = [3.0, 1.0, 0.2, 2.0, 0.5]
    return [[(s * rng.standard_normal(shape)).astype(dtype) for shape in SHAPES] for s in scales]


def opt_id(opt):
    """A short test id: the class name and the settings that differ from the defaults."""
    if isinstance(opt, int):
        return str(opt)
    default = type(opt)().get_config()
    diff = {k: v for k, v in opt.get_config().items() if default.get(k) != v}
    return type(opt).__name__ + "".join(f"-{k}={v}" for k, v in diff.items())


def make_params(weights, dtype=None):
    return [Parameter(w.copy(), name=f"layer/w{i}", dtype=dtype) for i, w in enumerate(weights)]


# ------------------------------------------------------------------- learning-rate modes
LR = 0.05
LR_MODES = {
    "constant": (lambda: LR, None, lambda t: LR),
    "changed_mid_training": (lambda: LR, {2: 0.2, 4: 0.01}, lambda t: LR if t < 2 else (0.2 if t < 4 else 0.01)),
    "schedule": (lambda: (lambda step: LR / (1.0 + step)), None, lambda t: LR / (1.0 + t)),
}


def run_glassnet(opt, weights, grads_seq, lr_changes=None, dtype=None):
    params = make_params(weights, dtype)
    for step, grads in enumerate(grads_seq):
        if lr_changes and step in lr_changes:
            opt.learning_rate = lr_changes[step]
        for p, g in zip(params, grads):
            p.grad = g
        opt.apply(params)
    return params


# ------------------------------------------------------------------- float64 references
def ref_clip(grads, clipnorm=None, clipvalue=None, global_clipnorm=None):
    if clipnorm is not None:
        return [g * clipnorm / max(np.sqrt(np.sum(g ** 2)), clipnorm) for g in grads]
    if global_clipnorm is not None:
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
        return [g * global_clipnorm / max(norm, global_clipnorm) for g in grads]
    if clipvalue is not None:
        return [np.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads


def ref_sgd(w, g, lr, t, s, momentum=0.0, nesterov=False):
    if momentum == 0:
        return w - lr * g
    v = momentum * s.get("v", 0.0) - lr * g
    s["v"] = v
    return w + momentum * v - lr * g if nesterov else w + v


def ref_adagrad(w, g, lr, t, s, initial_accumulator_value=0.1, epsilon=1e-7):
    acc = s.get("acc", initial_accumulator_value) + g ** 2
    s["acc"] = acc
    return w - lr * g / np.sqrt(acc + epsilon)


def ref_rmsprop(w, g, lr, t, s, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    v = rho * s.get("v", 0.0) + (1 - rho) * g ** 2
    s["v"] = v
    if centered:
        mg = rho * s.get("mg", 0.0) + (1 - rho) * g
        s["mg"] = mg
        step = lr * g / np.sqrt(v - mg ** 2 + epsilon)
    else:
        step = lr * g / np.sqrt(v + epsilon)
    if momentum > 0:
        m = momentum * s.get("m", 0.0) + step
        s["m"] = m
        return w - m
    return w - step


def ref_adam(w, g, lr, t, s, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    m = beta_1 * s.get("m", 0.0) + (1 - beta_1) * g
    v = beta_2 * s.get("v", 0.0) + (1 - beta_2) * g ** 2
    s["m"], s["v"] = m, v
    if amsgrad:
        v = np.maximum(s.get("vhat", 0.0), v)
        s["vhat"] = v
    alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return w - alpha * m / (np.sqrt(v) + epsilon)


RULES = {SGD: ref_sgd, Adagrad: ref_adagrad, RMSprop: ref_rmsprop, Adam: ref_adam}
CLIP_KEYS = ("clipnorm", "clipvalue", "global_clipnorm")


def reference(cls, kwargs, weights, grads_seq, lr_at):
    hyper = {k: v for k, v in kwargs.items() if k not in CLIP_KEYS}
    clip = {k: v for k, v in kwargs.items() if k in CLIP_KEYS}
    w = [x.astype(np.float64) for x in weights]
    states = [{} for _ in w]
    for t, grads in enumerate(grads_seq):
        g = ref_clip([x.astype(np.float64) for x in grads], **clip)
        w = [RULES[cls](wi, gi, lr_at(t), t + 1, si, **hyper) for wi, gi, si in zip(w, g, states)]
    return w


CASES = [
    (SGD, {}),
    (SGD, {"momentum": 0.9}),
    (SGD, {"momentum": 0.9, "nesterov": True}),
    (SGD, {"clipnorm": 1.0}),
    (SGD, {"momentum": 0.5, "clipvalue": 0.5}),
    (SGD, {"momentum": 0.9, "global_clipnorm": 2.0}),
    (Adagrad, {}),
    (Adagrad, {"initial_accumulator_value": 0.0, "epsilon": 1e-3}),
    (Adagrad, {"clipnorm": 0.5}),
    (RMSprop, {}),
    (RMSprop, {"momentum": 0.9}),
    (RMSprop, {"centered": True}),
    (RMSprop, {"centered": True, "momentum": 0.5, "rho": 0.8}),
    (RMSprop, {"global_clipnorm": 1.0}),
    (Adam, {}),
    (Adam, {"amsgrad": True, "beta_2": 0.5}),
    (Adam, {"beta_1": 0.5, "epsilon": 1e-3}),
    (Adam, {"clipvalue": 0.3}),
    (Adam, {"amsgrad": True, "global_clipnorm": 1.5}),
]


def case_id(case):
    cls, kwargs = case
    return cls.__name__ + "".join(f"-{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("lr_mode", sorted(LR_MODES))
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_matches_float64_reference(case, lr_mode):
    cls, kwargs = case
    make_lr, changes, lr_at = LR_MODES[lr_mode]
    weights, grads = make_weights(), make_grads()
    opt = cls(learning_rate=make_lr(), **kwargs)
    params = run_glassnet(opt, weights, grads, changes)
    expected = reference(cls, kwargs, weights, grads, lr_at)
    for p, e in zip(params, expected):
        assert p.data.dtype == np.float32
        np.testing.assert_allclose(p.data, e, rtol=1e-6, atol=1e-6)
    assert opt.iterations == STEPS


def test_options_change_the_result():
    """Guard against a reference that never exercises an option: each one matters here."""
    weights, grads = make_weights(), make_grads()
    pairs = [
        ((SGD, {"momentum": 0.9}), (SGD, {"momentum": 0.9, "nesterov": True})),
        ((RMSprop, {}), (RMSprop, {"centered": True})),
        ((Adam, {"beta_2": 0.5}), (Adam, {"beta_2": 0.5, "amsgrad": True})),
        ((SGD, {}), (SGD, {"clipnorm": 1.0})),
        ((SGD, {}), (SGD, {"clipvalue": 0.5})),
        ((SGD, {}), (SGD, {"global_clipnorm": 2.0})),
    ]
    for (c1, k1), (c2, k2) in pairs:
        a = reference(c1, k1, weights, grads, lambda t: LR)
        b = reference(c2, k2, weights, grads, lambda t: LR)
        assert not np.allclose(a[0], b[0], rtol=1e-4, atol=1e-5), (k1, k2)


# ------------------------------------------------------------------- PyTorch: same and different
def _torch():
    return pytest.importorskip("torch")


def run_torch(make_opt, weights, grads_seq, lr_changes=None):
    torch = _torch()
    ts = [torch.tensor(w.astype(np.float64), requires_grad=True) for w in weights]
    opt = make_opt(ts)
    for step, grads in enumerate(grads_seq):
        if lr_changes and step in lr_changes:
            for group in opt.param_groups:
                group["lr"] = lr_changes[step]
        for t, g in zip(ts, grads):
            t.grad = torch.tensor(g.astype(np.float64))
        opt.step()
    return [t.detach().numpy() for t in ts]


def glassnet64(opt, weights, grads, changes=None):
    params = run_glassnet(opt, [w.astype(np.float64) for w in weights],
                          [[g.astype(np.float64) for g in gs] for gs in grads], changes, dtype=np.float64)
    assert all(p.data.dtype == np.float64 for p in params)
    return [p.data for p in params]


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_coincides_with_torch_at_constant_lr(momentum, nesterov):
    torch = _torch()
    weights, grads = make_weights(), make_grads()
    ours = glassnet64(SGD(0.1, momentum=momentum, nesterov=nesterov), weights, grads)
    theirs = run_torch(lambda ts: torch.optim.SGD(ts, lr=0.1, momentum=momentum, nesterov=nesterov),
                       weights, grads)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_sgd_momentum_differs_from_torch_when_lr_changes():
    """Keras: v = mu v - lr g (old steps keep their old lr). PyTorch: b = mu b + g, w -= lr b."""
    torch = _torch()
    weights, grads = make_weights(), make_grads()
    changes = {2: 0.5}
    ours = glassnet64(SGD(0.1, momentum=0.9), weights, grads, changes)
    theirs = run_torch(lambda ts: torch.optim.SGD(ts, lr=0.1, momentum=0.9), weights, grads, changes)
    assert not np.allclose(ours[0], theirs[0], rtol=1e-3)
    # PyTorch's rule written out confirms it is the buffer rule, not a bug on either side
    w = weights[0].astype(np.float64)
    b = np.zeros_like(w)
    for t, gs in enumerate(grads):
        b = 0.9 * b + gs[0].astype(np.float64)
        w = w - (0.1 if t < 2 else 0.5) * b
    np.testing.assert_allclose(theirs[0], w, rtol=1e-12)


def test_epsilon_placement_is_the_only_difference_from_torch():
    """With epsilon = 0, Keras's and PyTorch's RMSprop, Adagrad and Adam coincide; with a
    large epsilon they differ (Keras: inside the sqrt for RMSprop/Adagrad, not bias-corrected
    for Adam)."""
    torch = _torch()
    weights, grads = make_weights(), make_grads()
    pairs = [
        (lambda eps: RMSprop(0.01, rho=0.9, epsilon=eps),
         lambda eps: (lambda ts: torch.optim.RMSprop(ts, lr=0.01, alpha=0.9, eps=eps))),
        (lambda eps: Adagrad(0.1, initial_accumulator_value=0.0, epsilon=eps),
         lambda eps: (lambda ts: torch.optim.Adagrad(ts, lr=0.1, initial_accumulator_value=0.0, eps=eps))),
        (lambda eps: Adam(0.01, epsilon=eps),
         lambda eps: (lambda ts: torch.optim.Adam(ts, lr=0.01, eps=eps))),
    ]
    for ours_at, theirs_at in pairs:
        a = glassnet64(ours_at(0.0), weights, grads)
        b = run_torch(theirs_at(0.0), weights, grads)
        np.testing.assert_allclose(a[0], b[0], rtol=1e-10, atol=1e-12)
        a = glassnet64(ours_at(0.1), weights, grads)
        b = run_torch(theirs_at(0.1), weights, grads)
        assert not np.allclose(a[0], b[0], rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------- state save / resume
ALL = [SGD(0.05), SGD(0.05, momentum=0.9, nesterov=True), Adagrad(0.05), RMSprop(0.01, momentum=0.5, centered=True),
       Adam(0.01), Adam(0.01, amsgrad=True)]


@pytest.mark.parametrize("opt", ALL, ids=opt_id)
def test_state_round_trip_continues_identically(opt):
    weights, grads = make_weights(), make_grads()
    fresh = type(opt).from_config(opt.get_config())
    straight = run_glassnet(fresh, weights, grads)

    first = type(opt).from_config(opt.get_config())
    params = run_glassnet(first, weights, grads[:3])
    state = first.get_state()
    assert int(state["iterations"]) == 3
    assert set(state) == {"iterations"} | {f"layer/w{i}/{s}" for i in range(2) for s in first.slot_names}
    state = {k: v.copy() for k, v in state.items()}
    json.dumps(first.get_config())

    resumed = type(opt).from_config(json.loads(json.dumps(first.get_config())))
    resumed.set_state(state)
    for gs in grads[3:]:
        for p, g in zip(params, gs):
            p.grad = g
        resumed.apply(params)
    for a, b in zip(params, straight):
        np.testing.assert_array_equal(a.data, b.data)
    assert resumed.iterations == fresh.iterations == STEPS


def test_get_state_is_a_copy():
    opt = Adam(0.1)
    params = run_glassnet(opt, make_weights(), make_grads()[:1])
    state = opt.get_state()
    before = state["layer/w0/momentum"].copy()
    params[0].grad = np.ones(SHAPES[0], np.float32)
    opt.apply(params[:1])
    np.testing.assert_array_equal(state["layer/w0/momentum"], before)


def test_set_state_validates_names_and_shapes():
    opt = SGD(0.1, momentum=0.9)
    params = make_params(make_weights())
    opt.build(params)
    good = opt.get_state()
    with pytest.raises(ValueError, match="iterations"):
        opt.set_state({k: v for k, v in good.items() if k != "iterations"})
    with pytest.raises(ValueError, match=r"unexpected state entry 'layer/w0/velocity'.*momentum"):
        opt.set_state({**good, "layer/w0/velocity": np.zeros(SHAPES[0])})
    with pytest.raises(ValueError, match=r"expected shape \(3, 4\), received \(4, 3\)"):
        opt.set_state({**good, "layer/w0/momentum": np.zeros((4, 3))})
    adam = Adam()
    with pytest.raises(ValueError, match=r"missing \['velocity'\]"):
        adam.set_state({"iterations": np.array(1), "layer/w0/momentum": np.zeros(SHAPES[0])})
    # a parameter not seen yet is checked at its first update
    adam.set_state({"iterations": np.array(1), "layer/w0/momentum": np.zeros((2, 2)),
                    "layer/w0/velocity": np.zeros((2, 2))})
    params[0].grad = np.ones(SHAPES[0], np.float32)
    with pytest.raises(ValueError, match=r"has shape \(2, 2\), but the parameter has shape \(3, 4\)"):
        adam.apply(params[:1])
    opt.set_state(good)  # a valid state is accepted


# ------------------------------------------------------------------- dtype and gradients untouched
@pytest.mark.parametrize("opt", [SGD(0.1), SGD(0.1, momentum=0.9), Adagrad(), RMSprop(momentum=0.9, centered=True),
                                 Adam(amsgrad=True), Adam(global_clipnorm=0.1), SGD(clipnorm=0.1),
                                 RMSprop(clipvalue=0.1)], ids=opt_id)
def test_float32_stays_float32_and_grads_are_not_modified(opt):
    params = make_params(make_weights())
    shared = np.random.default_rng(3).standard_normal(SHAPES[1])  # float64 gradient, shared
    params[0].grad = np.ones(SHAPES[0], np.float32) * 5
    params[1].grad = shared
    copy = shared.copy()
    for _ in range(3):
        opt.apply(params)
    np.testing.assert_array_equal(shared, copy)
    np.testing.assert_array_equal(params[0].grad, 5)
    assert all(p.data.dtype == np.float32 for p in params)
    assert all(v.dtype == np.float32 for k, v in opt.get_state().items() if k != "iterations")


def test_float64_parameters_stay_float64():
    params = make_params(make_weights(dtype=np.float64), dtype=np.float64)
    opt = Adam(0.1)
    for p in params:
        p.grad = np.ones(p.shape, np.float32)
    opt.apply(params)
    assert all(p.data.dtype == np.float64 for p in params)


# ------------------------------------------------------------------- convergence
@pytest.mark.parametrize("opt,steps", [
    (SGD(0.1), 200), (SGD(0.05, momentum=0.9), 200), (SGD(0.05, momentum=0.9, nesterov=True), 200),
    (Adagrad(0.5), 300), (RMSprop(0.01), 400), (RMSprop(0.01, centered=True, momentum=0.5), 400),
    (Adam(0.05), 400), (Adam(0.05, amsgrad=True), 400)], ids=opt_id)
def test_minimizes_a_convex_quadratic(opt, steps):
    """f(w) = sum a_i (w_i - c_i)^2, differentiated by glassnet's autograd."""
    a = np.array([1.0, 3.0, 0.5, 2.0], np.float32)
    c = np.array([1.0, -2.0, 0.5, 3.0], np.float32)
    w = Parameter(np.zeros(4), name="quad/w")
    for _ in range(steps):
        opt.zero_grad([w])
        loss = (((w - c) ** 2) * a).sum()
        loss.backward()
        opt.apply([w])
    np.testing.assert_allclose(w.data, c, atol=0.05)
    assert w.data.dtype == np.float32


# ------------------------------------------------------------------- API details
def test_get_resolves_names_dicts_and_instances():
    for name, cls in [("sgd", SGD), ("SGD", SGD), ("Adam", Adam), ("rmsprop", RMSprop), ("ADAGRAD", Adagrad)]:
        assert type(optimizers.get(name)) is cls
    assert optimizers.get("adam").learning_rate == 0.001
    assert optimizers.get("sgd").learning_rate == 0.01
    opt = Adam(0.3)
    assert optimizers.get(opt) is opt
    again = optimizers.get(optimizers.serialize(RMSprop(0.2, momentum=0.5, clipnorm=1.0)))
    assert isinstance(again, RMSprop) and again.momentum == 0.5 and again.clipnorm == 1.0
    assert again.learning_rate == 0.2
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'adamz'\. Expected one of: 'adadelta', 'adagrad', "
                                         r"'adam', 'adamax', 'adamw', 'ftrl', 'lion', 'nadam', 'rmsprop', 'sgd'\."):
        optimizers.get("adamz")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):
        optimizers.get(3)


def test_keras_defaults():
    assert SGD().get_config() == {"name": "sgd", "learning_rate": 0.01, "clipnorm": None, "clipvalue": None,
                                  "global_clipnorm": None, "momentum": 0.0, "nesterov": False}
    c = Adagrad().get_config()
    assert (c["learning_rate"], c["initial_accumulator_value"], c["epsilon"]) == (0.001, 0.1, 1e-7)
    c = RMSprop().get_config()
    assert (c["learning_rate"], c["rho"], c["momentum"], c["epsilon"], c["centered"]) == (0.001, 0.9, 0.0, 1e-7, False)
    c = Adam().get_config()
    assert (c["learning_rate"], c["beta_1"], c["beta_2"], c["epsilon"], c["amsgrad"]) == \
        (0.001, 0.9, 0.999, 1e-7, False)


class HalvingSchedule:
    """A schedule with a config, as the schedule classes will have."""

    def __init__(self, initial=0.1, every=2):
        self.initial, self.every = initial, every

    def __call__(self, step):
        return self.initial * 0.5 ** (step // self.every)

    def get_config(self):
        return {"initial": self.initial, "every": self.every}


def test_schedule_is_called_with_the_step_and_serialised():
    opt = SGD(HalvingSchedule(0.1, 2))
    seen = []
    for step in range(5):
        seen.append(opt.current_learning_rate())
        p = Parameter(np.zeros(2), name="s/w")
        p.grad = np.ones(2, np.float32)
        opt.apply([p])
    assert seen == [0.1, 0.1, 0.05, 0.05, 0.025]
    config = opt.get_config()
    assert config["learning_rate"] == {"class_name": "HalvingSchedule", "config": {"initial": 0.1, "every": 2}}
    again = optimizers.deserialize(optimizers.serialize(opt), custom_objects={"HalvingSchedule": HalvingSchedule})
    assert isinstance(again.learning_rate, HalvingSchedule) and again.learning_rate(2) == 0.05
    with pytest.raises(ValueError, match="unknown learning-rate schedule 'HalvingSchedule'"):
        optimizers.deserialize(optimizers.serialize(opt))
    with pytest.raises(ValueError, match="cannot be saved"):
        SGD(lambda step: 0.1).get_config()


def test_learning_rate_property_and_validation():
    opt = SGD(0.1)
    opt.learning_rate = 0.02
    assert opt.learning_rate == 0.02 and opt.current_learning_rate() == 0.02
    with pytest.raises(ValueError, match="expected learning_rate to be a non-negative number"):
        opt.learning_rate = -1.0
    with pytest.raises(ValueError, match="at most one of clipnorm, clipvalue, global_clipnorm"):
        SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match=r"expected momentum in \[0.0, 1.0\], received 1.5"):
        SGD(momentum=1.5)
    with pytest.raises(ValueError, match="expected clipnorm to be None or a positive number, received -1"):
        Adam(clipnorm=-1)
    with pytest.raises(ValueError, match=r"expected beta_1 in \[0.0, 1.0\), received 1.0"):
        Adam(beta_1=1.0)


def test_apply_skips_missing_grads_and_counts_iterations():
    opt = Adam(0.1)
    params = make_params(make_weights())
    before = params[1].data.copy()
    params[0].grad = np.ones(SHAPES[0], np.float32)
    opt.apply(params)
    np.testing.assert_array_equal(params[1].data, before)
    assert opt.iterations == 1
    assert set(opt.get_state()) == {"iterations", "layer/w0/momentum", "layer/w0/velocity"}
    opt.zero_grad(params)
    assert all(p.grad is None for p in params)


def test_apply_gradients_equals_apply():
    weights, grads = make_weights(), make_grads()
    a = run_glassnet(Adam(0.1), weights, grads)
    opt, params = Adam(0.1), make_params(weights)
    for gs in grads:
        assert opt.apply_gradients(list(zip(gs, params))) == opt.iterations
    for x, y in zip(a, params):
        np.testing.assert_array_equal(x.data, y.data)
    with pytest.raises(ValueError, match=r"expected shape \(4,\), received \(3,\)"):
        opt.apply_gradients([(np.ones(3, np.float32), params[1])])


def test_state_needs_unique_names():
    w = Parameter(np.zeros(2))
    w.grad = np.ones(2, np.float32)
    SGD(0.1).apply([w])  # no state, no name needed
    with pytest.raises(ValueError, match="needs a name"):
        Adam().apply([w])
    a, b = Parameter(np.zeros(2), name="d/k"), Parameter(np.zeros(3), name="d/k")
    a.grad, b.grad = np.ones(2, np.float32), np.ones(3, np.float32)
    with pytest.raises(ValueError, match=r"unique, received \['d/k'\]"):
        SGD(0.1, momentum=0.9).apply([a, b])
