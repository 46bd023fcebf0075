"""The ``glassnet`` command: ``glassnet labs list``, ``glassnet labs run NAME`` and
``glassnet run SCRIPT.py`` (an unmodified Keras program, on glassnet: ``glassnet.compat``).

    glassnet labs list                      # every lab: name, course section, what it shows, time
    glassnet labs run iris-softmax          # one lab at full settings
    glassnet labs run --all --quick         # every lab, small settings (what the tests run)
    glassnet labs run mnist-mlp --epochs 2 --out results/ --seed 1 --set batch_size=64
    glassnet run my_keras_program.py --its-own args     # GLASSNET_MAX_EPOCHS=1 caps every fit
    glassnet tune search.json --executor ray            # a hyper-parameter search (glassnet.tuning.config)
    glassnet labs run hyperparameter-search --executor ray

Exit code 0 on success; on failure, non-zero with a one-line reason on stderr.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
import time
from pathlib import Path

from glassnet import __version__


def _parse_overrides(pairs) -> dict:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ValueError(f"--set expects KEY=VALUE, received {pair!r}")
        key, value = pair.split("=", 1)
        out[key.strip().replace("-", "_")] = value
    return out


def _wrap(text: str, width: int) -> list:
    """``text`` in lines of at most ``width`` terminal columns (Hangul takes two each)."""
    from glassnet.labs.base import _display_width
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and _display_width(candidate) > width:
            lines.append(current)
            candidate = word
        current = candidate
    return lines + [current] if current else lines or [""]


def format_lab_list(labs, width: int) -> str:
    """The labs as a table at most ``width`` columns wide: name, course section, typical time,
    the data set it needs (``mnist``...: a folder to point at, or a download on first use),
    then what it shows, wrapped to the columns left (under the row when too few are left)."""
    from glassnet.labs.base import _display_width
    headers = ["lab", "course", "time", "needs data"]
    rows = [[lab.name, lab.section + (f" ex. {lab.exercise}" if lab.exercise else ""), lab.typical_time,
             ", ".join(lab.datasets) or "-", lab.shows] for lab in labs]
    widths = [max(_display_width(r[i]) for r in [headers] + rows) for i in range(len(headers))]
    fixed = sum(widths) + 2 * len(widths)
    if fixed - 2 > width:  # very narrow: one block per lab
        out = []
        for name, course, typical, data, shows in rows:
            out.append(name)
            details = f"course {course}, {typical}" + ("" if data == "-" else f", needs data: {data}")
            out += ["    " + w for w in _wrap(details, max(width - 4, 10)) + _wrap(shows, max(width - 4, 10))]
        return "\n".join(out)
    room = width - fixed
    below = room < 24  # too narrow for a column: the description goes under each row
    text_width = max(width - 4, 20) if below else room

    def line(cells):
        return "  ".join(c + " " * (w - _display_width(c)) for c, w in zip(cells, widths))

    out = [(line(headers) + ("" if below else "  what it shows")).rstrip(),
           ("  ".join("-" * w for w in widths) + ("" if below else "  " + "-" * min(room, 13))).rstrip()]
    for row in rows:
        wrapped = _wrap(row[4], text_width)
        if below:
            out.append(line(row[:4]).rstrip())
            out += ["    " + w for w in wrapped]
        else:
            out.append(line(row[:4]) + "  " + wrapped[0])
            out += [" " * fixed + w for w in wrapped[1:]]
    return "\n".join(out)


def _cmd_list(args) -> int:
    from glassnet.labs import load_all
    registry = load_all()
    labs = sorted(registry.values(), key=lambda c: (c.section, c.name))
    print(format_lab_list(labs, shutil.get_terminal_size((100, 24)).columns - 1))
    if any(lab.datasets for lab in labs):
        print(textwrap.fill(
            "needs data: the lab reads that data set from --set data_dir=FOLDER, $GLASSNET_DATA or "
            "~/.glassnet/datasets (MNIST and Fashion-MNIST are downloaded there on first use; "
            "stocks must be put there).", shutil.get_terminal_size((100, 24)).columns - 1))
    return 0


def _duration(seconds: float) -> str:
    """``'35 s'``, ``'2 min 5 s'``."""
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60} s"


def _cmd_run(args) -> int:
    from glassnet.labs import load_all, run_lab
    from glassnet.labs.base import lab_params
    registry = load_all()
    if args.all == bool(args.name):
        raise ValueError("give one lab NAME, or --all")
    names = sorted(registry) if args.all else [args.name]
    overrides = _parse_overrides(args.set)
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    if getattr(args, "executor", None) is not None:  # the same as --set executor=...
        overrides["executor"] = args.executor
    if args.name and args.name not in registry:
        raise ValueError(f"no lab named {args.name!r}; available: {', '.join(sorted(registry))}")
    per_lab = {}
    for name in names:  # check every lab's arguments before the first one starts
        lab_overrides = dict(overrides)
        if args.all:  # --epochs/--set apply to the labs that have those parameters
            lab_overrides = {k: v for k, v in overrides.items() if k in registry[name].params}
        lab_params(registry[name], args.quick, lab_overrides)
        per_lab[name] = lab_overrides
    failures = []
    start = time.perf_counter()
    for name in names:
        lab_overrides = per_lab[name]
        out = Path(args.out) / name if args.out and args.all else (Path(args.out) if args.out else None)
        try:
            run_lab(name, quick=args.quick, out=out, seed=args.seed, overrides=lab_overrides)
        except Exception as err:  # noqa: BLE001 - report and continue with the next lab
            if not args.all:
                raise
            failures.append((name, err))
            print(f"lab {name} failed: {type(err).__name__}: {err}", file=sys.stderr)
        print()
    if args.all:
        ran = len(names) - len(failures)
        print(f"{ran} of {len(names)} labs ran in {_duration(time.perf_counter() - start)}"
              + (" (quick settings)" if args.quick else "")
              + (f"; failed: {', '.join(n for n, _ in failures)}" if failures else ""))
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(names)} labs failed: {', '.join(n for n, _ in failures)}")
    return 0


def _cmd_tune(args) -> int:
    from glassnet.tuning.config import run_config
    run_config(args.config, executor=args.executor, workers=args.workers, address=args.address,
               overwrite=True if args.overwrite else None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glassnet", description="glassnet: a deep-learning framework you can read.")
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    labs = sub.add_parser("labs", help="the course's exercises as runnable labs")
    labs_sub = labs.add_subparsers(dest="labs_command", required=True)
    lst = labs_sub.add_parser("list", help="list the labs")
    lst.set_defaults(func=_cmd_list)
    run = labs_sub.add_parser("run", help="run one lab (or --all)")
    run.add_argument("name", nargs="?", help="the lab to run (see `glassnet labs list`)")
    run.add_argument("--all", action="store_true", help="run every lab")
    run.add_argument("--quick", action="store_true", help="small settings: seconds, not minutes")
    run.add_argument("--epochs", type=int, help="override the lab's number of epochs")
    run.add_argument("--out", help="output folder for figures (default ./glassnet-out/NAME; "
                     "with --quick ./glassnet-out/quick/NAME)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--set", action="append", metavar="KEY=VALUE", help="override any lab parameter")
    run.add_argument("--executor", choices=["local", "processes", "ray"],
                     help="where a lab with an executor parameter runs its trials (hyperparameter-search)")
    run.set_defaults(func=_cmd_run)
    tune = sub.add_parser("tune", help="a hyper-parameter search described by a JSON file: glassnet tune CONFIG.json")
    tune.add_argument("config", help="the JSON config (see glassnet.tuning.config)")
    tune.add_argument("--executor", choices=["local", "processes", "ray"], help="override the config's executor")
    tune.add_argument("--workers", type=int, help="override the config's number of workers")
    tune.add_argument("--address", help="a Ray cluster address (default $RAY_ADDRESS or a local Ray)")
    tune.add_argument("--overwrite", action="store_true", help="start afresh instead of resuming")
    tune.set_defaults(func=_cmd_tune)
    script = sub.add_parser("run", help="run an unmodified Keras program on glassnet: glassnet run SCRIPT.py "
                            "[args...] (GLASSNET_MAX_EPOCHS=N caps its fits)")
    script.add_argument("script", help="the program, e.g. train.py (a notebook exported to .py works too)")
    script.add_argument("args", nargs="*", help="its own command-line arguments, passed on as given")
    return parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["run"] and len(argv) > 1 and argv[1] not in ("-h", "--help"):
        # everything after the script belongs to the program, exactly as given
        from glassnet.compat.runner import run_script
        return run_script(argv[1], argv[2:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("glassnet: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - one line for the user, not a traceback
        text = str(err)
        if isinstance(err, KeyError) or not text:  # str(KeyError('loss')) is just "'loss'"
            text = f"{type(err).__name__}: {text}"
        print(f"glassnet: error: {text}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
