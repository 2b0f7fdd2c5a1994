"""Before/after of the optimisations, in one process on the same data (CPU time per message),
so the ratio holds however loaded the machine is.

- keyword rules: the original per-keyword patterns (look-behind first, IGNORECASE) vs
  `router.rules` now, over the mix's texts; the hits must be identical.
- encoding: `intake.serde.dumps` (model_dump + orjson) vs pydantic-core's own JSON writer, on
  dispatch records; measured to decide whether serde is worth changing (it was not: see
  BENCHMARKS.md).
"""

import re
import time
from collections.abc import Callable
from typing import Any

from bench import feed
from bench.context import Ctx
from intake import serde
from intake.message import Message
from intake.topics import Topics
from router.classifier import Classifier
from router.config import load_default_config
from router.decision import Dispatch
from router.pipeline import Pipeline
from router.rules import _CJK, _LATIN, Facts, RuleSet


def _original(keyword: str) -> str:
    escaped = re.escape(keyword.casefold()).replace(r"\ ", r"\s+")
    if _CJK.search(keyword):
        return escaped
    return rf"(?<!{_LATIN}){escaped}(?!{_LATIN})"


def _cpu_us(fn: Callable[[Any], object], items: list[Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):  # best of: the least disturbed pass on a shared machine
        started = time.process_time()
        for item in items:
            fn(item)
        best = min(best, time.process_time() - started)
    return round(best / len(items) * 1e6, 2)


def rules(texts: list[str]) -> dict[str, Any]:
    config = load_default_config()
    text_rules = [r for r in config.rules if r.has_text]
    old = [
        re.compile(
            "|".join([_original(k) for k in r.keywords] + [f"(?:{x})" for x in r.regex]),
            re.IGNORECASE,
        )
        for r in text_rules
    ]
    new = [c.pattern for c in RuleSet(tuple(text_rules))._rules]

    def scan(patterns: list[Any]) -> Callable[[str], list[frozenset[str]]]:
        return lambda t: [frozenset(m.group(0) for m in p.finditer(t)) for p in patterns]

    same = all(scan(old)(t) == scan(new)(t) for t in texts)
    before, after = _cpu_us(scan(old), texts), _cpu_us(scan(new), texts)
    return {
        "before_us": before,
        "after_us": after,
        "speedup": round(before / after, 2),
        "identical_hits": same,
        "messages": len(texts),
    }


def encoding(dispatches: list[Dispatch]) -> dict[str, Any]:
    def pydantic_json(d: Dispatch) -> bytes:
        return d.__pydantic_serializer__.to_json(d, exclude_none=True)

    same = all(serde.dumps(d) == pydantic_json(d) for d in dispatches)
    before, after = _cpu_us(serde.dumps, dispatches), _cpu_us(pydantic_json, dispatches)
    return {
        "serde_dumps_us": before,
        "pydantic_to_json_us": after,
        "speedup": round(before / after, 2),
        "identical_bytes": same,
    }


def micro(ctx: Ctx, count: int = 2000) -> dict[str, Any]:
    topics = Topics("micro")
    messages = [serde.loads(Message, r.value) for r in feed.complete(ctx.items(count), topics)]
    texts = [Facts.of(m, None, None).text for m in messages]
    pipeline = Pipeline(Classifier(load_default_config()), topics)
    dispatches = [Dispatch(message=m, decision=pipeline.decide(m)) for m in messages]
    out = {"rules": rules(texts), "encoding": encoding(dispatches)}
    r, e = out["rules"], out["encoding"]
    print(
        f"  [micro] rules {r['before_us']} -> {r['after_us']} us/msg ({r['speedup']}x, "
        f"identical {r['identical_hits']}); serde {e['serde_dumps_us']} vs pydantic "
        f"{e['pydantic_to_json_us']} us/msg",
        flush=True,
    )
    return out
