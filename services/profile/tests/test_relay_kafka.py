import asyncio
import contextlib
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from carrel_events import decode
from carrel_events.contracts.common import SkillLevel
from carrel_events.contracts.profile import SkillsUpdated
from carrel_events.serialisation import DecodedEvent
from carrel_profile.entrypoints.relay import relay_profile_events
from carrel_profile.settings import ProfileSettings
from httpx import AsyncClient

from .support import CATALOGUING

pytestmark = pytest.mark.integration


@pytest.fixture
async def topic(profile_settings: ProfileSettings) -> str:
    name = f"it_profile_relay_{uuid.uuid4().hex[:12]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=profile_settings.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(name, num_partitions=3, replication_factor=1)]
        )
    finally:
        await admin.close()
    return name


async def test_a_profile_change_arrives_on_kafka_in_its_envelope(
    client: AsyncClient, profile_settings: ProfileSettings, topic: str
) -> None:
    member, request_id = uuid.uuid4(), uuid.uuid4()
    await client.post(
        "/api/v1/profiles", json={"id": str(member), "display_name": "Ada"}
    )
    await client.put(
        f"/api/v1/profiles/{member}/skills",
        json={"skills": [{"skill_id": CATALOGUING, "proficiency": 4}]},
        headers={"X-Request-Id": str(request_id)},
    )
    stop = asyncio.Event()
    relay = asyncio.create_task(relay_profile_events(profile_settings, stop, topic))

    try:
        received = await asyncio.wait_for(first_events(profile_settings, topic, 2), 60)
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(relay, 30)

    created, skills = received
    assert created.envelope.event_type == "ProfileCreated"
    assert skills.envelope.aggregate_id == member
    assert skills.envelope.aggregate_version == 2
    assert skills.envelope.correlation_id == request_id
    assert skills.payload == SkillsUpdated(
        skills=[SkillLevel(skill_id=CATALOGUING, proficiency=4)]
    )


async def first_events(
    settings: ProfileSettings, topic: str, count: int
) -> list[DecodedEvent]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=f"{topic}_reader",
    )
    await consumer.start()
    found: list[DecodedEvent] = []
    try:
        async for message in consumer:
            decoded = decode(message.value)
            if decoded is not None:
                found.append(decoded)
            if len(found) == count:
                return found
    finally:
        await consumer.stop()
    return found
