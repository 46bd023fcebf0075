"""Lab `mnist-cnn`: the course's exercise 3, a convolutional network on MNIST."""
from __future__ import annotations

import glassnet as gn
from glassnet import layers, plotting
from glassnet.labs._mnist_cnn import load_mnist_images
from glassnet.labs.base import Lab, Param, register


def build_cnn() -> gn.Sequential:
    """Conv -> ReLU -> pool, twice, then dense layers: the pattern of COURSE.md section 3.

    'same' padding keeps 28x28 through the first conv (p = (3 - 1) / 2 = 1); each 2x2 pool
    halves the size: 28 -> 14 -> 7, so the flattened features number 7 * 7 * 64 = 3136.
    """
    return gn.Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dense(128, activation="relu", name="hidden"),
        layers.Dropout(0.3, name="dropout"),  # dropout (section 4) keeps the dense layer from memorising
        layers.Dense(10, activation="softmax", name="classifier"),
    ], name="mnist_cnn")


@register
class MnistCNN(Lab):
    name = "mnist-cnn"
    title = "A convolutional network on MNIST"
    section = "3"
    exercise = "3"
    shows = "conv-relu-pool x2 + dense reaches >= 0.99; learned filters and feature maps"
    typical_time = "2 min"
    datasets = ("mnist",)
    params = {
        "epochs": Param(6, quick=1, help="training epochs"),
        "batch_size": Param(64, help="samples per step"),
        "learning_rate": Param(1e-3, help="Adam's learning rate"),
        "train_limit": Param(0, quick=1500, help="use only the first N training images (0: all 60,000)"),
        "test_limit": Param(0, quick=500, help="use only the first N test images (0: all 10,000)"),
        "data_dir": Param("", help="folder holding mnist/ (default: $GLASSNET_DATA or the cache)"),
    }

    def run(self, ctx):
        p = ctx.params
        (x_train, y_train), (x_test, y_test) = load_mnist_images(
            p["data_dir"] or None, p["train_limit"] or None, p["test_limit"] or None)
        ctx.print(f"training on {len(x_train)} images, testing on {len(x_test)}")

        model = build_cnn()
        model.compile(optimizer=gn.optimizers.Adam(p["learning_rate"]),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.summary(print_fn=ctx.print)
        history = model.fit(x_train, y_train, epochs=p["epochs"], batch_size=p["batch_size"],
                            validation_split=0.1, verbose=ctx.verbose)
        test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
        ctx.report("test accuracy", test_accuracy, course=0.99, note="course target: >= 0.99")
        ctx.report("test loss", test_loss)
        ctx.report("parameters", model.count_params())

        # the course's >= 0.99 is a test accuracy; the line shows where the curves must get to
        ctx.savefig(plotting.plot_history(history, title="MNIST CNN", targets={"accuracy": 0.99}), "history")
        conv1 = model.get_layer("conv1")
        ctx.savefig(plotting.plot_filters(conv1.get_weights()[0], title="conv1: the 32 learned 3x3 filters"),
                    "filters_conv1")
        digit = x_test[:1]
        maps1 = conv1(digit).numpy()[0]
        maps2 = model.get_layer("conv2")(model.get_layer("pool1")(conv1(digit))).numpy()[0]
        which = f"test image 0 (a '{y_test[0]}')"
        ctx.savefig(plotting.plot_feature_maps(maps1, title=f"conv1 feature maps of {which}", image=digit[0]),
                    "feature_maps_conv1")
        ctx.savefig(plotting.plot_feature_maps(maps2[:, :, :32], image=digit[0],
                                               title=f"conv2 feature maps of {which} (first 32 of 64)"),
                    "feature_maps_conv2")
