"""Contenders run as their own processes, started the way an operator starts them (environment
in, logs to a file), so the harness measures them from outside whatever their internals are.
Every process is ours, stopped by its pid with SIGTERM (graceful: commits its last
transaction), then SIGKILL past a bound."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from intake.settings import KafkaSettings

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def kafka_env(kafka: KafkaSettings) -> dict[str, str]:
    return {
        "OMNIROUTE_KAFKA_BOOTSTRAP": str(kafka.bootstrap),
        "OMNIROUTE_KAFKA_TOPIC_PREFIX": kafka.topic_prefix,
        "OMNIROUTE_KAFKA_PARTITIONS": str(kafka.partitions),
    }


class Proc:
    """One child process with its log file; `with Proc(...)` stops it on the way out."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        log_dir: Path,
        python: str = sys.executable,
    ) -> None:
        self.name = name
        self.argv = [python, *argv] if argv[0].startswith("-") else list(argv)
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def start(self) -> Self:
        log = self.log_path.open("ab")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            self.argv, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu_s(self) -> float:
        """User + system CPU seconds so far (all threads: librdkafka's too), from /proc."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        except (OSError, AssertionError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check(self) -> None:
        """Raise if the process died: a measurement of a dead contender is worthless."""
        if self.proc is not None and self.proc.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{tail}")

    def stop(self, timeout_s: float = 30.0) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    async def astop(self, timeout_s: float = 30.0) -> int | None:
        return await asyncio.to_thread(self.stop, timeout_s)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def router(name: str, kafka: KafkaSettings, group: str, log_dir: Path, **extra: str) -> Proc:
    env = kafka_env(kafka) | {
        "OMNIROUTE_ROUTER_GROUP_ID": group,
        "OMNIROUTE_ROUTER_HTTP_PORT": "0",
        "OMNIROUTE_LOG_LEVEL": "INFO",
    }
    return Proc(name, ["-m", "omniroute.cli", "router"], env | extra, log_dir)


def cli(name: str, module: str, env: Mapping[str, str], log_dir: Path, *args: str) -> Proc:
    return Proc(name, ["-m", module, *args], env, log_dir)
