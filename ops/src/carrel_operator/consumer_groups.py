"""Lag per group and partition; resetting a group's commits safely."""

import logging
from collections.abc import Sequence
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from carrel_events.clients import Kafka

from carrel_operator.adapters.groups import (
    INACTIVE_STATES,
    commit_offsets,
    committed_offsets,
    group_names,
    group_state,
    subscribed_topics,
)
from carrel_operator.adapters.kafka import Marks, partitions_of, standalone_consumer
from carrel_operator.offsets import (
    OffsetMove,
    PartitionLag,
    ResetTarget,
    lags,
    reset_plan,
)

logger = logging.getLogger(__name__)


class GroupIsActive(RuntimeError):
    """A group with members must not have its commits moved under it."""


async def group_lags(bootstrap: Kafka, group: str | None = None) -> list[PartitionLag]:
    """Lag of every partition of each group's topics (or the one group named).

    A group's topics are those it committed on and those its members subscribe
    to now; every partition of them is listed, a partition never committed
    with the whole partition as its lag.
    """
    groups = [group] if group else await group_names(bootstrap)
    found: list[PartitionLag] = []
    consumer = standalone_consumer(bootstrap)
    await consumer.start()
    try:
        for name in groups:
            committed = await committed_offsets(bootstrap, name)
            topics = {tp.topic for tp in committed}
            topics |= await subscribed_topics(bootstrap, name)
            partitions = await partitions_of(consumer, sorted(topics))
            ends = await consumer.end_offsets(partitions) if partitions else {}
            found += lags(name, committed, ends)
    finally:
        await consumer.stop()
    return found


async def plan_reset(
    bootstrap: Kafka, group: str, to: ResetTarget, topics: Sequence[str] = ()
) -> list[OffsetMove]:
    """Where the group's commits would go; the group's own topics by default."""
    committed = await committed_offsets(bootstrap, group)
    consumer = standalone_consumer(bootstrap)
    await consumer.start()
    try:
        if topics:
            partitions = await partitions_of(consumer, topics)
        else:
            partitions = sorted(committed)
        targets = await _targets(consumer, partitions, to)
    finally:
        await consumer.stop()
    return reset_plan(committed, targets)


async def _targets(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], to: ResetTarget
) -> Marks:
    if not partitions:
        return {}
    if to == "earliest":
        return dict(await consumer.beginning_offsets(partitions))
    ends: Marks = dict(await consumer.end_offsets(partitions))
    if to == "latest":
        return ends
    assert isinstance(to, datetime)
    stamp = int(to.timestamp() * 1000)
    found = await consumer.offsets_for_times({tp: stamp for tp in partitions})
    # A partition with nothing at or after the moment goes to its end.
    return {tp: found[tp].offset if found.get(tp) else ends[tp] for tp in partitions}


async def apply_reset(bootstrap: Kafka, group: str, plan: list[OffsetMove]) -> None:
    """Commit the plan; refuses while the group has members."""
    state, members = await group_state(bootstrap, group)
    if members or state not in INACTIVE_STATES:
        raise GroupIsActive(
            f"group {group} is {state} with {members} members; stop them first"
        )
    offsets = {TopicPartition(m.topic, m.partition): m.target for m in plan}
    await commit_offsets(bootstrap, group, offsets)
    logger.info("reset group %s: %d partitions", group, len(offsets))
