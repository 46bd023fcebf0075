"""The import aliases ``glassnet run`` installs: ``keras``, ``tensorflow`` and their submodules.

``install()`` puts a finder first on ``sys.meta_path``. When a program imports ``keras``,
``keras.layers``, ``tensorflow`` or ``tensorflow.keras.optimizers``..., the finder answers with
an *alias module*: a fresh module under the asked name whose attributes are read from the
glassnet module or object it stands for (``glassnet.layers`` for ``keras.layers``). glassnet's own
modules are never renamed or modified, and ``uninstall()`` removes the aliases again.

A name glassnet lacks fails at once with a message that names it (``ImportError`` on import,
``AttributeError`` on attribute access) instead of an ``ImportError`` about a module the user
never asked for.

Example:
    >>> install()
    >>> from tensorflow.keras.layers import Dense
    >>> Dense.__module__
    'glassnet.layers.core'
    >>> uninstall()
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types

from glassnet.compat import DOCS_HINT, warn_renamed

ROOTS = ("keras", "tensorflow")

# Keras 2 module paths (and TF 2.x's experimental ones) -> (the glassnet path under keras, the
# Keras 3 spelling to name in a warning, or None where Keras 3 still has the path)
LEGACY_PATHS = {
    "keras.utils.np_utils": ("utils", None),
    "keras.utils.vis_utils": ("utils", None),
    "keras.utils.data_utils": ("utils", None),
    "keras.utils.generic_utils": ("utils", None),
    "keras.layers.core": ("layers", None),
    "keras.layers.convolutional": ("layers", None),
    "keras.layers.recurrent": ("layers", None),
    "keras.layers.pooling": ("layers", None),
    "keras.layers.normalization": ("layers", None),
    "keras.layers.embeddings": ("layers", None),
    "keras.layers.merge": ("layers", None),
    "keras.layers.advanced_activations": ("layers", None),
    "keras.layers.experimental": ("layers", "keras.layers"),
    "keras.layers.experimental.preprocessing": ("layers", "keras.layers.<Layer> (e.g. keras.layers.Rescaling)"),
    "keras.engine": ("models", None),
    "keras.engine.topology": ("layers", None),
    "keras.engine.training": ("models", None),
    "keras.preprocessing.sequence": ("preprocessing.sequence", "keras.utils.pad_sequences"),
    "keras.preprocessing.text": ("preprocessing.text", "keras.layers.TextVectorization"),
    "keras.preprocessing.image": ("preprocessing.image", "keras.utils.load_img and keras.layers.Random* layers "
                                  "(ImageDataGenerator: Keras 3 dropped it)"),
    "keras.optimizers.legacy": ("optimizers", "keras.optimizers"),
    "keras.wrappers": (None, None),
}


def missing_message(fullname: str) -> str:
    """The error text for a name glassnet does not have."""
    if fullname.startswith("tensorflow") and not fullname.startswith("tensorflow.keras"):
        short = "tf" + fullname[len("tensorflow"):]
        return (f"{short} is TensorFlow itself; glassnet runs Keras programs, not TensorFlow graphs "
                f"(what `import tensorflow as tf` gives under glassnet is listed in glassnet.compat.tensorflow)")
    name = "keras" + fullname[len("tensorflow.keras"):] if fullname.startswith("tensorflow.keras") else fullname
    return f"{name} is not in glassnet (yet); {DOCS_HINT}"


def _keras_root():
    from glassnet.compat import keras
    return keras


def _tensorflow_root():
    from glassnet.compat import tensorflow
    return tensorflow


def resolve(fullname: str):
    """The glassnet module or object that ``fullname`` (``keras.layers``, ``tensorflow``...)
    stands for; ImportError naming it when glassnet has no such thing."""
    parts = fullname.split(".")
    if parts[0] == "tensorflow" and (len(parts) == 1 or parts[1] != "keras"):
        obj = _tensorflow_root()
        walk = parts[1:]
    else:
        walk = parts[2:] if parts[0] == "tensorflow" else parts[1:]
        obj = _keras_root()
        for length in range(len(walk), 0, -1):  # the longest legacy prefix decides
            prefix = "keras." + ".".join(walk[:length])
            if prefix in LEGACY_PATHS:
                target, new = LEGACY_PATHS[prefix]
                if target is None:
                    raise ImportError(missing_message(fullname), name=fullname)
                if new is not None:
                    warn_renamed(prefix, new, stacklevel=4)
                walk = target.split(".") + walk[length:]
                break
    for part in walk:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ImportError(missing_message(fullname), name=fullname) from None
    return obj


class AliasModule(types.ModuleType):
    """A module named like Keras's (``keras.layers``) whose attributes come from glassnet's.

    Attributes that are modules come back as alias modules too, so ``keras.layers.Foo`` names
    ``keras.layers`` in its error, as the program wrote it.
    """

    def __init__(self, name: str, target):
        super().__init__(name, getattr(target, "__doc__", None))
        object.__setattr__(self, "_glassnet_target", target)
        self.__path__ = []  # a package: ``keras.layers.x`` goes through the finder
        names = getattr(target, "__all__", None)
        if names is None:
            names = [n for n in dir(target) if not n.startswith("_")]
        self.__all__ = list(names)

    def __getattr__(self, attr):
        target = object.__getattribute__(self, "_glassnet_target")
        if attr.startswith("__"):  # __version__ from the target; Python's own probes fail quietly
            return getattr(target, attr)
        try:
            value = getattr(target, attr)
        except AttributeError as err:
            message = str(err) if " is TensorFlow itself" in str(err) else missing_message(f"{self.__name__}.{attr}")
            raise AttributeError(message) from None
        if isinstance(value, (types.ModuleType, types.SimpleNamespace)):
            return importlib.import_module(f"{self.__name__}.{attr}")
        return value

    def __dir__(self):
        return sorted(set(dir(object.__getattribute__(self, "_glassnet_target"))))


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return AliasModule(spec.name, self.target)

    def exec_module(self, module):
        pass


class AliasFinder(importlib.abc.MetaPathFinder):
    """Answers imports of ``keras``, ``tensorflow`` and their submodules with alias modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] not in ROOTS:
            return None
        obj = resolve(fullname)
        return importlib.util.spec_from_loader(fullname, _AliasLoader(obj), is_package=True)


_finder = AliasFinder()


def installed() -> bool:
    """True while the aliases are installed."""
    return _finder in sys.meta_path


def install() -> None:
    """Make ``import keras`` / ``import tensorflow`` (and their submodules) give glassnet.

    A real ``keras`` or ``tensorflow`` already imported in this process would be shadowed
    halfway, so that is refused.
    """
    for name in ROOTS:
        module = sys.modules.get(name)
        if module is not None and not isinstance(module, AliasModule):
            raise RuntimeError(f"glassnet.compat: the real {name} is already imported in this process; "
                               f"install the aliases before anything imports it")
    if not installed():
        sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Remove the finder and every alias module from ``sys.modules``."""
    while _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n, m in sys.modules.items() if isinstance(m, AliasModule)]:
        del sys.modules[name]
