"""The widget's JSON frames (browser -> omniroute) and what omniroute answers.

Browser -> server: `message` (routed), `identify` (email / order number for later messages),
`typing`, `presence`, `ping` (never routed). Server -> browser: `welcome`, `ack` (after Kafka
acknowledged), `identified`, `pong`, `error`. The REST fallback posts the same `message` frame
with `session_id` and `visitor_id` (and identity fields) inline, since it has no connection.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from intake import serde
from intake.errors import InvalidInput

# Ids become Kafka-visible channel message ids and conversation ids: a strict alphabet keeps
# separators (':') meaningful and log lines clean.
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{6,64}$")]
ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
Email = Annotated[
    str,
    StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320, strip_whitespace=True),
]
Order = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=256, strip_whitespace=True)]


class _Frame(BaseModel):
    # Unknown fields are ignored so an older omniroute keeps working with a newer widget.
    model_config = ConfigDict(frozen=True, extra="ignore")


class Identity(_Frame):
    email: Email | None = None
    order_number: Order | None = None
    name: Name | None = None


class MessageFrame(Identity):
    type: Literal["message"]
    client_id: ClientId = Field(description="Widget's id for the line; a resend repeats it")
    text: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    session_id: Id | None = None
    visitor_id: Id | None = None
    page_url: Annotated[str, StringConstraints(max_length=2048)] | None = None


class IdentifyFrame(Identity):
    type: Literal["identify"]


class TypingFrame(_Frame):
    type: Literal["typing"]
    state: bool = True


class PresenceFrame(_Frame):
    type: Literal["presence"]
    state: Annotated[str, StringConstraints(max_length=32)] = "visible"


class PingFrame(_Frame):
    type: Literal["ping"]


Frame = Annotated[
    MessageFrame | IdentifyFrame | TypingFrame | PresenceFrame | PingFrame,
    Field(discriminator="type"),
]
_FRAME: TypeAdapter[Frame] = TypeAdapter(Frame)


class BadFrame(InvalidInput):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def decode(raw: bytes | str) -> Frame:
    """A validated frame, or `BadFrame` with a short code for the error frame."""
    try:
        data = serde.loads_obj(raw)
    except InvalidInput as exc:
        raise BadFrame("not_json", str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise BadFrame("bad_frame", "a frame is a JSON object with a string 'type'")
    try:
        return _FRAME.validate_python(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"][1:]) or "type"
        raise BadFrame("bad_frame", f"{where}: {first['msg']}") from None


def encode(frame: dict[str, Any]) -> str:
    return serde.dumps_obj(frame).decode()


def ack(client_id: str, message_id: str) -> dict[str, Any]:
    return {"type": "ack", "client_id": client_id, "id": message_id}


def error(code: str, detail: str, client_id: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
    if client_id is not None:
        frame["client_id"] = client_id
    return frame
