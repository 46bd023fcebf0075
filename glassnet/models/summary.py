"""``model.summary()``: layers, output shapes and parameter counts as a table."""
from __future__ import annotations


def _fmt_shape(shape) -> str:
    if isinstance(shape, list):
        return ", ".join(_fmt_shape(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def print_summary(model, line_length=None, print_fn=None) -> None:
    """Print the summary table of a built model (see ``Model.summary``)."""
    print_fn = print_fn or print
    if not model.built:
        raise ValueError(f"model '{model.name}' is not built yet, so its shapes are unknown: give the first "
                         f"layer input_shape=..., start with Input(shape), or call fit() first")
    layers = model.layers
    shapes = model.layer_output_shapes()
    connected = hasattr(model, "_nodes") and any(len(list(n.input_tensors)) > 1 for n in model._nodes)
    columns = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connected else [])
    widths = [34, 26, 12] + ([30] if connected else [])
    if line_length:
        widths[0] = max(20, line_length - sum(widths[1:]))
    total = sum(widths)

    def row(cells):
        text = ""
        for cell, width in zip(cells, widths):
            cell = str(cell)
            text += (cell[: width - 2] + " ") if len(cell) >= width - 1 else cell.ljust(width)
        return text.rstrip()

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * total)
    print_fn(row(columns))
    print_fn("=" * total)
    for i, (layer, shape) in enumerate(zip(layers, shapes)):
        params = layer.count_params() if layer.built else 0
        cells = [f"{layer.name} ({type(layer).__name__})", _fmt_shape(shape), f"{params:,}"]
        if connected:
            sources = []
            for node in (n for n in model._nodes if n.layer is layer):
                sources += [f"{t.node.layer.name}[{t.index}]" for t in node.input_tensors]
            cells.append(", ".join(sources))
        print_fn(row(cells))
        if connected and i < len(layers) - 1:
            print_fn("_" * total)
    print_fn("=" * total)
    trainable = sum(p.size for p in model.trainable_weights)
    everything = sum(p.size for p in model.weights)
    print_fn(f"Total params: {everything:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {everything - trainable:,}")
    print_fn("_" * total)
