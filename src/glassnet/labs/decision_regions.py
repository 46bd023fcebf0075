"""Decision regions of nets with 1, 2 and 3 layers on a spiral (COURSE.md section 1).

The course: one layer draws a half plane, two layers convex regions, three layers arbitrary
shapes. That statement is exact for threshold units (Lippmann, 1987): each hidden unit is a
half plane, a unit above them that ANDs a few half planes makes a convex polygon, and one more
layer ORs polygons into any shape. With smooth units the corners round off, and a *wide* single
hidden layer can in theory approximate anything, but the picture holds for small nets:

1. no hidden layer (softmax regression): straight boundaries; each class gets a wedge that is
   an intersection of half planes (with two classes, exactly one half plane);
2. one small hidden layer (3 ReLU units): regions cut out by a few straight lines;
3. two hidden layers (32 and 32 ReLU units): curved regions that follow the spiral arms.
"""
from __future__ import annotations

import glassnet as gn
from glassnet import layers
from glassnet.datasets import toy
from glassnet.labs.base import Lab, Param, register
from glassnet.plotting import plot_decision_boundary


def make_net(hidden, classes, lr):
    """A Sequential net: ``hidden`` is the list of hidden-layer widths (empty: no hidden layer)."""
    model = gn.Sequential([layers.Input((2,))]
                          + [layers.Dense(units, activation="relu") for units in hidden]
                          + [layers.Dense(classes, activation="softmax")])
    model.compile(optimizer=gn.optimizers.Adam(lr), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@register
class DecisionRegionsLab(Lab):
    name = "mlp-decision-regions"
    title = "Decision regions of nets with 1, 2 and 3 layers"
    section = "1"
    shows = "spiral: 1 layer cuts straight, 2 layers a few edges, 3 layers any shape (train acc 0.53, 0.76, 0.99)"
    typical_time = "4 s"
    params = {
        "points": Param(300, help="spiral points (3 arms)"),
        "noise": Param(0.1, help="noise on the spiral angle", minimum=0.0),
        "narrow_units": Param(3, help="width of the single hidden layer of net 2"),
        "deep_units": Param(32, help="width of both hidden layers of net 3"),
        "epochs": Param(1000, quick=300, help="full-batch training epochs (Adam)"),
        "lr": Param(0.02, help="Adam learning rate"),
    }

    def run(self, ctx):
        import matplotlib.pyplot as plt
        p = ctx.params
        x, y = toy.make_spiral(p["points"], classes=3, noise=p["noise"], seed=ctx.seed)
        nets = [
            ("1 layer: softmax only", []),
            (f"2 layers: {p['narrow_units']} hidden", [p["narrow_units"]]),
            (f"3 layers: {p['deep_units']}-{p['deep_units']} hidden", [p["deep_units"], p["deep_units"]]),
        ]
        fig, axes = plt.subplots(1, 3, figsize=(14, 4.6))
        rows = []
        for (label, hidden), ax, key in zip(nets, axes, ("1-layer", "2-layer", "3-layer")):
            model = make_net(hidden, 3, p["lr"])
            # Full batch (one step per epoch) and no shuffling: the same run every time.
            history = model.fit(x, y, epochs=p["epochs"], batch_size=len(x), shuffle=False, verbose=0)
            accuracy = float(history.history["accuracy"][-1])
            rows.append((label, model.count_params(), f"{history.history['loss'][-1]:.4f}", accuracy))
            ctx.report(f"{key} train accuracy", accuracy)
            plot_decision_boundary(lambda pts: model.predict(pts, verbose=0), x, y, ax=ax,
                                   title=f"{label}\ntrain accuracy {accuracy:.2f}")
        ctx.table(["net", "parameters", "final loss", "train accuracy"], rows,
                  title=f"3-arm spiral, {len(x)} points, {p['epochs']} epochs of Adam (lr {p['lr']})")
        ctx.print("More layers let the net combine straight cuts into bent, then arbitrary, regions.")
        fig.tight_layout()
        ctx.savefig(fig, "decision_regions")
