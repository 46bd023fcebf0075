"""The course's MLP parameter table as a search space, and the build function it drives.

COURSE.md section 2 hands a learner a table of choices for a multi-layer perceptron: hidden
layers and neurons per layer, weight and bias initialisation, activation, dropout,
regularisation (L1, L2) and the learning rate. ``MLPBuilder`` turns such a table (a dict, also
what ``glassnet tune CONFIG.json`` reads) into a build function for the tuners.

Each entry of the table is either a fixed value or a search range:

- ``{"type": "int", "min": 1, "max": 3, "step": 1, "sampling": "linear"}``
- ``{"type": "float", "min": 1e-4, "max": 1e-2, "sampling": "log"}`` (``step`` optional)
- ``{"type": "choice", "values": ["relu", "tanh"]}`` (a plain list means the same)
- ``{"type": "boolean"}``

The keys (``KNOWN``) and their defaults, the Keras quick-start net (one hidden layer of 128
ReLU units, dropout 0.2, Glorot weights, zero biases, Adam at 1e-3): ``layers``, ``units``
(asked per layer as ``units_1``, ``units_2``...: the course's "neurons per layer"),
``activation``, ``kernel_initializer``, ``bias_initializer``, ``dropout``, ``regularizer``
(``"none"``, ``"l1"``, ``"l2"``), ``reg_strength`` (asked only with a regularizer),
``learning_rate``, ``optimizer``.

Example:
    >>> build = MLPBuilder({"layers": {"type": "int", "min": 1, "max": 3},
    ...                     "learning_rate": {"type": "float", "min": 1e-4, "max": 1e-2, "sampling": "log"}},
    ...                    input_shape=(28, 28), n_classes=10)
    >>> tuner = RandomSearch(build, objective="val_accuracy", max_trials=8)
"""
from __future__ import annotations

__all__ = ["MLPBuilder", "COURSE_TABLE", "DEFAULTS", "KNOWN"]

DEFAULTS = {"layers": 1, "units": 128, "activation": "relu", "kernel_initializer": "glorot_uniform",
            "bias_initializer": "zeros", "dropout": 0.2, "regularizer": "none", "reg_strength": 1e-4,
            "learning_rate": 1e-3, "optimizer": "adam"}
KNOWN = tuple(DEFAULTS)

# COURSE.md section 2's table, with ranges a learner would try on MNIST
COURSE_TABLE = {
    "layers": {"type": "int", "min": 1, "max": 3},
    "units": {"type": "choice", "values": [32, 64, 128, 256]},
    "kernel_initializer": {"type": "choice",
                           "values": ["random_normal", "truncated_normal", "glorot_uniform", "zeros"]},
    "bias_initializer": {"type": "choice", "values": ["zeros", "ones", "random_normal"]},
    "activation": {"type": "choice", "values": ["relu", "tanh", "sigmoid", "elu"]},
    "dropout": {"type": "float", "min": 0.0, "max": 0.5, "step": 0.1},
    "regularizer": {"type": "choice", "values": ["none", "l1", "l2"]},
    "reg_strength": {"type": "float", "min": 1e-5, "max": 1e-2, "sampling": "log"},
    "learning_rate": {"type": "float", "min": 1e-4, "max": 1e-2, "sampling": "log"},
}


def _check_spec(name, spec):
    if isinstance(spec, dict):
        kind = spec.get("type")
        if kind not in ("int", "float", "choice", "boolean"):
            raise ValueError(f"search space {name!r}: expected type 'int', 'float', 'choice' or 'boolean', "
                             f"received {kind!r}")
        if kind in ("int", "float") and ("min" not in spec or "max" not in spec):
            raise ValueError(f"search space {name!r}: an {kind} range needs 'min' and 'max', received {spec}")
        if kind == "choice" and not spec.get("values"):
            raise ValueError(f"search space {name!r}: a choice needs a non-empty 'values' list, received {spec}")


class MLPBuilder:
    """A build function ``builder(hp) -> compiled model`` for an MLP classifier whose choices
    come from a table (see the module docstring). An instance pickles, so it travels to
    ``"processes"`` and ``"ray"`` workers.

    Args:
        table: name -> fixed value or search spec; missing names take ``DEFAULTS``.
        input_shape: one sample's shape (``(28, 28)``: flattened first).
        n_classes: softmax outputs (the loss is sparse categorical cross-entropy).

    Example:
        >>> model = MLPBuilder(COURSE_TABLE, (28, 28), 10)(HyperParameters())
    """

    def __init__(self, table, input_shape, n_classes):
        unknown = sorted(set(table) - set(KNOWN))
        if unknown:
            raise ValueError(f"search space: unknown parameters {unknown}; known: {list(KNOWN)}")
        for name, spec in table.items():
            _check_spec(name, spec)
        self.table = dict(table)
        self.input_shape = tuple(input_shape)
        self.n_classes = int(n_classes)

    def _value(self, hp, name, hp_name=None):
        spec = self.table.get(name, DEFAULTS[name])
        hp_name = hp_name or name
        if isinstance(spec, list):
            spec = {"type": "choice", "values": spec}
        if not isinstance(spec, dict):
            return hp.Fixed(hp_name, spec)
        kind = spec["type"]
        default = DEFAULTS[name]
        if kind == "int":
            default = default if spec["min"] <= default <= spec["max"] else None
            return hp.Int(hp_name, int(spec["min"]), int(spec["max"]), step=int(spec.get("step", 1)),
                          sampling=spec.get("sampling", "linear"), default=default)
        if kind == "float":
            default = default if spec["min"] <= default <= spec["max"] else None
            return hp.Float(hp_name, float(spec["min"]), float(spec["max"]), step=spec.get("step"),
                            sampling=spec.get("sampling", "linear"), default=default)
        if kind == "boolean":
            return hp.Boolean(hp_name)
        values = list(spec["values"])
        return hp.Choice(hp_name, values, default=default if default in values else None)

    def __call__(self, hp):
        import glassnet as gn
        from glassnet import layers, regularizers
        n_layers = self._value(hp, "layers")
        activation = self._value(hp, "activation")
        kernel_init = self._value(hp, "kernel_initializer")
        bias_init = self._value(hp, "bias_initializer")
        dropout = self._value(hp, "dropout")
        kind = self._value(hp, "regularizer")
        regularizer = None
        if kind != "none":  # the strength is a parameter only when there is a penalty to weigh
            strength = self._value(hp, "reg_strength")
            regularizer = regularizers.L1(strength) if kind == "l1" else regularizers.L2(strength)
        model = gn.Sequential([layers.Input(self.input_shape)])
        if len(self.input_shape) > 1:
            model.add(layers.Flatten())
        for i in range(1, n_layers + 1):
            model.add(layers.Dense(self._value(hp, "units", f"units_{i}"), activation=activation,
                                   kernel_initializer=kernel_init, bias_initializer=bias_init,
                                   kernel_regularizer=regularizer))
            if dropout:
                model.add(layers.Dropout(dropout))
        model.add(layers.Dense(self.n_classes, activation="softmax"))
        optimizer = gn.optimizers.get(self._value(hp, "optimizer"))
        optimizer.learning_rate = self._value(hp, "learning_rate")
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model
