"""Callbacks: EarlyStopping, ModelCheckpoint, CSVLogger, a custom Callback (tf.keras guide style)."""
import os
import tempfile

import numpy as np
import tensorflow as tf  # noqa: F401
from tensorflow import keras


class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.losses = []

    def on_batch_end(self, batch, logs=None):
        self.losses.append(logs.get("loss"))

    def on_epoch_end(self, epoch, logs=None):
        print("epoch {} ended, loss {:.4f}, lr {}".format(epoch, logs["loss"],
                                                         float(self.model.optimizer.learning_rate)))


rng = np.random.default_rng(0)
x = rng.normal(size=(256, 10)).astype("float32")
y = (x @ rng.normal(size=(10,)) > 0).astype("float32")

model = keras.Sequential([
    keras.layers.Dense(16, activation="relu", input_shape=(10,)),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy",
              metrics=["accuracy"])

workdir = tempfile.mkdtemp()
checkpoint_path = os.path.join(workdir, "best_model")
history_cb = LossHistory()
callbacks = [
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
    keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss", save_best_only=True),
    keras.callbacks.CSVLogger(os.path.join(workdir, "training.log")),
    history_cb,
]
history = model.fit(x, y, epochs=30, batch_size=32, validation_split=0.2, callbacks=callbacks, verbose=0)
print("epochs run:", len(history.history["loss"]), "batches seen:", len(history_cb.losses))
print("history.params:", history.params)
print("csv lines:", len(open(os.path.join(workdir, "training.log")).read().splitlines()))
best = keras.models.load_model(checkpoint_path)
print("checkpoint val accuracy:", best.evaluate(x[-51:], y[-51:], verbose=0)[1])
