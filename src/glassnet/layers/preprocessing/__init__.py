"""Preprocessing and augmentation layers (Keras 3 names and arguments), one module per kind:

- ``numerical``: ``Rescaling`` (``x * scale + offset``), ``Normalization`` (standardise per
  feature; ``adapt(data)`` learns the mean and variance, saved as weights)
- ``sizing``: ``Resizing``, ``CenterCrop``
- ``augmentation``: ``RandomFlip``, ``RandomRotation``, ``RandomTranslation``, ``RandomZoom``,
  ``RandomContrast`` (active only in training, each image its own random amount)
- ``affine``: the one sampler behind rotation, translation, zoom and resizing (an affine map
  from output pixels to input positions, bilinear or nearest, with Keras's fill modes), an op
  with a hand-written backward

Images are channels-last ``(batch, height, width, channels)``. Every layer here passes gradients
back to its input, so any of them may also sit inside a model.

Example:
    >>> import glassnet as gn
    >>> from glassnet import layers
    >>> model = gn.Sequential([layers.Input((32, 32, 3)), layers.Rescaling(1 / 255),
    ...                        layers.RandomFlip("horizontal"), layers.RandomRotation(0.1),
    ...                        layers.Conv2D(8, 3, activation="relu"), layers.GlobalAveragePooling2D(),
    ...                        layers.Dense(10, activation="softmax")])
    >>> model.output_shape
    (None, 10)
"""
from glassnet.layers.preprocessing.augmentation import (
    RandomContrast, RandomFlip, RandomRotation, RandomTranslation, RandomZoom)
from glassnet.layers.preprocessing.numerical import Normalization, Rescaling
from glassnet.layers.preprocessing.sizing import CenterCrop, Resizing

__all__ = ["Rescaling", "Normalization", "Resizing", "CenterCrop", "RandomFlip", "RandomRotation",
           "RandomTranslation", "RandomZoom", "RandomContrast"]
