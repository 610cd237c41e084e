"""The welcome consumer over real Kafka and PostgreSQL: a team's settings name
welcome resources; newcomers receive them once, even when a join comes twice."""

import asyncio
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from carrel_events import Envelope, EventPayload, encode
from carrel_events.contracts import teams
from carrel_resources.application import ResourcesApplication
from carrel_resources.domain.aggregates import Share
from carrel_resources.domain.entries import EntryDraft
from carrel_resources.entrypoints.welcome import welcome_consumer
from carrel_resources.entrypoints.wiring import build_application
from carrel_resources.settings import ResourcesSettings

pytestmark = pytest.mark.integration


class TeamEvents:
    """Envelopes of one team's events, numbered as its aggregate would."""

    def __init__(self, team_id: UUID) -> None:
        self.team_id = team_id
        self.version = 0

    def __call__(self, payload: EventPayload) -> Envelope:
        self.version += 1
        return Envelope(
            event_id=uuid4(),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            aggregate_type=payload.aggregate_type,
            aggregate_id=self.team_id,
            aggregate_version=self.version,
            team_id=self.team_id,
            occurred_at=datetime.now(UTC),
            correlation_id=uuid4(),
            causation_id=uuid4(),
            payload=payload.model_dump(mode="json"),
        )


async def publish(bootstrap: str, topic: str, envelopes: list[Envelope]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(name, 1, 1) for name in (topic, f"{topic}.dlq")]
        )
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for envelope in envelopes:
            key = str(envelope.aggregate_id).encode()
            await producer.send_and_wait(topic, encode(envelope), key=key)
    finally:
        await producer.stop()


def welcome_shares(application: ResourcesApplication) -> list[tuple[UUID, UUID]]:
    """(recipient, resource) of every share recorded, in order."""
    found: list[tuple[UUID, UUID]] = []
    for notification in application.recorder.select_notifications(1, 10_000):
        if notification.topic.endswith(".ResourceShared"):
            aggregate_id = UUID(str(notification.originator_id))
            share: Share = application.repository.get(aggregate_id)
            found.extend((member, share.resource_id) for member in share.recipients)
    return found


def catalogued(application: ResourcesApplication, url: str) -> UUID:
    draft = EntryDraft(url=url, title="Welcome", resource_type="tutorial", topics=[])
    return application.catalogue(draft, catalogued_by=None, correlation_id=uuid4()).id


async def test_newcomers_receive_the_teams_welcome_resources_once(
    pg_settings: ResourcesSettings,
) -> None:
    application = build_application(pg_settings)
    guide = catalogued(application, "https://example.org/welcome-guide")
    handbook = catalogued(application, "https://example.org/handbook")
    team, founder, first, second = uuid4(), uuid4(), uuid4(), uuid4()
    event = TeamEvents(team)
    chosen = teams.ProgrammeSettings(welcome_resource_ids=[guide])
    joined_first = event(
        teams.MemberJoined(person_id=first, roles=["mentee"], via="invitation")
    )
    envelopes = [
        event(
            teams.TeamCreated(
                name="Riverside", kind="library", settings=chosen, founded_by=founder
            )
        ),
        event(
            teams.MemberJoined(person_id=founder, roles=["coordinator"], via="founder")
        ),
        joined_first,
        joined_first,  # delivered twice, as after a crash
        event(
            teams.TeamSettingsChanged(
                settings=teams.ProgrammeSettings(
                    welcome_resource_ids=[guide, handbook]
                ),
                changed_by=founder,
            )
        ),
        event(teams.MemberJoined(person_id=second, roles=["mentor"], via="invitation")),
    ]
    topic = f"test.teams.welcome.{uuid4().hex[:10]}"
    await publish(pg_settings.kafka_bootstrap, topic, envelopes)
    settings = pg_settings.model_copy(
        update={"resources_welcome_group": f"welcome-{uuid4().hex}"}
    )
    consumer = welcome_consumer(settings, topics=(topic,))
    stop = asyncio.Event()
    await consumer.runtime.start()
    running = asyncio.create_task(consumer.runtime.run(stop))
    try:
        for _ in range(150):
            if len(welcome_shares(application)) >= 3:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # time for a second share, were one to come
    finally:
        stop.set()
        await running
        await consumer.runtime.stop()
        consumer.close()

    shares = welcome_shares(application)
    application.close()
    assert sorted(shares) == sorted(
        [(first, guide), (second, guide), (second, handbook)]
    )
