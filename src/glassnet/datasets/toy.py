"""Small data sets made up on the spot: logic gates, the course's regression points,
2-D classification shapes (moons, circles, spirals) for watching decision boundaries, and the
course's time series (two sine waves plus noise).

Example:
    >>> from glassnet.datasets import toy
    >>> x, y = toy.logic_gate("xor")
    >>> y.ravel()
    array([0., 1., 1., 0.], dtype=float32)
    >>> x, y = toy.make_moons(200, noise=0.1, seed=0)
    >>> x.shape, y.shape
    ((200, 2), (200,))
"""
from __future__ import annotations

import numpy as np

from glassnet import backend

_GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xnor": (1, 0, 0, 1),
}


def logic_gate(name: str, dtype: str | None = None):
    """The truth table of a two-input logic gate.

    AND and OR are linearly separable, so one perceptron learns them; XOR is not, and needs a
    hidden layer (the course's first lesson).

    Args:
        name: ``"and"``, ``"or"``, ``"xor"``, ``"nand"``, ``"nor"`` or ``"xnor"`` (any case).
        dtype: float dtype of both arrays; ``None`` means ``backend.floatx()`` (float32).

    Returns:
        ``(x, y)``: ``x`` of shape (4, 2) with rows 00, 01, 10, 11 and ``y`` of shape (4, 1)
        with the gate's output (0 or 1), ready for a sigmoid output and binary cross-entropy.

    Example:
        >>> x, y = logic_gate("and")
        >>> x[3], y[3]
        (array([1., 1.], dtype=float32), array([1.], dtype=float32))
    """
    key = str(name).lower()
    if key not in _GATES:
        raise ValueError(f"logic_gate: expected one of {', '.join(_GATES)}, received {name!r}")
    dtype = dtype or backend.floatx()
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
    y = np.array(_GATES[key], dtype=dtype).reshape(4, 1)
    return x, y


def linear_regression_points(dtype: str | None = None):
    """The course's 8 points for linear regression three ways.

    The least-squares line through them (normal equation or a degree-1 polynomial fit) is
    ``y = 0.87493126 x - 26.79078617``; compute it in float64 to see all those digits.

    Args:
        dtype: float dtype; ``None`` means ``backend.floatx()`` (float32).

    Returns:
        ``(x, y)``, each of shape (8,). Use ``x.reshape(-1, 1)`` for a Dense model.

    Example:
        >>> import numpy as np
        >>> x, y = linear_regression_points("float64")
        >>> w, b = np.polyfit(x, y, 1)
        >>> round(float(w), 8), round(float(b), 8)
        (0.87493126, -26.79078617)
    """
    dtype = dtype or backend.floatx()
    x = np.array([32, 64, 96, 118, 126, 144, 152.5, 158], dtype=dtype)
    y = np.array([18, 24, 61.5, 49, 52, 105, 130.3, 125], dtype=dtype)
    return x, y


def _check(n, noise, who: str, min_n: int = 2) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < min_n:
        raise ValueError(f"{who}: expected n to be an int >= {min_n}, received {n!r}")
    if not noise >= 0:
        raise ValueError(f"{who}: expected noise >= 0, received {noise!r}")


def _finish(x: np.ndarray, y: np.ndarray, noise: float, shuffle: bool, rng):
    if noise:
        x = x + rng.normal(0.0, noise, size=x.shape)
    if shuffle:
        order = rng.permutation(len(y))
        x, y = x[order], y[order]
    return x.astype(backend.floatx()), y.astype(np.int64)


def make_moons(n: int = 100, noise: float = 0.0, seed: int | None = None, shuffle: bool = True):
    """Two interleaving half circles, a classic non-linear 2-class problem.

    The upper moon (class 0) is the half circle of radius 1 around (0, 0); the lower one
    (class 1) is the same shape flipped and shifted to (1, 0.5).

    Args:
        n: total number of points (class 0 gets ``n // 2``, class 1 the rest).
        noise: standard deviation of Gaussian noise added to each coordinate.
        seed: random seed (``None``: glassnet's global generator).
        shuffle: shuffle the points (otherwise class 0 comes first).

    Returns:
        ``(x, y)``: float32 (n, 2) and int64 (n,) labels 0 / 1.

    Example:
        >>> x, y = make_moons(6, seed=0, shuffle=False)
        >>> y
        array([0, 0, 0, 1, 1, 1])
    """
    _check(n, noise, "make_moons")
    rng = backend.make_rng(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    x = np.concatenate([upper, lower])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _finish(x, y, noise, shuffle, rng)


def make_circles(n: int = 100, noise: float = 0.0, factor: float = 0.8, seed: int | None = None,
                 shuffle: bool = True):
    """A small circle inside a larger one: not separable by any line.

    Args:
        n: total number of points (outer circle, class 0, gets ``n // 2``).
        noise: standard deviation of Gaussian noise added to each coordinate.
        factor: inner radius / outer radius (outer radius is 1), in (0, 1).
        seed: random seed (``None``: glassnet's global generator).
        shuffle: shuffle the points (otherwise the outer circle comes first).

    Returns:
        ``(x, y)``: float32 (n, 2) and int64 (n,) with 0 = outer, 1 = inner.

    Example:
        >>> import numpy as np
        >>> x, y = make_circles(100, factor=0.5, seed=0)
        >>> bool(np.allclose(np.hypot(*x[y == 1].T), 0.5))
        True
    """
    _check(n, noise, "make_circles")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"make_circles: expected 0 < factor < 1, received {factor!r}")
    rng = backend.make_rng(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2 * np.pi, n1, endpoint=False)
    outer = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    inner = factor * np.stack([np.cos(t1), np.sin(t1)], axis=1)
    x = np.concatenate([outer, inner])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _finish(x, y, noise, shuffle, rng)


def make_spiral(n: int = 300, classes: int = 3, noise: float = 0.2, seed: int | None = None,
                shuffle: bool = True):
    """Spiral arms, one per class, winding out from the centre (as in Stanford's CS231n).

    Each arm runs from radius 0 to 1 while its angle turns by 4 radians; arm ``k`` starts at
    angle ``2 * pi * k / classes``. Noise is added to the angle, so arms blur into each other
    as it grows; a linear model fails, a small MLP draws the spirals.

    Args:
        n: total number of points, shared as evenly as possible between the classes.
        classes: number of arms (classes), at least 2.
        noise: standard deviation of Gaussian noise on the angle, in radians.
        seed: random seed (``None``: glassnet's global generator).
        shuffle: shuffle the points (otherwise class by class).

    Returns:
        ``(x, y)``: float32 (n, 2) and int64 (n,) labels ``0 .. classes - 1``.

    Example:
        >>> import numpy as np
        >>> x, y = make_spiral(300, classes=3, seed=0)
        >>> np.bincount(y)
        array([100, 100, 100])
    """
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"make_spiral: expected classes to be an int >= 2, received {classes!r}")
    _check(n, noise, "make_spiral", min_n=classes)
    rng = backend.make_rng(seed)
    sizes = [n // classes + (1 if k < n % classes else 0) for k in range(classes)]
    xs, ys = [], []
    for k, m in enumerate(sizes):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(0.0, 4.0, m) + 2 * np.pi * k / classes + rng.normal(0.0, noise, m)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(m, k))
    x, y = np.concatenate(xs), np.concatenate(ys)
    return _finish(x, y, 0.0, shuffle, rng)


def generate_time_series(n_series: int, n_steps: int, seed: int | None = None) -> np.ndarray:
    """The course's time series: two sine waves of random frequency and phase, plus noise.

    For each series, with ``t = linspace(0, 1, n_steps)`` and ``f1, f2, o1, o2`` drawn
    uniformly from [0, 1)::

        0.5 * sin((t - o1) * (10 * f1 + 10))       # slow wave, 10 to 20 rad per unit time
      + 0.2 * sin((t - o2) * (20 * f2 + 20))       # fast wave, 20 to 40 rad per unit time
      + 0.1 * (uniform[0, 1) - 0.5)                # noise, one draw per step

    (the recipe of Geron's *Hands-On Machine Learning*, chapter 15, that the course uses). Every
    value lies in (-0.75, 0.75). The course draws 10,000 series of ``50 + 1`` steps (or
    ``50 + 10``): the first 50 are the input window, the rest the values to forecast; see
    ``glassnet.utils.timeseries`` to cut them into inputs and targets.

    Args:
        n_series: number of series (the batch axis), at least 1.
        n_steps: number of time steps in each series, at least 1.
        seed: random seed (``None``: glassnet's global generator).

    Returns:
        Array of shape (n_series, n_steps, 1) in ``backend.floatx()`` (float32): samples, time
        steps, one feature, the layout recurrent layers expect.

    Example:
        >>> series = generate_time_series(10_000, 50 + 1, seed=42)
        >>> series.shape, series.dtype
        ((10000, 51, 1), dtype('float32'))
        >>> x_train, y_train = series[:7000, :50], series[:7000, -1]    # next value: (7000, 1)
    """
    for name, value in (("n_series", n_series), ("n_steps", n_steps)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"generate_time_series: expected {name} to be an int >= 1, received {value!r}")
    rng = backend.make_rng(seed)
    freq1, freq2, offsets1, offsets2 = rng.random((4, n_series, 1))
    t = np.linspace(0.0, 1.0, n_steps)
    series = 0.5 * np.sin((t - offsets1) * (freq1 * 10 + 10))
    series += 0.2 * np.sin((t - offsets2) * (freq2 * 20 + 20))
    series += 0.1 * (rng.random((n_series, n_steps)) - 0.5)
    return series[..., np.newaxis].astype(backend.floatx())
