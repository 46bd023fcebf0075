"""The generative labs of COURSE.md section 6 (vae, gan) at --quick settings, and the pieces
they are built from: the VAE's Sampling layer (reparameterisation trick, KL term via
add_loss), the GAN's two training phases (each updates only its own network), both ways of
driving them (train_step in fit, an explicit loop), and the judge's score. The full settings
are in test_labs_full_part6_generative.py."""
from __future__ import annotations


import numpy as np
import pytest

import glassnet as gn
from glassnet.labs import load_all, run_lab
from glassnet.labs._generative import judge_images, mosaic
from glassnet.labs.gan import GAN, build_discriminator, build_generator, explicit_loop
from glassnet.labs.vae import PIXELS, Sampling, build_vae, vae_terms
from helpers import SHARED_DATA

needs_fashion = pytest.mark.skipif(not (SHARED_DATA / "fashion-mnist").is_dir(),
                                   reason=f"the generative labs need Fashion-MNIST; none at {SHARED_DATA}")


@pytest.fixture(autouse=True)
def _registry():
    load_all()


def quick(name, tmp_path, monkeypatch, **overrides):
    monkeypatch.setenv("GLASSNET_DATA", str(SHARED_DATA))
    result = run_lab(name, quick=True, out=tmp_path, echo=lambda *a: None, overrides=overrides or None)
    assert result.figures, f"{name} saved no figure"
    for path in result.figures:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5_000
    return result


# ------------------------------------------------------------------ the VAE's Sampling layer
def test_sampling_is_the_reparameterisation_trick():
    mean = np.array([[0.5, -1.0], [2.0, 0.0]], np.float32)
    log_var = np.array([[0.0, np.log(4.0)], [-2.0, 1.0]], np.float32)
    z = Sampling(seed=3)([mean, log_var]).numpy()
    eps = gn.backend.make_rng(3).standard_normal(mean.shape).astype(np.float32)
    np.testing.assert_allclose(z, mean + np.exp(log_var / 2) * eps, rtol=1e-6)
    # the gradient reaches mean and log_var through the sample: dz/dmean = 1,
    # dz/dlog_var = exp(log_var / 2) * eps / 2
    m, lv = gn.Tensor(mean), gn.Tensor(log_var)
    layer = Sampling(seed=3)
    with gn.GradientTape() as tape:
        tape.watch([m, lv])
        z = layer([m, lv])
    dm, dlv = tape.gradient(z, [m, lv])
    np.testing.assert_allclose(dm.numpy(), np.ones_like(mean))
    np.testing.assert_allclose(dlv.numpy(), np.exp(log_var / 2) * eps / 2, rtol=1e-5)


def test_sampling_draws_from_the_coded_gaussian():
    mean = np.full((20000, 2), [1.0, -3.0], np.float32)
    log_var = np.full((20000, 2), [0.0, np.log(0.25)], np.float32)
    z = Sampling(seed=0)([mean, log_var]).numpy()
    np.testing.assert_allclose(z.mean(axis=0), [1.0, -3.0], atol=0.03)
    np.testing.assert_allclose(z.std(axis=0), [1.0, 0.5], rtol=0.03)


def test_sampling_adds_the_closed_form_kl_and_its_gradient():
    mean = np.array([[0.0, 0.0], [1.0, -2.0]], np.float32)
    log_var = np.array([[0.0, 0.0], [np.log(2.0), -1.0]], np.float32)
    layer = Sampling(kl_weight=0.5, seed=0)
    m, lv = gn.Tensor(mean), gn.Tensor(log_var)
    with gn.GradientTape() as tape:
        tape.watch([m, lv])
        layer([m, lv])
        kl_term = layer.losses[0]
    per_image = -0.5 * (1 + log_var - mean ** 2 - np.exp(log_var)).sum(axis=1)
    assert per_image[0] == 0.0                      # N(0, I) against itself
    assert kl_term.item() == pytest.approx(0.5 * per_image.mean(), rel=1e-6)
    dm, dlv = tape.gradient(kl_term, [m, lv])
    # d KL / d mean = mean, d KL / d log_var = (exp(log_var) - 1) / 2, per image; / batch; * weight
    np.testing.assert_allclose(dm.numpy(), 0.5 * mean / 2, rtol=1e-6)
    np.testing.assert_allclose(dlv.numpy(), 0.5 * (np.exp(log_var) - 1) / 2 / 2, rtol=1e-5, atol=1e-7)


def test_the_vae_loss_is_bce_per_pixel_plus_kl_over_784():
    gn.backend.clear_session()
    vae, encoder, decoder = build_vae(2, seed=5)
    vae.compile(optimizer="adam", loss="binary_crossentropy")
    x = np.random.default_rng(0).uniform(0, 1, (64, 28, 28, 1)).astype(np.float32)
    loss = vae.evaluate(x, x, batch_size=64, verbose=0)
    # the KL term by hand; predict in one batch, so the layer's loss is that of all 64 images
    mean, log_var, _ = encoder.predict(x, batch_size=64)
    sampling = vae.get_layer("encoder").get_layer("sampling")
    kl = float(sampling.losses[0].item()) * PIXELS
    assert kl == pytest.approx(float((-0.5 * (1 + log_var - mean ** 2 - np.exp(log_var)).sum(axis=1)).mean()), rel=1e-4)
    recon, kl_again = vae_terms(encoder, decoder, x, np.random.default_rng(0))
    assert kl_again == pytest.approx(kl, rel=1e-4)
    # recon is from another sample of z: the per-pixel loss agrees to the sampling noise only
    assert loss == pytest.approx((recon + kl) / PIXELS, rel=0.02)
    assert 0.5 < loss < 1.5                          # about log 2 per pixel before training


@needs_fashion
def test_vae_quick_learns_and_plots(tmp_path, monkeypatch):
    result = quick("vae", tmp_path, monkeypatch)
    first = result.metric("validation reconstruction loss after epoch 1")
    last = result.metric("validation reconstruction loss (nats per image)")
    kl = result.metric("validation KL (nats per image)")
    assert np.isfinite(last) and last < first < 784 * np.log(2)   # below a decoder that outputs 0.5
    assert 0 < kl < 50
    assert result.metric("val_loss (per pixel, from fit)") == pytest.approx((last + kl) / PIXELS, rel=0.02)
    assert 0.0 < result.metric("mean pixel, generated from z ~ N(0, I)") < 1.0
    assert result.metric("judge score, noise") < result.metric("judge score, real test images")
    assert {p.name for p in result.figures} == {"history.png", "generated_grid.png", "latent_space.png",
                                                "reconstructions.png"}


# ------------------------------------------------------------------ the GAN
def _small_gan(seed=0):
    gn.backend.clear_session()
    gn.backend.set_seed(seed)
    gan = GAN(build_generator(8, 8), build_discriminator(8), latent_dim=8, seed=seed)
    gan.compile(d_optimizer=gn.optimizers.Adam(1e-3, beta_1=0.5), g_optimizer=gn.optimizers.Adam(1e-3, beta_1=0.5))
    gan(gan.codes(1))
    return gan


def _changed(before, after):
    return [not np.array_equal(a, b) for a, b in zip(before, after)]


def test_each_gan_phase_updates_only_its_own_network():
    gan = _small_gan()
    real = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype(np.float32)
    g0, d0 = gan.generator.get_weights(), gan.discriminator.get_weights()
    g_trainable = [w.numpy().copy() for w in gan.generator.trainable_weights]
    d_loss = gan.discriminator_step(real)
    assert np.isfinite(d_loss) and 0.3 < d_loss < 1.5          # near log 2 at the start
    assert all(_changed(d0, gan.discriminator.get_weights()))
    # G's trainable weights are untouched (its batch norm's moving statistics do move: it ran
    # in training mode to make the fakes)
    assert not any(_changed(g_trainable, [w.numpy() for w in gan.generator.trainable_weights]))
    d1 = gan.discriminator.get_weights()
    g_loss = gan.generator_step(16)
    assert np.isfinite(g_loss)
    assert not any(_changed(d1, gan.discriminator.get_weights()))
    assert all(_changed(g_trainable, [w.numpy() for w in gan.generator.trainable_weights]))
    assert gan.d_optimizer.iterations == 1 and gan.g_optimizer.iterations == 1
    assert len(g0) > len(g_trainable)                          # the moving statistics


def test_gan_fit_and_the_explicit_loop_run_the_same_phases():
    real = np.random.default_rng(1).uniform(-1, 1, (48, 28, 28, 1)).astype(np.float32)
    gan = _small_gan()
    history = gan.fit(real, epochs=2, batch_size=16, verbose=0, seed=0).history
    assert set(history) == {"d_loss", "g_loss"} and len(history["d_loss"]) == 2
    assert len(gan.step_losses) == 6 and gan.d_optimizer.iterations == gan.g_optimizer.iterations == 6
    # the epoch value is the mean of that epoch's steps (the trackers are reset every epoch)
    assert history["d_loss"][1] == pytest.approx(np.mean([d for d, _ in gan.step_losses[3:]]), rel=1e-6)
    gan = _small_gan()
    seen = []
    loop = explicit_loop(gan, real, epochs=2, batch_size=16, seed=0, on_epoch_end=lambda e, logs: seen.append(e))
    assert seen == [0, 1] and len(gan.step_losses) == 6 and gan.g_optimizer.iterations == 6
    assert loop["g_loss"][0] == pytest.approx(np.mean([g for _, g in gan.step_losses[:3]]), rel=1e-6)
    assert all(np.isfinite(loop["d_loss"] + loop["g_loss"]))


def test_generated_images_are_in_range():
    gan = _small_gan()
    images = gan.generate(gan.codes(5))
    assert images.shape == (5, 28, 28, 1) and images.min() >= 0.0 and images.max() <= 1.0


@needs_fashion
@pytest.mark.parametrize("loop", ["fit", "explicit"])
def test_gan_quick_trains_and_saves_a_grid_per_epoch(tmp_path, monkeypatch, loop):
    result = quick("gan", tmp_path, monkeypatch, epochs=2, loop=loop)
    for name in ("final d_loss (epoch mean)", "final g_loss (epoch mean)"):
        assert np.isfinite(result.metric(name)) and result.metric(name) > 0
    for name in ("D accuracy on real images", "D accuracy on generated images"):
        assert 0.0 <= result.metric(name) <= 1.0
    assert 0.0 < result.metric("mean pixel, generated") < 1.0
    names = {p.name for p in result.figures}
    assert names == {"generated_epoch_01.png", "generated_epoch_02.png", "losses.png", "losses_per_epoch.png",
                     "progress.png"}


def test_gan_lab_refuses_an_unknown_loop(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="'fit' or 'explicit'"):
        quick("gan", tmp_path, monkeypatch, loop="tf.function")


# ------------------------------------------------------------------ the judge
class _Fixed:
    """A stand-in judge that answers given probabilities."""

    def __init__(self, p):
        self.p = np.asarray(p, np.float32)

    def predict(self, images, batch_size=None):
        return self.p[:len(images)]


def test_judge_score_runs_from_one_to_the_number_of_classes():
    images = np.zeros((20, 28, 28, 1), np.float32)
    confident_and_varied = np.eye(10)[np.arange(20) % 10]
    result = judge_images(_Fixed(confident_and_varied), images)
    assert result["score"] == pytest.approx(10.0, rel=1e-6) and result["confidence"] == pytest.approx(1.0)
    np.testing.assert_allclose(result["classes"], 0.1)
    one_class = np.eye(10)[np.zeros(20, int)]
    assert judge_images(_Fixed(one_class), images)["score"] == pytest.approx(1.0)
    unsure = np.full((20, 10), 0.1)
    assert judge_images(_Fixed(unsure), images)["score"] == pytest.approx(1.0)
    two = np.eye(10)[np.arange(20) % 2]
    assert judge_images(_Fixed(two), images)["score"] == pytest.approx(2.0, rel=1e-6)


def test_mosaic_tiles_row_by_row():
    images = np.arange(5 * 2 * 2, dtype=np.float32).reshape(5, 2, 2, 1)
    out = mosaic(images, ncols=3)
    assert out.shape == (2 * 3 - 1, 3 * 3 - 1)
    np.testing.assert_array_equal(out[0:2, 3:5], images[1, ..., 0])
    np.testing.assert_array_equal(out[3:5, 3:5], images[4, ..., 0])
    assert (out[3:5, 6:8] == 0).all()                    # the empty sixth cell
