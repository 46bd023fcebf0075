"""Lab `gan`: a small DCGAN on Fashion-MNIST, trained with a custom training loop.

A generative adversarial network (Goodfellow et al., 2014) is two networks playing a game. The
*generator* G turns random codes z ~ N(0, I) into images; the *discriminator* D looks at an
image and outputs a logit: real (from the data) or fake (from G). They train in turns, on
every batch:

1. D learns to tell them apart: binary cross-entropy with label 1 for real images and 0 for
   G's images (G is not updated in this phase);
2. G learns to fool D: it wants D to answer 1 on its images, so its loss is the binary
   cross-entropy of D's answers against label 1 (D is not updated in this phase).

``compile``'s one loss and one optimizer cannot express this: each phase has its own loss and
its own optimizer over its own network's weights. So the step is written by hand with
``gn.GradientTape`` and ``optimizer.apply_gradients`` (README, "Custom training"):

    with gn.GradientTape() as tape:
        d_loss = bce(labels, discriminator(images, training=True))
    grads = tape.gradient(d_loss, discriminator.trainable_weights)
    d_optimizer.apply_gradients(zip(grads, discriminator.trainable_weights))

The lab shows both ways to drive such a step (``--set loop=fit`` or ``loop=explicit``):

- Keras's way (the default): ``GAN``, a subclassed ``gn.Model`` holding both networks and
  both optimizers, overrides ``train_step(data)``; ``gan.fit(images, epochs=...)`` then does the
  batching, shuffling, progress bar, callbacks and history;
- an explicit loop (``explicit_loop`` below), as in TensorFlow's DCGAN tutorial:

      for epoch in range(epochs):
          for batch in batches(shuffled images):
              d_loss = gan.discriminator_step(batch)      # phase 1, one tape
              g_loss = gan.generator_step(len(batch))     # phase 2, another tape

The networks follow DCGAN (Radford et al., 2015), shrunk to run on a CPU: G is Dense -> 7x7x48
-> Conv2DTranspose (stride 2) to 14x14x24 -> Conv2DTranspose (stride 2) to 28x28x1 with tanh,
batch norm and ReLU between; D is two stride-2 convolutions (24 and 48 channels) with
LeakyReLU(0.2) and one logit. Adam with beta_1 = 0.5 (the DCGAN paper's value) and a learning
rate of 1e-3, five times the paper's 2e-4: this run has only about 940 steps (5 epochs of the
first 12,000 training images, batch 64), and in a 360-step trial 1e-3 gave clearer images
than 2e-4 (judge score 3.4 against 3.2). Images are scaled to [-1, 1], tanh's range.

What the lab measures: both losses per step and per epoch (neither should run away to 0 or
explode: a discriminator that wins outright stops teaching the generator); the discriminator's
accuracy on held-out real images and on fresh fakes (near 1 on both: the game has collapsed;
near 0.5: G fools it half of the time); the mean pixel intensity of generated images against
real ones; and a quality proxy, the score a small Fashion-MNIST classifier gives the generated
images (``labs/_generative.py``), beside its score on real images (the ceiling) and on noise.
A grid of images generated from the same 32 codes is saved after every epoch.

Measured on 2026-12-03 (seed 0, ``OPENBLAS_NUM_THREADS=1``): d_loss 0.601 and g_loss 0.977 in
the last epoch; D right on 0.603 of held-out real images and 0.682 of fresh fakes; mean pixel
0.266 (real 0.285); judge score 3.62 (real 7.00, noise 1.05), every class represented. The
images are rough silhouettes of tops, bags and shoes under a grid-like grain (likely the
checkerboard pattern of stride-2 transposed convolutions; Odena et al., 2016) that 940 steps
do not remove. The full run took
116 s of CPU time (about 2 minutes on a quiet core; 9 min 37 s of wall time on a 2-core machine
at load average 8-11); ``--quick`` takes 3.4 s of CPU.
"""
from __future__ import annotations

import time

import numpy as np

import glassnet as gn
from glassnet import layers, plotting
from glassnet.labs._generative import (CLASS_NAMES, image_grid_figure, judge_images, load_fashion_images,
                                       noise_like, train_judge)
from glassnet.labs.base import Lab, Param, register


def build_generator(latent_dim: int = 100, width: int = 48) -> gn.Sequential:
    """z (latent_dim,) -> image (28, 28, 1) in [-1, 1].

    Each Conv2DTranspose with stride 2 and "same" padding doubles the height and width
    (7 -> 14 -> 28), as a stride-2 convolution would halve them. Batch norm keeps the
    activations of the upsampling layers on one scale (DCGAN's key to stable training);
    momentum 0.9 lets its moving statistics, used when generating outside training, follow
    the generator within a few dozen steps.
    """
    return gn.Sequential([
        layers.Input((latent_dim,)),
        layers.Dense(7 * 7 * width, use_bias=False, name="project"),
        layers.BatchNormalization(momentum=0.9, name="project_bn"),
        layers.ReLU(name="project_relu"),
        layers.Reshape((7, 7, width), name="to_7x7"),
        layers.Conv2DTranspose(width // 2, 4, strides=2, padding="same", use_bias=False, name="up_14x14"),
        layers.BatchNormalization(momentum=0.9, name="up_14x14_bn"),
        layers.ReLU(name="up_14x14_relu"),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", name="up_28x28"),
    ], name="generator")


def build_discriminator(width: int = 48) -> gn.Sequential:
    """image (28, 28, 1) -> one logit (> 0: "real"). Stride-2 convolutions downsample
    (28 -> 14 -> 7) instead of pooling, and LeakyReLU lets a gradient through for negative
    inputs too, so the generator gets a signal from every pixel (both DCGAN's choices)."""
    return gn.Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(width // 2, 4, strides=2, padding="same", name="down_14x14"),
        layers.LeakyReLU(0.2, name="down_14x14_lrelu"),
        layers.Conv2D(width, 4, strides=2, padding="same", name="down_7x7"),
        layers.LeakyReLU(0.2, name="down_7x7_lrelu"),
        layers.Flatten(name="flatten"),
        layers.Dense(1, name="logit"),
    ], name="discriminator")


class GAN(gn.Model):
    """The generator and the discriminator in one model, trained by ``fit`` through
    ``train_step`` (Keras's "customizing what happens in fit" GAN), with two optimizers.

    Example:
        >>> gan = GAN(build_generator(), build_discriminator(), latent_dim=100)
        >>> gan.compile(d_optimizer=gn.optimizers.Adam(1e-3, beta_1=0.5),
        ...             g_optimizer=gn.optimizers.Adam(1e-3, beta_1=0.5))
        >>> history = gan.fit(images, epochs=5, batch_size=64)   # images in [-1, 1]
        >>> history.history["d_loss"], history.history["g_loss"]
    """

    def __init__(self, generator, discriminator, latent_dim: int, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim = latent_dim
        self.rng = np.random.default_rng(seed)                 # draws the codes z
        self.d_loss_tracker = gn.metrics.Mean(name="d_loss")  # Metric attributes: fit resets
        self.g_loss_tracker = gn.metrics.Mean(name="g_loss")  # them every epoch
        self.step_losses = []                                  # (d_loss, g_loss) of every step

    def compile(self, d_optimizer, g_optimizer):
        super().compile()  # no loss: train_step computes its own
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.bce = gn.losses.BinaryCrossentropy(from_logits=True)

    def call(self, z, training=None):
        return self.generator(z, training=training)

    def codes(self, n: int) -> np.ndarray:
        """n random codes z ~ N(0, I)."""
        return self.rng.standard_normal((n, self.latent_dim)).astype(np.float32)

    def discriminator_step(self, real) -> float:
        """Phase 1: one update of D on ``real`` images and as many generated ones."""
        n = len(real)
        with gn.no_grad():  # G is not trained in this phase: its images are constants here
            fake = self.generator(self.codes(n), training=True).numpy()
        images = np.concatenate([real, fake])
        labels = np.concatenate([np.ones((n, 1)), np.zeros((n, 1))]).astype(np.float32)
        with gn.GradientTape() as tape:
            d_loss = self.bce(labels, self.discriminator(images, training=True))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        return float(d_loss.item())

    def generator_step(self, n: int) -> float:
        """Phase 2: one update of G, from n new codes, towards D answering "real" (1)."""
        with gn.GradientTape() as tape:
            verdict = self.discriminator(self.generator(self.codes(n), training=True), training=True)
            g_loss = self.bce(np.ones((n, 1), np.float32), verdict)
        # the gradient flows back through D into G, but only G's weights are updated
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return float(g_loss.item())

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data   # fit(images): no targets
        d_loss = self.discriminator_step(real)
        g_loss = self.generator_step(len(real))
        self.step_losses.append((d_loss, g_loss))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    def generate(self, z) -> np.ndarray:
        """Images in [0, 1] for the codes ``z`` (inference mode: batch norm's moving statistics)."""
        return (self.generator.predict(z, batch_size=500) + 1.0) / 2.0


def explicit_loop(gan: GAN, images, epochs: int, batch_size: int, seed: int, on_epoch_end=None) -> dict:
    """What ``gan.fit(images, epochs=..., batch_size=...)`` does, written out: shuffle, cut
    into batches, run both phases on each, average the losses over the epoch. Returns a
    history dict like ``fit``'s (``{"d_loss": [...], "g_loss": [...]}``)."""
    rng = np.random.default_rng(seed)
    history = {"d_loss": [], "g_loss": []}
    for epoch in range(epochs):
        order = rng.permutation(len(images))
        d_losses, g_losses = [], []
        for start in range(0, len(images), batch_size):
            real = images[order[start:start + batch_size]]
            d_losses.append(gan.discriminator_step(real))
            g_losses.append(gan.generator_step(len(real)))
            gan.step_losses.append((d_losses[-1], g_losses[-1]))
        history["d_loss"].append(float(np.mean(d_losses)))
        history["g_loss"].append(float(np.mean(g_losses)))
        if on_epoch_end is not None:
            on_epoch_end(epoch, {"d_loss": history["d_loss"][-1], "g_loss": history["g_loss"][-1]})
    return history


def discriminator_accuracy(gan: GAN, real, fake) -> tuple:
    """D's accuracy (inference mode) on real images (answer > 0) and on fakes (answer < 0)."""
    on_real = float((gan.discriminator.predict(real, batch_size=500) > 0).mean())
    on_fake = float((gan.discriminator.predict(fake, batch_size=500) < 0).mean())
    return on_real, on_fake


class EpochEnd(gn.callbacks.Callback):
    """After each epoch: the fixed codes' grid saved as a PNG, and the epoch's figures."""

    def __init__(self, gan, fn):
        super().__init__()
        self.fn = fn

    def on_epoch_end(self, epoch, logs=None):
        self.fn(epoch, logs or {})


@register
class GanLab(Lab):
    name = "gan"
    title = "A small DCGAN on Fashion-MNIST: GradientTape, two optimizers, train_step"
    section = "6"
    shows = "generator vs discriminator; custom train_step in fit and an explicit loop; images per epoch"
    typical_time = "2 min"
    datasets = ("fashion-mnist",)
    params = {
        "epochs": Param(5, quick=1, help="passes over the training images"),
        "train_limit": Param(12000, quick=256, help="train on the first N training images (0: all 60,000)"),
        "batch_size": Param(64, quick=32, help="real images per step (and as many generated)"),
        "latent_dim": Param(100, help="size of the random code z"),
        "width": Param(48, quick=16, help="channels of the widest conv layer of each network"),
        "learning_rate": Param(1e-3, help="Adam's learning rate, both networks (beta_1 = 0.5)"),
        "loop": Param("fit", help="'fit' (a train_step driven by fit) or 'explicit' (a hand-written loop)"),
        "judge_epochs": Param(3, quick=1, help="epochs of the judge classifier (0: no judge)", minimum=0),
        "data_dir": Param("", help="folder holding fashion-mnist/ (default: $GLASSNET_DATA or the cache)"),
    }

    def run(self, ctx):
        p = ctx.params
        if p["loop"] not in ("fit", "explicit"):
            raise ValueError(f"lab 'gan' parameter 'loop': expected 'fit' or 'explicit', received {p['loop']!r}")
        judge_limit = 2000 if ctx.quick else None
        (x_all, y_all), (x_test, y_test) = load_fashion_images(p["data_dir"] or None, judge_limit,
                                                               1000 if ctx.quick else 2000)
        x_train = x_all[:p["train_limit"] or None]
        images = x_train * 2.0 - 1.0                           # [0, 1] -> [-1, 1], tanh's range
        ctx.print(f"training the GAN on {len(images)} Fashion-MNIST images, {p['epochs']} epochs, "
                  f"batch {p['batch_size']}, loop={p['loop']}")

        gn.backend.clear_session()
        gan = GAN(build_generator(p["latent_dim"], p["width"]), build_discriminator(p["width"]),
                  p["latent_dim"], seed=ctx.seed)
        gan.compile(d_optimizer=gn.optimizers.Adam(p["learning_rate"], beta_1=0.5),
                    g_optimizer=gn.optimizers.Adam(p["learning_rate"], beta_1=0.5))
        gan(gan.codes(1))  # built by one call on a code: fit would build it on an image instead
        gan.generator.summary(print_fn=ctx.print)
        gan.discriminator.summary(print_fn=ctx.print)

        fixed_z = np.random.default_rng(ctx.seed + 1).standard_normal((32, p["latent_dim"])).astype(np.float32)
        eval_z = np.random.default_rng(ctx.seed + 2).standard_normal((len(x_test), p["latent_dim"])).astype(np.float32)
        real_held_out = x_test * 2.0 - 1.0
        judge = None
        if p["judge_epochs"]:
            judge, judge_accuracy = train_judge(x_all, y_all, p["judge_epochs"], x_test, y_test)
            ctx.print(f"judge classifier: test accuracy {judge_accuracy:.4f} (trained on {len(x_all)} images)")
        rows, grids = [], []
        timer = {"start": time.perf_counter()}

        def epoch_end(epoch, logs):
            seconds = time.perf_counter() - timer["start"]
            grid = gan.generate(fixed_z)
            grids.append(grid[:8])
            ctx.savefig(image_grid_figure(grid, 8, f"generated after epoch {epoch + 1} (the same 32 codes)"),
                        f"generated_epoch_{epoch + 1:02d}")
            fake = gan.generate(eval_z)
            acc_real, acc_fake = discriminator_accuracy(gan, real_held_out, fake * 2.0 - 1.0)
            score = judge_images(judge, fake)["score"] if judge is not None else float("nan")
            rows.append([epoch + 1, round(logs["d_loss"], 4), round(logs["g_loss"], 4), round(acc_real, 4),
                         round(acc_fake, 4), round(float(fake.mean()), 4), round(score, 3), round(seconds, 1)])
            timer["start"] = time.perf_counter()

        if p["loop"] == "fit":
            history = gan.fit(images, epochs=p["epochs"], batch_size=p["batch_size"], verbose=ctx.verbose,
                              callbacks=[EpochEnd(gan, epoch_end)], seed=ctx.seed).history
        else:
            history = explicit_loop(gan, images, p["epochs"], p["batch_size"], ctx.seed, epoch_end)
        ctx.table(["epoch", "d_loss", "g_loss", "D acc real", "D acc fake", "gen mean", "judge score", "s"],
                  rows, title="per epoch (D's accuracy on 2,000 held-out real images and 2,000 fresh fakes; "
                              "gen mean: mean pixel of those fakes)")
        self._report(ctx, gan, history, judge, x_test, eval_z, rows)
        self._plots(ctx, gan, history, grids)

    def _report(self, ctx, gan, history, judge, x_test, eval_z, rows):
        fake = gan.generate(eval_z)
        acc_real, acc_fake = discriminator_accuracy(gan, x_test * 2.0 - 1.0, fake * 2.0 - 1.0)
        ctx.report("final d_loss (epoch mean)", round(history["d_loss"][-1], 4),
                   note="log 2 = 0.693 when D cannot tell real from fake")
        ctx.report("final g_loss (epoch mean)", round(history["g_loss"][-1], 4), note="log 2 = 0.693 at that point")
        ctx.report("D accuracy on real images", round(acc_real, 4), note="held-out test images")
        ctx.report("D accuracy on generated images", round(acc_fake, 4), note="neither 0 nor 1: no collapse")
        ctx.report("D accuracy, real and generated", round((acc_real + acc_fake) / 2, 4), note="0.5: chance")
        ctx.report("mean pixel, generated", round(float(fake.mean()), 4))
        ctx.report("mean pixel, real test images", round(float(x_test.mean()), 4))
        ctx.report("pixels > 0.5, generated", round(float((fake > 0.5).mean()), 4))
        ctx.report("pixels > 0.5, real", round(float((x_test > 0.5).mean()), 4))
        ctx.report("seconds per epoch", round(float(np.mean([r[-1] for r in rows])), 1),
                   note="includes the per-epoch grid and checks")
        if judge is None:
            return
        on_fake = judge_images(judge, fake)
        on_real = judge_images(judge, x_test)
        on_noise = judge_images(judge, noise_like(x_test, np.random.default_rng(ctx.seed)))
        ctx.report("judge score, generated", round(on_fake["score"], 3), note="1 to 10; higher: sharper, more varied")
        ctx.report("judge score, real test images", round(on_real["score"], 3), note="the ceiling")
        ctx.report("judge score, noise", round(on_noise["score"], 3), note="the floor")
        ctx.report("judge confidence, generated", round(on_fake["confidence"], 4))
        ctx.report("judge confidence, real", round(on_real["confidence"], 4))
        ctx.report("classes covered by generated images", int((on_fake["classes"] >= 0.02).sum()),
                   note="classes with >= 2% of the fakes (collapse: few)")
        ctx.table(["class", "generated", "real"],
                  [[name, round(float(g), 3), round(float(r), 3)]
                   for name, g, r in zip(CLASS_NAMES, on_fake["classes"], on_real["classes"])],
                  title="how the judge files the images (fraction per class)")

    def _plots(self, ctx, gan, history, grids):
        steps = np.array(gan.step_losses)
        curves = {"d_loss per step": steps[:, 0], "g_loss per step": steps[:, 1]}
        window = max(1, len(steps) // 50)
        if window > 1:
            kernel = np.ones(window) / window
            x = np.arange(window - 1, len(steps))            # each mean drawn at its last step
            curves[f"d_loss, mean of {window} steps"] = (x, np.convolve(steps[:, 0], kernel, mode="valid"))
            curves[f"g_loss, mean of {window} steps"] = (x, np.convolve(steps[:, 1], kernel, mode="valid"))
        fig = plotting.plot_curves(curves, xlabel="step", ylabel="binary cross-entropy",
                                   title="GAN losses (both log 2 = 0.69 when D is at chance)")
        lines = fig.axes[0].get_lines()
        for i, line in enumerate(lines):
            if i < 2:
                line.set_alpha(0.25 if len(lines) > 2 else 1.0)   # every step, faint beside its mean
            else:
                line.set_color(lines[i - 2].get_color())      # its mean, in the same colour
        fig.axes[0].legend()
        ctx.savefig(fig, "losses")
        epochs = np.arange(1, len(history["d_loss"]) + 1)
        ctx.savefig(plotting.plot_curves({"d_loss": (epochs, history["d_loss"]), "g_loss": (epochs, history["g_loss"])},
                                         xlabel="epoch", ylabel="binary cross-entropy",
                                         title="GAN losses, epoch means"), "losses_per_epoch")
        ctx.savefig(image_grid_figure(np.concatenate(grids), 8, "the same 8 codes after each epoch (one row per epoch)",
                                      row_labels=[f"epoch {i + 1}" for i in range(len(grids))]), "progress")
