"""The co-partitioned assignor: partition number p of every topic to one member, balanced,
sticky, deterministic."""

from aiokafka.cluster import ClusterMetadata
from aiokafka.coordinator.protocol import ConsumerProtocolMemberMetadata
from aiokafka.structs import TopicPartition

from intake import serde
from router.eos.assignor import CoPartitionedAssignor, plan

TOPICS = ["t.intake.email", "t.intake.phone", "t.intake.api"]


class Cluster(ClusterMetadata):  # type: ignore[misc]
    def __init__(self, partitions: dict[str, int]) -> None:
        super().__init__()
        self._counts = partitions

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        count = self._counts.get(topic)
        return None if count is None else set(range(count))


def members(owned: dict[str, list[int]]) -> dict[str, ConsumerProtocolMemberMetadata]:
    return {
        m: ConsumerProtocolMemberMetadata(0, TOPICS, serde.dumps_obj(o)) for m, o in owned.items()
    }


def test_plan_balances_and_covers_everything() -> None:
    result = plan(range(6), {"a": [], "b": [], "c": [], "d": []})
    assert sorted(n for ns in result.values() for n in ns) == list(range(6))
    assert sorted(len(ns) for ns in result.values()) == [1, 1, 2, 2]


def test_plan_is_sticky_when_a_member_joins() -> None:
    before = {"a": [0, 1, 2, 3, 4, 5]}
    after = plan(range(6), {**before, "b": []})
    assert set(after["a"]) < set(before["a"])
    assert sorted(after["a"] + after["b"]) == list(range(6))
    assert len(after["a"]) == len(after["b"]) == 3


def test_plan_keeps_owners_when_a_member_leaves() -> None:
    result = plan(range(6), {"a": [0, 1], "b": [2, 3]})  # c with 4, 5 has gone
    assert {0, 1} <= set(result["a"]) and {2, 3} <= set(result["b"])
    assert sorted(result["a"] + result["b"]) == list(range(6))


def test_plan_ignores_a_double_claim() -> None:
    # A zombie still claims what the group gave to another member meanwhile.
    result = plan(range(4), {"a": [0, 1, 2, 3], "b": [0, 1]})
    assert sorted(result["a"] + result["b"]) == [0, 1, 2, 3]
    assert len(result["a"]) == len(result["b"]) == 2


def test_assign_gives_the_same_number_of_every_topic_to_one_member() -> None:
    assignor = CoPartitionedAssignor()
    cluster = Cluster(dict.fromkeys(TOPICS, 6))
    result = assignor.assign(cluster, members({"m1": [], "m2": []}))
    owners: dict[int, set[str]] = {}
    for member, assignment in result.items():
        for tp in assignment.partitions():
            owners.setdefault(tp.partition, set()).add(member)
        numbers = {tp.partition for tp in assignment.partitions()}
        assert set(assignment.partitions()) == {
            TopicPartition(t, p) for t in TOPICS for p in numbers
        }
    assert all(len(ms) == 1 for ms in owners.values()) and sorted(owners) == list(range(6))


def test_metadata_reports_what_the_member_owns() -> None:
    assignor = CoPartitionedAssignor()
    result = assignor.assign(Cluster(dict.fromkeys(TOPICS, 4)), members({"m1": []}))
    assignor.on_assignment(result["m1"])
    meta = assignor.metadata(TOPICS)
    assert serde.loads_obj(meta.user_data) == [0, 1, 2, 3]
    again = CoPartitionedAssignor().assign(
        Cluster(dict.fromkeys(TOPICS, 4)), {"m1": meta, "m2": members({"m2": []})["m2"]}
    )
    assert len({tp.partition for tp in again["m1"].partitions()}) == 2


def test_garbage_user_data_is_no_claim() -> None:
    meta = {"m1": ConsumerProtocolMemberMetadata(0, TOPICS, b"\x00not json")}
    result = CoPartitionedAssignor().assign(Cluster(dict.fromkeys(TOPICS, 2)), meta)
    assert {tp.partition for tp in result["m1"].partitions()} == {0, 1}
