"""Matching's consumer group has a variable of its own."""

import pytest
from carrel_matching.settings import MatchingSettings


def test_the_consumer_group_defaults_to_carrel_matching() -> None:
    assert MatchingSettings().matching_consumer_group == "carrel-matching"


def test_the_group_comes_from_matchings_own_variable_not_the_shared_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARREL_CONSUMER_GROUP", "meant-for-resources")
    monkeypatch.setenv("CARREL_MATCHING_CONSUMER_GROUP", "run1-matching")
    assert MatchingSettings().matching_consumer_group == "run1-matching"
