"""serde.dumps drops None values to keep records small, so every None-able field of a model
that travels on Kafka must have a default, or the record cannot be read back."""

import importlib
import types
import typing

import pytest
from pydantic import BaseModel

WIRE_MODELS = [
    "intake.message:Message",
    "intake.deadletter:DeadLetter",
    "intake.events:LifecycleEvent",
    "router.decision:Decision",
    "router.decision:Dispatch",
    "router.decision:RuleMatch",
]


def _load(spec: str) -> type[BaseModel]:
    module, _, name = spec.partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module), name)
    return model


def _nested(model: type[BaseModel]) -> set[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for field in current.model_fields.values():
            for arg in _flatten(field.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    todo.append(arg)
    return seen


def _flatten(annotation: object) -> list[object]:
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    return [a for arg in args for a in _flatten(arg)]


def _allows_none(annotation: object) -> bool:
    origin = typing.get_origin(annotation)
    return (origin in (typing.Union, types.UnionType)) and type(None) in typing.get_args(annotation)


@pytest.mark.parametrize("spec", WIRE_MODELS)
def test_none_able_fields_have_defaults(spec: str) -> None:
    problems = [
        f"{m.__name__}.{name}"
        for m in _nested(_load(spec))
        for name, field in m.model_fields.items()
        if _allows_none(field.annotation) and field.is_required()
    ]
    assert problems == []
