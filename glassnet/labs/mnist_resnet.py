"""Lab `mnist-resnet`: the course's exercise 4, a small ResNet on MNIST next to its plain twin."""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import losses, plotting
from glassnet.labs._mnist_cnn import load_mnist_images, small_resnet
from glassnet.labs.base import Lab, Param, register


def conv_gradient_norms(model, x, y) -> list:
    """The gradient norm of every conv kernel, input side first, for one batch.

    Gradients that shrink layer after layer on the way back (vanishing gradients) are what
    skip connections fix: the identity path hands each block the gradient of the block above
    unchanged, dL/dx = dL/dy * (1 + dF/dx).
    """
    loss = losses.sparse_categorical_crossentropy(y, model(x, training=True))
    loss.mean().backward()
    norms = [(w.name.split("/")[0], float(np.linalg.norm(w.grad)))
             for w in model.trainable_weights if w.name.endswith("_conv/kernel")]
    for w in model.trainable_weights:
        w.grad = None
    return norms


class BatchLossRecorder(gn.callbacks.Callback):
    """The loss of every training batch. Keras's batch logs hold the epoch's running mean, so
    batch k's own loss is recovered as ``k * mean_k - (k - 1) * mean_(k-1)``."""

    def __init__(self):
        super().__init__()
        self.losses, self._previous_mean = [], 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._previous_mean = 0.0

    def on_train_batch_end(self, batch, logs=None):
        mean = logs["loss"]
        self.losses.append((batch + 1) * mean - batch * self._previous_mean)
        self._previous_mean = mean


def smooth(values, window: int = 50) -> np.ndarray:
    """The mean of the last ``window`` values at each step (fewer at the start): readable curves."""
    sums = np.concatenate([[0.0], np.cumsum(np.asarray(values, dtype=np.float64))])
    end = np.arange(1, len(sums))
    start = np.maximum(end - window, 0)
    return (sums[end] - sums[start]) / (end - start)


@register
class MnistResNet(Lab):
    name = "mnist-resnet"
    title = "A small ResNet on MNIST, and its plain twin"
    section = "3"
    exercise = "4"
    shows = "identity and projection shortcuts; >= 0.99; skips keep gradients alive (curves)"
    typical_time = "12 min"
    params = {
        "epochs": Param(3, quick=1, help="training epochs of each network"),
        "batch_size": Param(64, help="samples per step"),
        "width": Param(16, quick=4, help="filters of the first stage (doubled at each later stage)"),
        "blocks_per_stage": Param(2, quick=1, help="residual blocks per stage (3 stages)"),
        "batch_norm": Param(True, help="conv -> batch norm -> ReLU, as in the ResNet paper (both twins)"),
        "train_limit": Param(0, quick=600, help="use only the first N training images (0: all)"),
        "test_limit": Param(0, quick=300, help="use only the first N test images (0: all)"),
        "data_dir": Param("", help="folder holding mnist/ (default: $GLASSNET_DATA or the cache)"),
    }

    def run(self, ctx):
        p = ctx.params
        (x_train, y_train), (x_test, y_test) = load_mnist_images(
            p["data_dir"] or None, p["train_limit"] or None, p["test_limit"] or None)
        widths = (p["width"], 2 * p["width"], 4 * p["width"])
        histories, batch_losses, norms, rows = {}, {}, {}, []
        for label, skip in (("ResNet", True), ("plain twin", False)):
            gn.backend.set_seed(ctx.seed)  # both twins start from the same kind of draw
            model = small_resnet(skip=skip, batch_norm=p["batch_norm"], widths=widths,
                                 blocks_per_stage=p["blocks_per_stage"])
            if skip:
                model.summary(print_fn=ctx.print)
            norms[label] = conv_gradient_norms(model, x_train[:256], y_train[:256])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            ctx.print(f"training the {label} ({model.count_params():,} parameters)")
            recorder = BatchLossRecorder()
            history = model.fit(x_train, y_train, epochs=p["epochs"], batch_size=p["batch_size"],
                                validation_split=0.1, callbacks=[recorder], verbose=0 if ctx.quick else 2)
            batch_losses[label] = recorder.losses
            _, accuracy = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
            histories[label] = history
            rows.append([label, model.count_params(), history.history["loss"][-1], accuracy])
            ctx.report(f"{label}: test accuracy", accuracy, course=0.99 if skip else None,
                       note="course target: >= 0.99" if skip else "")
            if skip:
                ctx.report("ResNet parameters", model.count_params())
        ctx.table(["network", "parameters", "final training loss", "test accuracy"], rows)
        first, last = norms["ResNet"][0], norms["ResNet"][-1]
        ctx.print(f"gradient norm at the first conv / last conv before training: ResNet "
                  f"{first[1]:.3g} / {last[1]:.3g}; plain {norms['plain twin'][0][1]:.3g} / "
                  f"{norms['plain twin'][-1][1]:.3g}")

        ctx.savefig(self._figure(histories, batch_losses, norms), "resnet_vs_plain")

    def _figure(self, histories, batch_losses, norms):
        import matplotlib.pyplot as plt
        fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(12, 4.5))
        for label, history in histories.items():
            steps = np.arange(1, len(batch_losses[label]) + 1)
            line, = ax_loss.plot(steps, smooth(batch_losses[label]), label=f"{label} (training, 50-step mean)")
            per_epoch = len(steps) / len(history.history["val_loss"])
            ax_loss.plot(per_epoch * np.arange(1, len(history.history["val_loss"]) + 1), history.history["val_loss"],
                         marker="s", linestyle="--", color=line.get_color(), label=f"{label} (validation)")
        ax_loss.set(xlabel="training step", ylabel="loss", yscale="log", title="loss during training")
        ax_loss.legend()
        for label, layer_norms in norms.items():
            ax_grad.plot(range(1, len(layer_norms) + 1), [n for _, n in layer_norms], marker="o", label=label)
        ax_grad.set(xlabel="conv layer (input side first)", ylabel="gradient norm of the kernel",
                    yscale="log", title="gradients at initialisation, one batch")
        ax_grad.legend()
        fig.suptitle("Why skip connections help (COURSE.md exercise 4)")
        return fig
