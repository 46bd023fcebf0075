"""Keras 2 image augmentation with ImageDataGenerator.flow and fit_generator (Deep Learning with Python, ch. 5)."""
import numpy as np
from keras.preprocessing.image import ImageDataGenerator
from keras import layers, models

x_train = np.random.rand(64, 16, 16, 3).astype("float32")
y_train = np.random.randint(0, 2, size=64)

datagen = ImageDataGenerator(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2,
                             shear_range=0.2, zoom_range=0.2, horizontal_flip=True, fill_mode='nearest')

model = models.Sequential()
model.add(layers.Conv2D(8, (3, 3), activation='relu', input_shape=(16, 16, 3)))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Flatten())
model.add(layers.Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['acc'])
history = model.fit_generator(datagen.flow(x_train, y_train, batch_size=16), steps_per_epoch=4, epochs=3)
print("acc:", history.history["acc"][-1])
