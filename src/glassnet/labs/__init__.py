"""Labs: the course's exercises as runnable experiments (``glassnet labs run NAME``).

Each lab lives in its own module here and registers itself with ``@register``; see
``glassnet/labs/base.py`` for the framework.
"""
from glassnet.labs.base import REGISTRY, Lab, LabContext, LabResult, Param, register, run_lab  # noqa: F401



def load_all() -> dict:
    """Import every lab module in this folder and return the registry (name -> lab class).

    Every module not starting with ``_`` (and not ``base``) is a lab module that registers
    its labs on import, so adding a lab is adding a file.
    """
    import importlib
    import pkgutil
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name != "base":
            importlib.import_module(f"{__name__}.{info.name}")
    return REGISTRY
