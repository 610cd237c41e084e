"""Re-projecting aggregates into the read models from their history on Kafka.

Used where an event reaches the read models after a later event of its
aggregate, which the projection's ledger would take for a duplicate: a
retried dead letter (the partition went on without it), and the events a
rebuild finds in its switch window (the live consumer applied them to the old
indices, and may apply later ones to the new indices first). Each such
aggregate is re-projected from its whole history
(:mod:`carrel_projection.reprojection`), which gives what an in-order replay
gives.

The history is read from the aggregate's partition on Kafka rather than from
the write services' event stores: Kafka is what the projection and a rebuild
read, it holds matching's events too (no event store here has them), and it
holds exactly the events that were relayed. The cost is one read of each
partition concerned from its start, once per repair.
"""

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiokafka import ConsumerRecord, TopicPartition
from carrel_events import DecodeError, decode
from carrel_events.clients import Kafka, kafka_options
from carrel_events.serialisation import DecodedEvent
from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.store import BulkWriteFailed, DocumentStore
from carrel_projection.reprojection import HistoryBehind, reproject
from opensearchpy import AsyncOpenSearch

from carrel_operator import dead_letters as letters
from carrel_operator.adapters.kafka import read_partitions
from carrel_operator.settings import OperatorSettings

logger = logging.getLogger(__name__)

ATTEMPTS = 5

Wanted = Mapping[TopicPartition, set[str]]
"""Aggregate ids to re-project, by the partition that holds their events."""


@dataclass
class ReprojectionReport:
    reprojected: list[str] = field(default_factory=list)
    """Aggregates whose whole history was applied again."""
    events: int = 0
    missing: list[str] = field(default_factory=list)
    """Aggregates with no event in their partition (nothing to apply)."""
    failed: list[str] = field(default_factory=list)
    """Aggregates still racing the live consumer after every attempt."""


async def aggregate_histories(
    bootstrap: Kafka, wanted: Wanted
) -> dict[str, list[DecodedEvent]]:
    """Every event of each wanted aggregate in its partition, oldest first."""
    keys = {a.encode() for ids in wanted.values() for a in ids}

    def ours(record: ConsumerRecord) -> bool:
        # The relays key every event by its aggregate id.
        return record.key is None or record.key in keys

    records = await read_partitions(bootstrap, wanted, ours)
    found: dict[str, list[DecodedEvent]] = {}
    for record in records:
        event = _decoded(record)
        if event is None:
            continue
        aggregate_id = str(event.envelope.aggregate_id)
        if aggregate_id in wanted[TopicPartition(record.topic, record.partition)]:
            found.setdefault(aggregate_id, []).append(event)
    return found


def _decoded(record: ConsumerRecord) -> DecodedEvent | None:
    try:
        return decode(record.value)
    except DecodeError:
        # The consumers dead-lettered it; nothing of it can be applied.
        return None


async def reproject_aggregates(
    client: AsyncOpenSearch, bootstrap: Kafka, prefix: str, wanted: Wanted
) -> ReprojectionReport:
    """Re-project each wanted aggregate into the read models under ``prefix``."""
    report = ReprojectionReport()
    if not any(wanted.values()):
        return report
    store = DocumentStore(client, prefix)
    histories = await aggregate_histories(bootstrap, wanted)
    for partition, aggregate_ids in sorted(wanted.items()):
        for aggregate_id in sorted(aggregate_ids):
            history = histories.get(aggregate_id, [])
            if not history:
                report.missing.append(aggregate_id)
                continue
            applied = await _reproject_one(store, bootstrap, partition, history)
            if applied:
                report.reprojected.append(aggregate_id)
                report.events += applied
            else:
                report.failed.append(aggregate_id)
    return report


async def _reproject_one(
    store: DocumentStore,
    bootstrap: Kafka,
    partition: TopicPartition,
    history: list[DecodedEvent],
) -> int:
    """Events applied again; 0 when every attempt lost a race."""
    aggregate_id = str(history[0].envelope.aggregate_id)
    for attempt in range(ATTEMPTS):
        try:
            await reproject(store, history)
            return len(history)
        except HistoryBehind as error:
            # The live consumer applied an event published after the read.
            logger.info(
                "history of %s grew (%s); reading it again", aggregate_id, error
            )
            fresh = {partition: {aggregate_id}}
            found = await aggregate_histories(bootstrap, fresh)
            history = found.get(aggregate_id, history)
        except BulkWriteFailed as error:
            logger.warning(
                "re-projecting %s raced the live consumer (%s), attempt %d",
                aggregate_id,
                error,
                attempt + 1,
            )
            await asyncio.sleep(0.2 * 2**attempt)
    logger.error("could not re-project %s in %d attempts", aggregate_id, ATTEMPTS)
    return 0


def wanted_by_letters(
    found: list[letters.DeadLetter], group: str
) -> dict[TopicPartition, set[str]]:
    """The aggregates of the letters that ``group`` dead-lettered, by partition."""
    wanted: dict[TopicPartition, set[str]] = {}
    for letter in found:
        event = letter.event()
        partition = letter.original_partition
        if letter.consumer != group or event is None or partition is None:
            continue
        place = TopicPartition(letter.original_topic, partition)
        wanted.setdefault(place, set()).add(str(event.envelope.aggregate_id))
    return wanted


async def retry_and_reproject(
    settings: OperatorSettings,
    chosen: list[letters.DeadLetter],
    *,
    again: bool = False,
) -> tuple[letters.RetryReport, ReprojectionReport]:
    """Retry the letters; re-project the aggregates of the projection's own.

    The copy a retry publishes reaches every consumer of the topic again. The
    projection would take it for a duplicate when a later event of its
    aggregate was applied meanwhile, so the aggregates of the letters the
    projection's group dead-lettered are re-projected from their history too.
    """
    bootstrap = kafka_options(settings)
    ledger = letters.RetryLedger(bootstrap, settings.retry_ledger_topic)
    retried = await letters.retry_letters(bootstrap, chosen, ledger, again=again)
    done = set(retried.retried)
    wanted = wanted_by_letters(
        [x for x in chosen if x.letter_id in done], settings.projection_group
    )
    client = open_client(settings)
    try:
        report = await reproject_aggregates(
            client, bootstrap, settings.index_prefix, wanted
        )
    finally:
        await client.close()
    return retried, report
