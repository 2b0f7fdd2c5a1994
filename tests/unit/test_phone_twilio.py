from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from connectors.base import safe_parse
from connectors.phone import signature
from connectors.phone.twilio import TwilioConfig, TwilioConnector
from intake.message import MessageKind
from tests.unit.fake_kafka import FakePublisher
from tests.unit.phone_helpers import counter, fixture, phone_client

TOKEN = "twilio-test-auth-token-0001"
BASE = "https://cs.example.com/omni"
BAD_SIGNATURE = {"channel": "phone", "reason": "bad_signature"}


def connector(**overrides: Any) -> TwilioConnector:
    settings = {"auth_token": TOKEN, "public_base_url": BASE} | overrides
    return TwilioConnector(TwilioConfig(**settings))


def params(name: str) -> list[tuple[str, str]]:
    return parse_qsl(fixture(name).decode(), keep_blank_values=True)


def test_published_signature_vectors() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    documented = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+14158675309"),
        ("Digits", "1234"),
        ("From", "+14158675309"),
        ("To", "+18005551212"),
    ]
    assert signature.compute(url, documented, "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert signature.valid(url, list(reversed(documented)), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345")
    repeated = [
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
        ("Digits", "1234"),
    ]
    assert signature.compute(url, repeated, "12345") == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_signature_accepts_the_url_with_or_without_default_port() -> None:
    p = params("twilio_status_completed.form")
    signed = signature.compute("https://cs.example.com:443/cb", p, TOKEN)
    assert signature.valid("https://cs.example.com/cb", p, signed, TOKEN)
    assert not signature.valid("https://cs.example.com/cb2", p, signed, TOKEN)
    assert not signature.valid("https://cs.example.com/cb", p, "", TOKEN)


def test_completed_status_is_a_call_record() -> None:
    [draft] = (
        connector().parse(fixture("twilio_status_completed.form"), {"callback": "status"}).drafts
    )
    assert draft.kind is MessageKind.CALL_RECORD
    assert draft.channel_message_id == "CA00000000000000000000000000000001:status"
    assert draft.customer.phone == "+14155550123"
    assert draft.customer.name == "Jordan Lee"
    meta = draft.metadata
    assert meta["call_disposition"] == "answered"
    assert meta["callback_kind"] == "status"
    assert meta["call_ended_at"] == "2024-03-04T10:30:00+00:00"
    assert meta["call_started_at"] == "2024-03-04T10:28:25+00:00"
    assert meta["talk_seconds"] == 95


@pytest.mark.parametrize(
    ("extra", "disposition", "kind"),
    [
        ({"CallStatus": "no-answer"}, "missed", MessageKind.CALLBACK_REQUEST),
        ({"CallStatus": "busy"}, "busy", MessageKind.CALLBACK_REQUEST),
        ({"CallStatus": "canceled"}, "abandoned", MessageKind.CALLBACK_REQUEST),
        ({"CallStatus": "failed"}, "failed", MessageKind.CALL_RECORD),
        ({"DialCallStatus": "no-answer"}, "missed", MessageKind.CALLBACK_REQUEST),
        ({"QueueResult": "hangup", "QueueTime": "42"}, "abandoned", MessageKind.CALLBACK_REQUEST),
        ({"QueueResult": "bridged", "QueueTime": "12"}, "answered", MessageKind.CALL_RECORD),
        (
            {"CallStatus": "no-answer", "Direction": "outbound-api"},
            "missed",
            MessageKind.CALL_RECORD,
        ),
    ],
)
def test_status_dispositions(extra: dict[str, str], disposition: str, kind: MessageKind) -> None:
    body = urlencode(dict(params("twilio_status_completed.form")) | extra).encode()
    [draft] = connector().parse(body, {"callback": "status"}).drafts
    assert (draft.metadata["call_disposition"], draft.kind) == (disposition, kind)


@pytest.mark.parametrize("status", ["queued", "initiated", "ringing", "in-progress"])
def test_progress_events_are_not_messages(status: str) -> None:
    body = urlencode(dict(params("twilio_status_completed.form")) | {"CallStatus": status})
    result = connector().parse(body.encode(), {"callback": "status"})
    assert result.drafts == [] and status in result.ignored[0]


def test_recording_and_transcription_of_a_voicemail() -> None:
    c = connector()
    [rec] = c.parse(fixture("twilio_recording.form"), {"callback": "recording"}).drafts
    assert rec.kind is MessageKind.CALLBACK_REQUEST
    assert rec.metadata["call_disposition"] == "voicemail"
    assert rec.metadata["recording_ref"].endswith("/Recordings/RE00000000000000000000000000000003")
    assert rec.metadata["recording_duration_seconds"] == 21
    assert rec.channel_message_id.endswith(":recording:RE00000000000000000000000000000003")
    [tr] = c.parse(fixture("twilio_transcription.form")).drafts  # kind detected from params
    assert tr.kind is MessageKind.CALLBACK_REQUEST
    assert tr.text.startswith("Hello this is Sam, my refund for order 5521")
    assert tr.customer.phone == "+14155550125"
    assert tr.metadata["transcript_ref"].endswith(
        "/Transcriptions/TR00000000000000000000000000000003"
    )
    assert tr.thread.conversation_id == rec.thread.conversation_id


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"CallStatus=completed",
        b"CallSid=CA1&CallStatus=exploded",
        b"\xff\xfe=1",
        b"CallSid=CA1&CallStatus=completed&Timestamp=yesterday",
    ],
)
def test_bad_callbacks_become_deadletters(body: bytes) -> None:
    result = safe_parse(connector(), body, {"callback": "status"})
    assert result.drafts == [] and result.deadletter is not None


async def post(client: Any, path: str, body: bytes, token: str = TOKEN, **headers: str) -> Any:
    url = BASE + path
    sig = signature.compute(url, parse_qsl(body.decode(), keep_blank_values=True), token)
    headers = {"X-Twilio-Signature": sig, **headers}
    return await client.post(
        path, data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **headers}
    )


async def test_signed_callbacks_are_accepted() -> None:
    publisher = FakePublisher()
    async with phone_client(connector(queue_departments={"returns": "returns"}), publisher) as cl:
        ok = await post(
            cl, "/v1/phone/twilio/status?queue=returns", fixture("twilio_status_no_answer.form")
        )
        assert ok.status == 202
        ok = await post(cl, "/v1/phone/twilio/transcription", fixture("twilio_transcription.form"))
        assert ok.status == 202
        ringing = fixture("twilio_status_no_answer.form").replace(b"no-answer", b"ringing")
        ignored = await post(cl, "/v1/phone/twilio/status", ringing)
        assert ignored.status == 200
    missed, transcript = publisher.messages
    assert missed.kind is MessageKind.CALLBACK_REQUEST
    assert missed.metadata["queue"] == "returns"
    assert missed.metadata["department_hint"] == "returns"
    assert transcript.text.startswith("Hello this is Sam")


async def test_forged_callbacks_are_rejected_and_counted() -> None:
    publisher = FakePublisher()
    body = fixture("twilio_status_no_answer.form")
    path = "/v1/phone/twilio/status"
    async with phone_client(connector(), publisher) as client:
        good_sig = signature.compute(BASE + path, parse_qsl(body.decode()), TOKEN)
        one_byte = body.replace(b"CallDuration=0", b"CallDuration=1")
        cases = [
            {"data": one_byte, "headers": {"X-Twilio-Signature": good_sig}},
            {
                "data": body,
                "headers": {
                    "X-Twilio-Signature": signature.compute(
                        BASE + path, parse_qsl(body.decode()), "some-other-token"
                    )
                },
            },
            {"data": body, "headers": {}},
            {"data": body, "headers": {"X-Twilio-Signature": good_sig}, "path": path + "?x=1"},
        ]
        for case in cases:
            resp = await client.post(
                case.get("path", path), data=case["data"], headers=case["headers"]
            )
            assert resp.status == 401
            assert resp.content_type == "application/problem+json"
        assert counter(client, "omniroute_intake_auth_failures_total", BAD_SIGNATURE) == 4
    assert publisher.messages == [] and publisher.deadletters == []


async def test_public_url_must_match_what_twilio_called() -> None:
    publisher = FakePublisher()
    body = fixture("twilio_status_no_answer.form")
    async with phone_client(connector(public_base_url=None), publisher) as client:
        path = "/v1/phone/twilio/status"
        seen_by_us = f"http://{client.host}:{client.port}{path}"
        sig = signature.compute(seen_by_us, parse_qsl(body.decode()), TOKEN)
        ok = await client.post(path, data=body, headers={"X-Twilio-Signature": sig})
        assert ok.status == 202
        proxied = signature.compute(
            "https://cs.example.com" + path, parse_qsl(body.decode()), TOKEN
        )
        resp = await client.post(path, data=body, headers={"X-Twilio-Signature": proxied})
        assert resp.status == 401
    assert len(publisher.messages) == 1


async def test_no_token_configured_rejects_everything() -> None:
    publisher = FakePublisher()
    async with phone_client(connector(auth_token=None), publisher) as client:
        resp = await post(
            client, "/v1/phone/twilio/status", fixture("twilio_status_no_answer.form"), token=""
        )
        assert resp.status == 401
    assert publisher.messages == []
