"""Shared pieces of the forecasting labs (course section 5). Not a lab itself (the leading
underscore keeps it out of ``glassnet labs list``)."""
from __future__ import annotations

import sys


def peak_memory_mb():
    """The process's peak resident memory in MB (``resource.getrusage``), or None where the
    ``resource`` module does not exist (Windows)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2 ** 20 if sys.platform == "darwin" else peak / 2 ** 10   # bytes on macOS, KB on Linux


class BigBatches:
    """A model whose ``predict`` runs batches of 500 (``forecast_iteratively`` calls
    ``predict(x, verbose=0)`` once per step ahead; the default batch of 32 is slower)."""

    def __init__(self, model, batch_size=500):
        self.model, self.batch_size = model, batch_size

    def predict(self, x, verbose=0):
        return self.model.predict(x, batch_size=self.batch_size, verbose=verbose)


def subplots(ncols, figsize, width_ratios=None):
    """A figure with one row of ``ncols`` Axes, returned as ``(fig, [ax, ...])``."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, ncols, figsize=figsize, squeeze=False,
                             gridspec_kw=None if width_ratios is None else {"width_ratios": width_ratios})
    return fig, list(axes.ravel())
