"""Every activation of COURSE.md section 2, plotted with its derivative.

The curves come from glassnet itself: f(x) from the op's forward pass and f'(x) from its
backward pass (``f(x).sum().backward()`` leaves f'(x) in ``x.grad``, because each output
depends only on its own input). Then both are checked against the closed-form formulas
written below, evaluated in float64 as the reference.

Conventions at the kinks: the derivative of ReLU, leaky ReLU, PReLU and ELU at exactly 0 is
taken from the x > 0 branch's complement (glassnet uses 1{x > 0}); the grid below does not
contain 0 anyway. The binary step has derivative 0 everywhere it exists, so no gradient
flows through it: that is why networks are not trained with it.
"""
from __future__ import annotations

import numpy as np

from glassnet import Tensor, activations, ops
from glassnet.labs.base import Lab, Param, register

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
PRELU_ALPHA = 0.25                      # PReLU learns alpha; we plot it at He et al.'s start value
MAXOUT_PIECES = ((-1.0, -1.0), (0.25, 0.0), (1.5, -1.2))   # (w, b) of each affine piece


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


# name -> (glassnet function of a Tensor, formula f(x), formula f'(x)); formulas on float64 arrays.
def _softmax_first(t):
    # softmax is vector-valued: we plot the first output of softmax([x, 0]), whose formula is
    # e^x / (e^x + e^0) = sigmoid(x), with derivative s (1 - s).
    pair = ops.stack([t, ops.multiply(t, 0.0)], axis=-1)
    return ops.softmax(pair, axis=-1)[:, 0]


def _maxout(t):
    # Maxout: the max of a few affine pieces (layers.Maxout learns the w and b of each piece).
    return ops.max(ops.stack([t * w + b for w, b in MAXOUT_PIECES], axis=0), axis=0)


def _maxout_formula(x):
    return np.max([w * x + b for w, b in MAXOUT_PIECES], axis=0)


def _maxout_slope(x):
    values = np.array([w * x + b for w, b in MAXOUT_PIECES])
    return np.array([w for w, _ in MAXOUT_PIECES])[values.argmax(axis=0)]


ACTIVATIONS = {
    "identity": (activations.identity, lambda x: x, lambda x: np.ones_like(x)),
    "binary step": (activations.binary_step, lambda x: (x >= 0) * 1.0, lambda x: np.zeros_like(x)),
    "logistic (sigmoid)": (activations.sigmoid, _sig, lambda x: _sig(x) * (1 - _sig(x))),
    "tanh": (activations.tanh, np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "arctan": (activations.arctan, np.arctan, lambda x: 1 / (1 + x * x)),
    "ReLU": (activations.relu, lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    "leaky ReLU (0.1x)": (lambda t: activations.leaky_relu(t, negative_slope=0.1),
                          lambda x: np.where(x > 0, x, 0.1 * x), lambda x: np.where(x > 0, 1.0, 0.1)),
    f"PReLU (alpha={PRELU_ALPHA})": (lambda t: ops.prelu(t, Tensor(PRELU_ALPHA, requires_grad=True)),
                                    lambda x: np.where(x > 0, x, PRELU_ALPHA * x),
                                    lambda x: np.where(x > 0, 1.0, PRELU_ALPHA)),
    "ELU": (activations.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1), lambda x: np.where(x > 0, 1.0, np.exp(x))),
    "SELU": (activations.selu, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1)),
             lambda x: SELU_SCALE * np.where(x > 0, 1.0, SELU_ALPHA * np.exp(x))),
    "softplus": (activations.softplus, lambda x: np.log(1 + np.exp(x)), _sig),
    "Gaussian": (activations.gaussian, lambda x: np.exp(-x * x), lambda x: -2 * x * np.exp(-x * x)),
    "softmax ([x, 0], first)": (_softmax_first, _sig, lambda x: _sig(x) * (1 - _sig(x))),
    "maxout (3 pieces)": (_maxout, _maxout_formula, _maxout_slope),
}


def value_and_derivative(fn, x):
    """f(x) and f'(x) from glassnet: the forward pass, then backward from sum(f(x))."""
    t = Tensor(x, requires_grad=True)
    y = fn(t)
    y.sum().backward()
    grad = t.grad if t.grad is not None else np.zeros_like(x)
    return y.numpy(), grad


@register
class ActivationsLab(Lab):
    name = "activations"
    title = "Activation functions and their derivatives"
    section = "2"
    shows = "14 activations with derivatives from glassnet's backward, checked against their formulas"
    typical_time = "3 s"
    params = {
        "points": Param(1000, quick=200, help="grid points on [-4, 4] (even: the grid skips 0)"),
    }

    def run(self, ctx):
        import matplotlib.pyplot as plt
        # float32 grid, glassnet's default dtype; an even number of points never hits 0 exactly.
        x = np.linspace(-4, 4, ctx.params["points"]).astype(np.float32)
        ref_x = x.astype(np.float64)  # the formulas are evaluated in float64: they are the reference
        ncols = 4
        nrows = -(-len(ACTIVATIONS) // ncols)
        # Shared axes: every panel has the same ranges, and fewer tick labels draw faster.
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.9 * nrows), sharex=True, sharey=True)
        axes = axes.ravel()
        rows, worst = [], 0.0
        for ax, (name, (fn, f, df)) in zip(axes, ACTIVATIONS.items()):
            y, dy = value_and_derivative(fn, x)
            assert y.dtype == np.float32 and dy.dtype == np.float32, f"{name} left float32"
            err_f = float(np.max(np.abs(y - f(ref_x))))
            err_df = float(np.max(np.abs(dy - df(ref_x))))
            rows.append((name, err_f, err_df))
            worst = max(worst, err_f, err_df)
            ctx.report(f"{name} max error", max(err_f, err_df))
            ax.plot(x, y, label="f(x)")
            ax.plot(x, dy, "--", label="f'(x) (backward)")
            ax.axhline(0, color="gray", lw=0.5)
            ax.axvline(0, color="gray", lw=0.5)
            ax.set_title(name, fontsize=10)
            ax.set_ylim(-2.2, 4.2)
            ax.grid(alpha=0.3)
        for ax in axes[len(ACTIVATIONS):]:
            ax.axis("off")
        for ax in axes[len(ACTIVATIONS) - ncols:len(ACTIVATIONS)]:
            ax.xaxis.set_tick_params(labelbottom=True)  # the lowest panel of each column shows x
        axes[0].legend(loc="upper left", fontsize=8)
        ctx.table(["activation", "max |f - formula|", "max |f' - formula|"], rows,
                  title=f"glassnet (float32) against the closed forms (float64), {len(x)} points on [-4, 4]")
        ctx.report("overall max error", worst, note="float32 rounding: ~1e-7")
        ctx.print("Note the sigmoid's derivative: at most 0.25, so a signal passing back through n sigmoid "
                  "layers shrinks by at least 4^n (the vanishing gradient); ReLU's is 1 where it is active.")
        fig.suptitle("activations (solid) and their derivatives from glassnet's backward (dashed)")
        fig.tight_layout()
        ctx.savefig(fig, "activations")
