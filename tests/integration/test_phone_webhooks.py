"""Phone webhooks on the real intake app and a real broker: a signed Twilio callback lands on
omniroute.intake.phone, a forged one is refused and produces nothing; a FreeSWITCH CDR posted
with Basic auth lands too."""

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import orjson
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from connectors.base import Connector
from connectors.phone import signature
from connectors.phone.freeswitch import FreeswitchConfig, FreeswitchConnector
from connectors.phone.twilio import TwilioConfig, TwilioConnector
from intake.http.app import build_app, kafka_context
from intake.http.settings import IntakeSettings
from intake.settings import KafkaSettings
from intake.topics import Topics
from tests.integration.kafka_helpers import read_records

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "phone"
TOKEN = "twilio-integration-token"
BASE = "https://cs.example.com"


@asynccontextmanager
async def client_for(
    kafka: KafkaSettings, connector: Connector[Any]
) -> AsyncIterator[TestClient[Any, Any]]:
    app = build_app(IntakeSettings(), kafka_context(kafka), CollectorRegistry())
    app.router.add_routes(connector.routes())
    async with TestClient(TestServer(app)) as client:
        yield client


def signed(path: str, body: bytes, token: str = TOKEN) -> dict[str, str]:
    sig = signature.compute(BASE + path, parse_qsl(body.decode(), keep_blank_values=True), token)
    return {"X-Twilio-Signature": sig, "Content-Type": "application/x-www-form-urlencoded"}


async def test_twilio_signed_lands_and_forged_does_not(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    twilio = TwilioConnector(TwilioConfig(auth_token=TOKEN, public_base_url=BASE))
    path = "/v1/phone/twilio/status"
    good = (FIXTURES / "twilio_status_no_answer.form").read_bytes()
    forged = (FIXTURES / "twilio_status_completed.form").read_bytes()
    async with client_for(kafka_settings, twilio) as client:
        ok = await client.post(path, data=good, headers=signed(path, good))
        assert ok.status == 202, await ok.text()
        accepted = (await ok.json())["accepted"][0]
        refused = await client.post(path, data=forged, headers=signed(path, forged, "guess"))
        assert refused.status == 401
        assert refused.content_type == "application/problem+json"
    records = await read_records(kafka_settings, [topics.intake("phone")], 1, 30.0, settle_s=1.5)
    assert len(records) == 1
    message = orjson.loads(records[0].value)
    assert message["id"] == accepted["id"]
    assert message["channel_message_id"] == "CA00000000000000000000000000000002:status"
    assert message["kind"] == "callback_request"


async def test_freeswitch_cdr_lands(kafka_settings: KafkaSettings, topics: Topics) -> None:
    freeswitch = FreeswitchConnector(FreeswitchConfig(password="pw", default_region="DE"))
    auth = "Basic " + base64.b64encode(b"freeswitch:pw").decode()
    body = (FIXTURES / "freeswitch_answered.json").read_bytes()
    async with client_for(kafka_settings, freeswitch) as client:
        resp = await client.post("/v1/phone/freeswitch", data=body, headers={"Authorization": auth})
        assert resp.status == 202, await resp.text()
    records = await read_records(kafka_settings, [topics.intake("phone")], 1, 30.0, settle_s=0.5)
    [record] = records
    message = orjson.loads(record.value)
    assert message["kind"] == "call_record"
    assert message["metadata"]["pbx"] == "freeswitch"
    assert record.key == message["routing_key"].encode()
