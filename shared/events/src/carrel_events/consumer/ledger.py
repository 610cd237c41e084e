"""Which version of each aggregate a consumer has applied, beside its own state.

A consumer claims an event inside the same transaction as its writes; the claim
fails for a version it has already applied, so a redelivered or re-relayed
event changes nothing. Versions may jump (events that stay inside a service
are not relayed), but they never go back on one partition.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    MetaData,
    String,
    Table,
    Uuid,
)
from sqlalchemy.dialects.postgresql import insert

from carrel_events.envelope import Envelope

metadata = MetaData()

applied_versions = Table(
    "carrel_consumer_applied",
    metadata,
    Column("consumer", String(200), primary_key=True),
    Column("aggregate_id", Uuid, primary_key=True),
    Column("version", BigInteger, nullable=False),
)


class AppliedVersions:
    """The per-aggregate high-water mark of one consumer."""

    def __init__(self, consumer: str) -> None:
        self.consumer = consumer

    @staticmethod
    def create_table(connection: Connection) -> None:
        metadata.create_all(connection, tables=[applied_versions])

    def claim(self, connection: Connection, envelope: Envelope) -> bool:
        """Mark the event applied; False when it (or a later one) already was."""
        statement = insert(applied_versions).values(
            consumer=self.consumer,
            aggregate_id=envelope.aggregate_id,
            version=envelope.aggregate_version,
        )
        upsert = statement.on_conflict_do_update(
            index_elements=["consumer", "aggregate_id"],
            set_={"version": statement.excluded.version},
            where=applied_versions.c.version < statement.excluded.version,
        ).returning(applied_versions.c.version)
        return connection.execute(upsert).first() is not None
