"""Two multi-layer perceptrons on MNIST (COURSE.md section 2, "MNIST experiments").

1. The course's two-layer net: 784 inputs -> 360 ReLU units -> 10 softmax units, weights
   drawn from a normal distribution truncated to +/- 2 sigma with stddev 0.1, biases 0.1.
   The course states that initialisation but not the optimizer or the number of steps, so
   we keep the softmax lab's training (plain SGD, learning rate 0.5, batches of 100) and run
   it for as many epochs as the quick-start net, to compare like with like.
2. The Keras quick-start net: Flatten, Dense(128, ReLU), Dropout(0.2), Dense(10, softmax),
   Adam, 5 epochs (batches of 32, Keras's default).

Both hold out the last 10% of the training images for validation, so the learner sees the
training and validation curves side by side; the test set is touched once, at the end.
"""
from __future__ import annotations

import glassnet as gn
from glassnet import initializers, layers
from glassnet.labs.base import Lab, Param, register


@register
class MnistMlp(Lab):
    name = "mnist-mlp"
    title = "MNIST with two MLPs: the course's 784-360-10 and the Keras quick-start net"
    section = "2"
    shows = "a hidden layer lifts MNIST from ~92% (softmax only) to ~98% test accuracy"
    typical_time = "1 min"
    datasets = ("mnist",)
    params = {
        "epochs": Param(5, quick=2, help="training epochs for both nets"),
        "train_samples": Param(60000, quick=3000, help="training images used (first N)"),
        "test_samples": Param(10000, quick=2000, help="test images used (first N)"),
        "data_dir": Param(None, help="folder holding mnist/ (default: $GLASSNET_DATA)"),
    }

    def run(self, ctx):
        p = ctx.params
        (x_train, y_train), (x_test, y_test) = gn.datasets.mnist.load_data(data_dir=p["data_dir"])
        x_train, y_train = x_train[:p["train_samples"]], y_train[:p["train_samples"]]
        x_test, y_test = x_test[:p["test_samples"]], y_test[:p["test_samples"]]
        # Scale pixels to [0, 1]: large raw inputs (0..255) would make the first steps explode.
        x_train = x_train.astype("float32") / 255.0
        x_test = x_test.astype("float32") / 255.0
        ctx.print(f"MNIST: {len(x_train)} training images (last 10% held out for validation), "
                  f"{len(x_test)} test images")

        # --- 1. the course's 784-360-10 net ------------------------------------------------
        # Truncated normal: values beyond 2 standard deviations are drawn again, so no weight
        # starts unusually large. A small positive bias (0.1) keeps ReLU units active at first.
        def course_init():
            return dict(kernel_initializer=initializers.TruncatedNormal(stddev=0.1),
                        bias_initializer=initializers.Constant(0.1))

        course_net = gn.Sequential([
            layers.Flatten(input_shape=(28, 28)),
            layers.Dense(360, activation="relu", **course_init()),
            layers.Dense(10, activation="softmax", **course_init()),
        ], name="course_784_360_10")
        course_net.compile(optimizer=gn.optimizers.SGD(learning_rate=0.5),
                           loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        ctx.print("\n1. the course's net, SGD lr 0.5, batches of 100:")
        course_net.summary(print_fn=ctx.print)
        course_history = course_net.fit(x_train, y_train, batch_size=100, epochs=p["epochs"],
                                        validation_split=0.1, verbose=ctx.verbose)
        self._print_epochs(ctx, course_history)
        _, course_accuracy = course_net.evaluate(x_test, y_test, verbose=0)

        # --- 2. the Keras quick-start net --------------------------------------------------
        # Dropout switches off a random 20% of the hidden units at each training step (only
        # while training), so no unit can rely on another: a remedy against overfitting.
        keras_net = gn.Sequential([
            layers.Flatten(input_shape=(28, 28)),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ], name="keras_quickstart")
        keras_net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        ctx.print("\n2. the Keras quick-start net, Adam, batches of 32:")
        keras_net.summary(print_fn=ctx.print)
        keras_history = keras_net.fit(x_train, y_train, epochs=p["epochs"], validation_split=0.1,
                                      verbose=ctx.verbose)
        self._print_epochs(ctx, keras_history)
        _, keras_accuracy = keras_net.evaluate(x_test, y_test, verbose=0)

        ctx.report("784-360-10 test accuracy", float(course_accuracy))
        ctx.report("quick-start test accuracy", float(keras_accuracy))

        from glassnet import plotting
        import matplotlib.pyplot as plt
        # Top row: the course's net; bottom row: the quick-start net; loss left, accuracy right.
        fig, axes = plt.subplots(2, 2, figsize=(10, 7))
        for row, (history, what) in enumerate([(course_history, "784-360-10, SGD lr 0.5"),
                                               (keras_history, "quick-start 784-128-10, Adam")]):
            for col, metric in enumerate(["loss", "accuracy"]):
                plotting.plot_history(history, metrics=metric, ax=axes[row, col], title=f"{what}: {metric}")
        fig.tight_layout()
        ctx.savefig(fig, "histories")

    @staticmethod
    def _print_epochs(ctx, history):
        h = history.history
        rows = [(e + 1, h["loss"][e], h["accuracy"][e], h["val_loss"][e], h["val_accuracy"][e])
                for e in range(len(h["loss"]))]
        ctx.table(["epoch", "loss", "accuracy", "val_loss", "val_accuracy"], rows)
