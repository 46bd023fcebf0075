"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28, labels 0-9.

Example:
    >>> from glassnet.datasets import mnist
    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()     # doctest: +SKIP
    >>> x_train.shape, x_train.dtype, y_test[:10]                    # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), array([7, 2, 1, 0, 4, 1, 4, 9, 5, 9], dtype=uint8))
"""
from __future__ import annotations

from glassnet.datasets._idx import IdxDataset

MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)

# SHA-256 of the UNCOMPRESSED content: the mirrors' .gz bytes differ, their content does not
SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

SPEC = IdxDataset(title="MNIST", subdir="mnist", mirrors=MIRRORS, sha256=SHA256)


def load_data(path=None, *, data_dir=None, verify=True, download: bool = True):
    """Load MNIST as uint8 arrays, like ``keras.datasets.mnist.load_data``.

    The four IDX files are looked for in ``path`` (or ``data_dir``), else in
    ``$GLASSNET_DATA/mnist``, else in ``~/.glassnet/datasets/mnist``; missing ones are
    downloaded there from the public mirrors. The uncompressed content of every file is
    checked against its known SHA-256, so a damaged file is an error, never half-read data.

    Args:
        path: the folder holding the ``.gz`` files (a folder with an ``mnist/`` sub-folder
            works too), or ``None``.
        data_dir: another name for ``path``.
        verify: ``True`` checks SHA-256 values (default), ``False`` skips that check (the IDX
            header and size are still checked), or a dict ``{file name: sha256}``.
        download: fetch missing files from the mirrors (``False``: error instead).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: images uint8 of shape (60000, 28, 28) and
        (10000, 28, 28), labels uint8 of shape (60000,) and (10000,).

    Raises:
        DatasetNotFoundError: files missing and the download failed; says where to put them.
        DataIntegrityError: a file is truncated, corrupt or not the expected content.

    Example:
        >>> (x_train, y_train), _ = load_data("/data/mnist")        # doctest: +SKIP
        >>> x_train = x_train.astype("float32") / 255.0              # doctest: +SKIP
    """
    return SPEC.load(path, data_dir=data_dir, verify=verify, download=download)
