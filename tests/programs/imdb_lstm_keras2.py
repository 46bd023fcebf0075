'''Trains an LSTM on an IMDB-like sentiment task (Keras 2 examples/imdb_lstm.py style).

Reviews are made up: words 2-50 are neutral, 51-60 positive, 61-70 negative.
'''
from __future__ import print_function
import numpy as np
from keras.preprocessing import sequence
from keras.models import Sequential
from keras.layers import Dense, Embedding
from keras.layers import LSTM

max_features = 80
maxlen = 20  # cut texts after this number of words
batch_size = 32

rng = np.random.RandomState(3)


def load_data(n):
    x, y = [], []
    for _ in range(n):
        label = rng.randint(2)
        length = rng.randint(5, 30)
        words = list(rng.randint(2, 51, size=length))
        for _ in range(3):
            words.insert(rng.randint(len(words)), rng.randint(51, 61) if label else rng.randint(61, 71))
        x.append(words)
        y.append(label)
    return x, np.array(y)


print('Loading data...')
(x_train, y_train), (x_test, y_test) = load_data(300), load_data(100)
print(len(x_train), 'train sequences')
print(len(x_test), 'test sequences')

print('Pad sequences (samples x time)')
x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
print('x_train shape:', x_train.shape)
print('x_test shape:', x_test.shape)

print('Build model...')
model = Sequential()
model.add(Embedding(max_features, 16))
model.add(LSTM(16, dropout=0.2, recurrent_dropout=0.2))
model.add(Dense(1, activation='sigmoid'))

# try using different optimizers and different optimizer configs
model.compile(loss='binary_crossentropy',
              optimizer='adam',
              metrics=['accuracy'])

print('Train...')
model.fit(x_train, y_train,
          batch_size=batch_size,
          epochs=15,
          validation_data=(x_test, y_test), verbose=2)
score, acc = model.evaluate(x_test, y_test,
                            batch_size=batch_size, verbose=0)
print('Test score:', score)
print('Test accuracy:', acc)
