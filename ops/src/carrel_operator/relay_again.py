"""Relaying a write service's events again, from a notification id, to a topic.

For a topic that was lost or truncated. It is the service's own outbox relay
(:class:`carrel_events.relay.OutboxRelay`) under a name of its own, started
at ``start - 1`` and stopped once it passed the last notification that
existed when it began; consumers take the copies of events they already have
as duplicates.

Stop the service's relay while this runs when the topic was recreated empty:
otherwise new events may land on a partition before the old events of the
same aggregate, and a consumer that reads the new one first skips the old
ones as stale.
"""

import asyncio
import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from carrel_events.clients import Kafka, kafka_client_options
from carrel_events.relay import (
    EnvelopeFactory,
    OutboxRelay,
    RelayPositions,
    RelaySource,
)
from psycopg import AsyncConnection

from carrel_operator.adapters.event_stores import EventStore
from carrel_operator.progress import Progress, quiet

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelayAgainReport:
    relay: str
    first: int
    last: int
    published: int


def relay_name(service: str, topic: str) -> str:
    return f"relay-again:{service}:{topic}"


async def relay_again(
    store: EventStore,
    *,
    topic: str,
    start: int,
    kafka_bootstrap: Kafka,
    progress: Progress = quiet,
) -> RelayAgainReport:
    """Publish notifications ``start``.. the last one now to ``topic``."""
    if start < 1:
        raise ValueError("notification ids start at 1")
    source = RelaySource(store.application)
    last = await asyncio.to_thread(source.recorder.max_notification_id) or 0
    name = relay_name(store.service, topic)
    producer = AIOKafkaProducer(
        **kafka_client_options(kafka_bootstrap), enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        async with await AsyncConnection.connect(store.dsn, autocommit=True) as db:
            positions = RelayPositions(db)
            await positions.create_table()
            await positions.set(name, start - 1)
            relay = OutboxRelay(
                name=name,
                source=source,
                topic=topic,
                producer=producer,
                connection=db,
                to_envelope=EnvelopeFactory(),
                batch_size=1000,
            )
            await _until(relay, positions, name, start, last, progress)
            return RelayAgainReport(name, start, last, relay.published)
    finally:
        await producer.stop()


async def _until(
    relay: OutboxRelay,
    positions: RelayPositions,
    name: str,
    start: int,
    last: int,
    progress: Progress,
) -> None:
    total = max(0, last - start + 1)
    position = start - 1
    while position < last and await relay.relay_batch():
        position = await positions.get(name)
        progress(min(position - start + 1, total), total)
    logger.info("relay %s reached notification %d of %d", name, position, last)
