"""Turning a request body into drafts, with errors that name the bad field (JSON Pointer)."""

from typing import Any

from pydantic import TypeAdapter, ValidationError

from intake import serde
from intake.errors import InvalidInput
from intake.message import MessageDraft

_DRAFT = TypeAdapter(MessageDraft)


class SchemaErrors(InvalidInput):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} field(s) invalid")
        self.errors = errors


def _pointer(prefix: str, loc: tuple[int | str, ...]) -> str:
    return prefix + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def parse_drafts(body: bytes, max_batch: int) -> tuple[list[MessageDraft], bool]:
    """Returns (drafts, is_batch). A JSON object is one message, an array a batch; either is
    validated completely before anything is produced, so a batch is all or nothing."""
    data = serde.loads_obj(body)
    is_batch = isinstance(data, list)
    items = data if is_batch else [data]
    if is_batch and not items:
        raise SchemaErrors([{"pointer": "", "detail": "batch is empty"}])
    if len(items) > max_batch:
        raise SchemaErrors([{"pointer": "", "detail": f"batch exceeds {max_batch} messages"}])
    drafts: list[MessageDraft] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        prefix = f"/{index}" if is_batch else ""
        try:
            drafts.append(_DRAFT.validate_python(item))
        except ValidationError as exc:
            errors += [
                {"pointer": _pointer(prefix, tuple(e["loc"])), "detail": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
    if errors:
        raise SchemaErrors(errors)
    return drafts, is_batch
