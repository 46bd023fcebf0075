"""Differentiable functional ops, grouped by kind.

Every op takes tensors (or arrays/numbers) and returns a Tensor whose backward is written by
hand in the module named below.

- ``elementwise``: add, subtract, multiply, divide, power, negative, exp, log, sqrt, abs,
  clip, maximum, minimum, where, cast
- ``reductions``: sum, mean, max, min, var
- ``linalg``: matmul, linear (fused x W + b)
- ``shape``: reshape, transpose, getitem, broadcast_to, concatenate, stack, split, pad,
  squeeze, expand_dims, flatten
- ``activations``: identity, binary_step, sigmoid, tanh, arctan, relu, leaky_relu, prelu, elu,
  selu, softplus, gaussian, softmax, log_softmax
- ``losses``: softmax_cross_entropy, sigmoid_binary_cross_entropy (fused, numerically stable)

Example:
    >>> from glassnet import Tensor, ops
    >>> x = Tensor([[1.0, -2.0]], requires_grad=True)
    >>> ops.relu(x).sum().backward()
    >>> x.grad
    array([[1., 0.]], dtype=float32)
"""
from glassnet.ops.elementwise import (  # noqa: F401
    abs, add, cast, clip, divide, exp, log, maximum, minimum, multiply, negative, power, sqrt,
    square, subtract, where)
from glassnet.ops.reductions import max, mean, min, sum, var  # noqa: F401
from glassnet.ops.linalg import linear, matmul  # noqa: F401
from glassnet.ops.shape import (  # noqa: F401
    broadcast_to, concatenate, expand_dims, flatten, getitem, pad, reshape, split, squeeze, stack,
    transpose)
from glassnet.ops.activations import (  # noqa: F401
    arctan, binary_step, elu, gaussian, identity, leaky_relu, log_softmax, prelu, relu, selu,
    sigmoid, softmax, softplus, tanh)
from glassnet.ops.losses import sigmoid_binary_cross_entropy, softmax_cross_entropy  # noqa: F401,E402
# Families being written in parallel; each module lists its public ops in ``__all__``.
from glassnet.ops.convolution import *  # noqa: F401,F403,E402
from glassnet.ops.pooling import *  # noqa: F401,F403,E402
from glassnet.ops.normalization import *  # noqa: F401,F403,E402
