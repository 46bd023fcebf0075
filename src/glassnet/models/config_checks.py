"""The shape of a model file's ``config.json``, checked before anything is built from it.

``check_model_config`` walks the whole config and compares it with what glassnet writes
(``saving.model_config`` plus the compile settings): a malformed file is refused with a message
that says where (``config.layers[2].config.function``), what was expected and what was found,
instead of a ``KeyError`` or ``IndexError`` from deep inside a layer's constructor.

The schema, as written by glassnet::

    {"class_name": "Sequential" | "Functional" | "Model" | <custom>,
     "config": MODEL,
     "build_input_shape": null | SHAPE | [SHAPE, ...],     # optional
     "compile_config": {"loss": [...], ...},                # optional
     "optimizer": {"class_name": str, "config": {...}}}      # optional
    MODEL (Sequential) = {"name": str, "layers": [ENTRY, ...], "input_shape": null | SHAPE, ...}
    MODEL (Functional) = {"name": str, "layers": [ENTRY + {"name": str, "inbound_nodes": [...]}],
                          "input_layers": REFS, "output_layers": REFS, ...}
    ENTRY = {"class_name": str, "config": {"name": str, ...}}   # a nested MODEL for models
    SHAPE = [int >= 0 | null, ...] (at least the batch axis); REF = [layer name, int, int]

A Lambda layer's ``function`` must be a name (a string). Models nested deeper than
``MAX_NESTING`` are refused.
"""
from __future__ import annotations

MAX_NESTING = 32  # models inside models inside ...: refuse absurd depths (a hostile file)
_MODEL_CLASSES = ("Sequential", "Functional", "Model")


class ConfigError(ValueError):
    """``config.json`` does not have the shape glassnet writes (the message says where)."""


def _kind(value) -> str:
    return "null" if value is None else type(value).__name__


def _expect(ok: bool, where: str, expected: str, value) -> None:
    if not ok:
        shown = "" if value is None else " " + (str(value) if isinstance(value, (dict, list)) else repr(value))[:60]
        raise ConfigError(f"config.json: {where}: expected {expected}, found {_kind(value)}{shown}")


def is_shape(value) -> bool:
    """A non-empty list of sizes (ints >= 0, or null for an unknown size)."""
    return isinstance(value, list) and len(value) > 0 and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in value)


def _is_ref(value) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in value[1:]))


def _check_refs(value, where: str, depth: int = 0) -> None:
    if _is_ref(value):
        return
    if isinstance(value, dict) and depth < 8:  # a model with dict inputs or outputs (Keras 3)
        _expect(len(value) > 0 and all(isinstance(k, str) for k in value), where,
                "a non-empty dict of references keyed by name", value)
        for key, item in value.items():
            _check_refs(item, f"{where}[{key!r}]", depth + 1)
        return
    _expect(isinstance(value, list) and len(value) > 0 and depth < 8, where,
            "a [layer name, call index, output index] reference, or a list (or dict) of them", value)
    for i, item in enumerate(value):
        _check_refs(item, f"{where}[{i}]", depth + 1)


def check_model_config(config) -> None:
    """Check a whole model config (``config.json``) against the schema above.

    Raises:
        ConfigError: naming the place, the expected and the found value.

    Example:
        >>> check_model_config({"class_name": "Sequential", "config": {"name": "m", "layers": []}})
    """
    _expect(isinstance(config, dict), "the top level", "a JSON object", config)
    _expect(isinstance(config.get("class_name"), str), "class_name", "the model's class name (a string)",
            config.get("class_name"))
    _expect(isinstance(config.get("config"), dict), "config", "the model's config (an object)",
            config.get("config"))
    shape = config.get("build_input_shape")
    _expect(shape is None or is_shape(shape) or (isinstance(shape, list) and len(shape) > 0
                                                 and all(is_shape(s) for s in shape)),
            "build_input_shape", "null, a shape such as [null, 28, 28] or a list of shapes", shape)
    compile_config = config.get("compile_config")
    if compile_config is not None:
        _expect(isinstance(compile_config, dict), "compile_config", "an object", compile_config)
        loss = compile_config.get("loss")
        _expect(isinstance(loss, list) and all(isinstance(x, (str, dict)) for x in loss),
                "compile_config.loss", "a list of loss names or configs", loss)
    optimizer = config.get("optimizer")
    _expect(optimizer is None or isinstance(optimizer, (dict, str)), "optimizer",
            "an optimizer config (an object)", optimizer)
    stack = [(config, "config", 0)]  # (entry, where, nesting depth)
    while stack:
        entry, where, depth = stack.pop()
        if entry["class_name"] in _MODEL_CLASSES:
            if depth > MAX_NESTING:
                raise ConfigError(f"config.json: models nested more than {MAX_NESTING} deep; refused")
            stack.extend(_check_model_body(entry["class_name"], entry["config"], where, depth))
        elif entry["class_name"] == "Lambda":
            _check_lambda(entry["config"], where)


def _check_model_body(class_name: str, body: dict, where: str, depth: int) -> list:
    """Check one model's config; return its layer entries to check in turn."""
    _expect(body.get("name") is None or isinstance(body.get("name"), str), f"{where}.name",
            "a string", body.get("name"))
    layers = body.get("layers")
    _expect(isinstance(layers, list), f"{where}.layers", "a list of layers", layers)
    functional = class_name != "Sequential"
    if functional:
        for key in ("input_layers", "output_layers"):
            _expect(key in body, f"{where}.{key}", "the model's inputs/outputs as layer references",
                    body.get(key))
            _check_refs(body[key], f"{where}.{key}")
    else:
        shape = body.get("input_shape")
        _expect(shape is None or is_shape(shape), f"{where}.input_shape",
                "null or a shape such as [null, 28, 28]", shape)
    children = []
    for i, entry in enumerate(layers):
        at = f"{where}.layers[{i}]"
        _expect(isinstance(entry, dict), at, "a layer entry (an object)", entry)
        _expect(isinstance(entry.get("class_name"), str), f"{at}.class_name", "a layer class name",
                entry.get("class_name"))
        layer_config = entry.get("config")
        _expect(isinstance(layer_config, dict), f"{at}.config", "the layer's config (an object)", layer_config)
        name = layer_config.get("name")
        _expect(name is None or isinstance(name, str), f"{at}.config.name", "a string", name)
        trainable = layer_config.get("trainable", True)
        _expect(isinstance(trainable, bool), f"{at}.config.trainable", "true or false", trainable)
        dtype = layer_config.get("dtype")
        _expect(dtype is None or isinstance(dtype, str), f"{at}.config.dtype", "a dtype name", dtype)
        if functional:
            _expect(isinstance(entry.get("name"), str), f"{at}.name", "the layer's name (a string)",
                    entry.get("name"))
            nodes = entry.get("inbound_nodes", [])
            _expect(isinstance(nodes, list) and all(isinstance(n, dict) for n in nodes),
                    f"{at}.inbound_nodes", "a list of calls (objects)", nodes)
        children.append((entry, at + ".config", depth + 1))
    return children


def _check_lambda(config: dict, where: str) -> None:
    function = config.get("function")
    _expect(isinstance(function, str), f"{where}.function",
            "the name of a glassnet op or of a function passed in custom_objects (a string)", function)
    shape = config.get("output_shape")
    _expect(shape is None or (isinstance(shape, list) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in shape)),
        f"{where}.output_shape", "null or a list of sizes", shape)
    arguments = config.get("arguments")
    _expect(arguments is None or isinstance(arguments, dict), f"{where}.arguments", "an object", arguments)
