"""Following a topic and decoding what arrives into envelopes."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiokafka import ConsumerRecord
from carrel_events import DecodeError, decode
from carrel_events.clients import Kafka
from carrel_events.serialisation import DecodedEvent

from carrel_operator.adapters.kafka import partitions_of, standalone_consumer


@dataclass(frozen=True)
class TailedMessage:
    """A message of the topic: its event, or why it is not one."""

    partition: int
    offset: int
    event: DecodedEvent | None
    problem: str | None = None


async def tail(
    bootstrap: Kafka,
    topic: str,
    *,
    from_beginning: bool = False,
    stop: asyncio.Event | None = None,
) -> AsyncIterator[TailedMessage]:
    """Messages of every partition of ``topic`` as they arrive, until ``stop``."""
    stop = stop or asyncio.Event()
    consumer = standalone_consumer(bootstrap)
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, [topic])
        consumer.assign(partitions)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            await consumer.seek_to_end(*partitions)
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=500)
            for record in sorted(
                (r for batch in batches.values() for r in batch),
                key=lambda r: (r.timestamp, r.partition, r.offset),
            ):
                yield _tailed(record)
    finally:
        await consumer.stop()


def _tailed(record: ConsumerRecord) -> TailedMessage:
    try:
        event = decode(record.value)
    except DecodeError as error:
        return TailedMessage(record.partition, record.offset, None, str(error))
    problem = None if event is not None else "an event type this reader does not know"
    return TailedMessage(record.partition, record.offset, event, problem)
