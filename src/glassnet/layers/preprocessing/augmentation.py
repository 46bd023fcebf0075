"""Random image augmentation: ``RandomFlip``, ``RandomRotation``, ``RandomTranslation``,
``RandomZoom``, ``RandomContrast``.

Each layer changes every image of a training batch by its own random amount, so the network
sees a slightly different picture of each sample every epoch and learns what does not change
under flips, turns, shifts, zooms and contrast. They act only in training
(``layer(x, training=True)``, which ``fit`` passes); in ``predict``/``evaluate`` and on a bare
call ``layer(x)`` they return their input unchanged, as Keras's documentation puts it: "during
inference time, the output will be identical to input".

Rotation, translation and zoom are affine maps, all read through the one sampler in
``affine.py`` (``fill_mode`` and ``interpolation`` are explained there). Random draws come from
the layer's own generator when it has a ``seed``, else from glassnet's global one, so
``glassnet.utils.set_random_seed`` makes a whole training run repeatable. Images are
channels-last; the work is vectorised over the batch, and gradients flow back through it.

Example:
    >>> import numpy as np
    >>> flip = RandomFlip("horizontal", seed=0)
    >>> images = np.arange(6, dtype=np.float32).reshape(2, 1, 3, 1)
    >>> bool((flip(images).numpy() == images).all())       # inference: unchanged
    True
    >>> flip(images, training=True).numpy()[:, 0, :, 0]     # each image flipped or not
    array([[0., 1., 2.],
           [5., 4., 3.]], dtype=float32)
"""
from __future__ import annotations

import math

from glassnet import backend, ops
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.layers.base import Layer
from glassnet.layers.preprocessing.affine import affine_sample, check_fill
from glassnet.layers.preprocessing.sizing import image_batch, unbatch

__all__ = ["RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "RandomContrast"]

FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def factor_range(who: str, what: str, factor, low=None, high=None, symmetric=True) -> tuple:
    """``factor`` as ``(lower, upper)``: a number f means ``(-f, f)`` (``(f, f)`` with
    ``symmetric=False``, where the caller reads it as a magnitude), a pair is taken as given;
    both bounds must lie in ``[low, high]``."""
    if _is_number(factor):
        bounds = (-abs(factor), abs(factor)) if symmetric else (factor, factor)
    elif isinstance(factor, (list, tuple)) and len(factor) == 2 and all(_is_number(f) for f in factor):
        bounds = tuple(factor)
    else:
        raise ValueError(f"{who}: expected {what} to be a number or a pair (lower, upper), received {factor!r}")
    if bounds[0] > bounds[1] or (low is not None and bounds[0] < low) or (high is not None and bounds[1] > high):
        span = f" within [{low}, {high}]" if low is not None or high is not None else ""
        raise ValueError(f"{who}: expected {what} bounds with lower <= upper{span}, received {factor!r}")
    return float(bounds[0]), float(bounds[1])


def _config_value(factor):
    return list(factor) if isinstance(factor, (list, tuple)) else factor


class _RandomImageLayer(Layer):
    """Shared by the augmentation layers: the training switch, the random stream, the shapes."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        # with a seed the layer owns its stream; without, it draws from the global generator
        self._rng = None if seed is None else backend.make_rng(seed)
        self._who = f"{type(self).__name__} '{self.name}'"

    def _uniform(self, bounds, n, xp):
        """``n`` draws from U(bounds), on the host generator, moved to where the images live."""
        return xp.asarray((self._rng or backend.rng()).uniform(bounds[0], bounds[1], size=n))

    def call(self, inputs, training=None):
        if not training:
            return inputs
        images, single = image_batch(self, inputs)
        return unbatch(self.augment(images), single)

    def augment(self, images):  # pragma: no cover - each layer defines it
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["seed"] = self.seed
        return config


class _AffineLayer(_RandomImageLayer):
    """An augmentation that is an affine map per image, read through ``affine_sample``."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        check_fill(self._who, fill_mode, interpolation)
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, float(fill_value)

    def augment(self, images):
        matrices = self.matrices(images.shape[0], images.shape[1], images.shape[2], array_module(images.data))
        return affine_sample(images, matrices, interpolation=self.interpolation, fill_mode=self.fill_mode,
                             fill_value=self.fill_value)

    def get_config(self):
        config = super().get_config()
        config.update(fill_mode=self.fill_mode, interpolation=self.interpolation, fill_value=self.fill_value)
        return config


def _matrices(xp, a0, a1, a2, b0, b1, b2):
    """Stack per-image coefficients (arrays of length n, or numbers) into ``(n, 2, 3)``."""
    n = max(getattr(v, "shape", (1,))[0] for v in (a0, a1, a2, b0, b1, b2))
    rows = [xp.broadcast_to(xp.asarray(v, dtype="float64"), (n,)) for v in (a0, a1, a2, b0, b1, b2)]
    return xp.stack(rows, axis=-1).reshape(n, 2, 3)


class RandomFlip(_RandomImageLayer):
    """Flips each image left-right and/or upside down, each with probability 1/2.

    Args:
        mode: ``"horizontal"`` (left-right), ``"vertical"`` (upside down) or
            ``"horizontal_and_vertical"`` (default: each of the two, independently).
        seed: seed of the layer's own random stream.

    Example: see the module docstring.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in FLIP_MODES:
            raise ValueError(f"{self._who}: expected mode in {list(FLIP_MODES)}, received {mode!r}")
        self.mode = mode

    def augment(self, images):
        xp = array_module(images.data)
        n = images.shape[0]
        for axis, flips in ((2, "horizontal"), (1, "vertical")):
            if flips in self.mode:
                chosen = self._uniform((0.0, 1.0), n, xp) < 0.5
                reverse = (slice(None),) * axis + (slice(None, None, -1),)
                images = ops.where(chosen.reshape(n, 1, 1, 1), ops.getitem(images, reverse), images)
        return images

    def get_config(self):
        config = super().get_config()
        config["mode"] = self.mode
        return config


class RandomRotation(_AffineLayer):
    """Rotates each image about its centre by a random angle.

    Args:
        factor: the angle as a fraction of a full turn: f means a uniform angle in
            ``[-f, f] * 2 pi``; a pair ``(lower, upper)`` gives the range. Positive angles turn
            the image counter-clockwise (``factor=(0.25, 0.25)`` is ``np.rot90``).
        fill_mode, interpolation, fill_value: how positions outside the image and between
            pixels are read (``affine.py``); defaults ``"reflect"`` and ``"bilinear"`` as in Keras.
        seed: seed of the layer's own random stream.

    Example:
        >>> import numpy as np
        >>> image = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
        >>> turn = RandomRotation((0.25, 0.25))
        >>> np.allclose(turn(image, training=True).numpy()[0, :, :, 0], np.rot90(image[0, :, :, 0]), atol=1e-5)
        True
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = _config_value(factor)
        self._bounds = factor_range(self._who, "factor", factor)

    def matrices(self, n, h, w, xp):
        angle = self._uniform(self._bounds, n, xp) * (2 * math.pi)
        cos, sin = xp.cos(angle), xp.sin(angle)
        cx, cy = (w - 1) / 2, (h - 1) / 2
        # in - c = R (out - c), R = [[cos, -sin], [sin, cos]]
        return _matrices(xp, cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy)

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


class RandomTranslation(_AffineLayer):
    """Shifts each image by a random fraction of its height and width.

    Args:
        height_factor: f means a vertical shift uniform in ``[-f, f] * height`` (positive: down);
            a pair ``(lower, upper)`` gives the range; within [-1, 1].
        width_factor: the same across (positive: right).
        fill_mode, interpolation, fill_value, seed: as in ``RandomRotation``.

    Example:
        >>> import numpy as np
        >>> image = np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1)
        >>> right = RandomTranslation(0.0, (0.25, 0.25), fill_mode="constant")
        >>> right(image, training=True).numpy()[0, 0, :, 0]
        array([0., 0., 1., 2.], dtype=float32)
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = _config_value(height_factor), _config_value(width_factor)
        self._height = factor_range(self._who, "height_factor", height_factor, -1.0, 1.0)
        self._width = factor_range(self._who, "width_factor", width_factor, -1.0, 1.0)

    def matrices(self, n, h, w, xp):
        dy = self._uniform(self._height, n, xp) * h
        dx = self._uniform(self._width, n, xp) * w
        return _matrices(xp, 1.0, 0.0, -dx, 0.0, 1.0, -dy)   # in = out - shift

    def get_config(self):
        config = super().get_config()
        config.update(height_factor=self.height_factor, width_factor=self.width_factor)
        return config


class RandomZoom(_AffineLayer):
    """Zooms each image in or out about its centre by a random amount.

    Args:
        height_factor: f means a vertical zoom uniform in ``[-f, f]``; a pair gives the range.
            Positive values zoom out (the picture shrinks: 0.5 shows 1.5 times the height),
            negative ones zoom in; the lower bound must be above -1.
        width_factor: the same across; None (default) zooms across by the vertical amount,
            keeping the aspect ratio.
        fill_mode, interpolation, fill_value, seed: as in ``RandomRotation``.

    Example:
        >>> import numpy as np
        >>> image = np.random.default_rng(0).random((1, 5, 5, 1)).astype(np.float32)
        >>> same = RandomZoom(0.0)(image, training=True).numpy()      # zoom by 0: unchanged
        >>> bool(np.allclose(same, image))
        True
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = _config_value(height_factor), _config_value(width_factor)
        self._height = factor_range(self._who, "height_factor", height_factor)
        self._width = None if width_factor is None else factor_range(self._who, "width_factor", width_factor)
        for bounds, what in ((self._height, "height_factor"), (self._width, "width_factor")):
            if bounds is not None and bounds[0] <= -1:
                raise ValueError(f"{self._who}: expected {what} above -1 (zooming in by 100% or more leaves no "
                                 f"image), received {bounds}")

    def matrices(self, n, h, w, xp):
        zy = 1 + self._uniform(self._height, n, xp)
        zx = zy if self._width is None else 1 + self._uniform(self._width, n, xp)
        cx, cy = (w - 1) / 2, (h - 1) / 2
        return _matrices(xp, zx, 0.0, cx * (1 - zx), 0.0, zy, cy * (1 - zy))   # in - c = z (out - c)

    def get_config(self):
        config = super().get_config()
        config.update(height_factor=self.height_factor, width_factor=self.width_factor)
        return config


class RandomContrast(_RandomImageLayer):
    """Scales each image's contrast by a random factor: per image and channel,
    ``y = (x - mean) * c + mean`` with ``mean`` over the pixels and ``c`` uniform in
    ``[1 - lower, 1 + upper]``, then clipped to ``value_range`` (Keras 3).

    Args:
        factor: f means ``lower = upper = f``; a pair gives ``(lower, upper)``; lower in [0, 1].
        value_range: the range of the pixel values, ``(0, 255)`` by default.
        seed: seed of the layer's own random stream.

    Example:
        >>> import numpy as np
        >>> image = np.array([0.0, 10.0, 20.0], dtype=np.float32).reshape(1, 1, 3, 1)
        >>> flat = RandomContrast((1.0, -1.0))        # c = 0: every pixel becomes the mean
        >>> flat(image, training=True).numpy()[0, 0, :, 0]
        array([10., 10., 10.], dtype=float32)
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _config_value(factor)
        if _is_number(factor):
            lower, upper = factor_range(self._who, "factor", factor, symmetric=False)
        elif isinstance(factor, (list, tuple)) and len(factor) == 2 and all(_is_number(f) for f in factor):
            lower, upper = float(factor[0]), float(factor[1])
        else:
            raise ValueError(f"{self._who}: expected factor to be a number or a pair (lower, upper), "
                             f"received {factor!r}")
        if not 0 <= lower <= 1 or 1 + upper < 1 - lower:
            raise ValueError(f"{self._who}: expected factor with lower in [0, 1] and 1 - lower <= 1 + upper, "
                             f"received {factor!r}")
        if not (isinstance(value_range, (list, tuple)) and len(value_range) == 2
                and all(_is_number(v) for v in value_range) and value_range[0] < value_range[1]):
            raise ValueError(f"{self._who}: expected value_range (low, high) with low < high, "
                             f"received {value_range!r}")
        self._bounds = (1 - lower, 1 + upper)
        self.value_range = [float(v) for v in value_range]

    def augment(self, images):
        xp = array_module(images.data)
        n = images.shape[0]
        c = Tensor(self._uniform(self._bounds, n, xp).astype(images.dtype).reshape(n, 1, 1, 1))
        mean = ops.mean(images, axis=(1, 2), keepdims=True)
        return ops.clip((images - mean) * c + mean, *self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update(factor=self.factor, value_range=self.value_range)
        return config
