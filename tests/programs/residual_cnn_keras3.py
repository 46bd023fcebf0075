"""A small ResNet-style model (keras-io "Image classification from scratch" style): x += residual."""
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
print("image data format:", keras.config.image_data_format(), "floatx:", keras.config.floatx())


def make_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(8, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x  # Set aside residual

    for size in [8, 16]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        # Project residual
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    shortcut = x
    x = layers.Conv2D(16, 3, padding="same")(x)
    x += shortcut  # symbolic tensor arithmetic

    x = layers.GlobalAveragePooling2D()(x)
    units = 1 if num_classes == 2 else num_classes
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(units, activation=None)(x)
    return keras.Model(inputs, outputs)


rng = np.random.default_rng(0)
images = rng.integers(0, 120, size=(96, 16, 16, 3)).astype("float32")
labels = rng.integers(0, 2, size=96)
images[labels == 1, 4:12, 4:12, 0] = 255.0  # a red square marks class 1

model = make_model(input_shape=(16, 16, 3), num_classes=2)
model.summary()
model.compile(
    optimizer=keras.optimizers.Adam(3e-3),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy(name="acc")],
)
history = model.fit(images, labels, epochs=4, batch_size=16, validation_split=0.25, verbose=2)
print("layer count:", len(model.layers), "params:", model.count_params())
print("val_acc:", history.history["val_acc"][-1])
