"""Every input the fuzzers ever broke a parser with (tests/fixtures/fuzz/<target>/) is replayed
through the same target, and a short bounded fuzz run (atheris, coverage-guided) of the MIME and
webhook parsers must find nothing new. `fuzz/run.py` runs longer campaigns; see fuzz/README.md."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.targets import TARGETS
from tests.unit.limits_helpers import watchdog

ROOT = Path(__file__).resolve().parents[2]
KEPT = ROOT / "tests" / "fixtures" / "fuzz"
CRASHERS = sorted(p for p in KEPT.glob("*/*") if p.is_file() and p.parent.name in TARGETS)


def test_kept_crashers_name_known_targets() -> None:
    strays = [p for p in KEPT.glob("*/*") if p.parent.name not in TARGETS]
    assert strays == []


@pytest.mark.parametrize("path", CRASHERS, ids=[f"{p.parent.name}/{p.name}" for p in CRASHERS])
def test_kept_crasher_is_handled(path: Path) -> None:
    with watchdog(60):  # a kept hang must finish now, too
        TARGETS[path.parent.name](path.read_bytes())


def test_bounded_fuzz_run_finds_nothing_new(tmp_path: Path) -> None:
    try:
        import atheris  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("atheris is not installed (it is in the dev dependencies)")
        pytest.skip("atheris is not installed")
    seconds = os.environ.get("OMNIROUTE_FUZZ_SECONDS", "60")
    cmd = [sys.executable, str(ROOT / "fuzz" / "run.py"), "--total-seconds", seconds]
    cmd += ["--targets", "mime", "meta", "x", "--crashes", str(tmp_path), "--seed", "1"]
    timeout = int(seconds) + 300
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
    summary = [line for line in done.stdout.splitlines() if line.startswith("fuzz")]
    print("\n".join(summary))
    assert done.returncode == 0, "\n".join([*summary, done.stderr[-4000:]])
