"""Models: ``Sequential``, functional ``Model``, and saving/loading.

- ``model``: ``Model`` (the base, and subclassing)
- ``sequential``: ``Sequential`` (and ``Sequential.from_config``, which rebuilds one)
- ``functional``: ``Functional`` (what ``Model(inputs, outputs)`` makes) and
  ``functional_from_config``
- ``trainer``: ``compile``, ``fit``, ``evaluate``, ``predict`` and the batch methods
- ``data_sources``: batches from a generator, a ``utils.Sequence`` or a ``PyDataset`` for them
- ``steps``: ``train_step`` / ``test_step`` (override them to change what ``fit`` and
  ``evaluate`` do), ``compute_loss``, ``compute_metrics``, ``metrics``, ``unpack_x_y_sample_weight``
- ``compile_utils``: what ``compile`` makes of its arguments (``metrics=["accuracy"]`` becomes
  binary, categorical or sparse categorical accuracy according to the loss; ``OutputLoss``
  logs each output's loss of a multi-output model)
- ``summary``: ``model.summary()``
- ``saving``: ``save_model``, ``load_model``, weights files: the file format only (each model
  class rebuilds itself from its config; layers come back through ``glassnet.layers.deserialize``)
- ``cloning``: ``clone_model`` (same architecture, fresh weights), ``model.to_json()`` and
  ``model_from_json`` (the architecture as JSON)

No module here imports one that imports it back (``tests/test_structure.py`` checks).
"""
from glassnet.models.model import Model  # noqa: F401
from glassnet.models import steps  # noqa: F401
from glassnet.models.sequential import Sequential  # noqa: F401
from glassnet.models.functional import Functional  # noqa: F401
from glassnet.models.saving import ModelFileError, load_model, model_from_config, save_model  # noqa: F401
from glassnet.models.cloning import clone_model, model_from_json, model_to_json  # noqa: F401
