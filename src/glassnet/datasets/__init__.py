"""Data sets for the course: real ones read from files, small ones made on the spot.

* ``mnist``, ``fashion_mnist``: ``load_data()`` -> ``(x_train, y_train), (x_test, y_test)``,
  uint8, like Keras. Files come from ``path=``, ``$GLASSNET_DATA/<name>/`` or
  ``~/.glassnet/datasets/<name>/``, downloaded there if missing, always verified.
* Keras's other data sets, with Keras's ``load_data`` arguments and results: ``imdb`` and
  ``reuters`` (word-index sequences, ``get_word_index``), ``cifar10``, ``cifar100``,
  ``boston_housing``, ``california_housing``: the files Keras downloads (CIFAR: the binary
  version), found and downloaded the same way, hash-checked, read without pickle.
* ``iris``: the 150 flowers, shipped with glassnet.
* ``diabetes``: 442 patients, 10 features, a disease-progression target (regression), shipped.
* ``toy``: logic gates, the course's 8 regression points, moons, circles, spirals, and
  ``generate_time_series`` (the course's sine-wave series).
* ``csv`` (module ``tabular``): ``load_table`` reads any CSV table with a label column.
* ``stocks``: OHLCV price series from CSV files; ``stocks.load_windows`` splits by time,
  scales on the training part and cuts forecasting windows in one call.

Host-only: data sets are NumPy arrays in host memory (the array seam in ``glassnet.backend``
moves batches to a device, if any, when a model uses them).

Example:
    >>> from glassnet import datasets
    >>> (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()   # doctest: +SKIP
    >>> x, y = datasets.iris.load_data()
    >>> x.shape
    (150, 4)
"""
import sys as _sys

from glassnet.datasets import (  # noqa: F401
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    diabetes,
    fashion_mnist,
    imdb,
    iris,
    mnist,
    reuters,
    stocks,
    tabular,
    toy,
)
from glassnet.datasets._files import (  # noqa: F401
    ENV_VAR,
    DataIntegrityError,
    DatasetNotFoundError,
    data_home,
)
from glassnet.datasets.tabular import Table, load_table  # noqa: F401

# ``glassnet.datasets.csv`` is the public name of the ``tabular`` module. Registering it also
# makes ``from glassnet.datasets.csv import load_table`` work, without a file named csv.py that
# would hide the standard library's csv module from code in this folder.
csv = tabular
_sys.modules[__name__ + ".csv"] = tabular

__all__ = ["mnist", "fashion_mnist", "imdb", "reuters", "cifar10", "cifar100", "boston_housing",
           "california_housing", "iris", "diabetes", "toy", "csv", "tabular", "stocks", "load_table",
           "Table", "data_home", "ENV_VAR", "DataIntegrityError", "DatasetNotFoundError"]
