"""Lab `vae`: a variational autoencoder on Fashion-MNIST with a 2-D latent space.

An autoencoder maps each image to one code. A *variational* autoencoder (Kingma and Welling,
2013) maps it to a distribution over codes, a Gaussian N(mean, exp(log_var)) per latent
dimension, and the decoder reconstructs the image from a code *sampled* from it. Two terms make
the loss (the negative "evidence lower bound", per image):

- the reconstruction loss: binary cross-entropy between the image and the decoder's output,
  summed over the 784 pixels (pixel intensities in [0, 1] read as probabilities);
- the latent loss: the KL divergence from N(mean, sigma^2) to the prior N(0, I), in closed form

      KL = -1/2 * sum over latent dims of (1 + log_var - mean^2 - exp(log_var)),

  which pulls every image's codes towards the origin and keeps them spread (sigma near 1).

Together they make the latent space smooth and filled: decoding any point drawn from N(0, I)
gives a plausible image, which is what makes the VAE *generative*.

Sampling is not differentiable, so the encoder's outputs would get no gradient from the
reconstruction. The reparameterisation trick moves the randomness into an input: draw
eps ~ N(0, I), then z = mean + exp(log_var / 2) * eps, a differentiable function of mean and
log_var (``Sampling`` below). The KL term needs no target, so the ``Sampling`` layer adds it to
the model's loss itself with ``self.add_loss`` (Géron's and Keras's VAE examples); ``compile``
gets the binary cross-entropy, which glassnet (like Keras) averages over the pixels, so the KL
term is divided by 784 too: ``fit`` minimises the negative ELBO per pixel.

The networks are Géron's (Hands-On ML, chapter 17): 784-150-100 SELU encoder with two 2-unit
heads (mean, log_var), 2-100-150-784 decoder with a sigmoid output, Adam, batch 128, 25 epochs
on 55,000 images (the last 5,000 for validation). The plots: a grid of images decoded from
a regular grid of latent points (the "manifold" the decoder learned), the validation images'
codes (their means) coloured by class, and reconstructions beside the originals.

Measured on 2026-12-03 (seed 0, ``OPENBLAS_NUM_THREADS=1``): validation reconstruction 253.2
nats per image, KL 6.41; images decoded from z ~ N(0, I) have mean pixel 0.260 (real images
0.287) and a judge score of 4.65 (real 6.97, noise 1.03; ``labs/_generative.py``). The full run
took 152 s of CPU time (about 2.5 minutes on a quiet core; 11 min 47 s of wall time on a
2-core machine at load average 8-11); ``--quick`` takes 4 s of CPU.
"""
from __future__ import annotations

import time

import numpy as np

import glassnet as gn
from glassnet import layers, ops
from glassnet.core.tensor import Tensor
from glassnet.labs._generative import (CLASS_NAMES, image_grid_figure, judge_images, load_fashion_images,
                                       noise_like, train_judge)
from glassnet.labs.base import Lab, Param, register

PIXELS = 28 * 28


class Sampling(layers.Layer):
    """z = mean + exp(log_var / 2) * eps with eps ~ N(0, I); adds the KL term to the loss.

    Called on ``[mean, log_var]`` (two tensors of shape (batch, latent_dim)); returns z.

    Args:
        kl_weight: the factor of the KL term added with ``add_loss`` (1 / 784 when the
            reconstruction loss is a mean over 784 pixels; 1 when it is their sum).
        seed: seed of the layer's own random stream (None: glassnet's global generator).

    Example:
        >>> import numpy as np
        >>> layer = Sampling(seed=0)
        >>> z = layer([np.zeros((3, 2), np.float32), np.zeros((3, 2), np.float32)])
        >>> z.shape, float(layer.losses[0].item())    # KL of N(0, I) from N(0, I) is 0
        ((3, 2), 0.0)
    """

    def __init__(self, kl_weight: float = 1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.kl_weight = float(kl_weight)
        self.seed = seed
        self._rng = None if seed is None else gn.backend.make_rng(seed)

    def call(self, inputs):
        mean, log_var = inputs
        # eps is drawn fresh on every call: a constant of the graph (no gradient flows to it)
        rng = self._rng or gn.backend.rng()
        eps = Tensor(gn.backend.move_like(rng.standard_normal(mean.shape).astype(mean.dtype), mean.data))
        sigma = ops.exp(log_var / 2)                    # exp(log(sigma^2) / 2) = sigma
        z = mean + sigma * eps                          # the reparameterisation trick
        # KL( N(mean, sigma^2) || N(0, I) ) of each image, summed over the latent dimensions
        kl = -0.5 * ops.sum(1 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        self.add_loss(self.kl_weight * ops.mean(kl))  # averaged over the batch, as the BCE is
        return z

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])  # z has the shape of mean (and no loss is added here)

    def get_config(self):
        config = super().get_config()
        config.update(kl_weight=self.kl_weight, seed=self.seed)
        return config


def build_vae(latent_dim: int = 2, seed=None):
    """``(vae, encoder, decoder)``: the encoder maps images to ``[mean, log_var, z]``, the
    decoder codes to images, and ``vae`` chains them (images -> reconstructions)."""
    inputs = layers.Input((28, 28, 1), name="image")
    h = layers.Flatten()(inputs)
    h = layers.Dense(150, activation="selu", kernel_initializer="lecun_normal", name="enc_150")(h)
    h = layers.Dense(100, activation="selu", kernel_initializer="lecun_normal", name="enc_100")(h)
    mean = layers.Dense(latent_dim, name="mean")(h)
    log_var = layers.Dense(latent_dim, name="log_var")(h)
    z = Sampling(kl_weight=1.0 / PIXELS, seed=seed, name="sampling")([mean, log_var])
    encoder = gn.Model(inputs, [mean, log_var, z], name="encoder")

    codes = layers.Input((latent_dim,), name="code")
    h = layers.Dense(100, activation="selu", kernel_initializer="lecun_normal", name="dec_100")(codes)
    h = layers.Dense(150, activation="selu", kernel_initializer="lecun_normal", name="dec_150")(h)
    h = layers.Dense(PIXELS, activation="sigmoid", name="dec_784")(h)
    decoder = gn.Model(codes, layers.Reshape((28, 28, 1))(h), name="decoder")

    _, _, z = encoder(inputs)
    vae = gn.Model(inputs, decoder(z), name="vae")
    return vae, encoder, decoder


def vae_terms(encoder, decoder, images, rng) -> tuple:
    """Per-image averages of the two loss terms on ``images``, in nats per image:
    ``(reconstruction, kl)``. The reconstruction is the summed binary cross-entropy of the
    images decoded from one sampled code each (as in training)."""
    mean, log_var, _ = encoder.predict(images, batch_size=1000)
    z = mean + np.exp(log_var / 2) * rng.standard_normal(mean.shape).astype(np.float32)
    p = np.clip(decoder.predict(z, batch_size=1000), 1e-7, 1 - 1e-7)   # Keras's epsilon
    x = images.reshape(len(images), -1)
    p = p.reshape(len(images), -1)
    bce = -(x * np.log(p) + (1 - x) * np.log(1 - p)).sum(axis=1)
    kl = -0.5 * (1 + log_var - mean ** 2 - np.exp(log_var)).sum(axis=1)
    return float(bce.mean()), float(kl.mean())


class EpochTerms(gn.callbacks.Callback):
    """After each epoch: the two loss terms on the validation images, and the time taken."""

    def __init__(self, encoder, decoder, images, seed):
        super().__init__()
        self.encoder, self.decoder, self.images = encoder, decoder, images
        self.rng = np.random.default_rng(seed)
        self.rows = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.start
        recon, kl = vae_terms(self.encoder, self.decoder, self.images, self.rng)
        self.rows.append([epoch + 1, round(logs["loss"], 5), round(recon, 2), round(kl, 3), round(recon + kl, 2),
                          round(seconds, 1)])


@register
class VaeLab(Lab):
    name = "vae"
    title = "A variational autoencoder on Fashion-MNIST: Sampling layer, KL term via add_loss"
    section = "6"
    shows = "reparameterisation trick, KL via add_loss; images decoded from a latent grid; 2-D latent space"
    typical_time = "2.5 min"
    datasets = ("fashion-mnist",)
    params = {
        "epochs": Param(25, quick=2, help="training epochs"),
        "batch_size": Param(128, help="images per step"),
        "latent_dim": Param(2, help="size of the code (2: the latent space is plotted as it is)"),
        "learning_rate": Param(1e-3, help="Adam's learning rate"),
        "train_limit": Param(0, quick=3000, help="use only the first N training images (0: all 60,000)"),
        "judge_epochs": Param(3, quick=1, help="epochs of the judge classifier (0: no judge)", minimum=0),
        "data_dir": Param("", help="folder holding fashion-mnist/ (default: $GLASSNET_DATA or the cache)"),
    }

    def run(self, ctx):
        p = ctx.params
        (x_all, y_all), (x_test, y_test) = load_fashion_images(p["data_dir"] or None, p["train_limit"] or None,
                                                               1000 if ctx.quick else None)
        n_val = len(x_all) // 12                             # 5,000 of 60,000, Géron's split
        x_train, x_val, y_val = x_all[:-n_val], x_all[-n_val:], y_all[-n_val:]
        ctx.print(f"training on {len(x_train)} images, validating on {n_val}")

        gn.backend.clear_session()
        vae, encoder, decoder = build_vae(p["latent_dim"], seed=ctx.seed)
        vae.compile(optimizer=gn.optimizers.Adam(p["learning_rate"]), loss="binary_crossentropy")
        vae.summary(print_fn=ctx.print)
        terms = EpochTerms(encoder, decoder, x_val, ctx.seed)
        history = vae.fit(x_train, x_train, epochs=p["epochs"], batch_size=p["batch_size"],
                          validation_data=(x_val, x_val), callbacks=[terms], verbose=ctx.verbose, seed=ctx.seed)
        ctx.table(["epoch", "loss (per pixel)", "val reconstruction", "val KL", "val -ELBO", "s"], terms.rows,
                  title="per epoch: the loss fit minimises (training, per pixel), then on the validation images "
                        "in nats per image: reconstruction (BCE summed over 784 pixels), KL, their sum")

        recon, kl = terms.rows[-1][2], terms.rows[-1][3]
        ctx.report("validation reconstruction loss after epoch 1", terms.rows[0][2])
        ctx.report("validation reconstruction loss (nats per image)", recon, note="BCE summed over 784 pixels")
        ctx.report("validation KL (nats per image)", kl, note="> 0: the codes carry information")
        ctx.report("validation -ELBO (nats per image)", round(recon + kl, 2))
        ctx.report("val_loss (per pixel, from fit)", round(history.history["val_loss"][-1], 5),
                   note="-ELBO / 784")
        ctx.report("seconds per epoch", round(float(np.mean([r[-1] for r in terms.rows])), 1))

        rng = np.random.default_rng(ctx.seed)
        generated = decoder.predict(rng.standard_normal((len(x_test), p["latent_dim"])).astype(np.float32),
                                    batch_size=1000)
        ctx.report("mean pixel, generated from z ~ N(0, I)", round(float(generated.mean()), 4))
        ctx.report("mean pixel, real test images", round(float(x_test.mean()), 4))
        ctx.report("pixel std, generated", round(float(generated.std()), 4),
                   note="the decoder outputs each pixel's mean: smoother")
        ctx.report("pixel std, real", round(float(x_test.std()), 4))
        if p["judge_epochs"]:
            judge, accuracy = train_judge(x_all, y_all, p["judge_epochs"], x_test, y_test)
            ctx.print(f"judge classifier: test accuracy {accuracy:.4f}")
            on_fake, on_real = judge_images(judge, generated), judge_images(judge, x_test)
            on_noise = judge_images(judge, noise_like(x_test, rng))
            ctx.report("judge score, generated", round(on_fake["score"], 3), note="1 to 10 (labs/_generative.py)")
            ctx.report("judge score, real test images", round(on_real["score"], 3), note="the ceiling")
            ctx.report("judge score, noise", round(on_noise["score"], 3), note="the floor")
            ctx.report("classes covered by generated images", int((on_fake["classes"] >= 0.02).sum()),
                       note="classes with >= 2% of the samples")
        self._plots(ctx, encoder, decoder, history, x_val, y_val, p["latent_dim"])

    def _plots(self, ctx, encoder, decoder, history, x_val, y_val, latent_dim):
        import matplotlib.pyplot as plt
        from glassnet import plotting
        ctx.savefig(plotting.plot_history(history, title="VAE: -ELBO per pixel"), "history")
        # decode a 15 x 15 grid of latent points (the other dimensions, if any, at 0)
        values = np.linspace(-2.0, 2.0, 15).astype(np.float32)
        grid = np.zeros((15 * 15, latent_dim), np.float32)
        grid[:, 0] = np.tile(values, 15)
        grid[:, 1] = np.repeat(values[::-1], 15)           # z2 grows upwards, as on the plot axes
        images = decoder.predict(grid, batch_size=225)
        labels = [f"{v:.1f}" for v in values]
        ctx.savefig(image_grid_figure(images, 15, "images decoded from a grid of latent points (z1 across, z2 up)",
                                      row_labels=labels[::-1], col_labels=labels), "generated_grid")
        mean, _, _ = encoder.predict(x_val, batch_size=1000)
        fig, ax = plt.subplots(figsize=(7.0, 6.0))
        points = ax.scatter(mean[:, 0], mean[:, 1], c=y_val, cmap="tab10", s=3, vmin=-0.5, vmax=9.5)
        bar = fig.colorbar(points, ax=ax, ticks=range(10))
        bar.ax.set_yticklabels(CLASS_NAMES)
        ax.set_xlabel("z1 (code mean)")
        ax.set_ylabel("z2 (code mean)")
        ax.set_title(f"the latent space: {len(x_val)} validation images by class")
        ax.grid(alpha=0.3)
        ctx.savefig(fig, "latent_space")
        originals = x_val[:10]
        mean, _, _ = encoder.predict(originals)
        ctx.savefig(image_grid_figure(np.concatenate([originals, decoder.predict(mean)]), 10,
                                      "validation images (top) and their reconstructions from the code mean"),
                    "reconstructions")
