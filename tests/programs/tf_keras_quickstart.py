"""TensorFlow 2 quickstart for beginners, on made-up data (tf.keras style)."""
import numpy as np
import tensorflow as tf

print("TensorFlow version:", tf.__version__)
print("Num GPUs Available: ", len(tf.config.list_physical_devices('GPU')))
tf.random.set_seed(42)

rng = np.random.default_rng(0)
x_train = rng.random((500, 8, 8)).astype("float32")
y_train = (x_train[:, :4].mean(axis=(1, 2)) > x_train[:, 4:].mean(axis=(1, 2))).astype("int64")
x_test, y_test = x_train[400:], y_train[400:]
x_train, y_train = x_train[:400], y_train[:400]

model = tf.keras.models.Sequential([
  tf.keras.layers.Flatten(input_shape=(8, 8)),
  tf.keras.layers.Dense(64, activation='relu'),
  tf.keras.layers.Dropout(0.2),
  tf.keras.layers.Dense(2)
])

predictions = model(x_train[:1]).numpy()
print(predictions)
print(tf.nn.softmax(predictions).numpy())

loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
print("initial loss:", loss_fn(y_train[:1], predictions).numpy())

model.compile(optimizer='adam',
              loss=loss_fn,
              metrics=['accuracy'])
model.fit(x_train, y_train, epochs=5, verbose=2)
loss, acc = model.evaluate(x_test,  y_test, verbose=2)

probability_model = tf.keras.Sequential([
  model,
  tf.keras.layers.Softmax()
])
probs = probability_model(x_test[:5])
print(probs.shape)
assert np.allclose(probs.numpy().sum(axis=1), 1.0, atol=1e-5)
print("Test accuracy:", acc)
