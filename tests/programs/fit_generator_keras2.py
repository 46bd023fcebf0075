"""Keras 2's fit_generator with a Python generator and a keras.utils.Sequence."""
import numpy as np
import keras  # noqa: F401
from keras.models import Sequential
from keras.layers import Dense
from keras.utils import Sequence

rng = np.random.RandomState(0)
x_all = rng.rand(320, 6).astype("float32")
y_all = (x_all[:, 0] + x_all[:, 1] > 1).astype("float32")


def batch_generator(batch_size=32):
    while True:
        idx = rng.randint(0, len(x_all), size=batch_size)
        yield x_all[idx], y_all[idx]


class ValSequence(Sequence):
    def __init__(self, x, y, batch_size):
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return int(np.ceil(len(self.x) / float(self.batch_size)))

    def __getitem__(self, idx):
        s = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        return self.x[s], self.y[s]


model = Sequential([Dense(16, activation="relu", input_shape=(6,)), Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit_generator(batch_generator(), steps_per_epoch=10, epochs=5,
                              validation_data=ValSequence(x_all[:64], y_all[:64], 32), verbose=2)
loss, acc = model.evaluate_generator(ValSequence(x_all, y_all, 64))
preds = model.predict_generator(ValSequence(x_all, y_all, 64))
print("predictions:", preds.shape)
print("generator accuracy:", acc)
