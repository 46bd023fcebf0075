"""``GradientTape``: TensorFlow's way of asking for gradients, on glassnet's autograd.

glassnet records every op whose inputs require gradients (``core/tensor.py``); the tape adds
no recording of its own. What it adds is TensorFlow's interface to that graph:

    with gn.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_weights)       # one gradient per weight
    optimizer.apply_gradients(zip(grads, model.trainable_weights))

``tape.gradient(target, sources)`` runs ``target.backward()`` and hands back the gradients of
``sources`` in the same structure (a list, a tuple, a dict, or one tensor), as Tensors. It has
no side effect on ``.grad``: every leaf of the graph gets back the ``.grad`` it had before, so
gradients taken with a tape never pile up into a later ``backward()`` or ``fit`` (like
``torch.autograd.grad``, unlike ``loss.backward()``, which accumulates).

What differs from plain ``backward()``, as in TensorFlow:

- a source the target does not depend on gets ``None`` (or zeros with
  ``unconnected_gradients="zero"``);
- a tape can answer once; ``persistent=True`` keeps the graph for several ``gradient`` calls;
  two tapes recording the same forward pass (TensorFlow's GAN loop) can each answer once;
- ``tape.watch(t)`` makes a constant (an input, a frozen weight) differentiable: glassnet
  records ops on a tensor only while it requires gradients, so the tape switches that on for
  the ``with`` block and for its ``gradient`` calls, and back off afterwards. Watch a tensor
  *before* computing with it.

Recording is on inside the ``with`` block even within ``no_grad()``; ``tape.stop_recording()``
turns it off for a part of the block.
"""
from __future__ import annotations

import contextlib
import weakref

from glassnet.backend import array_module
from glassnet.core import tensor as _core
from glassnet.core.tensor import Tensor, _topological_order, no_grad

_UNCONNECTED = ("none", "zero")


def _flatten(structure) -> list:
    """The tensors of a nested list / tuple / dict, in order (dicts by insertion order)."""
    if isinstance(structure, dict):
        return [t for v in structure.values() for t in _flatten(v)]
    if isinstance(structure, (list, tuple)):
        return [t for v in structure for t in _flatten(v)]
    return [structure]


def _pack(structure, flat: list):
    """``flat`` poured back into the shape of ``structure`` (the inverse of ``_flatten``)."""
    items = iter(flat)

    def build(s):
        if isinstance(s, dict):
            return {k: build(v) for k, v in s.items()}
        if isinstance(s, (list, tuple)):
            return type(s)(build(v) for v in s) if type(s) in (list, tuple) else [build(v) for v in s]
        return next(items)
    return build(structure)


# Tapes that have recorded and not yet answered their (one) gradient call. While one is
# waiting, another tape's backward pass must not free the graph: TensorFlow's GAN loop records
# one forward pass on two tapes (generator and discriminator) and asks each in turn.
_waiting = weakref.WeakSet()


class GradientTape:
    """Records a computation so that gradients of it can be asked for (TensorFlow's API).

    Args:
        persistent: allow several ``gradient`` calls on the same tape (the graph is kept
            until the tape and the target are dropped). Default False: one call, after which
            the graph's memory is freed.

    Example:
        >>> import numpy as np
        >>> import glassnet as gn
        >>> w = gn.Parameter(np.array([1.0, 2.0]), name="w")
        >>> x = gn.Tensor([3.0, 4.0])
        >>> with gn.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = (w * x).sum()
        >>> dw, dx = tape.gradient(y, [w, x])
        >>> dw.numpy(), dx.numpy()
        (array([3., 4.], dtype=float32), array([1., 2.], dtype=float32))
    """

    def __init__(self, persistent: bool = False):
        self.persistent = bool(persistent)
        self._watched = []          # (tensor, requires_grad before watch)
        self._used = False          # a non-persistent tape answers once
        self._recording = False
        self._grad_state = None

    # ------------------------------------------------------------------ context
    def __enter__(self) -> "GradientTape":
        if self._recording:
            raise RuntimeError("GradientTape: this tape is already recording (nested `with` on the same tape)")
        self._recording = True
        if not self.persistent and not self._used:
            _waiting.add(self)
        self._grad_state = _core._grad_enabled
        _core._grad_enabled = True  # a tape records even inside no_grad(), as TensorFlow's does
        for t, _ in self._watched:
            t.requires_grad = True
        return self

    def __exit__(self, *exc) -> None:
        _core._grad_enabled = self._grad_state
        self._recording = False
        self._release_watched()

    def _release_watched(self) -> None:
        # outside the block a watched constant goes back to not requiring grad, so later code
        # (a fit, another tape) does not record ops on it for nothing
        for t, before in self._watched:
            t.requires_grad = before

    @contextlib.contextmanager
    def stop_recording(self):
        """Turn recording off for a part of the ``with`` block (TensorFlow's ``stop_recording``).

        Example:
            >>> with gn.GradientTape() as tape:
            ...     y = model(x)
            ...     with tape.stop_recording():
            ...         stats = model(x_val)       # not recorded, no memory kept for it
        """
        if not self._recording:
            raise RuntimeError("GradientTape.stop_recording: the tape is not recording; use it inside "
                               "`with tape:`")
        with no_grad():
            yield

    def watch(self, tensor) -> None:
        """Make ``tensor`` (or a list / dict of tensors) differentiable for this tape.

        Trainable weights need no watching: glassnet always records ops on them. Watch inputs
        (``Tensor(x)``) and frozen weights, before computing with them.

        Raises:
            TypeError: for something that is not a float ``Tensor`` (wrap arrays with
                ``gn.Tensor(array)`` first: a NumPy array cannot carry a gradient).

        Example:
            >>> import numpy as np
            >>> x = gn.Tensor(np.ones((2, 3), np.float32))
            >>> with gn.GradientTape() as tape:
            ...     tape.watch(x)
            ...     y = model(x)
            >>> saliency = tape.gradient(y, x)       # d(sum of outputs) / d(input)
        """
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(f"GradientTape.watch: expected a glassnet Tensor, received {type(t).__name__}; "
                                f"wrap arrays first: x = gn.Tensor(array)")
            if t.dtype.kind != "f":
                raise TypeError(f"GradientTape.watch: only float tensors have gradients, received dtype {t.dtype}")
            if not any(t is w for w, _ in self._watched):
                self._watched.append((t, t.requires_grad))
            if self._recording:
                t.requires_grad = True

    def watched_variables(self) -> list:
        """The tensors given to ``watch``, in order."""
        return [t for t, _ in self._watched]

    # ------------------------------------------------------------------ gradients
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(target)/d(source) for every source, in the structure of ``sources``.

        Args:
            target: a Tensor (a loss), or a list of Tensors (their sum is differentiated). A
                target with several elements is summed, as TensorFlow does.
            sources: a Tensor, or a list / tuple / dict (nested) of Tensors: weights, watched
                inputs, or intermediate results computed inside the block.
            output_gradients: d(something)/d(target) to start from (same structure as
                ``target``); default ones.
            unconnected_gradients: ``"none"`` (default): None for a source the target does not
                depend on; ``"zero"``: zeros of the source's shape.

        Returns:
            Tensors (no graph) shaped like the sources, or None where unconnected.

        Raises:
            RuntimeError: a second call on a non-persistent tape.

        Example:
            >>> with gn.GradientTape() as tape:
            ...     loss = gn.losses.mse(y, model(x, training=True)).mean()
            >>> grads = tape.gradient(loss, model.trainable_weights)
        """
        if unconnected_gradients not in _UNCONNECTED:
            raise ValueError(f"GradientTape.gradient: expected unconnected_gradients in {list(_UNCONNECTED)}, "
                             f"received {unconnected_gradients!r}")
        if self._used and not self.persistent:
            raise RuntimeError("GradientTape.gradient: a non-persistent GradientTape can only compute one set "
                               "of gradients; create it with GradientTape(persistent=True) to call gradient "
                               "several times")
        self._used = True
        _waiting.discard(self)
        flat_sources = _flatten(sources)
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise TypeError(f"GradientTape.gradient: sources must be glassnet Tensors (weights, watched "
                                f"tensors), received {type(s).__name__}")
        targets = _flatten(target)
        seeds = [None] * len(targets) if output_gradients is None else _flatten(output_gradients)
        if len(seeds) != len(targets):
            raise ValueError(f"GradientTape.gradient: expected one output gradient per target ({len(targets)}), "
                             f"received {len(seeds)}")
        for t in targets:
            if not isinstance(t, Tensor):
                raise TypeError(f"GradientTape.gradient: target must be a glassnet Tensor computed inside the "
                                f"tape, received {type(t).__name__}")
        for t, _ in self._watched:
            t.requires_grad = True  # the graph walk follows tensors that require grad
        try:
            grads = self._backward(targets, seeds, flat_sources)
        finally:
            if not self._recording:
                self._release_watched()
        if unconnected_gradients == "zero":
            grads = [Tensor._wrap(array_module(s.data).zeros_like(s.data), False) if g is None else g
                     for g, s in zip(grads, flat_sources)]
        return grads[0] if isinstance(sources, Tensor) else _pack(sources, grads)

    def _backward(self, targets, seeds, sources) -> list:
        live = [(t, g) for t, g in zip(targets, seeds) if t.requires_grad]
        if not live:
            return [None] * len(sources)
        # every tensor backward will write a .grad into: save what it holds, clear it, and put
        # it back afterwards, so that the tape leaves no trace in .grad
        reached = {}
        for t, _ in live:
            for node in _topological_order(t):
                reached[node] = None
        saved = [(n, n.grad, n._retain_grad) for n in reached]
        wanted = [s for s in sources if s in reached]
        for n in reached:
            n.grad = None
        for s in wanted:
            s._retain_grad = True  # keep the gradient of an intermediate source after backward
        try:
            for i, (t, seed) in enumerate(live):
                if seed is None and t.data.size != 1:
                    seed = array_module(t.data).ones_like(t.data)  # the gradient of sum(target)
                # a non-persistent tape frees the graph with its (last) backward pass, unless
                # another tape still waits to walk it (the graph may be shared)
                last = i == len(live) - 1
                t.backward(seed, retain_graph=self.persistent or not last or len(_waiting) > 0)
            found = {id(s): s.grad for s in wanted}
        finally:
            for n, grad, retain in saved:
                n.grad, n._retain_grad = grad, retain
        out = []
        for s in sources:
            g = found.get(id(s))
            # an intermediate's gradient array may be shared with another tensor's: copy it
            out.append(None if g is None else Tensor._wrap(g if s.is_leaf else g.copy(), False))
        return out

    def __repr__(self):
        return f"<GradientTape persistent={self.persistent} watched={len(self._watched)}>"
