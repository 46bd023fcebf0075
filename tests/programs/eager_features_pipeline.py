"""Eager layer calls on NumPy arrays whose results feed fit (feature extraction, then a classifier)."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
raw = rng.normal(size=(200, 10)).astype("float32")
labels = (raw[:, :3].sum(axis=1) > 0).astype("int64")

normalizer = layers.Normalization()
normalizer.adapt(raw)
features = normalizer(raw)          # an eager call on a NumPy array
projection = layers.Dense(6, activation="tanh")
features = projection(features)     # another eager call
print("features:", tuple(features.shape))

classifier = keras.Sequential([layers.Input(shape=(6,)), layers.Dense(8, activation="relu"),
                               layers.Dense(2, activation="softmax")])
classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = classifier.fit(features, labels, epochs=5, verbose=0)
print("weights of first layer:", [tuple(w.shape) for w in classifier.layers[0].weights])
print("accuracy:", history.history["accuracy"][-1])
