"""An aiokafka consumer group that processes in batches and commits by hand.

Offsets are committed only after the handler has processed a batch, so a crash
redelivers rather than loses. Handlers are idempotent (see
:class:`carrel_events.consumer.AppliedVersions`), which makes redelivery
harmless. A batch that fails is retried message by message with backoff; a
message that still fails, or cannot be decoded, goes to ``<topic>.dlq`` with
headers that say why and where it came from, and the partition goes on.

A failure of what the handler depends on (its database or OpenSearch away, a
connection refused or dropped) is no fault of the message: the batch is tried
again, with backoff, for as long as it takes, and nothing goes to the
dead-letter topic. A consumer asked to stop meanwhile leaves the batch
uncommitted for the next one. :func:`is_transient` decides which is which.
"""

import asyncio
import contextlib
import logging
import signal
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
    attempts: int = 4
    first_backoff_seconds: float = 0.2
    max_backoff_seconds: float = 5.0

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


class _Stopping(Exception):
    """The consumer was asked to stop while a dependency was away."""


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runtime: "ConsumerRuntime") -> None:
        self._runtime = runtime

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._runtime.commit_processed(set(revoked))
        self._runtime.forget_lag(revoked)

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
            batches = await self._consumer.getmany(
                timeout_ms=500, max_records=self._max_batch
            )
            try:
                for partition, records in batches.items():
                    await self._process_partition(partition, records)
            except _Stopping:
                logger.warning(
                    "group %s stops while a dependency is away; the batch "
                    "in hand is left for redelivery",
                    self.group,
                )
            await self.commit_processed(None)
            await self._update_lag()

    async def commit_processed(self, partitions: set[TopicPartition] | None) -> None:
        """Commit the processed offsets of ``partitions`` (all when None)."""
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
            # Another member owns the partition now; it will redeliver what we
            # could not commit, and the handler's idempotency absorbs it.
            logger.warning(
                "group %s could not commit %s: %s", self.group, offsets, error
            )
        for tp in offsets:
            self._processed.pop(tp, None)

    async def _process_partition(
        self, partition: TopicPartition, records: Sequence[ConsumerRecord]
    ) -> None:
        deliveries = []
        for record in records:
            delivery = await self._decode(record)
            if delivery is not None:
                deliveries.append(delivery)

        if deliveries:
            try:
                await self._handled_whole(partition, deliveries)
            except Exception as error:
                logger.warning(
                    "group %s batch on %s failed (%s); retrying one by one",
                    self.group,
                    partition,
                    error,
                )
                for delivery in deliveries:
                    await self._process_one(delivery, records)

        metrics.PROCESSED.labels(self.group, partition.topic).inc(len(records))
        self._processed[partition] = records[-1].offset + 1
        self._positions[partition] = records[-1].offset + 1

    async def _handled_whole(
        self, partition: TopicPartition, deliveries: Sequence[Delivery]
    ) -> None:
        """The batch handled, however long a dependency is away; a failure of
        the messages themselves is raised."""
        waited = 0
        while True:
            try:
                await self._handler(deliveries)
                return
            except Exception as error:
                if not is_transient(error):
                    raise
                await self._wait_for_dependency(partition.topic, error, waited)
                waited += 1

    async def _wait_for_dependency(
        self, topic: str, error: Exception, waited: int
    ) -> None:
        if self._stop is not None and self._stop.is_set():
            raise _Stopping from error
        if waited == 0:
            logger.warning(
                "group %s waits for a dependency (%s: %s); nothing is dead-lettered",
                self.group,
                type(error).__name__,
                error,
            )
        metrics.RETRIED.labels(self.group, topic).inc()
        await asyncio.sleep(self._retry.backoff(waited))

    async def _process_one(
        self, delivery: Delivery, records: Sequence[ConsumerRecord]
    ) -> None:
        error: Exception | None = None
        failures = waited = 0
        while failures < self._retry.attempts:
            try:
                await self._handler([delivery])
                return
            except Exception as caught:
                if is_transient(caught):
                    await self._wait_for_dependency(delivery.topic, caught, waited)
                    waited += 1
                    continue
                error = caught
                metrics.RETRIED.labels(self.group, delivery.topic).inc()
                await asyncio.sleep(self._retry.backoff(failures))
                failures += 1
        record = next(r for r in records if r.offset == delivery.offset)
        await self._dead_letter(record, error)

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
        self, record: ConsumerRecord, error: Exception | None
    ) -> None:
        reason = f"{type(error).__name__}: {error}"[:1000]
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
