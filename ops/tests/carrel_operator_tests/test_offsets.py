from datetime import UTC, datetime

import pytest
from aiokafka import TopicPartition
from carrel_operator.offsets import (
    OffsetMove,
    PartitionLag,
    lags,
    parse_target,
    reset_plan,
)

A0, A1 = TopicPartition("a", 0), TopicPartition("a", 1)


def test_lag_is_the_distance_from_the_commit_to_the_end() -> None:
    rows = lags("g", {A0: 7}, {A0: 10, A1: 4})

    assert rows == [
        PartitionLag("g", "a", 0, 7, 10),
        PartitionLag("g", "a", 1, None, 4),
    ]
    assert [r.lag for r in rows] == [3, 4]


def test_a_commit_past_the_end_after_a_truncation_is_no_negative_lag() -> None:
    assert lags("g", {A0: 12}, {A0: 10})[0].lag == 0


def test_a_reset_plan_says_where_each_partition_goes_and_by_how_much() -> None:
    plan = reset_plan({A0: 10}, {A1: 0, A0: 2})

    assert plan == [OffsetMove("a", 0, 10, 2), OffsetMove("a", 1, None, 0)]
    assert [m.change for m in plan] == [-8, None]


def test_targets_are_earliest_latest_or_a_moment_with_its_zone() -> None:
    assert parse_target("earliest") == "earliest"
    assert parse_target("latest") == "latest"
    assert parse_target("2025-03-01T12:00:00+00:00") == datetime(
        2025, 3, 1, 12, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["yesterday", "2025-03-01T12:00:00"])
def test_other_targets_are_refused_with_the_rule(text: str) -> None:
    with pytest.raises(ValueError, match=r"ISO 8601|time zone"):
        parse_target(text)
