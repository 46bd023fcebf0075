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
from glassnet.backend import array_module
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


class ReLU6(Function):
    """f(x) = min(max(x, 0), 6);  f'(x) = 1{0 < x < 6} (MobileNet's bounded ReLU)."""

    def forward(self, x):
        self.mask = (x > 0) & (x < 6)
        return self.xp.clip(x, 0, 6)

    def backward(self, g):
        return (g * self.mask,)


class HardSigmoid(Function):
    """f(x) = relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1) (Keras 3);  f'(x) = 1/6 on (-3, 3), else 0."""

    def forward(self, x):
        self.mask = (x > -3) & (x < 3)
        return self.xp.clip(x / _const(6, x) + _const(0.5, x), 0, 1)

    def backward(self, g):
        return (g * self.mask / _const(6, g),)


class Softsign(Function):
    """f(x) = x / (1 + |x|);  f'(x) = 1 / (1 + |x|)^2."""

    def forward(self, x):
        self.denominator = 1 + self.xp.abs(x)
        return x / self.denominator

    def backward(self, g):
        return (g / (self.denominator * self.denominator),)


class Exponential(Function):
    """f(x) = e^x;  f'(x) = e^x = f(x)."""

    def forward(self, x):
        self.out = self.xp.exp(x)
        return self.out

    def backward(self, g):
        return (g * self.out,)


class SiLU(Function):
    """f(x) = x sigmoid(x) (SiLU, a.k.a. swish);  f'(x) = s (1 + x (1 - s)) with s = sigmoid(x)."""

    def forward(self, x):
        self.x, self.s = x, numerics.sigmoid(x)
        return x * self.s

    def backward(self, g):
        s = self.s
        return (g * s * (1 + self.x * (1 - s)),)


class Mish(Function):
    """f(x) = x tanh(softplus(x));  f'(x) = t + x (1 - t^2) sigmoid(x) with t = tanh(softplus(x))
    (softplus' = sigmoid)."""

    def forward(self, x):
        xp = self.xp
        self.x = x
        self.t = xp.tanh(xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x))))
        return x * self.t

    def backward(self, g):
        t = self.t
        return (g * (t + self.x * (1 - t * t) * numerics.sigmoid(self.x)),)


# Hart's rational approximation of the normal tail (algorithm 5666, as given by G. West, "Better
# approximations to cumulative normal functions", 2005): relative error about 1e-8 in the far
# tail and 3e-9 elsewhere, far below float32's 6e-8, without an erf in NumPy.
_TAIL_P = (0.0352624965998911, 0.700383064443688, 6.37396220353165, 33.912866078383,
           112.079291497871, 221.213596169931, 220.206867912376)
_TAIL_Q = (0.0883883476483184, 1.75566716318264, 16.064177579207, 86.7807322029461,
           296.564248779674, 637.333633378831, 793.826512519948, 440.413735824752)
SQRT_2PI = 2.5066282746310002


def normal_cdf(x):
    """Phi(x) = P(X <= x) for X ~ N(0, 1) = (1 + erf(x / sqrt 2)) / 2, on raw arrays, in x's dtype.

    The tail Phi(-|x|) is computed directly (never as 1 minus something close to 1):
    e^(-x^2/2) P(|x|) / Q(|x|) for |x| < 7.07, a continued fraction beyond; then
    Phi(x) = 1 - tail for x > 0.
    """
    xp = array_module(x)
    a = xp.minimum(xp.abs(x), _const(40, x))  # Phi(-40) underflows to 0 even in float64
    e = xp.exp(a * a * _const(-0.5, x))
    p, q = _const(_TAIL_P[0], x), _const(_TAIL_Q[0], x)
    for c in _TAIL_P[1:]:
        p = p * a + _const(c, x)
    for c in _TAIL_Q[1:]:
        q = q * a + _const(c, x)
    fraction = a + _const(0.65, x)
    for k in (4, 3, 2, 1):
        fraction = a + _const(k, x) / fraction
    tail = xp.where(a < _const(7.07106781186547, x), e * p / q, e / fraction / _const(SQRT_2PI, x))
    return xp.where(x > 0, 1 - tail, tail).astype(x.dtype, copy=False)


class GELU(Function):
    """Exact GELU (Keras 3's default): f(x) = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2;
    f'(x) = Phi(x) + x phi(x) with phi(x) = e^(-x^2/2) / sqrt(2 pi). Phi: ``normal_cdf``."""

    def forward(self, x):
        self.x, self.cdf = x, normal_cdf(x)
        return x * self.cdf

    def backward(self, g):
        x = self.x
        a = self.xp.minimum(self.xp.abs(x), _const(40, x))  # phi(40) = 0 in float64 too; x^2 could overflow
        pdf = self.xp.exp(a * a * _const(-0.5, x)) / _const(SQRT_2PI, x)
        return (g * (self.cdf + x * pdf),)


GELU_TANH_C = 0.7978845608028654  # sqrt(2 / pi)
GELU_TANH_A = 0.044715


class GELUTanh(Function):
    """Tanh GELU (``approximate=True``): f(x) = x (1 + tanh(u)) / 2 with u = c (x + a x^3),
    c = sqrt(2/pi), a = 0.044715. Since (1 + tanh(u)) / 2 = sigmoid(2u) = s, f(x) = x s and
    f'(x) = s + 2 x s (1 - s) c (1 + 3 a x^2).

    The sigmoid form keeps its relative accuracy for negative x, where 1 + tanh(u) would
    cancel towards 0 in float32.
    """

    def forward(self, x):
        c, a = _const(2 * GELU_TANH_C, x), _const(GELU_TANH_A, x)
        self.x = x
        self.s = numerics.sigmoid(c * (x + a * x * x * x))
        return x * self.s

    def backward(self, g):
        x, s = self.x, self.s
        c, a = _const(2 * GELU_TANH_C, x), _const(GELU_TANH_A, x)
        return (g * (s + x * s * (1 - s) * c * (1 + _const(3, x) * a * x * x)),)


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


def relu6(x) -> Tensor:
    """ReLU capped at 6: min(max(x, 0), 6)."""
    return ReLU6()(x)


def hard_sigmoid(x) -> Tensor:
    """Piecewise-linear sigmoid (Keras 3): 0 for x <= -3, 1 for x >= 3, x / 6 + 1/2 between."""
    return HardSigmoid()(x)


def softsign(x) -> Tensor:
    """x / (1 + |x|), a slower-saturating tanh."""
    return Softsign()(x)


def exponential(x) -> Tensor:
    """e^x."""
    return Exponential()(x)


def silu(x) -> Tensor:
    """x sigmoid(x) (Keras's ``silu``, also called ``swish``)."""
    return SiLU()(x)


swish = silu


def mish(x) -> Tensor:
    """x tanh(softplus(x)) (Misra 2019)."""
    return Mish()(x)


def gelu(x, approximate=False) -> Tensor:
    """Gaussian error linear unit x Phi(x) (Hendrycks and Gimpel 2016).

    Args:
        approximate: False (Keras 3's default): the exact x (1 + erf(x / sqrt 2)) / 2;
            True: the tanh form x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2.

    Example:
        >>> import numpy as np
        >>> from glassnet import Tensor
        >>> gelu(Tensor(np.array([-1.0, 0.0, 1.0], dtype=np.float32)))
        Tensor([-0.15865524  0.          0.8413448 ], dtype=float32)
    """
    return (GELUTanh() if approximate else GELU())(x)
