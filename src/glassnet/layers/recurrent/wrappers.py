"""Layers that wrap another layer: ``Bidirectional`` and ``TimeDistributed`` (Keras names).

``Bidirectional(LSTM(8))`` reads the sequence twice, once forwards and once backwards (a copy
of the layer with ``go_backwards`` flipped), and merges the two results, so that the output
at every step has seen both the past and the future of the sequence (course section 5).

``TimeDistributed(Dense(4))`` applies one layer, with one set of weights, to every time step:
the time axis is folded into the batch, ``(batch, time, ...) -> (batch * time, ...)``, the
layer runs once on that, and the result is unfolded again.
"""
from __future__ import annotations

from glassnet import ops
from glassnet.layers.base import Layer, is_shape
from glassnet.layers.recurrent.rnn import _deserialize, _serialize, adopt

__all__ = ["Bidirectional", "TimeDistributed"]

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _layer_classes(layer) -> dict:
    """Class name -> class of ``layer`` and everything inside it (to rebuild user-written cells)."""
    found, todo = {}, [layer]
    while todo:
        current = todo.pop()
        found[type(current).__name__] = type(current)
        todo.extend(getattr(current, "_sublayers", []))
    return found


def _fresh_copy(layer, **changes):
    """A new layer (new weights) from ``layer``'s config, with ``changes`` to the config."""
    config = dict(layer.get_config(), **changes)
    return _deserialize({"class_name": type(layer).__name__, "config": config}, _layer_classes(layer))


def _remove_prefix(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and backwards over the sequence and merges the results.

    Args:
        layer: a recurrent layer (``LSTM(8)``...). The forward layer is a fresh copy of it named
            ``<this layer's name>/forward_<name>``; its weights are not shared with ``layer``.
        merge_mode: how the two outputs combine: ``"concat"`` (default; the last axis
            doubles), ``"sum"``, ``"mul"``, ``"ave"``, or None (a list ``[forward, backward]``).
        backward_layer: the layer for the backward direction; default: a copy of ``layer`` with
            ``go_backwards`` flipped, named ``<this layer's name>/backward_<name>`` (a backward
            layer given unbuilt is copied too, a built one used as is). It must have the other
            ``go_backwards`` and the same ``return_sequences``, ``return_state``, ``stateful``.

    Call arguments: as the wrapped layer's. ``initial_state``: the forward layer's states, then
    the backward layer's. With ``return_sequences`` the backward outputs are put back in forward
    time order before merging, so step t of the output combines both directions at step t.

    Output: the merged output; with ``return_state``, ``[output, *forward_states,
    *backward_states]`` (``[forward, backward, *states...]`` with ``merge_mode=None``).
    Weights: the forward layer's, then the backward layer's
    (``bidirectional/forward_lstm/lstm_cell/kernel``... as Keras 3's weight paths); twice the
    parameters of the wrapped layer.

    Example:
        >>> import numpy as np
        >>> layer = Bidirectional(LSTM(4, return_sequences=True))
        >>> layer(np.ones((2, 5, 3))).shape
        (2, 5, 8)
    """

    supports_masking = True

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        who = f"Bidirectional '{self.name}'"
        layer, backward_layer = _deserialize(layer), _deserialize(backward_layer)
        for role, candidate in (("layer", layer), ("backward_layer", backward_layer)):
            if candidate is None and role == "backward_layer":
                continue
            if not isinstance(candidate, Layer) or not all(
                    hasattr(candidate, a) for a in ("go_backwards", "return_sequences", "return_state")):
                raise ValueError(f"{who}: expected {role} to be a recurrent layer (with go_backwards, "
                                 f"return_sequences and return_state), received {type(candidate).__name__}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"{who}: expected merge_mode one of {list(_MERGE_MODES)}, received {merge_mode!r}")
        self.merge_mode = merge_mode
        # fresh copies named under this layer, so their weights are Keras 3's paths
        # (bidirectional/forward_lstm/lstm_cell/kernel); a built backward layer is used as is
        base = layer.name.rsplit("/", 1)[-1]
        self.forward_layer = _fresh_copy(layer, name=f"{self.name}/forward_{_remove_prefix(base, 'forward_')}")
        if backward_layer is None:
            backward_layer = _fresh_copy(layer, go_backwards=not layer.go_backwards,
                                         name=f"{self.name}/backward_{_remove_prefix(base, 'backward_')}")
        elif not backward_layer.built:
            backward_layer = _fresh_copy(backward_layer, name=f"{self.name}/{backward_layer.name.rsplit('/', 1)[-1]}")
        self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(f"{who}: expected the forward and backward layers to have different "
                             f"go_backwards, received {self.forward_layer.go_backwards} for both")
        for attr in ("return_sequences", "return_state", "stateful"):
            forward, backward = getattr(self.forward_layer, attr, False), getattr(self.backward_layer, attr, False)
            if forward != backward:
                raise ValueError(f"{who}: expected the same {attr} in the forward and backward layers, "
                                 f"received {forward} (forward) and {backward} (backward)")
        self.return_sequences = self.forward_layer.return_sequences
        for direction in (self.forward_layer, self.backward_layer):
            if hasattr(direction, "zero_output_for_mask"):  # as Keras: masked steps merge as zeros
                direction.zero_output_for_mask = self.return_sequences
        self.return_state = self.forward_layer.return_state
        self.stateful = getattr(self.forward_layer, "stateful", False)
        if self._batch_input_shape is None:  # Bidirectional(LSTM(8, input_shape=(5, 3))) as a first layer
            self._batch_input_shape = layer._batch_input_shape

    def __call__(self, inputs, *args, initial_state=None, **kwargs):
        if initial_state is not None:  # the states travel as inputs, as in RNN.__call__
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            inputs = [inputs] + states
        return super().__call__(inputs, *args, **kwargs)

    def build(self, input_shape):
        shape = input_shape if is_shape(input_shape) else input_shape[0]
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                layer._build_once(shape)

    def call(self, inputs, mask=None, training=None, initial_state=None):
        if isinstance(inputs, (list, tuple)):
            inputs, given = inputs[0], list(inputs[1:])
            initial_state = given or initial_state
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        results = []
        halves = (None, None)
        if initial_state is not None:
            half = len(initial_state) // 2
            halves = (list(initial_state[:half]), list(initial_state[half:]))
        for layer, states in zip((self.forward_layer, self.backward_layer), halves):
            kwargs = {"training": training}
            if mask is not None and layer._accepts_mask:
                kwargs["mask"] = mask
            if states is not None:
                kwargs["initial_state"] = states
            results.append(layer(inputs, **kwargs))
        y, y_rev = results
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]  # back to forward time order
        output = self._merge(y, y_rev)
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return ops.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "mul":
            return y * y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) * 0.5
        return [y, y_rev]

    def compute_output_shape(self, input_shape):
        shape = input_shape if is_shape(input_shape) else input_shape[0]
        forward = self.forward_layer.compute_output_shape(shape)
        backward = self.backward_layer.compute_output_shape(shape)
        states = []
        if self.return_state:
            states = list(forward[1:]) + list(backward[1:])
            forward, backward = forward[0], backward[0]
        if self.merge_mode == "concat":
            last = None if forward[-1] is None or backward[-1] is None else forward[-1] + backward[-1]
            output = [tuple(forward[:-1]) + (last,)]
        elif self.merge_mode is None:
            output = [tuple(forward), tuple(backward)]
        else:
            output = [tuple(forward)]
        if self.return_state or self.merge_mode is None:
            return output + states
        return output[0]

    def compute_mask(self, inputs, mask=None):
        """The input's mask for each output sequence (``return_sequences``), else None; None
        for each returned state."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        masks = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            n_states = len(getattr(self.forward_layer, "state_size", [])) + \
                len(getattr(self.backward_layer, "state_size", []))
            return masks + [None] * n_states
        return masks if self.merge_mode is None else out

    def reset_states(self, states=None) -> None:
        """Reset both directions' carried states (``states``: forward's then backward's)."""
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        half = len(states) // 2
        self.forward_layer.reset_states(list(states[:half]))
        self.backward_layer.reset_states(list(states[half:]))

    reset_state = reset_states  # Keras 3's name

    @property
    def states(self):
        """Stateful layers: the carried states, forward's then backward's (None before the first call)."""
        forward, backward = getattr(self.forward_layer, "states", None), getattr(self.backward_layer, "states", None)
        return None if forward is None or backward is None else list(forward) + list(backward)

    def get_config(self):
        config = super().get_config()
        config.update(merge_mode=self.merge_mode,
                      layer=_serialize(self.forward_layer, f"Bidirectional '{self.name}'"),
                      backward_layer=_serialize(self.backward_layer, f"Bidirectional '{self.name}'"))
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Recreate the wrapper and its two layers (classes found by name, ``custom_objects`` first)."""
        config = dict(config)
        config["layer"] = _deserialize(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = _deserialize(config["backward_layer"], custom_objects)
        return cls(**config)


class TimeDistributed(Layer):
    """Applies ``layer`` to every time step of the input, with the same weights at every step.

    The time axis is folded into the batch, ``(batch, time, ...) -> (batch * time, ...)``, the
    layer runs once on that, and its output is unfolded to ``(batch, time, ...)``, as Keras.

    Args:
        layer: the layer to apply (``Dense``, ``Conv2D``...), used as is: its weights are this
            layer's (named ``time_distributed/dense/kernel`` when it was not built yet).

    Input shape: ``(batch, time, ...)``, at least 3 axes. Output shape: ``(batch, time,
    *layer's output shape without its batch axis)``. A mask (batch, time) passes through
    unchanged; it is handed to ``layer`` only when it has more axes (one per inner step) and
    ``layer`` takes masks.

    Example:
        >>> import numpy as np
        >>> TimeDistributed(Dense(4))(np.ones((2, 5, 3))).shape
        (2, 5, 4)
    """

    supports_masking = True

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        layer = _deserialize(layer)
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed '{self.name}': expected a Layer to wrap, "
                             f"received {type(layer).__name__}")
        adopt(self.name, layer)  # weights time_distributed/dense/kernel, as Keras 3's paths
        self.layer = layer

    def _inner_shape(self, input_shape) -> tuple:
        if not is_shape(input_shape) or len(input_shape) < 3:
            raise ValueError(f"TimeDistributed '{self.name}': expected input of rank >= 3 (batch, time, ...), "
                             f"received shape {input_shape}")
        batch, steps = input_shape[0], input_shape[1]
        return (None if batch is None or steps is None else batch * steps,) + tuple(input_shape[2:])

    def build(self, input_shape):
        inner = self._inner_shape(input_shape)
        if not self.layer.built:
            self.layer._build_once(inner)

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(self._inner_shape(input_shape))
        return tuple(input_shape[:2]) + tuple(inner[1:])

    def call(self, inputs, training=None, mask=None):
        self._inner_shape(inputs.shape)
        batch, steps = inputs.shape[:2]
        folded = ops.reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:]))
        kwargs = {"training": training}
        if mask is not None and self.layer._accepts_mask and mask.ndim > 2:
            kwargs["mask"] = mask.reshape((batch * steps,) + tuple(mask.shape[2:]))
        out = self.layer(folded, **kwargs)
        return ops.reshape(out, (batch, steps) + tuple(out.shape[1:]))

    def get_config(self):
        config = super().get_config()
        config["layer"] = _serialize(self.layer, f"TimeDistributed '{self.name}'")
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Recreate the wrapper and its layer (class found by name, ``custom_objects`` first)."""
        config = dict(config)
        config["layer"] = _deserialize(config["layer"], custom_objects)
        return cls(**config)
