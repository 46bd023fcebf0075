"""``Resizing`` and ``CenterCrop``: bring images of any size to the size a model expects.

Images are channels-last: a batch ``(batch, height, width, channels)`` or one image
``(height, width, channels)``. Resizing reads the input through the affine sampler of
``affine.py`` (pixel centres aligned, as ``tf.image.resize`` does); a centre crop of an image
at least as large as the target is plain slicing. Gradients flow through both.

Example:
    >>> import numpy as np
    >>> images = np.zeros((2, 64, 48, 3), dtype=np.float32)
    >>> Resizing(32, 32)(images).shape, CenterCrop(40, 40)(images).shape
    ((2, 32, 32, 3), (2, 40, 40, 3))
"""
from __future__ import annotations

from glassnet import ops
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor
from glassnet.layers.base import Layer
from glassnet.layers.preprocessing.affine import INTERPOLATIONS, affine_sample, resize_matrices

__all__ = ["Resizing", "CenterCrop"]


def check_size(who: str, **sizes) -> None:
    """Refuse a height or width that is not a positive int."""
    for what, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{who}: expected {what} to be a positive int, received {value!r}")


def image_batch(layer, inputs: Tensor):
    """The input as a float ``(batch, height, width, channels)`` Tensor (gradients flow through
    the reshape), and whether it came without a batch axis (``unbatch`` removes it again)."""
    if inputs.ndim not in (3, 4):
        raise ValueError(f"{type(layer).__name__} '{layer.name}': expected images (batch, height, width, "
                         f"channels) or (height, width, channels), received shape {tuple(inputs.shape)}")
    if inputs.dtype.kind != "f":
        inputs = Tensor(inputs.data.astype(layer.dtype))
    return (ops.reshape(inputs, (1,) + tuple(inputs.shape)), True) if inputs.ndim == 3 else (inputs, False)


def unbatch(images: Tensor, single: bool) -> Tensor:
    return ops.reshape(images, tuple(images.shape[1:])) if single else images


def resize_images(images, height: int, width: int, interpolation: str = "bilinear",
                  crop_to_aspect_ratio: bool = False):
    """Resize a batch of images (a Tensor, or an array) to ``(height, width)``.

    With ``crop_to_aspect_ratio`` the largest centred window of the target's aspect ratio is
    resized (nothing is squashed), with Keras's integer arithmetic for the window.
    """
    n, h, w, _ = images.shape
    box = None
    if crop_to_aspect_ratio:
        crop_h = max(min(h, int(w * height / width)), 1)
        crop_w = max(min(w, int(h * width / height)), 1)
        box = ((h - crop_h) // 2, (w - crop_w) // 2, crop_h, crop_w)
    if box is None and (h, w) == (height, width):
        return images
    matrices = resize_matrices(n, (h, w), (height, width), box, xp=array_module(getattr(images, "data", images)))
    return affine_sample(images, matrices, (height, width), interpolation=interpolation, fill_mode="nearest")


class Resizing(Layer):
    """Resizes images to ``(height, width)``.

    Args:
        height, width: the output size.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        crop_to_aspect_ratio: resize the largest centred window with the target's aspect
            ratio instead of squashing the whole image (default False, as in Keras).

    Input: ``(batch, H, W, C)`` or ``(H, W, C)``, any numbers. Output: float32
    ``(batch, height, width, C)`` (or without the batch axis). Gradients flow back through it.

    Example:
        >>> import numpy as np
        >>> image = np.array([[0.0, 1.0], [2.0, 3.0]], dtype=np.float32).reshape(1, 2, 2, 1)
        >>> Resizing(4, 4, interpolation="nearest")(image).numpy()[0, :, :, 0]
        array([[0., 0., 1., 1.],
               [0., 0., 1., 1.],
               [2., 2., 3., 3.],
               [2., 2., 3., 3.]], dtype=float32)
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, **kwargs):
        super().__init__(**kwargs)
        who = f"Resizing '{self.name}'"
        check_size(who, height=height, width=width)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{who}: expected interpolation in {list(INTERPOLATIONS)}, received {interpolation!r}")
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)

    def call(self, inputs):
        images, single = image_batch(self, inputs)
        return unbatch(resize_images(images, self.height, self.width, self.interpolation,
                                     self.crop_to_aspect_ratio), single)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-3]) + (self.height, self.width, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(height=self.height, width=self.width, interpolation=self.interpolation,
                      crop_to_aspect_ratio=self.crop_to_aspect_ratio)
        return config


class CenterCrop(Layer):
    """Crops the central ``(height, width)`` window of each image.

    The window starts at ``((H - height) // 2, (W - width) // 2)``. An image smaller than the
    target on either side is, as in Keras, resized instead: the largest centred window with the
    target's aspect ratio, resized to the target (bilinear).

    Args:
        height, width: the output size.

    Input: ``(batch, H, W, C)`` or ``(H, W, C)``. Output: ``(batch, height, width, C)`` (or without
    the batch axis), float32. Gradients flow through it.

    Example:
        >>> import numpy as np
        >>> image = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
        >>> CenterCrop(2, 2)(image).numpy()[0, :, :, 0]
        array([[ 5.,  6.],
               [ 9., 10.]], dtype=float32)
    """

    def __init__(self, height, width, **kwargs):
        super().__init__(**kwargs)
        check_size(f"CenterCrop '{self.name}'", height=height, width=width)
        self.height, self.width = int(height), int(width)

    def call(self, inputs):
        if inputs.ndim not in (3, 4):
            image_batch(self, inputs)  # raises the shape error
        h, w = inputs.shape[-3], inputs.shape[-2]
        if h >= self.height and w >= self.width:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            x = inputs if inputs.dtype.kind == "f" else Tensor(inputs.data.astype(self.dtype))
            window = (Ellipsis, slice(top, top + self.height), slice(left, left + self.width), slice(None))
            return ops.getitem(x, window)
        images, single = image_batch(self, inputs)
        return unbatch(resize_images(images, self.height, self.width, crop_to_aspect_ratio=True), single)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-3]) + (self.height, self.width, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update(height=self.height, width=self.width)
        return config
