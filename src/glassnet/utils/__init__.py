"""Utilities: ``to_categorical``, ``pad_sequences``, ``set_random_seed``, ``normalize``, ``plot_model``,
``get_file`` (``keras_utils``), the progress bar,
``timeseries_dataset_from_array`` (and the ``timeseries`` module's windowing, forecasting and
baselines).

Example:
    >>> from glassnet.utils import to_categorical
    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
"""
from glassnet.preprocessing import to_categorical  # noqa: F401
from glassnet.preprocessing.sequence import pad_sequences  # noqa: F401  (keras.utils.pad_sequences)
from glassnet.utils.progbar import Progbar  # noqa: F401
from glassnet.utils import timeseries  # noqa: F401
from glassnet.utils.timeseries import timeseries_dataset_from_array  # noqa: F401
from glassnet.utils.keras_utils import (  # noqa: F401
    PyDataset, Sequence, get_file, normalize, plot_model, register_keras_serializable, set_random_seed)
