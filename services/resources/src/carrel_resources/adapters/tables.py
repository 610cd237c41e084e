"""The service's own tables beside its event store (SQLAlchemy Core).

Files are kept by content hash, so storing the same bytes twice is a no-op and
a file whose event never got recorded costs only its space. The directory and
the learning goals are copies of other services' events, kept idempotent by
:class:`carrel_events.consumer.AppliedVersions` in the same transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from carrel_events.consumer import AppliedVersions
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    create_engine,
    text,
)

metadata = MetaData()

stored_files = Table(
    "resources_stored_file",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("media_type", String(200), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

team_members = Table(
    "resources_team_member",
    metadata,
    Column("team_id", Uuid, primary_key=True),
    Column("member_id", Uuid, primary_key=True),
    Column("roles", ARRAY(String(40)), nullable=False),
)

groups = Table(
    "resources_group",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("team_id", Uuid, nullable=False, index=True),
    Column("archived", Boolean, nullable=False, default=False),
)

group_members = Table(
    "resources_group_member",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("member_id", Uuid, primary_key=True),
)

learning_goals = Table(
    "resources_learning_goals",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("skill_ids", ARRAY(String(120)), nullable=False),
)

welcome_lists = Table(
    "resources_welcome_list",
    metadata,
    Column("team_id", Uuid, primary_key=True),
    Column("resource_ids", ARRAY(Uuid), nullable=False),
    Column("chosen_by", Uuid, nullable=False),
)
"""Each team's welcome resources, as its settings last named them, and who did."""


def connect(database_url: str, schema: str | None = None) -> Engine:
    """An engine on the service's database, inside ``schema`` when one is given."""
    options = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(database_url, connect_args=options, pool_pre_ping=True)


DDL_LOCK = 0x636172_72656C_7273
"""The advisory lock key under which a process of the service creates tables."""


@contextmanager
def creating_tables(engine: Engine) -> Iterator[None]:
    """Create missing tables while holding the service's DDL lock.

    The HTTP server, the relay and the consumer all start at once on a fresh
    database; PostgreSQL's ``CREATE TABLE IF NOT EXISTS`` is not safe when two
    sessions run it together (one fails on a duplicate type). The lock makes
    them take turns. The block runs under the lock too, so that the event
    store's own tables, made when the application is built, are covered.
    """
    with engine.connect() as session:
        session.execute(text("SELECT pg_advisory_lock(:key)"), {"key": DDL_LOCK})
        session.commit()
        try:
            with engine.begin() as connection:
                metadata.create_all(connection)
                AppliedVersions.create_table(connection)
            yield
        finally:
            session.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": DDL_LOCK})
            session.commit()


def create_tables(engine: Engine) -> None:
    """Create the service's missing tables; safe when processes race."""
    with creating_tables(engine):
        pass
