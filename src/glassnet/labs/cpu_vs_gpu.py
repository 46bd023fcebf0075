"""Lab `cpu-vs-gpu`: the course's exercise 6 — how long one epoch of exercise 5's network takes
on the CPU (NumPy), and on a GPU (CuPy, ``pip install "glassnet[gpu]"``) when glassnet can use
one; then the speed-up. Without a GPU the lab says why the GPU row is missing."""
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
        bs, n_images = p["batch_size"], 60000
        (x, y), _ = load_mnist_images(p["data_dir"] or None, train_limit=bs * (p["timed_steps"] + 1), test_limit=1)
        steps_per_epoch = -(-n_images // bs)
        previous = gn.backend.get_device()
        try:
            cpu_step = self._seconds_per_step("cpu", x, y, p)
            ctx.print(f"CPU ({os.cpu_count()} cores, NumPy): {cpu_step * 1000:.1f} ms per step of {bs} images, "
                      f"{steps_per_epoch} steps per epoch")
            cpu_epoch = cpu_step * steps_per_epoch
            ctx.report("CPU: seconds per epoch (60,000 images)", round(cpu_epoch, 1),
                       note=f"from {p['timed_steps']} timed steps")
            why_not = gn.backend.gpu_unavailable_reason()
            gpu_epoch = None
            if why_not is None:
                gpu_step = self._seconds_per_step("gpu", x, y, p)
                gpu_epoch = gpu_step * steps_per_epoch
                ctx.print(f"GPU ({gn.backend.get_device()}, CuPy): {gpu_step * 1000:.1f} ms per step of {bs} images")
                ctx.report("GPU: seconds per epoch", round(gpu_epoch, 2), note=f"from {p['timed_steps']} timed steps")
                ctx.report("GPU speed-up over the CPU", round(cpu_epoch / gpu_epoch, 1),
                           note="CPU time / GPU time per epoch: the difference exercise 6 asks for")
                ctx.print(f"The course's exercise 6 (run exercise 5 on a CPU and a GPU, report the difference): "
                          f"here the GPU trains {cpu_epoch / gpu_epoch:.1f}x faster than the CPU.")
            else:
                ctx.print(f"GPU: not measured: {why_not}")
                ctx.report("GPU: seconds per epoch", "n/a", note="no GPU glassnet can use here")
        finally:
            gn.backend.set_device(previous)
        ctx.savefig(self._figure(cpu_epoch, gpu_epoch), "cpu_vs_gpu")

    @staticmethod
    def _seconds_per_step(device, x, y, p):
        """Build exercise 5's network on ``device``, one warm-up step, then the mean time of the
        timed steps. The images go to the device once, as a prefetching loader would; every
        step returns its loss as a float, so the GPU has finished when the clock is read."""
        gn.backend.set_device(device)
        gn.backend.set_seed(0)
        model = small_resnet(skip=True, batch_norm=True, widths=(p["width"], 2 * p["width"], 4 * p["width"]))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        x, y = gn.backend.to_device(x, device), gn.backend.to_device(y, device)
        bs = p["batch_size"]
        model.train_on_batch(x[:bs], y[:bs])  # warm-up: first-call costs (kernel compiles) are not training speed
        start = time.perf_counter()
        for i in range(1, p["timed_steps"] + 1):
            model.train_on_batch(x[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs])
        return (time.perf_counter() - start) / p["timed_steps"]

    def _figure(self, cpu_epoch, gpu_epoch):
        import matplotlib.pyplot as plt
        names, values = ["CPU (NumPy)"], [cpu_epoch]
        if gpu_epoch is not None:
            names.append("GPU (CuPy)")
            values.append(gpu_epoch)
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.bar(names, values, color=["tab:blue", "tab:green"][:len(values)])
        ax.set(ylabel="seconds per epoch", title="One epoch of exercise 5's ResNet on MNIST")
        for i, v in enumerate(values):
            ax.text(i, v, f"{v:.1f} s", ha="center", va="bottom")
        return fig
