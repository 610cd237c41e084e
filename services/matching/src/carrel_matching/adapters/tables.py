"""Matching's own tables (SQLAlchemy Core), beside the consumer's ledger.

People's profile sections and teams' memberships are copies of other
services' events; candidate lists, pairing previews and the outbox are what
matching decides. Every write of one batch of events happens in one
transaction with :class:`carrel_events.consumer.AppliedVersions`.
"""

from carrel_events.consumer import AppliedVersions
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    create_engine,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

people = Table(
    "matching_person",
    metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("features", JSONB, nullable=False),
)

teams = Table(
    "matching_team",
    metadata,
    Column("team_id", Uuid, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("settings", JSONB, nullable=False),
    Column("generation", BigInteger, nullable=False, default=0),
)

memberships = Table(
    "matching_membership",
    metadata,
    Column("team_id", Uuid, primary_key=True),
    Column("person_id", Uuid, primary_key=True, index=True),
    Column("roles", ARRAY(String(20)), nullable=False),
    Column("capacity", Integer, nullable=True),
)

mentor_pauses = Table(
    "matching_mentor_pause",
    metadata,
    Column("team_id", Uuid, primary_key=True),
    Column("person_id", Uuid, primary_key=True, index=True),
    Column("expired_requests", Integer, nullable=False),
)
"""Mentors a team paused (``MentorPaused``) until they resume. A table of its
own rather than a column of memberships, so that ``create_all`` adds it to a
database made before pauses were read."""

consortium_teams = Table(
    "matching_consortium_team",
    metadata,
    Column("consortium_id", Uuid, primary_key=True),
    Column("member_team_id", Uuid, primary_key=True, index=True),
    Column("consented", Boolean, nullable=False, default=False),
)

mentorships = Table(
    "matching_mentorship",
    metadata,
    Column("mentorship_id", Uuid, primary_key=True),
    Column("team_id", Uuid, nullable=False, index=True),
    Column("mentor_id", Uuid, nullable=False, index=True),
    Column("mentee_id", Uuid, nullable=False, index=True),
    Column("state", String(20), nullable=False),
)

candidates = Table(
    "matching_candidate",
    metadata,
    Column("team_id", Uuid, primary_key=True),
    Column("mentee_id", Uuid, primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("mentor_id", Uuid, nullable=False, index=True),
    Column("score", Float, nullable=False),
    Column("base_score", Float, nullable=False),
    Column("damping", Float, nullable=False),
    Column("breakdown", JSONB, nullable=False),
    Column("reasons", JSONB, nullable=False),
)

candidate_lists = Table(
    "matching_candidate_list",
    metadata,
    Column("team_id", Uuid, primary_key=True),
    Column("mentee_id", Uuid, primary_key=True),
    Column("version", BigInteger, nullable=False),
)

pairings = Table(
    "matching_pairing",
    metadata,
    Column("pairing_id", Uuid, primary_key=True),
    Column("team_id", Uuid, nullable=False, index=True),
    Column("preview", JSONB, nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published", Boolean, nullable=False, default=False),
)

outbox = Table(
    "matching_outbox",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("topic", String(200), nullable=False),
    Column("key", LargeBinary, nullable=False),
    Column("value", LargeBinary, nullable=False),
)


def connect(database_url: str, schema: str | None = None) -> Engine:
    """An engine on the service's database, inside ``schema`` when one is given."""
    options = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(database_url, connect_args=options, pool_pre_ping=True)


def create_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        metadata.create_all(connection)
        AppliedVersions.create_table(connection)
