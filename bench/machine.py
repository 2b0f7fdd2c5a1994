"""The machine, versions and load a run was measured on: a figure without them means little."""

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from omniroute.localkafka import KAFKA_VERSION

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["aiokafka", "aiohttp", "pydantic", "orjson", "numpy", "uvloop", "matplotlib"]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return round(pages / 2**30, 1)


def _output(*argv: str) -> str:
    try:
        out = subprocess.run(
            argv, check=False, capture_output=True, text=True, timeout=20, cwd=ROOT
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (out.stdout or out.stderr).strip()  # java and wrk print their version on stderr


def _run(*argv: str) -> str:
    return (_output(*argv).splitlines() or [""])[0]


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def describe() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "java": _run("java", "-version"),
        "kafka": KAFKA_VERSION,
        "wrk": _run("wrk", "--version"),
        "git_commit": _run("git", "rev-parse", "--short", "HEAD"),
        "git_dirty_files": len(_output("git", "status", "--porcelain").splitlines()),
        "packages": {p: _version(p) for p in PACKAGES},
    }


def load() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"1m": round(one, 2), "5m": round(five, 2), "15m": round(fifteen, 2)}
