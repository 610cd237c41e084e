"""Reconciliation: every event in the event stores, reflected exactly once.

The event stores of profile, teams and resources are the truth. After a
fault, once the consumers have caught up, these must hold:

- every stored event of a type that leaves its service is on Kafka, at least
  once (the relay may publish twice; the consumers must not count twice);
- the dashboard projection took the latest version of every aggregate it
  reads (each document's ``applied`` ledger), and matching's ledger says the
  same for every profile and team aggregate;
- counts that a double delivery would inflate are what the events say:
  sessions per mentorship in the projection, a team's members in the
  directory and in matching, each mentorship's state in matching;
- the dead-letter topics hold only messages that cannot be read: an event
  dead-lettered because a server was away is an event lost to a read model.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import psycopg
from aiokafka import AIOKafkaConsumer, TopicPartition
from carrel_events import dead_letter_topic
from carrel_events.contracts import CATALOGUE
from carrel_events.serialisation import DecodeError, decode
from psycopg import sql

from tests.faults.rig import Rig

SERVICES = ("profile", "teams", "resources")
# Aggregates whose events the projection reads, by the envelope's type.
PROJECTED = frozenset({"Profile", "Team", "Group", "Mentorship", "Share", "Material"})
MATCHED = frozenset({"Profile", "Team", "Mentorship"})
# Events that change no read model, so no document records having taken them.
NOT_PROJECTED = frozenset({"JoinLinkIssued"})
# The states matching keeps, by the event that moves a mentorship into them.
MENTORSHIP_STATES = {
    "MentorshipRequested": "requested",
    "MentorshipAccepted": "active",
    "MentorshipDeclined": "declined",
    "MentorshipExpired": "expired",
    "MentorshipWithdrawn": "withdrawn",
    "MentorshipEnded": "ended",
}


@dataclass(frozen=True)
class StoredEvent:
    aggregate_id: UUID
    version: int
    event_type: str


@dataclass
class Ledger:
    """What the event stores and Kafka say, in the forms the checks need."""

    stored: list[StoredEvent]
    on_kafka: Counter[tuple[UUID, int]]
    envelopes: dict[tuple[UUID, int], Any]
    latest: dict[UUID, int] = field(default_factory=dict)
    kinds: dict[UUID, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for (aggregate_id, version), envelope in self.envelopes.items():
            self.kinds[aggregate_id] = envelope.aggregate_type
            self.latest[aggregate_id] = max(version, self.latest.get(aggregate_id, 0))

    @property
    def relayed(self) -> list[StoredEvent]:
        return [e for e in self.stored if CATALOGUE.knows(e.event_type)]

    def latest_of(self, ignored: frozenset[str]) -> dict[UUID, int]:
        """Each aggregate's latest version among events not of the ignored types."""
        latest: dict[UUID, int] = {}
        for (aggregate_id, version), envelope in self.envelopes.items():
            if envelope.event_type not in ignored:
                latest[aggregate_id] = max(version, latest.get(aggregate_id, 0))
        return latest

    def types_after(self, aggregate_id: UUID, version: int) -> list[str]:
        """The types of the aggregate's events past ``version``, for a report."""
        return [
            e.event_type
            for (a, v), e in sorted(self.envelopes.items(), key=lambda i: i[0][1])
            if a == aggregate_id and v > version
        ]

    def of_type(self, event_type: str) -> list[Any]:
        found = [e for e in self.envelopes.values() if e.event_type == event_type]
        return sorted(found, key=lambda e: (e.aggregate_id, e.aggregate_version))


@dataclass
class Report:
    """The outcome: what was compared and every difference found."""

    events: int = 0
    relayed: int = 0
    duplicates_on_kafka: int = 0
    problems: list[str] = field(default_factory=list)

    def differ(self, what: str, expected: object, found: object) -> None:
        if expected != found:
            self.problems.append(f"{what}: expected {expected!r}, found {found!r}")


def stored_events(rig: Rig) -> list[StoredEvent]:
    """Every event of the run's three event stores."""
    events = []
    for service in SERVICES:
        dsn = rig.stack.database_dsn(f"carrel_{service}")
        with psycopg.connect(dsn) as connection:
            for table in _event_tables(connection, rig.run.name):
                query = sql.SQL(
                    "SELECT originator_id, originator_version, topic FROM {}.{}"
                ).format(sql.Identifier(rig.run.name), sql.Identifier(table))
                for originator, version, topic in connection.execute(query):
                    kind = topic.replace(":", ".").rsplit(".", 1)[-1]
                    events.append(StoredEvent(UUID(str(originator)), version, kind))
    return events


def _event_tables(connection: psycopg.Connection[Any], schema: str) -> list[str]:
    rows = connection.execute(
        "SELECT table_name FROM information_schema.columns "
        "WHERE table_schema = %s AND column_name = 'originator_version' "
        "AND table_name NOT LIKE '%%snapshot%%'",
        (schema,),
    )
    return [row[0] for row in rows]


async def kafka_events(bootstrap: str, topics: list[str]) -> list[Any]:
    """Every envelope on the topics, from the start, duplicates included."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = []
        for topic in topics:
            numbers = consumer.partitions_for_topic(topic) or await _partitions(
                consumer, topic
            )
            partitions += [TopicPartition(topic, n) for n in numbers]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        envelopes = []
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for records in batch.values():
                envelopes += [e for e in map(_envelope, records) if e is not None]
        return envelopes
    finally:
        await consumer.stop()


def _envelope(record: Any) -> Any:
    """The record's envelope; None for poison, which the consumers dead-letter."""
    try:
        decoded = decode(record.value)
    except DecodeError:
        return None
    return None if decoded is None else decoded.envelope


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


async def dead_letters(bootstrap: str, topics: list[str]) -> list[Any]:
    """Every record the consumers dead-lettered on the topics' DLQ twins."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(dead_letter_topic(t), p)
            for t in topics
            for p in consumer.partitions_for_topic(dead_letter_topic(t)) or ()
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Any] = []
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            batch = await consumer.getmany(timeout_ms=1000)
            records += [r for rs in batch.values() for r in rs]
        return records
    finally:
        await consumer.stop()


def _check_dead_letters(rig: Rig, report: Report) -> None:
    """Only what cannot be read belongs in a DLQ; an outage is no reason."""
    topics = [rig.run.topic(t) for t in (*SERVICES, "matching")]
    records = asyncio.run(dead_letters(rig.kafka.bootstrap, topics))
    transient = sorted(
        {
            f"{dict(r.headers)['carrel-consumer'].decode()}: "
            f"{dict(r.headers)['carrel-error'].decode()[:120]}"
            for r in records
            if dict(r.headers).get("carrel-error-type") != b"DecodeError"
        }
    )
    report.differ("events dead-lettered though they could be read", [], transient)


def ledger(rig: Rig) -> Ledger:
    stored = stored_events(rig)
    topics = [rig.run.topic(t) for t in SERVICES]
    envelopes = asyncio.run(kafka_events(rig.kafka.bootstrap, topics))
    on_kafka = Counter((e.aggregate_id, e.aggregate_version) for e in envelopes)
    unique = {(e.aggregate_id, e.aggregate_version): e for e in envelopes}
    return Ledger(stored, on_kafka, unique)


def projection_documents(rig: Rig) -> list[dict[str, Any]]:
    """Every document of the run's read models, with its index's model name."""
    url = f"{rig.stack.opensearch_url}/{rig.run.prefix}-*/_search"
    httpx.post(f"{rig.stack.opensearch_url}/{rig.run.prefix}-*/_refresh", timeout=30)
    answer = httpx.post(
        url, json={"size": 10000, "query": {"match_all": {}}}, timeout=60
    )
    answer.raise_for_status()
    documents = []
    for hit in answer.json()["hits"]["hits"]:
        model = hit["_index"].removeprefix(f"{rig.run.prefix}-").rsplit("-v", 1)[0]
        documents.append({**hit["_source"], "_model": model, "_id": hit["_id"]})
    return documents


def matching_rows(rig: Rig, query: str) -> list[tuple[Any, ...]]:
    dsn = rig.stack.database_dsn("carrel_matching")
    with psycopg.connect(dsn, options=f"-csearch_path={rig.run.name}") as connection:
        return list(connection.execute(query))


def reconcile(rig: Rig) -> Report:
    """Compare the event stores with Kafka, the read models and matching."""
    book = ledger(rig)
    report = Report(events=len(book.stored), relayed=len(book.relayed))
    report.duplicates_on_kafka = sum(n - 1 for n in book.on_kafka.values())
    _check_relayed(book, report)
    documents = projection_documents(rig)
    _check_projection_ledger(book, documents, report)
    _check_sessions(book, documents, report)
    _check_members(book, documents, rig, report)
    _check_matching(book, rig, report)
    _check_dead_letters(rig, report)
    return report


def _check_relayed(book: Ledger, report: Report) -> None:
    missing = [
        e for e in book.relayed if (e.aggregate_id, e.version) not in book.on_kafka
    ]
    report.differ("stored events missing on Kafka", [], missing[:5])


def _check_projection_ledger(
    book: Ledger, documents: list[dict[str, Any]], report: Report
) -> None:
    applied: dict[UUID, int] = defaultdict(int)
    for document in documents:
        for aggregate, version in document.get("applied", {}).items():
            applied[UUID(aggregate)] = max(applied[UUID(aggregate)], version)
    latest = book.latest_of(NOT_PROJECTED)
    behind = {
        str(a): (v, applied.get(a, 0), book.types_after(a, applied.get(a, 0)))
        for a, v in latest.items()
        if book.kinds[a] in PROJECTED and applied.get(a, 0) != v
    }
    report.differ("projection behind or ahead of the event store", {}, behind)


def _check_sessions(
    book: Ledger, documents: list[dict[str, Any]], report: Report
) -> None:
    logged = Counter(e.aggregate_id for e in book.of_type("SessionLogged"))
    projected = {
        UUID(d["mentorship_id"]): d.get("sessions", 0)
        for d in documents
        if d["_model"] == "mentorships"
    }
    report.differ(
        "sessions per mentorship in the projection",
        {str(m): n for m, n in logged.items()},
        {str(m): projected.get(m) for m in logged},
    )


def members_by_team(book: Ledger) -> dict[UUID, set[UUID]]:
    """Who is in each team after every join and departure, in version order."""
    changes = book.of_type("MemberJoined") + book.of_type("MemberLeft")
    changes.sort(key=lambda e: (e.aggregate_id, e.aggregate_version))
    members: dict[UUID, set[UUID]] = defaultdict(set)
    for envelope in changes:
        person = UUID(str(envelope.payload["person_id"]))
        if envelope.event_type == "MemberJoined":
            members[envelope.aggregate_id].add(person)
        else:
            members[envelope.aggregate_id].discard(person)
    return members


def _check_members(
    book: Ledger, documents: list[dict[str, Any]], rig: Rig, report: Report
) -> None:
    expected = members_by_team(book)
    directory: dict[UUID, set[UUID]] = defaultdict(set)
    for document in documents:
        if document["_model"] == "directory" and document.get("status") == "member":
            directory[UUID(document["team_id"])].add(UUID(document["person_id"]))
    erased = {e.aggregate_id for e in book.of_type("ProfileErased")}
    for team, people in expected.items():
        report.differ(
            f"directory of team {team}", people, directory[team] | (people & erased)
        )
    rows = matching_rows(rig, "SELECT team_id, person_id FROM matching_membership")
    matched: dict[UUID, set[UUID]] = defaultdict(set)
    for team, person in rows:
        matched[team].add(person)
    for team, people in expected.items():
        report.differ(f"matching's members of team {team}", people, matched[team])


def _check_matching(book: Ledger, rig: Rig, report: Report) -> None:
    ledger_rows = matching_rows(
        rig, "SELECT aggregate_id, max(version) FROM carrel_consumer_applied GROUP BY 1"
    )
    claimed = dict(ledger_rows)
    behind = {
        str(a): (v, claimed.get(a, 0), book.types_after(a, claimed.get(a, 0)))
        for a, v in book.latest.items()
        if book.kinds[a] in MATCHED and claimed.get(a, 0) != v
    }
    report.differ("matching's ledger behind or ahead of the event store", {}, behind)
    states: dict[UUID, str] = {}
    for envelope in sorted(
        (e for e in book.envelopes.values() if e.event_type in MENTORSHIP_STATES),
        key=lambda e: e.aggregate_version,
    ):
        states[envelope.aggregate_id] = MENTORSHIP_STATES[envelope.event_type]
    found = dict(
        matching_rows(rig, "SELECT mentorship_id, state FROM matching_mentorship")
    )
    report.differ(
        "matching's mentorship states", states, {m: found.get(m) for m in states}
    )


def reconciled(rig: Rig, within_seconds: float = 120.0) -> Report:
    """The first clean report, or the last one once the time is up.

    The consumers catch up after a fault at their own pace; a difference that
    lasts past the deadline is a real one.
    """
    deadline = time.monotonic() + within_seconds
    while True:
        report = reconcile(rig)
        if not report.problems or time.monotonic() > deadline or _final(report):
            return report
        time.sleep(2)


def _final(report: Report) -> bool:
    """A dead-lettered event stays lost however long one waits."""
    return any(p.startswith("events dead-lettered") for p in report.problems)
