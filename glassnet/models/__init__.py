"""Models: ``Sequential``, functional ``Model``, and saving/loading.

- ``model``: ``Model`` (the base, and subclassing)
- ``sequential``: ``Sequential``
- ``functional``: ``Functional`` (what ``Model(inputs, outputs)`` makes)
- ``trainer``: ``compile``, ``fit``, ``evaluate``, ``predict`` and the batch methods
- ``summary``: ``model.summary()``
- ``saving``: ``save_model``, ``load_model``, weights files
"""
from glassnet.models.model import Model  # noqa: F401
from glassnet.models.sequential import Sequential  # noqa: F401
from glassnet.models.functional import Functional  # noqa: F401
from glassnet.models.saving import ModelFileError, load_model, model_from_config, save_model  # noqa: F401
