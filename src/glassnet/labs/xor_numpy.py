"""Exercise 1: a 2-layer net written in plain NumPy solves XOR (COURSE.md section 2).

The net is the course's: inputs x (2 features), a hidden layer of ReLU units, one sigmoid
output, binary cross-entropy cost. As in the course, samples are columns: X has shape (2, m),
W1 (hidden, 2), W2 (1, hidden), so Z1 = W1 X + b1.

We write backpropagation by hand with the course's seven formulas, then build the same net
from glassnet Tensors, let autograd compute the gradients, and check that both agree. Then both
are trained side by side from the same initial weights.
"""
from __future__ import annotations

import numpy as np

from glassnet import Tensor, backend, ops
from glassnet.datasets import toy
from glassnet.labs.base import Lab, Param, register
from glassnet.plotting import plot_curves, plot_decision_boundary


def init_params(hidden, rng, dtype):
    """He-style random weights (the hidden layer is ReLU) and a small positive hidden bias.

    The bias 0.1 keeps every hidden unit active at the start; it also keeps z1 away from 0
    exactly, where the course's ReLU derivative 1{z1 >= 0} and glassnet's 1{z1 > 0} differ.
    """
    return {
        "W1": (rng.normal(size=(hidden, 2)) * np.sqrt(2.0 / 2)).astype(dtype),
        "b1": np.full((hidden, 1), 0.1, dtype=dtype),
        "W2": (rng.normal(size=(1, hidden)) * np.sqrt(1.0 / hidden)).astype(dtype),
        "b2": np.zeros((1, 1), dtype=dtype),
    }


# ------------------------------------------------------------------ the hand-written net
def numpy_forward(p, X):
    z1 = p["W1"] @ X + p["b1"]                 # Z1 = W1 x + b1
    a1 = np.maximum(z1, 0)                     # a1 = ReLU(Z1)
    z2 = p["W2"] @ a1 + p["b2"]                # Z2 = W2 a1 + b2
    y_hat = 1 / (1 + np.exp(-z2))              # Y_hat = sigmoid(Z2)
    return z1, a1, y_hat


def numpy_cost(y_hat, Y):
    """Binary cross-entropy: -1/m sum(Y log Y_hat + (1 - Y) log(1 - Y_hat))."""
    return float(-np.mean(Y * np.log(y_hat) + (1 - Y) * np.log(1 - y_hat)))


def numpy_gradients(p, X, Y):
    """Backpropagation, the course's seven formulas one per line."""
    m = X.shape[1]
    z1, a1, y_hat = numpy_forward(p, X)
    dZ2 = (y_hat - Y) / m                      # dZ2 = (Y_hat - Y) / m   (sigmoid + BCE together)
    dW2 = dZ2 @ a1.T                           # dW2 = dZ2 a1^T
    db2 = dZ2.sum(axis=1, keepdims=True)       # db2 = sum dZ2           (over the samples)
    da1 = p["W2"].T @ dZ2                      # da1 = W2^T dZ2          (the error sent back)
    dZ1 = da1 * (z1 >= 0)                      # dZ1 = da1 * 1{z1 >= 0}  (ReLU lets it pass or not)
    dW1 = dZ1 @ X.T                            # dW1 = dZ1 x^T
    db1 = dZ1.sum(axis=1, keepdims=True)       # db1 = sum dZ1
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}, numpy_cost(y_hat, Y)


# ------------------------------------------------------------------ the same net on autograd
def glassnet_gradients(p, X, Y):
    """The forward pass with glassnet ops; ``backward()`` finds the same seven gradients."""
    dtype = p["W1"].dtype
    t = {k: Tensor(v, requires_grad=True, dtype=dtype) for k, v in p.items()}
    x, y = Tensor(X, dtype=dtype), Tensor(Y, dtype=dtype)
    a1 = ops.relu(ops.matmul(t["W1"], x) + t["b1"])
    y_hat = ops.sigmoid(ops.matmul(t["W2"], a1) + t["b2"])
    cost = -ops.mean(y * ops.log(y_hat) + (1 - y) * ops.log(1 - y_hat))
    cost.backward()
    return {k: v.grad for k, v in t.items()}, float(cost.item())


def train(gradients, p, X, Y, lr, epochs):
    """Full-batch gradient descent; ``gradients`` is either of the two functions above."""
    p = {k: v.copy() for k, v in p.items()}
    lr = p["W1"].dtype.type(lr)
    losses = []
    for _ in range(epochs):
        grads, cost = gradients(p, X, Y)
        losses.append(cost)
        for k in p:
            p[k] -= lr * grads[k]
    return p, losses


def max_grad_difference(p, X, Y):
    g_np, _ = numpy_gradients(p, X, Y)
    g_gn, _ = glassnet_gradients(p, X, Y)
    return max(float(np.max(np.abs(g_np[k] - g_gn[k]))) for k in p)


@register
class XorNumpyLab(Lab):
    name = "xor-numpy"
    title = "Exercise 1: a 2-layer net in plain NumPy solves XOR, checked against autograd"
    section = "2"
    exercise = "1"
    shows = "hand-written backprop (7 formulas) = glassnet autograd gradients; both nets solve XOR"
    typical_time = "3 s"
    params = {
        "hidden": Param(4, help="hidden ReLU units (2-4-1 net)"),
        "lr": Param(0.5, help="learning rate of full-batch gradient descent"),
        "epochs": Param(2000, quick=1000, help="gradient-descent steps"),
    }

    def run(self, ctx):
        p = ctx.params
        x, y = toy.logic_gate("xor")              # x (4, 2), y (4, 1), float32
        X, Y = x.T, y.T                            # the course's layout: one sample per column
        params = init_params(p["hidden"], backend.make_rng(ctx.seed), np.float32)

        # 1. Same weights, two ways to get the gradients. We compare them in float64: both sides
        # are exact formulas for the same numbers, so in float64 they agree to ~1e-16, while in
        # float32 each side rounds in its own order and differs by ~1e-8 (also tiny, but it
        # would hide a real bug of that size).
        params64 = {k: v.astype(np.float64) for k, v in params.items()}
        diff64 = max_grad_difference(params64, X.astype(np.float64), Y.astype(np.float64))
        diff32 = max_grad_difference(params, X, Y)
        g_np, cost0 = numpy_gradients(params64, X.astype(np.float64), Y.astype(np.float64))
        g_gn, _ = glassnet_gradients(params64, X.astype(np.float64), Y.astype(np.float64))
        ctx.table(["parameter", "shape", "NumPy formula (first entry)", "glassnet autograd (first entry)",
                   "max |difference|"],
                  [(k, str(params[k].shape), f"{g_np[k].flat[0]:+.10f}", f"{g_gn[k].flat[0]:+.10f}",
                    float(np.max(np.abs(g_np[k] - g_gn[k])))) for k in params],
                  title=f"gradients at the initial weights (cost {cost0:.4f}, float64)")
        ctx.report("max grad difference (float64)", diff64, note="must be <= 1e-6")
        ctx.report("max grad difference (float32)", diff32)

        # 2. Train both from the same start, in float32.
        p_np, loss_np = train(numpy_gradients, params, X, Y, p["lr"], p["epochs"])
        p_gn, loss_gn = train(glassnet_gradients, params, X, Y, p["lr"], p["epochs"])
        out_np = numpy_forward(p_np, X)[2].ravel()
        out_gn = numpy_forward(p_gn, X)[2].ravel()
        rows = [(f"{int(a)} {int(b)}", f"{o1:.4f}", f"{o2:.4f}", int(o1 > 0.5), int(t))
                for (a, b), o1, o2, t in zip(x, out_np, out_gn, y.ravel())]
        ctx.table(["x1 x2", "NumPy output", "glassnet output", "prediction", "actual"], rows,
                  title=f"after {p['epochs']} steps, lr {p['lr']}")
        correct_np = int(np.sum((out_np > 0.5) == (y.ravel() > 0.5)))
        correct_gn = int(np.sum((out_gn > 0.5) == (y.ravel() > 0.5)))
        ctx.report("NumPy final loss", loss_np[-1])
        ctx.report("glassnet final loss", loss_gn[-1])
        ctx.report("NumPy correct", correct_np, course=4)
        ctx.report("glassnet correct", correct_gn, course=4)
        ctx.report("max weight difference after training",
                   max(float(np.max(np.abs(p_np[k] - p_gn[k]))) for k in params))
        ctx.print("XOR solved" if correct_np == correct_gn == 4 else "XOR not solved from this start: try another "
                  "--seed or more hidden units (a ReLU unit can die and never recover)")

        import matplotlib.pyplot as plt
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4.2))
        plot_curves({"NumPy (hand-written backprop)": loss_np, "glassnet autograd": loss_gn},
                    xlabel="step", ylabel="binary cross-entropy", logy=True, ax=ax0, title="training loss")
        ax0.lines[1].set_linestyle("--")  # the curves overlap: dash one so both show
        ax0.legend()
        plot_decision_boundary(lambda pts: numpy_forward(p_np, pts.T)[2].T, x, y.ravel(), ax=ax1,
                               title=f"2-{p['hidden']}-1 net: XOR decision regions")
        fig.tight_layout()
        ctx.savefig(fig, "xor_numpy")
