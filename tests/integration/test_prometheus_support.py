"""A real Prometheus server (Debian's package) for integration tests: the shipped scrape config
and rules with the test's targets, a 1 s scrape interval, and PromQL through its HTTP API."""

import asyncio
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from tests.integration.requires import require_binary

PROM_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def write_config(tmp: Path, targets: dict[str, int]) -> Path:
    """The shipped prometheus.yml with each job pointed at a local port, scraped every second."""
    config: dict[str, Any] = yaml.safe_load((PROM_DIR / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(p) for p in sorted((PROM_DIR / "rules").glob("*.yml"))]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(targets) <= set(jobs), f"unknown jobs: {set(targets) - set(jobs)}"
    for name, port in targets.items():
        jobs[name]["static_configs"] = [{"targets": [f"127.0.0.1:{port}"]}]
    config["scrape_configs"] = [jobs[name] for name in targets]
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@contextmanager
def prometheus(tmp: Path, targets: dict[str, int]) -> Iterator[str]:
    binary = require_binary("prometheus", "prometheus")
    port = free_port()
    log = (tmp / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={write_config(tmp, targets)}",
            f"--storage.tsdb.path={tmp / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


async def wait_ready(base: str, timeout_s: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    async with aiohttp.ClientSession() as session:
        while asyncio.get_running_loop().time() < deadline:
            try:
                async with session.get(f"{base}/-/ready") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError("prometheus did not become ready")


async def query(base: str, promql: str) -> list[dict[str, Any]]:
    params = {"query": promql}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{base}/api/v1/query", params=params) as resp,
    ):
        body = await resp.json()
    assert body["status"] == "success", body
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


async def scalar(base: str, promql: str) -> float | None:
    result = await query(base, promql)
    return float(result[0]["value"][1]) if result else None


async def eventually(base: str, promql: str, expected: float, timeout_s: float = 30.0) -> None:
    """Poll until the query yields `expected` (scrapes land every second)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    value = None
    while asyncio.get_running_loop().time() < deadline:
        value = await scalar(base, promql)
        if value == expected:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{promql} = {value}, expected {expected}")
