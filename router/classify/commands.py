"""`omniroute train` and `omniroute eval`: the text model's command-line subcommands.

The `omniroute` CLI owns the parser; it calls `register` and later `args.func(args)`.
`python -m router.classify.commands train|eval ...` runs the same without the CLI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from intake.errors import OmnirouteError
from intake.serde import dumps_pretty

from .data import read_labelled
from .evaluate import evaluate, format_report
from .model import TextModel
from .taxonomy import TRIAGE
from .train import train_files


def _train(args: argparse.Namespace) -> int:
    try:
        report = train_files(args.data, args.out, exclude=args.exclude, seed=args.seed)
    except OmnirouteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for source, rows in report.rows.items():
        print(f"trained on {rows:>6} rows of {source}")
    print(f"excluded {report.excluded} rows also present in --exclude files")
    print(f"skipped {report.skipped} rows without a usable text or label")
    print(f"wrote {args.out} (version {report.version})")
    return 0


def _eval(args: argparse.Namespace) -> int:
    try:
        model = TextModel.load(args.model)
        examples = read_labelled(args.labelled).examples
    except OmnirouteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    predictions = model.predict_many([e.text for e in examples])
    threshold = args.triage_below
    predicted = [
        TRIAGE if threshold is not None and p.confidence < threshold else p.department
        for p in predictions
    ]
    report = evaluate([e.department for e in examples], predicted)
    if args.json:
        body = {"model": model.version, "labelled": str(args.labelled), **report.to_json()}
        sys.stdout.write(dumps_pretty(body).decode())
    else:
        print(f"model {model.version}  labelled {args.labelled}")
        print(format_report(report))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `train` and `eval` subcommands."""
    train = subparsers.add_parser(
        "train",
        help="train the text classifier from labelled CSV/JSONL files",
        description="Rows need a text (text/utterance) and a department, or a Bitext "
        "intent/category mapped through the default taxonomy.",
    )
    train.add_argument(
        "--data",
        type=Path,
        action="append",
        required=True,
        metavar="FILE",
        help="labelled .csv or .jsonl (repeatable)",
    )
    train.add_argument(
        "--exclude",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="held-out labelled file: rows whose normalised text occurs in it "
        "are not trained on (repeatable)",
    )
    train.add_argument(
        "--out", type=Path, required=True, metavar="PATH", help="where to write the model artifact"
    )
    train.add_argument("--seed", type=int, default=0, help="shuffling/split seed (default 0)")
    train.set_defaults(func=_train)

    ev = subparsers.add_parser(
        "eval",
        help="evaluate the text classifier on a labelled file",
        description="Prints accuracy, macro-F1, per-class precision/recall/F1 and the "
        "confusion matrix.",
    )
    ev.add_argument(
        "--labelled", type=Path, required=True, metavar="FILE", help="labelled .csv or .jsonl"
    )
    ev.add_argument(
        "--model",
        type=Path,
        default=None,
        metavar="PATH",
        help="model artifact (default: the one shipped in router/models/)",
    )
    ev.add_argument(
        "--triage-below",
        type=float,
        default=None,
        metavar="P",
        help="count predictions whose confidence is below P as 'triage', as the router does",
    )
    ev.add_argument("--json", action="store_true", help="machine-readable output")
    ev.set_defaults(func=_eval)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m router.classify.commands")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
