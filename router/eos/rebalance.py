"""The consumer's rebalance callbacks, handed to `Partitions` (aiokafka awaits them: revocation
completes before this member rejoins, assignment before it fetches for the new generation)."""

from aiokafka import TopicPartition
from aiokafka.abc import ConsumerRebalanceListener

from router.eos.group import generation
from router.eos.owner import Partitions


class Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, owner: Partitions) -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._owner.revoke()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self._owner.assign(set(assigned), generation(self._owner.cons))
