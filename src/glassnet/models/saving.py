"""Saving and loading models without pickle.

A model file is a zip archive holding:

- ``metadata.json``: ``{"format": "glassnet-model", "format_version": 1, ...}``
- ``config.json``: the architecture (``Sequential`` or functional), the compile settings and
  the optimizer's configuration, as plain JSON;
- ``weights.npz``: one array per weight, keyed by its name (``dense/kernel``);
- ``optimizer.npz``: the optimizer's state (momenta, Adam moments, iteration count).

Arrays are read with ``allow_pickle=False`` and layers are rebuilt only from glassnet's own
classes (or classes you pass in ``custom_objects``), so loading a file never runs code from it.
Every name, shape and dtype is checked before any weight is set. Writes go to a temporary file
in the same folder, renamed over the target only when complete: a failed save leaves the
previous file intact.

This module only reads, checks and writes files. Classes are looked up by name and rebuild
themselves: ``Sequential.from_config``, ``functional_from_config`` (in ``functional.py``), and
``glassnet.layers.deserialize`` for every layer.

Example:
    >>> model.save("mnist.glassnet")
    >>> same = load_model("mnist.glassnet")
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile

import numpy as np

from glassnet.backend import to_host
from glassnet.layers import deserialize, get_layer_class
from glassnet.layers.core import Lambda
from glassnet.models.trainer import Trainer

FORMAT = "glassnet-model"
FORMAT_VERSION = 1
_MAX_MEMBER_BYTES = 8 * 2**30  # refuse absurd declared sizes (zip bombs) before reading


class ModelFileError(ValueError):
    """A model file is missing, corrupt, truncated, or not something glassnet wrote."""


# ---------------------------------------------------------------------------- writing
def _atomic_write(filepath, write_fn, overwrite=True) -> None:
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    folder = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".glassnet-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write_fn(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)  # atomic: readers see the old file or the new one, never half
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _npz_bytes(arrays: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _weights_dict(model) -> dict:
    arrays = {}
    for p in model.weights:
        if p.name in arrays:
            raise ValueError(f"cannot save model '{model.name}': two weights are named {p.name!r}; "
                             f"give its layers unique names")
        arrays[p.name] = to_host(p.data)
    return arrays


def _all_layers(layer):
    """Every layer inside ``layer``, those of nested models and composite layers included."""
    for sub in layer._sublayers:
        yield sub
        yield from _all_layers(sub)


def model_config(model) -> dict:
    """The JSON description of a model's architecture (raises for unsaveable parts).

    A model used as a layer inside another (a Sequential block in a functional ResNet) is
    stored like any layer: its class name (``Sequential`` or ``Functional``) and its own
    config, which lists its layers in turn. Its weights are saved once, under their names.
    """
    for layer in _all_layers(model):
        if isinstance(layer, Lambda) and layer.get_config()["function"] is None:
            raise ValueError(f"cannot save Lambda layer '{layer.name}': its function is an anonymous lambda, "
                             f"and model files never store code. Define it with def, and pass "
                             f"custom_objects={{'name': function}} to load_model")
    return {"class_name": type(model).__name__, "config": model.get_config()}


def save_model(model, filepath, overwrite=True, include_optimizer=True) -> None:
    """Write ``model`` to ``filepath`` (see the module docstring for the format)."""
    from glassnet import __version__, losses, optimizers
    config = model_config(model)
    weights = _weights_dict(model)
    if getattr(model, "compiled", False):
        config["compile_config"] = dict(model._compile_config)
        config["compile_config"]["loss"] = [losses.serialize(fn) for fn in model._loss_fns]
        if include_optimizer:
            config["optimizer"] = optimizers.serialize(model.optimizer)
    build_shape = model._build_input_shape if model.built else None
    config["build_input_shape"] = _jsonable_shape(build_shape)
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION, "glassnet_version": __version__}
    opt_state = model.optimizer.get_state() if include_optimizer and getattr(model, "compiled", False) else None

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("metadata.json", json.dumps(metadata, indent=2))
            z.writestr("config.json", json.dumps(config, indent=2))
            z.writestr("weights.npz", _npz_bytes(weights))
            if opt_state is not None:
                z.writestr("optimizer.npz", _npz_bytes(opt_state))

    _atomic_write(filepath, write, overwrite)


def save_weights(model, filepath, overwrite=True) -> None:
    """Write only the weights, as an ``.npz`` keyed by weight name."""
    weights = _weights_dict(model)
    _atomic_write(filepath, lambda f: f.write(_npz_bytes(weights)), overwrite)


def _jsonable_shape(shape):
    if shape is None:
        return None
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        return [list(s) for s in shape]
    return list(shape)


# ---------------------------------------------------------------------------- reading
def _read_npz(data: bytes, what: str, path) -> dict:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except ValueError as err:  # object arrays need pickle: refused
        raise ModelFileError(f"{path}: {what} holds data that needs pickle to load; refused ({err})") from err
    except Exception as err:
        raise ModelFileError(f"{path}: {what} is corrupt or truncated ({type(err).__name__}: {err})") from err


def _open_archive(filepath):
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"no model file at {filepath}")
    try:
        z = zipfile.ZipFile(filepath)
        bad = z.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise ModelFileError(f"{filepath}: not a glassnet model file, or corrupt or truncated ({err})") from err
    except Exception as err:  # zlib/CRC errors surface as various types
        raise ModelFileError(f"{filepath}: corrupt model file ({type(err).__name__}: {err})") from err
    if bad is not None:
        raise ModelFileError(f"{filepath}: corrupt model file (checksum error in {bad})")
    for info in z.infolist():
        if info.file_size > _MAX_MEMBER_BYTES:
            raise ModelFileError(f"{filepath}: member {info.filename} declares {info.file_size} bytes; refused")
    return z


def _read_json(z, name, filepath) -> dict:
    try:
        value = json.loads(z.read(name).decode("utf-8"))
    except KeyError as err:
        raise ModelFileError(f"{filepath}: missing {name}; not a complete glassnet model file") from err
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ModelFileError(f"{filepath}: {name} is not valid JSON ({err})") from err
    if not isinstance(value, dict):
        raise ModelFileError(f"{filepath}: {name} should hold a JSON object, found {type(value).__name__}")
    return value


_MAX_NESTING = 32  # models inside models inside ...: refuse absurd depths (a hostile file)


def _check_nesting(config: dict, filepath) -> None:
    """Refuse a config whose models are nested more than ``_MAX_NESTING`` deep, before any
    layer is built (each nested model is an entry whose config has a ``layers`` list)."""
    stack = [(config, 0)]
    while stack:
        entry, depth = stack.pop()
        body = entry.get("config") if isinstance(entry, dict) else None
        children = body.get("layers") if isinstance(body, dict) else None
        if isinstance(children, list):
            if depth > _MAX_NESTING:
                raise ModelFileError(f"{filepath}: models nested more than {_MAX_NESTING} deep; refused")
            stack.extend((child, depth + 1) for child in children)


def model_from_config(config: dict, custom_objects=None, filepath="<config>"):
    """Rebuild a model (architecture only, fresh weights) from ``model_config``'s output.

    The model class is looked up by its name (``Sequential``, ``Functional``, or one in
    ``custom_objects``) and rebuilds itself with its ``from_config``; models nested as layers
    come back the same way.

    Raises:
        ModelFileError: the config is malformed, names an unknown class, or does not fit.

    Example:
        >>> clone = model_from_config(model_config(model))
    """
    if not isinstance(config, dict):
        raise ModelFileError(f"{filepath}: a model config must be a JSON object, found {type(config).__name__}")
    class_name, body = config.get("class_name"), config.get("config")
    if not isinstance(body, dict):
        raise ModelFileError(f"{filepath}: config.json has no model config")
    _check_nesting(config, filepath)
    try:
        cls = get_layer_class(class_name, custom_objects) if isinstance(class_name, str) else None
    except ValueError:
        cls = None
    # a model is a class that can be trained: Model and its subclasses inherit Trainer
    if not (isinstance(cls, type) and issubclass(cls, Trainer)):
        raise ModelFileError(f"{filepath}: unknown model class {class_name!r}")
    try:
        return deserialize(config, custom_objects)
    except (ValueError, TypeError) as err:
        raise ModelFileError(f"{filepath}: {err}") from err


def _assign_weights(model, arrays: dict, filepath, by_name=True) -> None:
    """Set every weight from ``arrays`` after checking them all (nothing is set on error).

    A model file restores layer names, so weights match by name. A weights-only file may be
    loaded into a fresh model whose layers got other default names, so it matches by position,
    as Keras does; shapes and dtypes are checked either way.
    """
    params = model.weights
    if by_name:
        names = [p.name for p in params]
        missing = [n for n in names if n not in arrays]
        extra = [n for n in arrays if n not in names]
        if missing or extra:
            raise ModelFileError(f"{filepath}: weights do not match the model: missing {missing[:5]}, "
                                 f"unexpected {extra[:5]}")
        values = [arrays[n] for n in names]
    else:
        if len(arrays) != len(params):
            raise ModelFileError(f"{filepath}: the file holds {len(arrays)} weight arrays, the model has "
                                 f"{len(params)}")
        values = list(arrays.values())
    for p, a in zip(params, values):
        if a.shape != p.shape or a.dtype != p.dtype:
            raise ModelFileError(f"{filepath}: weight {p.name} expects {p.shape} {p.dtype}, "
                                 f"file has {a.shape} {a.dtype}")
    for p, a in zip(params, values):
        p.assign(a)


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 (Keras's argument name)
    """Load a model saved with ``model.save``: architecture, weights and optimizer state.

    Args:
        filepath: the file written by ``save``.
        custom_objects: dict of name -> class or function for custom layers and Lambda functions.
        compile: re-compile with the saved optimizer, loss and metrics (when the model had them).

    Raises:
        ModelFileError: the file is corrupt, truncated, or not a glassnet model.
    """
    from glassnet import losses, optimizers
    with _open_archive(filepath) as z:
        metadata = _read_json(z, "metadata.json", filepath)
        if metadata.get("format") != FORMAT:
            raise ModelFileError(f"{filepath}: not a glassnet model file (format {metadata.get('format')!r})")
        if not isinstance(metadata.get("format_version"), int) or metadata["format_version"] > FORMAT_VERSION:
            raise ModelFileError(f"{filepath}: format version {metadata.get('format_version')} is newer than this "
                                 f"glassnet reads ({FORMAT_VERSION}); upgrade glassnet")
        config = _read_json(z, "config.json", filepath)
        try:
            weights = _read_npz(z.read("weights.npz"), "weights.npz", filepath)
        except KeyError as err:
            raise ModelFileError(f"{filepath}: missing weights.npz") from err
        opt_state = _read_npz(z.read("optimizer.npz"), "optimizer.npz", filepath) \
            if "optimizer.npz" in z.namelist() else None
    model = model_from_config(config, custom_objects, filepath)
    if not model.built:
        shape = config.get("build_input_shape")
        if shape is not None:
            model.build(tuple(shape) if not isinstance(shape[0], list) else [tuple(s) for s in shape])
    _assign_weights(model, weights, filepath)
    compile_config = config.get("compile_config")
    if compile and compile_config and config.get("optimizer"):
        try:
            optimizer = optimizers.get(config["optimizer"])
            loss = [losses.get(item) for item in compile_config["loss"]]
            model.compile(optimizer=optimizer, loss=loss if len(loss) > 1 else loss[0],
                          metrics=compile_config.get("metrics"), loss_weights=compile_config.get("loss_weights"))
        except (TypeError, ValueError, KeyError) as err:
            raise ModelFileError(f"{filepath}: invalid compile settings ({err})") from err
        if opt_state is not None:
            try:
                model.optimizer.set_state(opt_state)
            except (KeyError, ValueError) as err:
                raise ModelFileError(f"{filepath}: optimizer state does not match the model ({err})") from err
    return model


def load_weights(model, filepath) -> None:
    """Set ``model``'s weights from a ``save_weights`` .npz or a full model file."""
    filepath = os.fspath(filepath)
    with _open_archive(filepath) as z:
        is_model_file = "weights.npz" in z.namelist()
        if is_model_file:
            arrays = _read_npz(z.read("weights.npz"), "weights.npz", filepath)
    if not is_model_file:
        with open(filepath, "rb") as f:
            arrays = _read_npz(f.read(), "the weights file", filepath)
    _assign_weights(model, arrays, filepath, by_name=False)
