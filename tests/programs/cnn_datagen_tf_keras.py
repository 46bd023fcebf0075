"""tf.keras 2 CNN trained on ImageDataGenerator batches with a validation subset and
featurewise standardisation (the "small datasets" recipe of the Keras blog and Géron, ch. 14)."""
import numpy as np
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator
from tensorflow.keras import layers, models

tf.random.set_seed(42)
np.random.seed(42)

# two classes of 20x20 RGB images: a bright square on the left or on the right
n = 160
x = np.random.rand(n, 20, 20, 3).astype("float32") * 60.0
y = np.random.randint(0, 2, size=n)
for i in range(n):
    col = 2 if y[i] == 0 else 12
    x[i, 6:14, col:col + 6, :] += 180.0
order = np.random.permutation(n)
x, y = x[order], y[order]

datagen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                             rotation_range=10, height_shift_range=0.05, zoom_range=0.1,
                             fill_mode="nearest", validation_split=0.25)
datagen.fit(x)
print("channel means:", np.round(datagen.mean.ravel(), 1))

train_gen = datagen.flow(x, y, batch_size=16, subset="training", seed=1)
val_gen = datagen.flow(x, y, batch_size=16, subset="validation", shuffle=False)
print("train batches:", len(train_gen), "validation batches:", len(val_gen))

model = models.Sequential([
    layers.Conv2D(8, 3, activation="relu", input_shape=(20, 20, 3)),
    layers.MaxPooling2D(),
    layers.Conv2D(16, 3, activation="relu"),
    layers.GlobalAveragePooling2D(),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=3e-3), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(train_gen, epochs=15, validation_data=val_gen, verbose=2)
print("history keys:", sorted(history.history))
loss, acc = model.evaluate(val_gen, verbose=0)
print("validation accuracy: %.3f" % acc)
probs = model.predict(datagen.flow(x[:8], batch_size=4, shuffle=False), verbose=0)
print("predictions:", probs.shape)
