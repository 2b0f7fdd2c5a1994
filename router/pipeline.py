"""The pure part of the router: one intake record in, the records to produce out.

No Kafka here, so the same code serves the consumer loop, `omniroute classify/explain/replay`
and unit tests. The runner decides how outputs are written (at-least-once or transactional).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from intake import serde
from intake.deadletter import DeadLetter, Stage
from intake.errors import InvalidInput
from intake.headers import TYPE_DECISION, TYPE_DISPATCH, Headers, cloudevent_headers
from intake.message import Message, MessageKind
from intake.topics import Topics
from router.classify import Classifier
from router.decision import Decision, Dispatch, make_decision
from router.policy import decide_sla

# Kinds that are recorded (decisions topic) but never open work in a department queue.
NOT_ROUTED = frozenset({MessageKind.AUTO_REPLY, MessageKind.BOUNCE})


@dataclass(frozen=True, slots=True)
class Output:
    topic: str
    key: bytes | None
    value: bytes
    headers: Headers


@dataclass(frozen=True, slots=True)
class Result:
    outputs: list[Output]
    message: Message | None = None
    decision: Decision | None = None
    deadletter: DeadLetter | None = None


@dataclass(frozen=True, slots=True)
class Source:
    topic: str
    partition: int
    offset: int


class Pipeline:
    def __init__(
        self,
        classifier: Classifier,
        topics: Topics,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.classifier = classifier
        self.topics = topics
        self._clock = clock

    def process_raw(self, raw: bytes, source: Source) -> Result:
        """Never raises for bad input: it becomes a deadletter output."""
        try:
            message = serde.loads(Message, raw)
        except InvalidInput as exc:
            return self._deadletter(raw, source, Stage.ROUTER_DECODE, "invalid_message", str(exc))
        try:
            return self.process(message)
        except Exception as exc:  # a poison message must not stall the partition
            reason = f"{type(exc).__name__}: {exc}"
            return self._deadletter(raw, source, Stage.ROUTER_PROCESS, "processing_error", reason)

    def decide(self, message: Message) -> Decision:
        config = self.classifier.config
        classification = self.classifier.classify(message)
        sla = decide_sla(config, message, classification)
        return make_decision(
            message, classification, sla=sla, config_version=config.version, now=self._clock()
        )

    def process(self, message: Message) -> Result:
        decision = self.decide(message)
        key = message.routing_key.encode()
        outputs = [self._decision_output(decision)]
        if message.kind not in NOT_ROUTED:
            value = serde.dumps(Dispatch(message=message, decision=decision))
            headers = cloudevent_headers(
                event_id=message.id,
                source="/omniroute/router",
                event_type=TYPE_DISPATCH,
                time=decision.decided_at,
                subject=decision.department,
            )
            outputs.insert(0, Output(self.topics.dept(decision.department), key, value, headers))
        return Result(outputs, message=message, decision=decision)

    def _decision_output(self, decision: Decision) -> Output:
        headers = cloudevent_headers(
            event_id=decision.message_id,
            source="/omniroute/router",
            event_type=TYPE_DECISION,
            time=decision.decided_at,
        )
        return Output(
            self.topics.decisions, decision.message_id.encode(), serde.dumps(decision), headers
        )

    def _deadletter(
        self, raw: bytes, source: Source, stage: Stage, code: str, reason: str
    ) -> Result:
        record = DeadLetter.of(
            raw,
            stage=stage,
            reason_code=code,
            reason=reason,
            source="router",
            topic=source.topic,
            partition=source.partition,
            offset=source.offset,
        )
        out = Output(self.topics.deadletter, None, record.to_bytes(), record.headers())
        return Result([out], deadletter=record)
