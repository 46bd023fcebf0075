"""The autograd core: Tensor, Function, no_grad."""
from glassnet.core.tensor import Function, Parameter, Tensor, is_grad_enabled, no_grad  # noqa: F401
