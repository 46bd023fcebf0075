"""A subclassed Model (Keras 3 "The Sequential model / subclassing" style), with keras.ops."""
import numpy as np
import keras
from keras import layers, ops


class MyModel(keras.Model):
    def __init__(self, num_classes=3):
        super().__init__()
        self.dense1 = layers.Dense(32, activation="relu")
        self.dropout = layers.Dropout(0.3)
        self.dense2 = layers.Dense(num_classes)

    def call(self, inputs, training=False):
        x = self.dense1(inputs)
        x = self.dropout(x, training=training)
        return self.dense2(x)


keras.utils.set_random_seed(1)
rng = np.random.default_rng(1)
centers = rng.normal(scale=3, size=(3, 4))
labels = rng.integers(0, 3, size=300)
data = (centers[labels] + rng.normal(size=(300, 4))).astype("float32")

model = MyModel()
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=[keras.metrics.SparseCategoricalAccuracy()])
model.fit(data, labels, batch_size=32, epochs=5, verbose=2)
logits = model.predict(data[:10], verbose=0)
probs = ops.softmax(logits)
print("prob sums:", np.round(ops.convert_to_numpy(ops.sum(probs, axis=-1)), 4))
print("metrics_names:", model.metrics_names)
results = model.evaluate(data, labels, verbose=0, return_dict=True)
print("accuracy:", results["sparse_categorical_accuracy"])
