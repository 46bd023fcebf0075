"""The autograd core: Tensor, Function, no_grad; GradientTape (TensorFlow's interface to it)."""
from glassnet.core.tensor import Function, Parameter, Tensor, is_grad_enabled, no_grad  # noqa: F401
from glassnet.core.tape import GradientTape  # noqa: F401,E402
