"""A GAN by overriding Model.train_step (keras.io "Customizing what happens in fit()", GAN
section) on 1-D data: a custom compile, two optimizers, tf.GradientTape, metric trackers."""
import numpy as np
import tensorflow as tf
import keras
from keras import layers, ops

latent_dim = 4
real = (np.random.RandomState(0).normal(3.0, 0.5, size=(512, 2))).astype("float32")

discriminator = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(16), layers.LeakyReLU(negative_slope=0.2),
                                  layers.Dense(1)], name="discriminator")
generator = keras.Sequential([keras.Input(shape=(latent_dim,)), layers.Dense(16, activation="relu"),
                              layers.Dense(2)], name="generator")


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(1337)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real_samples):
        batch_size = ops.shape(real_samples)[0]
        noise = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        fake = self.generator(noise)
        combined = ops.concatenate([fake, real_samples], axis=0)
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        noise = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        misleading = ops.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(noise))
            g_loss = self.loss_fn(misleading, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=0.003),
            g_optimizer=keras.optimizers.Adam(learning_rate=0.003),
            loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
history = gan.fit(real, batch_size=64, epochs=10, verbose=2)
print("history keys:", sorted(history.history))
samples = generator.predict(np.random.normal(size=(256, latent_dim)).astype("float32"), verbose=0)
print("generated mean: %.2f" % samples.mean())
print("d_loss: %.3f g_loss: %.3f" % (history.history["d_loss"][-1], history.history["g_loss"][-1]))
