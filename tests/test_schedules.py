"""Learning-rate schedules: Keras's formulas written out by hand, PyTorch's lr_scheduler where it
computes the same numbers, use as an optimizer's learning rate, and saving with the model."""
from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.optimizers import SGD, Adam, schedules
from glassnet.optimizers.schedules import (CosineDecay, ExponentialDecay, InverseTimeDecay, LearningRateSchedule,
                                           PiecewiseConstantDecay, PolynomialDecay, StepDecay)

STEPS = list(range(0, 60))


def torch_rates(make_scheduler, n, lr0):
    """The learning rate PyTorch uses at steps 0..n-1 (one optimizer.step per scheduler.step)."""
    torch = pytest.importorskip("torch")
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr0)
    sched = make_scheduler(opt)
    rates = []
    for _ in range(n):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return rates


# ---------------------------------------------------------------------- formulas
@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay_formula(staircase):
    s = ExponentialDecay(0.1, decay_steps=7, decay_rate=0.8, staircase=staircase)
    for step in STEPS:
        p = math.floor(step / 7) if staircase else step / 7
        assert s(step) == pytest.approx(0.1 * 0.8 ** p, rel=1e-12)


def test_step_decay_formula_and_equals_staircase_exponential():
    s = StepDecay(0.2, drop_rate=0.5, step_size=10)
    assert [s(9), s(10), s(19), s(20), s(35)] == pytest.approx([0.2, 0.1, 0.1, 0.05, 0.025])
    twin = ExponentialDecay(0.2, 10, 0.5, staircase=True)
    assert all(s(k) == pytest.approx(twin(k)) for k in STEPS)


def test_piecewise_constant_boundaries_belong_to_the_left():
    s = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [s(0), s(10), s(11), s(20), s(21), s(1000)] == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    with pytest.raises(ValueError, match="len\\(values\\) == len\\(boundaries\\) \\+ 1"):
        PiecewiseConstantDecay([10], [1.0])
    with pytest.raises(ValueError, match="increasing"):
        PiecewiseConstantDecay([10, 5], [1.0, 0.5, 0.1])


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay_formula(staircase):
    s = InverseTimeDecay(0.1, decay_steps=5, decay_rate=0.5, staircase=staircase)
    for step in STEPS:
        p = math.floor(step / 5) if staircase else step / 5
        assert s(step) == pytest.approx(0.1 / (1 + 0.5 * p), rel=1e-12)


def test_polynomial_decay_formula_with_and_without_cycle():
    s = PolynomialDecay(0.1, decay_steps=20, end_learning_rate=0.01, power=2.0)
    for step in STEPS:
        t = min(step, 20) / 20
        assert s(step) == pytest.approx((0.1 - 0.01) * (1 - t) ** 2 + 0.01, rel=1e-12)
    c = PolynomialDecay(0.1, decay_steps=20, end_learning_rate=0.01, power=1.0, cycle=True)
    for step in STEPS:
        d = 20 * (1 if step == 0 else math.ceil(step / 20))
        assert c(step) == pytest.approx(0.09 * (1 - step / d) + 0.01, rel=1e-12)


def test_cosine_decay_formula_and_warmup():
    s = CosineDecay(0.1, decay_steps=40, alpha=0.1)
    for step in STEPS:
        t = min(step, 40) / 40
        assert s(step) == pytest.approx(0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi * t)) + 0.1), rel=1e-12)
    w = CosineDecay(0.0, decay_steps=30, warmup_target=0.2, warmup_steps=10)
    assert [w(0), w(5), w(10)] == pytest.approx([0.0, 0.1, 0.2])
    for step in range(10, 60):
        t = min(step - 10, 30) / 30
        assert w(step) == pytest.approx(0.2 * 0.5 * (1 + math.cos(math.pi * t)), abs=1e-15)


def test_invalid_arguments_are_refused_with_the_received_value():
    with pytest.raises(ValueError, match="decay_steps.*positive.*received 0"):
        ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="step_size.*positive integer.*received 2.5"):
        StepDecay(0.1, 0.5, 2.5)


# ---------------------------------------------------------------------- PyTorch parity
def test_matches_torch_schedulers():
    torch = pytest.importorskip("torch")
    sch = torch.optim.lr_scheduler
    n = 50
    cases = [
        (StepDecay(0.1, drop_rate=0.5, step_size=7), lambda o: sch.StepLR(o, step_size=7, gamma=0.5)),
        (ExponentialDecay(0.1, 1, 0.9), lambda o: sch.ExponentialLR(o, gamma=0.9)),
        (PiecewiseConstantDecay([9, 29], [0.1, 0.01, 0.001]), lambda o: sch.MultiStepLR(o, [10, 30], gamma=0.1)),
        (PolynomialDecay(0.1, 30, end_learning_rate=0.0, power=2.0), lambda o: sch.PolynomialLR(o, 30, power=2.0)),
        (CosineDecay(0.1, decay_steps=40, alpha=0.05), lambda o: sch.CosineAnnealingLR(o, T_max=40, eta_min=0.005)),
    ]
    for ours, theirs in cases:
        expected = torch_rates(theirs, 41 if isinstance(ours, CosineDecay) else n, 0.1)
        got = [ours(k) for k in range(len(expected))]
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, err_msg=repr(ours))


# ---------------------------------------------------------------------- with optimizers
def test_optimizer_calls_the_schedule_with_its_iteration_count():
    w = gn.Parameter(np.ones(3, np.float32), name="w")
    seen = []

    class Spy(StepDecay):
        def __call__(self, step):
            seen.append(step)
            return super().__call__(step)

    opt = SGD(learning_rate=Spy(0.1, drop_rate=0.5, step_size=2))
    for _ in range(5):
        w.grad = np.ones(3, np.float32)
        opt.apply([w])
    assert seen == [0, 1, 2, 3, 4]
    # rates 0.1, 0.1, 0.05, 0.05, 0.025 with gradient 1
    np.testing.assert_allclose(w.data, 1 - 0.325, rtol=1e-6)
    assert w.data.dtype == np.float32


def test_schedule_saved_and_loaded_with_the_model(tmp_path):
    gn.utils.set_random_seed(0)
    model = gn.Sequential([layers.Input((3,)), layers.Dense(2, activation="softmax")])
    schedule = CosineDecay(0.01, decay_steps=100, alpha=0.1, warmup_target=0.05, warmup_steps=5)
    model.compile(optimizer=Adam(learning_rate=schedule), loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).standard_normal((16, 3)).astype(np.float32)
    y = np.arange(16) % 2
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    path = tmp_path / "m.glassnet"
    model.save(path)
    loaded = gn.load_model(path)
    lr = loaded.optimizer.learning_rate
    assert isinstance(lr, CosineDecay) and lr.get_config() == schedule.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations == 8
    assert loaded.optimizer.current_learning_rate() == pytest.approx(schedule(8))
    # training goes on identically
    model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    loaded.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_every_schedule_round_trips_through_its_config():
    for s in [ExponentialDecay(0.1, 3, 0.5, staircase=True), StepDecay(0.1, 0.3, 4),
              PiecewiseConstantDecay([3, 8], [0.3, 0.2, 0.1]), InverseTimeDecay(0.1, 3, 2.0),
              PolynomialDecay(0.1, 10, 0.001, 0.5, cycle=True), CosineDecay(0.1, 10, 0.2, warmup_target=0.3,
                                                                            warmup_steps=2)]:
        opt = SGD(learning_rate=s)
        again = gn.optimizers.deserialize(gn.optimizers.serialize(opt))
        assert again.learning_rate == s
        assert schedules.deserialize(schedules.serialize(s)) == s
        assert [again.learning_rate(k) for k in range(12)] == [s(k) for k in range(12)]


def test_custom_schedule_needs_custom_objects_to_load():
    class Halving(LearningRateSchedule):
        def __init__(self, initial_learning_rate):
            self.initial_learning_rate = initial_learning_rate

        def __call__(self, step):
            return self.initial_learning_rate * 0.5 ** step

        def get_config(self):
            return {"initial_learning_rate": self.initial_learning_rate}

    config = gn.optimizers.serialize(SGD(learning_rate=Halving(0.4)))
    with pytest.raises(ValueError, match="Halving"):
        gn.optimizers.deserialize(config)
    opt = gn.optimizers.deserialize(config, custom_objects={"Halving": Halving})
    assert opt.learning_rate(2) == pytest.approx(0.1)
