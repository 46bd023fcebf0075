"""The autograd core: ``Tensor``, ``Function`` and reverse-mode differentiation.

A ``Tensor`` wraps a NumPy array (``.data``). When it is the result of a differentiable
``Function`` applied to tensors that require gradients, it remembers that function (``_ctx``),
and the function remembers its inputs. ``backward()`` walks this graph from the output back to
the leaves and fills each leaf's ``.grad`` with d(output)/d(leaf).

Gradients are plain NumPy arrays with the same shape and dtype as ``.data``.

Example:
    >>> import glassnet as gn
    >>> x = gn.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([2., 4., 6.], dtype=float32)
"""
from __future__ import annotations

import contextlib

import numpy as np

from glassnet.backend import (DEVICE_ARRAY_MODULES, array_module, as_array, canonical_device, device_of,
                              is_device_array, to_device, to_host)

_grad_enabled = True


@contextlib.contextmanager
def no_grad():
    """Context manager that turns graph recording off (inference, weight updates).

    Example:
        >>> with no_grad():
        ...     y = model(x)   # no graph is kept, no memory held for backward
    """
    global _grad_enabled
    previous = _grad_enabled
    _grad_enabled = False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()``."""
    return _grad_enabled


class Function:
    """One differentiable operation, applied once (a new object per call, as in Chainer).

    Subclasses implement:
        ``forward(self, *arrays) -> ndarray``: compute the result on raw arrays, saving on
        ``self`` whatever backward needs.
        ``backward(self, grad) -> tuple``: given d(loss)/d(output), return d(loss)/d(input)
        for every input, in order (``None`` where ``self.needs_input_grad[i]`` is False).

    Configuration (an axis, a slope) goes into ``__init__``. Call the instance on tensors:
    ``Exp()(x)``. An op that saves large arrays may also override ``release`` to drop them as
    soon as backward has used them (``Conv`` does).

    ``self.xp`` is the array library of the inputs (``numpy``, or CuPy for arrays on a GPU; see
    ``backend.array_module``). Forward and backward compute with ``self.xp.exp(a)``, never
    ``numpy.exp(a)``, so that the same op runs wherever its arrays live.
    """

    inputs: tuple = ()
    needs_input_grad: tuple = ()
    xp = np

    def __call__(self, *inputs):
        tensors = [x if isinstance(x, Tensor) else Tensor(x) for x in inputs]
        self.needs_input_grad = needs = [t.requires_grad for t in tensors]
        record = _grad_enabled and True in needs
        arrays = [t.data for t in tensors]
        if DEVICE_ARRAY_MODULES:  # empty on a CPU-only run: skip the lookup (every op pays it)
            self.xp = array_module(*arrays)
        data = self.forward(*arrays)
        out = Tensor._wrap(data, record)
        if record:
            self.inputs = tensors
            out._ctx = self
        return out

    def forward(self, *arrays):  # pragma: no cover - interface
        raise NotImplementedError

    def backward(self, grad):  # pragma: no cover - interface
        raise NotImplementedError

    def release(self) -> None:
        """Drop the inputs, and in subclasses the large arrays ``forward`` saved for ``backward``,
        as soon as backward has used them, when the graph will not be walked again (not with
        ``retain_graph=True``). A subclass that overrides it calls ``super().release()``."""
        self.inputs = None

    def __repr__(self):
        return f"<{type(self).__name__}>"


def _keepdims(method: str, keepdims, numpy_args: dict):
    """``keepdims``, after checking that NumPy's extra reduction arguments are unset."""
    if any(v is not None for v in numpy_args.values()):
        raise TypeError(f"Tensor.{method}: NumPy's {sorted(numpy_args)} are not supported on a Tensor")
    return bool(keepdims)


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    Args:
        data: array-like. Python floats and float64 arrays become float32 (the default
            ``backend.floatx()``); integer and bool arrays keep their dtype.
        requires_grad: if True, ``backward()`` computes ``.grad`` for this tensor.
        dtype: optional dtype to convert ``data`` to.

    Gradients accumulate: each ``backward()`` adds into ``.grad`` until you reset it with
    ``zero_grad()`` or ``optimizer.zero_grad(params)``, exactly as in PyTorch (``fit`` and
    ``train_on_batch`` clear the weights' gradients before each step; ``optimizer.apply``
    leaves them). This lets several losses, or several micro-batches, add their contributions.
    """

    __array_priority__ = 1000  # make ``ndarray + Tensor`` call Tensor.__radd__
    # ``_keras_mask``: which time steps are real, set by layers that make masks (Embedding with
    # mask_zero, Masking) and read by layers that use them (RNNs, losses); autograd ignores it
    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_retain_grad", "name", "_keras_mask", "__weakref__")

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        if isinstance(data, Tensor):
            data = data.data
        self.data = as_array(data, dtype)
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"Tensor: only float tensors can require gradients, received dtype {self.data.dtype}")
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        self._retain_grad = False
        self.name = name
        self._keras_mask = None

    @classmethod
    def _wrap(cls, data, requires_grad: bool) -> "Tensor":
        """Fast constructor for op results: ``data`` is already a correct ndarray."""
        t = cls.__new__(cls)
        # NumPy reductions over all axes return scalars; a tensor always holds an array
        t.data = data if isinstance(data, np.ndarray) or is_device_array(data) else np.asarray(data)
        t.grad = None
        t.requires_grad = requires_grad
        t._ctx = None
        t._retain_grad = False
        t.name = None
        t._keras_mask = None
        return t

    # ----------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (weights, inputs), False for op results."""
        return self._ctx is None

    @property
    def T(self) -> "Tensor":
        return _ops.transpose(self)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        body = np.array2string(to_host(self.data), prefix="Tensor(")
        return f"Tensor({body}, dtype={self.data.dtype}{grad})"

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array: the underlying array itself (shared, not copied) on the
        CPU, a host copy for a tensor on a device."""
        return to_host(self.data)

    @property
    def device(self) -> str:
        """Where the values live: ``"cpu"`` (a NumPy array) or ``"gpu:0"`` (a CuPy array)."""
        return device_of(self.data)

    def to(self, device: str) -> "Tensor":
        """This tensor on ``device`` (``"cpu"``, ``"gpu"``, ``"gpu:1"``), as PyTorch's ``Tensor.to``.

        Already there: ``self``. Otherwise a copy; when it requires grad, the copy is part of the
        graph and ``backward`` brings gradients back to this tensor's device.

        Example:
            >>> import numpy as np
            >>> x = gn.Tensor(np.ones(3), requires_grad=True)
            >>> y = (x.to("gpu") * 2).sum()      # computed on the GPU
            >>> y.backward(); x.grad             # a NumPy array, on x's device
        """
        target = canonical_device(device)
        if device_of(self.data) == target:
            return self
        if self.requires_grad and _grad_enabled:
            return _Transfer(target)(self)
        return Tensor._wrap(to_device(self.data, target), False)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        return self.data.item()

    def detach(self) -> "Tensor":
        """A new tensor sharing ``data`` but cut from the graph (``requires_grad=False``)."""
        return Tensor._wrap(self.data, False)

    def astype(self, dtype) -> "Tensor":
        return _ops.cast(self, dtype)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after ``backward()`` (for inspection)."""
        self._retain_grad = True

    # ----------------------------------------------------------------- backward
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Compute gradients of this tensor with respect to every leaf that requires them.

        Args:
            grad: d(something)/d(self). Defaults to 1 for a one-element tensor (a loss).
            retain_graph: keep the graph so that ``backward`` can be called on it again.
        """
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad; "
                               "no input of the computation had requires_grad=True")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward: grad can be implied only for a one-element tensor, "
                                   f"received shape {self.shape}; pass grad=")
            grad = array_module(self.data).ones_like(self.data)
        else:
            grad = grad.data if isinstance(grad, Tensor) else grad
            grad = array_module(self.data).array(grad, dtype=self.data.dtype)  # a copy, on our device
            if grad.shape != self.shape:
                raise ValueError(f"backward: expected grad of shape {self.shape}, received {grad.shape}")

        # The chain rule needs the full gradient of a tensor before that gradient is passed
        # on to its inputs. A tensor used twice (a residual, a shared weight) receives one
        # contribution from each use, so we visit tensors in reverse topological order:
        # every consumer of a tensor is processed before the tensor itself.
        order = _topological_order(self)
        stored = set()  # ids of arrays already handed out as a leaf's .grad in this pass
        self._accumulate(grad, stored)
        for t in reversed(order):
            fn = t._ctx
            if fn is None:
                continue
            if fn.inputs is None:
                raise RuntimeError("backward: the graph was already freed by an earlier backward(); "
                                   "pass retain_graph=True to the first call")
            g = t.grad
            if not t._retain_grad:
                t.grad = None  # intermediate gradients are not kept, to save memory
            if g is None:
                continue
            input_grads = fn.backward(g)
            for inp, ig, needed in zip(fn.inputs, input_grads, fn.needs_input_grad):
                if needed and ig is not None:
                    if ig.shape != inp.data.shape:
                        raise RuntimeError(f"{type(fn).__name__}.backward returned a gradient of shape "
                                           f"{ig.shape} for an input of shape {inp.data.shape}")
                    inp._accumulate(ig, stored)
            if not retain_graph:
                fn.release()  # free the saved inputs and arrays; the graph cannot be walked again

    def _accumulate(self, g, stored: set) -> None:
        if g.dtype != self.data.dtype:
            g = g.astype(self.data.dtype)
        if self.grad is not None:
            # never in place: the same array object may have been handed to several inputs
            self.grad = self.grad + g
            return
        owner = g if g.base is None else g.base  # views share their owner's memory
        # (CuPy's flags have no ``writeable``: its arrays are always writeable)
        if self._ctx is None and (id(owner) in stored or not getattr(g.flags, "writeable", True)):
            # a leaf keeps its .grad, and users may edit it in place: give it its own array when
            # backward produced a read-only broadcast view, or memory already given to another
            # leaf (``a + b`` hands the same gradient array to both)
            owner = g = g.copy()
        self.grad = g
        if self._ctx is None:
            stored.add(id(owner))  # only leaves keep their .grad once backward is over

    # ----------------------------------------------------------------- operators
    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.subtract(self, other)

    def __rsub__(self, other):
        return _ops.subtract(other, self)

    def __mul__(self, other):
        return _ops.multiply(self, other)

    def __rmul__(self, other):
        return _ops.multiply(other, self)

    def __truediv__(self, other):
        return _ops.divide(self, other)

    def __rtruediv__(self, other):
        return _ops.divide(other, self)

    def __pow__(self, other):
        return _ops.power(self, other)

    def __rpow__(self, other):
        return _ops.power(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.negative(self)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    # comparisons give non-differentiable boolean tensors
    def __lt__(self, other):
        return Tensor._wrap(self.data < _raw(other), False)

    def __le__(self, other):
        return Tensor._wrap(self.data <= _raw(other), False)

    def __gt__(self, other):
        return Tensor._wrap(self.data > _raw(other), False)

    def __ge__(self, other):
        return Tensor._wrap(self.data >= _raw(other), False)

    def __eq__(self, other):
        return Tensor._wrap(self.data == _raw(other), False)

    def __ne__(self, other):
        return Tensor._wrap(self.data != _raw(other), False)

    __hash__ = object.__hash__  # identity hash, since == is elementwise

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"the truth value of a Tensor of shape {self.shape} is ambiguous")
        return bool(self.data)

    def __float__(self):
        return float(self.data)

    def __format__(self, spec):  # f"{loss:.4f}" on a one-element Tensor, as on a number
        return format(self.data.item() if self.data.size == 1 else self.data, spec)

    def __array__(self, dtype=None, copy=None):
        # NumPy functions given a Tensor (np.asarray(t), np.square(loss)) see its values,
        # detached from the graph, as they do with a TensorFlow eager tensor (on a GPU: a host copy)
        data = to_host(self.data)
        return data if dtype is None else data.astype(dtype)

    # ----------------------------------------------------------------- method forms of ops
    # (np.mean(t) and np.sum(t) call these with NumPy's dtype=None, out=None: accepted when unset)
    def sum(self, axis=None, keepdims=False, **numpy_args):
        return _ops.sum(self, axis=axis, keepdims=_keepdims("sum", keepdims, numpy_args))

    def mean(self, axis=None, keepdims=False, **numpy_args):
        return _ops.mean(self, axis=axis, keepdims=_keepdims("mean", keepdims, numpy_args))

    def max(self, axis=None, keepdims=False, **numpy_args):
        return _ops.max(self, axis=axis, keepdims=_keepdims("max", keepdims, numpy_args))

    def min(self, axis=None, keepdims=False, **numpy_args):
        return _ops.min(self, axis=axis, keepdims=_keepdims("min", keepdims, numpy_args))

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops.transpose(self, axes or None)

    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


class _Transfer(Function):
    """A copy to another device; its gradient is the copy back (``Tensor.to``)."""

    def __init__(self, device: str):
        self.device = device

    def forward(self, a):
        self.source = device_of(a)
        return to_device(a, self.device)

    def backward(self, grad):
        return (to_device(grad, self.source),)


def _topological_order(root: Tensor) -> list:
    """Tensors reachable from ``root`` through recorded ops, each after all its inputs.

    Iterative depth-first search (a recursive one overflows Python's stack on long graphs such
    as an RNN unrolled over hundreds of steps).
    """
    order, visited = [], set()
    stack = [(root, False)]
    push, pop = stack.append, stack.pop
    while stack:
        t, inputs_done = pop()
        if inputs_done:
            order.append(t)
            continue
        # a tensor is marked when expanded, not when pushed: if it were marked on push, a
        # consumer reached later could be ordered before it
        if t in visited:  # tensors hash by identity, so this is a set of graph nodes
            continue
        visited.add(t)
        push((t, True))
        fn = t._ctx
        if fn is not None and fn.inputs is not None:
            for inp in fn.inputs:
                if inp.requires_grad and inp not in visited:
                    push((inp, False))
    return order


from glassnet import ops as _ops  # noqa: E402  (ops need Tensor and Function defined first)


class Parameter(Tensor):
    """A trainable weight: a leaf tensor that requires grad, with a hierarchical name.

    Layers create parameters with ``add_weight``; their ``name`` (``"dense_1/kernel"``) keys
    the optimizer's state, so state can be saved and restored.

    Example:
        >>> import numpy as np
        >>> w = Parameter(np.zeros((2, 3)), name="dense/kernel")
        >>> w.assign(np.ones((2, 3)))
    """

    __slots__ = ("trainable",)

    def __init__(self, data, name: str | None = None, trainable: bool = True, dtype=None):
        super().__init__(data, requires_grad=trainable, dtype=dtype, name=name)
        if type(data) is type(self.data) and array_module(data).shares_memory(self.data, data):
            self.data = self.data.copy()  # a weight owns its values: assign() must not write into the caller's array
        self.trainable = trainable

    def assign(self, value) -> None:
        """Overwrite the values in place, keeping shape and dtype (checked)."""
        value = value.data if isinstance(value, Tensor) else array_module(self.data).asarray(value)
        if value.shape != self.data.shape:
            raise ValueError(f"assign to {self.name or 'parameter'}: expected shape {self.data.shape}, "
                             f"received {value.shape}")
        self.data[...] = value

    def __repr__(self):
        return f"<Parameter {self.name} shape={self.data.shape} dtype={self.data.dtype}>"
