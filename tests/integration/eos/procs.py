"""Router instances as real processes (`python -m omniroute.cli router`), so that kill -9,
SIGTERM and SIGSTOP/SIGCONT are the real thing, with their /metrics scraped over HTTP."""

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from omniroute.localkafka.config import free_ports


class RouterProc:
    def __init__(self, instance: str, env: dict[str, str], log_dir: Path) -> None:
        self.instance = instance
        self.port = free_ports(1)[0]
        self.env = {
            **os.environ,
            **env,
            "OMNIROUTE_ROUTER_INSTANCE_ID": instance,
            "OMNIROUTE_ROUTER_HTTP_PORT": str(self.port),
        }
        self.log_path = log_dir / f"router-{instance}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n==== start #{self.starts}\n".encode())
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "omniroute.cli", "router"],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def send(self, sig: signal.Signals) -> None:
        os.kill(self.pid, sig)

    async def wait_exit(self, timeout_s: float) -> int:
        assert self.proc is not None
        deadline = asyncio.get_running_loop().time() + timeout_s
        while self.proc.poll() is None:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"router {self.instance} did not exit in {timeout_s}s")
            await asyncio.sleep(0.05)
        return self.proc.returncode

    async def kill9(self) -> None:
        self.send(signal.SIGKILL)
        await self.wait_exit(10)

    def metrics(self) -> dict[str, float]:
        """Sample name (with labels) -> value; empty while the HTTP port is not up."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=2) as r:
                text = r.read().decode()
        except OSError:
            return {}
        out: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                out[name] = float(value)
        return out

    def metric(self, name: str) -> float:
        """A sample by its full name, or without labels: the sum over all label values."""
        samples = self.metrics()
        if "{" in name:
            return samples.get(name, 0.0)
        return sum(v for k, v in samples.items() if k == name or k.startswith(name + "{"))

    async def wait_metric(self, name: str, minimum: float, timeout_s: float) -> float:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            value = await asyncio.to_thread(self.metric, name)
            if value >= minimum:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{self.instance}: {name} stayed {value} < {minimum}")
            await asyncio.sleep(0.5)

    def cleanup(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join([line for line in text if "aiohttp.access" not in line][-lines:])
