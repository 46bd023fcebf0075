"""Keras 3 saving: model.save("model.keras") and keras.models.load_model (keras-io "Save, serialize, and export")."""
import os
import tempfile

import numpy as np
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.rand(32, 4), np.random.rand(32, 2), verbose=0)
path = os.path.join(tempfile.mkdtemp(), "model.keras")
model.save(path)
restored = keras.models.load_model(path)
x = np.random.rand(3, 4)
np.testing.assert_allclose(model.predict(x, verbose=0), restored.predict(x, verbose=0), rtol=1e-6)
print("reloaded predictions match: True")
