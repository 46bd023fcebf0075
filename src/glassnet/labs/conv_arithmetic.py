"""Lab `conv-arithmetic`: the worked examples of COURSE.md section 3, computed by glassnet's
convolution and pooling layers and shown as grids."""
from __future__ import annotations

import numpy as np

from glassnet import layers
from glassnet.labs.base import Lab, register

# The course's max-pooling example: a 4x4 input pooled 2x2 with stride 2.
POOL_INPUT = np.array([[2, 5, 7, 8],
                       [8, 3, 10, 2],
                       [4, 5, 1, 2],
                       [7, 2, 3, 4]], dtype=np.float32)
POOL_EXPECTED = [[8, 10], [7, 4]]


def conv_output_size(n: int, k: int, p: int, s: int) -> int:
    """The course's output-size formula: floor((n + 2p - k) / s) + 1."""
    return (n + 2 * p - k) // s + 1


def _one_image(grid):
    """A (h, w) grid as a batch of one single-channel image (1, h, w, 1)."""
    return np.asarray(grid, dtype=np.float32)[None, :, :, None]


@register
class ConvArithmetic(Lab):
    name = "conv-arithmetic"
    title = "Convolution and pooling arithmetic, computed"
    section = "3"
    shows = "max-pool example, valid/same/stride output sizes, 896 parameters, a 3D conv"
    typical_time = "2 s"
    params = {}

    def run(self, ctx):
        # 1. Max pooling keeps each window's largest value.
        pooled = layers.MaxPooling2D(pool_size=2, strides=2)(_one_image(POOL_INPUT)).numpy()[0, :, :, 0]
        ctx.print("max-pooling the course's 4x4 input, 2x2 windows, stride 2:")
        ctx.table(["", "col 1", "col 2"], [[f"row {i + 1}", *row] for i, row in enumerate(pooled.astype(int))])
        ctx.report("max-pool result", pooled.astype(int).tolist(), course=POOL_EXPECTED)

        # 2. Output sizes of a 3x3 convolution over a 5x5 input: valid, same, same with stride 2.
        image = np.arange(25, dtype=np.float32).reshape(5, 5) / 24.0
        rows = []
        cases = [("valid", "valid", 1, 0, "3x3"), ("same (p = (F-1)/2 = 1)", "same", 1, 1, "5x5"),
                 ("same, stride 2", "same", 2, 1, "3x3")]
        for label, padding, strides, p, course in cases:
            conv = layers.Conv2D(1, 3, strides=strides, padding=padding, use_bias=False)
            h, w = conv(_one_image(image)).shape[1:3]
            expected = conv_output_size(5, 3, p, strides)
            rows.append([label, f"{h}x{w}", f"{expected}x{expected}"])
            ctx.report(f"5x5 input, 3x3 conv, {label}", f"{h}x{w}", course=course)
        ctx.table(["padding", "glassnet output", "(n + 2p - k)/s + 1"], rows,
                  title="3x3 convolution of a 5x5 input")

        # 3. Parameters of a 2D conv: C*K*K*N + N (weights per filter, plus one bias per filter).
        conv = layers.Conv2D(32, 3)
        conv.build((None, 32, 32, 3))
        ctx.report("Conv2D(32, 3x3) on 3 channels: parameters", conv.count_params(), course=896,
                   note="C*K*K*N + N = 3*3*3*32 + 32")

        # 4. A 3D kernel slides in three directions.
        volume = np.random.default_rng(ctx.seed).standard_normal((1, 5, 5, 5, 1)).astype(np.float32)
        out3d = layers.Conv3D(1, 2)(volume)
        ctx.report("Conv3D (5,5,5) input, (2,2,2) kernel: output", "x".join(map(str, out3d.shape[1:4])),
                   course="4x4x4")

        ctx.savefig(self._figure(image, pooled), "conv_arithmetic")

    def _figure(self, image, pooled):
        """Four grids: the pool input and result, a 5x5 image and its valid 3x3 box-filter sum."""
        import matplotlib.pyplot as plt
        summed = layers.Conv2D(1, 3, kernel_initializer="ones", use_bias=False)(_one_image(image)).numpy()[0, :, :, 0]
        panels = [(POOL_INPUT, "course's 4x4 input"), (pooled, "max-pool 2x2, stride 2"),
                  (image, "5x5 input"), (summed, "3x3 conv of all ones, valid")]
        fig, axes = plt.subplots(1, 4, figsize=(14, 3.8))
        for ax, (grid, title) in zip(axes, panels):
            ax.imshow(grid, cmap="Blues")
            for (i, j), v in np.ndenumerate(grid):
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=9)
            ax.set_title(title)
            ax.set_xticks([])
            ax.set_yticks([])
        fig.suptitle("Convolution and pooling arithmetic (COURSE.md section 3)")
        return fig
