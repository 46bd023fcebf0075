"""Lab `cpu-vs-gpu`: the course's exercise 6 — how long one epoch of exercise 5's network takes
on the CPU, and on a GPU when glassnet has one to use."""
from __future__ import annotations

import os
import time

import glassnet as gn
from glassnet.labs._mnist_cnn import load_mnist_images, small_resnet
from glassnet.labs.base import Lab, Param, register


@register
class CpuVsGpu(Lab):
    name = "cpu-vs-gpu"
    title = "Training speed on the CPU (and a GPU when present)"
    section = "4"
    exercise = "6"
    shows = "seconds per epoch of exercise 5's ResNet (with batch norm) on 60,000 images"
    typical_time = "1 min"
    datasets = ("mnist",)
    params = {
        "timed_steps": Param(60, quick=3, help="training steps timed (after one warm-up step)"),
        "batch_size": Param(64, help="samples per step"),
        "width": Param(8, quick=4, help="filters of the first stage, as in training-techniques"),
        "data_dir": Param("", help="folder holding mnist/ (default: $GLASSNET_DATA or the cache)"),
    }

    def run(self, ctx):
        p = ctx.params
        n_images = 60000
        (x, y), _ = load_mnist_images(p["data_dir"] or None, train_limit=p["batch_size"] * (p["timed_steps"] + 1),
                                      test_limit=1)
        model = small_resnet(skip=True, batch_norm=True, widths=(p["width"], 2 * p["width"], 4 * p["width"]))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        bs = p["batch_size"]
        model.train_on_batch(x[:bs], y[:bs])  # warm-up: first-call costs are not training speed
        start = time.perf_counter()
        for i in range(1, p["timed_steps"] + 1):
            model.train_on_batch(x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs])
        per_step = (time.perf_counter() - start) / p["timed_steps"]
        steps_per_epoch = -(-n_images // bs)
        epoch_seconds = per_step * steps_per_epoch
        ctx.print(f"CPU ({os.cpu_count()} cores): {per_step * 1000:.1f} ms per step of {bs} images, "
                  f"{steps_per_epoch} steps per epoch")
        ctx.report("CPU: seconds per epoch (60,000 images)", round(epoch_seconds, 1),
                   note=f"from {p['timed_steps']} timed steps")
        if "gpu" not in gn.backend.devices():
            ctx.print("GPU: not measured — glassnet computes with NumPy on the CPU here; the CuPy GPU "
                      "backend is a later step of the roadmap.")
            ctx.report("GPU: seconds per epoch", "n/a", note="no GPU backend yet")
        ctx.savefig(self._figure(epoch_seconds), "cpu_vs_gpu")

    def _figure(self, epoch_seconds):
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.bar(["CPU (NumPy)"], [epoch_seconds], color="tab:blue")
        ax.set(ylabel="seconds per epoch", title="One epoch of exercise 5's ResNet on MNIST")
        ax.text(0, epoch_seconds, f"{epoch_seconds:.0f} s", ha="center", va="bottom")
        return fig
