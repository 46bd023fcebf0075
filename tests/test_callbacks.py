"""Callbacks with small Dense models on tiny synthetic data.

Most tests put a ``Feed`` callback first: it overwrites the monitored value in the epoch logs
with a scripted sequence (callbacks share the logs dict and run in order), so patience,
min_delta, baselines and cooldowns can be checked against hand-counted epochs.
"""
from __future__ import annotations

import csv
import os

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.callbacks import (BackupAndRestore, Callback, CSVLogger, EarlyStopping, LambdaCallback,
                                LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN)
from glassnet.callbacks.monitor import infer_mode
from glassnet.optimizers import SGD, Adam
from glassnet.optimizers.schedules import ExponentialDecay, StepDecay

RNG = np.random.default_rng(0)
X = RNG.standard_normal((32, 3)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def make_model(optimizer=None, seed=0):
    gn.utils.set_random_seed(seed)
    model = gn.Sequential([layers.Input((3,)), layers.Dense(4, activation="tanh"),
                           layers.Dense(2, activation="softmax")])
    model.compile(optimizer=optimizer or SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class Feed(Callback):
    """Replaces ``logs[key]`` with ``values[epoch]`` and records the weights at each epoch end."""

    def __init__(self, values, key="val_loss"):
        super().__init__()
        self.values, self.key = list(values), key
        self.weights, self.epochs = [], []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.get_weights())
        self.epochs.append(epoch)


def fit(model, callbacks, epochs, **kwargs):
    kwargs.setdefault("batch_size", 8)
    kwargs.setdefault("verbose", 0)
    return model.fit(X, Y, epochs=epochs, callbacks=callbacks, **kwargs)


# ====================================================================== EarlyStopping
def test_early_stopping_counts_patience():
    feed = Feed([1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99])
    stop = EarlyStopping(patience=2)
    history = fit(make_model(), [feed, stop], epochs=7)
    # epoch 1 is the best; epochs 2 and 3 do not improve: stop at the end of epoch 3
    assert feed.epochs == [0, 1, 2, 3] and len(history.history["loss"]) == 4
    assert stop.stopped_epoch == 3 and stop.best == 0.9 and stop.best_epoch == 1


def test_early_stopping_patience_zero_stops_at_first_non_improvement():
    feed = Feed([1.0, 0.9, 0.9, 0.5])
    stop = EarlyStopping(patience=0)
    fit(make_model(), [feed, stop], epochs=4)
    assert feed.epochs == [0, 1, 2] and stop.stopped_epoch == 2  # equal is not better


def test_early_stopping_min_delta():
    values = [1.0, 0.995, 0.99, 0.985, 0.98]
    feed = Feed(values)
    fit(make_model(), [feed, EarlyStopping(patience=1, min_delta=0.01)], epochs=5)
    assert feed.epochs == [0, 1]  # 0.995 is not below 1.0 - 0.01
    feed = Feed(values)
    fit(make_model(), [feed, EarlyStopping(patience=1, min_delta=0.001)], epochs=5)
    assert feed.epochs == [0, 1, 2, 3, 4]
    feed = Feed(values)
    fit(make_model(), [feed, EarlyStopping(patience=1, min_delta=-0.01)], epochs=5)  # sign ignored
    assert feed.epochs == [0, 1]


def test_early_stopping_mode_auto_min_max():
    assert infer_mode("val_accuracy") == "max" and infer_mode("acc") == "max" and infer_mode("val_auc") == "max"
    assert infer_mode("val_loss") == "min" and infer_mode("mae") == "min" and infer_mode("val_output_loss") == "min"
    rising = [0.5, 0.6, 0.7, 0.8]
    feed = Feed(rising, key="val_accuracy")
    fit(make_model(), [feed, EarlyStopping(monitor="val_accuracy", patience=0)], epochs=4)
    assert feed.epochs == [0, 1, 2, 3]  # auto: accuracy is maximised
    feed = Feed(rising, key="val_accuracy")
    fit(make_model(), [feed, EarlyStopping(monitor="val_accuracy", patience=0, mode="min")], epochs=4)
    assert feed.epochs == [0, 1]
    feed = Feed([0.5, 0.4, 0.3], key="loss")
    fit(make_model(), [feed, EarlyStopping(monitor="loss", patience=0, mode="max")], epochs=3)
    assert feed.epochs == [0, 1]
    with pytest.raises(ValueError, match="mode.*received 'lowest'"):
        EarlyStopping(mode="lowest")


def test_early_stopping_baseline():
    values = [0.9, 0.8, 0.85, 0.86, 0.87]
    feed = Feed(values)
    stop = EarlyStopping(patience=3, baseline=0.5)
    fit(make_model(), [feed, stop], epochs=5)
    # never better than the baseline: the wait is never reset, so epoch 2 is the 3rd bad one
    assert feed.epochs == [0, 1, 2] and stop.stopped_epoch == 2
    feed = Feed(values)
    fit(make_model(), [feed, EarlyStopping(patience=3)], epochs=5)
    assert feed.epochs == [0, 1, 2, 3, 4]
    feed = Feed([0.4, 0.45, 0.46, 0.47, 0.48])
    fit(make_model(), [feed, EarlyStopping(patience=3, baseline=0.5)], epochs=5)
    assert feed.epochs == [0, 1, 2, 3]  # beat the baseline at epoch 0: ordinary patience


def test_early_stopping_restores_best_weights_when_stopped_and_at_the_end():
    feed = Feed([1.0, 0.5, 0.7, 0.8, 0.9, 1.0])
    model = make_model()
    fit(model, [feed, EarlyStopping(patience=2, restore_best_weights=True)], epochs=6)
    assert feed.epochs == [0, 1, 2, 3]
    for got, best in zip(model.get_weights(), feed.weights[1]):
        np.testing.assert_array_equal(got, best)
    assert not np.array_equal(feed.weights[1][0], feed.weights[3][0])  # the weights did move
    # not stopped early: Keras 3 restores the best epoch at the end of training too
    feed = Feed([1.0, 0.5, 0.7])
    model = make_model()
    fit(model, [feed, EarlyStopping(patience=5, restore_best_weights=True)], epochs=3)
    for got, best in zip(model.get_weights(), feed.weights[1]):
        np.testing.assert_array_equal(got, best)
    # without restore_best_weights the last weights stay
    feed = Feed([1.0, 0.5, 0.7])
    model = make_model()
    fit(model, [feed, EarlyStopping(patience=5)], epochs=3)
    np.testing.assert_array_equal(model.get_weights()[0], feed.weights[2][0])


def test_early_stopping_start_from_epoch():
    values = [1.0, 2.0, 3.0, 2.0, 1.0, 0.5]
    feed = Feed(values)
    fit(make_model(), [feed, EarlyStopping(patience=0)], epochs=6)
    assert feed.epochs == [0, 1]
    feed = Feed(values)
    stop = EarlyStopping(patience=0, start_from_epoch=2)
    fit(make_model(), [feed, stop], epochs=6)
    assert feed.epochs == [0, 1, 2, 3, 4, 5] and stop.best == 0.5 and stop.best_epoch == 5


def test_early_stopping_resets_between_fits():
    stop = EarlyStopping(patience=0)
    model = make_model()
    fit(model, [Feed([0.3, 0.2, 0.1]), stop], epochs=3)
    assert stop.best == 0.1
    feed = Feed([0.5, 0.4, 0.3])
    fit(model, [feed, stop], epochs=3)
    assert feed.epochs == [0, 1, 2] and stop.best == 0.3 and stop.stopped_epoch == 0


def test_early_stopping_warns_about_a_missing_metric_naming_the_available_ones():
    stop = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(RuntimeWarning, match=r"'val_loss'.*validation_data.*Available metrics are: loss, accuracy"):
        history = fit(make_model(), [stop], epochs=3)
    assert len(history.history["loss"]) == 3  # nothing watched, nothing stopped
    with pytest.warns(RuntimeWarning, match="'val_acc'.*Available metrics are: loss, accuracy, val_loss"):
        fit(make_model(), [EarlyStopping(monitor="val_acc")], epochs=1, validation_split=0.25)


def test_early_stopping_on_real_validation_loss():
    model = make_model(SGD(0.0))  # nothing learns: val_loss stays the same
    stop = EarlyStopping(patience=2, verbose=1)
    history = fit(model, [stop], epochs=20, validation_split=0.25)
    assert len(history.history["val_loss"]) == 3 and stop.stopped_epoch == 2


# ====================================================================== ModelCheckpoint
def test_checkpoint_names_files_from_epoch_and_logs(tmp_path):
    model = make_model()
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.3f}.glassnet")
    history = fit(model, [ModelCheckpoint(pattern)], epochs=3, validation_split=0.25)
    expected = sorted(f"ckpt-{e + 1:02d}-{v:.3f}.glassnet" for e, v in enumerate(history.history["val_loss"]))
    assert sorted(os.listdir(tmp_path)) == expected
    last = gn.load_model(tmp_path / expected[-1])
    for a, b in zip(last.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert last.optimizer.iterations == model.optimizer.iterations


def test_checkpoint_save_best_only_writes_only_on_improvement(tmp_path):
    feed = Feed([1.0, 0.8, 0.9, 0.7, 0.75])
    model = make_model()
    fit(model, [feed, ModelCheckpoint(str(tmp_path / "best-{epoch}.glassnet"), save_best_only=True)], epochs=5)
    assert sorted(os.listdir(tmp_path)) == ["best-1.glassnet", "best-2.glassnet", "best-4.glassnet"]
    # a fixed path always holds the best model
    feed = Feed([1.0, 0.8, 0.9, 0.7, 0.75])
    checkpoint = ModelCheckpoint(str(tmp_path / "best.glassnet"), save_best_only=True, verbose=1)
    fit(make_model(), [feed, checkpoint], epochs=5)
    best = gn.load_model(tmp_path / "best.glassnet")
    for a, b in zip(best.get_weights(), feed.weights[3]):
        np.testing.assert_array_equal(a, b)
    assert checkpoint.best == 0.7
    # mode max for accuracy
    feed = Feed([0.5, 0.7, 0.6], key="val_accuracy")
    fit(make_model(), [feed, ModelCheckpoint(str(tmp_path / "acc-{epoch}.glassnet"), monitor="val_accuracy",
                                             save_best_only=True)], epochs=3)
    assert {"acc-1.glassnet", "acc-2.glassnet"} <= set(os.listdir(tmp_path))
    assert "acc-3.glassnet" not in os.listdir(tmp_path)


def test_checkpoint_weights_only_and_batch_frequency(tmp_path):
    model = make_model()
    fit(model, [ModelCheckpoint(str(tmp_path / "w-{epoch}-{batch}.npz"), save_weights_only=True, save_freq=2)],
        epochs=2)  # 4 batches per epoch
    assert sorted(os.listdir(tmp_path)) == ["w-1-2.npz", "w-1-4.npz", "w-2-2.npz", "w-2-4.npz"]
    fresh = make_model(seed=5)
    fresh.load_weights(tmp_path / "w-2-4.npz")
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_checkpoint_missing_format_key_names_the_available_ones(tmp_path):
    with pytest.raises(KeyError, match=r"val_loss.*Available fields: \['accuracy', 'epoch', 'loss'\]"):
        fit(make_model(), [ModelCheckpoint(str(tmp_path / "m-{val_loss:.2f}.glassnet"))], epochs=1)


def test_checkpoint_save_best_only_without_the_metric_warns(tmp_path):
    with pytest.warns(RuntimeWarning, match="val_loss.*Available metrics are: loss, accuracy"):
        fit(make_model(), [ModelCheckpoint(str(tmp_path / "m.glassnet"), save_best_only=True)], epochs=1)
    assert os.listdir(tmp_path) == []


def test_failed_checkpoint_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "model.glassnet"

    class BreakRenameAfterFirstEpoch(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                def broken_replace(src, dst):
                    raise OSError("disk full (simulated)")
                monkeypatch.setattr(os, "replace", broken_replace)

    feed = Feed([1.0, 2.0])
    model = make_model()
    with pytest.raises(OSError, match="disk full"):
        fit(model, [feed, BreakRenameAfterFirstEpoch(), ModelCheckpoint(str(path))], epochs=2)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["model.glassnet"]  # no temporary file left behind
    kept = gn.load_model(path)
    for a, b in zip(kept.get_weights(), feed.weights[0]):
        np.testing.assert_array_equal(a, b)


def test_checkpoint_argument_validation():
    with pytest.raises(ValueError, match="save_freq.*received 'batch'"):
        ModelCheckpoint("m.glassnet", save_freq="batch")


# ====================================================================== learning rate
class RateSpy(Callback):
    """The learning rate the optimizer uses in each epoch (read at its first batch)."""

    def __init__(self):
        super().__init__()
        self.rates = []

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            self.rates.append(self.model.optimizer.current_learning_rate())


def test_learning_rate_scheduler_sets_the_rate_each_epoch():
    spy = RateSpy()
    history = fit(make_model(), [LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch), spy], epochs=4)
    assert spy.rates == pytest.approx([0.1, 0.05, 0.025, 0.0125])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025, 0.0125])
    # the previous rate is passed in
    spy = RateSpy()
    fit(make_model(SGD(0.2)), [LearningRateScheduler(lambda epoch, lr: lr * 0.5), spy], epochs=3)
    assert spy.rates == pytest.approx([0.1, 0.05, 0.025])
    # one-argument function, and a schedule object called with the epoch number (step decay)
    spy = RateSpy()
    fit(make_model(), [LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1)), spy], epochs=3)
    assert spy.rates == pytest.approx([0.01, 0.02, 0.03])
    spy = RateSpy()
    fit(make_model(), [LearningRateScheduler(StepDecay(0.1, drop_rate=0.5, step_size=2)), spy], epochs=5)
    assert spy.rates == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_learning_rate_scheduler_refuses_schedule_optimizers_and_bad_values(capsys):
    model = make_model(SGD(ExponentialDecay(0.1, 10, 0.5)))
    with pytest.raises(ValueError, match="learning_rate is a schedule.*ExponentialDecay"):
        fit(model, [LearningRateScheduler(lambda e, lr: 0.1)], epochs=1)
    with pytest.raises(ValueError, match="learning_rate is a schedule"):
        fit(model, [ReduceLROnPlateau(monitor="loss")], epochs=1)
    with pytest.raises(ValueError, match="non-negative number, received 'fast'"):
        fit(make_model(), [LearningRateScheduler(lambda e, lr: "fast")], epochs=1)
    fit(make_model(), [LearningRateScheduler(lambda e, lr: 0.05, verbose=1)], epochs=1)
    assert "LearningRateScheduler setting learning rate to 0.05" in capsys.readouterr().out


def test_reduce_lr_on_plateau_reduction_cooldown_and_min_lr():
    spy = RateSpy()
    feed = Feed([1.0] * 9)
    reduce = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    history = fit(make_model(SGD(0.1)), [feed, reduce, spy], epochs=9)
    # hand count: reductions at the ends of epochs 2, 4 and 6 (the cooldown epoch after each
    # counts as bad again once the cooldown is over); 0.025 * 0.5 is clipped to min_lr
    expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02]
    assert spy.rates == pytest.approx(expected)
    assert history.history["learning_rate"] == pytest.approx(expected)  # the rate used in each epoch


def test_reduce_lr_on_plateau_min_delta_mode_and_reset():
    spy = RateSpy()
    # improvements smaller than min_delta do not count
    feed = Feed([1.0, 0.99995, 0.9999, 0.5, 0.5])
    reduce = ReduceLROnPlateau(factor=0.1, patience=2, min_delta=1e-3)
    fit(make_model(SGD(0.1)), [feed, reduce, spy], epochs=5)
    assert spy.rates == pytest.approx([0.1, 0.1, 0.1, 0.01, 0.01])
    spy = RateSpy()
    feed = Feed([0.5, 0.6, 0.7, 0.8], key="val_accuracy")
    fit(make_model(SGD(0.1)), [feed, ReduceLROnPlateau(monitor="val_accuracy", patience=1), spy], epochs=4)
    assert spy.rates == pytest.approx([0.1] * 4)  # rising accuracy is an improvement
    # state resets at the start of each fit
    reduce = ReduceLROnPlateau(factor=0.5, patience=1)
    model = make_model(SGD(0.1))
    fit(model, [Feed([0.1, 0.2]), reduce], epochs=2)
    assert model.optimizer.learning_rate == pytest.approx(0.05)
    fit(model, [Feed([0.5, 0.4]), reduce], epochs=2)
    assert model.optimizer.learning_rate == pytest.approx(0.05)
    with pytest.raises(ValueError, match="factor in \\(0, 1\\)"):
        ReduceLROnPlateau(factor=1.5)


# ====================================================================== CSVLogger
def test_csv_logger_writes_sorted_columns_and_flushes_every_epoch(tmp_path):
    path = tmp_path / "log.csv"
    lines_seen = []

    class ReadBack(Callback):
        def on_epoch_end(self, epoch, logs=None):
            lines_seen.append(len(path.read_text().splitlines()))

    history = fit(make_model(), [CSVLogger(path), ReadBack()], epochs=3, validation_split=0.25)
    assert lines_seen == [2, 3, 4]  # header + one row per finished epoch, already on disk
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    for epoch, row in enumerate(rows[1:]):
        assert row[0] == str(epoch)
        for key, cell in zip(rows[0][1:], row[1:]):
            assert float(cell) == pytest.approx(history.history[key][epoch], rel=1e-12)


def test_csv_logger_append_and_separator(tmp_path):
    path = tmp_path / "log.csv"
    model = make_model()
    fit(model, [CSVLogger(path, separator=";")], epochs=2)
    fit(model, [CSVLogger(path, separator=";", append=True)], epochs=1)
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch;accuracy;loss" and len(lines) == 4 and lines[3].startswith("0;")
    fit(model, [CSVLogger(path)], epochs=1)  # not appending: overwritten
    assert len(path.read_text().splitlines()) == 2


def test_csv_logger_records_keys_added_by_earlier_callbacks(tmp_path):
    path = tmp_path / "log.csv"
    fit(make_model(), [LearningRateScheduler(lambda e, lr: 0.1), CSVLogger(path)], epochs=1)
    assert path.read_text().splitlines()[0] == "epoch,accuracy,learning_rate,loss"


# ====================================================================== TerminateOnNaN / stop from a batch
def test_terminate_on_nan_stops_after_the_nan_batch(capsys):
    # NaN inputs are refused when fit starts; a diverging run is what TerminateOnNaN is for:
    # here the weights turn NaN after batch 1, so batch 2 is the first with a NaN loss
    batches = []
    nan_stop = TerminateOnNaN()
    model = make_model()

    def on_batch_end(batch, logs):
        batches.append(batch)
        if batch == 1:
            model.weights[0].data[...] = np.nan

    with pytest.warns(RuntimeWarning, match="lower the learning rate"):
        history = model.fit(X, Y, epochs=5, batch_size=8, verbose=0, shuffle=False,
                            callbacks=[nan_stop, LambdaCallback(on_batch_end=on_batch_end)])
    assert batches == [0, 1, 2] and len(history.history["loss"]) == 1
    assert np.isnan(history.history["loss"][0])
    assert (nan_stop.stopped_epoch, nan_stop.stopped_batch) == (0, 2)
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out


def test_stop_training_from_a_batch_hook_ends_the_epoch_and_the_fit():
    model = make_model()
    batches, epochs = [], []

    def on_batch_end(batch, logs):
        batches.append(batch)
        if batch == 1:
            model.stop_training = True

    history = fit(model, [LambdaCallback(on_batch_end=on_batch_end,
                                         on_epoch_end=lambda e, logs: epochs.append(sorted(logs)))],
                  epochs=3, validation_split=0.25)
    assert batches == [0, 1]
    # the cut epoch is still closed: validation runs and on_epoch_end sees its metrics
    assert epochs == [["accuracy", "loss", "val_accuracy", "val_loss"]] and len(history.history["val_loss"]) == 1


# ====================================================================== LambdaCallback
def test_lambda_callback_calls_each_given_hook():
    calls = []
    cb = LambdaCallback(on_train_begin=lambda logs: calls.append("train_begin"),
                        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
                        on_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch)),
                        on_batch_end=lambda batch, logs: calls.append(("batch_end", batch, "loss" in logs)),
                        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, "val_loss" in logs)),
                        on_train_end=lambda logs: calls.append("train_end"),
                        on_test_end=lambda logs: calls.append("test_end"))
    fit(make_model(), [cb], epochs=2, batch_size=16, validation_split=0.5)  # 1 batch per epoch
    assert calls == ["train_begin",
                     ("epoch_begin", 0), ("batch_begin", 0), ("batch_end", 0, True), ("epoch_end", 0, True),
                     ("epoch_begin", 1), ("batch_begin", 0), ("batch_end", 0, True), ("epoch_end", 1, True),
                     "train_end"]
    model = make_model()
    model.evaluate(X, Y, verbose=0, callbacks=[cb])
    assert calls[-1] == "test_end"
    with pytest.raises(TypeError, match="unknown hook.*on_epoch_finish"):
        LambdaCallback(on_epoch_finish=print)
    with pytest.raises(TypeError, match="on_epoch_end to be a function"):
        LambdaCallback(on_epoch_end=3)


def test_lambda_callback_keras3_batch_hook_names():
    seen = []
    cb = LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    fit(make_model(), [cb], epochs=1)
    assert seen == [0, 1, 2, 3]


# ====================================================================== BackupAndRestore
class CrashAt(Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)
        self.epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise RuntimeError("simulated crash")


def adam_model(seed=0):
    return make_model(Adam(0.01), seed=seed)


def test_a_callback_moves_the_start_of_fit_with_resume_at_epoch():
    class StartAt(Callback):
        def __init__(self, epoch):
            super().__init__()
            self.epoch = epoch

        def on_train_begin(self, logs=None):
            self.model.resume_at_epoch(self.epoch)

    model = make_model()
    epochs = []
    history = fit(model, [StartAt(2), LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e))], epochs=5)
    assert epochs == [2, 3, 4] and len(history.history["loss"]) == 3
    epochs.clear()
    fit(model, [LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e))], epochs=2)
    assert epochs == [0, 1]  # the next fit is not affected
    with pytest.raises(RuntimeError, match="on_train_begin"):
        model.resume_at_epoch(1)  # no fit is starting
    with pytest.raises(ValueError, match="non-negative integer epoch, received -1"):
        fit(model, [StartAt(-1)], epochs=2)
    with pytest.raises(RuntimeError, match="on_train_begin"):
        fit(model, [LambdaCallback(on_epoch_begin=lambda e, logs: model.resume_at_epoch(0))], epochs=1)


@pytest.mark.parametrize("shuffle, seed", [(False, None), (True, 3)])
def test_backup_and_restore_resumes_exactly(tmp_path, shuffle, seed):
    kwargs = dict(epochs=6, batch_size=8, verbose=0, shuffle=shuffle, seed=seed)
    reference = adam_model()
    reference.fit(X, Y, **kwargs)

    backup_dir = tmp_path / "backup"
    backup = BackupAndRestore(backup_dir)
    model = adam_model()
    # crash in the middle of the 4th epoch (index 3): epochs 1-3 are backed up, and the model
    # in memory has already taken two more (lost) steps
    with pytest.raises(RuntimeError, match="simulated crash"):
        model.fit(X, Y, callbacks=[backup, CrashAt(3, 1)], **kwargs)
    assert (backup_dir / "backup.npz").exists()

    epochs = []
    history = model.fit(X, Y, callbacks=[backup, LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e))],
                        **kwargs)
    assert backup.restored_epoch == 3 and epochs == [3, 4, 5] and len(history.history["loss"]) == 3
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, want)
    assert model.optimizer.iterations == reference.optimizer.iterations == 24
    assert not backup_dir.exists()  # deleted after a normal end


def test_backup_restores_into_a_new_model_instance_with_other_layer_names(tmp_path):
    reference = adam_model()
    reference.fit(X, Y, epochs=4, batch_size=8, verbose=0, shuffle=False)
    backup = BackupAndRestore(tmp_path, delete_checkpoint=False)
    with pytest.raises(RuntimeError):
        adam_model().fit(X, Y, epochs=4, batch_size=8, verbose=0, shuffle=False, callbacks=[backup, CrashAt(2, 0)])
    # a "new process": other initial weights, other default layer names (dense_7...)
    resumed = adam_model(seed=42)
    assert resumed.weights[0].name != reference.weights[0].name
    again = BackupAndRestore(tmp_path, delete_checkpoint=False)
    resumed.fit(X, Y, epochs=4, batch_size=8, verbose=0, shuffle=False, callbacks=[again])
    assert again.restored_epoch == 2
    for got, want in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, want)
    assert (tmp_path / "backup.npz").exists()  # kept: delete_checkpoint=False


def test_backup_keeps_a_learning_rate_changed_by_a_callback(tmp_path):
    backup = BackupAndRestore(tmp_path / "b")
    model = make_model(SGD(0.1))
    with pytest.raises(RuntimeError):
        fit(model, [LearningRateScheduler(lambda e, lr: 0.1 / (e + 1)), backup, CrashAt(1, 0)], epochs=3)
    fresh = make_model(SGD(0.5))
    spy = RateSpy()
    backup2 = BackupAndRestore(tmp_path / "b")
    fit(fresh, [backup2, spy], epochs=3)
    assert backup2.restored_epoch == 1 and spy.rates == pytest.approx([0.1, 0.1])


def test_backup_refuses_another_models_backup(tmp_path):
    backup = BackupAndRestore(tmp_path)
    with pytest.raises(RuntimeError):
        fit(make_model(), [backup, CrashAt(1, 0)], epochs=2)
    gn.utils.set_random_seed(0)
    other = gn.Sequential([layers.Input((3,)), layers.Dense(2, activation="softmax")])
    other.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="holds 4 weights, the model has 2"):
        other.fit(X, Y, epochs=2, verbose=0, callbacks=[BackupAndRestore(tmp_path)])


# ====================================================================== trainer contract
def test_history_records_keys_added_by_callbacks_and_only_then():
    history = fit(make_model(), [], epochs=1)
    assert set(history.history) == {"loss", "accuracy"}
    history = fit(make_model(), [LearningRateScheduler(lambda e, lr: lr)], epochs=2)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1])
