"""``Layer``: the Keras layer lifecycle on top of the autograd core.

A layer is configured in ``__init__`` (arguments checked at once), creates its weights in
``build(input_shape)`` the first time it sees an input (so ``Dense(10)`` needs no input size),
and computes in ``call(inputs, training=None)``. ``get_config`` returns the arguments that
recreate it, which is how models are saved without pickling code.

Example (a custom layer):
    >>> import numpy as np
    >>> class Scale(Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight("w", (input_shape[-1],), initializer="ones")
    ...     def call(self, x):
    ...         return x * self.w
    >>> Scale()(np.ones((2, 3))).shape
    (2, 3)
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from glassnet import backend, initializers, regularizers
from glassnet.backend import array_module
from glassnet.core.tensor import Parameter, Tensor, no_grad
from glassnet.layers.symbolic import Node, SymbolicTensor, is_symbolic, map_structure


def is_shape(s) -> bool:
    """A shape is a tuple (or list) of ints and Nones."""
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def map_shapes(fn, shapes):
    """Apply ``fn`` to every shape in a (possibly nested list of) shapes."""
    if is_shape(shapes):
        return fn(tuple(shapes))
    return [map_shapes(fn, s) for s in shapes]


_outermost_call = None  # the layer whose __call__ started the forward pass now running
_loss_holders = 0  # how many layers hold add_loss terms: at 0 a new forward pass has none to clear


def _to_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _to_layer_device(layer, inputs):
    """The inputs of an outermost call (a model's input batch) on the device of the layer's
    weights, or on the current device for a layer without weights (``Tensor.to``: inputs that
    require grad get their gradients back on their own device)."""
    params = layer.weights
    target = backend.device_of(params[0].data) if params else backend.get_device()

    def move(t):
        if not isinstance(t, Tensor) or t.data.dtype.kind not in "biuf" or backend.device_of(t.data) == target:
            return t  # (strings for TextVectorization stay on the host)
        moved = t.to(target)
        if t._keras_mask is not None:
            moved._keras_mask = backend.to_device(t._keras_mask, target)
        return moved
    return map_structure(move, inputs)


def _mask_of(inputs):
    """The mask an input carries: an array or None; for a list of inputs, a list (or None when
    none of them has one)."""
    if isinstance(inputs, Tensor):
        return inputs._keras_mask
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return None


def _attach_mask(outputs, mask) -> None:
    """Record ``mask`` on the output tensor(s); a list of masks goes one per output."""
    if isinstance(outputs, Tensor):
        outputs._keras_mask = mask
    elif isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for out, m in zip(outputs, masks):
            if isinstance(out, Tensor):
                out._keras_mask = m


class Layer:
    """Base class of all layers.

    Args:
        name: unique name; defaults to the class name in snake case (``dense``, ``dense_1``...).
        trainable: whether the layer's weights are updated by training.
        dtype: dtype of the weights (default ``backend.floatx()``, float32).
        input_shape: shape of one sample (no batch axis), for the first layer of a Sequential.
        input_dim: shorthand for ``input_shape=(input_dim,)``.
        activity_regularizer: a regularizer applied to the layer's output, added to the loss.
    """

    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None, input_dim=None,
                 batch_input_shape=None, activity_regularizer=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected argument(s) {sorted(kwargs)}")
        self._sublayers = []
        self._params = {}
        self._weight_regularizers = []
        self._inbound_nodes = []
        self._losses = []  # this forward pass's add_loss terms (activity penalties included)
        self.name = name or backend.unique_name(backend.snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = np.dtype(dtype or backend.floatx()).name
        self.built = False
        self._build_input_shape = None
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
            self._batch_input_shape = (None,) + shape
        else:
            self._batch_input_shape = None
        self.activity_regularizer = regularizers.get(activity_regularizer)
        call_parameters = inspect.signature(self.call).parameters
        self._accepts_training = "training" in call_parameters
        self._accepts_mask = "mask" in call_parameters
        # a layer that makes masks of its own (Embedding(mask_zero=True), Masking) overrides
        # compute_mask; only then, or when a mask comes in, is compute_mask called
        self._makes_masks = type(self).compute_mask is not Layer.compute_mask

    def __init_subclass__(cls, **kwargs):
        # As in Keras, calling ``layer.build(shape)`` yourself leaves the layer built: each
        # subclass's own ``build`` is wrapped once to mark the layer built when it returns.
        super().__init_subclass__(**kwargs)
        own_build = cls.__dict__.get("build")
        if own_build is not None and not getattr(own_build, "_marks_built", False):
            @functools.wraps(own_build)
            def build(self, *args, **kwargs):
                own_build(self, *args, **kwargs)
                if self._build_input_shape is None and args and args[0] is not None:
                    shape = args[0]
                    self._build_input_shape = tuple(shape) if is_shape(shape) else shape
                self.built = True
            build._marks_built = True
            cls.build = build

    # ---------------------------------------------------------------- attribute tracking
    def __setattr__(self, name, value):
        # sub-layers assigned as attributes (custom layers, subclassed models) are tracked so
        # that their weights belong to this layer too
        if isinstance(value, Layer) and name != "_outer" and "_sublayers" in self.__dict__:
            if not any(value is s for s in self._sublayers):
                self._sublayers.append(value)
        object.__setattr__(self, name, value)

    # ---------------------------------------------------------------- lifecycle
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch axis included, maybe None)."""
        self.built = True

    def call(self, inputs, training=None):
        """The computation. Override in subclasses."""
        raise NotImplementedError(f"{type(self).__name__}.call is not implemented")

    # ---------------------------------------------------------------- masks
    # A mask marks the real time steps of padded sequences: a boolean array (batch, time),
    # True for a real step. Keras's rules: a layer that makes one (Embedding(mask_zero=True),
    # Masking) returns it from ``compute_mask``; ``__call__`` attaches it to the output tensor
    # (``tensor._keras_mask``) and hands the input's mask to the next layer's ``call(...,
    # mask=...)`` when that ``call`` has a ``mask`` parameter (RNNs skip masked steps, losses
    # leave them out). Layers with ``supports_masking = True`` pass it on unchanged; others drop it.
    supports_masking = False

    def compute_mask(self, inputs, mask=None):
        """The mask of this layer's output, given its input and the input's mask.

        The default passes the mask on when ``supports_masking`` is True, else drops it.

        Example:
            >>> import numpy as np
            >>> layers.Embedding(10, 4, mask_zero=True).compute_mask(np.array([[3, 0]]))
            array([[ True, False]])
        """
        return mask if self.supports_masking else None

    def __call__(self, inputs, *args, **kwargs):
        if not isinstance(inputs, Tensor):  # the common case, a tensor, skips these checks
            if is_symbolic(inputs):
                return self._call_symbolic(inputs, args, kwargs)
            inputs = map_structure(_to_tensor, inputs)
        global _outermost_call
        if _outermost_call is None:
            # Keras's rule: the outermost call (a model, or a layer called on its own) starts a new
            # forward pass, so the losses added by the last one (add_loss, activity penalties) go
            _outermost_call = self
            self._clear_losses()
            if backend.DEVICE_ARRAY_MODULES:  # a GPU library is loaded: inputs go where the weights are
                inputs = _to_layer_device(self, inputs)
            try:
                return self._eager_call(inputs, args, kwargs)
            finally:
                _outermost_call = None
        return self._eager_call(inputs, args, kwargs)

    def _eager_call(self, inputs, args, kwargs):
        if not self.built:
            self._build_once(map_structure(lambda t: t.shape, inputs) if isinstance(inputs, (list, tuple))
                             else inputs.shape)
        if not self._accepts_training:
            kwargs.pop("training", None)
        mask = _mask_of(inputs)
        if self._accepts_mask and mask is not None and kwargs.get("mask") is None:
            kwargs["mask"] = mask
        outputs = self.call(inputs, *args, **kwargs)
        if self.activity_regularizer is not None:
            for out in (outputs if isinstance(outputs, (list, tuple)) else [outputs]):
                if not isinstance(out, Tensor):
                    continue
                penalty = self.activity_regularizer(out)
                if out.ndim and out.shape[0]:
                    # per sample, as Keras 3 (and tf.keras) do: the strength does not grow with the batch
                    penalty = penalty / out.shape[0]
                self.add_loss(penalty)
        if (self._makes_masks or mask is not None) and outputs is not inputs:
            _attach_mask(outputs, self.compute_mask(inputs, kwargs.get("mask", mask)))
        return outputs

    def _build_once(self, input_shape) -> None:
        if isinstance(input_shape, list) and not is_shape(input_shape):
            input_shape = [tuple(s) for s in input_shape]
        else:
            input_shape = tuple(input_shape)
        self._build_input_shape = input_shape
        self.build(input_shape)
        self.built = True

    def _call_symbolic(self, inputs, args, kwargs):
        shapes = map_structure(lambda t: t.shape, inputs)
        if not self.built:
            self._build_once(shapes)
        out_shapes = self.compute_output_shape(shapes)
        outputs = map_shapes(lambda s: SymbolicTensor(s, self.dtype), out_shapes)
        node = Node(self, inputs, outputs, dict(kwargs))
        leaves = [outputs] if isinstance(outputs, SymbolicTensor) else list(outputs)
        for i, t in enumerate(leaves):
            t.node, t.index = node, i
        return outputs

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape``. The default runs ``call`` once on zeros with a batch
        of 1 (exact for any layer); layers override it where the arithmetic is simple."""
        xp = array_module(*(w.data for w in self.weights))  # zeros where the weights live

        def zeros(s):
            return Tensor(xp.zeros([1 if d is None else d for d in s], dtype=self.dtype))
        dummy = map_shapes(zeros, input_shape)
        with no_grad():
            out = self.call(dummy, training=False) if self._accepts_training else self.call(dummy)
        batch = input_shape[0] if is_shape(input_shape) else input_shape[0][0]
        return map_structure(lambda t: (batch,) + tuple(t.shape[1:]), out)

    # ---------------------------------------------------------------- weights
    def add_weight(self, name=None, shape=None, initializer="glorot_uniform", regularizer=None,
                   trainable=True, dtype=None, constraint=None, **keras_options) -> Parameter:
        """Create, register and return a weight named ``<layer name>/<name>``.

        Args:
            name: short name, unique within the layer (``"kernel"``); None: ``variable``,
                ``variable_1``... (Keras programs often give none).
            shape: the weight's shape. Keras 3's positional form ``add_weight((3, 4))`` (the shape
                first) is understood too.
            initializer: name or ``glassnet.initializers`` object (None: ``"glorot_uniform"``,
                as in Keras).
            regularizer: name or ``glassnet.regularizers`` object added to the loss.
            trainable: False for statistics updated outside the gradient (moving means).
            constraint: must be None: glassnet has no weight constraints.
            keras_options: Keras 3's ``autocast``, ``aggregation``, ``synchronization``,
                ``use_resource`` (accepted and ignored: they concern distributed TensorFlow).

        Example:
            >>> self.w = self.add_weight(shape=(input_shape[-1], self.units),
            ...                          initializer="random_normal", trainable=True)
        """
        unknown = set(keras_options) - {"autocast", "aggregation", "synchronization", "use_resource",
                                        "experimental_autocast", "caching_device", "partitioner"}
        if unknown:
            raise TypeError(f"layer '{self.name}': add_weight got unexpected argument(s) {sorted(unknown)}")
        if constraint is not None:
            raise ValueError(f"layer '{self.name}': add_weight(constraint=...) is not supported: glassnet "
                             f"has no weight constraints")
        if name is not None and not isinstance(name, str):  # Keras 3: add_weight(shape, initializer, ...)
            name, shape, initializer = None, name, initializer if shape is None else shape
        if shape is None:
            raise TypeError(f"layer '{self.name}': add_weight needs shape=, e.g. add_weight(shape=(3, 4))")
        if name is None:
            name = "variable" if "variable" not in self._params else f"variable_{len(self._params)}"
        initializer = "glorot_uniform" if initializer is None else initializer
        if name in self._params:
            raise ValueError(f"layer '{self.name}': a weight named {name!r} already exists")
        values = initializers.initial_value(initializer, shape, dtype or self.dtype, name=f"{self.name}/{name}")
        device = backend.get_device()  # drawn on the host (same values for a seed), kept on the device
        if device != "cpu":
            values = backend.to_device(values, device)
        param = Parameter(values, name=f"{self.name}/{name}", trainable=trainable)
        param.requires_grad = trainable and self._trainable
        self._params[name] = param
        reg = regularizers.get(regularizer)
        if reg is not None:
            self._weight_regularizers.append((param, reg))
        return param

    @property
    def weights(self) -> list:
        """All weights (own, then sub-layers'), in creation order, each once."""
        out = list(self._params.values())
        for layer in self._sublayers:
            out.extend(layer.weights)
        return list(dict.fromkeys(out))  # tensors hash by identity: drops a shared layer's repeats

    @property
    def trainable_weights(self) -> list:
        """Weights updated by the optimizer (none if ``trainable`` is False)."""
        if not self._trainable:
            return []
        out = [p for p in self._params.values() if p.trainable]
        for layer in self._sublayers:
            out.extend(layer.trainable_weights)
        return list(dict.fromkeys(out))

    @property
    def trainable_variables(self) -> list:
        """Keras 3's name for ``trainable_weights``.

        Example:
            >>> grads = tape.gradient(loss, model.trainable_variables)
        """
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        """Keras 3's name for ``non_trainable_weights``."""
        return self.non_trainable_weights

    @property
    def variables(self) -> list:
        """Keras 3's name for ``weights``."""
        return self.weights

    @property
    def non_trainable_weights(self) -> list:
        trainable = {id(p) for p in self.trainable_weights}
        return [p for p in self.weights if id(p) not in trainable]

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freeze (False) or unfreeze the layer and everything inside it."""
        self._trainable = bool(value)
        for p in self._params.values():
            p.requires_grad = p.trainable and self._trainable
        for layer in self._sublayers:
            layer.trainable = value

    def to(self, device: str):
        """Move every weight (and gradient) of this layer or model to ``device``; returns ``self``.

        ``"cpu"`` or ``"gpu"``/``"gpu:<index>"`` (see ``backend.set_device``). Batches given to
        ``fit``/``evaluate``/``predict`` or to ``model(x)`` then go to the same device, and an
        optimizer's state follows its weights at their next update.

        Example:
            >>> model = gn.load_model("mnist.glassnet").to("gpu")
            >>> model.predict(x_test)            # computed on the GPU, returned as NumPy
        """
        target = backend.canonical_device(device)
        for p in self.weights:
            p.data = backend.to_device(p.data, target)
            if p.grad is not None:
                p.grad = backend.to_device(p.grad, target)
        return self

    def get_weights(self) -> list:
        """Copies of the weights as NumPy arrays, in Keras order (Dense: kernel, bias)."""
        return [np.array(backend.to_host(p.data)) for p in self.weights]  # copies, on the host

    def set_weights(self, weights) -> None:
        """Load weights from a list of arrays in ``get_weights`` order (shapes checked)."""
        params = self.weights
        weights = list(weights)
        if len(weights) != len(params):
            raise ValueError(f"layer '{self.name}': expected {len(params)} weight arrays "
                             f"{[p.shape for p in params]}, received {len(weights)}")
        for p, w in zip(params, weights):
            if tuple(np.shape(w)) != p.shape:
                raise ValueError(f"layer '{self.name}': weight {p.name} expects shape {p.shape}, "
                                 f"received {np.shape(w)}")
        for p, w in zip(params, weights):
            p.assign(w)  # checked above: nothing changes unless every shape fits

    def count_params(self) -> int:
        """Number of scalar weights (Dense with m inputs and n units: n(m + 1))."""
        if not self.built:
            raise ValueError(f"layer '{self.name}' is not built yet: its weights do not exist until it "
                             f"sees an input (give input_shape=... or call it once)")
        return int(sum(p.size for p in self.weights))

    def add_loss(self, loss) -> None:
        """Add a term to the loss, from inside ``call`` (Keras's ``add_loss``).

        The term counts in the loss that ``fit`` minimises and that ``fit``/``evaluate`` report,
        beside the compiled loss; a term with several elements counts as its sum. Terms are
        collected during one forward pass and forgotten when the next one starts (the next
        call of the outermost model or layer), as in Keras 3; ``layer.losses`` lists them.

        Args:
            loss: a scalar Tensor computed from this call's tensors (so that it has a gradient),
                a number, or a list of them.

        Raises:
            ValueError: for a symbolic tensor (``Input``-based, outside any call): like Keras 3,
                glassnet adds losses during real forward passes only; write a layer whose
                ``call`` adds it.
            TypeError: for a function (tf.keras 2's zero-argument losses).

        Example:
            >>> class SparseCode(Layer):
            ...     def call(self, x):
            ...         self.add_loss(1e-3 * ops.sum(ops.abs(x)))   # an L1 penalty on the code
            ...         return x
        """
        for term in (loss if isinstance(loss, (list, tuple)) else [loss]):
            if is_symbolic(term):
                raise ValueError(f"layer '{self.name}': add_loss received a symbolic tensor; losses are added "
                                 f"during a forward pass only (as in Keras 3): call add_loss inside a layer's "
                                 f"call(), e.g. a small layer that adds the term and returns its input")
            if callable(term):
                raise TypeError(f"layer '{self.name}': add_loss received a function; tf.keras 2's zero-argument "
                                f"loss functions are not supported (Keras 3 dropped them too): add the tensor "
                                f"itself, from inside call()")
            if not self._losses:
                global _loss_holders
                _loss_holders += 1
            self._losses.append(term if isinstance(term, Tensor) else Tensor(term))

    def _flatten_layers(self) -> list:
        """This layer and every layer inside it (breadth first), each once."""
        out, seen = [self], {id(self)}
        for layer in out:  # the list grows while it is walked
            for sub in layer._sublayers:
                if id(sub) not in seen:
                    seen.add(id(sub))
                    out.append(sub)
        return out

    def _clear_losses(self) -> None:
        global _loss_holders
        if not _loss_holders:  # the common case (no add_loss anywhere): no walk over the layers
            return
        for layer in self._flatten_layers():
            if layer._losses:
                layer._losses = []
                _loss_holders -= 1

    @property
    def losses(self) -> list:
        """The loss terms of the last forward pass and the weight penalties, as Keras 3 lists them.

        First the ``add_loss`` terms (activity penalties included) of this layer and of every
        layer inside it, then one penalty per regularized trainable weight, computed now (a
        frozen weight's penalty is a constant and is left out, as in Keras). A layer used twice
        counts once.

        Example:
            >>> import numpy as np
            >>> dense = layers.Dense(2, kernel_regularizer="l2", activity_regularizer="l1")
            >>> _ = dense(np.ones((4, 3), np.float32))
            >>> len(dense.losses)     # the activity penalty, then the kernel's
            2
        """
        layers = self._flatten_layers()
        out = [term for layer in layers if layer._losses for term in layer._losses]
        for layer in layers:
            if layer._weight_regularizers:
                out.extend(reg(p) for p, reg in layer._weight_regularizers if p.requires_grad)
        return out

    # ---------------------------------------------------------------- config
    def get_config(self) -> dict:
        """The arguments that recreate this layer (JSON-serialisable)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Recreate a layer from ``get_config()``'s output."""
        return cls(**config)

    @property
    def input(self):
        """The symbolic tensor(s) this layer was first called on, in functional code (Keras's
        ``layer.input``). AttributeError for a layer never called on ``Input``-based tensors."""
        if not self._inbound_nodes:
            raise AttributeError(f"layer '{self.name}' has never been called on a symbolic tensor (from Input), "
                                 f"so it has no input tensor")
        return self._inbound_nodes[0].inputs

    @property
    def output(self):
        """The symbolic tensor(s) of this layer's first call in functional code (``layer.output``).

        Example:
            >>> x = Input((3,)); y = Dense(2)(x)
            >>> model.get_layer("dense").output is y       # doctest: +SKIP
            True
        """
        fixed = self.__dict__.get("_fixed_output")
        if fixed is not None:
            return fixed
        if not self._inbound_nodes:
            raise AttributeError(f"layer '{self.name}' has never been called on a symbolic tensor (from Input), "
                                 f"so it has no output tensor")
        return self._inbound_nodes[0].outputs

    @output.setter
    def output(self, value):
        self.__dict__["_fixed_output"] = value  # InputLayer's tensor

    @property
    def input_shape(self):
        """The shape the layer was built for (batch axis included)."""
        if self._build_input_shape is None:
            raise AttributeError(f"layer '{self.name}' has not been built, so it has no input shape yet")
        return self._build_input_shape

    @property
    def output_shape(self):
        """The shape of the layer's output for the input shape it was built for (batch axis included).

        Example:
            >>> from glassnet.layers import Dense
            >>> dense = Dense(3)
            >>> dense.build((None, 5))
            >>> dense.output_shape
            (None, 3)
        """
        return self.compute_output_shape(self.input_shape)

    def __repr__(self):
        return f"<{type(self).__name__} name='{self.name}' built={self.built}>"
