"""Convolutional denoising autoencoder (Keras blog / keras-io "Convolutional autoencoder for image denoising")."""
import numpy as np
from keras import layers
from keras.models import Model


def noise(array):
    """Adds random noise to each image in the supplied array."""
    noise_factor = 0.4
    noisy_array = array + noise_factor * np.random.normal(loc=0.0, scale=1.0, size=array.shape)
    return np.clip(noisy_array, 0.0, 1.0)


rng = np.random.default_rng(5)
train_data = np.zeros((96, 16, 16, 1), dtype="float32")
for img in train_data:  # a square at a random place
    r, c = rng.integers(0, 10, size=2)
    img[r:r + 6, c:c + 6] = 1.0
noisy_train_data = noise(train_data).astype("float32")

input = layers.Input(shape=(16, 16, 1))

# Encoder
x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(input)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(x)
x = layers.MaxPooling2D((2, 2), padding="same")(x)

# Decoder
x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

# Autoencoder
autoencoder = Model(input, x)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.summary()

history = autoencoder.fit(
    x=noisy_train_data,
    y=train_data,
    epochs=10,
    batch_size=32,
    shuffle=True,
    verbose=2,
)
predictions = autoencoder.predict(noisy_train_data[:4], verbose=0)
print("output shape:", predictions.shape)
print("final loss:", history.history["loss"][-1])
