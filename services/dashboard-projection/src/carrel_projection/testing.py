"""What the projection's tests and benchmark share: scripted events, Kafka help.

:class:`EventScript` records envelopes as the write services would publish
them (each aggregate's versions counting up from 1), built from the contracts
so that a contract change breaks the tests rather than the read models.
"""

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from carrel_events import Envelope, EventPayload, Topic, encode
from carrel_events.envelope import event_id_for
from opensearchpy import AsyncOpenSearch
from opensearchpy.helpers import async_scan

from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.domain.documents import Document, Model
from carrel_projection.entrypoints.consumer import run_projection
from carrel_projection.settings import ProjectionSettings

TOPIC_OF_AGGREGATE = {
    "Profile": Topic.PROFILE,
    "Team": Topic.TEAMS,
    "Invitation": Topic.TEAMS,
    "Group": Topic.TEAMS,
    "Mentorship": Topic.TEAMS,
    "Resource": Topic.RESOURCES,
    "Material": Topic.RESOURCES,
    "Share": Topic.RESOURCES,
    "ResourceProgress": Topic.RESOURCES,
}


@dataclass
class EventScript:
    """Envelopes in the order the write services recorded them."""

    start: datetime = field(default_factory=lambda: datetime(2025, 3, 1, tzinfo=UTC))
    recorded: list[Envelope] = field(default_factory=list)
    _versions: dict[UUID, int] = field(default_factory=lambda: defaultdict(int))

    def record(
        self,
        payload: EventPayload,
        aggregate_id: UUID,
        team_id: UUID | None = None,
        at: datetime | None = None,
    ) -> Envelope:
        self._versions[aggregate_id] += 1
        version = self._versions[aggregate_id]
        event_id = event_id_for(aggregate_id, version)
        envelope = Envelope(
            event_id=event_id,
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            aggregate_type=payload.aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            team_id=team_id,
            occurred_at=at or self.start + timedelta(minutes=len(self.recorded)),
            correlation_id=event_id,
            causation_id=event_id,
            payload=payload.model_dump(mode="json"),
        )
        self.recorded.append(envelope)
        return envelope


def topic_for(envelope: Envelope, topics: dict[Topic, str]) -> str:
    """The topic (renamed by ``topics``) a write service would publish to."""
    kind = TOPIC_OF_AGGREGATE.get(envelope.aggregate_type, Topic.MATCHING)
    return topics[kind]


async def publish(
    bootstrap: str, envelopes: list[Envelope], topics: dict[Topic, str]
) -> None:
    """Send envelopes keyed by aggregate id, as the relays do."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for envelope in envelopes:
            key = str(envelope.aggregate_id).encode()
            await producer.send(topic_for(envelope, topics), encode(envelope), key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def create_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        new = [NewTopic(n, num_partitions=3, replication_factor=1) for n in names]
        dead = [
            NewTopic(n + ".dlq", num_partitions=1, replication_factor=1) for n in names
        ]
        await admin.create_topics(new + dead)
    finally:
        await admin.close()


def unique_topics(label: str) -> dict[Topic, str]:
    suffix = uuid4().hex[:10]
    return {kind: f"test.{label}.{kind.name.lower()}.{suffix}" for kind in Topic}


async def wait_until_drained(
    bootstrap: str, group: str, topics: list[str], seconds: float = 60
) -> None:
    """Wait until ``group`` has committed every partition to its end."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await admin.start()
    await probe.start()
    try:
        partitions = [
            TopicPartition(t, p)
            for t in topics
            for p in (probe.partitions_for_topic(t) or await _partitions(probe, t))
        ]
        ends = await probe.end_offsets(partitions)
        async with asyncio.timeout(seconds):
            # Kafka offers no notification of commits: poll them.
            while not await _committed_to(admin, group, ends):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    finally:
        await probe.stop()
        await admin.close()


async def _partitions(probe: AIOKafkaConsumer, topic: str) -> set[int]:
    await probe._client.force_metadata_update()
    return probe.partitions_for_topic(topic) or set()


async def _committed_to(
    admin: AIOKafkaAdminClient, group: str, ends: dict[TopicPartition, int]
) -> bool:
    try:
        committed = await admin.list_consumer_group_offsets(group)
    except KafkaError as error:
        # On a new cluster the group coordinator may still be loading its
        # partition of the offsets topic: that is "not yet", not a failure.
        if not error.retriable:
            raise
        return False
    return all(
        end == 0 or (tp in committed and committed[tp].offset >= end)
        for tp, end in ends.items()
    )


async def snapshot(
    client: AsyncOpenSearch,
    prefix: str,
    models: tuple[Model, ...] | None = None,
    without: tuple[str, ...] = ("updated_at",),
) -> dict[str, dict[str, Document]]:
    """Every document of every read model (but the change signals), by id.

    ``updated_at`` is left out by default: it is the time of the latest event
    that changed a document, and with events of several partitions the one
    processed last may differ from one run to the next.
    """
    wanted = models or tuple(d.model for d in DEFINITIONS if d.model != Model.CHANGES)
    await client.indices.refresh(index=",".join(f"{prefix}-{m.value}" for m in wanted))
    models_docs: dict[str, dict[str, Document]] = {}
    for model in wanted:
        query: dict[str, Any] = {"query": {"match_all": {}}}
        hits = async_scan(client, query=query, index=f"{prefix}-{model.value}")
        models_docs[model.value] = {
            hit["_id"]: {k: v for k, v in hit["_source"].items() if k not in without}
            async for hit in hits
        }
    return models_docs


@contextlib.asynccontextmanager
async def projecting(settings: ProjectionSettings) -> AsyncIterator[None]:
    """The projection consumer running as a task while the block runs."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_projection(settings, stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
