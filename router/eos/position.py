"""How far a consumer is through a partition, for lag gauges.

A transactional producer (the intake's default, and the router's own outputs) ends each
transaction with a commit marker that read_committed never returns: "last record + 1" stays one
marker short of the last stable offset for ever. The fetch position has skipped the markers.
"""

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import IllegalStateError


async def fetch_position(cons: AIOKafkaConsumer, tp: TopicPartition) -> int:
    """The fetch position if it is known now; 0 (no information) while a take-over or a
    rebalance has it reset: a metric must not wait for the group."""
    try:
        return int(await asyncio.wait_for(cons.position(tp), 0.05))
    except (TimeoutError, IllegalStateError):
        return 0


async def behind(cons: AIOKafkaConsumer, tp: TopicPartition, next_offset: int | None) -> int:
    """Records of `tp` not processed yet (0 while the stable offset is unknown). Callers process
    every record a fetch returned before they ask, so the position is never ahead of the work."""
    stable = cons.last_stable_offset(tp)
    if stable is None:
        return 0
    done = max(stable if next_offset is None else next_offset, await fetch_position(cons, tp))
    return max(int(stable) - done, 0)
