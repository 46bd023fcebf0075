"""The lab framework: a lab reproduces one exercise of the course as a runnable experiment.

A lab is a subclass of ``Lab`` that declares who it is (``name``, ``title``, the COURSE.md
``section`` and ``exercise``), its parameters (each with a full default and a ``--quick``
value for tests), and a ``run(ctx)`` method. ``run`` loads data, trains, and reports through
the ``LabContext`` it receives:

- ``ctx.report(name, value, course=...)`` records a result next to the course's figure;
- ``ctx.table(headers, rows, title=...)`` prints a table;
- ``ctx.savefig(fig, "name")`` saves a matplotlib figure as PNG in the output folder;
- ``ctx.params`` holds the parameter values, ``ctx.seed`` the seed, ``ctx.out`` the folder;
- ``ctx.verbose`` is the ``verbose=`` for a long ``fit``: a progress bar per step on a
  terminal, one line per epoch in a log, silence at ``--quick`` (Keras's ``verbose="auto"``).

A ``--quick`` run writes into ``./glassnet-out/quick/<name>/``, never over a full run's plots,
and its results table says its figures are not comparable with the course's.

Example:
    >>> @register
    ... class Hello(Lab):
    ...     name, title, section = "hello", "A first lab", "1"
    ...     params = {"epochs": Param(10, quick=1, help="training epochs")}
    ...     def run(self, ctx):
    ...         ctx.report("answer", 42.0, course=42.0)
    >>> result = run_lab("hello", quick=True)
"""
from __future__ import annotations

import dataclasses
import math
import os
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

from glassnet import backend

REGISTRY: dict = {}


QUICK_NOTE = "(quick settings: not comparable with the course's figure)"


@dataclasses.dataclass
class Param:
    """A lab parameter: its full-run ``default``, its ``quick`` value (None: same) and help.

    ``minimum`` is the smallest value accepted for a number. By default a number whose
    default is positive must stay positive (epochs, rates, sizes) and one whose default is 0
    (a "0: no limit" switch) must not be negative.
    """

    default: object
    quick: object = None
    help: str = ""
    minimum: object = None

    def value(self, quick: bool):
        return self.quick if quick and self.quick is not None else self.default

    def check(self, value, who: str) -> None:
        """Raise ``ValueError`` naming ``who`` if ``value`` is out of range."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                isinstance(self.default, bool) or not isinstance(self.default, (int, float)):
            return
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{who}: expected a finite number, received {value!r}")
        if self.minimum is not None:
            if value < self.minimum:
                raise ValueError(f"{who}: expected a value >= {self.minimum}, received {value!r}")
        elif self.default > 0 and value <= 0:
            raise ValueError(f"{who}: expected a positive {type(self.default).__name__}, received {value!r}")
        elif self.default == 0 and value < 0:
            raise ValueError(f"{who}: expected 0 or more, received {value!r}")


@dataclasses.dataclass
class ReportedValue:
    """One result a lab reports (``ctx.report``), with the course's figure beside it when the
    course states one. (Not a training metric: those are ``glassnet.metrics.Metric``.)"""

    name: str
    value: object
    course: object = None
    note: str = ""


@dataclasses.dataclass
class LabResult:
    """What a lab run returns: the values it reported (``metrics``, a list of
    ``ReportedValue``), the figures it saved and how long it took."""

    name: str
    params: dict
    metrics: list
    figures: list
    elapsed: float
    out: Path

    def metric(self, name: str):
        """The value of the metric called ``name``."""
        for m in self.metrics:
            if m.name == name:
                return m.value
        raise KeyError(f"lab {self.name!r} reported no metric {name!r}; it reported "
                       f"{[m.name for m in self.metrics]}")


class LabContext:
    """What a running lab uses to read its parameters and report results."""

    def __init__(self, lab, params: dict, seed: int, out: Path, quick: bool, echo=print):
        self.lab = lab
        self.params = params
        self.seed = seed
        self.out = Path(out)
        self.quick = quick
        self.echo = echo
        self.metrics: list = []
        self.figures: list = []

    @property
    def verbose(self) -> int:
        """``verbose=`` for a long ``fit``: 0 at ``--quick``; else 1 (a progress bar per step)
        when the output is a terminal and 2 (one line per epoch) when it goes to a file or
        log, as Keras's ``verbose="auto"``."""
        if self.quick:
            return 0
        return 1 if getattr(sys.stdout, "isatty", lambda: False)() else 2

    def print(self, *args) -> None:
        """Print a line of the lab's narrative."""
        self.echo(" ".join(str(a) for a in args))

    def report(self, name: str, value, course=None, note: str = "") -> None:
        """Record a result; ``course`` is the figure COURSE.md reports for it, if any."""
        self.metrics.append(ReportedValue(name, value, course, note))

    def table(self, headers, rows, title: str | None = None) -> None:
        """Print rows as an aligned text table."""
        self.echo(format_table(headers, rows, title))

    def savefig(self, fig, name: str) -> Path:
        """Save a matplotlib figure as ``<out>/<name>.png`` and close it."""
        import matplotlib.pyplot as plt
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / f"{name}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        self.figures.append(path)
        return path


class Lab:
    """Base class of labs; see the module docstring."""

    name: str = ""
    title: str = ""
    section: str = ""
    exercise: str | None = None
    shows: str = ""
    typical_time: str = ""
    params: dict = {}
    # the data sets read from the data folder (``"mnist"``, ``"fashion-mnist"``, ``"stocks"``):
    # ``glassnet labs list`` marks these labs, and a run says where the data came from
    datasets: tuple = ()

    def run(self, ctx: LabContext) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def register(cls):
    """Class decorator adding a lab to the registry under its ``name``."""
    if not cls.name:
        raise ValueError(f"lab class {cls.__name__} has no name")
    if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
        raise ValueError(f"two labs are named {cls.name!r}")
    REGISTRY[cls.name] = cls
    return cls


def format_value(value) -> str:
    """A number as a learner wants to read it: a float that has a short exact form (a rounded
    or quoted figure such as the course's -26.79078617) in full, a float32 value in its
    shortest float32 form (5.9, not 5.9000001), any other float to 8 significant digits."""
    if isinstance(value, (float, np.floating)):
        if isinstance(value, np.float32) or (isinstance(value, float) and abs(value) < 3e38
                                             and float(np.float32(value)) == value):
            # a float32 (or a float32 turned into a Python float by .tolist()): print it as it
            # was written, its shortest float32 form (5.9, not 5.900000095367432 or 5.9000001)
            value = float(np.format_float_positional(np.float32(value), unique=True))
        short = repr(float(value))
        if "e" not in short and "inf" not in short and "nan" not in short and \
                len(short.lstrip("-").replace(".", "").lstrip("0")) <= 10:
            return short
        return f"{value:.8g}" if abs(value) < 1e6 else f"{value:.4e}"
    return str(value)


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Korean, Chinese and Japanese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(headers, rows, title: str | None = None) -> str:
    """``headers`` and ``rows`` as an aligned, pipe-separated text table."""
    cells = [[str(h) for h in headers]] + [[format_value(c) for c in row] for row in rows]
    widths = [max(_display_width(r[i]) for r in cells) for i in range(len(headers))]
    lines = [] if title is None else [title]
    for i, row in enumerate(cells):
        lines.append("  ".join(c + " " * (w - _display_width(c)) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _convert(value, default, who: str):
    """``value`` (often a string from the command line) as the type of the parameter's default."""
    if default is None or isinstance(value, type(default)):
        return value
    if isinstance(default, bool):  # bool("False") is True, so words are read explicitly
        word = str(value).strip().lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE
        raise ValueError(f"{who}: expected true or false, received {value!r}")
    try:
        return type(default)(value)
    except (TypeError, ValueError):
        raise ValueError(f"{who}: expected {type(default).__name__} like {default!r}, "
                         f"received {value!r}") from None


def run_lab(name: str, quick: bool = False, out=None, seed: int = 0, overrides: dict | None = None,
            echo=print) -> LabResult:
    """Run the lab called ``name`` and return its result (also printed through ``echo``).

    Args:
        quick: use each parameter's quick value (small, for tests).
        out: output folder for figures (default ``./glassnet-out/<name>``, and
            ``./glassnet-out/quick/<name>`` for a quick run, so it never overwrites a full run's).
        seed: seed for glassnet's and NumPy's generators.
        overrides: parameter values that replace the defaults (e.g. ``{"epochs": 3}``).
    """
    import matplotlib
    matplotlib.use("Agg")  # files only: labs run on machines without a screen
    if name not in REGISTRY:
        raise ValueError(f"no lab named {name!r}; available: {', '.join(sorted(REGISTRY)) or 'none'}")
    lab = REGISTRY[name]()
    params = lab_params(lab, quick, overrides)
    if out is None:
        out = Path(os.getcwd()) / "glassnet-out" / ("quick" if quick else "") / name
    out = Path(out)
    backend.set_seed(seed)
    np.random.seed(seed)
    ctx = LabContext(lab, params, seed, out, quick, echo)
    where = f"COURSE.md section {lab.section}" + (f", exercise {lab.exercise}" if lab.exercise else "")
    echo(f"== {lab.name}: {lab.title} ({where})")
    if params:
        echo("parameters: " + ", ".join(f"{k}={'(not set)' if v in ('', None) else v}" for k, v in params.items())
             + (" (quick)" if quick else ""))
    for line in data_lines(lab, params):
        echo(line)
    start = time.perf_counter()
    lab.run(ctx)
    elapsed = time.perf_counter() - start
    # a quick run's figures come from small settings: no verdict against the course's
    rows = [(m.name, format_value(m.value), "" if m.course is None else format_value(m.course),
             QUICK_NOTE if quick and m.course is not None else m.note)
            for m in ctx.metrics]
    if rows:
        echo(format_table(["result", "glassnet", "course", "note"], rows))
    for path in ctx.figures:
        echo(f"saved {path}")
    echo(f"done in {elapsed:.1f}s")
    return LabResult(lab.name, params, ctx.metrics, ctx.figures, elapsed, out)


def lab_params(lab, quick: bool = False, overrides: dict | None = None) -> dict:
    """The parameter values a run of ``lab`` (a class or instance) would use, converted to the
    defaults' types and checked (``Param.check``): a bad value fails before anything runs.

    Raises:
        ValueError: an unknown parameter, or a value of the wrong type or out of range.
    """
    params = {key: p.value(quick) for key, p in lab.params.items()}
    for key, value in (overrides or {}).items():
        if key not in lab.params:
            raise ValueError(f"lab {lab.name!r} has no parameter {key!r}; it has {sorted(lab.params)}")
        params[key] = _convert(value, lab.params[key].default, f"lab {lab.name!r} parameter {key!r}")
    for key, value in params.items():
        lab.params[key].check(value, f"lab {lab.name!r} parameter {key!r}")
    return params


def data_lines(lab, params: dict) -> list:
    """``["data: mnist from /abs/path (from GLASSNET_DATA=...)"]``: where the lab reads its
    data sets from (the ``data_dir`` parameter if given, else the environment or the cache)."""
    from glassnet.datasets import _files
    given = params.get("data_dir") or None
    lines = []
    for subdir in lab.datasets:
        try:
            source = _files.locate(subdir, given)
        except OSError as err:  # a data_dir that is a file: the lab's own load says so
            lines.append(f"data: {subdir}: {err}")
            continue
        lines.append(f"data: {subdir} from {source.describe()}")
    return lines

