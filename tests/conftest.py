"""Two tiers, selected by markers: everything under tests/unit is `unit`, everything under
tests/integration is `integration` (real Apache Kafka and other real processes). The
exactly-once fault scenarios one by one (50,000 messages each: more than CI's budget on 2 cores)
are also `faults` (`pytestmark` in their modules): `make test-faults` runs them; CI runs all the
faults in one phased 50,000-message run (tests/integration/eos/test_phases.py)."""

from pathlib import Path

import pytest

_TIERS = {"unit": pytest.mark.unit, "integration": pytest.mark.integration}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        tier = Path(item.fspath).relative_to(root).parts[0]
        if tier in _TIERS:
            item.add_marker(_TIERS[tier])
