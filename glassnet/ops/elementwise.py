"""Element-wise math: arithmetic, exp/log, clipping, element-wise max/min and ``where``.

Every binary op broadcasts like NumPy and reduces its input gradients back to each input's
shape with ``unbroadcast``.
"""
from __future__ import annotations

import numpy as np

from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import as_tensor, pair, unbroadcast


class Add(Function):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a + b

    def backward(self, g):
        sa, sb = self.shapes
        return unbroadcast(g, sa), unbroadcast(g, sb)


class Subtract(Function):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a - b

    def backward(self, g):
        sa, sb = self.shapes
        return unbroadcast(g, sa), (unbroadcast(-g, sb) if self.needs_input_grad[1] else None)


class Multiply(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        ga = unbroadcast(g * self.b, self.a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(g * self.a, self.b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Divide(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):
        ga = unbroadcast(g / self.b, self.a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(-g * self.a / (self.b * self.b), self.b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Power(Function):
    """a ** b; d/da = b a^(b-1), d/db = a^b ln a."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = a ** b
        return self.out

    def backward(self, g):
        a, b = self.a, self.b
        ga = unbroadcast(g * b * a ** (b - 1), a.shape) if self.needs_input_grad[0] else None
        gb = None
        if self.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a = np.where(a > 0, np.log(np.where(a > 0, a, 1)), 0).astype(self.out.dtype)
            gb = unbroadcast(g * self.out * log_a, b.shape)
        return ga, gb


class Negative(Function):
    def forward(self, a):
        return -a

    def backward(self, g):
        return (-g,)


class Exp(Function):
    def forward(self, a):
        self.out = np.exp(a)
        return self.out

    def backward(self, g):
        return (g * self.out,)


class Log(Function):
    def forward(self, a):
        self.a = a
        return np.log(a)

    def backward(self, g):
        return (g / self.a,)


class Sqrt(Function):
    def forward(self, a):
        self.out = np.sqrt(a)
        return self.out

    def backward(self, g):
        return (g / (2 * self.out),)


class Abs(Function):
    def forward(self, a):
        self.a = a
        return np.abs(a)

    def backward(self, g):
        return (g * np.sign(self.a),)


class Clip(Function):
    """Clamp to [low, high]; the gradient passes only where the value was inside."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, a):
        self.a = a
        return np.clip(a, self.low, self.high).astype(a.dtype, copy=False)

    def backward(self, g):
        inside = np.ones(self.a.shape, dtype=bool)
        if self.low is not None:
            inside &= self.a >= self.low
        if self.high is not None:
            inside &= self.a <= self.high
        return (g * inside,)


class Maximum(Function):
    """Element-wise max; on ties the gradient is split evenly (as PyTorch does)."""

    sign = 1

    def forward(self, a, b):
        self.a, self.b = a, b
        return np.maximum(a, b) if self.sign > 0 else np.minimum(a, b)

    def backward(self, g):
        a, b = self.a, self.b
        wins_a = (a > b) if self.sign > 0 else (a < b)
        share_a = wins_a + 0.5 * (a == b)
        share_a = share_a.astype(g.dtype)
        ga = unbroadcast(g * share_a, a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(g * (1 - share_a), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Minimum(Maximum):
    sign = -1


class Where(Function):
    """``a`` where ``condition`` holds, else ``b``; the condition gets no gradient."""

    def __init__(self, condition):
        self.condition = condition

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return np.where(self.condition, a, b)

    def backward(self, g):
        zero = np.zeros((), dtype=g.dtype)
        ga = unbroadcast(np.where(self.condition, g, zero), self.shapes[0]) if self.needs_input_grad[0] else None
        gb = unbroadcast(np.where(self.condition, zero, g), self.shapes[1]) if self.needs_input_grad[1] else None
        return ga, gb


class Cast(Function):
    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def forward(self, a):
        self.in_dtype = a.dtype
        return a.astype(self.dtype)

    def backward(self, g):
        return (g.astype(self.in_dtype),)


# ---------------------------------------------------------------------------- functional API
def add(a, b) -> Tensor:
    """a + b with broadcasting."""
    return Add()(*pair(a, b))


def subtract(a, b) -> Tensor:
    """a - b with broadcasting."""
    return Subtract()(*pair(a, b))


def multiply(a, b) -> Tensor:
    """a * b element-wise with broadcasting."""
    return Multiply()(*pair(a, b))


def divide(a, b) -> Tensor:
    """a / b element-wise with broadcasting."""
    return Divide()(*pair(a, b))


def power(a, b) -> Tensor:
    """a ** b element-wise with broadcasting."""
    return Power()(*pair(a, b))


def square(a) -> Tensor:
    """a * a."""
    a = as_tensor(a)
    return Multiply()(a, a)


def negative(a) -> Tensor:
    """-a."""
    return Negative()(a)


def exp(a) -> Tensor:
    """e ** a."""
    return Exp()(a)


def log(a) -> Tensor:
    """Natural logarithm."""
    return Log()(a)


def sqrt(a) -> Tensor:
    """Square root."""
    return Sqrt()(a)


def abs(a) -> Tensor:  # noqa: A001 - mirrors numpy's name
    """|a|; the gradient at 0 is 0 (sign(0))."""
    return Abs()(a)


def clip(a, low, high) -> Tensor:
    """Clamp ``a`` to [low, high] (either may be None)."""
    return Clip(low, high)(a)


def maximum(a, b) -> Tensor:
    """Element-wise larger of a and b."""
    return Maximum()(*pair(a, b))


def minimum(a, b) -> Tensor:
    """Element-wise smaller of a and b."""
    return Minimum()(*pair(a, b))


def where(condition, a, b) -> Tensor:
    """``a`` where ``condition`` is true, else ``b`` (condition: bool array or tensor)."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    return Where(cond.astype(bool))(*pair(a, b))


def cast(a, dtype) -> Tensor:
    """``a`` converted to ``dtype``; the gradient is converted back."""
    return Cast(dtype)(a)
