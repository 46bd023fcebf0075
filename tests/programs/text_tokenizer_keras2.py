"""Keras 2 text preprocessing (book chapter style): Tokenizer, pad_sequences, Embedding, metrics=['acc']."""
import numpy as np
from keras.preprocessing.text import Tokenizer
from keras.preprocessing.sequence import pad_sequences
from keras.models import Sequential
from keras.layers import Embedding, GlobalAveragePooling1D, Dense

good = ["great movie", "loved it", "what a great film", "wonderful acting", "loved the story",
        "a wonderful film", "great fun", "really loved this movie"]
bad = ["terrible movie", "hated it", "what a boring film", "awful acting", "hated the story",
       "a terrible film", "boring", "really awful movie"]
texts = good + bad
labels = np.array([1] * len(good) + [0] * len(bad))

tokenizer = Tokenizer(num_words=100)
tokenizer.fit_on_texts(texts)
sequences = tokenizer.texts_to_sequences(texts)
word_index = tokenizer.word_index
print('Found %s unique tokens.' % len(word_index))
data = pad_sequences(sequences, maxlen=6)
print('Shape of data tensor:', data.shape)

model = Sequential()
model.add(Embedding(100, 8, input_length=6))
model.add(GlobalAveragePooling1D())
model.add(Dense(1, activation='sigmoid'))
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['acc'])
history = model.fit(np.tile(data, (8, 1)), np.tile(labels, 8), epochs=10, batch_size=16, verbose=0)
acc = history.history['acc']
print('training acc per epoch:', [round(a, 2) for a in acc])
print('final acc:', acc[-1])
