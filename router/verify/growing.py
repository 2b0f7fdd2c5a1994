"""Verifying a run that grows in phases (the CI fault proof): each call reads only what was
committed since the previous one and checks everything read so far, so a verdict after every
phase costs about one read of the whole run in total, not one per phase."""

from collections.abc import Iterable

from aiokafka import TopicPartition

from intake.settings import KafkaSettings
from intake.topics import Topics
from router.verify.check import Report, check
from router.verify.decided import wait_decided
from router.verify.read import Rec, read_since


def output_topics(topics: Topics, departments: Iterable[str]) -> list[str]:
    """Every topic the router writes an input's outcome to."""
    return [
        *(topics.dept(d) for d in departments),
        topics.duplicates,
        topics.deadletter,
        topics.decisions,
        topics.events,
    ]


class GrowingRun:
    def __init__(self, kafka: KafkaSettings, topics: Topics, departments: Iterable[str]) -> None:
        self._kafka = kafka
        self._topics = topics
        self._departments = list(departments)
        self.inputs: list[Rec] = []
        self.outputs: list[Rec] = []
        self._input_ends: dict[TopicPartition, int] = {}
        self._output_ends: dict[TopicPartition, int] = {}

    async def verify(self, expected_seqs: int | None = None, timeout_s: float = 180.0) -> Report:
        """Call only once the group has caught up: an input whose transaction is still open
        would count as missing."""
        new, self._input_ends = await read_since(
            self._kafka,
            self._topics.all_intake(),
            self._input_ends,
            values=True,
            timeout_s=timeout_s,
        )
        self.inputs += new
        outs = output_topics(self._topics, self._departments)
        await wait_decided(self._kafka, outs, timeout_s)
        new, self._output_ends = await read_since(
            self._kafka,
            outs,
            self._output_ends,
            values=False,
            timeout_s=timeout_s,
        )
        self.outputs += new
        return check(self._topics, self._departments, self.inputs, self.outputs, expected_seqs)
