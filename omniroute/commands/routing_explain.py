"""`omniroute explain`: for one message, why the router would send it where it would: the
language, every rule that matched and what it contributed, the model's scores against the
threshold, the layer that decided, what set the priority and how the deadline was derived."""

import argparse
import sys
from datetime import UTC, datetime

import orjson

from intake.errors import ConfigError
from intake.message import Channel
from omniroute.commands.routing_run import add_config_args, router_pipeline
from router.classifier import Layer
from router.decision import Decision
from router.ruletest import Case, Expect, run_case


def summary(d: Decision) -> str:
    rules = ",".join(r.rule_id for r in d.rules) or "-"
    return (
        f"got {d.department}/{d.priority.value} via {d.layer.value} "
        f"(confidence {d.confidence:.2f}, rules {rules}, language {d.language})"
    )


def _scores(scores: dict[str, float], top: int = 4) -> str:
    best = sorted(scores.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{k} {v:.2f}" for k, v in best) or "-"


def _why(d: Decision) -> str:
    if d.layer is Layer.RULES:
        return f"department rules matched; {d.department} scored highest ({_scores(d.scores)})"
    best = max(d.model_scores.values(), default=0.0)
    if d.layer is Layer.MODEL:
        return f"no department rule matched; model confidence {best:.2f} >= threshold {d.threshold}"
    if d.model_version is None:
        return "no department rule matched and no model is configured"
    return f"no department rule matched; model confidence {best:.2f} < threshold {d.threshold}"


def render(d: Decision) -> list[str]:
    lines = [
        f"decision   {d.department} (intent {d.intent or '-'}, layer {d.layer.value}, "
        f"confidence {d.confidence:.2f})",
        f"because    {_why(d)}",
        f"language   {d.language or 'unknown'}",
    ]
    for r in d.rules or ():
        effect = ", ".join(
            x
            for x in (
                r.department and f"-> {r.department}",
                r.priority and f"priority >= {r.priority.value}",
            )
            if x
        )
        lines.append(f"rule       {r.rule_id} ({effect}) score {r.score:g}: {', '.join(r.matches)}")
    if not d.rules:
        lines.append("rule       none matched")
    if d.model_version:
        lines.append(f"model      {d.model_version}: {_scores(d.model_scores)}")
    lines += [
        f"priority   {d.priority.value} (set by {d.priority_reason})",
        f"sla        due {d.sla_due_at.isoformat(timespec='seconds')}: {d.sla_policy}",
        f"config     version {d.config_version}",
    ]
    return lines


def _metadata(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"--metadata expects KEY=VALUE, got {pair!r}")
        out[key] = value
    return out


def _explain(args: argparse.Namespace) -> int:
    try:
        pipeline, _ = router_pipeline(args.config, args.customers)
        case = Case(
            text=args.text,
            subject=args.subject,
            channel=args.channel,
            metadata=_metadata(args.metadata),
            tier=args.tier,
            language=args.language,
            contact_count=args.contacts,
            received_at=datetime.now(UTC),
            expect=Expect(),
        )
    except (ConfigError, ValueError) as exc:
        print(f"omniroute explain: {exc}", file=sys.stderr)
        return 2
    decision = run_case(pipeline, case).decision
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(decision.model_dump(mode="json")) + b"\n")
    else:
        print("\n".join(render(decision)))
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    e = subparsers.add_parser("explain", help="why a message would be routed where it would")
    e.add_argument("text", help="message text")
    e.add_argument("--subject", default=None)
    e.add_argument("--channel", default=Channel.EMAIL, type=Channel, choices=list(Channel))
    e.add_argument("--metadata", action="append", default=[], metavar="KEY=VALUE")
    e.add_argument("--tier", default=None, help="customer tier as the directory would give it")
    e.add_argument("--language", default=None, help="language declared by the channel")
    e.add_argument("--contacts", type=int, default=1, help="contacts on the case so far")
    e.add_argument("--json", action="store_true", help="the decision record as JSON")
    add_config_args(e)
    e.set_defaults(func=_explain)
