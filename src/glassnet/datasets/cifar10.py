"""CIFAR-10: 50,000 training and 10,000 test colour images, 32x32, in 10 classes.

Read from the binary version of the data set (``cifar-10-binary.tar.gz`` from the Toronto site,
checked against its SHA-256): Keras's ``cifar-10-python.tar.gz`` holds pickles, which glassnet
never loads (see ``_cifar``). Same images, same order and same arrays as
``keras.datasets.cifar10.load_data``. Put the archive (as downloaded, not extracted) in
``$GLASSNET_DATA/cifar10/`` or ``~/.glassnet/datasets/cifar10/``, or let glassnet download it.

Example:
    >>> from glassnet.datasets import cifar10
    >>> (x_train, y_train), (x_test, y_test) = cifar10.load_data()    # doctest: +SKIP
    >>> x_train.shape, y_train.shape, cifar10.CLASS_NAMES[y_train[0, 0]]   # doctest: +SKIP
    ((50000, 32, 32, 3), (50000, 1), 'frog')
"""
from __future__ import annotations

from glassnet.datasets._cifar import CIFAR10 as SPEC

FILE = SPEC.file
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_data(*, data_dir=None, download: bool = True, verify: bool = True):
    """Load CIFAR-10 like ``keras.datasets.cifar10.load_data``.

    Args:
        data_dir: the folder holding ``cifar-10-binary.tar.gz`` (or one with a ``cifar10/``
            sub-folder); default ``$GLASSNET_DATA/cifar10`` or ``~/.glassnet/datasets/cifar10``.
        download: fetch the archive (170 MB) from the Toronto site when it is missing.
        verify: check the archive's SHA-256.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images (50000, 32, 32, 3) and
        (10000, 32, 32, 3), channels last; uint8 labels 0-9 of shape (50000, 1) and (10000, 1).

    Raises:
        DatasetNotFoundError: the archive is missing and could not be downloaded.
        DataIntegrityError: the archive is damaged, not the published one, or not the binary version.

    Example:
        >>> (x_train, y_train), _ = load_data(data_dir="/data")   # doctest: +SKIP
        >>> x_train = x_train.astype("float32") / 255.0           # doctest: +SKIP
    """
    return SPEC.load(data_dir=data_dir, download=download, verify=verify)
