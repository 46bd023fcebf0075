"""Softmax regression on iris: one Dense layer from zeros (COURSE.md section 2).

The model is the course's: 4 measurements in, 3 species out, p = softmax(x W + b), with W and
b starting at 0, trained by full-batch gradient descent on the cross-entropy, raw features
(no scaling), and scored on the training set itself.

The course states GD with lr 0.001. glassnet's cost is the *mean* cross-entropy over the 150
samples; with it, lr 0.1 (and 2,000 epochs) reaches the course's figures. (A cost summed over
the samples has 150 times larger gradients, which is one way an lr of 0.001 can be enough.)
"""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import layers
from glassnet.datasets import iris
from glassnet.labs.base import Lab, Param, register
from glassnet.metrics import confusion_matrix
from glassnet.plotting import plot_confusion_matrix, plot_history


@register
class IrisSoftmaxLab(Lab):
    name = "iris-softmax"
    title = "Iris: a single softmax layer from zeros"
    section = "2"
    shows = "softmax regression on raw iris features: training accuracy 0.9867, confusion diagonal 50/48/50"
    typical_time = "3 s"
    params = {
        "epochs": Param(2000, quick=300, help="full-batch gradient-descent epochs"),
        "lr": Param(0.1, help="SGD learning rate (glassnet's cost is a mean over samples)"),
    }

    def run(self, ctx):
        import matplotlib.pyplot as plt
        p = ctx.params
        x, y, features, species = iris.load_data(return_names=True)   # x float32 (150, 4), y int (150,)

        model = gn.Sequential([
            layers.Input((4,)),
            layers.Dense(3, activation="softmax", kernel_initializer="zeros", bias_initializer="zeros"),
        ])
        # Starting from zeros is fine here: a single layer has no hidden units whose symmetry
        # would need breaking (every output already sees different gradients through its label).
        model.compile(optimizer=gn.optimizers.SGD(learning_rate=p["lr"]),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        # batch_size = 150: one gradient step per epoch on the whole table (plain GD);
        # shuffle=False: the steps do not depend on an ordering, so the run is exactly repeatable.
        history = model.fit(x, y, epochs=p["epochs"], batch_size=len(x), shuffle=False, verbose=0)

        probs = model.predict(x, verbose=0)
        pred = probs.argmax(axis=1)
        accuracy = float(np.mean(pred == y))
        cm = confusion_matrix(y, pred, num_classes=3)
        ctx.print(f"after {p['epochs']} epochs: loss {history.history['loss'][-1]:.4f}, "
                  f"training accuracy {accuracy:.5f} ({int((pred == y).sum())} of {len(y)})")
        ctx.table(["actual \\ predicted"] + list(species),
                  [[name] + cm[i].tolist() for i, name in enumerate(species)], title="confusion table")
        wrong = np.flatnonzero(pred != y)
        if wrong.size:
            ctx.table(["observation", *features, "prediction", "actual", "p(prediction)"],
                      [[int(i), *x[i].tolist(), species[pred[i]], species[y[i]], f"{probs[i, pred[i]]:.3f}"]
                       for i in wrong], title="misclassified samples")
        ctx.report("training accuracy", round(accuracy, 5), course=0.9867)
        ctx.report("confusion diagonal", "/".join(str(v) for v in np.diag(cm)), course="50/48/50")
        ctx.report("final loss", float(history.history["loss"][-1]))

        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2))
        plot_history(history, metrics=["loss"], ax=ax0, title="training loss (cross-entropy)")
        ax0.set_yscale("log")
        plot_confusion_matrix(cm, class_names=species, ax=ax1, title=f"training set, accuracy {accuracy:.4f}")
        fig.tight_layout()
        ctx.savefig(fig, "iris_softmax")
