"""Global settings under Keras 3's names (``keras.config``).

The values live in ``glassnet.backend`` (the array seam); this module gives them the names
Keras 3 programs call.

Example:
    >>> from glassnet import config
    >>> config.floatx(), config.epsilon(), config.image_data_format()
    ('float32', 1e-07, 'channels_last')
"""
from __future__ import annotations

from glassnet.backend import (  # noqa: F401
    epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format)

__all__ = ["floatx", "set_floatx", "epsilon", "set_epsilon", "image_data_format", "set_image_data_format",
           "backend", "disable_traceback_filtering", "enable_traceback_filtering",
           "is_traceback_filtering_enabled", "enable_unsafe_deserialization", "enable_interactive_logging",
           "disable_interactive_logging", "is_interactive_logging_enabled"]

_traceback_filtering = True
_interactive_logging = True


def backend() -> str:
    """``'glassnet'``: the engine under the Keras API (Keras 3 answers ``'tensorflow'``, ``'torch'``...)."""
    return "glassnet"


def disable_traceback_filtering() -> None:
    """Accepted for Keras 3 programs; glassnet never filters tracebacks."""
    global _traceback_filtering
    _traceback_filtering = False


def enable_traceback_filtering() -> None:
    global _traceback_filtering
    _traceback_filtering = True


def is_traceback_filtering_enabled() -> bool:
    return _traceback_filtering


def enable_unsafe_deserialization() -> None:
    """Accepted and a no-op: glassnet's model files hold no code, so nothing unsafe can be
    enabled; a ``Lambda`` is found among glassnet's ops or in ``custom_objects``."""


def enable_interactive_logging() -> None:
    global _interactive_logging
    _interactive_logging = True


def disable_interactive_logging() -> None:
    """Recorded only: glassnet's progress bars follow ``verbose=``."""
    global _interactive_logging
    _interactive_logging = False


def is_interactive_logging_enabled() -> bool:
    return _interactive_logging
