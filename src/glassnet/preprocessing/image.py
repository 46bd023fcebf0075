"""Image pixels as floats: ``normalize_images`` scales 0-255 integers to [0, 1]; and Keras 2's
``ImageDataGenerator`` (random augmentation for ``fit``, in ``image_generator.py``).

Example:
    >>> import numpy as np
    >>> from glassnet.preprocessing import normalize_images
    >>> normalize_images(np.array([0, 255], dtype=np.uint8))
    array([0., 1.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from glassnet import backend

from glassnet.preprocessing.image_generator import ImageDataGenerator, NumpyArrayIterator

__all__ = ["normalize_images", "ImageDataGenerator", "NumpyArrayIterator"]


def normalize_images(x, dtype: str | None = None) -> np.ndarray:
    """Scale 8-bit images (values 0-255) to floats in [0, 1], i.e. ``x / 255``.

    Args:
        x: an integer array (usually uint8) of pixel values between 0 and 255.
        dtype: float dtype of the result; ``None`` means ``backend.floatx()`` (float32).

    Returns:
        A float array of the same shape with values in [0, 1].

    Raises:
        ValueError: for float input (already scaled?) or integer values outside 0-255.

    Example:
        >>> import numpy as np
        >>> normalize_images(np.array([[0, 51, 255]], dtype=np.uint8))
        array([[0. , 0.2, 1. ]], dtype=float32)
    """
    arr = np.asarray(x)
    dtype = np.dtype(dtype or backend.floatx())
    if arr.dtype.kind not in "iu":
        raise ValueError(
            "normalize_images: expected integer pixel values 0-255 (such as uint8), received an "
            f"array of dtype {arr.dtype}; float images are probably scaled already")
    if arr.dtype != np.uint8 and arr.size and (arr.min() < 0 or arr.max() > 255):
        raise ValueError(
            f"normalize_images: expected pixel values in [0, 255], received values in "
            f"[{arr.min()}, {arr.max()}]")
    out = arr.astype(dtype)
    out /= dtype.type(255)
    return out

