"""Bounded coverage-guided fuzzing of the parsers with atheris (libFuzzer).

    .venv/bin/python fuzz/run.py                         # 120 s over mime, meta, x
    .venv/bin/python fuzz/run.py --total-seconds 600 --targets mime meta x twilio webchat
    .venv/bin/python fuzz/run.py --child mime --seconds 30   # one target, in this process

Each target runs in its own process for its share of the budget (hard-killed 60 s past it),
seeded from tests/fixtures/<folder> and the crashers kept so far. A crash or a hang (an input
taking longer than --input-timeout) is written to --crashes/<target>/ (by default
tests/fixtures/fuzz/<target>/, where tests/unit/test_fuzz_regressions.py replays every file)
and the run exits 1.
"""

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
KEPT = FIXTURES / "fuzz"
DEFAULT_TARGETS = ("mime", "meta", "x")


def child(target: str, seconds: int, crashes: Path, input_timeout: int, seed: int) -> None:
    import atheris

    sys.path.insert(0, str(ROOT))
    with atheris.instrument_imports(include=["connectors", "intake", "email"]):
        from fuzz.targets import SEEDS, TARGETS
    corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
    seeds = [str(FIXTURES / folder) for folder in SEEDS[target]]
    kept = KEPT / target
    crashes.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.argv[0],
        str(corpus),  # first: where libFuzzer adds new inputs (a temp dir, not the repo)
        *seeds,
        *([str(kept)] if kept.is_dir() else []),
        f"-max_total_time={seconds}",
        f"-artifact_prefix={crashes}/",
        "-rss_limit_mb=2048",
        "-max_len=262144",
        f"-seed={seed}",
        "-print_final_stats=1",
    ]
    atheris.Setup(argv, _watched(TARGETS[target], input_timeout))
    atheris.Fuzz()


class Hang(Exception):
    """An input took longer than --input-timeout: a crash like any other, kept as such."""


def _watched(target: Callable[[bytes], None], seconds: int) -> Callable[[bytes], None]:
    """libFuzzer's own -timeout did not fire for a stuck Python target here, so a Python-level
    alarm turns a hang into an exception, which atheris reports with its input and traceback."""

    def alarm(_signum: int, _frame: object) -> None:
        raise Hang(f"input took longer than {seconds}s")

    signal.signal(signal.SIGALRM, alarm)

    def run(data: bytes) -> None:
        signal.alarm(seconds)
        try:
            target(data)
        finally:
            signal.alarm(0)

    return run


def run(targets: list[str], total: int, crashes: Path, input_timeout: int, seed: int) -> int:
    share = max(5, total // len(targets))
    failed: list[str] = []
    for target in targets:
        out = crashes / target
        cmd = [sys.executable, __file__, "--child", target, "--seconds", str(share)]
        cmd += ["--crashes", str(out), "--input-timeout", str(input_timeout), "--seed", str(seed)]
        print(f"fuzz {target}: {share}s", flush=True)
        try:
            code = subprocess.run(cmd, timeout=share + 60, check=False).returncode
        except subprocess.TimeoutExpired:
            code = -1
            print(f"fuzz {target}: did not stop in time", flush=True)
        found = sorted(p for p in out.glob("*") if p.is_file()) if out.is_dir() else []
        if code != 0 or found:
            failed.append(target)
            for path in found:
                print(f"fuzz {target}: kept {path}", flush=True)
    print(f"fuzz: {len(targets) - len(failed)} passed, {len(failed)} failed", flush=True)
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--targets", nargs="+", default=list(DEFAULT_TARGETS))
    parser.add_argument("--total-seconds", type=int, default=120)
    parser.add_argument("--crashes", type=Path, default=None, help="default: a temp dir")
    parser.add_argument("--keep", action="store_true", help="copy crashers to tests/fixtures")
    parser.add_argument("--input-timeout", type=int, default=30, help="seconds = a hang")
    parser.add_argument("--seed", type=int, default=0, help="libFuzzer seed (0 = random)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=int, default=30, help=argparse.SUPPRESS)
    args = parser.parse_args()
    crashes = args.crashes or Path(tempfile.mkdtemp(prefix="fuzz-crashes-"))
    if args.child:
        sys.argv = sys.argv[:1]  # atheris reads only the argv it is given
        child(args.child, args.seconds, crashes, args.input_timeout, args.seed)
        return
    code = run(args.targets, args.total_seconds, crashes, args.input_timeout, args.seed)
    if code and args.keep:
        for path in crashes.rglob("*"):
            if path.is_file():
                dest = KEPT / path.parent.name / path.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)
                print(f"kept as regression input: {dest.relative_to(ROOT)}")
    sys.exit(code)


if __name__ == "__main__":
    main()
