"""HTTP ingest baseline: the same framework (aiohttp) and the same durable producer settings
(acks=all, idempotent) as intake, and nothing else: no auth, no schema validation, no
completion (ids, identity HMACs), no metrics, no idempotency cache.

    python -m bench.peers.plain_ingest PORT     (Kafka settings from OMNIROUTE_KAFKA_*)

Accepts what intake accepts (one JSON object or an array), writes each item as-is to its
channel's intake topic, answers 202 once Kafka acknowledged every record.
"""

import asyncio
import sys
from collections.abc import AsyncIterator

import orjson
from aiohttp import web
from aiokafka import AIOKafkaProducer

from intake.kafka import durable_producer, start_producer
from intake.settings import KafkaSettings
from intake.topics import Topics

_PRODUCER = web.AppKey("producer", AIOKafkaProducer)


def build(kafka: KafkaSettings) -> web.Application:
    topics = Topics(kafka.topic_prefix)
    app = web.Application()

    async def kafka_ctx(app: web.Application) -> AsyncIterator[None]:
        producer = durable_producer(kafka, "plain-ingest")
        await start_producer(producer, kafka.connect_timeout_s)
        app[_PRODUCER] = producer
        yield
        await producer.stop()

    async def post(request: web.Request) -> web.Response:
        producer = request.app[_PRODUCER]
        data = orjson.loads(await request.read())
        items = data if isinstance(data, list) else [data]
        futures = [
            await producer.send(
                topics.intake(item.get("channel", "api")),
                orjson.dumps(item),
                str(item.get("customer", {}).get("customer_id", "")).encode(),
            )
            for item in items
        ]
        metas = await asyncio.gather(*futures)
        body = [{"partition": m.partition, "offset": m.offset} for m in metas]
        return web.Response(status=202, body=orjson.dumps(body), content_type="application/json")

    app.cleanup_ctx.append(kafka_ctx)
    app.router.add_post("/v1/messages", post)

    async def ready(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/readyz", ready)
    return app


def main() -> None:
    web.run_app(build(KafkaSettings()), host="127.0.0.1", port=int(sys.argv[1]), print=None)


if __name__ == "__main__":
    main()
