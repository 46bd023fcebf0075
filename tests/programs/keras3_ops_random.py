"""Keras 3 backend-agnostic code: keras.ops, keras.random, keras.config, a custom layer with a SeedGenerator."""
import numpy as np
import keras
from keras import layers, ops


class NoisyDense(layers.Layer):
    def __init__(self, units, stddev=0.1, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.stddev = stddev
        self.seed_generator = keras.random.SeedGenerator(1337)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs, training=False):
        x = ops.matmul(inputs, self.kernel) + self.bias
        if training:
            x = x + keras.random.normal(ops.shape(x), stddev=self.stddev, seed=self.seed_generator)
        return ops.relu(x)


print("backend:", keras.config.backend(), "epsilon:", keras.config.epsilon())
x = keras.random.uniform((256, 8), seed=0)
y = ops.sum(ops.square(x), axis=-1, keepdims=True)

model = keras.Sequential([keras.Input((8,)), NoisyDense(32), layers.Dense(1)])
model.compile(optimizer="adam", loss="mse", metrics=[keras.metrics.MeanAbsoluteError()])
history = model.fit(np.asarray(x), np.asarray(y), epochs=10, batch_size=32, verbose=0)
layer = model.layers[0]
print("variables:", len(layer.variables), "trainable:", len(layer.trainable_variables),
      "non-trainable:", len(layer.non_trainable_weights))
print("mean absolute error:", history.history["mean_absolute_error"][-1])
