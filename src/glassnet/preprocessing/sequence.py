"""Sequences of different lengths as one array: ``pad_sequences`` (Keras's semantics).

A batch must be a rectangle, but sentences have different lengths. ``pad_sequences`` fills the
short ones with ``value`` (0, the index no word gets) and cuts the long ones, at the front
(``"pre"``, the default) or at the end (``"post"``). Padding in front suits a recurrent net
that reads left to right: the real words come last, nearest to the output.

Example (the course's next-word samples are padded in front to length 6):

    >>> pad_sequences([[2, 3], [6, 1, 7]], maxlen=6)
    array([[0, 0, 0, 0, 2, 3],
           [0, 0, 0, 6, 1, 7]], dtype=int32)
"""
from __future__ import annotations

import numpy as np

__all__ = ["pad_sequences"]

_SIDES = ("pre", "post")


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0) -> np.ndarray:
    """Pad (and cut) a list of sequences to one length, giving a 2-D array.

    Args:
        sequences: a list of sequences (lists, tuples or arrays). Each element may itself be
            an array (a vector per time step); they must all have the same shape.
        maxlen: the length of the result; None means the longest sequence's length.
        dtype: dtype of the result (``"int32"`` by default; use ``object`` or a string dtype
            for sequences of strings).
        padding: ``"pre"`` adds ``value`` in front, ``"post"`` at the end.
        truncating: for sequences longer than ``maxlen``, ``"pre"`` drops their first
            elements, ``"post"`` their last ones.
        value: the fill value.

    Returns:
        An array of shape ``(len(sequences), maxlen)`` (plus the element shape, if any).

    Raises:
        ValueError: ``sequences`` is not a list of sequences; an entry is not a sequence;
            ``padding`` or ``truncating`` is not ``"pre"`` or ``"post"``; ``maxlen`` is not a
            non-negative int; entries of different element shapes; a string ``value`` with a
            numeric ``dtype``.

    Example:
        >>> pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post", truncating="post")
        array([[1, 2],
               [4, 0]], dtype=int32)
        >>> pad_sequences([[1, 2, 3], [4]], value=-1)
        array([[ 1,  2,  3],
               [-1, -1,  4]], dtype=int32)
    """
    who = "pad_sequences"
    if padding not in _SIDES:
        raise ValueError(f"{who}: expected padding='pre' or 'post', received {padding!r}")
    if truncating not in _SIDES:
        raise ValueError(f"{who}: expected truncating='pre' or 'post', received {truncating!r}")
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise ValueError(f"{who}: expected a list of sequences, received {type(sequences).__name__}")
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer))
                               or maxlen < 0):
        raise ValueError(f"{who}: expected maxlen to be None or an int >= 0, received {maxlen!r}")

    lengths = []
    sample_shape = ()  # the shape of one element, taken from the first non-empty sequence
    found_sample = False
    for position, sequence in enumerate(sequences):
        if isinstance(sequence, (str, bytes)) or not hasattr(sequence, "__len__"):
            raise ValueError(f"{who}: expected every entry to be a sequence (a list or an array); "
                             f"entry {position} is {type(sequence).__name__} {sequence!r:.40}")
        lengths.append(len(sequence))
        if not found_sample and len(sequence):
            sample_shape = np.asarray(sequence).shape[1:]
            found_sample = True
    if maxlen is None:
        maxlen = max(lengths, default=0)
    maxlen = int(maxlen)

    dtype = np.dtype(dtype)
    if isinstance(value, str) and dtype.kind not in "OUS":
        raise ValueError(f"{who}: a string value {value!r} needs dtype=object (or a string dtype), "
                         f"received dtype={dtype.name}")

    out = np.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return out
    for position, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"{who}: expected elements of shape {sample_shape} (like the first "
                             f"non-empty sequence), entry {position} has elements of shape {kept.shape[1:]}")
        if padding == "post":
            out[position, :len(kept)] = kept
        else:
            out[position, maxlen - len(kept):] = kept
    return out
