"""Co-partitioned, balanced, sticky group assignment.

Every intake topic is keyed by the customer and has the same partition count, so one customer
lands on the same partition *number* p in each of them. Per-customer state for p must see all of
those partitions, and p has one transactional producer (`<group>-p<p>`), so partition number p
of every subscribed topic goes to one member. Members report the numbers they own in
`user_data`, so a rebalance moves only what balance requires (no needless state restores and
producer re-initialisations).
"""

import logging
from collections.abc import Iterable, Mapping

from aiokafka.cluster import ClusterMetadata
from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from aiokafka.coordinator.protocol import (
    ConsumerProtocolMemberAssignment,
    ConsumerProtocolMemberMetadata,
)

from intake import serde

log = logging.getLogger(__name__)


def plan(numbers: Iterable[int], owned: Mapping[str, Iterable[int]]) -> dict[str, list[int]]:
    """Spread partition numbers over members: counts differ by at most one, and a number stays
    with its previous owner whenever that owner is under its quota. Deterministic."""
    members = sorted(owned)
    if not members:
        return {}
    todo = sorted(set(numbers))
    base, extra = divmod(len(todo), len(members))
    # The members that keep most get the spare slots, so fewer partitions move.
    ranked = sorted(members, key=lambda m: (-len(set(owned[m]) & set(todo)), m))
    quota = {m: base + (1 if i < extra else 0) for i, m in enumerate(ranked)}
    result: dict[str, list[int]] = {m: [] for m in members}
    taken: set[int] = set()
    for member in ranked:
        for number in sorted(set(owned[member])):
            if number in todo and number not in taken and len(result[member]) < quota[member]:
                result[member].append(number)
                taken.add(number)
    free = iter(n for n in todo if n not in taken)
    for member in ranked:
        while len(result[member]) < quota[member]:
            result[member].append(next(free))
    return {m: sorted(ns) for m, ns in result.items()}


def _decode_owned(user_data: bytes) -> list[int]:
    # Garbage from an older or foreign member must not break the leader's assignment.
    try:
        value = serde.loads_obj(user_data) if user_data else []
    except Exception:
        return []
    return [n for n in value if isinstance(n, int)] if isinstance(value, list) else []


class CoPartitionedAssignor(AbstractPartitionAssignor):  # type: ignore[misc]
    """One instance per consumer: it remembers what this member owns for its next join."""

    name = "omniroute-copartitioned"
    version = 0

    def __init__(self) -> None:
        self.owned: list[int] = []

    def metadata(self, topics: Iterable[str]) -> ConsumerProtocolMemberMetadata:
        return ConsumerProtocolMemberMetadata(
            self.version, sorted(topics), serde.dumps_obj(self.owned)
        )

    def assign(
        self,
        cluster: ClusterMetadata,
        members: Mapping[str, ConsumerProtocolMemberMetadata],
    ) -> dict[str, ConsumerProtocolMemberAssignment]:
        per_topic: dict[str, set[int]] = {}
        for meta in members.values():
            for topic in meta.subscription:
                partitions = cluster.partitions_for_topic(topic)
                if partitions is None:
                    log.warning("no partition metadata for %s", topic)
                    continue
                per_topic[topic] = set(partitions)
        counts = {len(ps) for ps in per_topic.values()}
        if len(counts) > 1:
            # Still assign every partition, but co-partitioning (one customer, one owner) no
            # longer holds for the numbers missing from some topics.
            log.error("intake topics differ in partition count: %s", sorted(counts))
        numbers = set().union(*per_topic.values()) if per_topic else set()
        owned = {m: _decode_owned(meta.user_data) for m, meta in members.items()}
        numbers_by_member = plan(numbers, owned)
        result = {}
        for member, meta in members.items():
            mine = set(numbers_by_member.get(member, []))
            topics = [
                (t, sorted(mine & per_topic[t]))
                for t in sorted(meta.subscription)
                if t in per_topic
            ]
            result[member] = ConsumerProtocolMemberAssignment(self.version, topics, b"")
        return result

    def on_assignment(self, assignment: ConsumerProtocolMemberAssignment) -> None:
        self.owned = sorted({tp.partition for tp in assignment.partitions()})
