"""Consumer lag per topic (summed over partitions) into `omniroute_consumer_lag_records`.
Written for any aiokafka consumer, so the transactional runner can reuse it for its own group."""

from collections import defaultdict

from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import Gauge


async def observe_lag(
    cons: AIOKafkaConsumer, gauge: Gauge, consumer_name: str, tps: list[TopicPartition]
) -> None:
    ends = await cons.end_offsets(tps)
    per_topic: dict[str, int] = defaultdict(int)
    for tp in tps:
        position = await cons.position(tp)
        per_topic[tp.topic] += max(ends[tp] - position, 0)
    for topic, lag in per_topic.items():
        gauge.labels(consumer_name, topic).set(lag)
