"""Checks shared by the channels-last layers (convolution, pooling, reshaping).

glassnet lays images out as Keras's default does, ``(batch, *spatial, channels)``, and supports
no other layout, so ``data_format`` is accepted only as ``"channels_last"`` (or None).
"""
from __future__ import annotations

AXES = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)",
        3: "(batch, dim1, dim2, dim3, channels)"}


def check_data_format(data_format, who: str) -> str:
    """``"channels_last"``, the only layout; anything else is an error naming ``who``."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{who}: only data_format='channels_last' is supported (inputs shaped "
                         f"(batch, ..., channels)), received {data_format!r}; move the channel axis "
                         f"last with ops.transpose")
    return "channels_last"


def check_rank(layer, shape, rank: int) -> None:
    """An input of ``rank`` spatial axes has rank ``rank + 2``: batch, the spatial axes, channels."""
    if len(shape) != rank + 2:
        raise ValueError(f"{type(layer).__name__} '{layer.name}' expects input of rank {rank + 2} "
                         f"{AXES[rank]}, received shape {tuple(shape)}")
