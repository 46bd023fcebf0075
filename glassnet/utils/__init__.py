"""Utilities: ``to_categorical``, ``set_random_seed``, the progress bar.

Example:
    >>> from glassnet.utils import to_categorical
    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
"""
from glassnet.backend import set_seed as set_random_seed  # noqa: F401  (Keras's name)
from glassnet.preprocessing import to_categorical  # noqa: F401
from glassnet.utils.progbar import Progbar  # noqa: F401
