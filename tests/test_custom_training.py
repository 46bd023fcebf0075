"""Custom training (course part 6): GradientTape, apply_gradients, add_loss and
ActivityRegularization, custom train_step / test_step in fit, several optimizers (a toy GAN),
compile without a loss, custom metric functions, saving such models."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers, ops


def _mlp(seed=0):
    gn.backend.clear_session()
    gn.backend.set_seed(seed)
    return gn.Sequential([layers.Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(2)])


def _data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 3)).astype(np.float32), rng.standard_normal((n, 2)).astype(np.float32)


# ---------------------------------------------------------------------------- GradientTape
def test_tape_gradients_equal_backward_and_leave_no_grad():
    model = _mlp()
    x, y = _data()
    loss_fn = gn.losses.MeanSquaredError()
    loss = loss_fn(y, model(x, training=True))
    loss.backward()
    expected = [p.grad.copy() for p in model.trainable_weights]
    for p in model.trainable_weights:
        p.grad = None
    with gn.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_weights)
    assert isinstance(grads, list) and len(grads) == 4
    for g, e in zip(grads, expected):
        assert isinstance(g, gn.Tensor) and g.dtype == np.float32
        np.testing.assert_allclose(g.numpy(), e, rtol=1e-6)
    assert all(p.grad is None for p in model.trainable_weights)  # no trace in .grad


def test_tape_restores_grads_that_were_there():
    w = gn.Parameter(np.array([1.0, 2.0]), name="w")
    w.grad = np.array([10.0, 10.0], np.float32)
    with gn.GradientTape() as tape:
        y = (w * w).sum()
    (g,) = tape.gradient(y, [w])
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])
    np.testing.assert_allclose(w.grad, [10.0, 10.0])


def test_non_persistent_tape_answers_once_persistent_many_times():
    w = gn.Parameter(np.array([3.0]), name="w")
    with gn.GradientTape() as tape:
        y = w * w
        z = y * w
    assert tape.gradient(z, w).item() == pytest.approx(27.0)  # d(w^3) = 3 w^2
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can only compute one set"):
        tape.gradient(z, w)
    with gn.GradientTape(persistent=True) as tape:
        y = w * w
        z = y * w
    assert tape.gradient(z, w).item() == pytest.approx(27.0)
    assert tape.gradient(y, w).item() == pytest.approx(6.0)
    assert tape.gradient(z, y).item() == pytest.approx(3.0)  # an intermediate source: dz/dy = w


def test_watch_makes_a_constant_differentiable_and_only_inside_the_tape():
    x = gn.Tensor([1.0, -2.0, 3.0])
    with gn.GradientTape() as tape:
        tape.watch(x)
        y = (x * x).sum()
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0, -4.0, 6.0])
    assert x.requires_grad is False  # back to a constant after the tape
    assert tape.watched_variables() == [x]
    with gn.GradientTape() as tape:
        y = (x * x).sum()           # not watched: nothing recorded
    assert tape.gradient(y, x) is None
    with pytest.raises(TypeError, match="wrap arrays first"):
        gn.GradientTape().watch(np.ones(3))


def test_tape_records_inside_no_grad_and_stop_recording_stops():
    w = gn.Parameter(np.array([2.0]), name="w")
    with gn.no_grad():
        with gn.GradientTape() as tape:
            y = w * w
            with tape.stop_recording():
                z = w * 5.0
        assert not gn.is_grad_enabled()
    assert tape.gradient(y, w).item() == pytest.approx(4.0)
    assert not z.requires_grad


def test_unconnected_sources_get_none_or_zeros_and_structures_are_kept():
    a = gn.Parameter(np.array([1.0, 2.0]), name="a")
    b = gn.Parameter(np.array([5.0]), name="b")
    with gn.GradientTape(persistent=True) as tape:
        y = (a * 3.0).sum()
    grads = tape.gradient(y, {"a": a, "rest": (b,)})
    assert set(grads) == {"a", "rest"} and isinstance(grads["rest"], tuple)
    np.testing.assert_allclose(grads["a"].numpy(), [3.0, 3.0])
    assert grads["rest"][0] is None
    zero = tape.gradient(y, [b], unconnected_gradients="zero")[0]
    np.testing.assert_array_equal(zero.numpy(), [0.0])
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, [b], unconnected_gradients="zeros")


def test_non_scalar_target_and_output_gradients():
    w = gn.Parameter(np.array([1.0, 2.0]), name="w")
    with gn.GradientTape(persistent=True) as tape:
        y = w * w                   # not a scalar: its sum is differentiated, as in TensorFlow
    np.testing.assert_allclose(tape.gradient(y, w).numpy(), [2.0, 4.0])
    np.testing.assert_allclose(tape.gradient(y, w, output_gradients=np.array([1.0, 0.0], np.float32)).numpy(),
                               [2.0, 0.0])


def test_tape_gradients_do_not_disturb_a_later_fit():
    x, y = _data()
    trained = []
    for use_tape in (False, True):
        model = _mlp(seed=1)
        model.set_weights([np.full(w.shape, 0.1 * (i + 1), np.float32) for i, w in enumerate(model.get_weights())])
        model.compile(optimizer=gn.optimizers.SGD(0.1), loss="mse")
        if use_tape:
            with gn.GradientTape() as tape:
                loss = gn.losses.MeanSquaredError()(y, model(x, training=True))
            tape.gradient(loss, model.trainable_weights)
            model(x).sum().backward()  # a stray backward too: fit must clear it before its step
        model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
        trained.append(model.get_weights())
    for a, b in zip(*trained):
        np.testing.assert_allclose(a, b, rtol=1e-6)


# ---------------------------------------------------------------------------- apply_gradients
torch = pytest.importorskip("torch")


def _quadratic_run(make_glassnet, make_torch, steps=4):
    rng = np.random.default_rng(3)
    w0, x, t = rng.standard_normal((3, 2)), rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    w = gn.Parameter(w0, name="w", dtype=np.float64)
    opt = make_glassnet()
    for _ in range(steps):
        with gn.GradientTape() as tape:
            loss = ((gn.Tensor(x, dtype=np.float64) @ w - gn.Tensor(t, dtype=np.float64)) ** 2).sum()
        grads = tape.gradient(loss, [w])
        opt.apply_gradients(zip(grads, [w]))
    tw = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    topt = make_torch([tw])
    for _ in range(steps):
        topt.zero_grad()
        ((torch.tensor(x) @ tw - torch.tensor(t)) ** 2).sum().backward()
        topt.step()
    assert w.dtype == np.float64 and opt.iterations == steps
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_apply_gradients_matches_torch_sgd_with_momentum():
    _quadratic_run(lambda: gn.optimizers.SGD(0.01, momentum=0.9),
                   lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9))


def test_apply_gradients_matches_torch_adam():
    # epsilon negligible on both sides: Keras and PyTorch add it at different places
    _quadratic_run(lambda: gn.optimizers.Adam(0.05, epsilon=1e-30),
                   lambda p: torch.optim.Adam(p, lr=0.05, eps=1e-30))


@pytest.mark.parametrize("name", ["sgd", "adagrad", "rmsprop", "adam"])
def test_every_optimizer_steps_the_same_from_a_tape_as_from_backward(name):
    x, y = _data()
    results = []
    for use_tape in (False, True):
        model = _mlp(seed=2)
        model.set_weights([np.full(w.shape, 0.1, np.float32) for w in model.get_weights()])
        opt = gn.optimizers.get(name)
        for _ in range(3):
            if use_tape:
                with gn.GradientTape() as tape:
                    loss = gn.losses.MeanSquaredError()(y, model(x, training=True))
                opt.apply_gradients(zip(tape.gradient(loss, model.trainable_weights), model.trainable_weights))
            else:
                opt.zero_grad(model.trainable_weights)
                gn.losses.MeanSquaredError()(y, model(x, training=True)).backward()
                opt.apply(model.trainable_weights)
        results.append(model.get_weights())
    assert not np.allclose(results[0][0], 0.1)
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_apply_gradients_skips_none_with_a_warning_and_refuses_all_none():
    a, b = gn.Parameter(np.array([1.0]), name="a"), gn.Parameter(np.array([1.0]), name="b")
    opt = gn.optimizers.SGD(0.5)
    with pytest.warns(UserWarning, match=r"gradients do not exist for variables \['b'\]"):
        opt.apply_gradients(zip([np.array([1.0], np.float32), None], [a, b]))
    assert a.data[0] == pytest.approx(0.5) and b.data[0] == 1.0
    with pytest.raises(ValueError, match="no gradient for any variable"):
        opt.apply_gradients([(None, a), (None, b)])
    assert opt.iterations == 1


def test_keras3_apply_form_and_schedules_with_apply_gradients():
    a = gn.Parameter(np.array([1.0]), name="a")
    # the learning rate is read per step: 0.1 at step 0, 0 afterwards
    opt = gn.optimizers.SGD(learning_rate=lambda step: 0.1 if step == 0 else 0.0)
    opt.apply([gn.Tensor([1.0])], [a])                 # Keras 3: optimizer.apply(grads, variables)
    opt.apply_gradients([(gn.Tensor([1.0]), a)])
    assert a.data[0] == pytest.approx(0.9) and opt.iterations == 2
    with pytest.raises(ValueError, match="one gradient per variable"):
        opt.apply([np.ones(1)], [a, a])
    w = gn.Parameter(np.zeros(2), name="w")
    gn.optimizers.SGD(1.0, clipnorm=1.0).apply_gradients([(np.array([3.0, 4.0], np.float32), w)])
    np.testing.assert_allclose(w.data, [-0.6, -0.8], rtol=1e-6)  # clipped to norm 1 first


# ---------------------------------------------------------------------------- add_loss
class AddSquares(layers.Layer):
    """Adds 0.5 * sum(x^2) of its input as a loss and returns the input."""

    def call(self, x):
        self.add_loss(0.5 * ops.sum(x * x))
        return x


def test_add_loss_counts_in_fit_and_evaluate_and_resets_each_call():
    gn.backend.clear_session()
    model = gn.Sequential([layers.Input((2,)), layers.Dense(1, kernel_initializer="ones", use_bias=False),
                           AddSquares()])
    model.compile(optimizer=gn.optimizers.SGD(0.0), loss="mse")
    x = np.array([[1.0, 2.0], [0.0, 1.0]], np.float32)
    y = np.zeros((2, 1), np.float32)
    out = x.sum(axis=1)                                   # the Dense output: 3 and 1
    expected = float(np.mean(out ** 2)) + 0.5 * float(np.sum(out ** 2))   # mse 5 + added 5
    history = model.fit(x, y, batch_size=2, epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected)
    model(x)
    model(x)
    assert len(model.losses) == 1                         # reset at each outermost call
    assert model.losses[0].item() == pytest.approx(5.0)
    with pytest.raises(ValueError, match="symbolic tensor"):
        AddSquares().add_loss(layers.Input((2,)))
    with pytest.raises(TypeError, match="zero-argument"):
        AddSquares().add_loss(lambda: gn.Tensor(1.0))


def test_losses_are_found_through_nested_models_and_model_add_loss():
    gn.backend.clear_session()
    inner = gn.Sequential([layers.Input((2,)), layers.ActivityRegularization(l2=1.0)], name="inner")

    class Outer(gn.Model):
        def __init__(self):
            super().__init__()
            self.inner = inner
            self.dense = layers.Dense(1, kernel_regularizer=gn.regularizers.L1(0.1), kernel_initializer="ones")

        def call(self, x):
            self.add_loss(gn.Tensor(2.0))
            return self.dense(self.inner(x))

    model = Outer()
    model(np.ones((4, 2), np.float32))
    values = [float(t.item()) for t in model.losses]
    # own add_loss, then the nested model's activity penalty (sum x^2 / batch = 8/4), then L1 of the kernel
    assert values == pytest.approx([2.0, 2.0, 0.2])
    model.inner.trainable = False                          # frozen weights have no penalty term (Keras)
    model.dense.trainable = False
    assert [float(t.item()) for t in model.losses] == pytest.approx([2.0, 2.0])


def test_a_shared_layer_has_one_weight_penalty_and_one_activity_term_per_call():
    gn.backend.clear_session()
    shared = layers.Dense(2, kernel_regularizer=gn.regularizers.L2(1.0), activity_regularizer=gn.regularizers.L1(1.0),
                          kernel_initializer="ones", use_bias=False)
    inputs = layers.Input((2,))
    model = gn.Model(inputs, shared(shared(inputs)))
    model(np.ones((1, 2), np.float32))
    values = [float(t.item()) for t in model.losses]
    # activity: |[2, 2]| = 4 after the first call, |[4, 4]| = 8 after the second; kernel: 4 ones, once
    assert values == pytest.approx([4.0, 8.0, 4.0])


def test_activity_regularization_value_gradient_and_config():
    gn.backend.clear_session()
    layer = layers.ActivityRegularization(l1=0.1, l2=0.2)
    x = np.array([[1.0, -2.0], [3.0, 0.5]], np.float32)
    t = gn.Tensor(x)
    with gn.GradientTape() as tape:
        tape.watch(t)
        out = layer(t)
        penalty = layer.losses[0]
    np.testing.assert_array_equal(out.numpy(), x)        # identity
    assert penalty.item() == pytest.approx((0.1 * np.abs(x).sum() + 0.2 * (x ** 2).sum()) / 2, rel=1e-6)
    np.testing.assert_allclose(tape.gradient(penalty, t).numpy(), (0.1 * np.sign(x) + 0.4 * x) / 2, rtol=1e-6)
    config = layer.get_config()
    assert config["l1"] == 0.1 and config["l2"] == 0.2 and "activity_regularizer" not in config
    clone = layers.deserialize({"class_name": "ActivityRegularization", "config": config})
    assert clone.l2 == 0.2 and clone.activity_regularizer.l1 == pytest.approx(0.1)
    with pytest.raises(ValueError, match="l1"):
        layers.ActivityRegularization(l1=-1.0)


def test_activity_regularization_is_in_the_training_loss():
    gn.backend.clear_session()
    model = gn.Sequential([layers.Input((2,)), layers.Dense(2, kernel_initializer="identity", use_bias=False),
                           layers.ActivityRegularization(l1=0.5)])
    model.compile(optimizer=gn.optimizers.SGD(0.0), loss="mse")
    x = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 0.0]], np.float32)
    loss = model.train_on_batch(x, np.zeros((3, 2), np.float32))
    assert loss == pytest.approx(np.mean(x ** 2) + 0.5 * np.abs(x).sum() / 3)


# ---------------------------------------------------------------------------- custom train_step
class TapeModel(gn.Model):
    """The Keras 3 guide's first example: a custom train_step with the compiled loss and metrics."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(8, activation="tanh")
        self.out = layers.Dense(1)
        self.steps_seen = 0

    def call(self, x, training=None):
        return self.out(self.hidden(x))

    def train_step(self, data):
        x, y = data
        self.steps_seen += 1
        with gn.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _regression(n=64):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 3)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)


def test_custom_train_step_trains_and_fills_history():
    gn.backend.clear_session()
    model = TapeModel()
    model.compile(optimizer=gn.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    x, y = _regression()
    history = model.fit(x, y, batch_size=16, epochs=8, verbose=0)
    assert set(history.history) == {"loss", "mae"}
    assert model.steps_seen == 8 * 4
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    # the built-in test_step evaluates it (compiled loss, metrics reset first)
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(result) == {"loss", "mae"} and model.metrics_names == ["loss", "mae"]
    assert result["loss"] == pytest.approx(float(np.mean((model.predict(x) - y) ** 2)), rel=1e-5)
    batch = model.train_on_batch(x[:16], y[:16], return_dict=True)   # train_on_batch runs train_step too
    assert set(batch) == {"loss", "mae"} and model.steps_seen == 8 * 4 + 1


def test_custom_step_on_a_functional_subclass_with_test_step_and_validation():
    gn.backend.clear_session()

    class Custom(gn.Model):
        def train_step(self, data):
            x, y, sw = gn.models.steps.unpack_x_y_sample_weight(data)
            with gn.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
            self.compiled_metrics.update_state(y, y_pred)
            return {"loss": loss, **{m.name: m.result() for m in self.metrics[1:]}}

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            return {"loss": self.compute_loss(x, y, y_pred, training=False), "seen": float(len(x))}

    inputs = layers.Input((3,))
    model = Custom(inputs, layers.Dense(1)(inputs))
    assert isinstance(model, Custom) and isinstance(model, gn.models.Functional)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x, y = _regression(40)
    history = model.fit(x, y, batch_size=10, epochs=2, validation_data=(x[:8], y[:8]), verbose=0)
    assert set(history.history) == {"loss", "mae", "val_loss", "val_seen"}
    assert history.history["val_seen"] == [8.0, 8.0]
    assert set(model.evaluate(x, y, verbose=0, return_dict=True)) == {"loss", "seen"}
    assert model.optimizer.iterations == 8


def test_train_step_must_return_a_dict_of_scalars():
    gn.backend.clear_session()

    class Bad(TapeModel):
        def train_step(self, data):
            return [1.0]

    model = Bad()
    model.compile(optimizer="sgd", loss="mse")
    x, y = _regression(8)
    with pytest.raises(TypeError, match="Bad.train_step must return a dict"):
        model.fit(x, y, verbose=0)


class ToyGAN(gn.Model):
    """Keras's GAN example shrunk: two sub-models, two optimizers held as attributes."""

    def __init__(self, latent_dim=2):
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = gn.Sequential([layers.Input((latent_dim,)), layers.Dense(4, activation="relu"),
                                        layers.Dense(2)], name="generator")
        self.discriminator = gn.Sequential([layers.Input((2,)), layers.Dense(4, activation="relu"),
                                            layers.Dense(1)], name="discriminator")
        self.d_loss_tracker = gn.metrics.Mean(name="d_loss")
        self.g_loss_tracker = gn.metrics.Mean(name="g_loss")
        self.rng = np.random.default_rng(0)

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.loss_fn = gn.losses.BinaryCrossentropy(from_logits=True)

    def call(self, z):
        return self.generator(z)

    def train_step(self, real):
        if isinstance(real, tuple):
            real = real[0]
        n = len(real)
        z = self.rng.standard_normal((n, self.latent_dim)).astype(np.float32)
        fake = self.generator(z).numpy()
        combined = np.concatenate([fake, real])
        labels = np.concatenate([np.ones((n, 1)), np.zeros((n, 1))]).astype(np.float32)
        with gn.GradientTape() as tape:
            d_loss = self.loss_fn(labels, self.discriminator(combined))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        z = self.rng.standard_normal((n, self.latent_dim)).astype(np.float32)
        with gn.GradientTape() as tape:
            g_loss = self.loss_fn(np.zeros((n, 1), np.float32), self.discriminator(self.generator(z)))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def test_a_two_optimizer_gan_trains_with_fit_on_x_alone():
    gn.backend.clear_session()
    gan = ToyGAN()
    gan.compile(d_optimizer=gn.optimizers.Adam(0.01), g_optimizer=gn.optimizers.Adam(0.01))
    real = np.random.default_rng(1).normal(3.0, 0.5, (32, 2)).astype(np.float32)
    g_before, d_before = gan.generator.get_weights(), gan.discriminator.get_weights()
    history = gan.fit(real, batch_size=8, epochs=3, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"} and len(history.history["d_loss"]) == 3
    assert all(np.isfinite(v) for v in history.history["d_loss"] + history.history["g_loss"])
    assert gan.d_optimizer.iterations == gan.g_optimizer.iterations == 12
    assert all(not np.allclose(a, b) for a, b in zip(gan.generator.get_weights(), g_before))
    assert all(not np.allclose(a, b) for a, b in zip(gan.discriminator.get_weights(), d_before))
    # the trackers are metrics of the model: reset each epoch, so the epoch value is that epoch's mean
    assert [m.name for m in gan.metrics][-2:] == ["d_loss", "g_loss"]
    assert gan.d_loss_tracker.count == 4


# ---------------------------------------------------------------------------- compile without a loss
def test_compile_without_loss_and_no_train_step_is_a_clear_error():
    model = _mlp()
    model.compile(optimizer="sgd")
    x, y = _data()
    with pytest.raises(ValueError, match="has no loss to compute.*add_loss.*train_step"):
        model.fit(x, y, verbose=0)
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="needs targets y"):
        model.fit(x, verbose=0)


def test_a_model_with_only_add_loss_trains_on_x_alone():
    gn.backend.clear_session()

    class Reconstruct(layers.Layer):
        def call(self, inputs):
            x, x_hat = inputs
            self.add_loss(ops.mean((x - x_hat) ** 2))
            return x_hat

    inputs = layers.Input((3,))
    recon = layers.Dense(3)(layers.Dense(2)(inputs))
    model = gn.Model(inputs, Reconstruct()([inputs, recon]))
    model.compile(optimizer=gn.optimizers.Adam(0.05))
    x, _ = _data(64)
    history = model.fit(x, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert model.evaluate(x, verbose=0) == pytest.approx(float(np.mean((model.predict(x) - x) ** 2)), rel=1e-4)


# ---------------------------------------------------------------------------- custom metric functions
def rounded_accuracy(y_true, y_pred):
    return gn.metrics.binary_accuracy(np.round(y_true), np.round(y_pred))


def test_custom_metric_function_is_averaged_over_samples_and_named():
    gn.backend.clear_session()
    model = gn.Sequential([layers.Input((4,)), layers.Dense(4, activation="sigmoid")])
    model.compile(optimizer=gn.optimizers.SGD(0.0), loss="binary_crossentropy", metrics=[rounded_accuracy])
    x = np.random.default_rng(0).uniform(0, 1, (10, 4)).astype(np.float32)
    history = model.fit(x, x, batch_size=3, epochs=1, verbose=0)
    expected = float(np.mean(np.round(model.predict(x)) == np.round(x)))
    assert history.history["rounded_accuracy"][0] == pytest.approx(expected, abs=1e-6)
    assert model.evaluate(x, x, verbose=0, return_dict=True)["rounded_accuracy"] == pytest.approx(expected, abs=1e-6)
    np.testing.assert_array_equal(gn.metrics.binary_accuracy(np.array([[1.0, 0.0]]), np.array([[0.7, 0.6]])), [0.5])


# ---------------------------------------------------------------------------- saving
def test_custom_train_step_models_save_and_load(tmp_path):
    gn.backend.clear_session()
    model = TapeModel()
    model.compile(optimizer="adam", loss="mse")
    x, y = _regression(16)
    model.fit(x, y, epochs=1, verbose=0)
    model.save_weights(tmp_path / "w.npz")
    again = TapeModel()
    again(x[:1])
    again.load_weights(tmp_path / "w.npz")
    np.testing.assert_allclose(again.predict(x), model.predict(x), rtol=1e-6)
    with pytest.raises(NotImplementedError, match="override get_config, or use save_weights/load_weights"):
        model.save(tmp_path / "m.glassnet")

    class Functional(gn.Model):  # a functional subclass saves fully; load it with custom_objects
        def train_step(self, data):
            return super().train_step(data)

    inputs = layers.Input((3,))
    fmodel = Functional(inputs, layers.Dense(1)(inputs))
    fmodel.compile(optimizer="sgd", loss="mse")
    fmodel.fit(x, y, epochs=1, verbose=0)
    fmodel.save(tmp_path / "f.glassnet")
    loaded = gn.load_model(tmp_path / "f.glassnet", custom_objects={"Functional": Functional})
    assert isinstance(loaded, Functional)
    np.testing.assert_allclose(loaded.predict(x), fmodel.predict(x), rtol=1e-6)


def test_a_model_compiled_without_loss_saves_and_loads(tmp_path):
    gn.backend.clear_session()
    model = gn.Sequential([layers.Input((2,)), layers.Dense(2), layers.ActivityRegularization(l2=0.1)])
    model.compile(optimizer="sgd")
    model.fit(np.ones((4, 2), np.float32), verbose=0)
    model.save(tmp_path / "m.glassnet")
    loaded = gn.load_model(tmp_path / "m.glassnet")
    assert loaded.compiled and loaded._loss_fns == [None]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert loaded.evaluate(np.ones((4, 2), np.float32), verbose=0) == pytest.approx(
            model.evaluate(np.ones((4, 2), np.float32), verbose=0), rel=1e-6)


# ---------------------------------------------------------------------------- the array seam
def test_tape_and_apply_gradients_keep_arrays_on_the_device():
    from device_double import DeviceArray, on_fake_device, to_device
    with on_fake_device():
        w = gn.Parameter(to_device(np.array([1.0, 2.0], np.float32)), name="w")
        x = gn.Tensor(to_device(np.array([3.0, 4.0], np.float32)))
        with gn.GradientTape() as tape:
            tape.watch(x)
            y = w * x                                     # not a scalar: the seed is made by xp.ones_like
        dw, dx, none = tape.gradient(y, [w, x, gn.Tensor(to_device(np.zeros(1, np.float32)))],
                                     unconnected_gradients="zero")
        assert all(isinstance(g.data, DeviceArray) for g in (dw, dx, none))
        gn.optimizers.Adam(0.1).apply_gradients([(dw, w)])
        assert isinstance(w.data, DeviceArray)
    np.testing.assert_allclose(np.asarray(dw.data), [3.0, 4.0])
    np.testing.assert_allclose(np.asarray(dx.data), [1.0, 2.0])


# ---------------------------------------------------------------------------- TensorFlow's DCGAN loop
def test_two_tapes_over_one_forward_pass_each_answer_once():
    """TensorFlow's DCGAN tutorial records one forward pass on two tapes and asks each in
    turn: the first answer must not free the graph the second one walks."""
    gn.backend.set_seed(0)
    generator = gn.Sequential([layers.Input((3,)), layers.Dense(2)])
    discriminator = gn.Sequential([layers.Input((2,)), layers.Dense(1)])
    z = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    real = np.ones((4, 2), np.float32)
    with gn.GradientTape() as gen_tape, gn.GradientTape() as disc_tape:
        fake_out = discriminator(generator(z))
        real_out = discriminator(real)
        gen_loss = (fake_out * fake_out).mean()
        disc_loss = (real_out - fake_out).mean()
    g_grads = gen_tape.gradient(gen_loss, generator.trainable_weights)
    d_grads = disc_tape.gradient(disc_loss, discriminator.trainable_weights)
    # the same gradients as from separate forward passes
    with gn.GradientTape() as tape:
        fake_out = discriminator(generator(z))
        expected_g = tape.gradient((fake_out * fake_out).mean(), generator.trainable_weights)
    with gn.GradientTape() as tape:
        expected_d = tape.gradient((discriminator(real) - discriminator(generator(z))).mean(),
                                   discriminator.trainable_weights)
    for got, want in zip(g_grads + d_grads, expected_g + expected_d):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="only compute one set"):
        gen_tape.gradient(gen_loss, generator.trainable_weights)


def test_fit_does_not_call_an_unbuilt_subclassed_model_that_has_its_own_train_step():
    """Keras's DCGAN example defines no ``call``: fit hands images to train_step only."""
    class NoCall(gn.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def train_step(self, data):
            x = data[0] if isinstance(data, tuple) else data
            with gn.GradientTape() as tape:
                loss = (self.dense(x) ** 2).mean()
            grads = tape.gradient(loss, self.dense.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.dense.trainable_weights))
            return {"loss": float(loss.numpy())}

    model = NoCall()
    model.compile(optimizer="sgd")
    history = model.fit(np.ones((8, 3), np.float32), batch_size=4, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert history.history["loss"][1] < history.history["loss"][0]
