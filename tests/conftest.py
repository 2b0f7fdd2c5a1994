"""Two tiers, selected by markers: everything under tests/unit is `unit`, everything under
tests/integration is `integration` (real Apache Kafka and other real processes). The
exactly-once fault scenarios one by one (50,000 messages each: more than CI's budget on 2 cores)
are also `faults` (`pytestmark` in their modules): `make test-faults` runs them; CI runs all the
faults in one phased 50,000-message run (tests/integration/eos/test_phases.py).

`make test` runs the suite on several pytest-xdist workers, each with its own session broker
(`kafka_bootstrap`: free ports, a data dir under the worker's own basetemp). The longest tests
are collected first, so they start at once on different workers and overlap everything else
instead of being the tail of the run that the other workers wait for."""

from pathlib import Path

import pytest

_TIERS = {"unit": pytest.mark.unit, "integration": pytest.mark.integration}

# Longest first (seconds in a serial run on 2 cores, Nov 2026). xdist hands out chunks of two
# (`--maxschedchunk 2` in the Makefile), so the phased run's worker gets the fuzz run and then
# nothing else until both are done, while the other workers share the rest.
_LONGEST_FIRST = (
    "tests/integration/eos/test_phases.py",  # ~350 s
    "tests/unit/test_fuzz_regressions.py::test_bounded_fuzz_run_finds_nothing_new",  # ~107 s
    "tests/integration/test_ingest_e2e.py",  # ~80 s, a broker outage
    "tests/integration/test_fault_pull.py",  # ~125 s, two broker restarts
    "tests/integration/test_schemathesis.py",  # ~75 s
    "tests/integration/test_fault_outage.py",  # ~72 s
    "tests/integration/test_prometheus_sla.py",  # ~40 s
    "tests/integration/test_shutdown.py",  # ~41 s
)


def _rank(item: pytest.Item) -> int:
    for rank, prefix in enumerate(_LONGEST_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(_LONGEST_FIRST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        tier = Path(item.fspath).relative_to(root).parts[0]
        if tier in _TIERS:
            item.add_marker(_TIERS[tier])
    items.sort(key=_rank)  # stable: modules stay together, in their own order
