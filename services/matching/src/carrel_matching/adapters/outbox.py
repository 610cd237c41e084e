"""Matching's outbox: events stored with the writes, published after commit.

A decision and the event that announces it are written in one transaction,
so a crash between commit and publishing loses nothing: the next drain sends
what is left. A crash after Kafka took a message but before its row was
deleted sends it again, which consumers absorb by its aggregate version.
"""

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaProducer
from carrel_events import Envelope, EventPayload, encode
from carrel_events.clients import Kafka, kafka_client_options
from carrel_events.envelope import event_id_for
from sqlalchemy import Connection, Engine, Row, delete, insert, select

from carrel_matching.adapters.tables import outbox

logger = logging.getLogger(__name__)


def record(
    c: Connection,
    topic: str,
    payload: EventPayload,
    *,
    aggregate_id: UUID,
    version: int,
    team_id: UUID,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
) -> Envelope:
    """Store one event in the outbox, inside the caller's transaction."""
    envelope = envelope_for(
        payload,
        aggregate_id=aggregate_id,
        version=version,
        team_id=team_id,
        correlation_id=correlation_id,
        causation_id=causation_id,
    )
    store(c, topic, [envelope])
    return envelope


def envelope_for(
    payload: EventPayload,
    *,
    aggregate_id: UUID,
    version: int,
    team_id: UUID,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
) -> Envelope:
    """The envelope of one of matching's events; its id follows from its version."""
    event_id = event_id_for(aggregate_id, version)
    return Envelope(
        event_id=event_id,
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        aggregate_type=payload.aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=version,
        team_id=team_id,
        occurred_at=datetime.now(UTC),
        correlation_id=correlation_id or event_id,
        causation_id=causation_id or event_id,
        payload=payload.model_dump(mode="json"),
    )


def store(c: Connection, topic: str, envelopes: list[Envelope]) -> None:
    """Store these events in the outbox in one statement, in this order."""
    if not envelopes:
        return
    c.execute(
        insert(outbox),
        [
            {
                "topic": topic,
                "key": str(e.aggregate_id).encode(),
                "value": encode(e),
            }
            for e in envelopes
        ],
    )


class OutboxPublisher:
    """Sends stored events to Kafka in order, then forgets them."""

    def __init__(self, engine: Engine, kafka: Kafka) -> None:
        self._engine = engine
        self._kafka = kafka_client_options(kafka)
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(**self._kafka, enable_idempotence=True)
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def drain(self, batch: int = 500) -> int:
        """Publish everything waiting; the number of events sent."""
        sent = 0
        async with self._lock:
            while rows := await asyncio.to_thread(self._waiting, batch):
                await self._send(rows)
                await asyncio.to_thread(self._forget, [row.id for row in rows])
                sent += len(rows)
        return sent

    def _waiting(self, batch: int) -> list[Row[Any]]:
        with self._engine.connect() as c:
            return list(c.execute(select(outbox).order_by(outbox.c.id).limit(batch)))

    async def _send(self, rows: list[Row[Any]]) -> None:
        assert self._producer is not None, "start() the publisher first"
        futures = [
            await self._producer.send(row.topic, value=row.value, key=row.key)
            for row in rows
        ]
        await asyncio.gather(*futures)
        logger.debug("published %d matching events", len(rows))

    def _forget(self, ids: list[int]) -> None:
        with self._engine.begin() as c:
            c.execute(delete(outbox).where(outbox.c.id.in_(ids)))
