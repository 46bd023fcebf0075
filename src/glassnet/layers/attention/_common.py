"""What the attention layers share: reading masks, checking their shapes, dropout on the
attention weights."""
from __future__ import annotations

import numpy as np

from glassnet import backend
from glassnet.backend import array_module
from glassnet.core.tensor import Tensor


def check_rate(layer_name: str, rate, what: str = "dropout") -> float:
    """``rate`` as a float in [0, 1), or an error naming the layer."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating, np.integer)) or not 0 <= rate < 1:
        raise ValueError(f"{layer_name}: expected {what} to be a float in [0, 1), received {rate!r}")
    return float(rate)


def as_mask(mask, like: Tensor, expected_shape: tuple, who: str, what: str, broadcast: bool = False):
    """A mask (array, Tensor or list; bool, or numbers read as True above 0.5) as a bool array
    on ``like``'s device, checked to have ``expected_shape`` (or, with ``broadcast``, to broadcast
    to it); None stays None."""
    if mask is None:
        return None
    data = mask.data if isinstance(mask, Tensor) else mask
    data = array_module(like.data).asarray(data)
    if data.dtype != bool:
        data = data > 0.5
    expected_shape = tuple(expected_shape)
    if broadcast:
        try:
            fits = np.broadcast_shapes(data.shape, expected_shape) == expected_shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"{who}: expected {what} broadcastable to {expected_shape}, received shape "
                             f"{data.shape}")
    elif tuple(data.shape) != expected_shape:
        raise ValueError(f"{who}: expected {what} of shape {expected_shape}, received shape {data.shape}")
    return data


def dropout_multipliers(rng, rate: float, shape: tuple, like: Tensor):
    """Inverted dropout for the attention weights: 0 for a dropped weight, 1 / (1 - rate) for a
    kept one, drawn on the host from the layer's stream (or glassnet's global one, so that
    ``set_random_seed`` repeats runs) and moved to where ``like`` lives."""
    keep = (rng or backend.rng()).random(shape, dtype=np.float32) >= rate
    keep = array_module(like.data).asarray(keep)
    return keep.astype(like.dtype) * like.dtype.type(1.0 / (1.0 - rate))


def unmask_scores(outputs):
    """The output's mask belongs to the output, not to the attention scores returned beside it."""
    if isinstance(outputs, (tuple, list)) and len(outputs) == 2 and isinstance(outputs[1], Tensor):
        outputs[1]._keras_mask = None
    return outputs
