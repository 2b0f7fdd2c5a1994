"""Two tiers, selected by markers: everything under tests/unit is `unit`, everything under
tests/integration is `integration` (real Apache Kafka and other real processes)."""

from pathlib import Path

import pytest

_TIERS = {"unit": pytest.mark.unit, "integration": pytest.mark.integration}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        tier = Path(item.fspath).relative_to(root).parts[0]
        if tier in _TIERS:
            item.add_marker(_TIERS[tier])
