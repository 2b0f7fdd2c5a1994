"""A fresh scenario (topic prefix, consumer group, router processes) per test on the session
broker; every router process is killed at the end, whatever the outcome."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.eos.scenario import Scenario


@pytest.fixture
def scenario(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Scenario]:
    s = Scenario(kafka_bootstrap, tmp_path)
    try:
        yield s
    finally:
        s.cleanup()
