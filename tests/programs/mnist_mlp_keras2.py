'''Trains a simple deep NN on MNIST-like digits (Keras 2 examples/mnist_mlp.py style).

Synthetic 28x28 "digits": each class is a noisy bar at its own position.
'''
from __future__ import print_function

import numpy as np
import keras
from keras.models import Sequential
from keras.layers import Dense, Dropout
from keras.optimizers import RMSprop

batch_size = 32
num_classes = 10
epochs = 20

rng = np.random.RandomState(0)


def make_digits(n):
    y = rng.randint(0, num_classes, size=n)
    x = rng.rand(n, 28, 28) * 0.3
    for i, label in enumerate(y):
        x[i, 2 + 2 * label:4 + 2 * label, 4:24] += 0.7
    return (x * 255).astype('uint8'), y


(x_train, y_train), (x_test, y_test) = make_digits(300), make_digits(100)

x_train = x_train.reshape(300, 784)
x_test = x_test.reshape(100, 784)
x_train = x_train.astype('float32')
x_test = x_test.astype('float32')
x_train /= 255
x_test /= 255
print(x_train.shape[0], 'train samples')
print(x_test.shape[0], 'test samples')

# convert class vectors to binary class matrices
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = Sequential()
model.add(Dense(64, activation='relu', input_shape=(784,)))
model.add(Dropout(0.2))
model.add(Dense(64, activation='relu'))
model.add(Dropout(0.2))
model.add(Dense(num_classes, activation='softmax'))

model.summary()

model.compile(loss='categorical_crossentropy',
              optimizer=RMSprop(lr=0.001),
              metrics=['accuracy'])

history = model.fit(x_train, y_train,
                    batch_size=batch_size,
                    epochs=epochs,
                    verbose=1,
                    validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print('Test loss:', score[0])
print('Test accuracy:', score[1])
