"""Kafka reads the operator shares: partitions, marks, and reading to the end."""

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from carrel_events.clients import Kafka, kafka_client_options

logger = logging.getLogger(__name__)

Marks = dict[TopicPartition, int]
"""An offset per partition: a high-water mark, a position or a commit."""


async def partitions_of(
    consumer: AIOKafkaConsumer, topics: Iterable[str]
) -> list[TopicPartition]:
    """Every partition of these topics; unknown topics have none."""
    found = []
    for topic in topics:
        numbers = consumer.partitions_for_topic(topic)
        if not numbers:
            await consumer._client.force_metadata_update()
            numbers = consumer.partitions_for_topic(topic) or set()
        found += [TopicPartition(topic, number) for number in sorted(numbers)]
    return found


def standalone_consumer(bootstrap: Kafka, **options: Any) -> AIOKafkaConsumer:
    """A consumer that is assigned partitions by hand; no group unless given."""
    return AIOKafkaConsumer(
        **kafka_client_options(bootstrap),
        enable_auto_commit=False,
        isolation_level="read_committed",
        **options,
    )


async def high_water_marks(bootstrap: Kafka, topics: Iterable[str]) -> Marks:
    """The end of every partition of ``topics`` now."""
    consumer = standalone_consumer(bootstrap)
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, topics)
        ends: Mapping[TopicPartition, int] = await consumer.end_offsets(partitions)
        return dict(ends)
    finally:
        await consumer.stop()


async def read_to_end(bootstrap: Kafka, topics: Iterable[str]) -> list[ConsumerRecord]:
    """Every record of ``topics`` from the start to their ends as of now."""
    consumer = standalone_consumer(bootstrap)
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, topics)
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        return await _records_until(consumer, ends)
    finally:
        await consumer.stop()


async def read_partitions(
    bootstrap: Kafka,
    partitions: Iterable[TopicPartition],
    keep: Callable[[ConsumerRecord], bool] | None = None,
) -> list[ConsumerRecord]:
    """The records of these partitions from the start to their ends as of now,
    only those ``keep`` accepts when it is given."""
    consumer = standalone_consumer(bootstrap)
    await consumer.start()
    try:
        wanted = sorted(set(partitions))
        if not wanted:
            return []
        consumer.assign(wanted)
        await consumer.seek_to_beginning(*wanted)
        ends = await consumer.end_offsets(wanted)
        return await _records_until(consumer, ends, keep)
    finally:
        await consumer.stop()


async def _records_until(
    consumer: AIOKafkaConsumer,
    ends: Marks,
    keep: Callable[[ConsumerRecord], bool] | None = None,
) -> list[ConsumerRecord]:
    records: list[ConsumerRecord] = []
    while any([await consumer.position(tp) < end for tp, end in ends.items()]):
        batches = await consumer.getmany(timeout_ms=500, max_records=1000)
        for tp, batch in batches.items():
            records += [
                r for r in batch if r.offset < ends[tp] and (keep is None or keep(r))
            ]
        await asyncio.sleep(0)
    return records
