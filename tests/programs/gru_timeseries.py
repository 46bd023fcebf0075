"""Forecast a noisy sine wave with a GRU (the "time series forecasting" notebooks' style)."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.random.set_seed(0)
np.random.seed(0)

t = np.arange(0, 600) * 0.1
series = np.sin(t) + 0.1 * np.random.randn(len(t))
window = 20
X = np.stack([series[i:i + window] for i in range(len(series) - window)])[..., np.newaxis]
y = series[window:]
split = 450
X_train, y_train, X_valid, y_valid = X[:split], y[:split], X[split:], y[split:]

naive = np.mean(keras.losses.mean_squared_error(y_valid, X_valid[:, -1, 0]))
print("naive forecast MSE:", float(naive))

model = keras.models.Sequential([
    layers.GRU(16, return_sequences=True, input_shape=[None, 1]),
    layers.GRU(16),
    layers.Dense(1),
])
model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=0.01), metrics=["mae"])
history = model.fit(X_train, y_train, epochs=10, validation_data=(X_valid, y_valid), verbose=2)
mse, mae = model.evaluate(X_valid, y_valid, verbose=0)
print("GRU validation MSE:", mse)
print("val_mae per epoch:", [round(v, 3) for v in history.history["val_mae"]])
