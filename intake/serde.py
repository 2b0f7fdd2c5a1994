"""The one place where omniroute turns models into bytes and back (orjson out, pydantic in)."""

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from intake.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)

_OPTS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def dumps(model: BaseModel) -> bytes:
    """Serialise a model (exclude None to keep records small; readers default them)."""
    return orjson.dumps(model.model_dump(mode="python", exclude_none=True), option=_OPTS)


def dumps_joined(**fields: bytes) -> bytes:
    """A JSON object whose values are already-serialised JSON (each from `dumps`), spliced in
    unparsed: byte-identical to `dumps` of a model with those fields, in this order, without
    serialising a part twice when it is also written on its own."""
    return orjson.dumps({name: orjson.Fragment(raw) for name, raw in fields.items()})


def dumps_obj(obj: Any) -> bytes:
    """Serialise plain JSON-able data (dicts of primitives, datetimes)."""
    return orjson.dumps(obj, option=_OPTS)


def dumps_pretty(obj: Any) -> bytes:
    """Stable, reviewable JSON for committed documents (sorted keys, indented, newline)."""
    return orjson.dumps(obj, option=_OPTS | orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def loads_obj(raw: bytes | str) -> Any:
    """Parse JSON; raises `InvalidInput` (never a bare decoder error) on malformed input."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"malformed JSON: {exc}") from None


def loads(model: type[M], raw: bytes | str) -> M:
    """Parse and validate bytes into `model`; `InvalidInput` carries the first error's path."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"]) or "(root)"
        raise InvalidInput(f"{where}: {first['msg']}") from None
