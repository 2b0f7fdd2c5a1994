"""Two tiers, selected by markers: everything under tests/unit is `unit`, everything under
tests/integration is `integration` (real Apache Kafka and other real processes). The
exactly-once fault scenarios (50,000 messages each, kill -9, zombies, broker restarts) are also
`faults`: `make test-faults` runs them; they need more time than CI's budget on 2 cores."""

from pathlib import Path

import pytest

_TIERS = {"unit": pytest.mark.unit, "integration": pytest.mark.integration}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        tier = Path(item.fspath).relative_to(root).parts[0]
        if tier in _TIERS:
            item.add_marker(_TIERS[tier])
        if Path(item.fspath).is_relative_to(root / "integration" / "eos"):
            item.add_marker(pytest.mark.faults)
