"""The ``glassnet`` command: ``glassnet labs list`` and ``glassnet labs run NAME``.

    glassnet labs list                      # every lab: name, course section, what it shows, time
    glassnet labs run iris-softmax          # one lab at full settings
    glassnet labs run --all --quick         # every lab, small settings (what the tests run)
    glassnet labs run mnist-mlp --epochs 2 --out results/ --seed 1 --set batch_size=64

Exit code 0 on success; on failure, non-zero with a one-line reason on stderr.
"""
from __future__ import annotations

import argparse
import sys
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


def _cmd_list(args) -> int:
    from glassnet.labs import load_all
    from glassnet.labs.base import format_table
    registry = load_all()
    rows = [(lab.name, lab.section + (f" ex. {lab.exercise}" if lab.exercise else ""), lab.shows, lab.typical_time)
            for lab in sorted(registry.values(), key=lambda c: (c.section, c.name))]
    print(format_table(["lab", "course", "what it shows", "typical time"], rows))
    return 0


def _cmd_run(args) -> int:
    from glassnet.labs import load_all, run_lab
    registry = load_all()
    if args.all == bool(args.name):
        raise ValueError("give one lab NAME, or --all")
    names = sorted(registry) if args.all else [args.name]
    overrides = _parse_overrides(args.set)
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    failures = []
    for name in names:
        lab_overrides = dict(overrides)
        if args.all:  # --epochs/--set apply to the labs that have those parameters
            lab_overrides = {k: v for k, v in overrides.items() if k in registry[name].params}
        out = Path(args.out) / name if args.out and args.all else (Path(args.out) if args.out else None)
        try:
            run_lab(name, quick=args.quick, out=out, seed=args.seed, overrides=lab_overrides)
        except Exception as err:  # noqa: BLE001 - report and continue with the next lab
            if not args.all:
                raise
            failures.append((name, err))
            print(f"lab {name} failed: {type(err).__name__}: {err}", file=sys.stderr)
        print()
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(names)} labs failed: {', '.join(n for n, _ in failures)}")
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
    run.add_argument("--out", help="output folder for figures (default ./glassnet-out/NAME)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--set", action="append", metavar="KEY=VALUE", help="override any lab parameter")
    run.set_defaults(func=_cmd_run)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("glassnet: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - one line for the user, not a traceback
        print(f"glassnet: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
