"""Random tensors under Keras 3's names (``keras.random``), from glassnet's seeded generator.

``seed`` is, as in Keras 3, an int (the same draw every call), a ``SeedGenerator`` (a stream
that advances at every call: how layers keep their own repeatable randomness) or None (a draw
from glassnet's global generator, which ``glassnet.utils.set_random_seed`` seeds).

Example:
    >>> from glassnet import random
    >>> random.normal((2, 3), seed=1).shape
    (2, 3)
    >>> gen = random.SeedGenerator(42)
    >>> a, b = random.uniform((2,), seed=gen), random.uniform((2,), seed=gen)   # differ; repeatable
"""
from __future__ import annotations

import numpy as np

from glassnet import backend, ops
from glassnet.core.tensor import Tensor

__all__ = ["SeedGenerator", "normal", "uniform", "randint", "truncated_normal", "shuffle", "dropout",
           "categorical", "gamma", "binomial", "beta"]


class SeedGenerator:
    """A random stream of its own, seeded once (Keras 3's ``keras.random.SeedGenerator``).

    Example:
        >>> gen = SeedGenerator(0)
        >>> x = normal((4,), seed=gen)
    """

    def __init__(self, seed=None, name=None, **kwargs):
        self.seed = seed
        self.name = name
        self._rng = backend.make_rng(seed)

    def next(self) -> np.random.Generator:
        return self._rng


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return backend.rng()
    return np.random.default_rng(int(seed))


def _dtype(dtype):
    return np.dtype(dtype or backend.floatx())


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Samples of a normal distribution, as a Tensor of ``shape``."""
    return Tensor(_rng(seed).normal(mean, stddev, size=shape).astype(_dtype(dtype)))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    """Samples of a uniform distribution on ``[minval, maxval)``."""
    return Tensor(_rng(seed).uniform(minval, maxval, size=shape).astype(_dtype(dtype)))


def randint(shape, minval, maxval, dtype="int32", seed=None) -> Tensor:
    """Integers in ``[minval, maxval)``."""
    return Tensor(_rng(seed).integers(minval, maxval, size=shape).astype(dtype), dtype=dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """A normal distribution with the samples beyond two standard deviations drawn again."""
    rng = _rng(seed)
    values = rng.standard_normal(size=shape)
    bad = np.abs(values) > 2
    while bad.any():
        values[bad] = rng.standard_normal(size=int(bad.sum()))
        bad = np.abs(values) > 2
    return Tensor((mean + stddev * values).astype(_dtype(dtype)))


def gamma(shape, alpha, dtype=None, seed=None) -> Tensor:
    return Tensor(_rng(seed).gamma(alpha, size=shape).astype(_dtype(dtype)))


def beta(shape, alpha, beta, dtype=None, seed=None) -> Tensor:  # noqa: F811 - Keras's argument name
    return Tensor(_rng(seed).beta(alpha, beta, size=shape).astype(_dtype(dtype)))


def binomial(shape, counts, probabilities, dtype=None, seed=None) -> Tensor:
    return Tensor(_rng(seed).binomial(counts, probabilities, size=shape).astype(_dtype(dtype)))


def categorical(logits, num_samples, dtype="int32", seed=None) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` (batch, classes), drawn from their softmax."""
    z = np.asarray(backend.to_host(logits.data if isinstance(logits, Tensor) else logits), dtype=np.float64)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    rng = _rng(seed)
    out = np.stack([rng.choice(p.shape[-1], size=num_samples, p=row) for row in p])
    return Tensor(out.astype(dtype), dtype=dtype)


def shuffle(x, axis=0, seed=None) -> Tensor:
    """``x`` with its entries along ``axis`` in a random order."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    order = _rng(seed).permutation(data.shape[axis])
    index = (slice(None),) * (axis % data.ndim) + (order,)
    return ops.getitem(x if isinstance(x, Tensor) else Tensor(data, dtype=data.dtype), index)


def dropout(inputs, rate, noise_shape=None, seed=None) -> Tensor:
    """Inverted dropout: each value zeroed with probability ``rate``, the rest scaled by
    ``1 / (1 - rate)`` (differentiable with respect to ``inputs``)."""
    x = inputs if isinstance(inputs, Tensor) else Tensor(inputs)
    shape = x.shape if noise_shape is None else tuple(n if n is not None else s for n, s in zip(noise_shape, x.shape))
    keep = (_rng(seed).random(size=shape) >= rate).astype(x.dtype) / x.dtype.type(1 - rate)
    return ops.multiply(x, Tensor(keep))
