"""Figure makers for labs and notebooks: training curves, decision regions, confusion
matrices, image grids, convolution filters and feature maps.

matplotlib is imported inside each function, so ``import glassnet`` never loads it. Every
function returns the matplotlib ``Figure`` it drew on; save it with ``fig.savefig(path)``
(or ``ctx.savefig(fig, "name")`` in a lab). Functions that take ``ax=`` draw into that Axes
instead of making a new figure, and return ``ax.figure``.

Host-only: plots read NumPy arrays (``tensor.numpy()`` gives one for a tensor on any device).

Example:
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from glassnet import plotting
    >>> fig = plotting.plot_curves({"loss": [1.0, 0.5, 0.25]}, ylabel="loss")
    >>> fig.savefig("/tmp/loss.png")
"""
from __future__ import annotations

import numpy as np

__all__ = ["plot_history", "plot_curves", "plot_decision_boundary", "plot_confusion_matrix",
           "plot_images", "plot_filters", "plot_feature_maps"]

# Colours of classes 0, 1, 2, ... (matplotlib's "tab10" cycle), shared by points and regions.
_CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _pyplot():
    import matplotlib.pyplot as plt
    return plt


def _new_axes(ax, figsize=(5.0, 4.0)):
    """``(fig, ax)``: the given Axes and its figure, or a new figure with one Axes."""
    if ax is not None:
        return ax.figure, ax
    fig, ax = _pyplot().subplots(figsize=figsize)
    return fig, ax


def _grid(n: int, ncols: int, cell: float = 1.2, extra_height: float = 0.0):
    """A figure with at least ``n`` small image panels, ``ncols`` wide, axes switched off."""
    if n < 1:
        raise ValueError(f"expected at least one image, received {n}")
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"expected ncols to be an int >= 1, received {ncols!r}")
    ncols = min(int(ncols), n)
    nrows = -(-n // ncols)
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=(cell * ncols, (cell + extra_height) * nrows + 0.4),
                                   squeeze=False)
    for a in axes.ravel():
        a.axis("off")
    return fig, axes.ravel()


# --------------------------------------------------------------------------- curves

def plot_history(history, metrics=None, ax=None, title=None, targets=None):
    """Training curves from ``fit``: one panel per metric, train and validation together,
    on whole-number epoch ticks.

    Args:
        history: the ``History`` returned by ``model.fit`` or its ``.history`` dict
            (metric name -> one value per epoch; validation entries start with ``val_``).
        metrics: base names to plot (e.g. ``["loss"]``); default: every base name present.
        ax: draw into this Axes (then only the first metric is drawn).
        title: figure title.
        targets: dict metric name -> a figure to reach (the course's target, e.g.
            ``{"accuracy": 0.99}``), drawn as a dotted horizontal line; a value may be a
            ``(value, label)`` pair to name it.

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = plot_history({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]})
        >>> fig = plot_history({"accuracy": [0.97, 0.99]}, targets={"accuracy": 0.99})
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError(f"plot_history: expected a History or a non-empty dict of per-epoch "
                         f"values, received {type(history).__name__}")
    bases = []
    for key in logs:
        base = key[4:] if key.startswith("val_") else key
        if base not in bases:
            bases.append(base)
    if metrics is None:
        metrics = bases
    elif isinstance(metrics, str):
        metrics = [metrics]
    unknown = [m for m in metrics if m not in bases]
    if unknown:
        raise ValueError(f"plot_history: no metric {unknown} in the history; it has {bases}")
    if not metrics:
        raise ValueError("plot_history: no metric to plot")
    targets = dict(targets or {})
    unknown = [m for m in targets if m not in bases]
    if unknown:
        raise ValueError(f"plot_history: a target for {unknown}, which is not in the history; it has {bases}")
    from matplotlib.ticker import MaxNLocator
    if ax is not None:
        axes = [ax]
        metrics = list(metrics)[:1]
        fig = ax.figure
    else:
        plt = _pyplot()
        fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.6), squeeze=False)
        axes = list(axes.ravel())
    for a, name in zip(axes, metrics):
        for key, label, style in ((name, "train", "-"), ("val_" + name, "validation", "--")):
            if key in logs:
                values = np.asarray(logs[key], dtype=np.float64).ravel()
                a.plot(np.arange(1, len(values) + 1), values, style, label=label,
                       marker="." if len(values) < 30 else None)
        if name in targets:
            value, label = targets[name] if isinstance(targets[name], tuple) else \
                (targets[name], f"course's target {targets[name]:g}")
            a.axhline(float(value), color="tab:red", linestyle=":", linewidth=1.2, label=label)
        a.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        a.set_xlabel("epoch")
        a.set_ylabel(name)
        a.set_title(name if title is None or len(axes) > 1 else title)
        a.grid(alpha=0.3)
        a.legend()
    if title is not None and len(axes) > 1:
        fig.suptitle(title)
    if ax is None:
        fig.tight_layout()
    return fig


def plot_curves(curves, xlabel="step", ylabel="", title=None, logy=False, ax=None):
    """Several named curves in one Axes (losses of different runs, learning-rate schedules...).

    Args:
        curves: dict name -> sequence of y values (x = 0, 1, 2, ...) or an ``(x, y)`` tuple.
        xlabel, ylabel: axis labels.
        title: Axes title.
        logy: logarithmic y axis (good for losses that fall over decades).
        ax: draw into this Axes.

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = plot_curves({"sgd": [1.0, 0.6, 0.4], "adam": [1.0, 0.3, 0.1]}, ylabel="loss", logy=True)
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError(f"plot_curves: expected a non-empty dict name -> values, received {type(curves).__name__}")
    fig, ax = _new_axes(ax, (5.5, 3.8))
    whole = True
    for name, values in curves.items():
        if isinstance(values, tuple) and len(values) == 2:
            xs = np.asarray(values[0], dtype=np.float64).ravel()
            ys = np.asarray(values[1], dtype=np.float64).ravel()
            if xs.shape != ys.shape:
                raise ValueError(f"plot_curves: curve {name!r} has {xs.size} x values but {ys.size} y values")
        else:
            ys = np.asarray(values, dtype=np.float64).ravel()
            xs = np.arange(ys.size)
        ax.plot(xs, ys, label=str(name))
        whole = whole and bool(np.all(np.mod(xs, 1) == 0))
    if whole:  # epochs and steps are whole numbers: no 2.5 on the axis
        from matplotlib.ticker import MaxNLocator
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


# --------------------------------------------------------------------------- classifiers

def plot_decision_boundary(predict, x, y, ax=None, title=None, resolution=200, padding=0.5):
    """Shade the region each class wins in a 2-D input plane and scatter the points on top.

    Args:
        predict: function mapping an (n, 2) float32 array to class scores of shape (n, k),
            or, for two classes, probabilities of class 1 of shape (n,) or (n, 1)
            (e.g. ``model.predict`` or ``lambda p: model.predict(p, verbose=0)``).
        x: the points, shape (n, 2).
        y: their labels, shape (n,) (integers) or (n, 1); one-hot (n, k) is accepted too.
        ax: draw into this Axes.
        title: Axes title.
        resolution: grid points along each axis.
        padding: margin around the points, in input units.

    Returns:
        The matplotlib Figure.

    Example:
        >>> import numpy as np
        >>> pts = np.array([[0, 0], [1, 1]], dtype="float32")
        >>> fig = plot_decision_boundary(lambda p: p.sum(axis=1) > 1, pts, np.array([0, 1]))
    """
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: expected points of shape (n, 2), received {x.shape}; "
                         "decision regions can only be drawn for 2-D inputs")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    y = y.reshape(-1)
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"plot_decision_boundary: {x.shape[0]} points but {y.shape[0]} labels")
    if not callable(predict):
        raise ValueError(f"plot_decision_boundary: predict must be callable, received {type(predict).__name__}")
    resolution = int(resolution)
    if resolution < 2:
        raise ValueError(f"plot_decision_boundary: expected resolution >= 2, received {resolution}")
    lo = x.min(axis=0) - padding
    hi = x.max(axis=0) + padding
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    scores = np.asarray(predict(grid))
    if scores.shape[0] != grid.shape[0]:
        raise ValueError(f"plot_decision_boundary: predict returned shape {scores.shape} for "
                         f"{grid.shape[0]} points")
    if scores.ndim == 1 or (scores.ndim == 2 and scores.shape[1] == 1):
        regions = (scores.reshape(-1) > 0.5).astype(np.int64)   # probability of class 1
    elif scores.ndim == 2:
        regions = scores.argmax(axis=1)
    else:
        raise ValueError(f"plot_decision_boundary: predict should return (n,), (n, 1) or (n, k), "
                         f"received {scores.shape}")
    regions = regions.reshape(gx.shape)
    k = int(max(regions.max(), y.max() if y.size else 0)) + 1
    from matplotlib.colors import ListedColormap
    cmap = ListedColormap([_CLASS_COLORS[i % len(_CLASS_COLORS)] for i in range(k)])
    fig, ax = _new_axes(ax, (4.5, 4.0))
    ax.contourf(gx, gy, regions, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.25)
    if k > 1:  # the boundary lines themselves
        ax.contour(gx, gy, regions, levels=np.arange(k) + 0.5, colors="k", linewidths=0.8)
    for c in range(k):
        mask = y == c
        if mask.any():
            ax.scatter(x[mask, 0], x[mask, 1], s=18 if len(x) > 30 else 60, color=_CLASS_COLORS[c % len(_CLASS_COLORS)],
                       edgecolors="k", linewidths=0.4, label=f"class {c}")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is not None:
        ax.set_title(title)
    return fig


def plot_confusion_matrix(cm, class_names=None, ax=None, title=None, normalize=False):
    """A confusion matrix as an annotated heat map (rows: true class, columns: predicted).

    Args:
        cm: square array of counts, ``cm[i, j]`` = samples of class i predicted as j.
        class_names: names of the classes (default 0, 1, ...).
        ax: draw into this Axes.
        title: Axes title.
        normalize: colour by each row's fraction (recall per class); cells show
            the count and the fraction.

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = plot_confusion_matrix([[50, 0], [2, 48]], class_names=["cat", "dog"])
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] < 1:
        raise ValueError(f"plot_confusion_matrix: expected a square matrix, received shape {cm.shape}")
    k = cm.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(f"plot_confusion_matrix: {k} classes but {len(names)} class names")
    counts = cm.astype(np.float64)
    rows = counts.sum(axis=1, keepdims=True)
    fractions = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    shown = fractions if normalize else counts
    size = max(3.5, 0.6 * k + 2.0)
    fig, ax = _new_axes(ax, (size + 0.8, size))
    image = ax.imshow(shown, cmap="Blues", vmin=0.0, vmax=1.0 if normalize else max(shown.max(), 1.0))
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    threshold = (1.0 if normalize else max(shown.max(), 1.0)) / 2.0
    fontsize = 10 if k <= 10 else 7
    for i in range(k):
        for j in range(k):
            value = cm[i, j]
            text = f"{value:g}" if not normalize else f"{value:g}\n{fractions[i, j]:.0%}"
            ax.text(j, i, text, ha="center", va="center", fontsize=fontsize,
                    color="white" if shown[i, j] > threshold else "black")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    long_names = max(len(n) for n in names) > 3  # slant them so that they do not overlap
    ax.set_xticklabels(names, rotation=45 if long_names else 0, ha="right" if long_names else "center")
    ax.set_yticklabels(names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title is not None:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- images

def _as_image(a, who: str):
    """An image array ready for ``imshow``: (h, w), or (h, w, 3/4); (h, w, 1) is squeezed."""
    a = np.asarray(a)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    elif a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (3, 4):
        a = np.moveaxis(a, 0, -1) if a.shape[0] == 3 else a[0]  # channels-first
    if a.ndim == 1:
        side = int(round(np.sqrt(a.size)))
        if side * side != a.size:
            raise ValueError(f"{who}: a flat image of {a.size} values is not square")
        a = a.reshape(side, side)
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[-1] in (3, 4))):
        raise ValueError(f"{who}: expected images of shape (h, w), (h, w, 1) or (h, w, 3), received {a.shape}")
    if a.ndim == 3:  # colour: imshow wants floats in [0, 1]
        a = a.astype(np.float64)
        if a.max() > 1.0:
            a = a / 255.0
        a = np.clip(a, 0.0, 1.0)
    return a


def _label_text(value, class_names):
    """``(text, key)`` for one label: one-hot / score rows become their argmax."""
    value = np.asarray(value)
    if value.size > 1:
        value = value.argmax()
    value = value.item()
    if float(value).is_integer():
        value = int(value)
        text = str(class_names[value]) if class_names is not None else str(value)
    else:
        text = f"{value:g}"
    return text, value


def plot_images(images, labels=None, predictions=None, ncols=10, cmap="gray", title=None, class_names=None):
    """A grid of images, each titled with its label (and prediction: ``"label/pred"``).

    Wrong predictions get a red title, so mistakes stand out.

    Args:
        images: array of shape (n, h, w), (n, h, w, 1), (n, h, w, 3) or (n, h*w) (square).
        labels: n true labels (ints, or one-hot rows).
        predictions: n predicted labels (ints, one-hot or score rows: argmax is taken).
        ncols: images per row.
        cmap: colour map for grey images.
        title: figure title.
        class_names: names shown instead of class numbers.

    Returns:
        The matplotlib Figure.

    Example:
        >>> import numpy as np
        >>> fig = plot_images(np.zeros((4, 28, 28)), labels=[0, 1, 2, 3], predictions=[0, 1, 2, 2])
    """
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(f"plot_images: expected a batch of images, received shape {images.shape}")
    n = images.shape[0]
    for what, seq in (("labels", labels), ("predictions", predictions)):
        if seq is not None and len(seq) != n:
            raise ValueError(f"plot_images: {n} images but {len(seq)} {what}")
    fig, axes = _grid(n, ncols, cell=1.3, extra_height=0.25 if labels is not None or predictions is not None else 0.0)
    for i in range(n):
        a = axes[i]
        a.imshow(_as_image(images[i], "plot_images"), cmap=cmap)
        parts, color = [], "black"
        if labels is not None:
            text, true = _label_text(labels[i], class_names)
            parts.append(text)
        if predictions is not None:
            text, pred = _label_text(predictions[i], class_names)
            parts.append(text)
            if labels is not None and pred != true:
                color = "red"
        if parts:
            a.set_title("/".join(parts), fontsize=8, color=color)
    if title is not None:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_filters(kernel, ncols=8, title=None):
    """The kernels of a convolution layer, one small image per output channel, all on one
    colour scale centred on 0 (red positive, blue negative) with a colorbar, so the filters'
    signs and sizes compare across panels.

    Args:
        kernel: weights of shape (kh, kw, in_channels, out_channels) (a Conv2D kernel as
            array or Tensor / Variable); with several input channels their mean is shown.
        ncols: filters per row.
        title: figure title.

    Returns:
        The matplotlib Figure.

    Example:
        >>> import numpy as np
        >>> fig = plot_filters(np.random.randn(3, 3, 1, 8))
    """
    k = _to_numpy(kernel)
    if k.ndim != 4:
        raise ValueError(f"plot_filters: expected a kernel of shape (kh, kw, in, out), received {k.shape}")
    k = k.mean(axis=2)  # (kh, kw, out)
    out = k.shape[-1]
    fig, axes = _grid(out, ncols, cell=1.0)
    # One diverging scale centred on 0 for all filters: positive weights red, negative blue.
    m = float(np.abs(k).max()) or 1.0
    for i in range(out):
        image = axes[i].imshow(k[..., i], cmap="bwr", vmin=-m, vmax=m)
        axes[i].set_title(str(i), fontsize=7)
    if title is not None:
        fig.suptitle(title)
    _shared_colorbar(fig, image, "weight")
    return fig


def plot_feature_maps(maps, ncols=8, title=None, image=None):
    """The channels of one layer's output for one image, one small image per channel, all on
    one colour scale with a colorbar (a diverging one centred on 0 when values have both signs),
    so the channels' strengths compare across panels.

    Args:
        maps: activations of shape (h, w, c) (drop the batch axis first: ``out[0]``).
        ncols: maps per row.
        title: figure title (say which input the maps belong to).
        image: the input image the maps were computed from, shown first (panel "input").

    Returns:
        The matplotlib Figure.

    Example:
        >>> import numpy as np
        >>> fig = plot_feature_maps(np.random.rand(26, 26, 16))
    """
    m = _to_numpy(maps)
    if m.ndim == 4 and m.shape[0] == 1:
        m = m[0]
    if m.ndim != 3:
        raise ValueError(f"plot_feature_maps: expected maps of shape (h, w, c), received {m.shape}")
    c = m.shape[-1]
    first = 0 if image is None else 1
    fig, axes = _grid(c + first, ncols, cell=1.0)
    if image is not None:
        axes[0].imshow(_as_image(_to_numpy(image), "plot_feature_maps"), cmap="gray")
        axes[0].set_title("input", fontsize=7)
    lo, hi = float(m.min()), float(m.max())
    if lo < 0 < hi:  # both signs: a diverging map centred on 0
        cmap, lo, hi = "bwr", -max(-lo, hi), max(-lo, hi)
    else:
        cmap = "viridis"
    if lo == hi:
        hi = lo + 1.0
    for i in range(c):
        shown = axes[first + i].imshow(m[..., i], cmap=cmap, vmin=lo, vmax=hi)
        axes[first + i].set_title(str(i), fontsize=7)
    if title is not None:
        fig.suptitle(title)
    _shared_colorbar(fig, shown, "activation")
    return fig


def _shared_colorbar(fig, mappable, label: str) -> None:
    """Lay out the panels, then add one colorbar for all of them at the figure's right."""
    fig.tight_layout(rect=(0.0, 0.0, 0.9, 1.0))
    cax = fig.add_axes((0.92, 0.15, 0.02, 0.7))
    fig.colorbar(mappable, cax=cax, label=label)


def _to_numpy(a) -> np.ndarray:
    """A NumPy array from an array, a glassnet Tensor or a Variable."""
    for attr in ("numpy",):
        fn = getattr(a, attr, None)
        if callable(fn):
            return np.asarray(fn())
    return np.asarray(getattr(a, "data", a))
