"""Consumer groups: their members, their commits, and moving their commits."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TypeVar

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberMetadata
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata
from carrel_events.clients import Kafka, kafka_client_options

from carrel_operator.adapters.kafka import Marks, standalone_consumer

logger = logging.getLogger(__name__)

INACTIVE_STATES = ("Empty", "Dead")
COORDINATOR_PATIENCE_SECONDS = 30.0

Answer = TypeVar("Answer")


async def _patiently(ask: Callable[[], Awaitable[Answer]]) -> Answer:
    """Asks again while Kafka answers with a retriable error.

    A new cluster creates its offsets topic when the first group looks for its
    coordinator, and answers "coordinator not available" until it has loaded.
    """
    async with asyncio.timeout(COORDINATOR_PATIENCE_SECONDS):
        while True:
            try:
                return await ask()
            except KafkaError as error:
                if not error.retriable:
                    raise
                logger.info("kafka is not ready for group requests yet: %s", error)
            await asyncio.sleep(0.5)


async def group_names(bootstrap: Kafka) -> list[str]:
    admin = AIOKafkaAdminClient(**kafka_client_options(bootstrap))
    await admin.start()
    try:
        return sorted(str(group[0]) for group in await admin.list_consumer_groups())
    finally:
        await admin.close()


async def committed_offsets(bootstrap: Kafka, group: str) -> Marks:
    """The group's committed offset per partition (partitions it never committed
    are absent)."""
    admin = AIOKafkaAdminClient(**kafka_client_options(bootstrap))
    await admin.start()
    try:
        answer = await _patiently(lambda: admin.list_consumer_group_offsets(group))
        return {tp: meta.offset for tp, meta in answer.items() if meta.offset >= 0}
    finally:
        await admin.close()


async def group_state(bootstrap: Kafka, group: str) -> tuple[str, int]:
    """The group's state (``Stable``, ``Empty``...) and how many members it has."""
    admin = AIOKafkaAdminClient(**kafka_client_options(bootstrap))
    await admin.start()
    try:
        responses = await _patiently(lambda: admin.describe_consumer_groups([group]))
    finally:
        await admin.close()
    for response in responses:
        for described in response.groups:
            _error, name, state, _kind, _protocol, members = described[:6]
            if name == group:
                return str(state), len(members)
    return "Dead", 0


async def subscribed_topics(bootstrap: Kafka, group: str) -> set[str]:
    """The topics the group's members subscribe to now (none without members)."""
    admin = AIOKafkaAdminClient(**kafka_client_options(bootstrap))
    await admin.start()
    try:
        responses = await _patiently(lambda: admin.describe_consumer_groups([group]))
    finally:
        await admin.close()
    topics: set[str] = set()
    for response in responses:
        for described in response.groups:
            _error, name, _state, kind, _protocol, members = described[:6]
            if name != group or kind != "consumer":
                continue
            for member in members:
                metadata = ConsumerProtocolMemberMetadata.decode(member[3])
                topics.update(metadata.subscription)
    return topics


async def commit_offsets(
    bootstrap: Kafka, group: str, offsets: Mapping[TopicPartition, int]
) -> None:
    """Commit ``offsets`` for a group without members, as a reset does."""
    consumer = standalone_consumer(bootstrap, group_id=group)
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        await consumer.commit(
            {tp: OffsetAndMetadata(offset, "") for tp, offset in offsets.items()}
        )
    finally:
        await consumer.stop()


def reached(committed: Mapping[TopicPartition, int], marks: Marks) -> bool:
    """True when every partition's commit is at or past its mark."""
    return all(mark == 0 or committed.get(tp, -1) >= mark for tp, mark in marks.items())


async def ends_and_beginnings(
    bootstrap: Kafka, partitions: Iterable[TopicPartition]
) -> tuple[Marks, Marks]:
    consumer = standalone_consumer(bootstrap)
    await consumer.start()
    try:
        wanted = list(partitions)
        ends = await consumer.end_offsets(wanted)
        beginnings = await consumer.beginning_offsets(wanted)
        return dict(ends), dict(beginnings)
    finally:
        await consumer.stop()
