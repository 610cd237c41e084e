"""The outbox relay against the real PostgreSQL and Kafka."""

import asyncio
import itertools
import random
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from uuid import UUID

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from carrel_events import Envelope, decode
from carrel_events.relay import EnvelopeFactory, OutboxRelay, RelaySource
from eventsourcing.persistence import IntegrityError
from psycopg import AsyncConnection

from .backbone_support import (
    Tallies,
    Tally,
    schema_dsn,
    tallies_in_schema,
    tally_catalogue,
)

pytestmark = pytest.mark.integration
DATABASE = "carrel_test"


@pytest.fixture
def tallies(stack: Any, schema: str) -> Iterator[Tallies]:
    application = tallies_in_schema(stack.pg_dsn, DATABASE, schema)
    yield application
    application.close()


@pytest.fixture
async def relay(
    stack: Any, schema: str, tallies: Tallies, topic: str, producer: AIOKafkaProducer
) -> AsyncIterator[OutboxRelay]:
    dsn = schema_dsn(stack.pg_dsn, DATABASE, schema)
    async with await AsyncConnection.connect(dsn, autocommit=True) as connection:
        relay = OutboxRelay(
            name="tallies",
            source=RelaySource(tallies),
            topic=topic,
            producer=producer,
            connection=connection,
            to_envelope=EnvelopeFactory(tally_catalogue()),
            batch_size=100,
        )
        await relay._positions.create_table()
        yield relay


async def read_topic(stack: Any, topic: str, expected: int) -> list[Envelope]:
    """Every envelope on ``topic`` in partition order, waiting for ``expected``."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    envelopes: list[Envelope] = []
    try:
        async with asyncio.timeout(60):
            while len(envelopes) < expected:
                envelopes.extend(await _next_batch(consumer, 500))
        # Linger a moment so that a duplicate beyond ``expected`` would show.
        envelopes.extend(await _next_batch(consumer, 1000))
    finally:
        await consumer.stop()
    return envelopes


async def _next_batch(consumer: AIOKafkaConsumer, timeout_ms: int) -> list[Envelope]:
    batches = await consumer.getmany(timeout_ms=timeout_ms)
    return [_decoded(r.value) for records in batches.values() for r in records]


def _decoded(raw: bytes) -> Envelope:
    decoded = decode(raw, tally_catalogue())
    assert decoded is not None
    return decoded.envelope


def write_concurrently(tallies: Tallies, events: int, writers: int) -> None:
    """``events`` events from ``writers`` threads over few aggregates, with races."""
    tally_ids = [tallies.open(f"t{i}") for i in range(10)]
    remaining = events - len(tally_ids)
    counter = iter(range(remaining))
    lock = threading.Lock()

    def writer() -> None:
        rng = random.Random()
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            while True:
                try:
                    tallies.add(rng.choice(tally_ids), 1)
                    break
                except IntegrityError:
                    continue  # another writer took this version; read again

    threads = [threading.Thread(target=writer) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


async def relay_until(relay: OutboxRelay, total: int, seconds: float = 60) -> None:
    async with asyncio.timeout(seconds):
        while relay.published < total:
            if await relay.relay_batch() == 0:
                await asyncio.sleep(0.01)


async def test_a_thousand_events_from_concurrent_writers_arrive_in_order_and_complete(
    stack: Any, tallies: Tallies, topic: str, relay: OutboxRelay
) -> None:
    relaying = asyncio.create_task(relay_until(relay, 1000))
    await asyncio.to_thread(write_concurrently, tallies, 1000, 8)
    await relaying

    envelopes = await read_topic(stack, topic, 1000)

    stored = {
        (n.originator_id, n.originator_version)
        for n in tallies.recorder.select_notifications(start=1, limit=5000)
    }
    arrived = [(e.aggregate_id, e.aggregate_version) for e in envelopes]
    assert len(arrived) == len(set(arrived)) == len(stored) == 1000
    assert set(arrived) == stored
    assert_in_order_per_aggregate(envelopes)


def assert_in_order_per_aggregate(envelopes: list[Envelope]) -> None:
    versions: dict[UUID, list[int]] = defaultdict(list)
    for envelope in envelopes:
        versions[envelope.aggregate_id].append(envelope.aggregate_version)
    for aggregate_versions in versions.values():
        assert aggregate_versions == list(range(1, len(aggregate_versions) + 1))


def insert_raw(
    connection: psycopg.Connection[Any], tallies: Tallies, tally: Tally
) -> None:
    """Insert a stored event without the library's table lock, as a rogue writer."""
    for domain_event in tally.collect_events():
        stored = tallies.mapper.to_stored_event(domain_event)
        connection.execute(
            "INSERT INTO tallies_events "
            "(originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
            (
                stored.originator_id,
                stored.originator_version,
                stored.topic,
                stored.state,
            ),
        )


async def test_an_event_committed_after_a_later_one_is_not_skipped(
    stack: Any, schema: str, tallies: Tallies, topic: str, relay: OutboxRelay
) -> None:
    tallies.open("first")  # creates the table and takes notification id 1
    dsn = schema_dsn(stack.pg_dsn, DATABASE, schema)
    slow, fast = psycopg.connect(dsn), psycopg.connect(dsn, autocommit=True)
    try:
        insert_raw(slow, tallies, Tally("slow"))  # takes id 2, not committed
        insert_raw(fast, tallies, Tally("fast"))  # takes id 3, committed

        relaying = asyncio.create_task(relay_until(relay, 3))
        await asyncio.sleep(0.5)
        assert relay.published == 1, "the relay publishes id 1 and waits at id 2"

        slow.commit()
        await relaying
    finally:
        slow.close()
        fast.close()

    labels = [e.payload["label"] for e in await read_topic(stack, topic, 3)]
    assert sorted(labels) == ["fast", "first", "slow"]


async def test_a_rolled_back_id_is_passed_once_no_writer_can_fill_it(
    stack: Any, schema: str, tallies: Tallies, topic: str, relay: OutboxRelay
) -> None:
    tallies.open("first")
    dsn = schema_dsn(stack.pg_dsn, DATABASE, schema)
    with psycopg.connect(dsn) as aborted:
        insert_raw(aborted, tallies, Tally("never"))
        aborted.rollback()
    tallies.open("after")

    await relay_until(relay, 2)

    labels = [e.payload["label"] for e in await read_topic(stack, topic, 2)]
    assert sorted(labels) == ["after", "first"]


async def test_the_relay_resumes_after_its_recorded_position(
    stack: Any, tallies: Tallies, topic: str, relay: OutboxRelay
) -> None:
    for label in ("a", "b", "c"):
        tallies.open(label)
    await relay_until(relay, 3)

    tallies.open("d")
    relay.published = 0
    await relay_until(relay, 1)

    envelopes = await read_topic(stack, topic, 4)
    assert [e.payload["label"] for e in envelopes if e.payload["label"] == "d"] == ["d"]
    assert len(envelopes) == 4


def write_without_pause(dsn: str, tallies: Tallies, stop: threading.Event) -> list[str]:
    """Rogue writes from two sessions in turn, one always inside a transaction.

    Each new transaction inserts before the previous one commits, so at no
    moment is the events table free of a writer. Returns the committed labels.
    """
    sessions = [psycopg.connect(dsn), psycopg.connect(dsn)]
    committed: list[str] = []
    try:
        labels = (f"load-{n}" for n in itertools.count())
        holding, label = 0, next(labels)
        insert_raw(sessions[holding], tallies, Tally(label))
        while not stop.is_set():
            waiting, next_label = 1 - holding, next(labels)
            insert_raw(sessions[waiting], tallies, Tally(next_label))
            sessions[holding].commit()
            committed.append(label)
            holding, label = waiting, next_label
            time.sleep(0.02)
        sessions[holding].commit()
        committed.append(label)
    finally:
        for session in sessions:
            session.close()
    return committed


async def test_a_rolled_back_id_is_passed_while_writers_keep_the_table_busy(
    stack: Any, schema: str, tallies: Tallies, topic: str, relay: OutboxRelay
) -> None:
    tallies.open("first")
    dsn = schema_dsn(stack.pg_dsn, DATABASE, schema)
    with psycopg.connect(dsn) as aborted:
        insert_raw(aborted, tallies, Tally("never"))
        aborted.rollback()
    stop = threading.Event()
    load = asyncio.create_task(
        asyncio.to_thread(write_without_pause, dsn, tallies, stop)
    )

    try:
        started = time.monotonic()
        # A relay that waited for a moment without writers would wait forever.
        await relay_until(relay, 6, seconds=20)
        passed_after = time.monotonic() - started
        assert not load.done(), "the writers were still writing"
    finally:
        stop.set()
        committed = await load

    assert passed_after < 5, f"the relay was held {passed_after:.1f}s at the gap"
    await relay_until(relay, 1 + len(committed))
    labels = [
        e.payload["label"] for e in await read_topic(stack, topic, relay.published)
    ]
    assert sorted(labels) == sorted(["first", *committed])


def write_bypassing_the_lock(
    dsn: str, tallies: Tallies, writers: int, events_each: int
) -> list[str]:
    """Writers on their own sessions, without the library's table lock.

    Each waits a random moment between taking its id and committing, so ids
    commit out of order, and one transaction in five rolls back. Returns the
    committed labels.
    """
    committed: list[str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        rng = random.Random()
        with psycopg.connect(dsn) as session:
            for event in range(events_each):
                label = f"w{number}-{event}"
                insert_raw(session, tallies, Tally(label))
                time.sleep(rng.uniform(0, 0.03))
                if rng.random() < 0.2:
                    session.rollback()
                    continue
                session.commit()
                with lock:
                    committed.append(label)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return committed


async def test_every_committed_event_of_writers_bypassing_the_lock_is_relayed_once(
    stack: Any, schema: str, tallies: Tallies, topic: str, relay: OutboxRelay
) -> None:
    tallies.open("first")
    dsn = schema_dsn(stack.pg_dsn, DATABASE, schema)

    writing = asyncio.create_task(
        asyncio.to_thread(write_bypassing_the_lock, dsn, tallies, 8, 40)
    )
    while not writing.done():
        if await relay.relay_batch() == 0:
            await asyncio.sleep(0.005)
    committed = await writing
    await relay_until(relay, 1 + len(committed))
    assert await relay.relay_batch() == 0

    labels = [
        e.payload["label"] for e in await read_topic(stack, topic, relay.published)
    ]
    assert len(committed) > 200
    assert sorted(labels) == sorted(["first", *committed])


async def listening(stack: Any, channel: str) -> bool:
    async with await AsyncConnection.connect(
        stack.database_dsn(DATABASE), autocommit=True
    ) as connection:
        cursor = await connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE query = %s",
            (f'LISTEN "{channel}"',),
        )
        row = await cursor.fetchone()
        return bool(row and row[0])


async def test_an_idle_relay_is_woken_by_notify_long_before_its_next_poll(
    stack: Any, schema: str, tallies: Tallies, topic: str, producer: AIOKafkaProducer
) -> None:
    tallies.open("before")
    dsn = schema_dsn(stack.pg_dsn, DATABASE, schema)
    stop = asyncio.Event()
    async with await AsyncConnection.connect(dsn, autocommit=True) as connection:
        relay = OutboxRelay(
            name="tallies",
            source=RelaySource(tallies),
            topic=topic,
            producer=producer,
            connection=connection,
            to_envelope=EnvelopeFactory(tally_catalogue()),
            idle_poll_seconds=30,
        )
        running = asyncio.create_task(relay.run(stop, dsn))
        try:
            channel = RelaySource(tallies).channel
            await wait_until(lambda: relay.published == 1)
            while not await listening(stack, channel):
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # the relay now sleeps out its idle poll

            written = time.monotonic()
            await asyncio.to_thread(tallies.open, "after")
            await wait_until(lambda: relay.published == 2)
            woken_after = time.monotonic() - written
        finally:
            stop.set()
            await running

    assert woken_after < 3, f"published {woken_after:.1f}s after the commit"


async def wait_until(condition: Callable[[], bool], seconds: float = 40) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)
