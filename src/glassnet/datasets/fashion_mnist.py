"""Fashion-MNIST (Zalando, MIT licence): 28x28 grey images of 10 kinds of clothing.

Same format and sizes as MNIST (60,000 training and 10,000 test images), so it drops into
any MNIST example. Class names are in ``CLASS_NAMES``.

Example:
    >>> from glassnet.datasets import fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()   # doctest: +SKIP
    >>> fashion_mnist.CLASS_NAMES[y_train[0]]                               # doctest: +SKIP
    'Ankle boot'
"""
from __future__ import annotations

from glassnet.datasets._idx import IdxDataset

MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# SHA-256 of the UNCOMPRESSED content of the files in glassnet's shared data folder (see
# shared/data/README.md): rebuilt from the 70,000 real images with a fixed 6,000 / 1,000
# per-class split, so they are not the official split and the official files hash otherwise.
SHA256 = {
    "train-images-idx3-ubyte.gz": "b09825222cc864729d4706ee7a4c9f8bbd2486f0eae80efc3c231da7d8a1f91d",
    "train-labels-idx1-ubyte.gz": "7cd88f551e93510030f93325e39e5d8112c932e2d6d2b1fde7ead816545ae184",
    "t10k-images-idx3-ubyte.gz": "a7ab3ca6a510e6a4388cfb501c39a16accc115994da7af3a582c75aaacbf9ad1",
    "t10k-labels-idx1-ubyte.gz": "59df6c6ad638dc43879f10a8c5b516aabdcef4f924ba14410bf8aec5e518b1c4",
}

# The official files, as downloaded from the mirror, are recognised by the MD5 that Zalando
# publishes for each .gz file (the same values torchvision checks).
GZ_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}

SPEC = IdxDataset(title="Fashion-MNIST", subdir="fashion-mnist", mirrors=MIRRORS, sha256=SHA256,
                  gz_md5=GZ_MD5)


def load_data(path=None, *, data_dir=None, verify=True, download: bool = True):
    """Load Fashion-MNIST as uint8 arrays, like ``keras.datasets.fashion_mnist.load_data``.

    Folder resolution, download and checks are those of ``mnist.load_data``, with the
    sub-folder ``fashion-mnist``.

    Args:
        path: the folder holding the ``.gz`` files (or one with a ``fashion-mnist/``
            sub-folder), or ``None`` for ``$GLASSNET_DATA`` / ``~/.glassnet/datasets``.
        data_dir: another name for ``path``.
        verify: ``True`` accepts the files of glassnet's shared data folder (by the SHA-256 of
            their content) and the official files (by the published MD5 of each .gz);
            ``False`` skips that check; a dict ``{file name: sha256}`` checks those values.
        download: fetch missing files from the mirror.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images (60000, 28, 28) and
        (10000, 28, 28), uint8 labels 0-9.

    Raises:
        DatasetNotFoundError: files missing and the download failed.
        DataIntegrityError: a file is truncated, corrupt or not the expected content.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(data_dir="/data")  # doctest: +SKIP
    """
    return SPEC.load(path, data_dir=data_dir, verify=verify, download=download)
