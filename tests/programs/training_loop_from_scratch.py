"""Writing a training loop from scratch (tf.keras 2 guide): GradientTape, apply_gradients, metrics."""
import os

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(20,), name="digits")
x1 = layers.Dense(32, activation="relu")(inputs)
x2 = layers.Dense(32, activation="relu")(x1)
outputs = layers.Dense(5, name="predictions")(x2)
model = keras.Model(inputs=inputs, outputs=outputs)

optimizer = keras.optimizers.SGD(learning_rate=1e-2)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
train_acc_metric = keras.metrics.SparseCategoricalAccuracy()

rng = np.random.default_rng(0)
x_train = rng.normal(size=(512, 20)).astype("float32")
y_train = np.argmax(x_train[:, :5], axis=1)
batch_size = 64

epochs = min(3, int(os.environ.get("GLASSNET_MAX_EPOCHS", 3)))


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss_value = loss_fn(y, logits)
    grads = tape.gradient(loss_value, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    train_acc_metric.update_state(y, logits)
    return loss_value


for epoch in range(epochs):
    print("\nStart of epoch %d" % (epoch,))
    for step in range(len(x_train) // batch_size):
        x_batch_train = x_train[step * batch_size:(step + 1) * batch_size]
        y_batch_train = y_train[step * batch_size:(step + 1) * batch_size]
        loss_value = train_step(x_batch_train, y_batch_train)
        if step % 4 == 0:
            print("Training loss (for one batch) at step %d: %.4f" % (step, float(loss_value)))
    train_acc = train_acc_metric.result()
    print("Training acc over epoch: %.4f" % (float(train_acc),))
    train_acc_metric.reset_state()
