"""One relay per outbox publishes; a waiting copy takes over when it dies."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from carrel_events.clients import create_topics
from carrel_events.relay import EnvelopeFactory, OutboxRelay, RelaySource
from carrel_events.relay.metrics import BACKLOG
from carrel_events.serialisation import decode
from psycopg import AsyncConnection

from tests.integration.backbone_support import (
    Tallies,
    schema_dsn,
    tallies_in_schema,
    tally_catalogue,
)

pytestmark = pytest.mark.integration
DATABASE = "carrel_test"


@pytest.fixture
def schema(stack: Any) -> Iterator[str]:
    name = f"relay_lock_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(stack.database_dsn(DATABASE), autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {name}")
        yield name
        db.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def tallies(stack: Any, schema: str) -> Iterator[Tallies]:
    application = tallies_in_schema(stack.pg_dsn, DATABASE, schema)
    yield application
    application.close()


@pytest.fixture
async def producer(stack: Any) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(
        bootstrap_servers=stack.kafka_bootstrap, enable_idempotence=True
    )
    await producer.start()
    yield producer
    await producer.stop()


class Copy:
    """One copy of the relay, running on its own connection as a task."""

    def __init__(self, relay: OutboxRelay, connection: AsyncConnection) -> None:
        self.relay = relay
        self.connection = connection
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def backend_pid(self) -> int:
        cursor = await self.connection.execute("SELECT pg_backend_pid()")
        row = await cursor.fetchone()
        assert row is not None
        return int(row[0])


async def start_copy(
    dsn: str, tallies: Tallies, topic: str, producer: AIOKafkaProducer
) -> Copy:
    connection = await AsyncConnection.connect(dsn, autocommit=True)
    relay = OutboxRelay(
        name="tallies",
        source=RelaySource(tallies),
        topic=topic,
        producer=producer,
        connection=connection,
        to_envelope=EnvelopeFactory(tally_catalogue()),
        idle_poll_seconds=0.2,
        lock_poll_seconds=0.2,
    )
    copy = Copy(relay, connection)
    copy.task = asyncio.create_task(relay.run(copy.stop, dsn))
    return copy


async def published_ids(stack: Any, topic: str, expected: int) -> list[str]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=stack.kafka_bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    seen: list[str] = []
    try:
        async with asyncio.timeout(60):
            while len(set(seen)) < expected:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        decoded = decode(record.value, tally_catalogue())
                        assert decoded is not None
                        seen.append(str(decoded.envelope.event_id))
    finally:
        await consumer.stop()
    return seen


async def until(condition: Any, seconds: float = 20) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.05)


async def test_a_second_relay_waits_and_takes_over_when_the_first_dies(
    stack: Any, schema: str, tallies: Tallies, producer: AIOKafkaProducer
) -> None:
    topic = f"it.relay.lock.{uuid.uuid4().hex[:12]}"
    await create_topics(stack.kafka_bootstrap, [topic], partitions=3, replication=1)
    dsn = schema_dsn(stack.pg_dsn, DATABASE, schema)
    first = await start_copy(dsn, tallies, topic, producer)
    await until(lambda: first.relay.publishing)
    second = await start_copy(dsn, tallies, topic, producer)
    tally = tallies.open("before")
    for _ in range(19):
        tallies.add(tally, 1)
    await until(lambda: first.relay.published == 20)
    assert not second.relay.publishing
    assert second.relay.published == 0

    with psycopg.connect(stack.database_dsn(DATABASE), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (await first.backend_pid(),))
    await until(lambda: second.relay.publishing)
    for _ in range(30):
        tallies.add(tally, 1)
    await until(lambda: second.relay.published >= 30)

    ids = await published_ids(stack, topic, expected=50)
    assert len(set(ids)) == 50
    second.stop.set()
    assert second.task is not None
    await second.task
    await second.connection.close()
    assert first.task is not None
    with pytest.raises(psycopg.OperationalError):
        await first.task


async def test_the_backlog_counts_the_notifications_not_yet_published(
    stack: Any, schema: str, tallies: Tallies, producer: AIOKafkaProducer
) -> None:
    topic = f"it.relay.backlog.{uuid.uuid4().hex[:12]}"
    await create_topics(stack.kafka_bootstrap, [topic], partitions=3, replication=1)
    dsn = schema_dsn(stack.pg_dsn, DATABASE, schema)
    async with await AsyncConnection.connect(dsn, autocommit=True) as connection:
        relay = OutboxRelay(
            name="tallies",
            source=RelaySource(tallies),
            topic=topic,
            producer=producer,
            connection=connection,
            to_envelope=EnvelopeFactory(tally_catalogue()),
            batch_size=5,
        )
        await relay._positions.create_table()
        tally = tallies.open("backlog")
        for _ in range(11):
            tallies.add(tally, 1)

        before = await relay.measure_backlog()
        await relay.relay_batch()
        after_one_batch = await relay.measure_backlog()

    assert (before, after_one_batch) == (12, 7)
    assert BACKLOG.labels("tallies")._value.get() == 7
