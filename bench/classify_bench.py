"""Throughput of the text model on a realistic EN/ZH mix, single process.

    .venv/bin/python bench/classify_bench.py [--model PATH] [--messages N] [--batch N]

Texts: our own labelled fixtures (tweets and chat lines, English and Chinese; see
tests/fixtures/classify/), half of each language, and 15% of the messages e-mail-like: five
such lines with a greeting and a sign-off. Prints messages per second of wall time and per CPU
second ("per core": the process is single-threaded; set OPENBLAS_NUM_THREADS=1 so numpy adds
no threads), and the time of a fixed pure-Python loop, so that figures taken on a busy or slower
machine can be put in proportion.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from router.classify.data import read_labelled
from router.classify.model import TextModel

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "classify"


def _texts(n: int) -> list[str]:
    en = [e.text for e in read_labelled(FIXTURES / "en_eval.jsonl").examples]
    zh = [e.text for e in read_labelled(FIXTURES / "zh_eval.jsonl").examples]
    rng = random.Random(0)  # noqa: S311 - reproducible sampling, not security
    out = []
    for _ in range(n):
        chinese = rng.random() < 0.5
        pool = zh if chinese else en
        if rng.random() >= 0.15:
            out.append(rng.choice(pool))
        elif chinese:
            out.append("您好,\n" + "。".join(rng.sample(pool, 5)) + "。\n谢谢")
        else:
            out.append("Hello,\n\n" + ". ".join(rng.sample(pool, 5)) + ".\n\nThanks,\nSam")
    return out


def _reference_ms() -> float:
    start = time.process_time()
    total = 0
    for i in range(1_000_000):
        total += i
    return (time.process_time() - start) * 1000


def _measure(label: str, n: int, run: Callable[[], object]) -> None:
    run()  # warm-up: first-call allocations and caches
    wall0, cpu0 = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(f"{label:<28} {n / wall:>10,.0f} msg/s wall   {n / cpu:>10,.0f} msg/s per CPU second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=512)
    args = parser.parse_args()
    model = TextModel.load(args.model)
    texts = _texts(args.messages)
    chars = statistics.mean(len(t) for t in texts)
    zh = sum(any("\u4e00" <= c <= "\u9fff" for c in t) for t in texts) / len(texts)
    print(
        f"model {model.version}: {len(texts):,} messages, mean {chars:.0f} chars, "
        f"{zh:.0%} Chinese; reference loop {_reference_ms():.0f} ms CPU"
    )
    single = texts[: max(1, args.messages // 10)]
    _measure("predict (one at a time)", len(single), lambda: [model.predict(t) for t in single])
    batches = [texts[i : i + args.batch] for i in range(0, len(texts), args.batch)]
    _measure(
        f"predict_many (batch {args.batch})",
        len(texts),
        lambda: [model.predict_many(b) for b in batches],
    )


if __name__ == "__main__":
    main()
