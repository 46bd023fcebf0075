"""The Keras blog's "Building Autoencoders in Keras": a single fully-connected autoencoder."""
import numpy as np
import keras
from keras import layers

# This is the size of our encoded representations
encoding_dim = 8

# This is our input image
input_img = keras.Input(shape=(64,))
# "encoded" is the encoded representation of the input
encoded = layers.Dense(encoding_dim, activation='relu')(input_img)
# "decoded" is the lossy reconstruction of the input
decoded = layers.Dense(64, activation='sigmoid')(encoded)

# This model maps an input to its reconstruction
autoencoder = keras.Model(input_img, decoded)
# This model maps an input to its encoded representation
encoder = keras.Model(input_img, encoded)
# This is our encoded (8-dimensional) input
encoded_input = keras.Input(shape=(encoding_dim,))
# Retrieve the last layer of the autoencoder model
decoder_layer = autoencoder.layers[-1]
# Create the decoder model
decoder = keras.Model(encoded_input, decoder_layer(encoded_input))

autoencoder.compile(optimizer='adam', loss='binary_crossentropy')

rng = np.random.default_rng(0)
basis = rng.random((4, 64))
codes = rng.random((400, 4))
x_train = np.clip(codes @ basis / 2, 0, 1).astype('float32')
x_test = x_train[300:]
x_train = x_train[:300]

autoencoder.fit(x_train, x_train,
                epochs=50,
                batch_size=32,
                shuffle=True,
                validation_data=(x_test, x_test), verbose=0)

# Encode and decode some digits
encoded_imgs = encoder.predict(x_test, verbose=0)
decoded_imgs = decoder.predict(encoded_imgs, verbose=0)
print("encoded", encoded_imgs.shape, "decoded", decoded_imgs.shape)
assert np.allclose(decoded_imgs, autoencoder.predict(x_test, verbose=0), atol=1e-5)
print("reconstruction mse:", float(np.mean((decoded_imgs - x_test) ** 2)))
