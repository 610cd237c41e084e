"""Consumer lag and offset-reset plans: arithmetic on offsets, no I/O."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from aiokafka import TopicPartition

ResetTarget = Literal["earliest", "latest"] | datetime


@dataclass(frozen=True)
class PartitionLag:
    """How far a group's committed offset is behind a partition's end."""

    group: str
    topic: str
    partition: int
    committed: int | None
    end: int

    @property
    def lag(self) -> int:
        """Messages not yet committed; all of them when nothing was committed."""
        return max(0, self.end - (self.committed or 0))


@dataclass(frozen=True)
class OffsetMove:
    """One partition's committed offset before and after a reset."""

    topic: str
    partition: int
    current: int | None
    target: int

    @property
    def change(self) -> int | None:
        return None if self.current is None else self.target - self.current


def lags(
    group: str,
    committed: Mapping[TopicPartition, int],
    ends: Mapping[TopicPartition, int],
) -> list[PartitionLag]:
    """The lag of every partition with a commit or an end, sorted."""
    partitions = sorted(set(committed) | set(ends))
    return [
        PartitionLag(group, tp.topic, tp.partition, committed.get(tp), ends.get(tp, 0))
        for tp in partitions
    ]


def parse_target(text: str) -> ResetTarget:
    """``earliest``, ``latest`` or an ISO 8601 moment with its time zone."""
    if text in ("earliest", "latest"):
        return text  # type: ignore[return-value]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(
            f"--to takes earliest, latest or an ISO 8601 moment, not {text!r}"
        ) from error
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} needs a time zone, e.g. {text}+00:00")
    return moment


def reset_plan(
    current: Mapping[TopicPartition, int],
    targets: Mapping[TopicPartition, int],
) -> list[OffsetMove]:
    """Where each partition's commit goes; partitions without a target stay."""
    return [
        OffsetMove(tp.topic, tp.partition, current.get(tp), target)
        for tp, target in sorted(targets.items())
    ]
