"""glassnet: a deep-learning framework you can read, on NumPy, with a Keras-style API.

Example:
    >>> import glassnet as gn
    >>> from glassnet import layers
    >>> model = gn.Sequential([layers.Input((784,)), layers.Dense(128, activation="relu"),
    ...                        layers.Dense(10, activation="softmax")])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
"""
__version__ = "0.1.0"

from glassnet.core import Function, Parameter, Tensor, is_grad_enabled, no_grad  # noqa: E402,F401
from glassnet.core import GradientTape  # noqa: E402,F401
from glassnet import backend, ops  # noqa: E402,F401
from glassnet import activations, initializers, regularizers  # noqa: E402,F401
from glassnet import losses, metrics, optimizers, callbacks  # noqa: E402,F401
from glassnet import datasets, preprocessing  # noqa: E402,F401
from glassnet import layers, models, utils  # noqa: E402,F401
from glassnet import ensemble  # noqa: E402,F401
from glassnet.layers import Input  # noqa: E402,F401
from glassnet.models import Model, Sequential, load_model  # noqa: E402,F401
