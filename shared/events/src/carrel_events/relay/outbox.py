"""The relay: follow a notification log in order and publish it to Kafka.

Progress is recorded only after Kafka acknowledged every event up to it, so a
crash between the two sends some events again (at least once) and loses none.
The producer is idempotent and keyed by aggregate id, which keeps each
aggregate's events in order on its partition.

Only one copy of a relay publishes at a time: each copy waits for the
relay's advisory lock (:mod:`carrel_events.relay.lock`) before it starts, so
more copies make a relay highly available, not faster.

The notification log may show a gap: an id whose transaction has not
committed yet, or one that rolled back and never will. A transaction takes its
lock on the events table before it takes an id, and keeps the lock until it
ends. So when the relay meets a gap, the transactions that could still fill it
are among those holding the table's lock at that moment; the relay waits for
exactly those to end, not for a moment when nobody writes (which, under
sustained writes, may never come), and a gap still there afterwards belongs to
a rolled-back transaction.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import AsyncConnection, sql

from carrel_events.clients import kafka_client_options
from carrel_events.envelope import Envelope
from carrel_events.relay import metrics
from carrel_events.relay.lock import RelayLock, lock_key
from carrel_events.relay.positions import RelayPositions
from carrel_events.serialisation import encode

logger = logging.getLogger(__name__)

_ISSUED = """
SELECT pg_sequence_last_value(
    pg_get_serial_sequence(%s, 'notification_id')::regclass
)
"""
# The transactions (by virtual id, which a session's next transaction does not
# share) that hold a lock to write the events table; a prepared transaction
# holds its locks without a session, so its pid is NULL.
_WRITERS = """
SELECT DISTINCT virtualtransaction FROM pg_locks
WHERE relation = %s::regclass AND granted
AND pid IS DISTINCT FROM pg_backend_pid()
AND mode IN ('RowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
"""
_STILL_WRITING = """
SELECT DISTINCT virtualtransaction FROM pg_locks
WHERE relation = %s::regclass AND granted AND virtualtransaction = ANY(%s)
"""
# How long the relay waits for a writer before it says so in the log.
_SLOW_WRITER_SECONDS = 10.0


@dataclass(frozen=True)
class RelaySource:
    """What the relay reads of an eventsourcing application on PostgreSQL."""

    application: Application[Any]

    @property
    def recorder(self) -> PostgresApplicationRecorder:
        recorder = self.application.recorder
        if not isinstance(recorder, PostgresApplicationRecorder):
            msg = "the outbox relay needs the PostgreSQL event store"
            raise TypeError(msg)
        return recorder

    @property
    def table(self) -> str:
        return f'"{self.recorder.datastore.schema}"."{self.recorder.events_table_name}"'

    @property
    def channel(self) -> str:
        return self.recorder.channel_name

    def select(self, after: int, limit: int) -> Sequence[Notification]:
        notifications: Sequence[Notification] = self.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        return notifications

    def domain_event(self, notification: Notification) -> DomainEventProtocol[Any]:
        return self.application.mapper.to_domain_event(notification)

    def last_id(self) -> int:
        return int(self.recorder.max_notification_id() or 0)


ToEnvelope = Callable[[DomainEventProtocol[Any]], Envelope | None]


class OutboxRelay:
    """Publishes one application's notification log to one Kafka topic."""

    def __init__(
        self,
        *,
        name: str,
        source: RelaySource,
        topic: str,
        producer: AIOKafkaProducer,
        connection: AsyncConnection,
        to_envelope: ToEnvelope,
        batch_size: int = 500,
        idle_poll_seconds: float = 5.0,
        lock_poll_seconds: float = 1.0,
    ) -> None:
        self.name = name
        self._source = source
        self._topic = topic
        self._producer = producer
        self._connection = connection
        self._positions = RelayPositions(connection)
        self._to_envelope = to_envelope
        self._batch_size = batch_size
        self._idle_poll_seconds = idle_poll_seconds
        self._lock = RelayLock(connection, lock_key(source.table, name), name)
        self._lock_poll_seconds = lock_poll_seconds
        self._woken = asyncio.Event()
        self.published = 0
        self.publishing = False

    async def run(self, stop: asyncio.Event, listen_dsn: str) -> None:
        """Once this copy holds the relay's lock, relay until ``stop`` is set.

        New notifications wake it by NOTIFY rather than polling.
        """
        await self._positions.create_table()
        metrics.ACTIVE.labels(self.name).set(0)
        if not await self._lock.acquire(stop, self._lock_poll_seconds):
            return
        self.publishing = True
        metrics.ACTIVE.labels(self.name).set(1)
        listener = asyncio.create_task(self._listen(listen_dsn))
        try:
            while not stop.is_set():
                self._woken.clear()
                read = await self.relay_batch()
                await self.measure_backlog()
                if read == 0:
                    await _first_of(stop, self._woken, self._idle_poll_seconds)
        finally:
            self.publishing = False
            metrics.ACTIVE.labels(self.name).set(0)
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def measure_backlog(self) -> int:
        """Set and return how many notifications wait to be published."""
        last = await asyncio.to_thread(self._source.last_id)
        backlog = max(0, last - await self._positions.get(self.name))
        metrics.BACKLOG.labels(self.name).set(backlog)
        return backlog

    async def relay_batch(self) -> int:
        """Publish the next contiguous run of notifications; how many were read."""
        position = await self._positions.get(self.name)
        notifications = await asyncio.to_thread(
            self._source.select, position, self._batch_size
        )
        ready = _contiguous_after(position, notifications)
        if notifications and not ready:
            ready = await self._settle_gap(position)
        if not ready:
            return 0

        await self._publish(ready)
        await self._positions.set(self.name, ready[-1].id)
        self.published += len(ready)
        metrics.PUBLISHED.labels(self.name).inc(len(ready))
        return len(ready)

    async def _settle_gap(self, position: int) -> Sequence[Notification]:
        """Wait out the writers that may still fill a gap, then read again.

        Ids up to ``issued`` were handed to transactions that took the table's
        lock before asking, and hold it until they end. Those still running
        are among the lock's holders listed after reading ``issued``; once
        these have ended, each id up to ``issued`` committed or rolled back for
        good, so what is missing among them never comes. Writers that come
        later take later ids and are not waited for.
        """
        issued = await self._issued_ids()
        await self._wait_for(await self._writers())
        selected = await asyncio.to_thread(
            self._source.select, position, self._batch_size
        )
        notifications = [n for n in selected if n.id <= issued]
        missing = _missing_ids(position, notifications)
        if missing:
            logger.warning(
                "relay %s passes notification ids %s: their transactions rolled back",
                self.name,
                missing[:10],
            )
        return notifications

    async def _issued_ids(self) -> int:
        cursor = await self._connection.execute(_ISSUED, (self._source.table,))
        row = await cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    async def _writers(self) -> list[str]:
        cursor = await self._connection.execute(_WRITERS, (self._source.table,))
        return [str(row[0]) for row in await cursor.fetchall()]

    async def _wait_for(self, writers: list[str]) -> None:
        """Return once none of these transactions holds the table any more."""
        started = time.monotonic()
        warned = False
        while writers:
            await asyncio.sleep(0.01)
            cursor = await self._connection.execute(
                _STILL_WRITING, (self._source.table, writers)
            )
            writers = [str(row[0]) for row in await cursor.fetchall()]
            waited = time.monotonic() - started
            if writers and not warned and waited > _SLOW_WRITER_SECONDS:
                logger.warning(
                    "relay %s has waited %.0fs at a gap for transactions %s "
                    "that write its events table and neither commit nor roll back",
                    self.name,
                    waited,
                    writers,
                )
                warned = True

    async def _publish(self, notifications: Sequence[Notification]) -> None:
        started = time.monotonic()
        acknowledgements = []
        for notification in notifications:
            envelope = self._to_envelope(self._source.domain_event(notification))
            if envelope is None:
                continue
            acknowledgements.append(
                await self._producer.send(
                    self._topic,
                    value=encode(envelope),
                    key=str(envelope.aggregate_id).encode(),
                )
            )
        await asyncio.gather(*acknowledgements)
        logger.debug(
            "relay %s published %d events up to notification %d in %.3fs",
            self.name,
            len(acknowledgements),
            notifications[-1].id,
            time.monotonic() - started,
        )

    async def _listen(self, dsn: str) -> None:
        while True:
            try:
                await self._listen_once(dsn)
            except OSError as error:
                logger.warning("relay %s lost its LISTEN: %s", self.name, error)
            except Exception as error:
                logger.warning("relay %s lost its LISTEN: %s", self.name, error)
            self._woken.set()
            await asyncio.sleep(1.0)

    async def _listen_once(self, dsn: str) -> None:
        async with await AsyncConnection.connect(dsn, autocommit=True) as listener:
            await listener.execute(
                sql.SQL("LISTEN {}").format(sql.Identifier(self._source.channel))
            )
            async for _ in listener.notifies():
                self._woken.set()


def _contiguous_after(
    position: int, notifications: Sequence[Notification]
) -> Sequence[Notification]:
    expected = position + 1
    for index, notification in enumerate(notifications):
        if notification.id != expected:
            return notifications[:index]
        expected += 1
    return notifications


def _missing_ids(position: int, notifications: Sequence[Notification]) -> list[int]:
    present = {n.id for n in notifications}
    last = notifications[-1].id if notifications else position
    return [i for i in range(position + 1, last) if i not in present]


async def _first_of(stop: asyncio.Event, woken: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(woken.wait())]
    _, pending = await asyncio.wait(
        waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
    )
    for waiter in pending:
        waiter.cancel()


async def run_relay(
    *,
    name: str,
    application: Application[Any],
    topic: str,
    database_dsn: str,
    stop: asyncio.Event,
    to_envelope: ToEnvelope,
    kafka: Mapping[str, Any] | None = None,
    kafka_bootstrap: str | None = None,
) -> None:
    """Run one relay with its own producer and connections until ``stop``.

    ``kafka`` holds the options of :func:`carrel_events.clients.kafka_options`;
    a bare ``kafka_bootstrap`` address serves tests on the local stack.
    """
    if kafka is None and kafka_bootstrap is None:
        raise TypeError("run_relay needs kafka or kafka_bootstrap")
    producer = AIOKafkaProducer(
        **kafka_client_options(kafka or kafka_bootstrap or ""),
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
    )
    await producer.start()
    try:
        async with await AsyncConnection.connect(
            database_dsn, autocommit=True
        ) as connection:
            relay = OutboxRelay(
                name=name,
                source=RelaySource(application),
                topic=topic,
                producer=producer,
                connection=connection,
                to_envelope=to_envelope,
            )
            await relay.run(stop, database_dsn)
    finally:
        await producer.stop()
