"""`omniroute check-config`, `test-rules`, `classify` and `explain`: the routing config as a
platform team works with it. All of them go through the router's own classifier and pipeline
(omniroute/commands/routing_run.py), so what they show is what the router does."""

import argparse
import sys
from importlib import resources
from pathlib import Path

import orjson
from pydantic import ValidationError

from intake.errors import ConfigError
from omniroute.commands import routing_eval, routing_explain
from omniroute.commands.routing_run import add_config_args, router_pipeline, to_message
from router.assemble import load_routing
from router.config.yamlmap import ConfigProblems
from router.ruletest import load_tests, run
from router.scoring import load_scorer
from router.settings import RouterSettings

DEFAULT_TESTS = "routing_tests.yaml"


def _problems(exc: ConfigError) -> list[str]:
    return [str(p) for p in exc.problems] if isinstance(exc, ConfigProblems) else [str(exc)]


def _check_config(args: argparse.Namespace) -> int:
    paths: list[Path | None] = list(args.paths) or [RouterSettings().config_path]
    failed = False
    for path in paths:
        name = str(path) if path else "built-in routing.yaml"
        try:
            config = load_routing(path)
            load_scorer(config.classifier.model)  # a model path that cannot load is an error too
        except ConfigError as exc:
            failed = True
            lines = _problems(exc) if isinstance(exc, ConfigProblems) else [f"{name}: {exc}"]
            for line in lines:
                print(line, file=sys.stderr)
            continue
        print(
            f"ok {name}: version {config.version}, {len(config.departments)} departments, "
            f"{len(config.rules)} rules, model {config.classifier.model}, "
            f"threshold {config.classifier.threshold}"
        )
    return 1 if failed else 0


def _test_rules(args: argparse.Namespace) -> int:
    files = list(args.files) or [Path(str(resources.files("router.defaults") / DEFAULT_TESTS))]
    failures = total = 0
    for file in files:
        try:
            tests, doc = load_tests(file)
            config = args.config
            if config is None and tests.config is not None:
                config = file.parent / tests.config
            pipeline, _ = router_pipeline(config, args.customers)
        except (ConfigError, OSError) as exc:
            for line in _problems(exc) if isinstance(exc, ConfigError) else [str(exc)]:
                print(line, file=sys.stderr)
            return 2
        for outcome in run(pipeline, tests, doc):
            total += 1
            label = outcome.case.name or outcome.case.text[:60]
            if outcome.failures:
                failures += 1
                print(f"FAIL {file}:{outcome.line} {label!r}")
                for failure in outcome.failures:
                    print(f"  {failure}")
                print(f"  {routing_explain.summary(outcome.decision)}")
            elif args.verbose:
                print(f"ok   {file}:{outcome.line} {label!r}")
    print(f"{total - failures} passed, {failures} failed")
    return 1 if failures else 0


def _classify(args: argparse.Namespace) -> int:
    try:
        pipeline, completer = router_pipeline(args.config, args.customers)
    except ConfigError as exc:
        print("\n".join(_problems(exc)), file=sys.stderr)
        return 2
    stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    bad = 0
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("expected a JSON object")
                decision = pipeline.decide(to_message(completer, data, number))
                out = decision.model_dump(mode="json")
            except (orjson.JSONDecodeError, ValidationError, ValueError) as exc:
                bad += 1
                out = {"line": number, "error": str(exc).splitlines()[0]}
            sys.stdout.buffer.write(orjson.dumps(out) + b"\n")
    sys.stdout.flush()
    return 1 if bad else 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    c = subparsers.add_parser("check-config", help="validate routing YAML (file or directory)")
    c.add_argument("paths", nargs="*", type=Path, help="default: OMNIROUTE_ROUTER_CONFIG_PATH")
    c.set_defaults(func=_check_config)
    t = subparsers.add_parser("test-rules", help="run rule tests (expected routing per example)")
    t.add_argument("files", nargs="*", type=Path, help=f"default: the built-in {DEFAULT_TESTS}")
    t.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")
    add_config_args(t)
    t.set_defaults(func=_test_rules)
    k = subparsers.add_parser("classify", help="JSON lines in, one JSON decision per line out")
    k.add_argument("file", nargs="?", default="-", help="JSON lines file (default: stdin)")
    add_config_args(k)
    k.set_defaults(func=_classify)
    routing_explain.register(subparsers)
    routing_eval.register(subparsers)
