"""Lab `training-techniques`: the course's exercise 5 — the ResNet of exercise 4 trained plain,
with batch normalisation, with a step-decay learning-rate schedule, with model backup and early
stopping, and as an ensemble."""
from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet import callbacks
from glassnet.ensemble import Ensemble
from glassnet.labs._mnist_cnn import load_mnist_images, small_resnet, split_validation
from glassnet.labs.base import Lab, Param, register


def step_decay(initial_lr: float, drop: float, every: int):
    """The course's step decay: lr = initial_lr * drop ** floor(epoch / every)."""
    def schedule(epoch, lr):
        return initial_lr * drop ** (epoch // every)
    return schedule


@register
class TrainingTechniques(Lab):
    name = "training-techniques"
    title = "Batch norm, a learning-rate schedule, backup + early stopping, and an ensemble"
    section = "4"
    exercise = "5"
    shows = "the ResNet trained 4 ways + an ensemble: validation/test accuracy table and curves"
    typical_time = "5 min"
    datasets = ("mnist",)
    params = {
        "epochs": Param(12, quick=2, help="maximum epochs of each run"),
        "batch_size": Param(64, help="samples per step"),
        "learning_rate": Param(3e-3, help="Adam's initial learning rate"),
        "width": Param(8, quick=4, help="filters of the first stage (doubled at each later stage)"),
        "train_limit": Param(6000, quick=600,
                             help="training images used (0: all 60,000; 6,000 keeps the lab to a few minutes)",
                             minimum=0),
        "test_limit": Param(0, quick=300, help="test images used (0: all 10,000)"),
        "patience": Param(3, quick=1, help="early stopping: epochs without val_loss improvement"),
        "ensemble_members": Param(3, quick=2, help="members of the ensemble"),
        "data_dir": Param("", help="folder holding mnist/ (default: $GLASSNET_DATA or the cache)"),
    }

    def run(self, ctx):
        p = ctx.params
        (x_all, y_all), (x_test, y_test) = load_mnist_images(p["data_dir"] or None, p["train_limit"] or None,
                                                             p["test_limit"] or None)
        (x_train, y_train), (x_val, y_val) = split_validation(x_all, y_all, 0.2)
        ctx.print(f"{len(x_train)} training, {len(x_val)} validation, {len(x_test)} test images")
        widths = (p["width"], 2 * p["width"], 4 * p["width"])
        lr = p["learning_rate"]

        def build(batch_norm: bool):
            # 75 steps an epoch: batch norm's moving statistics need momentum 0.9 to keep up
            # (see small_resnet); Keras's 0.99 leaves validation far behind for 5 epochs
            model = small_resnet(skip=True, batch_norm=batch_norm, widths=widths, bn_momentum=0.9)
            model.compile(optimizer=gn.optimizers.Adam(lr), loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
            return model

        backup_dir = ctx.out / "backup"
        best_path = ctx.out / "best_model.glassnet"
        runs = [
            ("1. plain", False, []),
            ("2. + batch norm", True, []),
            ("3. + step-decay schedule", True,
             [callbacks.LearningRateScheduler(step_decay(lr, 0.5, max(1, p["epochs"] // 4)))]),
            ("4. + backup and early stopping", True,
             [callbacks.LearningRateScheduler(step_decay(lr, 0.5, max(1, p["epochs"] // 4))),
              callbacks.ModelCheckpoint(str(best_path), monitor="val_loss", save_best_only=True),
              callbacks.BackupAndRestore(str(backup_dir)),
              callbacks.EarlyStopping(monitor="val_loss", patience=p["patience"], restore_best_weights=True)]),
        ]
        # the course reports three runs, in the order it added the techniques
        course = {"1": 0.9169, "2": 0.9203, "3": 0.9402}
        rows, histories = [], {}
        for label, batch_norm, cbs in runs:
            gn.backend.set_seed(ctx.seed)  # the same initial draw for every run: only the technique differs
            model = build(batch_norm)
            history = model.fit(x_train, y_train, epochs=p["epochs"], batch_size=p["batch_size"],
                                validation_data=(x_val, y_val), callbacks=cbs, verbose=ctx.verbose)
            _, val_acc = model.evaluate(x_val, y_val, batch_size=500, verbose=0)
            _, test_acc = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
            histories[label] = history.history
            rows.append([label, len(history.history["loss"]), val_acc, test_acc])
            ctx.report(f"{label}: test accuracy", test_acc, course=course.get(label[:1]),
                       note="course run " + label[:1] if label[:1] in course else "")
            ctx.print(f"{label}: {len(history.history['loss'])} epochs, validation {val_acc:.4f}, test {test_acc:.4f}")
        if best_path.exists():
            reloaded = gn.load_model(best_path)
            _, best_acc = reloaded.evaluate(x_test, y_test, batch_size=500, verbose=0)
            ctx.print(f"the checkpoint of run 4 ({best_path.name}) reloaded: test accuracy {best_acc:.4f}")

        # the members are run 3 (batch norm + step decay), each shuffling with its own seed
        schedule = callbacks.LearningRateScheduler(step_decay(lr, 0.5, max(1, p["epochs"] // 4)))
        ensemble = Ensemble(lambda: build(True), n_members=p["ensemble_members"], seed=ctx.seed,
                            combine="average")
        ensemble.fit(x_train, y_train, epochs=p["epochs"], batch_size=p["batch_size"],
                     validation_data=(x_val, y_val), callbacks=[schedule], verbose=0)
        scores = ensemble.evaluate(x_test, y_test)
        member_accs = [m["accuracy"] for m in scores["members"]]
        val_scores = ensemble.evaluate(x_val, y_val)
        rows.append([f"5. ensemble of {p['ensemble_members']} runs like 3", p["epochs"],
                     val_scores["ensemble"]["accuracy"], scores["ensemble"]["accuracy"]])
        ctx.report("5. ensemble: test accuracy", scores["ensemble"]["accuracy"])
        ctx.report("ensemble members: mean test accuracy", float(np.mean(member_accs)),
                   note=f"best member {max(member_accs):.4f}")
        ctx.table(["run", "epochs", "validation accuracy", "test accuracy"], rows,
                  title="The course's three runs reported test accuracy 0.9169, 0.9203 and 0.9402")
        ctx.savefig(self._figure(histories), "techniques")

    def _figure(self, histories):
        import matplotlib.pyplot as plt
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(13, 4.5))
        for label, h in histories.items():
            epochs = np.arange(1, len(h["val_loss"]) + 1)
            # run 4 trains exactly as run 3 (the callbacks only watch and keep the best epoch),
            # so its curve lies on run 3's: dashed, to show both
            style = dict(marker="o", label=label, linestyle="--" if label.startswith("4.") else "-")
            ax_loss.plot(epochs, h["val_loss"], **style)
            ax_acc.plot(epochs, h["val_accuracy"], **style)
        ax_loss.set(xlabel="epoch", ylabel="validation loss", title="validation loss")
        ax_acc.set(xlabel="epoch", ylabel="validation accuracy", title="validation accuracy")
        ax_acc.legend(loc="lower right")
        from matplotlib.ticker import MaxNLocator
        for ax in (ax_loss, ax_acc):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        fig.suptitle("Training techniques on the ResNet (COURSE.md exercise 5)")
        return fig
