"""What ``import keras`` (and ``from tensorflow import keras``) gives under ``glassnet run``.

glassnet's own modules under Keras's names; see ``glassnet.compat`` for how the aliases work and
the README's "Run your Keras code" for what is missing.

Example:
    >>> from glassnet.compat import keras
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
"""
from __future__ import annotations

from types import SimpleNamespace

import glassnet
from glassnet import (  # noqa: F401
    activations, callbacks, config, datasets, initializers, losses, metrics, models, optimizers,
    preprocessing, random, regularizers, utils)
from glassnet.compat import keras_backend as backend  # noqa: F401
from glassnet.compat import keras_layers as layers  # noqa: F401
from glassnet.compat import keras_ops as ops  # noqa: F401
from glassnet.core.tape import GradientTape  # noqa: F401
from glassnet.layers import Input, InputLayer, Layer  # noqa: F401
from glassnet.models import Model, Sequential, clone_model, load_model, model_from_json  # noqa: F401
from glassnet.optimizers import Optimizer  # noqa: F401
from glassnet.utils import register_keras_serializable

__version__ = f"3.0.0+glassnet.{glassnet.__version__}"

__all__ = ["activations", "backend", "callbacks", "config", "datasets", "initializers", "layers", "losses",
           "metrics", "models", "ops", "optimizers", "preprocessing", "random", "regularizers", "utils",
           "saving", "Input", "InputLayer", "Layer", "Model", "Sequential", "Optimizer", "GradientTape",
           "__version__", "version"]


def version() -> str:
    """``keras.version()``: the Keras API version glassnet follows, marked as glassnet."""
    return __version__


# keras.saving (Keras 3): loading and the serialization registry
saving = SimpleNamespace(load_model=load_model, save_model=glassnet.models.save_model,
                         register_keras_serializable=register_keras_serializable,
                         get_custom_objects=lambda: {})
