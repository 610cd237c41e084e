"""Event recorders that also write the service's side tables.

The mailer outbox, the request deadlines and three small read tables (each
mentorship's state, which teams share a consortium's pool, and each
referral's state) change in the same transaction as the events that cause
them: ``Application.save(..., mailer_messages=[...], request_deadlines={...},
mentorship_rows=[...], member_team_rows=[...], referral_rows=[...])`` passes
them down to the
recorder, so an invitation is never recorded without its outbox row, nor a
mentorship's change without its row. The PostgreSQL recorder hooks
``_insert_events``, the step the eventsourcing library runs inside its insert
transaction (its own process recorder writes tracking records there the same
way).
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
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


@dataclass(frozen=True)
class MentorshipRow:
    """A mentorship as the list of a member's mentorships shows it."""

    mentorship_id: UUID
    version: int
    team_id: UUID
    """The mentee's team, which the mentorship belongs to."""
    mentor_team_id: UUID
    """The mentor's home team: another team of the consortium's shared pool."""
    mentee_id: UUID
    mentor_id: UUID
    status: str
    choice: int
    message: str
    expires_at: datetime
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class MemberTeamRow:
    """A member team of a consortium, and whether it shares the pool now."""

    consortium_id: UUID
    member_team_id: UUID
    consent: bool


@dataclass(frozen=True)
class ReferralRow:
    """A referral and its state, for the list of those awaiting approval."""

    invitation_id: UUID
    version: int
    team_id: UUID
    status: str
    updated_at: datetime


@dataclass(frozen=True)
class MentorshipQuery:
    """Which mentorships of a team to list: a member's, or all when None."""

    team_id: UUID
    member_id: UUID | None
    limit: int
    offset: int


@dataclass(frozen=True)
class MentorshipPage:
    total: int
    rows: list[MentorshipRow]


def _messages(kwargs: dict[str, Any]) -> Sequence[MailerMessage]:
    return kwargs.get("mailer_messages") or ()


def _deadlines(kwargs: dict[str, Any]) -> Deadlines:
    return kwargs.get("request_deadlines") or {}


def _mentorship_rows(kwargs: dict[str, Any]) -> Sequence[MentorshipRow]:
    return kwargs.get("mentorship_rows") or ()


def _member_team_rows(kwargs: dict[str, Any]) -> Sequence[MemberTeamRow]:
    return kwargs.get("member_team_rows") or ()


def _referral_rows(kwargs: dict[str, Any]) -> Sequence[ReferralRow]:
    return kwargs.get("referral_rows") or ()


class TeamsPostgresRecorder(PostgresApplicationRecorder):
    """The PostgreSQL event store with the teams service's two side tables."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql_create_statements.extend(map(self._sql, _CREATE_SIDE_TABLES))

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
        self._write_read_rows(curs, kwargs)

    def _write_read_rows(self, curs: Cursor[DictRow], kwargs: dict[str, Any]) -> None:
        mentorships = [asdict(row) for row in _mentorship_rows(kwargs)]
        if mentorships:
            curs.executemany(self._sql(_UPSERT_MENTORSHIP), mentorships)
        member_teams = [asdict(row) for row in _member_team_rows(kwargs)]
        if member_teams:
            curs.executemany(self._sql(_UPSERT_MEMBER_TEAM), member_teams)
        referrals = [asdict(row) for row in _referral_rows(kwargs)]
        if referrals:
            curs.executemany(self._sql(_UPSERT_REFERRAL), referrals)

    def mailer_messages(self, team_id: UUID) -> list[MailerMessage]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(_SELECT_MESSAGES), (team_id,))
            return [MailerMessage(**row) for row in curs.fetchall()]

    def overdue_requests(self, now: datetime, limit: int) -> list[UUID]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(_SELECT_OVERDUE), (now, limit))
            return [row["mentorship_id"] for row in curs.fetchall()]

    def mentorships(self, query: MentorshipQuery) -> MentorshipPage:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(_COUNT_MENTORSHIPS), asdict(query))
            counted = curs.fetchone()
            curs.execute(self._sql(_SELECT_MENTORSHIPS), asdict(query))
            rows = [MentorshipRow(**row) for row in curs.fetchall()]
        return MentorshipPage(counted["total"] if counted else 0, rows)

    def consortia_sharing(self, member_team_id: UUID) -> list[UUID]:
        """Consortia the team consented to share its pool with, as last saved."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(_SELECT_CONSORTIA), (member_team_id,))
            return [row["consortium_id"] for row in curs.fetchall()]

    def referrals(self, team_id: UUID, status: str, limit: int) -> list[UUID]:
        """The team's referrals in ``status``, oldest first."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(_SELECT_REFERRALS), (team_id, status, limit))
            return [row["invitation_id"] for row in curs.fetchall()]


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
_CREATE_MENTORSHIPS = """
CREATE TABLE IF NOT EXISTS {schema}.teams_mentorships (
    mentorship_id uuid PRIMARY KEY,
    version integer NOT NULL,
    team_id uuid NOT NULL,
    mentor_team_id uuid NOT NULL,
    mentee_id uuid NOT NULL,
    mentor_id uuid NOT NULL,
    status text NOT NULL,
    choice integer NOT NULL,
    message text NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
)
"""
_MENTORSHIP_INDEXES = [
    f"""
CREATE INDEX IF NOT EXISTS teams_mentorships_{column}
ON {{schema}}.teams_mentorships ({column}, updated_at)
"""
    for column in ("team_id", "mentor_team_id", "mentee_id", "mentor_id")
]
OPEN_STATUSES = ("requested", "information_requested", "accepted")
"""A mentorship in one of these holds its pair: one per team, mentee and mentor."""
# Two requests of one pair in the same instant both pass the command's check
# of this table; this index lets only one of their saves commit, and the
# events of the other are not recorded. A store that already holds such a
# pair cannot build the index: the statement then warns (in PostgreSQL's log
# and to the starting service) and the service runs on the check alone until
# the duplicate is closed (withdrawn, declined or ended) and it restarts.
_OPEN_PAIR_INDEX = """
DO $$ BEGIN
    CREATE UNIQUE INDEX IF NOT EXISTS teams_mentorships_open_pair
    ON {schema}.teams_mentorships (team_id, mentee_id, mentor_id)
    WHERE status IN ('requested', 'information_requested', 'accepted');
EXCEPTION WHEN unique_violation THEN
    RAISE WARNING 'open-pair index not built: a pair is open twice';
END $$
"""
_CREATE_MEMBER_TEAMS = """
CREATE TABLE IF NOT EXISTS {schema}.teams_consortium_member_teams (
    consortium_id uuid NOT NULL,
    member_team_id uuid NOT NULL,
    consent boolean NOT NULL,
    PRIMARY KEY (member_team_id, consortium_id)
)
"""
_CREATE_REFERRALS = """
CREATE TABLE IF NOT EXISTS {schema}.teams_referrals (
    invitation_id uuid PRIMARY KEY,
    version integer NOT NULL,
    team_id uuid NOT NULL,
    status text NOT NULL,
    updated_at timestamptz NOT NULL
)
"""
_REFERRALS_INDEX = """
CREATE INDEX IF NOT EXISTS teams_referrals_team
ON {schema}.teams_referrals (team_id, status, updated_at)
"""
_UPSERT_REFERRAL = """
INSERT INTO {schema}.teams_referrals AS r
(invitation_id, version, team_id, status, updated_at)
VALUES (%(invitation_id)s, %(version)s, %(team_id)s, %(status)s, %(updated_at)s)
ON CONFLICT (invitation_id) DO UPDATE SET
    version = EXCLUDED.version, status = EXCLUDED.status,
    updated_at = EXCLUDED.updated_at
WHERE r.version < EXCLUDED.version
"""
_SELECT_REFERRALS = """
SELECT invitation_id FROM {schema}.teams_referrals
WHERE team_id = %s AND status = %s ORDER BY updated_at, invitation_id LIMIT %s
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
# Optimistic concurrency already orders the saves of one mentorship; the
# version guard keeps a rebuild from the event log from moving a row back.
_UPSERT_MENTORSHIP = """
INSERT INTO {schema}.teams_mentorships AS m (
    mentorship_id, version, team_id, mentor_team_id, mentee_id, mentor_id,
    status, choice, message, expires_at, created_at, updated_at
) VALUES (
    %(mentorship_id)s, %(version)s, %(team_id)s, %(mentor_team_id)s,
    %(mentee_id)s, %(mentor_id)s, %(status)s, %(choice)s, %(message)s,
    %(expires_at)s, %(created_at)s, %(updated_at)s
)
ON CONFLICT (mentorship_id) DO UPDATE SET
    version = EXCLUDED.version, status = EXCLUDED.status,
    expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at
WHERE m.version < EXCLUDED.version
"""
_UPSERT_MEMBER_TEAM = """
INSERT INTO {schema}.teams_consortium_member_teams
(consortium_id, member_team_id, consent)
VALUES (%(consortium_id)s, %(member_team_id)s, %(consent)s)
ON CONFLICT (member_team_id, consortium_id) DO UPDATE SET consent = EXCLUDED.consent
"""
_WHERE_MENTORSHIPS = """
FROM {schema}.teams_mentorships
WHERE (team_id = %(team_id)s OR mentor_team_id = %(team_id)s)
AND (%(member_id)s::uuid IS NULL
     OR mentee_id = %(member_id)s OR mentor_id = %(member_id)s)
"""
_COUNT_MENTORSHIPS = "SELECT count(*) AS total " + _WHERE_MENTORSHIPS
_SELECT_MENTORSHIPS = (
    """
SELECT mentorship_id, version, team_id, mentor_team_id, mentee_id, mentor_id,
    status, choice, message, expires_at, created_at, updated_at
"""
    + _WHERE_MENTORSHIPS
    + "ORDER BY updated_at DESC, mentorship_id LIMIT %(limit)s OFFSET %(offset)s"
)
_SELECT_CONSORTIA = """
SELECT consortium_id FROM {schema}.teams_consortium_member_teams
WHERE member_team_id = %s AND consent ORDER BY consortium_id
"""
_CREATE_SIDE_TABLES = (
    _CREATE_OUTBOX,
    _CREATE_DEADLINES,
    _INDEX,
    _CREATE_MENTORSHIPS,
    *_MENTORSHIP_INDEXES,
    _OPEN_PAIR_INDEX,
    _CREATE_MEMBER_TEAMS,
    _CREATE_REFERRALS,
    _REFERRALS_INDEX,
)


@dataclass
class _SideTables:
    messages: list[MailerMessage] = field(default_factory=list)
    deadlines: dict[UUID, tuple[UUID, datetime]] = field(default_factory=dict)
    mentorships: dict[UUID, MentorshipRow] = field(default_factory=dict)
    member_teams: dict[tuple[UUID, UUID], bool] = field(default_factory=dict)
    referrals: dict[UUID, ReferralRow] = field(default_factory=dict)


class TeamsMemoryRecorder(POPOApplicationRecorder):
    """The in-memory event store with the same side tables, for quick tests."""

    def __init__(self) -> None:
        super().__init__()
        self._side = _SideTables()

    def _assert_uniqueness(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """The event store's check, and the PostgreSQL open-pair index's."""
        super()._assert_uniqueness(stored_events, **kwargs)
        for row in _mentorship_rows(kwargs):
            if row.status not in OPEN_STATUSES:
                continue
            pair = (row.team_id, row.mentee_id, row.mentor_id)
            for other in self._side.mentorships.values():
                if (
                    other.mentorship_id != row.mentorship_id
                    and other.status in OPEN_STATUSES
                    and (other.team_id, other.mentee_id, other.mentor_id) == pair
                ):
                    msg = f"mentorship {other.mentorship_id} holds the pair already"
                    raise IntegrityError(msg)

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
        for row in _mentorship_rows(kwargs):
            self._side.mentorships[row.mentorship_id] = row
        for member in _member_team_rows(kwargs):
            key = (member.consortium_id, member.member_team_id)
            self._side.member_teams[key] = member.consent
        for referral in _referral_rows(kwargs):
            self._side.referrals[referral.invitation_id] = referral
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

    def mentorships(self, query: MentorshipQuery) -> MentorshipPage:
        found = sorted(
            (
                row
                for row in self._side.mentorships.values()
                if query.team_id in (row.team_id, row.mentor_team_id)
                and query.member_id in (None, row.mentee_id, row.mentor_id)
            ),
            key=lambda row: (-row.updated_at.timestamp(), str(row.mentorship_id)),
        )
        page = found[query.offset : query.offset + query.limit]
        return MentorshipPage(len(found), page)

    def consortia_sharing(self, member_team_id: UUID) -> list[UUID]:
        return sorted(
            (
                consortium
                for (consortium, member), consent in self._side.member_teams.items()
                if member == member_team_id and consent
            ),
            key=str,
        )

    def referrals(self, team_id: UUID, status: str, limit: int) -> list[UUID]:
        found = sorted(
            (
                row
                for row in self._side.referrals.values()
                if row.team_id == team_id and row.status == status
            ),
            key=lambda row: (row.updated_at, str(row.invitation_id)),
        )
        return [row.invitation_id for row in found[:limit]]
