"""`omniroute eval-routing --labelled FILE`: accuracy, macro-F1 and the confusion matrix of the
whole layered classifier (rules, model, threshold -> triage) as the router runs it. `omniroute
eval` measures the statistical model alone; the difference is what the rules add or cost."""

import argparse
import sys
from collections import Counter
from pathlib import Path

from intake.errors import ConfigError, OmnirouteError
from intake.serde import dumps_pretty
from omniroute.commands.routing_run import add_config_args, router_pipeline, to_message
from router.classify.data import read_labelled
from router.classify.evaluate import evaluate, format_report


def _eval(args: argparse.Namespace) -> int:
    try:
        pipeline, completer = router_pipeline(args.config, args.customers)
        examples = read_labelled(args.labelled).examples
    except (ConfigError, OmnirouteError) as exc:
        print(f"omniroute eval-routing: {exc}", file=sys.stderr)
        return 2
    predicted, layers = [], Counter[str]()
    for number, example in enumerate(examples):
        message = to_message(completer, {"text": example.text, "channel": args.channel}, number)
        decision = pipeline.decide(message)
        predicted.append(decision.department)
        layers[decision.layer.value] += 1
    report = evaluate([e.department for e in examples], predicted)
    config = pipeline.classifier.config
    if args.json:
        body = {
            "config": config.version,
            "labelled": str(args.labelled),
            "layers": dict(layers),
            **report.to_json(),
        }
        sys.stdout.write(dumps_pretty(body).decode())
        return 0
    scorer = pipeline.classifier.scorer
    print(
        f"config {config.version}  model {scorer.version if scorer else 'none'}  threshold "
        f"{config.classifier.threshold}  labelled {args.labelled}"
    )
    print("decided by " + ", ".join(f"{k} {v}" for k, v in sorted(layers.items())))
    print(format_report(report))
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    e = subparsers.add_parser(
        "eval-routing", help="evaluate the whole layered classifier on a labelled file"
    )
    e.add_argument(
        "--labelled",
        type=Path,
        required=True,
        metavar="FILE",
        help="labelled .csv or .jsonl (as for `omniroute eval`)",
    )
    e.add_argument("--channel", default="api", help="channel the examples arrive on")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    add_config_args(e)
    e.set_defaults(func=_eval)
