"""Lab `mnist-resnet`: the course's exercise 4, a small ResNet on MNIST next to its plain twin."""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import losses
from glassnet.labs._mnist_cnn import load_mnist_images, small_resnet
from glassnet.labs.base import Lab, Param, register


def conv_gradient_norms(model, x, y) -> list:
    """The gradient norm of every conv kernel, input side first, for one batch.

    In a deep plain network the gradient is multiplied by every layer's Jacobian on its way
    back, so its size drifts geometrically with depth: it vanishes, or (with batch norm, as
    measured in this lab's 49-layer pair) grows about 200-fold from the last conv to the first,
    and no single learning rate suits every layer. A skip connection hands each block the
    gradient of the block above unchanged, dL/dx = dL/dy * (1 + dF/dx), so the sizes stay
    within a small range.
    """
    loss = losses.sparse_categorical_crossentropy(y, model(x, training=True))
    loss.mean().backward()
    norms = [(w.name.split("/")[0], float(np.linalg.norm(gn.backend.to_host(w.grad))))
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
    title = "A small ResNet on MNIST, its plain twin, and the same pair 49 layers deep"
    section = "3"
    exercise = "4"
    shows = "identity and projection shortcuts; >= 0.99; at 49 layers only the ResNet trains (curves)"
    typical_time = "9 min"
    datasets = ("mnist",)
    params = {
        "epochs": Param(4, quick=1, help="training epochs of each network"),
        "learning_rate": Param(2e-3, help="Adam's rate at the start; it halves after every epoch"),
        "batch_size": Param(64, help="samples per step"),
        "width": Param(16, quick=4, help="filters of the first stage (doubled at each later stage)"),
        "blocks_per_stage": Param(1, help="residual blocks per stage (3 stages)"),
        "train_limit": Param(0, quick=600, help="use only the first N training images (0: all)"),
        "test_limit": Param(0, quick=300, help="use only the first N test images (0: all)"),
        "deep_blocks_per_stage": Param(8, quick=2, help="blocks per stage of the deep pair (8: 49 conv layers)"),
        "deep_train_limit": Param(3000, quick=300, help="training images of the deep pair"),
        "deep_epochs": Param(3, quick=1, help="training epochs of the deep pair"),
        "data_dir": Param("", help="folder holding mnist/ (default: $GLASSNET_DATA or the cache)"),
    }

    def run(self, ctx):
        p = ctx.params
        (x_train, y_train), (x_test, y_test) = load_mnist_images(
            p["data_dir"] or None, p["train_limit"] or None, p["test_limit"] or None)

        # Part 1, the exercise: a small ResNet (7 conv layers) on all of MNIST, and its twin.
        ctx.print("part 1: a small ResNet and its plain twin on MNIST")
        widths = (p["width"], 2 * p["width"], 4 * p["width"])
        small = self._train_twins(ctx, x_train, y_train, x_test, y_test, widths, p["blocks_per_stage"],
                                  p["epochs"], bn_momentum=0.99, show_summary=True)
        for label, result in small.items():
            skip = label == "ResNet"
            ctx.report(f"{label}: test accuracy", result["accuracy"], course=0.99 if skip else None,
                       note="course target: >= 0.99" if skip else "")
        ctx.report("ResNet parameters", small["ResNet"]["parameters"])

        # Part 2: the same pair 49 layers deep. Shallow, the twin trains as well as the ResNet;
        # deep, a plain network's gradients no longer reach its first layers in a usable form
        # and it stops learning, while the identity paths keep the ResNet trainable.
        n_deep = p["deep_train_limit"]
        ctx.print(f"part 2: the same pair with {p['deep_blocks_per_stage']} blocks per stage, "
                  f"on {n_deep} images")
        # 47 steps an epoch: batch norm's moving statistics need momentum 0.9 to keep up
        deep = self._train_twins(ctx, x_train[:n_deep], y_train[:n_deep], x_test, y_test, (8, 16, 32),
                                 p["deep_blocks_per_stage"], p["deep_epochs"], bn_momentum=0.9)
        layers_deep = len(deep["ResNet"]["norms"])
        for label, result in deep.items():
            ctx.report(f"{layers_deep} layers, {label}: final training loss", result["loss"])
            ctx.report(f"{layers_deep} layers, {label}: test accuracy", result["accuracy"])

        rows = [[f"{len(r['norms'])} layers, {label}", r["parameters"], r["loss"], r["accuracy"],
                 f"{r['norms'][0][1]:.3g} / {r['norms'][-1][1]:.3g}"]
                for results in (small, deep) for label, r in results.items()]
        ctx.table(["network", "parameters", "final training loss", "test accuracy",
                   "gradient norm first / last conv at init"], rows)
        for depth, results in ((len(small["ResNet"]["norms"]), small), (layers_deep, deep)):
            res, plain = results["ResNet"], results["plain twin"]
            spread = {label: max(n for _, n in r["norms"]) / min(n for _, n in r["norms"])
                      for label, r in results.items()}
            verdict = ("only the ResNet learns" if plain["loss"] > 2 * res["loss"] else
                       "the plain twin learns about as well" if plain["loss"] < 1.5 * res["loss"] else
                       "the ResNet learns faster")
            ctx.print(f"{depth} conv layers: final training loss ResNet {res['loss']:.3g}, plain {plain['loss']:.3g} "
                      f"({verdict}); initial gradient norms spread {spread['ResNet']:.0f}-fold across the "
                      f"ResNet's layers, {spread['plain twin']:.0f}-fold across the plain net's")
        ctx.savefig(self._figure(small, "a small ResNet (7 conv layers) and its plain twin, all of MNIST"),
                    "resnet_vs_plain")
        ctx.savefig(self._figure(deep, f"{layers_deep} conv layers, {n_deep} images: only the ResNet trains"),
                    "deep_resnet_vs_plain")

    def _train_twins(self, ctx, x_train, y_train, x_test, y_test, widths, blocks, epochs, bn_momentum,
                     show_summary=False) -> dict:
        """Train a ResNet and its plain twin (batch norm in both) the same way; per network:
        parameters, batch losses, history, final training loss, test accuracy, gradient norms."""
        p = ctx.params
        results = {}
        for label, skip in (("ResNet", True), ("plain twin", False)):
            gn.backend.set_seed(ctx.seed)  # both twins start from the same kind of draw
            model = small_resnet(skip=skip, batch_norm=True, widths=widths, blocks_per_stage=blocks,
                                 bn_momentum=bn_momentum)
            if show_summary and skip:
                model.summary(print_fn=ctx.print)
            norms = conv_gradient_norms(model, x_train[:256], y_train[:256])
            # halving the rate each epoch lets the last epochs settle instead of bouncing
            steps_per_epoch = -(-int(len(x_train) * 0.9) // p["batch_size"])
            schedule = gn.optimizers.schedules.ExponentialDecay(
                p["learning_rate"], decay_steps=steps_per_epoch, decay_rate=0.5, staircase=True)
            model.compile(optimizer=gn.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
            ctx.print(f"training the {label} ({model.count_params():,} parameters, {len(norms)} conv layers)")
            recorder = BatchLossRecorder()
            history = model.fit(x_train, y_train, epochs=epochs, batch_size=p["batch_size"],
                                validation_split=0.1, callbacks=[recorder], verbose=ctx.verbose)
            _, accuracy = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
            results[label] = {"parameters": model.count_params(), "batch_losses": recorder.losses,
                              "history": history.history, "loss": history.history["loss"][-1],
                              "accuracy": accuracy, "norms": norms}
        return results

    def _figure(self, results, title):
        import matplotlib.pyplot as plt
        fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(12, 4.5))
        for label, r in results.items():
            steps = np.arange(1, len(r["batch_losses"]) + 1)
            line, = ax_loss.plot(steps, smooth(r["batch_losses"]), label=f"{label} (training, 50-step mean)")
            val_loss = r["history"]["val_loss"]
            per_epoch = len(steps) / len(val_loss)
            ax_loss.plot(per_epoch * np.arange(1, len(val_loss) + 1), val_loss, marker="s", linestyle="--",
                         color=line.get_color(), label=f"{label} (validation)")
        ax_loss.set(xlabel="training step", ylabel="loss", yscale="log", title="loss during training")
        ax_loss.legend()
        for label, r in results.items():
            ax_grad.plot(range(1, len(r["norms"]) + 1), [n for _, n in r["norms"]], marker="o", label=label)
        ax_grad.set(xlabel="conv layer (input side first)", ylabel="gradient norm of the kernel",
                    yscale="log", title="gradients at initialisation, one batch")
        ax_grad.legend()
        fig.suptitle(f"Why skip connections help (COURSE.md exercise 4): {title}")
        return fig
