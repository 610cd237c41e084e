"""Event recorders that also write the mailer outbox and the request deadlines.

Both tables change in the same transaction as the events that cause them:
``Application.save(..., mailer_messages=[...], request_deadlines={...})``
passes them down to the recorder, so an invitation is never recorded without
its outbox row, nor a mentorship request without its deadline. The PostgreSQL
recorder hooks ``_insert_events``, the step the eventsourcing library runs
inside its insert transaction (its own process recorder writes tracking
records there the same way).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

Deadlines = dict[UUID, tuple[UUID, datetime] | None]
"""Mentorship id to (team id, expiry) to set, or None to clear."""


@dataclass(frozen=True)
class MailerMessage:
    """An invitation the mailer is to send; it holds the address and the link."""

    invitation_id: UUID
    team_id: UUID
    email: str
    name: str
    link: str
    created_at: datetime
    sent_at: datetime | None = None


def _messages(kwargs: dict[str, Any]) -> Sequence[MailerMessage]:
    return kwargs.get("mailer_messages") or ()


def _deadlines(kwargs: dict[str, Any]) -> Deadlines:
    return kwargs.get("request_deadlines") or {}


class TeamsPostgresRecorder(PostgresApplicationRecorder):
    """The PostgreSQL event store with the teams service's two side tables."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql_create_statements.extend(
            self._sql(text) for text in (_CREATE_OUTBOX, _CREATE_DEADLINES, _INDEX)
        )

    def _sql(self, text: str) -> Composed:
        return SQL(text).format(schema=Identifier(self.datastore.schema))

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        messages = [
            (m.invitation_id, m.team_id, m.email, m.name, m.link, m.created_at)
            for m in _messages(kwargs)
        ]
        if messages:
            curs.executemany(self._sql(_INSERT_MESSAGE), messages)
        deadlines = _deadlines(kwargs)
        to_set = [(m, *value) for m, value in deadlines.items() if value is not None]
        to_clear = [(m,) for m, value in deadlines.items() if value is None]
        if to_set:
            curs.executemany(self._sql(_UPSERT_DEADLINE), to_set)
        if to_clear:
            curs.executemany(self._sql(_DELETE_DEADLINE), to_clear)

    def mailer_messages(self, team_id: UUID) -> list[MailerMessage]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(_SELECT_MESSAGES), (team_id,))
            return [MailerMessage(**row) for row in curs.fetchall()]

    def overdue_requests(self, now: datetime, limit: int) -> list[UUID]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(_SELECT_OVERDUE), (now, limit))
            return [row["mentorship_id"] for row in curs.fetchall()]


_CREATE_OUTBOX = """
CREATE TABLE IF NOT EXISTS {schema}.teams_mailer_outbox (
    id bigserial PRIMARY KEY,
    invitation_id uuid NOT NULL,
    team_id uuid NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    link text NOT NULL,
    created_at timestamptz NOT NULL,
    sent_at timestamptz
)
"""
_CREATE_DEADLINES = """
CREATE TABLE IF NOT EXISTS {schema}.teams_request_deadlines (
    mentorship_id uuid PRIMARY KEY,
    team_id uuid NOT NULL,
    expires_at timestamptz NOT NULL
)
"""
_INDEX = """
CREATE INDEX IF NOT EXISTS teams_request_deadlines_expiry
ON {schema}.teams_request_deadlines (expires_at)
"""
_INSERT_MESSAGE = """
INSERT INTO {schema}.teams_mailer_outbox
(invitation_id, team_id, email, name, link, created_at)
VALUES (%s, %s, %s, %s, %s, %s)
"""
_UPSERT_DEADLINE = """
INSERT INTO {schema}.teams_request_deadlines (mentorship_id, team_id, expires_at)
VALUES (%s, %s, %s)
ON CONFLICT (mentorship_id) DO UPDATE SET expires_at = EXCLUDED.expires_at
"""
_DELETE_DEADLINE = """
DELETE FROM {schema}.teams_request_deadlines WHERE mentorship_id = %s
"""
_SELECT_MESSAGES = """
SELECT invitation_id, team_id, email, name, link, created_at, sent_at
FROM {schema}.teams_mailer_outbox WHERE team_id = %s ORDER BY id
"""
_SELECT_OVERDUE = """
SELECT mentorship_id FROM {schema}.teams_request_deadlines
WHERE expires_at <= %s ORDER BY expires_at LIMIT %s
"""


@dataclass
class _SideTables:
    messages: list[MailerMessage] = field(default_factory=list)
    deadlines: dict[UUID, tuple[UUID, datetime]] = field(default_factory=dict)


class TeamsMemoryRecorder(POPOApplicationRecorder):
    """The in-memory event store with the same side tables, for quick tests."""

    def __init__(self) -> None:
        super().__init__()
        self._side = _SideTables()

    def _update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Called under the recorder's lock after the uniqueness check passed,
        # so the side tables change only when the events are recorded.
        notification_ids = super()._update_table(stored_events, **kwargs)
        self._side.messages.extend(_messages(kwargs))
        for mentorship_id, value in _deadlines(kwargs).items():
            if value is None:
                self._side.deadlines.pop(mentorship_id, None)
            else:
                self._side.deadlines[mentorship_id] = value
        return notification_ids

    def mailer_messages(self, team_id: UUID) -> list[MailerMessage]:
        return [m for m in self._side.messages if m.team_id == team_id]

    def overdue_requests(self, now: datetime, limit: int) -> list[UUID]:
        due = sorted(
            (expires_at, mentorship_id)
            for mentorship_id, (_, expires_at) in self._side.deadlines.items()
            if expires_at <= now
        )
        return [mentorship_id for _, mentorship_id in due[:limit]]
