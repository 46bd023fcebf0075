"""Compare optimizers on one small regression (a Keras 2 era notebook pattern): string names and lr=."""
import numpy as np
from keras.models import Sequential
from keras.layers import Dense
from keras import optimizers

rng = np.random.RandomState(0)
x = rng.uniform(-1, 1, size=(256, 4))
y = np.sin(x.sum(axis=1, keepdims=True))

candidates = {
    "sgd": optimizers.SGD(lr=0.05, momentum=0.9),
    "rmsprop": "rmsprop",
    "adagrad": optimizers.Adagrad(lr=0.1),
    "adadelta": optimizers.Adadelta(lr=1.0),
    "adam": "adam",
    "adamax": optimizers.Adamax(lr=0.01),
    "nadam": optimizers.Nadam(lr=0.01),
}
results = {}
for name, optimizer in candidates.items():
    np.random.seed(0)
    model = Sequential([Dense(16, activation="tanh", input_shape=(4,)), Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    results[name] = history.history["loss"][-1]
    print("%-8s final loss %.4f" % (name, results[name]))
print("best optimizer:", min(results, key=results.get))
