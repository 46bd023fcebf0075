"""CIFAR-100: 50,000 training and 10,000 test colour images, 32x32, in 100 classes grouped in 20.

Read from the binary version (``cifar-100-binary.tar.gz`` from the Toronto site, checked against
its SHA-256) for the reason given in ``cifar10``. Same arrays as
``keras.datasets.cifar100.load_data``.

Example:
    >>> from glassnet.datasets import cifar100
    >>> (x_train, y_train), _ = cifar100.load_data(label_mode="coarse")   # doctest: +SKIP
    >>> int(y_train.max())                                                 # doctest: +SKIP
    19
"""
from __future__ import annotations

import numpy as np

from glassnet.datasets._cifar import CIFAR100 as SPEC

FILE = SPEC.file


def load_data(label_mode="fine", *, data_dir=None, download: bool = True, verify: bool = True):
    """Load CIFAR-100 like ``keras.datasets.cifar100.load_data``.

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (their 20 super-classes).
        data_dir: the folder holding ``cifar-100-binary.tar.gz`` (or one with a ``cifar100/``
            sub-folder); default ``$GLASSNET_DATA/cifar100`` or ``~/.glassnet/datasets/cifar100``.
        download: fetch the archive (168 MB) from the Toronto site when it is missing.
        verify: check the archive's SHA-256.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images (50000, 32, 32, 3) and
        (10000, 32, 32, 3); int64 labels of shape (50000, 1) and (10000, 1), as Keras gives them.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(label_mode="fine")   # doctest: +SKIP
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"cifar100.load_data: expected label_mode 'fine' or 'coarse', received {label_mode!r}")
    return SPEC.load(label=1 if label_mode == "fine" else 0, label_dtype=np.int64, data_dir=data_dir,
                     download=download, verify=verify)
