"""Next-character prediction with a SimpleRNN (book notebook style: "hihello")."""
import numpy as np
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import SimpleRNN, Dense, TimeDistributed
from tensorflow.keras.utils import to_categorical

text = "hihello"
chars = sorted(set(text))
char_to_index = {c: i for i, c in enumerate(chars)}
x_data = [[char_to_index[c] for c in text[:-1]]]
y_data = [[char_to_index[c] for c in text[1:]]]
x_one_hot = to_categorical(x_data, num_classes=len(chars))
y_one_hot = to_categorical(y_data, num_classes=len(chars))

model = Sequential()
model.add(SimpleRNN(units=16, input_shape=(len(text) - 1, len(chars)), return_sequences=True))
model.add(TimeDistributed(Dense(len(chars), activation="softmax")))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()
model.fit(x_one_hot, y_one_hot, epochs=100, verbose=0)

predictions = model.predict(x_one_hot, verbose=0)
result = "".join(chars[i] for i in np.argmax(predictions[0], axis=1))
print("predicted:", result)
loss, acc = model.evaluate(x_one_hot, y_one_hot, verbose=0)
print("accuracy:", acc)
