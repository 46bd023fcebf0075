"""``glassnet run SCRIPT.py [args...]``: run a Keras program, unchanged, on glassnet.

The program runs as ``python SCRIPT.py args...`` would run it: ``sys.argv`` is
``[SCRIPT.py, args...]``, ``__name__`` is ``"__main__"``, its folder is first on ``sys.path``,
an uncaught exception prints a traceback that starts at the program's own lines and exits with
1, ``sys.exit(n)`` exits with ``n``. Before it starts, the import aliases of
``glassnet.compat.importer`` are installed; nothing else about Python changes, except:

- ``GLASSNET_MAX_EPOCHS=N`` caps every ``fit`` at N epochs (from its ``initial_epoch``);
- a ``.py`` export of a notebook finds ``get_ipython()`` (whose magics do nothing: ``%matplotlib
  inline`` needs no display) and ``display()`` (prints);
- without a display, matplotlib draws off-screen (``MPLBACKEND=Agg``), so ``plt.show()`` returns.

Example:
    $ GLASSNET_MAX_EPOCHS=1 glassnet run mnist_mlp.py --batch-size 64
"""
from __future__ import annotations

import functools
import inspect
import os
import runpy
import sys
import traceback
import warnings

from glassnet.compat import KerasNameWarning, importer

MAX_EPOCHS_VAR = "GLASSNET_MAX_EPOCHS"


class _IPython:
    """What a notebook's ``get_ipython()`` lines call, doing nothing (``%matplotlib inline``...)."""

    def run_line_magic(self, *args, **kwargs):
        return None

    def run_cell_magic(self, *args, **kwargs):
        return None

    def magic(self, *args, **kwargs):
        return None

    def system(self, *args, **kwargs):
        return None

    def getoutput(self, *args, **kwargs):
        return []


def _display(*objects, **kwargs):
    for obj in objects:
        print(obj)


def cap_epochs(limit: int):
    """Make every ``fit`` run at most ``limit`` epochs; returns a function that undoes it."""
    from glassnet.models.trainer import Trainer
    original = Trainer.fit
    signature = inspect.signature(original)

    @functools.wraps(original)
    def fit(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        start = bound.arguments.get("initial_epoch") or 0
        bound.arguments["epochs"] = min(bound.arguments["epochs"], start + limit)
        return original(*bound.args, **bound.kwargs)

    Trainer.fit = fit

    def undo():
        Trainer.fit = original
    return undo


def _max_epochs():
    value = os.environ.get(MAX_EPOCHS_VAR)
    if not value:
        return None
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ValueError(f"{MAX_EPOCHS_VAR} must be a positive integer, received {value!r}")
    return limit


def _user_traceback(tb, script: str):
    """The traceback from the program's first frame on (this runner's and runpy's dropped)."""
    start = tb
    while start is not None and os.path.abspath(start.tb_frame.f_code.co_filename) != script:
        start = start.tb_next
    return start or tb


def run_script(path: str, args=()) -> int:
    """Run the program at ``path`` with ``args`` as its command-line arguments; its exit code.

    Example:
        >>> run_script("examples/mnist_mlp.py", ["--epochs", "1"])   # doctest: +SKIP
        0
    """
    script = os.path.abspath(path)
    if not os.path.isfile(script):
        print(f"glassnet run: no such file: {path}", file=sys.stderr)
        return 2
    limit = _max_epochs()
    if "MPLBACKEND" not in os.environ and not os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        os.environ["MPLBACKEND"] = "Agg"
    importer.install()
    warnings.simplefilter("always", KerasNameWarning)  # shown, once per old name (see warn_renamed)
    if limit is not None:
        cap_epochs(limit)
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(script))
    try:
        runpy.run_path(script, init_globals={"get_ipython": _IPython, "display": _display}, run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        traceback.print_exc()
        return 130
    except BaseException as err:  # noqa: BLE001 - printed as Python would, from the program's lines
        traceback.print_exception(type(err), err, _user_traceback(err.__traceback__, script))
        return 1
    finally:
        sys.stdout.flush()
    return 0
