"""Course exercise 2: a two-layer network that tells one kind of image from all the others.

The course uses cat / not-cat photos; we use a real binary task on real images: Fashion-MNIST
"Bag" (class 8) against the nine other kinds of clothing. A hidden ReLU layer feeds one sigmoid
unit, the probability of "bag", trained with binary cross-entropy.

Class imbalance: only 1 image in 10 is a bag, so a "model" that always answers "not a bag" is
already 90% accurate while finding no bag at all. We therefore (1) report precision, recall
and F1 of the bag class and the confusion table, not accuracy alone, and (2) weight the loss
by class (``class_weight``), so that the bags, all together, count as much as all the other
images: weight of class c = n_samples / (2 * n_samples_of_c). Run it again with
``--set imbalance=none`` to see what the weights buy: fewer bags are found (lower recall).
"""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import layers
from glassnet.labs.base import Lab, Param, register

POSITIVE = 8  # Fashion-MNIST's class 8 is "Bag"


@register
class BinaryImage(Lab):
    name = "binary-image"
    title = "Bag or not? A 2-layer DNN on Fashion-MNIST with a sigmoid output"
    section = "2"
    exercise = "2"
    shows = "binary classification of real images, class imbalance, precision / recall / F1"
    typical_time = "15 s"
    datasets = ("fashion-mnist",)
    params = {
        "hidden": Param(32, help="units of the hidden ReLU layer"),
        "epochs": Param(5, quick=2, help="training epochs"),
        "batch_size": Param(64, help="images per gradient step"),
        "train_samples": Param(60000, quick=4000, help="training images used (first N)"),
        "test_samples": Param(10000, quick=2000, help="test images used (first N)"),
        "imbalance": Param("class_weight", help="'class_weight' (weight the loss by class) or 'none'"),
        "data_dir": Param(None, help="folder holding fashion-mnist/ (default: $GLASSNET_DATA)"),
    }

    def run(self, ctx):
        p = ctx.params
        (x_train, y_train), (x_test, y_test) = gn.datasets.fashion_mnist.load_data(data_dir=p["data_dir"])
        x_train, y_train = x_train[:p["train_samples"]], y_train[:p["train_samples"]]
        x_test, y_test = x_test[:p["test_samples"]], y_test[:p["test_samples"]]
        # Flatten each 28x28 image to 784 values in [0, 1]; the label becomes 1 (bag) or 0 (other).
        x_train = x_train.reshape(len(x_train), -1).astype("float32") / 255.0
        x_test = x_test.reshape(len(x_test), -1).astype("float32") / 255.0
        # Targets as one column, shape (n, 1), the shape of the model's single output.
        t_train = (y_train == POSITIVE).astype("float32").reshape(-1, 1)
        t_test = (y_test == POSITIVE).astype("float32").reshape(-1, 1)
        # Hold out the last 10% of the training images for validation, passed explicitly so the
        # validation scores stay unweighted (the training scores are weighted, like the loss).
        n_val = len(x_train) // 10
        x_fit, t_fit, x_val, t_val = x_train[:-n_val], t_train[:-n_val], x_train[-n_val:], t_train[-n_val:]
        n_pos, n = int(t_fit.sum()), len(t_fit)
        ctx.print(f"Fashion-MNIST, 'Bag' vs the rest: {n} training images, {n_pos} bags "
                  f"({n_pos / n:.1%}); {n_val} validation and {len(t_test)} test images, "
                  f"{int(t_test.sum())} bags among the test images")

        # Inverse-frequency class weights: both classes then carry the same total weight.
        class_weight = None
        if p["imbalance"] == "class_weight":
            class_weight = {0: n / (2.0 * (n - n_pos)), 1: n / (2.0 * n_pos)}
            ctx.print(f"class weights: not-bag {class_weight[0]:.3f}, bag {class_weight[1]:.3f}")

        model = gn.Sequential([
            layers.Input((784,)),
            layers.Dense(p["hidden"], activation="relu"),
            layers.Dense(1, activation="sigmoid"),  # P(bag | image)
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy",
                      metrics=["accuracy", "precision", "recall"])
        model.summary(print_fn=ctx.print)
        history = model.fit(x_fit, t_fit, batch_size=p["batch_size"], epochs=p["epochs"],
                            validation_data=(x_val, t_val), class_weight=class_weight, verbose=0)
        h = history.history
        ctx.table(["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "val_precision", "val_recall"],
                  [(e + 1, h["loss"][e], h["accuracy"][e], h["val_loss"][e], h["val_accuracy"][e],
                    h["val_precision"][e], h["val_recall"][e]) for e in range(len(h["loss"]))])

        # Test set: probabilities -> decisions at the usual threshold 0.5.
        probability = model.predict(x_test).reshape(-1)
        predicted = (probability > 0.5).astype("int64")
        actual = t_test.reshape(-1).astype("int64")
        cm = gn.metrics.confusion_matrix(actual, predicted, num_classes=2)
        (tn, fp), (fn, tp) = cm
        ctx.table(["", "predicted other", "predicted bag"],
                  [["actual other", tn, fp], ["actual bag", fn, tp]], title="confusion table (test set)")
        accuracy = (tp + tn) / cm.sum()
        precision = tp / (tp + fp) if tp + fp else 0.0  # of the images called "bag", how many are bags
        recall = tp / (tp + fn) if tp + fn else 0.0     # of the real bags, how many were found
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0  # harmonic mean
        ctx.report("test accuracy", float(accuracy))
        ctx.report("test precision", float(precision))
        ctx.report("test recall", float(recall))
        ctx.report("test F1", float(f1))
        ctx.report("always-'other' accuracy", float(1.0 - t_test.mean()), note="baseline that finds no bag")

        from glassnet import plotting
        ctx.savefig(plotting.plot_history(history, metrics=["loss", "precision", "recall"],
                                          title="bag vs rest (training scores are class-weighted)"), "history")
        ctx.savefig(plotting.plot_confusion_matrix(cm, class_names=["other", "bag"],
                                                   title="test set"), "confusion_matrix")
        names = ["other", "bag"]
        first = np.arange(20)
        fig = plotting.plot_images(x_test[first].reshape(-1, 28, 28), labels=actual[first],
                                   predictions=predicted[first], class_names=names,
                                   title="first 20 test images: label/prediction (red: wrong)")
        ctx.savefig(fig, "predictions")
        wrong = np.flatnonzero(predicted != actual)[:20]
        if len(wrong):
            fig = plotting.plot_images(x_test[wrong].reshape(-1, 28, 28), labels=actual[wrong],
                                       predictions=predicted[wrong], class_names=names,
                                       title="mistakes: label/prediction")
            ctx.savefig(fig, "mistakes")
