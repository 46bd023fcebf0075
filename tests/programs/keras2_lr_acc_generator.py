"""Keras 2 script: Adam(lr=...), metrics=['acc'], a Python generator for fit with
steps_per_epoch and validation_steps, history.history['acc'] and ['val_acc'] (Keras 2 book style)."""
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Dropout
from keras.optimizers import Adam

np.random.seed(3)
x_train = np.random.random((1000, 20))
y_train = (x_train[:, :10].sum(axis=1) > 5).astype("float32")
x_val = np.random.random((200, 20))
y_val = (x_val[:, :10].sum(axis=1) > 5).astype("float32")


def generator(x, y, batch_size):
    while True:
        idx = np.random.randint(0, len(x), batch_size)
        yield x[idx], y[idx]


model = Sequential()
model.add(Dense(64, input_dim=20, activation='relu'))
model.add(Dropout(0.2))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer=Adam(lr=0.005), metrics=['acc'])
history = model.fit(generator(x_train, y_train, 50), steps_per_epoch=20, epochs=10,
                    validation_data=generator(x_val, y_val, 50), validation_steps=4, verbose=2)
acc = history.history['acc']
val_acc = history.history['val_acc']
print('epochs:', len(acc))
print('final acc: %.3f val_acc: %.3f' % (acc[-1], val_acc[-1]))
