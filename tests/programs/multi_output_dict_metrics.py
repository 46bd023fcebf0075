"""Keras 3 functional model with named dict inputs and dict outputs, per-output losses,
loss_weights and metrics (keras.io "multi-input multi-output" style, housing-price flavour)."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
n = 256
numeric = rng.normal(size=(n, 5)).astype("float32")
rooms = rng.integers(1, 6, size=(n, 1)).astype("float32")
price = (numeric @ np.array([1.0, -0.5, 0.3, 0.0, 0.8]) + 0.5 * rooms[:, 0]).reshape(-1, 1).astype("float32")
segment = (price[:, 0] > np.median(price)).astype("int64")

numeric_in = keras.Input(shape=(5,), name="numeric")
rooms_in = keras.Input(shape=(1,), name="rooms")
x = layers.Concatenate()([numeric_in, layers.Rescaling(1 / 5.0)(rooms_in)])
x = layers.Dense(32, activation="relu")(x)
x = layers.Dense(16, activation="relu")(x)
price_out = layers.Dense(1, name="price_head")(x)
segment_out = layers.Dense(2, activation="softmax", name="segment_head")(x)

model = keras.Model(inputs={"numeric": numeric_in, "rooms": rooms_in},
                    outputs={"price": price_out, "segment": segment_out})
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.01),
    loss={"price": "mse", "segment": "sparse_categorical_crossentropy"},
    loss_weights={"price": 1.0, "segment": 0.5},
    metrics={"price": ["mae"], "segment": ["accuracy"]},
)
history = model.fit({"numeric": numeric, "rooms": rooms}, {"price": price, "segment": segment},
                    validation_split=0.2, epochs=20, batch_size=32, verbose=0)
print("history keys:", sorted(history.history))
print("first/last loss: %.3f %.3f" % (history.history["loss"][0], history.history["loss"][-1]))
results = model.evaluate({"numeric": numeric, "rooms": rooms}, {"price": price, "segment": segment},
                         verbose=0, return_dict=True)
print("segment accuracy: %.3f" % results["segment_accuracy"])
pred = model.predict({"numeric": numeric[:4], "rooms": rooms[:4]}, verbose=0)
print("predict keys:", sorted(pred), "price shape:", pred["price"].shape, "segment shape:", pred["segment"].shape)
