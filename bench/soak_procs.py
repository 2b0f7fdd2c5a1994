"""The processes a soak drives: `omniroute intake` and `omniroute router`, started with a bounded
wait for readiness, restarted with SIGTERM, and measured from /proc (RSS, open fds)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp

OMNIROUTE = str(Path(sys.executable).with_name("omniroute"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Proc:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], ready_url: str, logs: Path):
        self.name, self.argv, self.env, self.ready_url, self.logs = name, argv, env, ready_url, logs
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout_s: float = 120.0) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = (self.logs / f"{self.name}.log").open("ab")
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.starts += 1
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}; see {log.name}"
                )
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2) as resp:  # noqa: S310 - 127.0.0.1
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready within {timeout_s:.0f}s")

    def stop(self, timeout_s: float = 60.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def rss_mib(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def fds(self) -> int:
        assert self.proc is not None
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))


def start_intake(env: dict[str, str], port: int, logs: Path) -> Proc:
    env = env | {"OMNIROUTE_INTAKE_PORT": str(port), "OMNIROUTE_CREATE_TOPICS": "1"}
    url = f"http://127.0.0.1:{port}/readyz"
    proc = Proc("intake", [OMNIROUTE, "intake"], env, url, logs)
    proc.start()
    return proc


def start_router(env: dict[str, str], port: int, logs: Path) -> Proc:
    env = env | {"OMNIROUTE_ROUTER_HTTP_PORT": str(port), "OMNIROUTE_CREATE_TOPICS": "1"}
    url = f"http://127.0.0.1:{port}/healthz"
    proc = Proc("router", [OMNIROUTE, "router"], env, url, logs)
    proc.start()
    return proc


async def lag_of(router_port: int) -> float | None:
    """Sum of omniroute_router_lag_records over the router's partitions (None: no answer)."""
    try:
        timeout = aiohttp.ClientTimeout(total=5)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(f"http://127.0.0.1:{router_port}/metrics") as resp,
        ):
            text = await resp.text()
    except (aiohttp.ClientError, TimeoutError):
        return None
    values = [
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("omniroute_router_lag_records")
    ]
    return sum(values) if values else None
