"""Turning names into objects: the one rule behind every ``get()`` (losses, metrics, ...).

``Dense(10, activation="relu")``, ``compile(optimizer="adam", loss="mse")`` and
``kernel_initializer="he_normal"`` all pass a *name* that a ``get()`` function turns into an
object. The six kinds of named things (activations, initializers, regularizers, losses,
metrics, optimizers) share this module, so they accept names the same way and fail the same
way.

The rule for a name (a string):

1. ``custom_objects`` (your own classes and functions), matched exactly;
2. the kind's names and aliases, as Keras spells them (``"mse"``, ``"mean_squared_error"``,
   ``"he_normal"``), ignoring case;
3. its class names (``"MeanSquaredError"``, ``"HeNormal"``), ignoring case.

So ``"mse"``, ``"MSE"``, ``"mean_squared_error"`` and ``"MeanSquaredError"`` all work. The
``"class_name"`` of a config dict (what ``serialize`` writes) is first matched exactly against
the class names, so a saved ``Accuracy`` comes back as ``Accuracy`` even where the name
``"accuracy"`` means something else; then it follows the same rule.

Anything unknown raises ``ValueError`` with one message shape::

    Unknown loss: 'msq'. Expected one of: 'binary_crossentropy', ..., 'mse', ...

Example:
    >>> table = Lookup("activation", names={"relu": max, "linear": abs})
    >>> table.find("ReLU") is max
    True
    >>> table.find("relu6")
    Traceback (most recent call last):
    ...
    ValueError: Unknown activation: 'relu6'. Expected one of: 'linear', 'relu'.
"""
from __future__ import annotations


class Lookup:
    """The names of one kind of object, and the rule that finds them (see the module docstring).

    Args:
        kind: what the objects are, for messages: ``"loss"``, ``"metric"``, ``"initializer"``...
        names: dict ``name -> object`` of the snake_case names and aliases (an object is a
            class, a function, or any callable the kind's ``get`` knows how to use).
        classes: the classes whose names are accepted too (and that config dicts name).

    Example:
        >>> class Zeros: pass
        >>> table = Lookup("initializer", names={"zeros": Zeros, "zero": Zeros}, classes=[Zeros])
        >>> table.find("ZEROS") is table.find("Zeros") is Zeros
        True
    """

    def __init__(self, kind: str, names: dict, classes=()):
        self.kind = kind
        self.names = dict(names)
        self.classes = {cls.__name__: cls for cls in classes}
        # one case-insensitive table: class names first, so that names win a tie
        self._by_key = {name.lower(): cls for name, cls in self.classes.items()}
        self._by_key.update({name.lower(): obj for name, obj in self.names.items()})

    def find(self, name: str, custom_objects=None):
        """The object ``name`` stands for: ``custom_objects`` exactly, then names and class
        names ignoring case.

        Raises:
            ValueError: for an unknown name (see ``unknown``).
        """
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        obj = self._by_key.get(str(name).lower())
        if obj is None:
            raise self.unknown(name)
        return obj

    def find_class(self, class_name: str, custom_objects=None):
        """The object a config dict's ``"class_name"`` stands for: ``custom_objects`` and the
        class names exactly (as ``serialize`` wrote them), then as ``find`` does."""
        if custom_objects and class_name in custom_objects:
            return custom_objects[class_name]
        if class_name in self.classes:
            return self.classes[class_name]
        return self.find(class_name)

    def is_class_name(self, name) -> bool:
        """True if ``name`` is exactly one of the class names (not a snake_case name)."""
        return name in self.classes

    def unknown(self, name) -> ValueError:
        """The error for an unknown name, listing the known ones:
        ``Unknown loss: 'msq'. Expected one of: 'a', 'b'; or a class name: 'A', 'B'.``"""
        names = sorted(self.names)
        lowered = {n.lower() for n in names}
        classes = sorted(c for c in self.classes if c.lower() not in lowered)
        message = f"Unknown {self.kind}: {name!r}. Expected one of: {_quoted(names)}"
        if classes:
            message += f"; or a class name: {_quoted(classes)}"
        return ValueError(message + ".")

    def not_understood(self, identifier, expected: str) -> ValueError:
        """The error for an identifier of the wrong type (a number where a name was expected):
        ``Could not interpret loss identifier: 3. Expected a name, ...``."""
        return ValueError(f"Could not interpret {self.kind} identifier: {identifier!r}. Expected {expected}.")

    def config_parts(self, config) -> tuple:
        """``(class_name, kwargs)`` of a config dict ``{"class_name": ..., "config": {...}}``.

        Raises:
            ValueError: if ``config`` is not such a dict.
        """
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"{self.kind} config: expected a dict with 'class_name' and 'config', "
                             f"received {config!r}")
        return config["class_name"], dict(config.get("config") or {})


def serialize_object(obj, base_class):
    """``{"class_name": ..., "config": ...}`` for an instance of ``base_class`` (what ``get``
    and ``deserialize`` read back), None for None, and a plain function's ``__name__`` (load it
    back with ``custom_objects``). Initializers and regularizers are saved this way.

    Example:
        >>> class Scale:
        ...     def get_config(self): return {"factor": 2}
        >>> serialize_object(Scale(), Scale), serialize_object(abs, Scale)
        ({'class_name': 'Scale', 'config': {'factor': 2}}, 'abs')
    """
    if obj is None:
        return None
    if isinstance(obj, base_class):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return getattr(obj, "__name__", repr(obj))


def _quoted(names) -> str:
    return ", ".join(repr(n) for n in names)
