"""Activation functions as differentiable ops (COURSE.md section 2), each with its derivative.

Where the derivative can be expressed through the output (sigmoid, tanh, exp-based ones),
backward reuses the saved output instead of recomputing.

Activations live in three places, each with one job: here, the math as ops on tensors;
``glassnet.activations``, the name -> function lookup behind ``Dense(activation="relu")``;
and the layer classes (``layers.ReLU``, ``layers.Softmax``...) in
``glassnet.layers.activation_layers``.
"""
from __future__ import annotations

from glassnet import numerics
from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import as_tensor, unbroadcast


def _const(value, like):
    """A scalar in ``like``'s dtype (a bare Python float would promote float32 to float64)."""
    return like.dtype.type(value)


class Identity(Function):
    """f(x) = x;  f'(x) = 1."""

    def forward(self, x):
        return x

    def backward(self, g):
        return (g,)


class BinaryStep(Function):
    """f(x) = 1 if x >= 0 else 0;  f'(x) = 0 (undefined at 0; no gradient flows)."""

    def forward(self, x):
        return (x >= 0).astype(x.dtype)

    def backward(self, g):
        return (self.xp.zeros_like(g),)


class Sigmoid(Function):
    """f(x) = 1 / (1 + e^-x);  f'(x) = f(x) (1 - f(x)).

    Computed as e^x / (1 + e^x) for negative x so that e^-x never overflows.
    """

    def forward(self, x):
        self.out = numerics.sigmoid(x)
        return self.out

    def backward(self, g):
        s = self.out
        return (g * s * (1 - s),)


class Tanh(Function):
    """f(x) = tanh(x);  f'(x) = 1 - f(x)^2."""

    def forward(self, x):
        self.out = self.xp.tanh(x)
        return self.out

    def backward(self, g):
        return (g * (1 - self.out * self.out),)


class Arctan(Function):
    """f(x) = arctan(x);  f'(x) = 1 / (1 + x^2)."""

    def forward(self, x):
        self.x = x
        return self.xp.arctan(x)

    def backward(self, g):
        return (g / (1 + self.x * self.x),)


class ReLU(Function):
    """f(x) = max(0, x);  f'(x) = 1{x > 0}."""

    def forward(self, x):
        self.mask = x > 0
        return self.xp.maximum(x, 0, dtype=x.dtype)

    def backward(self, g):
        return (g * self.mask,)


class LeakyReLU(Function):
    """f(x) = x if x > 0 else a x;  f'(x) = 1 if x > 0 else a."""

    def __init__(self, negative_slope=0.2):
        self.slope = negative_slope

    def forward(self, x):
        self.mask = x > 0
        return self.xp.where(self.mask, x, x * _const(self.slope, x))

    def backward(self, g):
        return (self.xp.where(self.mask, g, g * _const(self.slope, g)),)


class PReLU(Function):
    """f(x) = x if x > 0 else alpha x with a learned alpha (broadcast against x).

    df/dx = 1 or alpha;  df/dalpha = 0 or x (summed over the axes alpha was broadcast on).
    """

    def forward(self, x, alpha):
        self.x, self.alpha, self.mask = x, alpha, x > 0
        return self.xp.where(self.mask, x, x * alpha)

    def backward(self, g):
        xp = self.xp
        gx = xp.where(self.mask, g, g * self.alpha) if self.needs_input_grad[0] else None
        galpha = None
        if self.needs_input_grad[1]:
            galpha = unbroadcast(xp.where(self.mask, 0, g * self.x).astype(g.dtype), self.alpha.shape)
        return gx, galpha


class ELU(Function):
    """f(x) = x if x > 0 else a (e^x - 1);  f'(x) = 1 if x > 0 else f(x) + a."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, x):
        self.mask = x > 0
        a = _const(self.alpha, x)
        xp = self.xp
        self.out = xp.where(self.mask, x, a * xp.expm1(xp.minimum(x, 0)))
        return self.out

    def backward(self, g):
        return (self.xp.where(self.mask, g, g * (self.out + _const(self.alpha, g))),)


SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


class SELU(Function):
    """f(x) = scale * (x if x > 0 else alpha (e^x - 1)) with the self-normalising constants;
    f'(x) = scale if x > 0 else scale alpha e^x."""

    def forward(self, x):
        xp = self.xp
        self.mask = x > 0
        a, s = _const(SELU_ALPHA, x), _const(SELU_SCALE, x)
        self.neg = s * a * xp.exp(xp.minimum(x, 0))  # f'(x) for x <= 0
        return xp.where(self.mask, s * x, self.neg - s * a)

    def backward(self, g):
        return (self.xp.where(self.mask, g * _const(SELU_SCALE, g), g * self.neg),)


class Softplus(Function):
    """f(x) = ln(1 + e^x);  f'(x) = sigmoid(x). Computed as max(x,0) + ln(1 + e^-|x|)."""

    def forward(self, x):
        self.x = x
        xp = self.xp
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, g):
        return (g * numerics.sigmoid(self.x),)


class Gaussian(Function):
    """f(x) = e^(-x^2);  f'(x) = -2 x f(x)."""

    def forward(self, x):
        self.x = x
        self.out = self.xp.exp(-x * x)
        return self.out

    def backward(self, g):
        return (g * _const(-2, g) * self.x * self.out,)


class Softmax(Function):
    """s_i = e^(x_i - max x) / sum_j e^(x_j - max x);  dx = s * (g - sum(g * s))."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        e = self.xp.exp(x - x.max(axis=self.axis, keepdims=True))
        e /= e.sum(axis=self.axis, keepdims=True)
        self.out = e
        return e

    def backward(self, g):
        s = self.out
        return (s * (g - (g * s).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    """l_i = x_i - max x - ln sum_j e^(x_j - max x);  dx = g - softmax(x) * sum(g)."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        self.out = numerics.log_softmax(x, self.axis)
        return self.out

    def backward(self, g):
        return (g - self.xp.exp(self.out) * g.sum(axis=self.axis, keepdims=True),)


# ---------------------------------------------------------------------------- functional API
def identity(x) -> Tensor:
    """f(x) = x."""
    return Identity()(x)


def linear(x) -> Tensor:
    """Keras's name for the identity activation."""
    return Identity()(x)


def binary_step(x) -> Tensor:
    """Heaviside step: 1 where x >= 0, else 0 (no gradient)."""
    return BinaryStep()(x)


def sigmoid(x) -> Tensor:
    """Logistic function 1 / (1 + e^-x)."""
    return Sigmoid()(x)


def tanh(x) -> Tensor:
    """Hyperbolic tangent."""
    return Tanh()(x)


def arctan(x) -> Tensor:
    """Inverse tangent, range (-pi/2, pi/2)."""
    return Arctan()(x)


def relu(x) -> Tensor:
    """Rectified linear unit max(0, x)."""
    return ReLU()(x)


def leaky_relu(x, negative_slope=0.2) -> Tensor:
    """x for x > 0, else ``negative_slope * x`` (Keras's function default 0.2; course: 0.1)."""
    return LeakyReLU(negative_slope)(x)


def prelu(x, alpha) -> Tensor:
    """Parametric ReLU: x for x > 0, else ``alpha * x``; ``alpha`` is a tensor and learns."""
    x = as_tensor(x)
    return PReLU()(x, as_tensor(alpha, x))


def elu(x, alpha=1.0) -> Tensor:
    """Exponential linear unit."""
    return ELU(alpha)(x)


def selu(x) -> Tensor:
    """Scaled exponential linear unit (Klambauer et al. 2017)."""
    return SELU()(x)


def softplus(x) -> Tensor:
    """Smooth ReLU ln(1 + e^x)."""
    return Softplus()(x)


def gaussian(x) -> Tensor:
    """Gaussian bump e^(-x^2)."""
    return Gaussian()(x)


def softmax(x, axis=-1) -> Tensor:
    """Normalised exponentials along ``axis`` (probabilities summing to 1)."""
    return Softmax(axis)(x)


def log_softmax(x, axis=-1) -> Tensor:
    """log(softmax(x)) computed stably."""
    return LogSoftmax(axis)(x)
