"""Keras 3 input pipeline as a keras.utils.PyDataset subclass (keras.io "Training & evaluation
with the built-in methods"), an optimizer with weight_decay and exclude_from_weight_decay."""
import math

import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(7)


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, shuffle=True, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size, self.shuffle = x, y, batch_size, shuffle
        self.order = np.arange(len(x))
        self.epochs_seen = 0

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        index = self.order[idx * self.batch_size:(idx + 1) * self.batch_size]
        return self.x[index], self.y[index]

    def on_epoch_end(self):
        self.epochs_seen += 1
        if self.shuffle:
            np.random.shuffle(self.order)


rng = np.random.default_rng(1)
x = rng.normal(size=(600, 10)).astype("float32")
y = (x[:, :3].sum(axis=1) > 0).astype("int64") + (x[:, 3] > 1).astype("int64")

train = Batches(x[:480], y[:480], batch_size=32)
val = Batches(x[480:], y[480:], batch_size=60, shuffle=False)

model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(32, activation="relu"),
                          layers.Dense(3, activation="softmax")])
optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, weight_decay=1e-3)
optimizer.exclude_from_weight_decay(var_names=["bias"])
model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
history = model.fit(train, validation_data=val, epochs=8, verbose=2)
print("epochs seen by the dataset:", train.epochs_seen)
print("val accuracy: %.3f" % history.history["val_sparse_categorical_accuracy"][-1])
print("evaluate on the PyDataset: %.3f" % model.evaluate(val, verbose=0)[1])
print("optimizer weight_decay:", model.optimizer.weight_decay)
