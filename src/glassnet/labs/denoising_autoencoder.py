"""Lab `denoising-autoencoder`: autoencoders that learn to remove noise (COURSE.md section 6),
as Géron's *Hands-On Machine Learning* (chapter 17) trains them on Fashion-MNIST.

A denoising autoencoder corrupts its input during training only and is asked for the clean
image: it cannot copy its input, so it must learn what clothes look like. Three of them:

1. the stacked 784-100-30 SELU autoencoder with ``GaussianNoise(0.2)`` after its input;
2. the same with ``Dropout(0.5)``: half the pixels switched off (the others doubled);
3. a convolutional one: Conv2D 16-32-64 with 2x2 max pooling (28 -> 14 -> 7 -> 3), and a
   decoder of three ``Conv2DTranspose`` layers with stride 2 (3 -> 7 with "valid" padding:
   (3 - 1) * 2 + 3 = 7; then 7 -> 14 -> 28 with "same"), ``GaussianNoise(0.2)`` at its input.

Plus, for comparison, the plain stacked autoencoder (no noise in training) given the same
noisy images. Every model: binary cross-entropy, SGD with rate 1.0 (Géron's), batches of 32.
The validation images are corrupted once, with a fixed seed, the way each model was trained;
the table gives the mean squared difference to the clean images of the corrupted input and
of each model's output. Plots: noisy / denoised / clean images side by side.

Géron trains the dense ones 10 epochs and the convolutional one 5 on all 55,000 images; to
fit a few minutes on 2 cores this lab trains the dense ones 5 epochs and the convolutional
one 3 epochs on 12,000 images (``--set`` changes any of them). Géron gives no figures for
these models.

Measured at full settings (seed 0, 2026-12-03), mean squared difference to the clean
validation images: the noisy input 0.0400 (std 0.2: 0.2^2), the dense denoiser's output
0.0183, the convolutional one's 0.0159; with half the pixels dropped, 0.2053 in and 0.0209
out. The plain autoencoder, never trained on noise, gives 0.0187: at this noise level the
30-number bottleneck alone removes most of the noise, and training with noise adds little
(try ``--set noise_std=0.5``). The run took 156 s of CPU time with one BLAS thread (16
minutes of wall time on a machine whose load was 7-11, where it got 15% of a core), peak
memory 514 MB.
"""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import layers
from glassnet.labs._autoencoders import (autoencoder, load_fashion, mse_per_image, plot_image_rows,
                                         rounded_accuracy, stacked_decoder, stacked_encoder)
from glassnet.labs.base import Lab, Param, register


def conv_autoencoder(noise_std):
    """Géron's convolutional autoencoder, with Gaussian noise on its input in training."""
    encoder = gn.Sequential([
        layers.Input((28, 28)),
        layers.GaussianNoise(noise_std),
        layers.Reshape((28, 28, 1)),
        layers.Conv2D(16, 3, padding="same", activation="selu"), layers.MaxPooling2D(2),   # 14 x 14 x 16
        layers.Conv2D(32, 3, padding="same", activation="selu"), layers.MaxPooling2D(2),   # 7 x 7 x 32
        layers.Conv2D(64, 3, padding="same", activation="selu"), layers.MaxPooling2D(2),   # 3 x 3 x 64
    ], name="conv_encoder")
    decoder = gn.Sequential([
        layers.Input((3, 3, 64)),
        layers.Conv2DTranspose(32, 3, strides=2, padding="valid", activation="selu"),     # 7 x 7 x 32
        layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="selu"),      # 14 x 14 x 16
        layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid"),    # 28 x 28 x 1
        layers.Reshape((28, 28)),
    ], name="conv_decoder")
    return autoencoder(encoder, decoder, name="conv_denoising_ae")


@register
class DenoisingAutoencoder(Lab):
    name = "denoising-autoencoder"
    title = "Denoising autoencoders on Fashion-MNIST: Gaussian noise, dropout, convolutional"
    section = "6"
    shows = "noisy / denoised / clean images; MSE to the clean images before and after denoising"
    typical_time = "2.5 min"
    datasets = ("fashion-mnist",)
    params = {
        "epochs": Param(5, quick=1, help="epochs of the dense autoencoders (Géron: 10)"),
        "conv_epochs": Param(3, quick=1, minimum=0,
                             help="epochs of the convolutional autoencoder (Géron: 5; 0: skip it)"),
        "conv_train_limit": Param(12000, quick=300, minimum=0,
                                  help="training images of the convolutional one (0: all)"),
        "learning_rate": Param(1.0, help="SGD's learning rate (Géron's 1.0)"),
        "batch_size": Param(32, help="images per step"),
        "noise_std": Param(0.2, help="standard deviation of the Gaussian noise"),
        "dropout_rate": Param(0.5, help="share of the pixels dropped by the Dropout variant"),
        "plain_baseline": Param(True, help="also train the plain autoencoder (no noise) for comparison"),
        "train_limit": Param(0, quick=2000, help="use only the first N of the 55,000 training images (0: all)"),
        "valid_limit": Param(0, quick=500, help="use only the first N of the 5,000 validation images (0: all)"),
        "data_dir": Param("", help="folder holding fashion-mnist/ (default: $GLASSNET_DATA or the cache)"),
    }

    def run(self, ctx):
        p = ctx.params
        (x_train, _), (x_valid, _), _ = load_fashion(p["data_dir"], p["train_limit"])
        if p["valid_limit"]:
            x_valid = x_valid[:p["valid_limit"]]
        ctx.print(f"{len(x_train)} training and {len(x_valid)} validation images")
        # the validation images corrupted once, as each kind of model was trained
        rng = np.random.default_rng(ctx.seed)
        gauss = (x_valid + p["noise_std"] * rng.standard_normal(x_valid.shape)).astype("float32")
        keep = rng.random(x_valid.shape) >= p["dropout_rate"]
        dropped = (x_valid * keep / (1.0 - p["dropout_rate"])).astype("float32")

        noise = f"Gaussian noise, std {p['noise_std']}"
        models = [("dense + GaussianNoise", layers.GaussianNoise(p["noise_std"]), gauss, noise),
                  ("dense + Dropout", layers.Dropout(p["dropout_rate"]), dropped,
                   f"{p['dropout_rate']:.0%} of pixels dropped")]
        if p["plain_baseline"]:
            models.append(("dense, no noise in training", None, gauss, noise))
        rows, outputs, histories = [], {}, {}
        shown = slice(0, 8)
        for label, first, noisy, corruption in models:
            model = autoencoder(stacked_encoder(first=first), stacked_decoder(), name="dense_ae")
            self.train(ctx, model, x_train, x_valid, p["epochs"], histories, label)
            rows.append(self.score(ctx, label, model, p["epochs"], len(x_train), corruption, noisy, x_valid))
            outputs[label] = (corruption, model.predict(noisy[shown], verbose=0))

        if p["conv_epochs"]:
            label = "conv + GaussianNoise"
            model = conv_autoencoder(p["noise_std"])
            model.summary(print_fn=ctx.print)
            x_conv = x_train[:p["conv_train_limit"]] if p["conv_train_limit"] else x_train
            self.train(ctx, model, x_conv, x_valid, p["conv_epochs"], histories, label)
            rows.append(self.score(ctx, label, model, p["conv_epochs"], len(x_conv), noise, gauss, x_valid))
            outputs[label] = (noise, model.predict(gauss[shown], verbose=0))

        ctx.table(["model", "epochs", "trained on", "validation input", "MSE input vs clean",
                   "MSE output vs clean", "rounded acc. (clean input)"], rows,
                  title=f"{len(x_valid)} validation images: mean squared difference to the clean images")
        after = {row[0]: row[5] for row in rows}
        if p["plain_baseline"]:
            ctx.print(f"Gaussian noise in, MSE out: {after['dense + GaussianNoise']:.4f} for the denoising "
                      f"autoencoder, {after['dense, no noise in training']:.4f} for the one that never saw noise")
        clean = x_valid[shown]
        figure = [("noisy", gauss[shown])] + [(label, out) for label, (kind, out) in outputs.items() if kind == noise]
        ctx.savefig(plot_image_rows(figure + [("clean", clean)],
                                    title="Gaussian noise: noisy input, each model's output, clean image"),
                    "denoised_gaussian")
        ctx.savefig(plot_image_rows([("pixels dropped", dropped[shown]),
                                     ("dense + Dropout", outputs["dense + Dropout"][1]), ("clean", clean)],
                                    title="dropped pixels: corrupted input, denoised, clean image"),
                    "denoised_dropout")
        ctx.savefig(gn.plotting.plot_curves({label: (np.arange(1, len(h["val_loss"]) + 1), h["val_loss"])
                                             for label, h in histories.items()},
                                            xlabel="epoch", ylabel="validation loss (clean input)",
                                            title="binary cross-entropy on the validation images"),
                    "history")

    def train(self, ctx, model, x_train, x_valid, epochs, histories, label):
        p = ctx.params
        model.compile(loss="binary_crossentropy", optimizer=gn.optimizers.SGD(learning_rate=p["learning_rate"]),
                      metrics=[rounded_accuracy])
        ctx.print(f"-- {label}")
        history = model.fit(x_train, x_train, epochs=epochs, batch_size=p["batch_size"], verbose=ctx.verbose,
                            validation_data=(x_valid, x_valid))
        histories[label] = history.history

    def score(self, ctx, label, model, epochs, n_train, corruption, noisy, clean):
        """One table row; reports the MSEs of ``model``'s output on ``noisy`` against ``clean``."""
        denoised = model.predict(noisy, batch_size=500, verbose=0)
        before, after = float(mse_per_image(noisy, clean).mean()), float(mse_per_image(denoised, clean).mean())
        _, acc = model.evaluate(clean, clean, batch_size=500, verbose=0)
        ctx.report(f"{label}: MSE of the output", after, note=f"input ({corruption}): {before:.4f}")
        return (label, epochs, f"{n_train} images", corruption, before, after, acc)
