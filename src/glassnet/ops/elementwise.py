"""Element-wise math: arithmetic, exp/log, clipping, element-wise max/min and ``where``.

Every binary op broadcasts like NumPy and reduces its input gradients back to each input's
shape with ``unbroadcast``. Each op's docstring gives the rule its backward implements, with
``g`` the gradient arriving from above (d loss / d output).
"""
from __future__ import annotations

import numpy as np

from glassnet.backend import array_module
from glassnet.core.tensor import Function, Tensor
from glassnet.ops._util import as_tensor, pair, unbroadcast


class Add(Function):
    """a + b;  da = g,  db = g (each summed back to its input's shape)."""

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a + b

    def backward(self, g):
        sa, sb = self.shapes
        return unbroadcast(g, sa), unbroadcast(g, sb)


class Subtract(Function):
    """a - b;  da = g,  db = -g."""

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a - b

    def backward(self, g):
        sa, sb = self.shapes
        return unbroadcast(g, sa), (unbroadcast(-g, sb) if self.needs_input_grad[1] else None)


class Multiply(Function):
    """a * b;  da = g b,  db = g a (the product rule)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        ga = unbroadcast(g * self.b, self.a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(g * self.a, self.b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Divide(Function):
    """a / b;  da = g / b,  db = -g a / b^2."""

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
            # ln a is defined for a > 0 only; where a <= 0 the gradient is taken as 0, as
            # PyTorch does (the log of a placeholder 1 keeps NaN warnings out)
            xp = self.xp
            positive = a > 0
            log_a = xp.where(positive, xp.log(xp.where(positive, a, 1)), 0).astype(self.out.dtype)
            gb = unbroadcast(g * self.out * log_a, b.shape)
        return ga, gb


class Negative(Function):
    """-a;  da = -g."""

    def forward(self, a):
        return -a

    def backward(self, g):
        return (-g,)


class Exp(Function):
    """e^a;  da = g e^a (the saved output)."""

    def forward(self, a):
        self.out = self.xp.exp(a)
        return self.out

    def backward(self, g):
        return (g * self.out,)


class Log(Function):
    """ln a;  da = g / a."""

    def forward(self, a):
        self.a = a
        return self.xp.log(a)

    def backward(self, g):
        return (g / self.a,)


class Sqrt(Function):
    """sqrt(a);  da = g / (2 sqrt(a))."""

    def forward(self, a):
        self.out = self.xp.sqrt(a)
        return self.out

    def backward(self, g):
        return (g / (2 * self.out),)


class Abs(Function):
    """|a|;  da = g sign(a) (0 at a = 0)."""

    def forward(self, a):
        self.a = a
        return self.xp.abs(a)

    def backward(self, g):
        return (g * self.xp.sign(self.a),)


class Clip(Function):
    """Clamp to [low, high];  da = g where low <= a <= high, else 0."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, a):
        self.a = a
        return self.xp.clip(a, self.low, self.high).astype(a.dtype, copy=False)

    def backward(self, g):
        inside = self.xp.ones(self.a.shape, dtype=bool)
        if self.low is not None:
            inside &= self.a >= self.low
        if self.high is not None:
            inside &= self.a <= self.high
        return (g * inside,)


class Maximum(Function):
    """max(a, b) element-wise;  da = g where a wins, db = g where b wins; on ties each gets
    g / 2 (as PyTorch does)."""

    sign = 1

    def forward(self, a, b):
        self.a, self.b = a, b
        return self.xp.maximum(a, b) if self.sign > 0 else self.xp.minimum(a, b)

    def backward(self, g):
        a, b = self.a, self.b
        wins_a = (a > b) if self.sign > 0 else (a < b)
        share_a = wins_a + 0.5 * (a == b)
        share_a = share_a.astype(g.dtype)
        ga = unbroadcast(g * share_a, a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(g * (1 - share_a), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Minimum(Maximum):
    """min(a, b) element-wise; the gradient rule of ``Maximum`` with the comparison reversed."""

    sign = -1


class Where(Function):
    """``a`` where ``condition`` holds, else ``b``;  da = g where condition, db = g elsewhere;
    the condition gets no gradient."""

    def __init__(self, condition):
        self.condition = condition

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return self.xp.where(self.condition, a, b)

    def backward(self, g):
        xp, zero = self.xp, g.dtype.type(0)
        ga = unbroadcast(xp.where(self.condition, g, zero), self.shapes[0]) if self.needs_input_grad[0] else None
        gb = unbroadcast(xp.where(self.condition, zero, g), self.shapes[1]) if self.needs_input_grad[1] else None
        return ga, gb


class Cast(Function):
    """``a`` converted to another dtype;  da = g converted back to ``a``'s dtype."""

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
    a, b = pair(a, b)
    cond = condition.data if isinstance(condition, Tensor) else condition
    # the condition goes where the operands live (a host mask next to device arrays)
    cond = array_module(a.data, b.data).asarray(cond).astype(bool, copy=False)
    return Where(cond)(a, b)


def cast(a, dtype) -> Tensor:
    """``a`` converted to ``dtype``; the gradient is converted back."""
    return Cast(dtype)(a)
