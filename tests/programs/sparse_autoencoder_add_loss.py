"""Keras 3 add_loss from a custom layer: a sparse autoencoder with an activity penalty (keras-io guide style)."""
import numpy as np
import keras
from keras import layers, ops


class ActivityRegularizationLayer(layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(ops.abs(inputs)))
        return inputs


inputs = keras.Input(shape=(20,))
code = layers.Dense(6, activation="relu")(inputs)
code = ActivityRegularizationLayer()(code)
outputs = layers.Dense(20)(code)
model = keras.Model(inputs, outputs)
print("losses after a call:", len(model.losses) if model(np.ones((1, 20), "float32")) is not None else None)

model.compile(optimizer="adam", loss="mse")
x = np.random.default_rng(0).normal(size=(256, 20)).astype("float32")
history = model.fit(x, x, epochs=5, batch_size=32, verbose=0)
print("loss:", history.history["loss"][-1])
