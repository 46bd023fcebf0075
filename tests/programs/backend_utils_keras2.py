"""Keras 2 backend and utils calls around a model: K.*, count_params, plot_model, layer attributes."""
import os
import tempfile

import numpy as np
import keras  # noqa: F401  (as the examples import it)
from keras import backend as K
from keras.layers import Input, Dense, Concatenate
from keras.models import Model
from keras.utils import plot_model, to_categorical, normalize

K.clear_session()
print("floatx:", K.floatx(), "epsilon:", K.epsilon(), "format:", K.image_data_format())

a = Input(shape=(4,), name="a")
b = Input(shape=(3,), name="b")
h = Dense(8, activation="relu", name="hidden")(Concatenate()([a, b]))
out = Dense(2, activation="softmax", name="out")(h)
model = Model(inputs=[a, b], outputs=out)

hidden = model.get_layer("hidden")
print("hidden input_shape:", hidden.input_shape, "output_shape:", hidden.output_shape)
print("hidden.input shape:", K.int_shape(hidden.input), "hidden.output shape:", K.int_shape(hidden.output))
print("kernel params:", K.count_params(hidden.kernel), "model params:", model.count_params())
kernel = K.get_value(hidden.kernel)
K.set_value(hidden.kernel, np.zeros_like(kernel))
assert np.all(K.get_value(hidden.kernel) == 0)
K.set_value(hidden.kernel, kernel)

xa = normalize(np.random.rand(64, 4))
xb = np.random.rand(64, 3)
y = to_categorical((xa[:, 0] > xb[:, 0]).astype(int), 2)
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit([xa, xb], y, epochs=3, verbose=0)
print("metrics_names:", model.metrics_names)

path = os.path.join(tempfile.mkdtemp(), "model.png")
plot_model(model, to_file=path, show_shapes=True)
with open(path, "rb") as f:
    print("plot_model wrote a PNG:", f.read(8) == b"\x89PNG\r\n\x1a\n")
print("accuracy:", model.evaluate([xa, xb], y, verbose=0)[1])
