"""The pure part of the router: one intake record in, the records to produce out.

No Kafka here, so the same code serves the consumer loop, `omniroute classify/explain/replay`
and unit tests. The runner decides how outputs are written (at-least-once or transactional).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from intake import serde
from intake.deadletter import DeadLetter, Stage
from intake.errors import InvalidInput
from intake.headers import TYPE_DECISION, TYPE_DISPATCH, TYPE_DUPLICATE, Headers, cloudevent_headers
from intake.message import Message, MessageKind
from intake.topics import Topics
from router.classifier import Classification, Classifier
from router.decision import Decision, DuplicateRecord, make_decision
from router.dedup.verdict import DedupLayer, Verdict
from router.policy import decide_sla
from router.sla.dispatched import dispatched_record
from router.state.partition import PartitionState

# Kinds that are recorded (decisions topic) but never open work in a department queue.
NOT_ROUTED = frozenset({MessageKind.AUTO_REPLY, MessageKind.BOUNCE})


@dataclass(frozen=True, slots=True)
class Output:
    topic: str
    key: bytes | None
    value: bytes | None  # None only for changelog tombstones
    headers: Headers
    partition: int | None = None  # None: the producer's partitioner decides (by key)


@dataclass(frozen=True, slots=True)
class Result:
    outputs: list[Output]
    message: Message | None = None
    decision: Decision | None = None
    deadletter: DeadLetter | None = None
    verdict: Verdict | None = None  # only when processed with a PartitionState
    # Changelog records for `topics.router_state`, to be written in the same transaction as
    # `outputs` (and only then: the state in memory already includes them).
    state_changes: list[Output] = field(default_factory=list)


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

    def process_raw(
        self, raw: bytes, source: Source, state: PartitionState | None = None
    ) -> Result:
        """Never raises for bad input: it becomes a deadletter output."""
        decoded = self._decode(raw, source)
        if isinstance(decoded, Result):
            return decoded
        return self._process_safely(raw, source, decoded, state)

    def process_batch(
        self, raws: Sequence[bytes], sources: Sequence[Source], state: PartitionState | None = None
    ) -> list[Result]:
        """`process_raw` of each record, in order (records of one partition: the state sees
        them as it would one by one). Classification does not depend on the state, so all
        messages are classified first, in one vectorised model pass."""
        decoded = [self._decode(raw, source) for raw, source in zip(raws, sources, strict=True)]
        messages = [m for m in decoded if isinstance(m, Message)]
        try:
            classified: list[Classification | None] = [*self.classifier.classify_many(messages)]
        except Exception:  # a poison message: classified alone below, and deadlettered alone
            classified = [None] * len(messages)
        found = iter(classified)
        if state is not None:
            _fingerprint(state, messages)
        try:
            return [
                m
                if isinstance(m, Result)
                else self._process_safely(raw, source, m, state, next(found))
                for raw, source, m in zip(raws, sources, decoded, strict=True)
            ]
        finally:
            if state is not None:
                state.near.prepare(())

    def _decode(self, raw: bytes, source: Source) -> Message | Result:
        try:
            return serde.loads(Message, raw)
        except InvalidInput as exc:
            return self._deadletter(raw, source, Stage.ROUTER_DECODE, "invalid_message", str(exc))

    def _process_safely(
        self,
        raw: bytes,
        source: Source,
        message: Message,
        state: PartitionState | None,
        classification: Classification | None = None,
    ) -> Result:
        try:
            return self.process(message, state, classification)
        except Exception as exc:  # a poison message must not stall the partition
            reason = f"{type(exc).__name__}: {exc}"
            result = self._deadletter(raw, source, Stage.ROUTER_PROCESS, "processing_error", reason)
            # Whatever the state recorded before the failure is in memory now; the changelog
            # must say the same, or a restore would disagree with this instance.
            return replace(result, state_changes=self._state_changes(state))

    def decide(
        self,
        message: Message,
        classification: Classification | None = None,
        verdict: Verdict | None = None,
    ) -> Decision:
        config = self.classifier.config
        if classification is None:
            classification = self.classifier.classify(message)
        count = 1 if verdict is None else verdict.contact_count
        classified = None
        if verdict is not None and verdict.kind == "follow_up":
            owner = verdict.department
            # The owner, unless the config no longer has that department (its topic may be gone).
            if owner and owner != classification.department and owner in config.all_departments():
                classified = classification.department
                classification = replace(classification, department=owner)
        sla = decide_sla(config, message, classification, contact_count=count)
        return make_decision(
            message,
            classification,
            sla=sla,
            config_version=config.version,
            now=self._clock(),
            case_id=None if verdict is None else verdict.case_id,
            contact_count=count,
            classified_department=classified,
        )

    def process(
        self,
        message: Message,
        state: PartitionState | None = None,
        classification: Classification | None = None,
    ) -> Result:
        """Without a state: classify and dispatch (at-least-once runner, demo, replay). With the
        partition's state: duplicates go to `topics.duplicates` instead of a department, and
        follow-ups go to the department that owns their case. `classification`: the message's,
        if already classified (a batch)."""
        if state is None or message.kind in NOT_ROUTED:
            return self._route(message, self.decide(message, classification))
        # Classify before the state sees the message: a classifier failure then leaves the
        # state untouched, and the message is deadlettered as if never seen.
        classification = classification or self.classifier.classify(message)
        verdict = state.apply(message, message.received_at)
        if not verdict.dispatch:
            outputs = [self._duplicate_output(message, verdict)]
            changes = self._state_changes(state)
            return Result(outputs, message=message, verdict=verdict, state_changes=changes)
        decision = self.decide(message, classification, verdict)
        state.record_dispatch(message, verdict, decision.department, message.received_at)
        routed = self._route(message, decision)
        # The case's SLA clock starts in the dispatch's own transaction (router/sla/dispatched).
        follow_up = verdict.kind == "follow_up"
        case = Output(self.topics.events, *dispatched_record(message, decision, follow_up))
        outputs = [*routed.outputs, case]
        changes = self._state_changes(state)
        return replace(routed, outputs=outputs, verdict=verdict, state_changes=changes)

    def _route(self, message: Message, decision: Decision) -> Result:
        key = message.routing_key.encode()
        encoded = serde.dumps(decision)
        outputs = [self._decision_output(decision, encoded)]
        if message.kind not in NOT_ROUTED:
            # A `Dispatch`, with the decision serialised once for both records.
            value = serde.dumps_joined(message=serde.dumps(message), decision=encoded)
            headers = cloudevent_headers(
                event_id=message.id,
                source="/omniroute/router",
                event_type=TYPE_DISPATCH,
                time=decision.decided_at,
                subject=decision.department,
            )
            outputs.insert(0, Output(self.topics.dept(decision.department), key, value, headers))
        return Result(outputs, message=message, decision=decision)

    def _duplicate_output(self, message: Message, verdict: Verdict) -> Output:
        now = self._clock()
        record = DuplicateRecord(
            message=message,
            duplicate_of=verdict.original_id or message.id,
            layer=verdict.layer or DedupLayer.EXACT,
            case_id=verdict.case_id,
            department=verdict.department,
            contact_count=verdict.contact_count,
            detected_at=now,
        )
        headers = cloudevent_headers(
            event_id=message.id,
            source="/omniroute/router",
            event_type=TYPE_DUPLICATE,
            time=now,
            subject=record.layer.value,
        )
        key = message.routing_key.encode()
        return Output(self.topics.duplicates, key, serde.dumps(record), headers)

    def _state_changes(self, state: PartitionState | None) -> list[Output]:
        if state is None:
            return []
        topic, partition = self.topics.router_state, state.partition
        return [Output(topic, k, v, [], partition) for k, v in state.drain_changes()]

    def _decision_output(self, decision: Decision, encoded: bytes) -> Output:
        headers = cloudevent_headers(
            event_id=decision.message_id,
            source="/omniroute/router",
            event_type=TYPE_DECISION,
            time=decision.decided_at,
        )
        return Output(self.topics.decisions, decision.message_id.encode(), encoded, headers)

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


def _fingerprint(state: PartitionState, messages: list[Message]) -> None:
    """Content fingerprints do not depend on the state either: one vectorised pass."""
    try:
        state.near.prepare(messages)
    except Exception:  # a poison message: fingerprinted alone, and deadlettered alone
        state.near.prepare(())
