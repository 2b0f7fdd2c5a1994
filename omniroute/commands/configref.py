"""`omniroute config-reference [--check]`: write or verify docs/configuration.md."""

import argparse
import sys
from pathlib import Path

from omniroute.configref import render

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def _run(args: argparse.Namespace) -> int:
    text = render()
    path: Path = args.out
    if args.check:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            print(f"out of date: {path} (run `omniroute config-reference`)", file=sys.stderr)
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser("config-reference", help="generate docs/configuration.md")
    p.add_argument("--out", type=Path, default=DEFAULT_PATH, help="default: %(default)s")
    p.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    p.set_defaults(func=_run)
