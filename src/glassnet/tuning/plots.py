"""The plot of a search: each trial's score against each hyper-parameter it searched."""
from __future__ import annotations

import math

from glassnet.tuning.tuner import COMPLETED


def plot_trials(tuner, ncols: int = 3):
    """One panel per searched hyper-parameter of ``tuner`` (see ``Tuner.plot``).

    Example:
        >>> fig = plot_trials(tuner); fig.savefig("scores.png")
    """
    import matplotlib.pyplot as plt
    done = [t for t in tuner.trials if t.status == COMPLETED]
    space = {p["name"]: p for p in tuner.space}
    names = tuner._searched(dict.fromkeys(k for t in tuner.trials for k in t.hyperparameters))
    if not names:
        names = ["(none)"]
    ncols = min(ncols, len(names))
    nrows = math.ceil(len(names) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.0 * ncols, 3.2 * nrows), squeeze=False)
    log_names = {p["name"] for p in tuner.space if p.get("sampling") == "log"}
    best = tuner.best_trials(1)
    for ax, name in zip(axes.flat, names):
        points = [(t.hyperparameters.get(name), t.score, t) for t in done if name in t.hyperparameters]
        values = [p[0] for p in points]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if numeric:
            xs = values
        else:  # categories in the order the space lists them, tried or not
            cats = [str(v) for v in space.get(name, {}).get("values") or []]
            cats += [c for c in dict.fromkeys(str(v) for v in values) if c not in cats]
            xs = [cats.index(str(v)) for v in values]
            ax.set_xticks(range(len(cats)), cats, rotation=20 if max(map(len, cats), default=0) > 6 else 0)
        ax.scatter(xs, [p[1] for p in points], color="tab:blue", alpha=0.8)
        for xv, (_, score, t) in zip(xs, points):
            if best and t is best[0]:
                ax.scatter([xv], [score], color="tab:red", marker="*", s=160, label="best", zorder=3)
        if numeric and name in log_names:
            ax.set_xscale("log")
        if not numeric:  # every category in view, the untried ones too
            ax.set_xlim(-0.5, len(cats) - 0.5)
        else:  # the whole range searched, not only the part the trials landed in
            spec = space.get(name, {})
            bounds = [spec.get("min"), spec.get("max")] if "min" in spec else spec.get("values") or []
            bounds = [b for b in bounds if isinstance(b, (int, float)) and not isinstance(b, bool)]
            if len(bounds) >= 2 and min(bounds) < max(bounds):
                lo, hi = min(bounds), max(bounds)
                if name in log_names:
                    ax.set_xlim(lo / 1.3, hi * 1.3)
                    ax.xaxis.set_minor_formatter(plt.NullFormatter())  # no crowded 2x10^-4 labels
                else:
                    pad = 0.05 * (hi - lo)
                    ax.set_xlim(lo - pad, hi + pad)
        ax.set_xlabel(name)
        ax.set_ylabel(tuner.objective.name)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.suptitle(f"{tuner.objective.name} ({'lower' if tuner.objective.direction == 'min' else 'higher'} "
                 f"is better) against each hyper-parameter")
    fig.tight_layout()
    return fig
