"""Linear regression three ways on the course's 8 points (COURSE.md section 1).

1. The normal equation  theta = (A^T A)^-1 A^T B  with A = [x, 1].
2. ``np.polyfit(x, y, 1)``, a degree-1 polynomial fit.
3. Gradient descent on the mean squared error, first on raw x (lr 1e-5, as the course),
   which crawls, then on standardized x, which arrives in a few dozen steps.

Why raw x is slow: the cost is a long, narrow valley. Its curvature along w is about
2 * mean(x^2) ~ 27,000 and along b only ~ 2 * (1 - mean(x)^2 / mean(x^2)) ~ 0.2, so a learning
rate small enough not to explode along w moves b by almost nothing per step. Standardizing x
makes the valley round, and one learning rate suits both directions.
"""
from __future__ import annotations

import math
import time

import numpy as np

from glassnet import Tensor, ops
from glassnet.datasets import toy
from glassnet.labs.base import Lab, Param, register

COURSE_W, COURSE_B = 0.87493126, -26.79078617


def mse(w, b, x, y):
    """The course's cost: mean squared error of the line y = w x + b."""
    r = w * x + b - y
    return float(np.mean(r * r))


def raw_gradient_descent(x, y, lr, steps):
    """Plain gradient descent on MSE with raw x, starting from w = b = 0.

    The gradient of MSE only needs five sums of the data, so we compute them once and each
    step is a few scalar operations: that is what lets us run the course's 2.5 million steps
    in seconds. (Python floats are float64, like the course's NumPy code.)

        dJ/dw = 2/m * sum((w x + b - y) x) = 2/m * (w Sxx + b Sx - Sxy)
        dJ/db = 2/m * sum(w x + b - y)     = 2/m * (w Sx + m b - Sy)
    """
    m = float(len(x))
    sx, sy = float(x.sum()), float(y.sum())
    sxx, sxy = float((x * x).sum()), float((x * y).sum())
    w = b = 0.0
    path = [(0, w, b)]
    next_record = 1.0  # record at log-spaced steps: the path is plotted on a log axis
    for step in range(1, steps + 1):
        dw = 2.0 / m * (w * sxx + b * sx - sxy)
        db = 2.0 / m * (w * sx + m * b - sy)
        w -= lr * dw
        b -= lr * db
        if step >= next_record or step == steps:
            path.append((step, w, b))
            next_record = max(next_record * 1.01, step + 1)
    return w, b, path


def standardized_gradient_descent(x, y, lr, max_steps, target, tol, dtype):
    """Gradient descent with glassnet's autograd on standardized x: x_s = (x - mean) / std.

    The model is y = w_s x_s + b_s; mapped back to raw units it is
    w = w_s / std,  b = b_s - w_s * mean / std.
    Stops when both raw-unit parameters are within ``tol`` of ``target`` (the closed form).
    Returns (w, b, steps_needed or None, path of (step, w, b, cost) in raw units).
    """
    mu, sigma = float(x.mean()), float(x.std())
    xs = Tensor((x - mu) / sigma, dtype=dtype)
    yt = Tensor(y, dtype=dtype)
    w_s = Tensor(0.0, requires_grad=True, dtype=dtype)
    b_s = Tensor(0.0, requires_grad=True, dtype=dtype)

    def to_raw():
        # The conversion is done in float64 so that it measures GD's error, not the rounding
        # of this one-off change of units.
        ws, bs = float(w_s.item()), float(b_s.item())
        return ws / sigma, bs - ws * mu / sigma

    path, reached = [], None
    for step in range(max_steps + 1):
        cost = ops.mean(ops.square(w_s * xs + b_s - yt))
        w, b = to_raw()
        path.append((step, w, b, float(cost.item())))
        if reached is None and abs(w - target[0]) <= tol and abs(b - target[1]) <= tol:
            reached = step
            break
        if step == max_steps:
            break
        w_s.zero_grad()
        b_s.zero_grad()
        cost.backward()
        # The update itself is plain arithmetic on the arrays (no graph needed).
        w_s.data = w_s.data - np.asarray(lr, dtype=dtype) * w_s.grad
        b_s.data = b_s.data - np.asarray(lr, dtype=dtype) * b_s.grad
    w, b = to_raw()
    return w, b, reached, path


@register
class LinearRegressionLab(Lab):
    name = "linear-regression"
    title = "Linear regression three ways: normal equation, polyfit, gradient descent"
    section = "1"
    shows = "closed forms give w=0.87493126, b=-26.79078617; GD crawls on raw x, is fast on standardized x"
    typical_time = "4 s"
    params = {
        "raw_steps": Param(2_500_000, quick=20_000, help="gradient-descent steps on raw x (course: 2.5 million)"),
        "raw_lr": Param(1e-5, help="learning rate on raw x (course: 1e-5)"),
        "std_lr": Param(0.1, help="learning rate on standardized x"),
        "std_max_steps": Param(1000, help="step limit for GD on standardized x"),
        "tol": Param(1e-6, help="distance to the closed form that counts as converged"),
    }

    def run(self, ctx):
        p = ctx.params
        # Closed forms are computed in float64 on purpose: they are the reference the course
        # prints with 8 decimals, beyond float32's ~7 significant digits.
        x, y = toy.linear_regression_points("float64")
        ctx.print(f"8 points: x = {x.tolist()}")
        ctx.print(f"          y = {y.tolist()}")

        # 1. Normal equation: stack a column of ones so that b is the weight of a constant input.
        a = np.stack([x, np.ones_like(x)], axis=1)          # A, shape (8, 2)
        theta = np.linalg.inv(a.T @ a) @ a.T @ y              # (A^T A)^-1 A^T B
        w_ne, b_ne = float(theta[0]), float(theta[1])
        # 2. A degree-1 polynomial fit: highest power first, so it returns [w, b].
        w_pf, b_pf = (float(v) for v in np.polyfit(x, y, 1))
        best_cost = mse(w_ne, b_ne, x, y)
        ctx.table(["method", "w", "b", "cost (MSE)"],
                  [("normal equation", f"{w_ne:.8f}", f"{b_ne:.8f}", f"{best_cost:.4f}"),
                   ("np.polyfit", f"{w_pf:.8f}", f"{b_pf:.8f}", f"{mse(w_pf, b_pf, x, y):.4f}"),
                   ("course", f"{COURSE_W:.8f}", f"{COURSE_B:.8f}", "")],
                  title="closed forms")
        ctx.report("normal equation w", round(w_ne, 8), course=COURSE_W)
        ctx.report("normal equation b", round(b_ne, 8), course=COURSE_B)
        ctx.report("polyfit w", round(w_pf, 8), course=COURSE_W)
        ctx.report("polyfit b", round(b_pf, 8), course=COURSE_B)
        ctx.report("closed-form cost (MSE)", round(best_cost, 4))

        # 3a. Gradient descent on raw x, as the course ran it.
        steps = p["raw_steps"]
        start = time.perf_counter()
        w_gd, b_gd, raw_path = raw_gradient_descent(x, y, p["raw_lr"], steps)
        elapsed = time.perf_counter() - start
        raw_dist = max(abs(w_gd - w_ne), abs(b_gd - b_ne))
        ctx.print(f"\nGD on raw x, lr {p['raw_lr']:g}, {steps:,} steps ({elapsed:.1f} s): "
                  f"w = {w_gd:.5f}, b = {b_gd:.4f}, cost {mse(w_gd, b_gd, x, y):.2f}; "
                  f"still {raw_dist:.3g} from the closed form")
        # How many steps raw GD would need: the error along the flattest direction of the
        # valley shrinks by (1 - lr * lambda_min) per step, lambda_min the smallest eigenvalue
        # of the cost's curvature (Hessian) 2/m A^T A.
        lam = np.linalg.eigvalsh(2.0 / len(x) * a.T @ a)
        shrink = 1.0 - p["raw_lr"] * lam[0]
        start_dist = math.hypot(w_ne, b_ne)  # we started from (0, 0)
        needed = math.ceil(math.log(p["tol"] / start_dist) / math.log(shrink))
        ctx.print(f"cost curvature: {lam[1]:.0f} along the steep direction, {lam[0]:.3f} along the flat one "
                  f"(ratio {lam[1] / lam[0]:,.0f}); error shrinks by {shrink:.7f} per step, "
                  f"so reaching {p['tol']:g} takes about {needed:,} steps")
        # Why our raw-GD w and b differ from the course's: the course's run ended on the far
        # side of the minimum (w > 0.87493, b < -26.79), ours on the near side. Along the
        # flat direction every step multiplies the error by shrink = 0.9999975 (> 0), so GD
        # from w = b = 0 approaches the minimum from one side and never crosses it.
        flat = np.linalg.eigh(2.0 / len(x) * a.T @ a)[1][:, 0]
        side = float(flat @ (np.array([w_gd, b_gd]) - (w_ne, b_ne)))
        course_side = float(flat @ (np.array([0.87797, -27.1769]) - (w_ne, b_ne)))
        if side * course_side < 0:
            why = "course's run ended past the minimum: GD from w = b = 0 cannot (see above)"
            ctx.print(f"The course's raw-GD w = 0.87797, b = -27.1769 lie on the far side of the "
                      f"minimum along the flat direction ({course_side:+.3f} against our "
                      f"{side:+.3f}). Each step multiplies the error along that direction by "
                      f"{shrink:.7f}, a positive factor, so GD started at w = b = 0 approaches the "
                      f"minimum from one side and never crosses it: no number of steps gives the "
                      f"course's w and b. Its run must have started elsewhere (the course does not "
                      f"state where) or used another update. The costs barely differ (355.96 "
                      f"against {mse(w_gd, b_gd, x, y):.2f}): both points lie on the valley's nearly "
                      f"flat floor.")
        else:
            why = ""
        ctx.report("raw GD steps run", steps, course=2_500_000)
        ctx.report("raw GD w", round(w_gd, 5), course=0.87797, note=why)
        ctx.report("raw GD b", round(b_gd, 4), course=-27.1769, note=why)
        ctx.report("raw GD cost", round(mse(w_gd, b_gd, x, y), 2), course=355.96)
        ctx.report("raw GD distance to closed form", raw_dist, note="max(|dw|, |db|)")
        ctx.report(f"raw GD steps needed for {p['tol']:g} (predicted)", needed)

        # 3b. Gradient descent on standardized x, with glassnet's autograd. We compare to the
        # closed form to 1e-6, which float32 cannot resolve: its spacing near |b| = 27 is
        # 1.9e-6. So this run uses float64 tensors on purpose; a float32 run follows for contrast.
        w_sd, b_sd, std_steps, std_path = standardized_gradient_descent(
            x, y, p["std_lr"], p["std_max_steps"], (w_ne, b_ne), p["tol"], "float64")
        if std_steps is None:
            ctx.print(f"GD on standardized x did not reach {p['tol']:g} in {p['std_max_steps']} steps")
        else:
            ctx.print(f"GD on standardized x, lr {p['std_lr']:g}: within {p['tol']:g} of the closed form "
                      f"after {std_steps} steps (w = {w_sd:.8f}, b = {b_sd:.8f})")
        w32, b32, _, _ = standardized_gradient_descent(x, y, p["std_lr"], 300, (w_ne, b_ne), 0.0, "float32")
        dist32 = max(abs(w32 - w_ne), abs(b32 - b_ne))
        ctx.print(f"the same in float32 (glassnet's default), 300 steps: {dist32:.2g} from the closed form "
                  f"(float32 keeps ~7 significant digits)")
        ctx.report("standardized GD steps to tol", std_steps if std_steps is not None else -1)
        ctx.report("standardized GD w", round(w_sd, 8), course=COURSE_W)
        ctx.report("standardized GD b", round(b_sd, 8), course=COURSE_B)
        ctx.report("standardized GD distance", max(abs(w_sd - w_ne), abs(b_sd - b_ne)))
        ctx.report("standardized GD float32 distance", dist32)

        ctx.savefig(self._figure(x, y, (w_ne, b_ne), raw_path, std_path, best_cost), "linear_regression")

    @staticmethod
    def _figure(x, y, best, raw_path, std_path, best_cost):
        import matplotlib.pyplot as plt
        from matplotlib.colors import LogNorm
        fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(16, 4.6))

        # The data and the lines.
        grid = np.linspace(0, 170, 2)
        ax0.scatter(x, y, color="k", zorder=3, label="the 8 points")
        ax0.plot(grid, best[0] * grid + best[1], label=f"closed form: y = {best[0]:.4f} x - {-best[1]:.2f}")
        _, w_end, b_end = raw_path[-1]
        ax0.plot(grid, w_end * grid + b_end, "--", label=f"raw GD after {raw_path[-1][0]:,} steps")
        ax0.set_xlabel("x")
        ax0.set_ylabel("y")
        ax0.set_title("data and fitted lines")
        ax0.legend(fontsize=8)

        # Cost minus the best cost, over steps (both axes log: raw GD spans millions of steps).
        raw_steps = np.array([s for s, _, _ in raw_path[1:]])
        raw_gap = np.array([mse(w, b, x, y) for _, w, b in raw_path[1:]]) - best_cost
        std_steps = np.array([s for s, _, _, _ in std_path[1:]])
        std_gap = np.array([c for _, _, _, c in std_path[1:]]) - best_cost
        ax1.loglog(raw_steps, np.maximum(raw_gap, 1e-12), label="raw x, lr 1e-5")
        ax1.loglog(std_steps, np.maximum(std_gap, 1e-12), label="standardized x, lr 0.1")
        ax1.set_xlabel("step")
        ax1.set_ylabel("cost - closed-form cost")
        ax1.set_title("convergence")
        ax1.grid(alpha=0.3)
        ax1.legend(fontsize=8)

        # The (w, b) paths over the cost contours, in raw units.
        ws, bs = np.meshgrid(np.linspace(-0.05, 1.2, 300), np.linspace(-45, 10, 300))
        r = ws[..., None] * x + bs[..., None] - y
        cost = np.mean(r * r, axis=-1)
        levels = np.geomspace(best_cost + 0.5, cost.max(), 25)
        ax2.contour(ws, bs, cost, levels=levels, norm=LogNorm(), cmap="viridis", linewidths=0.7)
        ax2.plot([w for _, w, _ in raw_path], [b for _, _, b in raw_path], ".-", ms=2, label="raw x")
        ax2.plot([w for _, w, _, _ in std_path], [b for _, _, b, _ in std_path], ".-", ms=3,
                 label="standardized x (mapped back)")
        ax2.plot(*best, "r*", ms=12, label="closed form")
        ax2.set_xlabel("w")
        ax2.set_ylabel("b")
        ax2.set_title("GD paths over the cost contours")
        ax2.legend(fontsize=8, loc="lower left")
        fig.tight_layout()
        return fig
