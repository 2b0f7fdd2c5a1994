"""schemathesis against the OpenAPI document the live ingest API publishes at /v1/openapi.json,
on a real broker: generated requests (valid and invalid) never get a 5xx, and every response
(status, content type, body, headers) matches the document."""

import os
import uuid
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from intake.settings import KafkaSettings
from tests.integration.app_harness import AUTH
from tests.integration.live_app import serve_intake

EXAMPLES = int(os.environ.get("OMNIROUTE_SCHEMATHESIS_EXAMPLES", "50"))


@pytest.fixture(scope="module")
def base_url(kafka_bootstrap: str) -> Iterator[str]:
    import asyncio

    from intake.admin import ensure_topics
    from intake.topics import Topics
    from tests.integration.conftest import DEPARTMENTS

    prefix = f"st{uuid.uuid4().hex[:8]}"
    kafka = KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=prefix, partitions=3)
    asyncio.run(ensure_topics(kafka, Topics(prefix).specs(DEPARTMENTS, partitions=3)))
    with serve_intake(kafka, ack_timeout_s=10.0) as url:
        yield url


# Invalid data must be refused with a documented 4xx; 413 (body over the limit) is one of them,
# which schemathesis does not count as a rejection by default.
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = {"checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}}


def operations(base_url: str) -> list[schemathesis.APIOperation]:
    config = schemathesis.Config.from_dict(CONFIG)
    schema = schemathesis.openapi.from_url(f"{base_url}/v1/openapi.json", config=config)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_matches_its_published_document(base_url: str, mode: GenerationMode) -> None:
    session = requests.Session()
    ops = operations(base_url)
    assert {op.path for op in ops} >= {"/v1/messages", "/healthz", "/readyz"}
    for op in ops:
        if mode is GenerationMode.NEGATIVE and op.method.upper() == "GET":
            continue  # nothing to violate: no parameters, no body

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=bool(os.environ.get("CI")),
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy(generation_mode=mode))
        def check(case: schemathesis.Case) -> None:
            if mode is GenerationMode.POSITIVE and "Idempotency-Key" in (case.headers or {}):
                # A generated key repeats across bodies, which is a documented 422 (reused
                # with another body), not a rejection of valid data: keep keys unique here.
                case.headers["Idempotency-Key"] = uuid.uuid4().hex
            # A lifecycle event's `to_department` is required for `transferred` and only there:
            # a cross-field rule JSON Schema does not carry, so a schema-valid event may be
            # rightly refused (422). Every other check applies to /v1/events as well.
            skip = [positive_data_acceptance] if op.path == "/v1/events" else []
            response = case.call_and_validate(
                base_url=base_url, session=session, headers=AUTH, excluded_checks=skip
            )
            assert response.status_code < 500

        check()
