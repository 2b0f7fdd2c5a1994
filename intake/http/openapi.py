"""The OpenAPI 3.1 document of the ingest API, generated from the same pydantic models that
validate requests, so the published contract cannot drift from the code."""

from typing import Any

from pydantic.json_schema import models_json_schema

from intake.events import LifecycleEventDraft
from intake.message import MessageDraft

_REF = "#/components/schemas/{model}"


def _problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["pointer", "detail"],
                    "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}},
                },
            },
        },
    }


def _ack_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "topic", "partition", "offset"],
        "properties": {
            "id": {"type": "string"},
            "topic": {"type": "string"},
            "partition": {"type": "integer"},
            "offset": {"type": "integer"},
        },
    }


def _problem(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": _REF.format(model="Problem")}}},
    }
    if headers:
        response["headers"] = headers
    return response


def _post(model: str, summary: str, idempotency_key: bool = True) -> dict[str, Any]:
    draft = {"$ref": _REF.format(model=model)}
    retry_after = {"Retry-After": {"schema": {"type": "integer"}}}
    key = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": 255},
    }
    bad = "Malformed JSON, or an Idempotency-Key over 255 characters"
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        # Events are idempotent by their own event id and ignore the header (intake/http/events).
        "parameters": [key] if idempotency_key else [],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"oneOf": [draft, {"type": "array", "items": draft, "minItems": 1}]}
                }
            },
        },
        "responses": {
            "202": {
                "description": "Acknowledged by Kafka",
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"$ref": _REF.format(model="Ack")},
                                {
                                    "type": "object",
                                    "required": ["accepted"],
                                    "properties": {
                                        "accepted": {
                                            "type": "array",
                                            "items": {"$ref": _REF.format(model="Ack")},
                                        }
                                    },
                                },
                            ]
                        }
                    }
                },
            },
            "400": _problem(bad if idempotency_key else "Malformed JSON"),
            "401": _problem("Missing or unknown token"),
            "403": _problem("Token not allowed for this channel"),
            "409": _problem("Same Idempotency-Key still in flight"),
            "413": _problem("Body too large"),
            "415": _problem("Not application/json"),
            "422": _problem("Schema violation; `errors` names each bad field"),
            "503": _problem("Kafka unavailable; nothing acknowledged", retry_after),
        },
    }


def openapi_document() -> dict[str, Any]:
    _, defs = models_json_schema(
        [(MessageDraft, "validation"), (LifecycleEventDraft, "validation")], ref_template=_REF
    )
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas["Problem"] = _problem_schema()
    schemas["Ack"] = _ack_schema()
    plain = {"200": {"description": "OK"}, "503": _problem("Not ready")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "omniroute ingest API", "version": "1"},
        "paths": {
            "/v1/messages": {
                "post": _post("MessageDraft", "Submit one message (object) or a batch (array)")
            },
            "/v1/events": {
                "post": _post(
                    "LifecycleEventDraft",
                    "Report case lifecycle events (object or array) from a department tool",
                    idempotency_key=False,
                )
            },
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": plain["200"]}}},
            "/readyz": {"get": {"summary": "Readiness (Kafka reachable)", "responses": plain}},
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
