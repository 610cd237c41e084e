"""Re-relaying and reading histories from a write service's real event store."""

import asyncio
import uuid
from uuid import UUID

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from carrel_events import Topic, decode
from carrel_operator.adapters.event_stores import EventStore
from carrel_operator.adapters.kafka import read_to_end
from carrel_operator.adapters.read_models import aliases_of, snapshot
from carrel_operator.comparison import Snapshot, document_differences
from carrel_operator.history import aggregate_history
from carrel_operator.rebuild import rebuild
from carrel_operator.relay_again import relay_again
from carrel_operator.settings import OperatorSettings
from carrel_profile.application import ProfileApplication
from carrel_profile.domain.sections import SkillLevel
from carrel_projection.domain.documents import Model
from carrel_projection.testing import projecting, wait_until_drained
from opensearchpy import AsyncOpenSearch

from .conftest import StackAddresses, drop_prefix, operator_settings

pytestmark = pytest.mark.integration

SKILL = "esco.classify-library-materials"


def record_profiles(store: EventStore, count: int) -> list[UUID]:
    """Profiles with two events each, recorded through the service's commands."""
    application = store.application
    assert isinstance(application, ProfileApplication)
    ids = []
    for number in range(count):
        member = uuid.uuid4()
        application.create_profile(member, f"Member {number}", uuid.uuid4())
        skills = [SkillLevel(skill_id=SKILL, proficiency=3)]
        application.update_skills(member, 1, skills, uuid.uuid4())
        ids.append(member)
    return ids


async def make_topic(bootstrap: str, name: str) -> None:
    """Create the topic, waiting out a deletion of the same name in progress."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        async with asyncio.timeout(60):
            while True:
                try:
                    await admin.create_topics([NewTopic(name, 3, 1)])
                    return
                except TopicAlreadyExistsError:
                    await asyncio.sleep(0.5)
    finally:
        await admin.close()


async def delete_topic(bootstrap: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([name])
    finally:
        await admin.close()


async def event_ids_on(bootstrap: str, topic: str) -> list[UUID]:
    records = await read_to_end(bootstrap, [topic])
    decoded = [decode(record.value) for record in records]
    return [event.envelope.event_id for event in decoded if event is not None]


async def test_a_relay_again_after_the_topic_was_recreated_restores_every_event(
    stack: StackAddresses, profile_store: EventStore, opensearch: AsyncOpenSearch
) -> None:
    members = record_profiles(profile_store, 30)
    topic = f"test.ops.relay.{uuid.uuid4().hex[:10]}"
    settings = operator_settings(stack, {Topic.PROFILE: topic}, "relay")
    await make_topic(stack.kafka_bootstrap, topic)
    await relay_again(
        profile_store, topic=topic, start=1, kafka_bootstrap=stack.kafka_bootstrap
    )
    before = await event_ids_on(stack.kafka_bootstrap, topic)
    try:
        projected = await projected_models(settings, opensearch)

        await delete_topic(stack.kafka_bootstrap, topic)
        await make_topic(stack.kafka_bootstrap, topic)
        lost = await event_ids_on(stack.kafka_bootstrap, topic)
        report = await relay_again(
            profile_store, topic=topic, start=1, kafka_bootstrap=stack.kafka_bootstrap
        )
        after = await event_ids_on(stack.kafka_bootstrap, topic)
        # The live consumer reads the relayed events again: they change nothing.
        live_again = await projected_models(settings, opensearch)
        # A rebuild from the relayed topic alone gives the same read models.
        rebuilt = await rebuild(settings.model_copy(update={"live_wait_seconds": 5}))
        from_topic = await snapshot(opensearch, aliases_of(settings.index_prefix))
    finally:
        await drop_prefix(settings, settings.index_prefix)

    stored = [
        e.envelope.event_id
        for m in members
        for e in aggregate_history([profile_store], m)
        if e.envelope
    ]
    assert len(stored) == 60
    assert lost == []
    assert sorted(after) == sorted(before) == sorted(stored)
    assert (report.first, report.last, report.published) == (1, 60, 60)
    assert len(projected[Model.PEOPLE.value]) == 30
    assert document_differences(live_again, projected) == []
    assert rebuilt.switched and rebuilt.events == 60 and rebuilt.failed == []
    assert document_differences(from_topic, projected) == []


async def projected_models(
    settings: OperatorSettings, opensearch: AsyncOpenSearch
) -> Snapshot:
    """The live read models once the projection has read the whole topic."""
    async with projecting(settings):
        await wait_until_drained(
            settings.kafka_bootstrap,
            settings.projection_group,
            settings.projection_topics,
        )
    return await snapshot(opensearch, aliases_of(settings.index_prefix))


async def test_a_relay_again_starts_at_the_notification_it_is_given(
    stack: StackAddresses, profile_store: EventStore
) -> None:
    members = record_profiles(profile_store, 3)
    topic = f"test.ops.relay.{uuid.uuid4().hex[:10]}"
    await make_topic(stack.kafka_bootstrap, topic)

    report = await relay_again(
        profile_store, topic=topic, start=5, kafka_bootstrap=stack.kafka_bootstrap
    )

    events = [
        decode(r.value) for r in await read_to_end(stack.kafka_bootstrap, [topic])
    ]
    assert report.published == 2
    assert {e.envelope.aggregate_id for e in events if e} == {members[2]}


def test_an_aggregate_history_lists_its_events_as_envelopes_in_order(
    profile_store: EventStore,
) -> None:
    member = record_profiles(profile_store, 2)[1]

    history = aggregate_history([profile_store], member)

    assert [(e.name, e.version) for e in history] == [
        ("ProfileCreated", 1),
        ("SkillsUpdated", 2),
    ]
    envelopes = [e.envelope for e in history if e.envelope]
    assert [e.aggregate_id for e in envelopes] == [member, member]
    assert envelopes[1].payload["skills"][0]["skill_id"] == SKILL


def test_an_unknown_aggregate_has_no_history(profile_store: EventStore) -> None:
    record_profiles(profile_store, 1)

    assert aggregate_history([profile_store], uuid.uuid4()) == []
