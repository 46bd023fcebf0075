"""Bidirectional LSTM on made-up token sequences (keras-io "Bidirectional LSTM on IMDB" style)."""
import numpy as np
import keras
from keras import layers

max_features = 50  # Only consider the top 50 words
maxlen = 16  # Only consider the first 16 words of each sequence

rng = np.random.default_rng(7)
x_train = rng.integers(1, max_features, size=(200, maxlen))
y_train = (x_train[:, 0] > max_features // 2).astype("float32")  # the first word decides
x_val, y_val = x_train[160:], y_train[160:]
x_train, y_train = x_train[:160], y_train[:160]

# Input for variable-length sequences of integers
inputs = keras.Input(shape=(None,), dtype="int32")
# Embed each integer in a 8-dimensional vector
x = layers.Embedding(max_features, 8)(inputs)
# Add 2 bidirectional LSTMs
x = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(8))(x)
# Add a classifier
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()

model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=32, epochs=2, validation_data=(x_val, y_val), verbose=2)
print("val_accuracy:", history.history["val_accuracy"][-1])
