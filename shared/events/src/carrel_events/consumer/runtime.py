"""An aiokafka consumer group that processes in batches and commits by hand.

Offsets are committed only after the handler has processed a batch, so a crash
redelivers rather than loses. Handlers are idempotent (see
:class:`carrel_events.consumer.AppliedVersions`), which makes redelivery
harmless. A batch that fails is retried message by message with backoff; a
message that still fails, or cannot be decoded, goes to ``<topic>.dlq`` with
headers that say why and where it came from, and the partition goes on.

A failure of what the handler depends on (its database or OpenSearch away, a
connection refused or dropped) is no fault of the message: the batch is tried
again, with backoff, and by default for as long as it takes (see
:class:`RetryPolicy` for why, for the alert, and for the cap a consumer may
set). A consumer asked to stop meanwhile, or losing its partitions to a
rebalance, leaves the batch uncommitted for the next owner.
:func:`is_transient` decides which failure is which.

A rebalance waits for the batch in hand: the listener that commits on
revocation takes the same lock as processing, so what was processed is
committed before the partitions move, and the next owner re-delivers nothing
that was already applied. A commit that fails (``CommitFailedError`` after the
group moved on, or a broker error) is logged and tried again with the next
commit for the partitions this member still holds; for the others, their new
owner re-delivers and the handler's idempotency absorbs it.
"""

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, KafkaError
from aiokafka.structs import OffsetAndMetadata

from carrel_events.catalogue import Catalogue
from carrel_events.clients import kafka_client_options
from carrel_events.consumer import metrics
from carrel_events.contracts import CATALOGUE
from carrel_events.serialisation import DecodedEvent, DecodeError, decode
from carrel_events.topics import dead_letter_topic

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """One decoded event and where on Kafka it was read."""

    topic: str
    partition: int
    offset: int
    event: DecodedEvent


Handler = Callable[[Sequence[Delivery]], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often a message is tried again, and how long a dependency is awaited.

    ``attempts`` bounds the tries of a message that fails by itself. A failing
    dependency is awaited with the same backoff, by default as long as it is
    away (``give_up_after_seconds=None``): dead-lettering sound messages during
    an outage would apply each aggregate's later events before its earlier
    ones and leave a person to replay them all. The wait is never silent: a
    warning every ``warn_every_seconds`` and the gauge
    ``carrel_consumer_dependency_wait_seconds`` show it, for an alert. A
    consumer that would rather go on sets ``give_up_after_seconds``: a message
    still failing that long after the wait began is dead-lettered, its reason
    saying so.
    """

    attempts: int = 4
    first_backoff_seconds: float = 0.2
    max_backoff_seconds: float = 5.0
    give_up_after_seconds: float | None = None
    warn_every_seconds: float = 60.0

    def backoff(self, attempt: int) -> float:
        delay: float = self.first_backoff_seconds * 2**attempt
        return min(delay, self.max_backoff_seconds)


# Failures of a dependency rather than of the message, by class name: the
# runtime knows no database or search client, and each library names its own
# (builtins' and opensearch-py's ConnectionError, psycopg's and SQLAlchemy's
# OperationalError, opensearch-py's ConnectionTimeout, psycopg_pool's
# PoolTimeout, asyncio's TimeoutError).
TRANSIENT_NAMES = frozenset(
    {
        "ConnectionError",
        "ConnectionTimeout",
        "OperationalError",
        "InterfaceError",
        "PoolTimeout",
        "TimeoutError",
        "KafkaConnectionError",
    }
)
# Answers of a server that is up but overloaded or on its way back.
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})


def is_transient(error: BaseException) -> bool:
    """Whether a failure lies in a dependency, not in the message handled."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        names = {kind.__name__ for kind in type(current).__mro__}
        if names & TRANSIENT_NAMES:
            return True
        if getattr(current, "status_code", None) in TRANSIENT_STATUSES:
            return True
        current = current.__cause__ or current.__context__
    return False


class _LeaveBatch(Exception):
    """The consumer stops, or loses its partitions, while a dependency is away."""


@dataclass
class _DependencyWait:
    """How long the batch of one partition has waited for a dependency."""

    group: str
    topic: str
    retry: RetryPolicy
    started: float | None = None
    waits: int = 0
    warned_at: float = 0.0

    @property
    def seconds(self) -> float:
        return 0.0 if self.started is None else time.monotonic() - self.started

    def exhausted(self) -> bool:
        limit = self.retry.give_up_after_seconds
        return limit is not None and self.started is not None and self.seconds >= limit

    def note(self, error: Exception) -> float:
        """Count one more wait, warn when it is time; the seconds to back off."""
        now = time.monotonic()
        if self.started is None:
            self.started = self.warned_at = now
            logger.warning(
                "group %s waits for a dependency on %s (%s: %s); %s",
                self.group,
                self.topic,
                type(error).__name__,
                error,
                self._outcome(),
            )
        elif now - self.warned_at >= self.retry.warn_every_seconds:
            self.warned_at = now
            logger.warning(
                "group %s has waited %.0fs for a dependency on %s (%s: %s)",
                self.group,
                now - self.started,
                self.topic,
                type(error).__name__,
                error,
            )
        metrics.RETRIED.labels(self.group, self.topic).inc()
        metrics.DEPENDENCY_WAIT.labels(self.group, self.topic).set(now - self.started)
        self.waits += 1
        return self.retry.backoff(self.waits - 1)

    def end(self) -> None:
        if self.started is not None:
            metrics.DEPENDENCY_WAIT.labels(self.group, self.topic).set(0)

    def _outcome(self) -> str:
        limit = self.retry.give_up_after_seconds
        if limit is None:
            return "nothing is dead-lettered while it is away"
        return f"a message still failing after {limit:.0f}s is dead-lettered"


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runtime: "ConsumerRuntime") -> None:
        self._runtime = runtime

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._runtime.hand_over(set(revoked))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        logger.info("group %s assigned %s", self._runtime.group, sorted(assigned))


class ConsumerRuntime:
    """Runs one consumer group over some topics with one batch handler."""

    def __init__(
        self,
        *,
        group: str,
        topics: Sequence[str],
        handler: Handler,
        kafka: Mapping[str, Any] | None = None,
        bootstrap_servers: str | None = None,
        catalogue: Catalogue = CATALOGUE,
        retry: RetryPolicy = RetryPolicy(),
        max_batch: int = 500,
        client_id: str | None = None,
    ) -> None:
        self.group = group
        self._topics = list(topics)
        self._handler = handler
        self._catalogue = catalogue
        self._retry = retry
        self._max_batch = max_batch
        if kafka is None and bootstrap_servers is None:
            raise TypeError("a consumer runtime needs kafka or bootstrap_servers")
        # ``kafka`` is carrel_events.clients.kafka_options(settings): TLS, SASL.
        self._kafka = kafka_client_options(kafka or bootstrap_servers or "")
        self._client_id = client_id or group
        self._stopped = False
        self._stop: asyncio.Event | None = None
        self._processed: dict[TopicPartition, int] = {}
        self._positions: dict[TopicPartition, int] = {}
        # Held while a fetched batch is processed and committed; a revocation
        # takes it too, so it waits for the batch in hand.
        self._processing = asyncio.Lock()
        self._revocations = 0
        self._revoking = False

    async def start(self) -> None:
        """Make the Kafka clients (inside the running loop) and join the group."""
        self._consumer = AIOKafkaConsumer(
            **self._kafka,
            group_id=self.group,
            client_id=self._client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        self._dead_letters = AIOKafkaProducer(**self._kafka, enable_idempotence=True)
        await self._dead_letters.start()
        self._consumer.subscribe(self._topics, listener=_CommitOnRevoke(self))
        await self._consumer.start()

    async def stop(self) -> None:
        """Commit what was processed, leave the group, close the clients."""
        if self._stopped:
            return
        self._stopped = True
        try:
            await self.commit_processed(None)
        finally:
            await self._consumer.stop()
            await self._dead_letters.stop()

    def assignment(self) -> set[TopicPartition]:
        """The partitions this member holds now."""
        return set(self._consumer.assignment())

    async def run(self, stop: asyncio.Event) -> None:
        """Process batches until ``stop`` is set; the caller starts and stops."""
        self._stop = stop
        while not stop.is_set():
            revocations = self._revocations
            batches = await self._consumer.getmany(
                timeout_ms=500, max_records=self._max_batch
            )
            async with self._processing:
                if self._revocations == revocations:
                    await self._process(batches)
                else:
                    self._fetch_again(batches)
                await self.commit_processed(None)
            await self._update_lag()

    async def _process(
        self, batches: Mapping[TopicPartition, Sequence[ConsumerRecord]]
    ) -> None:
        try:
            for partition, records in batches.items():
                await self._process_partition(partition, records)
        except _LeaveBatch:
            logger.warning(
                "group %s stops or hands its partitions over while a dependency "
                "is away; the batch in hand is left for redelivery",
                self.group,
            )

    def _fetch_again(
        self, batches: Mapping[TopicPartition, Sequence[ConsumerRecord]]
    ) -> None:
        """Leave a batch fetched across a rebalance to whoever holds it now.

        Its partitions may have moved to another member. A partition held
        again is read again from the batch's first record: the fetch may have
        come after the new assignment, and nothing before it is unprocessed.
        """
        held = self.assignment()
        for partition, records in batches.items():
            if partition in held and records:
                self._consumer.seek(partition, records[0].offset)

    async def hand_over(self, revoked: set[TopicPartition]) -> None:
        """Before partitions move: finish the batch in hand and commit it."""
        self._revocations += 1
        self._revoking = True
        try:
            async with self._processing:
                await self.commit_processed(revoked)
        finally:
            self._revoking = False
        for tp in revoked:
            self._processed.pop(tp, None)
        self.forget_lag(list(revoked))

    async def commit_processed(self, partitions: set[TopicPartition] | None) -> None:
        """Commit the processed offsets of ``partitions`` (all when None).

        Offsets of partitions this member no longer holds are dropped: their
        new owner re-delivers from the last commit. Those of a failed commit
        stay, to be tried again with the next one.
        """
        held = self.assignment()
        for tp in set(self._processed) - held:
            del self._processed[tp]
        offsets = {
            tp: OffsetAndMetadata(offset, "")
            for tp, offset in self._processed.items()
            if partitions is None or tp in partitions
        }
        if not offsets:
            return
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as error:
            metrics.COMMIT_FAILED.labels(self.group).inc()
            logger.warning(
                "group %s could not commit %s (%s: %s); it tries again with its "
                "next commit, and a new owner of the partitions re-delivers",
                self.group,
                offsets,
                type(error).__name__,
                error,
            )
            return
        for tp, committed in offsets.items():
            if self._processed.get(tp) == committed.offset:
                del self._processed[tp]

    async def _process_partition(
        self, partition: TopicPartition, records: Sequence[ConsumerRecord]
    ) -> None:
        deliveries = []
        for record in records:
            delivery = await self._decode(record)
            if delivery is not None:
                deliveries.append(delivery)

        if deliveries:
            wait = _DependencyWait(self.group, partition.topic, self._retry)
            try:
                await self._process_deliveries(partition, deliveries, records, wait)
            finally:
                wait.end()

        metrics.PROCESSED.labels(self.group, partition.topic).inc(len(records))
        self._processed[partition] = records[-1].offset + 1
        self._positions[partition] = records[-1].offset + 1

    async def _process_deliveries(
        self,
        partition: TopicPartition,
        deliveries: Sequence[Delivery],
        records: Sequence[ConsumerRecord],
        wait: _DependencyWait,
    ) -> None:
        try:
            await self._handled_whole(deliveries, wait)
        except _LeaveBatch:
            raise
        except Exception as error:
            logger.warning(
                "group %s batch on %s failed (%s); retrying one by one",
                self.group,
                partition,
                error,
            )
            for delivery in deliveries:
                await self._process_one(delivery, records, wait)

    async def _handled_whole(
        self, deliveries: Sequence[Delivery], wait: _DependencyWait
    ) -> None:
        """The batch handled, as long as a dependency is awaited; a failure of
        the messages themselves, or a wait given up, is raised."""
        while True:
            try:
                await self._handler(deliveries)
                return
            except Exception as error:
                if not is_transient(error) or wait.exhausted():
                    raise
                await self._wait_for_dependency(wait, error)

    async def _wait_for_dependency(
        self, wait: _DependencyWait, error: Exception
    ) -> None:
        if self._revoking or (self._stop is not None and self._stop.is_set()):
            raise _LeaveBatch from error
        await asyncio.sleep(wait.note(error))

    async def _process_one(
        self,
        delivery: Delivery,
        records: Sequence[ConsumerRecord],
        wait: _DependencyWait,
    ) -> None:
        error: Exception | None = None
        reason: str | None = None
        failures = 0
        while failures < self._retry.attempts:
            try:
                await self._handler([delivery])
                return
            except Exception as caught:
                error = caught
                if is_transient(caught):
                    if wait.exhausted():
                        reason = f"gave up after waiting {wait.seconds:.0f}s for a "
                        reason += f"dependency: {type(caught).__name__}: {caught}"
                        break
                    await self._wait_for_dependency(wait, caught)
                    continue
                metrics.RETRIED.labels(self.group, delivery.topic).inc()
                await asyncio.sleep(self._retry.backoff(failures))
                failures += 1
        record = next(r for r in records if r.offset == delivery.offset)
        await self._dead_letter(record, error, reason)

    async def _decode(self, record: ConsumerRecord) -> Delivery | None:
        try:
            event = decode(record.value, self._catalogue)
        except DecodeError as error:
            await self._dead_letter(record, error)
            return None
        if event is None:
            return None
        return Delivery(record.topic, record.partition, record.offset, event)

    async def _dead_letter(
        self, record: ConsumerRecord, error: Exception | None, reason: str | None = None
    ) -> None:
        reason = (reason or f"{type(error).__name__}: {error}")[:1000]
        headers = [
            ("carrel-error", reason.encode()),
            ("carrel-error-type", type(error).__name__.encode()),
            ("carrel-consumer", self.group.encode()),
            ("carrel-original-topic", record.topic.encode()),
            ("carrel-original-partition", str(record.partition).encode()),
            ("carrel-original-offset", str(record.offset).encode()),
        ]
        await self._dead_letters.send_and_wait(
            dead_letter_topic(record.topic),
            value=record.value,
            key=record.key,
            headers=headers,
        )
        metrics.FAILED.labels(self.group, record.topic).inc()
        logger.error(
            "group %s dead-lettered %s[%d]@%d: %s",
            self.group,
            record.topic,
            record.partition,
            record.offset,
            reason,
        )

    async def _update_lag(self) -> None:
        """Lag per held partition: the end of the log minus what we processed.

        The end is the high-water mark of the last fetch, so a partition not
        fetched from yet is left out rather than guessed.
        """
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)
            if highwater is None:
                continue
            if tp not in self._positions:
                self._positions[tp] = await self._consumer.position(tp)
            metrics.LAG.labels(self.group, tp.topic, str(tp.partition)).set(
                max(0, highwater - self._positions[tp])
            )

    def forget_lag(self, partitions: Sequence[TopicPartition]) -> None:
        """Stop reporting partitions another member holds now."""
        for tp in partitions:
            self._positions.pop(tp, None)
            with contextlib.suppress(KeyError):
                metrics.LAG.remove(self.group, tp.topic, str(tp.partition))


async def run_until_signalled(
    runtime: ConsumerRuntime, on_stop: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Run a consumer until SIGTERM or SIGINT, then stop it gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await runtime.start()
    try:
        await runtime.run(stop)
    finally:
        await runtime.stop()
        if on_stop is not None:
            await on_stop()
