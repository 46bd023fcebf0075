"""Running Keras programs on glassnet: the aliases of ``glassnet run``, the thin ``tensorflow``
module, Keras's namespaces (config, backend, random, utils), Keras 2 names and layer attributes."""
from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers
from glassnet.compat import KerasNameWarning, importer


@pytest.fixture
def without_real_keras():
    """Set aside a real keras / tensorflow that other test modules imported (the Keras oracle
    tests), as if this were a fresh process, and put them back afterwards."""
    roots = ("keras", "tensorflow")
    real = {n: m for n, m in sys.modules.items() if n.split(".")[0] in roots}
    for name in real:
        del sys.modules[name]
    try:
        yield
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] in roots]:
            del sys.modules[name]
        sys.modules.update(real)


@pytest.fixture
def aliases(without_real_keras):
    importer.install()
    try:
        yield
    finally:
        importer.uninstall()


def _run_script(tmp_path, source, *args, env=None):
    script = tmp_path / "prog.py"
    script.write_text(source)
    return subprocess.run([sys.executable, "-m", "glassnet", "run", str(script), *args], capture_output=True,
                          text=True, env=dict(os.environ, **(env or {})), timeout=120)


# ---------------------------------------------------------------- aliases
def test_plain_import_aliases_nothing():
    code = ("import glassnet, sys; print('keras' in sys.modules, 'tensorflow' in sys.modules, "
            "any(type(f).__name__ == 'AliasFinder' for f in sys.meta_path))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "False", "False"], out.stderr


def test_keras_and_tensorflow_imports_give_glassnet(aliases):
    import keras
    import tensorflow as tf
    from keras.layers import Dense
    from tensorflow.keras import layers as tf_layers
    from tensorflow.keras.optimizers import Adam
    from keras.utils.np_utils import to_categorical
    assert Dense is gn.layers.Dense and tf_layers.Dense is Dense and Adam is gn.optimizers.Adam
    assert to_categorical is gn.utils.to_categorical
    assert tf.keras.Sequential is gn.Sequential and keras.Model is gn.Model
    assert "glassnet" in tf.__version__ and tf.__version__.startswith("2.")
    assert "glassnet" in keras.__version__


def test_missing_names_say_what_is_missing(aliases):
    import keras
    with pytest.raises(ImportError, match=r"keras\.applications is not in glassnet.*Run your Keras code"):
        import keras.applications  # noqa: F401
    with pytest.raises(ImportError, match=r"keras\.layers\.ConvLSTM2D is not in glassnet"):
        from keras.layers import ConvLSTM2D  # noqa: F401
    with pytest.raises(AttributeError, match=r"keras\.layers\.ConvLSTM2D is not in glassnet"):
        keras.layers.ConvLSTM2D
    import tensorflow as tf
    with pytest.raises(AttributeError, match=r"tf\.data is TensorFlow itself; glassnet runs Keras programs, not "
                                             r"TensorFlow graphs"):
        tf.data
    with pytest.raises(ImportError, match=r"tf\.data is TensorFlow itself"):
        import tensorflow.data  # noqa: F401
    with pytest.raises(AttributeError, match=r"tf\.nn\.conv2d is TensorFlow itself"):
        tf.nn.conv2d


def test_keras2_module_paths_warn_once_with_the_new_spelling(aliases):
    from glassnet import compat
    compat._warned.discard("keras.preprocessing.sequence")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from keras.preprocessing.sequence import pad_sequences
        from keras.preprocessing import sequence  # noqa: F401  (same old name: no second warning)
    assert pad_sequences is gn.preprocessing.pad_sequences
    messages = [str(w.message) for w in caught if issubclass(w.category, KerasNameWarning)]
    assert messages == ["keras.preprocessing.sequence is a Keras 2 spelling; Keras 3 (and glassnet) write "
                        "keras.utils.pad_sequences"]


def test_uninstall_removes_the_aliases(without_real_keras):
    importer.install()
    import keras  # noqa: F401
    importer.uninstall()
    assert "keras" not in sys.modules and not importer.installed()


# ---------------------------------------------------------------- glassnet run
def test_run_behaves_like_python(tmp_path):
    source = ("import sys\nimport keras\nprint(__name__, sys.argv[1:], keras.layers.Dense.__name__)\n"
              "if sys.argv[1] == 'fail':\n    def inner():\n        raise ValueError('boom')\n    inner()\n"
              "sys.exit(int(sys.argv[1]))\n")
    ok = _run_script(tmp_path, source, "0")
    assert ok.returncode == 0 and ok.stdout.strip() == "__main__ ['0'] Dense", ok.stderr
    assert _run_script(tmp_path, source, "3").returncode == 3
    failed = _run_script(tmp_path, source, "fail")
    assert failed.returncode == 1
    lines = failed.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert str(tmp_path / "prog.py") in lines[1] and "line 7" in lines[1]  # the user's frames, not glassnet's
    assert lines[-1] == "ValueError: boom"


def test_run_caps_epochs_and_runs_notebook_exports(tmp_path):
    source = ("# In[1]:\n\nget_ipython().run_line_magic('matplotlib', 'inline')\nimport numpy as np\n"
              "from tensorflow import keras\n\n# In[2]:\n\n"
              "model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\n"
              "model.compile(optimizer='sgd', loss='mse')\n"
              "h = model.fit(np.ones((8, 2)), np.ones(8), epochs=50, verbose=0)\n"
              "display(len(h.history['loss']))\n")
    out = _run_script(tmp_path, source, env={"GLASSNET_MAX_EPOCHS": "3"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "3"


def test_run_refuses_a_missing_file(tmp_path):
    out = subprocess.run([sys.executable, "-m", "glassnet", "run", str(tmp_path / "nope.py")], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "no such file" in out.stderr


# ---------------------------------------------------------------- tensorflow module
def test_tensorflow_thin_module():
    from glassnet.compat import tensorflow as tf
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert float(tf.reduce_mean(x)) == 2.5 and float(tf.reduce_sum(tf.square(x))) == 30.0
    assert tuple(tf.shape(x)) == (2, 2) and tf.cast(x, tf.int32).dtype == np.int32
    assert [d.device_type for d in tf.config.list_physical_devices()] == ["CPU"]
    assert tf.config.list_physical_devices("GPU") == []

    @tf.function
    def f(a):
        return a * 2

    @tf.function(jit_compile=True)
    def g(a):
        return a + 1

    assert f(2) == 4 and g(1) == 2
    assert tf.GradientTape is gn.GradientTape
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * w)
    np.testing.assert_allclose(tape.gradient(loss, w).data, [2.0, 4.0])
    tf.random.set_seed(3)
    a = gn.layers.Dense(2)(np.ones((1, 2), np.float32)).numpy()
    tf.random.set_seed(3)
    b = gn.layers.Dense(2)(np.ones((1, 2), np.float32)).numpy()
    np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- namespaces
def test_config_backend_and_random():
    from glassnet import config, random
    assert (config.floatx(), config.epsilon(), config.image_data_format()) == ("float32", 1e-7, "channels_last")
    with pytest.raises(ValueError, match="channels-last only"):
        config.set_image_data_format("channels_first")
    config.disable_traceback_filtering()
    config.enable_unsafe_deserialization()
    K = gn.backend
    assert K.int_shape(layers.Input((3,))) == (None, 3) and K.count_params(np.zeros((2, 3))) == 6
    v = K.variable(np.ones(3))
    K.set_value(v, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(K.get_value(v), [1.0, 2.0, 3.0])
    assert K.ones((2,)).shape == (2,) and K.zeros((1, 2)).dtype == np.float32
    gen = random.SeedGenerator(0)
    first, second = random.normal((3,), seed=gen).numpy(), random.normal((3,), seed=gen).numpy()
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(random.uniform((2,), seed=5).numpy(), random.uniform((2,), seed=5).numpy())
    assert sorted(random.shuffle(np.arange(5), seed=1).numpy()) == [0, 1, 2, 3, 4]
    ints = random.randint((100,), 0, 3, seed=0).numpy()
    assert ints.min() >= 0 and ints.max() <= 2
    dropped = random.dropout(np.ones((1000,), np.float32), 0.5, seed=0).numpy()
    assert set(np.unique(dropped)) == {0.0, 2.0}


def test_utils_set_random_seed_normalize_get_file_plot_model(tmp_path):
    gn.utils.set_random_seed(7)
    a = np.random.rand()
    gn.utils.set_random_seed(7)
    assert np.random.rand() == a
    np.testing.assert_allclose(gn.utils.normalize(np.array([[3.0, 4.0]])), [[0.6, 0.8]])
    source = tmp_path / "data.txt"
    source.write_bytes(b"hello")
    import hashlib
    digest = hashlib.sha256(b"hello").hexdigest()
    path = gn.utils.get_file("data.txt", origin=source.as_uri(), file_hash=digest, cache_dir=tmp_path / "cache")
    assert open(path, "rb").read() == b"hello"
    source.write_bytes(b"changed")  # cached and matching: not downloaded again
    assert gn.utils.get_file("data.txt", origin=source.as_uri(), file_hash=digest, cache_dir=tmp_path / "cache") == path
    with pytest.raises(ValueError, match="does not match"):
        gn.utils.get_file("other.txt", origin=source.as_uri(), file_hash=digest, cache_dir=tmp_path / "cache")
    inputs = layers.Input((4,))
    x = layers.Dense(3)(inputs)
    model = gn.Model(inputs, layers.Dense(1)(layers.Concatenate()([x, inputs])))
    png = gn.utils.plot_model(model, to_file=str(tmp_path / "m.png"), show_shapes=True)
    assert open(png, "rb").read(4) == b"\x89PNG"


def test_losses_and_metrics_functional_forms():
    y, p = np.array([[0.0, 1.0]]), np.array([[0.2, 0.8]], np.float32)
    np.testing.assert_allclose(gn.losses.mean_squared_error(y, gn.Tensor(p)).numpy(), [0.04], rtol=1e-6)
    np.testing.assert_allclose(gn.metrics.categorical_crossentropy(y, p), [-np.log(0.8)], rtol=1e-5)


# ---------------------------------------------------------------- objects and old names
def test_optimizer_lr_is_keras2_learning_rate():
    from glassnet import compat
    compat._warned.clear()
    with pytest.warns(KerasNameWarning, match="learning_rate="):
        opt = gn.optimizers.Adam(lr=0.05)
    assert opt.learning_rate == 0.05
    with pytest.warns(KerasNameWarning, match="optimizer.learning_rate"):
        assert opt.lr == 0.05
    opt.lr = 0.01
    gn.backend.set_value(opt.lr, 0.002)  # Keras 2's K.set_value(model.optimizer.lr, ...)
    assert opt.learning_rate == 0.002
    with pytest.raises(TypeError, match="both lr= and learning_rate="):
        gn.optimizers.SGD(lr=0.1, learning_rate=0.1)


def test_layer_and_model_attributes():
    inputs = layers.Input((4,))
    dense = layers.Dense(3)
    x = dense(inputs)
    x += layers.Dense(3)(inputs)          # symbolic arithmetic: an Add layer
    outputs = layers.Dense(1)(2.0 * x - 1.0)
    model = gn.Model(inputs, outputs)
    assert dense.input is inputs and dense.output.shape == (None, 3) and model.output is outputs
    assert "Add" in [type(lyr).__name__ for lyr in model.layers]
    assert len(dense.variables) == len(dense.weights) == len(dense.trainable_variables) == 2
    assert dense.non_trainable_weights == [] and dense.input_shape == (None, 4)
    seq = gn.Sequential([layers.Input((2,)), layers.Dense(2), layers.Dense(1)])
    assert seq.output.shape == (None, 1) and seq.input.shape == (None, 2)
    seq.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = seq.fit(np.ones((4, 2)), np.ones(4), epochs=1, verbose=0)
    assert seq.metrics_names == ["loss", "mae"] and history.params["epochs"] == 1
    features = layers.Dense(2)(np.ones((4, 3), np.float32))   # eager call on NumPy, result feeds fit
    seq.fit(features, np.ones(4), verbose=0)
    with pytest.raises(AttributeError, match="never been called on a symbolic tensor"):
        layers.Dense(2).output


def test_add_weight_keras_forms():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", trainable=True)
            self.b = self.add_weight((input_shape[-1],), "zeros")   # Keras 3: shape first

        def call(self, x):
            return x * self.w + self.b

    layer = Scale()
    np.testing.assert_array_equal(layer(np.full((1, 2), 3.0, np.float32)).numpy(), [[3.0, 3.0]])
    assert [w.name for w in layer.weights] == [f"{layer.name}/variable", f"{layer.name}/variable_1"]


def test_fit_generator_and_acc_warn_and_work():
    from glassnet import compat
    compat._warned.clear()
    model = gn.Sequential([layers.Input((2,)), layers.Dense(1, activation="sigmoid")])
    with pytest.warns(KerasNameWarning, match=r"metrics=\['accuracy'\]"):
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])

    def batches():
        while True:
            yield np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)

    with pytest.warns(KerasNameWarning, match="Model.fit"):
        history = model.fit_generator(batches(), steps_per_epoch=3, epochs=2, verbose=0)
    assert list(history.history) == ["loss", "acc"] and history.params["steps"] == 3
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit_generator(batches(), verbose=0)
