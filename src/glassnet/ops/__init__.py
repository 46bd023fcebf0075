"""Differentiable functional ops, grouped by kind.

Every op takes tensors (or arrays/numbers) and returns a Tensor whose backward is written by
hand in the module named below.

- ``elementwise``: add, subtract, multiply, divide, power, negative, exp, log, sqrt, abs,
  clip, maximum, minimum, where, cast
- ``reductions``: sum, mean, max, min, var
- ``linalg``: matmul, linear (fused x W + b)
- ``shape``: reshape, transpose, getitem, take, broadcast_to, concatenate, stack, split, pad,
  squeeze, expand_dims, flatten
- ``activations``: identity, binary_step, sigmoid, tanh, arctan, relu, leaky_relu, prelu, elu,
  selu, softplus, gaussian, softmax, log_softmax, relu6, hard_sigmoid, softsign, exponential,
  silu (swish), mish, gelu (exact or tanh), normal_cdf (on raw arrays)
- ``losses``: softmax_cross_entropy, sigmoid_binary_cross_entropy (fused, numerically stable)
- ``convolution``: conv, conv1d/2d/3d, conv_transpose, conv1d/2d/3d_transpose (im2col + GEMM,
  bias and ReLU fused), conv_output_length, conv_transpose_output_length
- ``conv_reference``: conv2d_reference (the plain im2col + col2im 2-D convolution: to read,
  and the tests' oracle for conv2d)
- ``pooling``: max_pool, avg_pool (1d/2d/3d), global_max_pool, global_avg_pool, upsample
  (nearest, bilinear), pool_output_shape
- ``normalization``: batch_norm, batch_norm_inference, layer_norm
- ``recurrent``: simple_rnn, lstm, gru (a whole sequence in one fused op), FUSED_ACTIVATIONS
- ``attention``: masked_softmax (fused, stable), additive_scores, dot_product_attention, causal_mask

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
    broadcast_to, concatenate, expand_dims, flatten, getitem, pad, reshape, split, squeeze, stack, take,
    transpose)
from glassnet.ops.activations import (  # noqa: F401
    arctan, binary_step, elu, gaussian, identity, leaky_relu, log_softmax, prelu, relu, selu,
    sigmoid, softmax, softplus, tanh)
from glassnet.ops.activations import (  # noqa: F401
    exponential, gelu, hard_sigmoid, mish, normal_cdf, relu6, silu, softsign, swish)
from glassnet.ops.losses import sigmoid_binary_cross_entropy, softmax_cross_entropy  # noqa: F401,E402
from glassnet.ops.convolution import (  # noqa: F401
    conv, conv1d, conv1d_transpose, conv2d, conv2d_transpose, conv3d, conv3d_transpose,
    conv_output_length, conv_transpose, conv_transpose_output_length)
from glassnet.ops.conv_reference import conv2d_reference  # noqa: F401
from glassnet.ops.pooling import (  # noqa: F401
    avg_pool, avg_pool1d, avg_pool2d, avg_pool3d, global_avg_pool, global_max_pool, max_pool,
    max_pool1d, max_pool2d, max_pool3d, pool_output_shape, upsample, upsample_bilinear,
    upsample_nearest)
from glassnet.ops.normalization import batch_norm, batch_norm_inference, layer_norm  # noqa: F401
from glassnet.ops.recurrent import FUSED_ACTIVATIONS, gru, lstm, simple_rnn  # noqa: F401
from glassnet.ops.attention import (  # noqa: F401
    additive_scores, causal_mask, dot_product_attention, masked_softmax)
