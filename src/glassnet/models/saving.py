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
import zipfile

import numpy as np

from glassnet import initializers
from glassnet.backend import to_host
from glassnet.layers import deserialize, get_layer_class
from glassnet.layers.core import Lambda
from glassnet.models.trainer import Trainer
from glassnet.models.config_checks import ConfigError, check_model_config
from glassnet.utils import safe_zip
from glassnet.utils.files import atomic_write, check_model_extension

FORMAT = "glassnet-model"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 64 * 2**20  # metadata.json and config.json are small: refuse more
# the sizes an archive may declare (members, total, compression ratio): see glassnet.utils.safe_zip


class ModelFileError(ValueError):
    """A model file is missing, corrupt, truncated, or not something glassnet wrote."""


# ---------------------------------------------------------------------------- writing
def _atomic_write(filepath, write_fn, overwrite=True) -> None:
    # temporary file + rename, and the mode open() would give (glassnet/utils/files.py)
    atomic_write(filepath, write_fn, overwrite)


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
    check_model_extension(filepath, "save")
    from glassnet import __version__, losses, optimizers
    config = model_config(model)
    weights = _weights_dict(model)
    if getattr(model, "compiled", False):
        config["compile_config"] = dict(model._compile_config)
        # a model compiled without a loss (its loss comes from add_loss or train_step) saves []
        config["compile_config"]["loss"] = [losses.serialize(fn) for fn in model._loss_fns if fn is not None]
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
            # arrays are stored, not deflated: trained weights barely compress, and a stored
            # member's compression ratio is 1 (the loader refuses high ratios: zip bombs)
            z.writestr("weights.npz", _npz_bytes(weights), compress_type=zipfile.ZIP_STORED)
            if opt_state is not None:
                z.writestr("optimizer.npz", _npz_bytes(opt_state), compress_type=zipfile.ZIP_STORED)

    _atomic_write(filepath, write, overwrite)


def save_weights(model, filepath, overwrite=True) -> None:
    """Write only the weights, as an ``.npz`` keyed by weight name."""
    check_model_extension(filepath, "save_weights")
    weights = _weights_dict(model)
    _atomic_write(filepath, lambda f: f.write(_npz_bytes(weights)), overwrite)


def _jsonable_shape(shape):
    if shape is None:
        return None
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        return [list(s) for s in shape]
    return list(shape)


# ---------------------------------------------------------------------------- reading
def _npz_arrays(data, what: str, filepath) -> safe_zip.NpzArrays:
    """The arrays of an ``.npz`` (bytes or a file), headers checked, no data read yet: each
    member must be a numeric ``.npy`` array of exactly the size its header declares."""
    return safe_zip.NpzArrays(io.BytesIO(data) if isinstance(data, bytes) else data,
                              f"{filepath}: {what}", ModelFileError)


def _open_archive(filepath):
    """The model file as a zip, its declared sizes checked (nothing is inflated yet)."""
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"no model file at {filepath}")
    return safe_zip.open_zip(filepath, filepath, ModelFileError)


def _read_npz_member(z, name, filepath) -> safe_zip.NpzArrays:
    return _npz_arrays(safe_zip.read_member(z, name, filepath, ModelFileError), name, filepath)


def _read_json(z, name, filepath) -> dict:
    try:
        raw = safe_zip.read_member(z, name, filepath, ModelFileError, limit=MAX_JSON_BYTES)
        value = json.loads(raw.decode("utf-8"))
    except KeyError as err:
        raise ModelFileError(f"{filepath}: missing {name}; not a complete glassnet model file") from err
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ModelFileError(f"{filepath}: {name} is not valid JSON ({err})") from err
    if not isinstance(value, dict):
        raise ModelFileError(f"{filepath}: {name} should hold a JSON object, found {type(value).__name__}")
    return value


def model_from_config(config: dict, custom_objects=None, filepath="<config>"):
    """Rebuild a model (architecture only, fresh weights) from ``model_config``'s output.

    The whole config is first checked against the schema glassnet writes
    (``config_checks.check_model_config``); then the model class is looked up by its name
    (``Sequential``, ``Functional``, or one in ``custom_objects``) and rebuilds itself with its
    ``from_config``; models nested as layers come back the same way.

    Raises:
        ModelFileError: the config is malformed, names an unknown class, or does not fit.

    Example:
        >>> clone = model_from_config(model_config(model))
    """
    try:
        check_model_config(config)
    except ConfigError as err:
        raise ModelFileError(f"{filepath}: {err}") from None
    class_name = config["class_name"]
    try:
        cls = get_layer_class(class_name, custom_objects)
    except ValueError:
        cls = None
    # a model is a class that can be trained: Model and its subclasses inherit Trainer
    if not (isinstance(cls, type) and issubclass(cls, Trainer)):
        raise ModelFileError(f"{filepath}: unknown model class {class_name!r}")
    try:
        return deserialize(config, custom_objects)
    except (ValueError, TypeError) as err:
        raise ModelFileError(f"{filepath}: {err}") from err
    except (KeyError, IndexError, AttributeError, RecursionError) as err:  # a config glassnet never writes
        raise ModelFileError(f"{filepath}: invalid model config ({type(err).__name__}: {err})") from err
    except MemoryError:
        raise ModelFileError(f"{filepath}: not enough memory to build the model the config describes") from None


class _WeightRefused(Exception):
    """Raised from inside a layer's ``build`` while loading (not a ValueError, so no layer or
    model wraps it into a message about shapes); ``load_model`` turns it into ModelFileError."""


def _weights_from_file(arrays, filepath, supplied: set):
    """The ``initializers.weight_source`` of ``load_model``: each weight a layer creates is
    looked up in the file by name, its shape and dtype compared with the array's header, and
    only then read: a config declaring a huge layer is refused before anything is allocated."""
    def supply(name, shape, dtype):
        if name not in arrays:
            raise _WeightRefused(f"{filepath}: the config makes a weight {name} of shape {shape} that "
                                 f"weights.npz does not hold; refused before allocating it")
        if arrays.shape(name) != shape or arrays.dtype(name) != dtype:
            raise _WeightRefused(f"{filepath}: weight {name} expects {shape} {dtype} (from config.json), "
                                 f"file has {arrays.shape(name)} {arrays.dtype(name)}; refused before "
                                 f"allocating it")
        try:
            value = arrays.read(name)
        except ModelFileError as err:
            raise _WeightRefused(str(err)) from None
        supplied.add(name)
        return value
    return supply


def _assign_weights(model, arrays: safe_zip.NpzArrays, filepath, by_name=True) -> None:
    """Set every weight from ``arrays`` after checking every name, shape and dtype against the
    arrays' headers (nothing is read or set on error).

    A model file restores layer names, so weights match by name. A weights-only file may be
    loaded into a fresh model whose layers got other default names, so it matches by position,
    as Keras does; shapes and dtypes are checked either way.
    """
    params = model.weights
    if by_name:
        names = [p.name for p in params]
        missing = [n for n in names if n not in arrays]
        extra = [n for n in arrays.keys() if n not in names]
        if missing or extra:
            raise ModelFileError(f"{filepath}: weights do not match the model: missing {missing[:5]}, "
                                 f"unexpected {extra[:5]}")
        keys = names
    else:
        if len(arrays) != len(params):
            raise ModelFileError(f"{filepath}: the file holds {len(arrays)} weight arrays, the model has "
                                 f"{len(params)}")
        keys = arrays.keys()
    for p, key in zip(params, keys):
        if arrays.shape(key) != p.shape or arrays.dtype(key) != p.dtype:
            raise ModelFileError(f"{filepath}: weight {p.name} expects {p.shape} {p.dtype}, "
                                 f"file has {arrays.shape(key)} {arrays.dtype(key)}")
    values = [arrays.read(key) for key in keys]
    for p, a in zip(params, values):
        p.assign(a)


def _check_format_version(metadata: dict, filepath) -> None:
    version = metadata.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{filepath}: invalid format version {version!r} in metadata.json; expected an "
                             f"integer from 1 to {FORMAT_VERSION}")
    if version > FORMAT_VERSION:
        raise ModelFileError(f"{filepath}: format version {version} is newer than this glassnet reads "
                             f"({FORMAT_VERSION}); upgrade glassnet")


def _build_from_file(config, weights, custom_objects, filepath):
    """The model described by ``config``, its weights taken from ``weights`` as it is built."""
    supplied = set()
    try:
        with initializers.weight_source(_weights_from_file(weights, filepath, supplied)):
            model = model_from_config(config, custom_objects, filepath)
            shape = config.get("build_input_shape")
            if not model.built and shape is not None:
                model.build(tuple(shape) if not isinstance(shape[0], list) else [tuple(s) for s in shape])
    except _WeightRefused as err:
        raise ModelFileError(str(err)) from None
    except (ValueError, TypeError) as err:
        if isinstance(err, ModelFileError):
            raise
        raise ModelFileError(f"{filepath}: {err}") from err
    except MemoryError:
        raise ModelFileError(f"{filepath}: not enough memory to build the model the config describes") from None
    names = [p.name for p in model.weights]
    missing = [n for n in names if n not in supplied]
    extra = [n for n in weights.keys() if n not in names]
    if missing or extra:
        raise ModelFileError(f"{filepath}: weights do not match the model: missing {missing[:5]}, "
                             f"unexpected {extra[:5]}")
    return model


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 (Keras's argument name)
    """Load a model saved with ``model.save``: architecture, weights and optimizer state.

    Before anything is built or inflated: every member's declared size and compression ratio
    are checked (``glassnet.utils.safe_zip``), the metadata and the whole config are checked
    against what glassnet writes, and each array's header is checked against its size. While
    the model is built, each weight is compared with the file's array of that name before it
    is allocated, and takes its values from it.

    Args:
        filepath: the file written by ``save``.
        custom_objects: dict of name -> class or function for custom layers and Lambda functions.
        compile: re-compile with the saved optimizer, loss and metrics (when the model had them).

    Raises:
        ModelFileError: the file is corrupt, truncated, too large, or not a glassnet model.
    """
    from glassnet import losses, optimizers
    check_model_extension(filepath, "load_model")
    with _open_archive(filepath) as z:
        metadata = _read_json(z, "metadata.json", filepath)
        if metadata.get("format") != FORMAT:
            raise ModelFileError(f"{filepath}: not a glassnet model file (format {metadata.get('format')!r})")
        _check_format_version(metadata, filepath)
        config = _read_json(z, "config.json", filepath)
        try:
            check_model_config(config)
        except ConfigError as err:
            raise ModelFileError(f"{filepath}: {err}") from None
        try:
            weights = _read_npz_member(z, "weights.npz", filepath)
        except KeyError as err:
            raise ModelFileError(f"{filepath}: missing weights.npz") from err
        opt_state = _read_npz_member(z, "optimizer.npz", filepath) if "optimizer.npz" in z.namelist() else None
    with weights:
        model = _build_from_file(config, weights, custom_objects, filepath)
    compile_config = config.get("compile_config")
    if compile and compile_config and config.get("optimizer"):
        try:
            optimizer = optimizers.get(config["optimizer"])
            loss = [losses.get(item) for item in compile_config["loss"]]
            model.compile(optimizer=optimizer, loss=loss if len(loss) > 1 else (loss[0] if loss else None),
                          metrics=compile_config.get("metrics"), loss_weights=compile_config.get("loss_weights"))
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as err:
            raise ModelFileError(f"{filepath}: invalid compile settings ({err})") from err
        if opt_state is not None:
            with opt_state:
                state = opt_state.read_all()
            try:
                model.optimizer.set_state(state)
            except (KeyError, ValueError) as err:
                raise ModelFileError(f"{filepath}: optimizer state does not match the model ({err})") from err
    return model


def load_weights(model, filepath) -> None:
    """Set ``model``'s weights from a ``save_weights`` .npz or a full model file (sizes, array
    headers and shapes are checked before any array is read, as in ``load_model``)."""
    check_model_extension(filepath, "load_weights")
    filepath = os.fspath(filepath)
    with _open_archive(filepath) as z:
        is_model_file = "weights.npz" in z.namelist()
        if is_model_file:
            arrays = _read_npz_member(z, "weights.npz", filepath)
    if not is_model_file:
        arrays = _npz_arrays(filepath, "the weights file", filepath)
    with arrays:
        _assign_weights(model, arrays, filepath, by_name=False)
