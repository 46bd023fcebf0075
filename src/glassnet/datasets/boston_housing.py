"""Boston housing prices (StatLib, 1970s): 506 areas, 13 features, the median home value in k$.

Keras's ``boston_housing.npz``, checked against its SHA-256. Keras warns, and so does glassnet,
that one feature ("B") encodes an assumption about race: prefer ``california_housing`` except
to discuss that very problem.

Example:
    >>> from glassnet.datasets import boston_housing
    >>> (x_train, y_train), (x_test, y_test) = boston_housing.load_data()   # doctest: +SKIP
    >>> x_train.shape, y_train.shape                                         # doctest: +SKIP
    ((404, 13), (404,))
"""
from __future__ import annotations

from glassnet.datasets._files import DataIntegrityError
from glassnet.datasets._keras_files import KerasFile, check_test_split, shuffled_split

FILE = KerasFile("Boston housing", "boston_housing", "boston_housing.npz",
                 sha256="f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5")


def load_data(path="boston_housing.npz", test_split=0.2, seed=113, *, data_dir=None, download: bool = True,
              verify: bool = True):
    """Load the data like ``keras.datasets.boston_housing.load_data``: the same rows, shuffled by
    ``np.random.RandomState(seed)``, the first ``int(n * (1 - test_split))`` for training.

    Args:
        path: the file name in the data folder, or a path to the file.
        test_split: fraction for the test set, in [0, 1).
        seed: seed of the shuffle.
        data_dir: the folder (default ``$GLASSNET_DATA/boston_housing`` or the cache).
        download: fetch the file from Keras's address when missing.
        verify: check the file's SHA-256.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``, float64, ``x`` of shape (n, 13).

    Example:
        >>> (x_train, y_train), _ = load_data(test_split=0.1, seed=0)   # doctest: +SKIP
    """
    test_split = check_test_split(test_split, "boston_housing.load_data")
    x, y = read_xy(FILE, path, data_dir, download, verify)
    return shuffled_split(x, y, test_split, seed)


def read_xy(spec: KerasFile, path, data_dir, download, verify):
    """The numeric arrays ``x`` (2-D) and ``y`` (1-D, one per row) of a data set's ``.npz``."""
    arrays = spec.read_npz(path, data_dir, download=download, verify=verify, keys=("x", "y"))
    x, y = arrays["x"], arrays["y"]
    if isinstance(x, list) or isinstance(y, list) or x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise DataIntegrityError(f"{spec.name}: expected numeric x of shape (n, features) and y of shape (n,), "
                                 f"received {getattr(x, 'shape', 'sequences')} and {getattr(y, 'shape', 'sequences')}")
    return x, y
