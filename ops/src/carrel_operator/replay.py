"""Replaying topics from their start into a projection, up to given marks.

A rebuild and the determinism check feed the projection's own batch handler
(:class:`carrel_projection.application.Projection`) from partitions assigned
by hand rather than through :class:`ConsumerRuntime`, for two reasons: the
rebuild must know exactly how far it got when it switches the aliases, and
a replay must not dead-letter again what the live consumer already
dead-lettered (a second copy in the DLQ would be retried twice). Positions
are still committed to a group of the replay's own so that ``carrel-ops lag``
shows its progress.

Failures are told apart as the consumer runtime tells them apart
(:func:`carrel_events.consumer.runtime.is_transient`): while a dependency is
away (OpenSearch down, a connection dropped) the replay waits, with backoff,
for as long as it takes, and skips nothing. A message that cannot be decoded
is skipped (the live group dead-lettered it). An event the handler itself
rejects, attempt after attempt, is skipped and listed in ``failed``; a
rebuild refuses to switch while that list is not empty, since the read models
would lack the event.
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from carrel_events import DecodeError, decode
from carrel_events.clients import Kafka
from carrel_events.consumer import Delivery
from carrel_events.consumer.runtime import Handler, RetryPolicy, is_transient

from carrel_operator.adapters.kafka import Marks, partitions_of, standalone_consumer
from carrel_operator.progress import Progress, quiet

logger = logging.getLogger(__name__)

ATTEMPTS = 3
COMMIT_EVERY_SECONDS = 2.0
BACKOFF = RetryPolicy(first_backoff_seconds=0.2, max_backoff_seconds=5.0)


Aggregates = dict[TopicPartition, set[str]]
"""Aggregate ids by the partition their events were read from."""


@dataclass(frozen=True)
class FailedEvent:
    """An event the handler rejected at every attempt (not a dependency outage)."""

    topic: str
    partition: int
    offset: int
    event_id: str
    error: str

    def __str__(self) -> str:
        place = f"{self.topic}[{self.partition}]@{self.offset}"
        return f"{place} (event {self.event_id}): {self.error}"


class Replay:
    """Feeds every partition of some topics, from the start, to one handler."""

    def __init__(
        self,
        *,
        bootstrap: Kafka,
        topics: Sequence[str],
        handler: Handler,
        group: str,
        max_batch: int = 1000,
    ) -> None:
        self.group = group
        self._bootstrap = bootstrap
        self._topics = list(topics)
        self._handler = handler
        self._max_batch = max_batch
        self.applied = 0
        self.undecodable = 0
        """Messages that were not envelopes (the live group dead-lettered them)."""
        self.failed: list[FailedEvent] = []
        """Events the handler rejected at every attempt."""
        self._committed_at = 0.0

    @property
    def skipped(self) -> int:
        """Messages not applied: undecodable, or failed."""
        return self.undecodable + len(self.failed)

    async def start(self) -> None:
        """Assign every partition and go to its beginning."""
        self._consumer: AIOKafkaConsumer = standalone_consumer(
            self._bootstrap, group_id=self.group, max_poll_records=self._max_batch
        )
        await self._consumer.start()
        self._partitions = await partitions_of(self._consumer, self._topics)
        self._consumer.assign(self._partitions)
        await self._consumer.seek_to_beginning(*self._partitions)

    async def stop(self) -> None:
        try:
            await self.commit()
        finally:
            await self._consumer.stop()

    async def marks(self) -> Marks:
        """The end of every partition now: what a catch-up must reach."""
        ends = await self._consumer.end_offsets(self._partitions)
        return dict(ends)

    async def positions(self) -> Marks:
        return {tp: await self._consumer.position(tp) for tp in self._partitions}

    async def commit(self) -> None:
        await self._consumer.commit(await self.positions())
        self._committed_at = time.monotonic()

    async def catch_up(
        self,
        marks: Marks,
        progress: Progress = quiet,
        *,
        apply: bool = True,
        aggregates: Aggregates | None = None,
    ) -> int:
        """Apply every message before ``marks``; how many messages were read.

        With ``apply`` false the messages are only read; ``aggregates``, when
        given, collects the aggregate ids of the events read, by partition.
        """
        before = await self.positions()
        total = sum(max(0, marks[tp] - before[tp]) for tp in marks)
        read = 0
        while behind := await self._behind(marks):
            self._consumer.resume(*behind)
            batches = await self._consumer.getmany(
                *behind, timeout_ms=500, max_records=self._max_batch
            )
            for tp, records in batches.items():
                read += await self._take(tp, records, marks[tp], apply, aggregates)
            progress(min(read, total), total)
            if time.monotonic() - self._committed_at > COMMIT_EVERY_SECONDS:
                await self.commit()
        return read

    async def _behind(self, marks: Marks) -> list[TopicPartition]:
        behind = []
        for tp, mark in marks.items():
            if await self._consumer.position(tp) < mark:
                behind.append(tp)
            else:
                self._consumer.pause(tp)
        return behind

    async def _take(
        self,
        tp: TopicPartition,
        records: Sequence[ConsumerRecord],
        mark: int,
        apply: bool,
        aggregates: Aggregates | None,
    ) -> int:
        wanted = [r for r in records if r.offset < mark]
        if len(wanted) < len(records):
            # The fetch ran past the mark: come back to it for the next pass.
            self._consumer.seek(tp, mark)
        deliveries = [d for r in wanted if (d := self._decoded(r)) is not None]
        if aggregates is not None:
            ids = {str(d.event.envelope.aggregate_id) for d in deliveries}
            aggregates.setdefault(tp, set()).update(ids)
        if apply and deliveries:
            await self._handle(deliveries)
        return len(wanted)

    def _decoded(self, record: ConsumerRecord) -> Delivery | None:
        try:
            event = decode(record.value)
        except DecodeError as error:
            self.undecodable += 1
            logger.warning(
                "replay %s skips %s[%d]@%d: %s (the live group dead-lettered it)",
                self.group,
                record.topic,
                record.partition,
                record.offset,
                error,
            )
            return None
        if event is None:
            return None
        return Delivery(record.topic, record.partition, record.offset, event)

    async def _handle(self, deliveries: Sequence[Delivery]) -> None:
        if await self._attempt(deliveries) is None:
            self.applied += len(deliveries)
            return
        for delivery in deliveries:
            error = await self._attempt([delivery])
            if error is None:
                self.applied += 1
                continue
            failed = FailedEvent(
                delivery.topic,
                delivery.partition,
                delivery.offset,
                str(delivery.event.envelope.event_id),
                f"{type(error).__name__}: {error}"[:500],
            )
            self.failed.append(failed)
            logger.error("replay %s could not apply %s", self.group, failed)

    async def _attempt(self, deliveries: Sequence[Delivery]) -> Exception | None:
        """None once handled; the last error after ``ATTEMPTS`` rejections.

        A dependency's failure counts as no attempt: it is waited out.
        """
        failures = waited = 0
        while True:
            try:
                await self._handler(deliveries)
                return None
            except Exception as error:
                if is_transient(error):
                    self._waiting(error, waited)
                    await asyncio.sleep(BACKOFF.backoff(waited))
                    waited += 1
                    continue
                failures += 1
                logger.warning(
                    "replay %s batch of %d failed (%s), attempt %d",
                    self.group,
                    len(deliveries),
                    error,
                    failures,
                )
                if failures >= ATTEMPTS:
                    return error
                await asyncio.sleep(BACKOFF.backoff(failures - 1))

    def _waiting(self, error: Exception, waited: int) -> None:
        # Once at the start of an outage, then about every minute.
        if waited % 15 == 0:
            logger.warning(
                "replay %s waits for a dependency (%s: %s); nothing is skipped",
                self.group,
                type(error).__name__,
                error,
            )
