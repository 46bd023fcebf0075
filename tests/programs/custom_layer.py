"""Making new layers via subclassing (keras-io guide): Linear with build(), a block of layers, get_config."""
import numpy as np
import keras
from keras import layers


class Linear(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


class MLPBlock(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(32)
        self.linear_2 = Linear(32)
        self.linear_3 = Linear(1)

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = keras.activations.relu(x)
        x = self.linear_2(x)
        x = keras.activations.relu(x)
        return self.linear_3(x)


x = np.ones((2, 2), dtype="float32")
linear_layer = Linear(4)
y = linear_layer(x)
print(y.shape)
assert linear_layer.weights == [linear_layer.w, linear_layer.b]
print("trainable_weights:", len(linear_layer.trainable_weights))

mlp = MLPBlock()
y = mlp(keras.ops.ones(shape=(3, 64)))  # The first call to the `mlp` will create the weights
print("weights:", len(mlp.weights))
print("trainable weights:", len(mlp.trainable_weights))

layer = Linear(64)
config = layer.get_config()
print(config["units"])
new_layer = Linear.from_config(config)

rng = np.random.default_rng(0)
features = rng.normal(size=(200, 5)).astype("float32")
targets = features.sum(axis=1, keepdims=True)
model = keras.Sequential([keras.Input((5,)), Linear(16), layers.Activation("relu"), Linear(1)])
model.compile(optimizer="adam", loss="mse")
history = model.fit(features, targets, epochs=5, verbose=0)
print("loss went from", history.history["loss"][0], "to", history.history["loss"][-1])
assert history.history["loss"][-1] < history.history["loss"][0]
print("custom layer training ok")
