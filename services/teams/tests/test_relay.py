"""Teams events reach Kafka in their envelopes, through the outbox relay."""

import asyncio
import contextlib
from datetime import date
from uuid import UUID, uuid4

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from carrel_events import Envelope, decode
from carrel_teams.application import TeamsApplication
from carrel_teams.entrypoints.relay import relay
from carrel_teams.settings import TeamsSettings
from carrel_teams.testing import start_programme
from psycopg import sql

pytestmark = pytest.mark.integration


async def create_topic(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 3, 1)])
    finally:
        await admin.close()


async def consume(bootstrap: str, topic: str, wanted: int) -> list[Envelope]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    envelopes: list[Envelope] = []
    try:
        async with asyncio.timeout(60):
            async for record in consumer:
                decoded = decode(record.value)
                assert decoded is not None
                envelopes.append(decoded.envelope)
                if len(envelopes) >= wanted:
                    return envelopes
    finally:
        await consumer.stop()
    return envelopes


def record_a_session(settings: TeamsSettings) -> tuple[UUID, UUID]:
    """A team with an accepted mentorship and one logged session."""
    teams = TeamsApplication(env=settings.application_env())
    try:
        programme = start_programme(teams)
        mentor, mentee = programme.mentors[0], programme.mentees[0]
        asked = teams.request_mentorship(
            programme.team.id, mentee, mentor, "hello", [], uuid4()
        )
        teams.accept_mentorship(asked.id, mentor, None, uuid4())
        teams.log_session(
            asked.id, date(2026, 3, 3), 40, "secret", mentee, None, uuid4()
        )
        return programme.team.id, asked.id
    finally:
        teams.close()


def relay_positions(settings: TeamsSettings) -> dict[str, int]:
    """The relay positions kept in the settings' own schema."""
    table = sql.Identifier(settings.teams_schema, "carrel_relay_position")
    with psycopg.connect(settings.database_dsn(settings.teams_database)) as db:
        rows = db.execute(
            sql.SQL("SELECT relay, notification_id FROM {}").format(table)
        )
        return dict(rows.fetchall())


async def test_a_logged_session_arrives_on_kafka_without_its_notes(
    teams_settings: TeamsSettings,
) -> None:
    topic = f"test.teams.{uuid4().hex[:12]}"
    settings = teams_settings.model_copy(update={"teams_topic": topic})
    await create_topic(settings.kafka_bootstrap, topic)
    team_id, mentorship_id = await asyncio.to_thread(record_a_session, settings)
    stop = asyncio.Event()
    relaying = asyncio.create_task(relay(settings, stop))

    try:
        envelopes = await consume(settings.kafka_bootstrap, topic, wanted=10)
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(relaying, 30)

    by_type = {e.event_type: e for e in envelopes}
    assert sorted(by_type) == [
        "MemberJoined",
        "MentorshipAccepted",
        "MentorshipRequested",
        "SessionLogged",
        "TeamCreated",
    ]
    assert {e.team_id for e in envelopes} == {team_id}
    session = by_type["SessionLogged"]
    assert session.aggregate_id == mentorship_id
    assert session.payload["minutes"] == 40
    assert "notes" not in session.payload
    assert "secret" not in str([e.payload for e in envelopes])
    assert "MentorPlaceTaken" not in by_type
    assert by_type["MentorshipRequested"].payload["mentor_team_id"] == str(team_id)
    positions = await asyncio.to_thread(relay_positions, settings)
    assert positions[f"teams:{topic}"] >= len(envelopes)  # a fresh schema counts from 1
