"""Running unmodified Keras programs: ``glassnet run script.py`` and what it aliases.

``glassnet run SCRIPT.py [args...]`` (or ``python -m glassnet run ...``) runs a program written
for Keras 2 (``tf.keras``) or Keras 3 on glassnet, unchanged. Before the program starts, it
installs import aliases (``importer.install``), only for that run; a plain ``import glassnet``
aliases nothing, so a real Keras or TensorFlow installed beside glassnet keeps working.

What is aliased:

- ``keras`` -> ``glassnet.compat.keras``: glassnet's Keras namespace (``models``, ``Sequential``,
  ``Model``, ``Input``, ``Layer``, ``optimizers``, ``losses``, ``metrics``, ``callbacks``,
  ``datasets``, ``preprocessing``, ``utils``, ``config``, ``random``, ``activations``,
  ``initializers``, ``regularizers``, ``saving``), where ``keras.layers`` is
  ``glassnet.compat.keras_layers`` (glassnet's layers plus ``add``, ``concatenate``...),
  ``keras.ops`` is ``glassnet.compat.keras_ops`` (glassnet's ops plus ``shape``, ``ones``,
  ``convert_to_numpy``...) and ``keras.backend`` is ``glassnet.compat.keras_backend`` (Keras 2's
  ``K.int_shape``, ``K.get_value``...);
- ``keras.X.Y...`` -> the glassnet module or object found by walking ``X.Y...`` from there;
  Keras 2's module paths too: ``keras.utils.np_utils``, ``keras.utils.vis_utils``,
  ``keras.layers.core``/``convolutional``/``recurrent``/``pooling``/``normalization``/
  ``embeddings``/``merge``, ``keras.layers.experimental.preprocessing``,
  ``keras.preprocessing.text``/``sequence``/``image`` (with a deprecation warning naming
  Keras 3's spelling; ``keras.preprocessing.image.ImageDataGenerator`` is
  ``glassnet.preprocessing.image_generator``'s);
- ``tensorflow`` -> ``glassnet.compat.tensorflow``: a thin module, not TensorFlow (see there:
  ``tf.keras``, ``tf.random.set_seed``, ``tf.GradientTape``, ``tf.constant``, a handful of math);
- ``tensorflow.keras`` and ``tensorflow.keras.X...`` -> the same as ``keras`` and ``keras.X...``.

A name glassnet lacks fails at once with a message naming it (``keras.applications is not in
glassnet...``) and pointing here and at the README's "Run your Keras code" section; a
TensorFlow-only name says "tf.X is TensorFlow itself; glassnet runs Keras programs, not
TensorFlow graphs".

``GLASSNET_MAX_EPOCHS=N`` caps the ``epochs`` of every ``fit`` the program calls (tests run whole
programs in seconds this way). Keras 2 names that Keras 3 renamed (``lr=``, ``Model.fit_generator``,
``keras.preprocessing.*``, ``metrics=['acc']``) work and warn once each (``KerasNameWarning``).

Example:
    >>> from glassnet.compat import importer
    >>> importer.install()            # what ``glassnet run`` does before the program starts
    >>> import keras
    >>> keras.layers.Dense(3)
    <Dense name='dense' built=False>
    >>> importer.uninstall()
"""
from __future__ import annotations

import warnings

DOCS_HINT = ("glassnet lists what it has in the docstring of glassnet.compat and the README section "
             "'Run your Keras code'")


class KerasNameWarning(DeprecationWarning):
    """A Keras 2 spelling that Keras 3 renamed; the message names the new spelling."""


_warned: set = set()


def warn_renamed(old: str, new: str, stacklevel: int = 3) -> None:
    """Warn once per ``old`` spelling that Keras 3 writes it ``new``.

    Example:
        >>> warn_renamed("lr=", "learning_rate=")     # doctest: +SKIP
    """
    if old in _warned:
        return
    _warned.add(old)
    warnings.warn(f"{old} is a Keras 2 spelling; Keras 3 (and glassnet) write {new}", KerasNameWarning,
                  stacklevel=stacklevel)
