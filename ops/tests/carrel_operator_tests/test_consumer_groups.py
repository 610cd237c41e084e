"""Lag and offset resets against the real Kafka."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from carrel_events import Topic, encode
from carrel_events.contracts import profile as p
from carrel_operator.adapters.groups import commit_offsets, committed_offsets
from carrel_operator.consumer_groups import (
    GroupIsActive,
    apply_reset,
    group_lags,
    plan_reset,
)
from carrel_operator.tail import tail
from carrel_projection.testing import EventScript

from .conftest import StackAddresses

pytestmark = pytest.mark.integration


async def produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, partition=0)
    finally:
        await producer.stop()


async def test_lag_is_shown_per_partition_and_a_reset_moves_the_commits(
    stack: StackAddresses, topics: dict[Topic, str]
) -> None:
    topic, group = topics[Topic.TEAMS], f"test-ops-{uuid.uuid4().hex[:8]}"
    await produce(stack.kafka_bootstrap, topic, [b"x"] * 10)
    await commit_offsets(stack.kafka_bootstrap, group, {TopicPartition(topic, 0): 10})

    before = await group_lags(stack.kafka_bootstrap, group)
    plan = await plan_reset(stack.kafka_bootstrap, group, "earliest")
    untouched = await committed_offsets(stack.kafka_bootstrap, group)
    await apply_reset(stack.kafka_bootstrap, group, plan)
    after = await group_lags(stack.kafka_bootstrap, group)

    # Every partition of the topic, the two never committed included.
    assert [(r.partition, r.committed, r.lag) for r in before] == [
        (0, 10, 0),
        (1, None, 0),
        (2, None, 0),
    ]
    assert [(m.current, m.target) for m in plan] == [(10, 0)]
    assert untouched == {TopicPartition(topic, 0): 10}
    assert (after[0].committed, after[0].lag) == (0, 10)


async def test_a_member_that_never_committed_shows_its_whole_topic_as_lag(
    stack: StackAddresses, topics: dict[Topic, str]
) -> None:
    topic, group = topics[Topic.RESOURCES], f"test-ops-{uuid.uuid4().hex[:8]}"
    await produce(stack.kafka_bootstrap, topic, [b"x"] * 4)
    member = AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap,
        group_id=group,
        enable_auto_commit=False,
    )
    await member.start()
    try:
        async with asyncio.timeout(30):
            while not member.assignment():
                await member.getmany(timeout_ms=200)
        rows = await group_lags(stack.kafka_bootstrap, group)
    finally:
        await member.stop()

    assert [(r.topic, r.partition, r.committed, r.end, r.lag) for r in rows] == [
        (topic, 0, None, 4, 4),
        (topic, 1, None, 0, 0),
        (topic, 2, None, 0, 0),
    ]


async def test_a_reset_to_a_moment_goes_to_the_first_message_after_it(
    stack: StackAddresses, topics: dict[Topic, str]
) -> None:
    topic, group = topics[Topic.PROFILE], f"test-ops-{uuid.uuid4().hex[:8]}"
    await produce(stack.kafka_bootstrap, topic, [b"old"] * 3)
    await asyncio.sleep(0.2)
    moment = datetime.now(UTC)
    await produce(stack.kafka_bootstrap, topic, [b"new"] * 2)

    plan = await plan_reset(stack.kafka_bootstrap, group, moment, [topic])
    future = await plan_reset(
        stack.kafka_bootstrap, group, moment + timedelta(days=1), [topic]
    )

    assert [(m.partition, m.target) for m in plan] == [(0, 3), (1, 0), (2, 0)]
    assert [m.target for m in future] == [5, 0, 0]


async def test_a_group_with_members_is_not_reset(
    stack: StackAddresses, topics: dict[Topic, str]
) -> None:
    topic, group = topics[Topic.MATCHING], f"test-ops-{uuid.uuid4().hex[:8]}"
    member = AIOKafkaConsumer(
        topic, bootstrap_servers=stack.kafka_bootstrap, group_id=group
    )
    await member.start()
    try:
        await member.getmany(timeout_ms=2000)
        plan = await plan_reset(stack.kafka_bootstrap, group, "latest", [topic])
        with pytest.raises(GroupIsActive):
            await apply_reset(stack.kafka_bootstrap, group, plan)
    finally:
        await member.stop()


async def test_a_tail_decodes_envelopes_and_names_what_is_not_one(
    stack: StackAddresses, topics: dict[Topic, str]
) -> None:
    script = EventScript()
    envelope = script.record(p.ProfileCreated(display_name="Ada"), uuid.uuid4())
    topic = topics[Topic.PROFILE]
    await produce(stack.kafka_bootstrap, topic, [encode(envelope), b"not json"])

    stop = asyncio.Event()
    seen = []
    async with asyncio.timeout(30):
        async for message in tail(
            stack.kafka_bootstrap, topic, from_beginning=True, stop=stop
        ):
            seen.append(message)
            if len(seen) == 2:
                stop.set()

    assert seen[0].event is not None
    assert seen[0].event.envelope == envelope
    assert seen[1].event is None and "not an envelope" in (seen[1].problem or "")
