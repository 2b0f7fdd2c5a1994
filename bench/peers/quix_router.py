"""The router's logic as a quix-streams application: the peer a user could pick instead.

    python -m bench.peers.quix_router GROUP STATE_DIR   (Kafka settings from OMNIROUTE_KAFKA_*;
                                                         runs in its own venv: bench.peers.quixenv)

Same topics, same data, same decisions: every intake record is decoded and validated with the
same model (`intake.serde`), classified by the classifier the router builds (rules on the
default routing config, then the statistical model: `router.assemble.build_classifier`) and
dispatched with the same decision record (`router.pipeline`), plus exact dedup by message id
in quix's state store (RocksDB, changelogged), with processing_guarantee="exactly-once"
(librdkafka transactions). It does less than the router: no near-duplicate or threading
layers, no case book, no customer directory. Outputs carry the router's source header,
so `router.verify` checks them like the router's own.
"""

import os
import sys
from datetime import UTC, datetime
from typing import Any

from quixstreams import Application, message_context
from quixstreams.models.serializers import Serializer

from intake import serde
from intake.errors import InvalidInput
from intake.message import Message
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.config import load_default_config
from router.decision import DuplicateRecord
from router.dedup.verdict import DedupLayer
from router.eos.transactions import SOURCE_HEADER
from router.pipeline import NOT_ROUTED, Pipeline, Source


class Raw(Serializer):  # type: ignore[misc, unused-ignore]  # untyped where quix is absent
    """The route step already produced the bytes (with the project's own serde)."""

    def __call__(self, value: Any, ctx: Any) -> bytes:
        out: bytes = value["value"]
        return out


def _out(
    topic: str, key: bytes | None, value: bytes, headers: list[Any], where: bytes
) -> dict[str, Any]:
    return {
        "topic": topic,
        "key": key,
        "value": value,
        "headers": [*headers, (SOURCE_HEADER, where)],
    }


def route_fn(pipeline: Pipeline) -> Any:
    topics = pipeline.topics

    def route(raw: bytes, key: Any, ts: int, headers: Any, state: Any) -> list[dict[str, Any]]:
        ctx = message_context()
        where = f"{ctx.topic}/{ctx.partition}/{ctx.offset}".encode()
        try:
            message = serde.loads(Message, raw)
        except InvalidInput:
            result = pipeline.process_raw(raw, Source(ctx.topic, ctx.partition, ctx.offset))
            return [_out(o.topic, o.key, o.value or b"", o.headers, where) for o in result.outputs]
        if message.kind not in NOT_ROUTED:
            owner = state.get(message.id)
            if owner is not None:
                record = DuplicateRecord(
                    message=message,
                    duplicate_of=message.id,
                    layer=DedupLayer.EXACT,
                    case_id=message.id,
                    department=owner,
                    contact_count=1,
                    detected_at=datetime.now(UTC),
                )
                return [_out(topics.duplicates, key, serde.dumps(record), [], where)]
        result = pipeline.process(message, None)
        if result.decision is not None and message.kind not in NOT_ROUTED:
            state.set(message.id, result.decision.department)
        return [_out(o.topic, o.key, o.value or b"", o.headers, where) for o in result.outputs]

    return route


def _classifier(config: Any) -> Any:
    """The router's own classifier (rules, then the statistical model and language detector
    it loads), built the way `router.service` builds it; plain rules on older trees."""
    try:
        from router.assemble import build_classifier
    except ImportError:
        from router.classifier import Classifier

        return Classifier(config)
    return build_classifier(config)


def build(kafka: KafkaSettings, group: str, state_dir: str, commit_s: float) -> Application:
    app = Application(
        broker_address=kafka.bootstrap,
        consumer_group=group,
        auto_offset_reset="earliest",
        processing_guarantee="exactly-once",
        commit_interval=commit_s,
        state_dir=state_dir,
        loglevel="WARNING",
        auto_create_topics=True,
    )
    config = load_default_config()
    topics = Topics(kafka.topic_prefix)
    pipeline = Pipeline(_classifier(config), topics)
    names = [topics.dept(d) for d in config.all_departments()]
    names += [topics.duplicates, topics.deadletter, topics.decisions]
    outputs = {n: app.topic(n, key_serializer="bytes", value_serializer=Raw()) for n in names}
    route = route_fn(pipeline)
    for name in topics.all_intake():
        source = app.topic(name, key_deserializer="bytes", value_deserializer="bytes")
        sdf = app.dataframe(source)
        sdf = sdf.apply(route, stateful=True, metadata=True, expand=True)
        sdf = sdf.set_headers(lambda value, key, ts, headers: value["headers"])
        sdf.to_topic(
            lambda value, key, ts, headers: outputs[value["topic"]], key=lambda value: value["key"]
        )
    return app


def main() -> None:
    group, state_dir = sys.argv[1], sys.argv[2]
    commit_s = float(os.environ.get("BENCH_QUIX_COMMIT_INTERVAL_S", "0.1"))
    build(KafkaSettings(), group, state_dir, commit_s).run()


if __name__ == "__main__":
    main()
