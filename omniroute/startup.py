"""Startup checks shared by the long-running processes. A process refuses to start, with one
line saying what is wrong, when its configuration is invalid, Kafka stays unreachable past a
bounded wait or refuses the credentials, or a topic it needs is missing (unless told to create
them: `--create-topics` / `OMNIROUTE_CREATE_TOPICS=true`). Failing here, before anything is
served, beats a pod that is Ready but stalls or crash-loops with a traceback."""

import asyncio
import ssl
from collections.abc import Callable
from typing import TypeVar

from aiokafka.conn import create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    IllegalSaslStateError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.admin import ensure_topics, missing_topics
from intake.errors import ConfigError, OmnirouteError
from intake.http.settings import IntakeSettings
from intake.kafka import client_kwargs
from intake.settings import KafkaSettings
from intake.topics import Topics, TopicSpec
from omniroute.target import resolve_kafka
from router.service import load_routing
from router.settings import RouterSettings

T = TypeVar("T", bound=BaseSettings)

_AUTH_ERRORS = (
    AuthenticationFailedError,
    IllegalSaslStateError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)


class StartupError(OmnirouteError):
    """Why the process will not start; its text is the one line an operator sees."""


class StartupSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_", frozen=True, extra="ignore")

    create_topics: bool = Field(
        False,
        description="Create missing topics at startup (same as --create-topics) instead of "
        "refusing to start",
    )


def load(model: Callable[[], T]) -> T:
    """Build a settings model from the environment; invalid values become one StartupError
    naming each bad variable (never its value: it may be a secret)."""
    try:
        return model()
    except ValidationError as exc:
        prefix = ""
        config = getattr(model, "model_config", {})
        if isinstance(config, dict):
            prefix = str(config.get("env_prefix", ""))
        problems = [
            f"{prefix}{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        ]
        raise StartupError("invalid configuration: " + "; ".join(problems)) from None


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def config_error(exc: ConfigError | OSError) -> StartupError:
    return StartupError(f"invalid configuration: {one_line(exc)}")


def _hosts(bootstrap: str) -> list[tuple[str, int]]:
    out = []
    for item in bootstrap.split(","):
        host, _, port = item.strip().rpartition(":")
        out.append((host.strip("[]"), int(port or 9092)))
    return out


async def wait_for_kafka(kafka: KafkaSettings, timeout_s: float | None = None) -> None:
    """One authenticated connection to any bootstrap broker, retried for `timeout_s`; refused
    credentials and TLS failures end it at once (retrying cannot fix them)."""
    timeout_s = kafka.connect_timeout_s if timeout_s is None else timeout_s
    kwargs = client_kwargs(kafka)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    who = f"{kwargs.get('sasl_mechanism')} as '{kafka.sasl_username}'"
    last: BaseException | None = None
    while True:
        for host, port in _hosts(str(kwargs["bootstrap_servers"])):
            try:
                async with asyncio.timeout(max(1.0, min(10.0, deadline - loop.time()))):
                    conn = await create_conn(
                        host,
                        port,
                        client_id=f"{kafka.client_id}-startup",
                        request_timeout_ms=kafka.request_timeout_ms,
                        ssl_context=kwargs.get("ssl_context"),
                        security_protocol=kafka.security_protocol,
                        sasl_mechanism=kwargs.get("sasl_mechanism"),
                        sasl_plain_username=kwargs.get("sasl_plain_username"),
                        sasl_plain_password=kwargs.get("sasl_plain_password"),
                    )
                conn.close()
                return
            except _AUTH_ERRORS as exc:
                raise StartupError(
                    f"Kafka at {host}:{port} refused the credentials ({who}): {one_line(exc)}"
                ) from None
            except ssl.SSLError as exc:
                raise StartupError(f"TLS with Kafka at {host}:{port} failed: {exc}") from None
            except (OSError, KafkaError, TimeoutError) as exc:
                last = exc
        if loop.time() >= deadline:
            detail = one_line(last) if last is not None and str(last) else type(last).__name__
            raise StartupError(
                f"Kafka unreachable at {kafka.bootstrap} after {timeout_s:g}s "
                f"({kafka.security_protocol}): {detail}"
            )
        await asyncio.sleep(min(1.0, max(0.0, deadline - loop.time())))


async def require_topics(kafka: KafkaSettings, specs: list[TopicSpec], create: bool) -> list[str]:
    """The names created (only with `create`); missing topics otherwise refuse the start."""
    if create:
        return await ensure_topics(kafka, specs)
    missing = await missing_topics(kafka, [s.name for s in specs])
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise StartupError(
            f"missing Kafka topics: {shown} (run `omniroute topics ensure`, or start with "
            "--create-topics / OMNIROUTE_CREATE_TOPICS=true)"
        )
    return []


def preflight(kafka: KafkaSettings, specs: list[TopicSpec], create: bool) -> list[str]:
    async def run() -> list[str]:
        await wait_for_kafka(kafka)
        return await require_topics(kafka, specs, create)

    return asyncio.run(run())


def kafka_settings() -> KafkaSettings:
    return resolve_kafka(load(KafkaSettings))


def create_requested(flag: bool) -> bool:
    return flag or load(StartupSettings).create_topics


def prepare_intake(create: bool) -> tuple[KafkaSettings, IntakeSettings]:
    kafka, settings = kafka_settings(), load(IntakeSettings)
    preflight(kafka, intake_specs(kafka), create_requested(create))
    return kafka, settings


def prepare_router(create: bool) -> tuple[KafkaSettings, RouterSettings]:
    kafka, settings = kafka_settings(), load(RouterSettings)
    try:
        config = load_routing(settings)
    except (ConfigError, OSError) as exc:
        raise config_error(exc) from None
    preflight(kafka, router_specs(kafka, config.all_departments()), create_requested(create))
    return kafka, settings


def intake_specs(kafka: KafkaSettings) -> list[TopicSpec]:
    """What intake and the connectors write: intake topics, lifecycle events, deadletters."""
    t = Topics(kafka.topic_prefix)
    wanted = {*t.all_intake(), t.events, t.deadletter}
    return [s for s in t.specs([], kafka.partitions) if s.name in wanted]


def router_specs(kafka: KafkaSettings, departments: list[str]) -> list[TopicSpec]:
    """Every omniroute topic (as `omniroute topics ensure` makes them), with the department
    queues of the router's own routing config."""
    return Topics(kafka.topic_prefix).specs(departments, kafka.partitions)
