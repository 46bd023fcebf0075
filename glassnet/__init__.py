"""glassnet: a deep-learning framework you can read, on NumPy, with a Keras-style API."""
from glassnet.core import Function, Parameter, Tensor, is_grad_enabled, no_grad  # noqa: F401
from glassnet import backend, ops  # noqa: F401

__version__ = "0.1.0"
