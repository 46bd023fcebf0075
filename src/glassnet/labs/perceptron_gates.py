"""A single perceptron learns AND and OR but not XOR (COURSE.md section 1).

The perceptron computes  y = step(w . x + b)  and learns with Rosenblatt's rule: after each
sample, move the weights towards the right answer,

    w <- w + lr * (t - y) * x,     b <- b + lr * (t - y),

which changes nothing when the answer is right (t - y = 0). If a line separates the two
classes the rule finds one in a finite number of steps (the perceptron convergence theorem).
XOR's 1s sit on one diagonal of the square and its 0s on the other: no line separates them,
so the weights cycle forever and at best 3 of the 4 points are right.
"""
from __future__ import annotations

import numpy as np

from glassnet import backend
from glassnet.datasets import toy
from glassnet.labs.base import Lab, Param, register
from glassnet.plotting import plot_decision_boundary


def step(z):
    """The threshold activation: the neuron fires (1) when its weighted sum reaches 0."""
    return (z >= 0).astype(z.dtype)


def train_perceptron(x, t, epochs, lr, rng):
    """Rosenblatt's perceptron rule, one sample at a time. Returns (w, b, accuracy per epoch)."""
    dtype = x.dtype
    w = rng.normal(0.0, 0.1, size=x.shape[1]).astype(dtype)  # small random start
    b = dtype.type(0.0)
    lr = dtype.type(lr)
    history = []
    for _ in range(epochs):
        for xi, ti in zip(x, t):
            yi = step(xi @ w + b)
            w = w + lr * (ti - yi) * xi     # no change when the answer is right
            b = b + lr * (ti - yi)
        history.append(float(np.mean(step(x @ w + b) == t)))
    return w, b, history


@register
class PerceptronGatesLab(Lab):
    name = "perceptron-gates"
    title = "A single perceptron learns AND and OR, fails XOR"
    section = "1"
    shows = "perceptron rule: AND and OR reach accuracy 1, XOR stays below (not linearly separable)"
    typical_time = "2 s"
    params = {
        "epochs": Param(20, help="passes over the 4 truth-table rows"),
        "lr": Param(0.1, help="learning rate of the perceptron rule"),
    }

    def run(self, ctx):
        import matplotlib.pyplot as plt
        p = ctx.params
        rng = backend.make_rng(ctx.seed)
        fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
        rows = []
        for gate, ax in zip(("and", "or", "xor"), axes):
            x, y = toy.logic_gate(gate)          # float32, x (4, 2), y (4, 1)
            t = y.ravel()
            w, b, history = train_perceptron(x, t, p["epochs"], p["lr"], rng)
            accuracy = history[-1]
            # The epoch from which every later epoch is perfect (None: never).
            solved = next((i + 1 for i in range(len(history)) if min(history[i:]) == 1.0), None)
            rows.append((gate.upper(), f"{w[0]:+.2f} x1 {w[1]:+.2f} x2 {b:+.2f}", accuracy, max(history),
                         solved if solved is not None else "never"))
            ctx.report(f"{gate.upper()} accuracy", accuracy, course=1.0 if gate != "xor" else "< 1",
                       note="" if gate != "xor" else "not linearly separable")
            if gate == "xor":
                ctx.report("XOR best accuracy over epochs", max(history), note="a line gets at most 3 of 4")
            plot_decision_boundary(lambda pts, w=w, b=b: step(pts @ w + b), x, t, ax=ax,
                                   title=f"{gate.upper()}: accuracy {accuracy:.2f}", resolution=150)
        ctx.table(["gate", "learned w . x + b", "final accuracy", "best accuracy", "solved from epoch"], rows,
                  title=f"perceptron rule, lr {p['lr']}, {p['epochs']} epochs")
        ctx.print("AND and OR are linearly separable: the rule finds a separating line and stops moving.")
        ctx.print("XOR is not: every line leaves at least one point on the wrong side, so the weights "
                  "keep cycling. A hidden layer fixes that (lab xor-numpy).")
        fig.suptitle("one perceptron: the decision boundary is always a straight line")
        fig.tight_layout()
        ctx.savefig(fig, "perceptron_gates")
