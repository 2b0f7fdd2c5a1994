"""The soak's memory slope: growth while a process runs counts, the step a restart makes does
not (a restarted router restores its state and warms up again at a different level)."""

import math

import pytest

from bench.soak_record import slope_text
from bench.soak_verify import slope_mib_per_hour

pytestmark = pytest.mark.unit


def test_steady_growth_within_one_lifetime_is_its_rate() -> None:
    points = [(t * 60.0, 100.0 + t * 0.5, 1) for t in range(10)]  # 0.5 MiB a minute
    assert math.isclose(slope_mib_per_hour(points), 30.0)


def test_a_restart_step_between_flat_lifetimes_is_no_growth() -> None:
    points = [(t * 60.0, 100.0, 1) for t in range(5)]
    points += [(t * 60.0, 110.0, 2) for t in range(5, 10)]
    assert slope_mib_per_hour(points) == 0.0


def test_growth_in_each_lifetime_is_pooled() -> None:
    points = [(t * 60.0, 100.0 + t, 1) for t in range(5)]
    points += [(t * 60.0, 50.0 + t, 2) for t in range(5, 10)]  # lower after the restart
    assert math.isclose(slope_mib_per_hour(points), 60.0)


def test_one_sample_per_lifetime_has_no_slope() -> None:
    assert math.isnan(slope_mib_per_hour([(0.0, 100.0, 1), (60.0, 120.0, 2)]))


def test_a_run_too_short_to_fit_says_so_instead_of_nan() -> None:
    assert slope_text(None).startswith("n/a")
    assert slope_text(2.0) == "+2.0 MiB/h (within process lifetimes)"
