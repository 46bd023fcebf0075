"""Gradient checking without PyTorch: is an op's hand-written backward right?

``check_gradients`` compares the analytic gradient of ``sum(R * f(x))`` (R a fixed random
weighting of the outputs) with a central finite difference along random directions v:

    (L(x + eps v) - L(x - eps v)) / (2 eps)  ~=  sum_i <dL/dx_i, v_i>

Each direction costs two forward passes, whatever the size of x, so this is cheap enough to
run on every op and layer. Run it in float64: float32 finite differences are too noisy.
Host-only: the checks run on NumPy arrays (a gradient check is a CPU test, not a workload).

Example:
    >>> import numpy as np
    >>> from glassnet import ops
    >>> from glassnet.testing import check_gradients
    >>> check_gradients(ops.tanh, [np.random.randn(3, 4)])
"""
from __future__ import annotations

import numpy as np

from glassnet.core.tensor import Tensor


def check_gradients(fn, inputs, directions: int = 3, eps: float = 1e-6, rtol: float = 1e-5,
                    atol: float = 1e-7, seed: int = 0, wrt=None) -> None:
    """Raise AssertionError if ``fn``'s backward disagrees with finite differences.

    Args:
        fn: callable taking tensors, returning a tensor.
        inputs: list of arrays; float ones are converted to float64 tensors.
        directions: number of random directions tried.
        wrt: indices of the inputs to differentiate (default: every float input).
    """
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a)
              for a in inputs]
    if wrt is None:
        wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]

    def evaluate(arrs, with_grad):
        ts = [Tensor(a, requires_grad=(with_grad and i in wrt), dtype=a.dtype) for i, a in enumerate(arrs)]
        return ts, fn(*ts)

    tensors, out = evaluate(arrays, True)
    weights = rng.standard_normal(out.shape)
    loss = (out * Tensor(weights, dtype=np.float64)).sum()
    loss.backward()
    for i in wrt:
        if tensors[i].grad is None:
            raise AssertionError(f"check_gradients: input {i} received no gradient")
        if tensors[i].grad.dtype != np.float64:
            raise AssertionError(f"check_gradients: gradient of input {i} is {tensors[i].grad.dtype}, "
                                 f"expected float64 like its input")

    def scalar(arrs):
        _, o = evaluate(arrs, False)
        return float((o.data * weights).sum())

    for d in range(directions):
        vs = {i: rng.standard_normal(arrays[i].shape) for i in wrt}
        plus = [a + eps * vs[i] if i in vs else a for i, a in enumerate(arrays)]
        minus = [a - eps * vs[i] if i in vs else a for i, a in enumerate(arrays)]
        numeric = (scalar(plus) - scalar(minus)) / (2 * eps)
        analytic = sum(float((tensors[i].grad * vs[i]).sum()) for i in wrt)
        if not np.isclose(analytic, numeric, rtol=rtol, atol=atol * max(1.0, abs(numeric))):
            raise AssertionError(f"check_gradients: direction {d}: analytic {analytic:.10g} "
                                 f"vs numeric {numeric:.10g}")


def check_layer_gradients(layer, inputs, directions: int = 3, eps: float = 1e-6, rtol: float = 1e-5,
                          atol: float = 1e-7, seed: int = 0, training=False) -> None:
    """Like ``check_gradients``, for a layer: checks the gradients of its inputs *and* weights.

    Build the layer with ``dtype="float64"`` so that its weights are float64.

    Example:
        >>> import numpy as np
        >>> layer = Dense(3, activation="tanh", dtype="float64")
        >>> check_layer_gradients(layer, np.random.randn(4, 5))
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(inputs, dtype=np.float64)
    kwargs = {"training": training} if layer._accepts_training else {}
    if not layer.built:
        layer(Tensor(x, dtype=np.float64), **kwargs)
    params = [p for p in layer.trainable_weights]
    for p in params:
        if p.dtype != np.float64:
            raise ValueError(f"check_layer_gradients: weight {p.name} is {p.dtype}; "
                             f"build the layer with dtype='float64'")
    for p in params:
        p.grad = None
    xt = Tensor(x, requires_grad=True, dtype=np.float64)
    out = layer(xt, **kwargs)
    weights = rng.standard_normal(out.shape)
    (out * Tensor(weights, dtype=np.float64)).sum().backward()
    analytic_grads = [xt.grad] + [p.grad for p in params]
    if any(g is None for g in analytic_grads):
        missing = ["input"] * (xt.grad is None) + [p.name for p in params if p.grad is None]
        raise AssertionError(f"check_layer_gradients: no gradient reached {missing}")
    originals = [p.data.copy() for p in params]

    def scalar(x_value, offsets):
        for p, w0, dv in zip(params, originals, offsets):
            p.data[...] = w0 + dv
        o = layer(Tensor(x_value, dtype=np.float64), **kwargs)
        return float((o.data * weights).sum())

    try:
        for d in range(directions):
            vx = rng.standard_normal(x.shape)
            vps = [rng.standard_normal(p.shape) for p in params]
            numeric = (scalar(x + eps * vx, [eps * v for v in vps])
                       - scalar(x - eps * vx, [-eps * v for v in vps])) / (2 * eps)
            analytic = float((analytic_grads[0] * vx).sum()) + sum(
                float((g * v).sum()) for g, v in zip(analytic_grads[1:], vps))
            if not np.isclose(analytic, numeric, rtol=rtol, atol=atol * max(1.0, abs(numeric))):
                raise AssertionError(f"check_layer_gradients: layer '{layer.name}', direction {d}: "
                                     f"analytic {analytic:.10g} vs numeric {numeric:.10g}")
    finally:
        for p, w0 in zip(params, originals):
            p.data[...] = w0
