import base64
import json
from typing import Any
from urllib.parse import quote

import pytest

from connectors.base import safe_parse
from connectors.phone.freeswitch import PATH, FreeswitchConfig, FreeswitchConnector
from intake.message import MessageKind
from tests.unit.fake_kafka import FakePublisher
from tests.unit.phone_helpers import counter, fixture, phone_client

UUID = "7f3c9a10-2b44-4d1e-8f00-00000000a001"


def connector(**overrides: Any) -> FreeswitchConnector:
    return FreeswitchConnector(FreeswitchConfig(**({"default_region": "DE"} | overrides)))


def record(**variables: str | None) -> bytes:
    data = json.loads(fixture("freeswitch_answered.json"))
    for name, value in variables.items():
        if value is None:
            data["variables"].pop(name, None)
        else:
            data["variables"][name] = value
    return json.dumps(data).encode()


def test_answered_a_leg() -> None:
    [draft] = (
        connector(queue_departments={"billing@default": "billing"})
        .parse(fixture("freeswitch_answered.json"))
        .drafts
    )
    assert draft.kind is MessageKind.CALL_RECORD
    assert draft.channel_message_id == UUID
    assert draft.customer.phone == "+4930901830"
    assert draft.customer.name == "Erika Mustermann"  # url-decoded (encode-values=true)
    meta = draft.metadata
    assert meta["call_disposition"] == "answered"
    assert meta["queue"] == "billing@default"
    assert meta["department_hint"] == "billing"
    assert meta["callee"] == "+4930555000"  # the dialled number, from the first profile
    assert meta["recording_ref"] == "/var/lib/freeswitch/recordings/7f3c9a10.wav"
    assert (meta["ring_seconds"], meta["talk_seconds"], meta["duration_seconds"]) == (8, 180, 188)
    assert meta["call_answered_at"] == "2024-03-04T10:15:08+00:00"


@pytest.mark.parametrize(
    ("variables", "disposition", "kind"),
    [
        ({"answer_uepoch": "0", "hangup_cause": "ORIGINATOR_CANCEL"}, "abandoned", "callback"),
        ({"answer_uepoch": "0", "hangup_cause": "NO_ANSWER"}, "missed", "callback"),
        ({"answer_uepoch": "0", "hangup_cause": "USER_BUSY"}, "busy", "callback"),
        ({"answer_uepoch": "0", "hangup_cause": "UNALLOCATED_NUMBER"}, "failed", "record"),
        ({"cc_cause": "cancel"}, "abandoned", "callback"),
        ({"bridge_uuid": None, "DIALSTATUS": "NO_ANSWER"}, "missed", "callback"),
        ({"last_app": "voicemail"}, "voicemail", "callback"),
        (
            {"answer_uepoch": "0", "hangup_cause": "NO_ANSWER", "call_direction": "outbound"},
            "missed",
            "record",
        ),
    ],
)
def test_dispositions(variables: dict[str, str | None], disposition: str, kind: str) -> None:
    [draft] = connector().parse(record(**variables)).drafts
    assert draft.metadata["call_disposition"] == disposition
    expected = MessageKind.CALLBACK_REQUEST if kind == "callback" else MessageKind.CALL_RECORD
    assert draft.kind is expected


def test_voicemail_with_transcript() -> None:
    [draft] = connector(default_region="US").parse(fixture("freeswitch_voicemail.json")).drafts
    assert draft.kind is MessageKind.CALLBACK_REQUEST
    assert draft.text.startswith("Hi, my order 4711 arrived broken")
    assert draft.metadata["recording_ref"] == "https://pbx.example/vm/7f3c9a10-c001.wav"


def test_b_leg_is_ignored_unless_asked_for() -> None:
    result = connector().parse(fixture("freeswitch_b_leg.json"))
    assert result.drafts == [] and "B-leg" in result.ignored[0]
    assert len(connector(include_b_leg=True).parse(fixture("freeswitch_b_leg.json")).drafts) == 1


@pytest.mark.parametrize("encoding", ["raw", "urlencoded", "base64"])
def test_post_encodings(encoding: str) -> None:
    raw = fixture("freeswitch_answered.json")
    body = {
        "raw": raw,
        "urlencoded": b"cdr=" + quote(raw.decode(), safe="").encode(),
        "base64": b"cdr=" + base64.b64encode(raw),
    }[encoding]
    [draft] = connector().parse(body).drafts
    assert draft.channel_message_id == UUID


@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b"{}", b"cdr=%%%", b'{"variables": {"uuid": "x"}}', b"\xff\xfe", b"cdr=@@@"],
)
def test_bad_bodies_become_deadletters(body: bytes) -> None:
    result = safe_parse(connector(), body)
    assert result.drafts == [] and result.deadletter is not None
    assert result.deadletter.raw == body


async def test_http_basic_and_bearer_auth() -> None:
    publisher = FakePublisher()
    c = connector(password="s3cret", bearer_token="tok-123")
    basic = "Basic " + base64.b64encode(b"freeswitch:s3cret").decode()
    async with phone_client(c, publisher) as client:
        ok = await client.post(
            PATH + f"?uuid={UUID}",
            data=fixture("freeswitch_answered.json"),
            headers={"Authorization": basic},
        )
        assert ok.status == 202
        assert (await ok.json())["accepted"][0]["id"] == publisher.messages[0].id
        ok = await client.post(
            PATH,
            data=fixture("freeswitch_voicemail.json"),
            headers={"Authorization": "Bearer tok-123"},
        )
        assert ok.status == 202
        wrong = "Basic " + base64.b64encode(b"freeswitch:guess").decode()
        for headers in ({}, {"Authorization": wrong}, {"Authorization": "Bearer nope"}):
            resp = await client.post(
                PATH, data=fixture("freeswitch_answered.json"), headers=headers
            )
            assert resp.status == 401
            assert resp.content_type == "application/problem+json"
            assert resp.headers["WWW-Authenticate"].startswith("Basic")
        labels = {"channel": "phone", "reason": "unknown_token"}
        assert counter(client, "omniroute_intake_auth_failures_total", labels) == 2
    assert len(publisher.messages) == 2


async def test_http_without_configured_credentials_rejects_everything() -> None:
    publisher = FakePublisher()
    async with phone_client(connector(), publisher) as client:
        basic = "Basic " + base64.b64encode(b"freeswitch:").decode()
        resp = await client.post(PATH, data=b"{}", headers={"Authorization": basic})
        assert resp.status == 401
    assert publisher.messages == []


async def test_http_outcomes() -> None:
    publisher = FakePublisher()
    auth = {"Authorization": "Bearer tok"}
    async with phone_client(connector(bearer_token="tok"), publisher) as client:
        bad = await client.post(PATH, data=b"not json", headers=auth)
        assert bad.status == 422
        assert "deadletter" in (await bad.json())["detail"]
        b_leg = await client.post(PATH, data=fixture("freeswitch_b_leg.json"), headers=auth)
        assert b_leg.status == 200
        publisher.down = True
        down = await client.post(PATH, data=fixture("freeswitch_answered.json"), headers=auth)
        assert down.status == 503
        assert down.headers["Retry-After"]
    assert publisher.messages == []
    assert [d.raw for d in publisher.deadletters] == [b"not json"]
