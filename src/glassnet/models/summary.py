"""``model.summary()``: layers, output shapes and parameter counts as a table.

Each layer's count is ``layer.count_params()``: every scalar in its weights, trainable or not
(Dense with m inputs and n units: n(m + 1); Conv2D over C channels with K x K kernels and N
filters: C*K*K*N + N; BatchNormalization over C features: 4C, of which the 2C moving
statistics are non-trainable). A model used as a layer is one row with the count of everything
inside it, as in Keras; ``expand_nested=True`` lists its layers underneath too.
"""
from __future__ import annotations


def _fmt_shape(shape) -> str:
    if isinstance(shape, list):
        return ", ".join(_fmt_shape(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def _fmt_size(n_params: int, n_bytes: int) -> str:
    """``1,290 (5.04 KB)``, Keras's way of showing a parameter total."""
    size = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    return f"{n_params:,} ({size:.2f} {unit})"


def _is_model(layer) -> bool:
    return hasattr(layer, "layer_output_shapes") and hasattr(layer, "layers")


def print_summary(model, line_length=None, print_fn=None, expand_nested=False, show_trainable=False) -> None:
    """Print the summary table of a built model (see ``Model.summary``).

    Args:
        model: a built ``Sequential`` or functional model.
        line_length: total width of the table.
        print_fn: called with each line (default ``print``).
        expand_nested: also list the layers of models used as layers, indented.
        show_trainable: add a column saying whether each layer is trainable.
    """
    print_fn = print_fn or print
    if not model.built:
        raise ValueError(f"model '{model.name}' is not built yet, so its shapes are unknown: give the first "
                         f"layer input_shape=..., start with Input(shape), or call fit() first")
    connected = hasattr(model, "_nodes") and any(len(list(n.input_tensors)) > 1 for n in model._nodes)
    columns = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connected else []) \
        + (["Trainable"] if show_trainable else [])
    widths = [44, 26, 12] + ([30] if connected else []) + ([11] if show_trainable else [])
    if line_length:
        widths[0] = max(20, line_length - sum(widths[1:]))
    total = sum(widths)

    def row(cells):
        text = ""
        for cell, width in zip(cells, widths):
            cell = str(cell)
            text += (cell[: width - 2] + " ") if len(cell) >= width - 1 else cell.ljust(width)
        return text.rstrip()

    def layer_rows(m, depth):
        """Rows of ``m``'s layers; nested models' layers follow their row when expanding."""
        layers, shapes = m.layers, m.layer_output_shapes()
        for layer, shape in zip(layers, shapes):
            params = layer.count_params() if layer.built else 0
            indent = "| " * depth
            cells = [f"{indent}{layer.name} ({type(layer).__name__})", _fmt_shape(shape), f"{params:,}"]
            if connected:
                sources = []
                if depth == 0:
                    for node in (n for n in m._nodes if n.layer is layer):
                        sources += [f"{t.node.layer.name}[{t.index}]" for t in node.input_tensors]
                cells.append(", ".join(sources))
            if show_trainable:
                cells.append("Y" if layer.trainable else "N")
            yield depth, row(cells)
            if expand_nested and _is_model(layer) and layer.built:
                yield from layer_rows(layer, depth + 1)

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * total)
    print_fn(row(columns))
    print_fn("=" * total)
    rows = list(layer_rows(model, 0))
    for i, (depth, text) in enumerate(rows):
        print_fn(text)
        if connected and i < len(rows) - 1 and rows[i + 1][0] == 0:
            print_fn("_" * total)
    print_fn("=" * total)
    trainable = model.trainable_weights
    trainable_ids = {id(p) for p in trainable}
    everything = model.weights
    frozen = [p for p in everything if id(p) not in trainable_ids]
    print_fn("Total params: " + _fmt_size(sum(p.size for p in everything), sum(p.data.nbytes for p in everything)))
    print_fn("Trainable params: " + _fmt_size(sum(p.size for p in trainable), sum(p.data.nbytes for p in trainable)))
    print_fn("Non-trainable params: " + _fmt_size(sum(p.size for p in frozen), sum(p.data.nbytes for p in frozen)))
    print_fn("_" * total)
