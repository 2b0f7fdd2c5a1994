"""The quix-streams peer's own virtualenv.

quixstreams 3.28 pins pydantic<2.14 and pydantic-settings<2.16, older than requirements.lock,
so installing it into the project's .venv would downgrade the project's own pins. It lives in a
venv of its own under the omniroute cache (created on first use, from PyPI), and runs the
project's modules from the repository root (they need only pydantic, PyYAML and numpy there).
"""

import os
import subprocess
import sys
from pathlib import Path

from bench import procs
from intake.settings import KafkaSettings
from omniroute.localkafka import cache_dir

QUIX = "quixstreams==3.28.1"
EXTRA = ["pyyaml", "numpy", "phonenumbers", "prometheus-client", "aiokafka==0.14.0"]


def venv_dir() -> Path:
    return Path(os.environ.get("BENCH_QUIX_VENV", cache_dir() / "bench-quix"))


def python() -> str:
    return str(venv_dir() / "bin" / "python")


def ensure() -> str:
    """The venv's python, creating the venv if it is missing (bounded: 15 minutes)."""
    marker = venv_dir() / f".installed-{QUIX}"
    if not marker.exists():
        print(f"creating {venv_dir()} with {QUIX} (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv_dir())], check=True, timeout=300)
        pip = [python(), "-m", "pip", "install", "-q", QUIX, *EXTRA]
        subprocess.run(pip, check=True, timeout=900)
        marker.touch()
    return python()


def proc(kafka: KafkaSettings, group: str, log_dir: Path) -> procs.Proc:
    state = log_dir / f"quix-state-{kafka.topic_prefix}"
    return procs.Proc(
        f"{kafka.topic_prefix}-quix",
        ["-m", "bench.peers.quix_router", group, str(state)],
        procs.kafka_env(kafka) | {"PYTHONPATH": str(procs.ROOT)},
        log_dir,
        python=ensure(),
    )
