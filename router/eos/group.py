"""The two pieces of aiokafka group state the runner needs and aiokafka does not expose."""

from aiokafka import AIOKafkaConsumer


def generation(cons: AIOKafkaConsumer) -> int | None:
    # Not public in aiokafka; None makes the owner treat every assignment as new (always safe,
    # merely slower: producers re-initialised and state restored).
    value = getattr(getattr(cons, "_coordinator", None), "generation", None)
    return value if isinstance(value, int) and value >= 0 else None


def request_rejoin(cons: AIOKafkaConsumer) -> None:
    # No public API: aiokafka rejoins on its own only when the coordinator says so, and a member
    # whose producer was fenced may not have heard that yet.
    coordinator = getattr(cons, "_coordinator", None)
    if coordinator is not None and hasattr(coordinator, "request_rejoin"):
        coordinator.request_rejoin()
