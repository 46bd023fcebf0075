"""Learning-rate callbacks, Keras 2 style: K.get_value/K.set_value on optimizer.lr, ReduceLROnPlateau."""
import numpy as np
from keras import backend as K
from keras.callbacks import Callback, LearningRateScheduler, ReduceLROnPlateau
from keras.layers import Dense
from keras.models import Sequential
from keras.optimizers import SGD
from keras.utils import set_random_seed


def step_decay(epoch):
    initial_lrate = 0.1
    drop = 0.5
    return initial_lrate * drop ** (epoch // 2)


class PrintLR(Callback):
    def on_epoch_end(self, epoch, logs=None):
        print("epoch", epoch, "lr", round(float(K.get_value(self.model.optimizer.lr)), 5))


class HalveAtStart(Callback):
    def on_train_begin(self, logs=None):
        K.set_value(self.model.optimizer.lr, 0.05)


set_random_seed(0)  # the plateau callback below must see the same losses on every run
x = np.random.rand(200, 3)
y = x @ np.array([[1.0], [-2.0], [0.5]])

model = Sequential([Dense(8, activation="tanh", input_dim=3), Dense(1)])
model.compile(loss="mse", optimizer=SGD(lr=0.1, momentum=0.9))
model.fit(x, y, epochs=4, verbose=0, callbacks=[LearningRateScheduler(step_decay), PrintLR()])
model.optimizer.learning_rate = 0.02
print("assigned learning_rate:", float(model.optimizer.learning_rate))
model.fit(x, y, epochs=3, verbose=0, callbacks=[HalveAtStart(), ReduceLROnPlateau(monitor="loss", patience=1)])
print("final lr:", float(K.get_value(model.optimizer.lr)))
print("final loss:", model.evaluate(x, y, verbose=0))
