"""Open-loop HTTP sender: requests leave on a fixed schedule whether or not earlier ones have
been answered (a closed loop would slow down with the system and hide its queueing delay).

Each message is stamped with its *scheduled* send time (`metadata.bench_t`, wall-clock ns), so
a sender that falls behind shows up as latency, never as a gentler load (no coordinated
omission). Requests carry `batch` messages each, so the schedule stays within what one Python
client can emit on a loaded 2-core box; the requested rate is in messages per second.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from bench.mix import Item


@dataclass
class SendStats:
    rate: float
    batch: int
    requests: int = 0
    messages: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    skipped: int = 0  # not sent: too many requests in flight (the system could not keep up)
    behind_ms_max: float = 0.0  # worst lateness of a send against its schedule
    acked: list[int] = field(default_factory=list)  # lg_seq of every 2xx'd message
    ack_ms: list[float] = field(default_factory=list)  # HTTP response times

    def summary(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "batch": self.batch,
            "requests": self.requests,
            "messages": self.messages,
            "acked": len(self.acked),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "skipped": self.skipped,
            "behind_ms_max": round(self.behind_ms_max, 1),
        }


def batch_for(rate: float, max_requests_per_s: float = 200.0) -> int:
    return max(1, int(-(-rate // max_requests_per_s)))


async def send(
    url: str,
    token: str,
    items: list[Item],
    rate: float,
    *,
    duration_s: float,
    max_inflight: int = 256,
) -> SendStats:
    batch = batch_for(rate)
    stats = SendStats(rate, batch)
    count = min(len(items) // batch, int(duration_s * rate / batch))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    inflight: set[asyncio.Task[None]] = set()
    connector = aiohttp.TCPConnector(limit=max_inflight)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def post(body: bytes, seqs: list[int]) -> None:
            started = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    stats.statuses[resp.status] += 1
                    if resp.status == 202:
                        stats.acked += seqs
            except (aiohttp.ClientError, TimeoutError):
                stats.statuses[0] += 1
            stats.ack_ms.append((time.perf_counter() - started) * 1000)

        loop = asyncio.get_running_loop()
        t0, wall0 = loop.time() + 0.05, time.time_ns() + 50_000_000
        interval = batch / rate
        for i in range(count):
            at = t0 + i * interval
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                stats.behind_ms_max = max(stats.behind_ms_max, -delay * 1000)
            chunk = items[i * batch : (i + 1) * batch]
            stamp = wall0 + int(i * interval * 1e9)
            drafts = [it.draft | {"metadata": {"lg_seq": it.seq, "bench_t": stamp}} for it in chunk]
            if len(inflight) >= max_inflight:
                stats.skipped += len(chunk)
                continue
            body = orjson.dumps(drafts if batch > 1 else drafts[0])
            task = asyncio.create_task(post(body, [it.seq for it in chunk]))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
            stats.requests += 1
            stats.messages += len(chunk)
        if inflight:
            await asyncio.wait(inflight, timeout=60)
    return stats
