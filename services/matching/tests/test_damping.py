"""Damping: popular mentors are not everyone's first choice."""

import pytest
from carrel_matching.domain.damping import damping_factor


def test_healthy_demand_costs_nothing() -> None:
    assert damping_factor(demand=6, free_places=2) == 1.0


def test_demand_four_times_the_healthy_level_halves_the_score() -> None:
    assert damping_factor(demand=12, free_places=1) == pytest.approx(0.5)


def test_damping_never_takes_more_than_half() -> None:
    assert damping_factor(demand=10_000, free_places=1) == 0.5


def test_a_full_mentor_is_damped_as_if_one_place_were_free() -> None:
    assert damping_factor(demand=3, free_places=0) == 1.0
