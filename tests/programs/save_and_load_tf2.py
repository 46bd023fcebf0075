"""Save and load models, tf.keras 2 style (SavedModel-style paths without an extension)."""
import os
import tempfile

import numpy as np
import tensorflow as tf  # noqa: F401
from tensorflow import keras


def get_model():
    # Create a simple model.
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mean_squared_error")
    return model


model = get_model()

# Train the model.
test_input = np.random.random((128, 32))
test_target = np.random.random((128, 1))
model.fit(test_input, test_target, verbose=0)

folder = tempfile.mkdtemp()
# Calling `save('my_model')` creates a SavedModel folder `my_model` (here: glassnet's file).
model.save(os.path.join(folder, "my_model"))

# It can be used to reconstruct the model identically.
reconstructed_model = keras.models.load_model(os.path.join(folder, "my_model"))

# Let's check:
np.testing.assert_allclose(model.predict(test_input, verbose=0), reconstructed_model.predict(test_input, verbose=0))
print("reloaded predictions match: True")

# The reconstructed model is already compiled and has retained the optimizer
# state, so training can resume:
reconstructed_model.fit(test_input, test_target, verbose=0)

# Weights only
model.save_weights(os.path.join(folder, "weights.npz"))
fresh = get_model()
fresh.load_weights(os.path.join(folder, "weights.npz"))
same = np.allclose(fresh.predict(test_input[:4], verbose=0), model.predict(test_input[:4], verbose=0))
print("weights round trip:", same)
assert same

# Architecture only
config = model.get_config()
clone = keras.Model.from_config(config)
json_string = model.to_json()
from_json = keras.models.model_from_json(json_string)
print("clone layers:", len(clone.layers), len(from_json.layers))
print("weights:", [w.shape for w in model.get_weights()])
