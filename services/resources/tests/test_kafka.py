import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from carrel_events import Envelope, decode, encode
from carrel_events.contracts import teams
from carrel_events.contracts.resources import ResourceCatalogued
from carrel_events.relay import EnvelopeFactory, run_relay
from carrel_resources.adapters.directory import PostgresDirectory
from carrel_resources.adapters.tables import connect
from carrel_resources.domain.entries import EntryDraft
from carrel_resources.entrypoints.consumer import directory_consumer
from carrel_resources.entrypoints.wiring import build_application
from carrel_resources.settings import ResourcesSettings

pytestmark = pytest.mark.integration


async def fresh_topics(bootstrap: str, *names: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [NewTopic(n, num_partitions=1, replication_factor=1) for n in names]
        await admin.create_topics(topics)
    finally:
        await admin.close()


async def test_a_catalogued_entry_reaches_kafka_in_its_envelope(
    pg_settings: ResourcesSettings,
) -> None:
    topic = f"test.resources.{uuid4().hex[:10]}"
    await fresh_topics(pg_settings.kafka_bootstrap, topic)
    application = build_application(pg_settings)
    correlation_id = uuid4()
    resource = application.catalogue(
        EntryDraft("https://example.org/iiif", "IIIF in a day", "tutorial", ["IIIF"]),
        catalogued_by=None,
        correlation_id=correlation_id,
    )
    stop = asyncio.Event()
    relay = asyncio.create_task(
        run_relay(
            name=topic,
            application=application,
            topic=topic,
            database_dsn=pg_settings.psycopg_dsn,
            kafka_bootstrap=pg_settings.kafka_bootstrap,
            stop=stop,
            to_envelope=EnvelopeFactory(),
        )
    )
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=pg_settings.kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
        stop.set()
        await relay
        application.close()

    decoded = decode(record.value)
    assert decoded is not None
    assert decoded.envelope.aggregate_id == resource.id
    assert decoded.envelope.correlation_id == correlation_id
    assert decoded.envelope.team_id is None
    assert isinstance(decoded.payload, ResourceCatalogued)
    assert decoded.payload.url == "https://example.org/iiif"


async def test_the_directory_learns_members_from_teams_events_once(
    pg_settings: ResourcesSettings,
) -> None:
    topic = f"test.teams.{uuid4().hex[:10]}"
    await fresh_topics(pg_settings.kafka_bootstrap, topic, f"{topic}.dlq")
    team_id, person_id = uuid4(), uuid4()
    joined = Envelope(
        event_id=uuid4(),
        event_type="MemberJoined",
        schema_version=1,
        aggregate_type="Team",
        aggregate_id=team_id,
        aggregate_version=2,
        team_id=team_id,
        occurred_at=datetime.now(UTC),
        correlation_id=uuid4(),
        causation_id=uuid4(),
        payload=teams.MemberJoined(
            person_id=person_id, roles=["coordinator"], via="invitation"
        ).model_dump(mode="json"),
    )
    producer = AIOKafkaProducer(bootstrap_servers=pg_settings.kafka_bootstrap)
    await producer.start()
    try:
        for _ in range(2):
            await producer.send_and_wait(
                topic, encode(joined), key=str(team_id).encode()
            )
    finally:
        await producer.stop()
    settings = pg_settings.model_copy(
        update={"resources_consumer_group": f"g-{uuid4().hex}"}
    )
    runtime, listener_engine = directory_consumer(settings, topics=(topic,))
    engine = connect(settings.database_url, settings.resources_schema)
    directory = PostgresDirectory(engine)
    stop = asyncio.Event()
    await runtime.start()
    running = asyncio.create_task(runtime.run(stop))
    try:
        for _ in range(100):
            if directory.roles_of(team_id, person_id) is not None:
                break
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await running
        await runtime.stop()
        listener_engine.dispose()

    assert directory.roles_of(team_id, person_id) == frozenset({"coordinator"})
    assert directory.members_of_team(team_id) == {person_id}
    engine.dispose()
