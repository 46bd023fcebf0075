"""The Keras corpus: unmodified Keras programs under ``tests/programs/`` run with ``glassnet run``.

Each program is written as Keras 2 (``tf.keras``) or Keras 3 code is written in the public
examples, with its data made up on the spot; it runs in its own process through
``python -m glassnet run`` with ``GLASSNET_MAX_EPOCHS=2``, and must exit with 0 and print what
the table below expects (values it computed, checked here). The programs that glassnet cannot
run yet are listed in ``CANNOT_RUN_YET`` with the reason, and must fail with a message that names
what is missing (so a fix shows up here as a failure to update). The README's "Run your Keras
code" section reports the counts.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).parent / "programs"
MAX_EPOCHS = "2"


def _fraction(text):
    value = float(text)
    return 0.0 <= value <= 1.0


def _finite(text):
    value = float(text)
    return value == value and abs(value) < 1e6


# program -> [(regex its output must match, check of the first group or None)]
EXPECTED = {
    "backend_utils_keras2.py": [(r"hidden\.input shape: \(None, 7\) hidden\.output shape: \(None, 8\)", None),
                                (r"metrics_names: \['loss', 'accuracy'\]", None),
                                (r"plot_model wrote a PNG: (True)", None), (r"accuracy: ([\d.]+)", _fraction)],
    "bidirectional_lstm.py": [(r"val_accuracy: ([\d.]+)", _fraction)],
    "callbacks_checkpoint.py": [(r"epochs run: 2 batches seen: (\d+)", lambda n: int(n) == 14),
                                (r"csv lines: 3", None), (r"checkpoint val accuracy: ([\d.]+)", _fraction)],
    "chollet_regression_kfold.py": [(r"epochs: 2", None), (r"average validation MAE: ([\d.]+)", _finite)],
    "cnn_datagen_tf_keras.py": [(r"channel means: \[", None), (r"train batches: 8 validation batches: 3", None),
                                (r"history keys: \['accuracy', 'loss', 'val_accuracy', 'val_loss'\]", None),
                                (r"validation accuracy: ([\d.]+)", _fraction), (r"predictions: \(8, 1\)", None)],
    "compare_optimizers_keras2.py": [(r"adadelta final loss ([\d.]+)", _finite),
                                     (r"nadam    final loss ([\d.]+)", _finite),
                                     (r"best optimizer: (\w+)", lambda name: name in (
                                         "sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamax", "nadam"))],
    "conv_autoencoder_denoise.py": [(r"output shape: \(4, 16, 16, 1\)", None), (r"final loss: ([\d.]+)", _finite)],
    "custom_layer.py": [(r"weights: 6", None), (r"custom layer training ok", None)],
    "custom_train_step.py": [(r"history keys: \['loss', 'mae'\]", None), (r"final mae: ([\d.]+)", _finite)],
    "dense_autoencoder.py": [(r"encoded \(100, 8\) decoded \(100, 64\)", None),
                             (r"reconstruction mse: ([\d.]+)", lambda v: float(v) < 0.5)],
    "eager_features_pipeline.py": [(r"features: \(200, 6\)", None), (r"accuracy: ([\d.]+)", _fraction)],
    "fit_generator_keras2.py": [(r"predictions: \(320, 1\)", None), (r"generator accuracy: ([\d.]+)", _fraction),
                                (r"KerasNameWarning: Model\.fit_generator is a Keras 2 spelling", None)],
    "functional_dict_outputs.py": [(r"priority \(3, 1\) department \(3, 4\)", None),
                                   (r"loss: [\d.]+ - priority_loss: [\d.]+ - department_loss: [\d.]+", None),
                                   (r"final loss: ([\d.]+)", _finite)],
    "functional_multi_io.py": [(r"priority \(3, 1\) department \(3, 4\)", None), (r"final loss: ([\d.]+)", _finite)],
    "gan_train_step_keras3.py": [(r"history keys: \['d_loss', 'g_loss'\]", None),
                                 (r"generated mean: (-?[\d.]+)", _finite), (r"d_loss: ([\d.]+) g_loss", _finite)],
    "gru_timeseries.py": [(r"naive forecast MSE: ([\d.]+)", _finite), (r"GRU validation MSE: ([\d.]+)", _finite)],
    "image_data_generator_keras2.py": [(r"acc: ([\d.]+)", _fraction),
                                       (r"KerasNameWarning: Model\.fit_generator is a Keras 2 spelling", None)],
    "imdb_lstm_keras2.py": [(r"x_train shape: \(300, 20\)", None), (r"Test accuracy: ([\d.]+)", _fraction),
                            (r"keras\.preprocessing\.sequence is a Keras 2 spelling", None)],
    "keras2_lr_acc_generator.py": [(r"epochs: 2\n", None), (r"final acc: ([\d.]+)", _fraction),
                                   (r"val_acc: ([\d.]+)\n", _fraction),
                                   (r"KerasNameWarning: lr= is a Keras 2 spelling", None)],
    "keras3_ops_random.py": [(r"variables: 2 trainable: 2 non-trainable: 0", None),
                             (r"mean absolute error: ([\d.]+)", _finite)],
    "lr_schedule_keras2.py": [(r"epoch 1 lr 0\.1\b", None), (r"assigned learning_rate: 0\.02", None),
                              (r"final lr: 0\.05", None), (r"KerasNameWarning: lr= is a Keras 2 spelling", None)],
    "mnist_cnn_keras2.py": [(r"int_shape of the output: \(None, 4\)", None), (r"Test accuracy: ([\d.]+)", _fraction)],
    "mnist_mlp_keras2.py": [(r"Test accuracy: ([\d.]+)", _fraction)],
    "multi_output_dict_metrics.py": [(r"history keys: \['loss', 'price_loss', 'price_mae', 'segment_accuracy', "
                                      r"'segment_loss', 'val_loss', 'val_price_loss', 'val_price_mae', "
                                      r"'val_segment_accuracy', 'val_segment_loss'\]", None),
                                     (r"segment accuracy: ([\d.]+)", _fraction),
                                     (r"predict keys: \['price', 'segment'\] price shape: \(4, 1\) segment shape: "
                                      r"\(4, 2\)", None)],
    "notebook_export.py": [(r"final val_mae: ([\d.]+)", _finite)],
    "pydataset_weight_decay_keras3.py": [(r"epochs seen by the dataset: 2\n", None),
                                         (r"val accuracy: ([\d.]+)", _fraction),
                                         (r"evaluate on the PyDataset: ([\d.]+)", _fraction),
                                         (r"optimizer weight_decay: 0\.001", None)],
    "residual_cnn_keras3.py": [(r"val_acc: ([\d.]+)", _fraction)],
    "save_and_load_tf2.py": [(r"reloaded predictions match: True", None), (r"weights round trip: True", None),
                             (r"clone layers: 2 2", None)],
    "simple_rnn_text.py": [(r"predicted: ([a-z]{6})\n", None), (r"accuracy: ([\d.]+)", _fraction)],
    "sparse_autoencoder_add_loss.py": [(r"losses after a call: 1", None), (r"loss: ([\d.]+)", _finite)],
    "subclassed_model.py": [(r"prob sums: \[1\. 1\. 1\. 1\. 1\. 1\. 1\. 1\. 1\. 1\.\]", None),
                            (r"metrics_names: \['loss', 'sparse_categorical_accuracy'\]", None),
                            (r"accuracy: ([\d.]+)", _fraction)],
    "text_tokenizer_keras2.py": [(r"final acc: ([\d.]+)", _fraction),
                                 (r"KerasNameWarning: metrics=\['acc'\] is a Keras 2 spelling", None)],
    "tf_keras_quickstart.py": [(r"TensorFlow version: 2\.\d+\.\d+\+glassnet", None), (r"\(5, 2\)", None),
                               (r"Test accuracy: ([\d.]+)", _fraction)],
    "training_loop_from_scratch.py": [(r"Training acc over epoch: ([\d.]+)", _fraction)],
}

# program -> (why glassnet cannot run it yet, what its error must say)
CANNOT_RUN_YET = {
    "save_keras_format.py": ("by design: glassnet does not write Keras's .keras/.h5 formats (its files are "
                             ".glassnet)", "glassnet does not read or write Keras's formats"),
}


def _run(name):
    env = dict(os.environ, GLASSNET_MAX_EPOCHS=MAX_EPOCHS, MPLBACKEND="Agg", PYTHONWARNINGS="")
    proc = subprocess.run([sys.executable, "-m", "glassnet", "run", str(PROGRAMS / name)], capture_output=True,
                          text=True, env=env, timeout=300, cwd=PROGRAMS)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def results():
    """Every program's (exit code, output), run three at a time."""
    names = sorted(p.name for p in PROGRAMS.glob("*.py"))
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(names, pool.map(_run, names)))


def test_every_program_is_listed():
    names = {p.name for p in PROGRAMS.glob("*.py")}
    assert names == set(EXPECTED) | set(CANNOT_RUN_YET)
    assert not set(EXPECTED) & set(CANNOT_RUN_YET)
    assert len(EXPECTED) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_program_runs(results, name):
    code, output = results[name]
    assert code == 0, output[-3000:]
    for pattern, check in EXPECTED[name]:
        match = re.search(pattern, output)
        assert match, f"{name}: expected output matching {pattern!r}; got:\n{output[-2000:]}"
        if check is not None:
            assert check(match.group(1)), f"{name}: {match.group(0)!r} failed its check"


@pytest.mark.parametrize("name", sorted(CANNOT_RUN_YET))
def test_program_that_cannot_run_yet_says_why(results, name):
    code, output = results[name]
    assert code == 1, f"{name} ran: move it to EXPECTED and update the README\n{output[-2000:]}"
    assert CANNOT_RUN_YET[name][1] in output, output[-2000:]
    assert "Traceback (most recent call last):\n  File \"" + str(PROGRAMS / name) in output  # user's lines first


KERAS3_PROGRAMS = ["custom_layer.py", "dense_autoencoder.py", "functional_dict_outputs.py", "keras3_ops_random.py",
                   "multi_output_dict_metrics.py", "pydataset_weight_decay_keras3.py", "subclassed_model.py"]


@pytest.mark.slow
@pytest.mark.parametrize("name", KERAS3_PROGRAMS)
def test_program_is_genuine_keras(name):
    """The same file runs under the real Keras 3 (on PyTorch), where it is installed: the corpus
    is Keras code, not glassnet code in disguise."""
    os.environ.setdefault("KERAS_BACKEND", "torch")  # (before the import: Keras's default backend is TensorFlow)
    pytest.importorskip("keras")
    env = dict(os.environ, KERAS_BACKEND="torch", GLASSNET_MAX_EPOCHS=MAX_EPOCHS)
    proc = subprocess.run([sys.executable, str(PROGRAMS / name)], capture_output=True, text=True, env=env,
                          timeout=600, cwd=PROGRAMS)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
