"""A tiny event-sourced application and consumer for testing the backbone.

``Tally`` aggregates record amounts; the consumer adds them up per aggregate in
PostgreSQL. A double application shows as a wrong total, a lost event as a
missing one, so the tests can tell both apart.
"""

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from carrel_events import Catalogue, dead_letter_topic
from carrel_events.catalogue import EventPayload
from carrel_events.consumer import AppliedVersions, Delivery
from carrel_events.settings import eventsourcing_env
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from sqlalchemy import Engine, create_engine, text


class Tally(Aggregate):
    @event("TallyOpened")
    def __init__(self, label: str) -> None:
        self.label = label

    @event("TallyAdded")
    def add(self, amount: int) -> None:
        pass


class TallyOpened(EventPayload):
    event_type = "TallyOpened"
    aggregate_type = "Tally"
    label: str


class TallyAdded(EventPayload):
    event_type = "TallyAdded"
    aggregate_type = "Tally"
    amount: int


def tally_catalogue() -> Catalogue:
    catalogue = Catalogue()
    catalogue.register(TallyOpened, TallyAdded)
    return catalogue


class Tallies(Application[UUID]):
    def open(self, label: str) -> UUID:
        tally = Tally(label)
        self.save(tally)
        return tally.id

    def add(self, tally_id: UUID, amount: int) -> None:
        tally: Tally = self.repository.get(tally_id)
        tally.add(amount)
        self.save(tally)


def tallies_in_schema(pg_dsn: str, database: str, schema: str) -> Tallies:
    env = eventsourcing_env(pg_dsn, database) | {"POSTGRES_SCHEMA": schema}
    return Tallies(env=env)


def schema_dsn(pg_dsn: str, database: str, schema: str) -> str:
    return f"{pg_dsn.rstrip('/')}/{database}?options=-csearch_path%3D{schema}"


def sqlalchemy_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+psycopg://", 1)


@dataclass
class TotalsConsumer:
    """Adds each TallyAdded amount to its tally's total, once per event."""

    engine: Engine
    name: str

    def __post_init__(self) -> None:
        self.ledger = AppliedVersions(self.name)
        with self.engine.begin() as connection:
            AppliedVersions.create_table(connection)
            connection.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS tally_totals ("
                    "tally_id uuid PRIMARY KEY, total bigint NOT NULL, "
                    "events int NOT NULL)"
                )
            )

    async def __call__(self, deliveries: Sequence[Delivery]) -> None:
        await asyncio.to_thread(self._apply, deliveries)

    def _apply(self, deliveries: Sequence[Delivery]) -> None:
        with self.engine.begin() as connection:
            for delivery in deliveries:
                envelope, payload = delivery.event.envelope, delivery.event.payload
                if not isinstance(payload, TallyAdded):
                    continue
                if payload.amount < 0:
                    raise ValueError(f"negative amount {payload.amount}")
                if self.ledger.claim(connection, envelope):
                    connection.execute(
                        _ADD, _add_params(envelope.aggregate_id, payload)
                    )

    def totals(self) -> dict[UUID, tuple[int, int]]:
        with self.engine.connect() as connection:
            rows = connection.execute(text("SELECT * FROM tally_totals"))
            return {row.tally_id: (row.total, row.events) for row in rows}


_ADD = text(
    "INSERT INTO tally_totals VALUES (:tally_id, :amount, 1) "
    "ON CONFLICT (tally_id) DO UPDATE SET "
    "total = tally_totals.total + :amount, events = tally_totals.events + 1"
)


def _add_params(tally_id: UUID, payload: TallyAdded) -> dict[str, Any]:
    return {"tally_id": tally_id, "amount": payload.amount}


def engine_in_schema(pg_dsn: str, database: str, schema: str) -> Engine:
    url = sqlalchemy_url(f"{pg_dsn.rstrip('/')}/{database}")
    return create_engine(
        url, connect_args={"options": f"-csearch_path={schema}"}, pool_size=4
    )


async def create_topic(bootstrap: str, topic: str, partitions: int = 3) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(topic, partitions, 1),
                NewTopic(dead_letter_topic(topic), 1, 1),
            ]
        )
    finally:
        await admin.close()


def python_env() -> dict[str, str]:
    return dict(os.environ)
