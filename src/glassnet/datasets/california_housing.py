"""California housing (1990 census): 20,640 block groups, 8 features, the median house value in $.

Keras's ``california_housing.npz``, checked against its SHA-256; ``version="small"`` keeps the
first 600 rows, Keras's stand-in for ``boston_housing``.

Example:
    >>> from glassnet.datasets import california_housing
    >>> (x_train, y_train), (x_test, y_test) = california_housing.load_data()   # doctest: +SKIP
    >>> x_train.shape                                                            # doctest: +SKIP
    (16512, 8)
"""
from __future__ import annotations

from glassnet.datasets._keras_files import KerasFile, check_test_split, shuffled_split
from glassnet.datasets.boston_housing import read_xy

FILE = KerasFile("California housing", "california_housing", "california_housing.npz",
                 sha256="1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f")
FEATURES = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude")


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113, *, data_dir=None,
              download: bool = True, verify: bool = True):
    """Load the data like ``keras.datasets.california_housing.load_data``.

    Args:
        version: ``"large"`` (all 20,640 rows) or ``"small"`` (the first 600).
        path: the file name in the data folder, or a path to the file.
        test_split: fraction for the test set, in [0, 1).
        seed: seed of the shuffle (``np.random.RandomState``), done after choosing the rows.
        data_dir: the folder (default ``$GLASSNET_DATA/california_housing`` or the cache).
        download: fetch the file from Keras's address when missing.
        verify: check the file's SHA-256.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``; ``x`` has the 8 columns of ``FEATURES``.

    Example:
        >>> (x_train, y_train), _ = load_data(version="small")   # doctest: +SKIP
    """
    who = "california_housing.load_data"
    if version not in ("small", "large"):
        raise ValueError(f"{who}: expected version 'small' or 'large', received {version!r}")
    test_split = check_test_split(test_split, who)
    x, y = read_xy(FILE, path, data_dir, download, verify)
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffled_split(x, y, test_split, seed)
