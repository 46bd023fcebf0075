"""The ``Initializer`` base class, the argument checks every initializer shares, and
``compute_fans`` (how many inputs and outputs a weight connects, which the random initializers
scale by).

Example:
    >>> compute_fans((3, 3, 16, 32))   # a 3x3 Conv2D from 16 to 32 channels
    (144, 288)
"""
from __future__ import annotations

import numpy as np

from glassnet import backend


# ---------------------------------------------------------------------------- helpers
def _check_shape(shape, who: str) -> tuple:
    """``shape`` as a tuple of non-negative ints (an int n means ``(n,)``)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"{who}: expected a shape (tuple of ints), received {shape!r}") from None
    for d in shape:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise ValueError(f"{who}: expected a shape of non-negative ints, received {shape!r}")
    return tuple(int(d) for d in shape)


def _check_dtype(dtype, who: str, float_only: bool = False) -> np.dtype:
    dtype = np.dtype(backend.floatx() if dtype is None else dtype)
    if float_only and dtype.kind != "f":
        raise ValueError(f"{who}: expected a float dtype for random values, received {dtype}")
    return dtype


def _check_seed(seed, who: str):
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{who}: expected seed to be None or a non-negative int, received {seed!r}")
    return int(seed)


def compute_fans(shape) -> tuple:
    """The number of inputs and outputs a weight of this shape connects, as Keras computes them.

    - scalar: (1, 1);  vector ``(n,)``: (n, n)
    - Dense kernel ``(in, out)``: (in, out)
    - convolution kernel ``(k1, ..., in, out)``: each output sums over a whole window, so both
      counts are multiplied by the receptive field size ``k1 * k2 * ...``.

    Args:
        shape: the weight's shape.

    Returns:
        ``(fan_in, fan_out)`` as ints.

    Example:
        >>> compute_fans((3, 3, 16, 32))   # a 3x3 Conv2D from 16 to 32 channels
        (144, 288)
    """
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive_field = 1
    for d in shape[:-2]:
        receptive_field *= d
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


# ---------------------------------------------------------------------------- base class
class Initializer:
    """Base class: call it with a shape to get an array of initial values.

    Subclasses implement ``__call__(shape, dtype=None)`` and, if they take arguments,
    ``get_config()`` returning those arguments (so ``from_config`` can rebuild them).

    Example:
        >>> import numpy as np
        >>> class Twos(Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return np.full(shape, 2, dtype=dtype or backend.floatx())
        >>> Twos()((2,))
        array([2., 2.], dtype=float32)
    """

    def __call__(self, shape, dtype=None) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype=None)")

    def get_config(self) -> dict:
        """The constructor arguments, JSON-serialisable."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        """Rebuild an initializer from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
