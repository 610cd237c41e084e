"""From profile and teams events on Kafka to candidates on the read API."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from carrel_events import dead_letter_topic, decode, encode
from carrel_events.contracts import teams as t
from carrel_events.contracts.matching import MentorCandidatesRanked
from carrel_matching.entrypoints.consumer import matching_process
from carrel_matching.entrypoints.http import create_app
from carrel_matching.settings import MatchingSettings

from .events import EventLog
from .programme import Programme

pytestmark = pytest.mark.integration


async def create_topics(settings: MatchingSettings) -> None:
    names = [settings.profile_topic, settings.teams_topic, settings.matching_topic]
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        topics = [NewTopic(n, 3, 1) for n in names]
        topics += [NewTopic(dead_letter_topic(n), 1, 1) for n in names]
        await admin.create_topics(topics)
    finally:
        await admin.close()


async def produce(settings: MatchingSettings, log: EventLog) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True
    )
    await producer.start()
    try:
        for topic, envelope in log.envelopes:
            key = str(envelope.aggregate_id).encode()
            await producer.send_and_wait(topic, encode(envelope), key=key)
    finally:
        await producer.stop()


@asynccontextmanager
async def api(settings: MatchingSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, publish=False)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://m") as client,
    ):
        yield client


async def candidates_when_ready(
    client: httpx.AsyncClient, programme: Programme, expected: int
) -> list[dict[str, Any]]:
    """The list once every event is in: all mentors listed, the near one first.

    Profile and teams events travel on different partitions, so lists made
    from part of them show up first and are replaced as the rest arrives.
    """
    url = f"/api/v1/teams/{programme.team_id}/mentees/{programme.mentee_id}/candidates"
    headers = {"X-Carrel-Member": str(programme.mentee_id)}
    async with asyncio.timeout(60):
        while True:
            answer = await client.get(url, headers=headers)
            listed = answer.json().get("candidates", [])
            if len(listed) >= expected and _complete(listed[0], programme):
                return list(listed)
            await asyncio.sleep(0.2)


def _complete(best: dict[str, Any], programme: Programme) -> bool:
    near = best["mentor_id"] == str(programme.near_mentor_id)
    return near and any(r.startswith("same state") for r in best["reasons"])


async def ranked_event_naming(
    settings: MatchingSettings, mentor_id: UUID
) -> MentorCandidatesRanked:
    """The last MentorCandidatesRanked that puts ``mentor_id`` first.

    Earlier events carry the lists made while events were still arriving
    (before the profiles, a mentor can come first on a tie, for their room).
    """
    consumer = AIOKafkaConsumer(
        settings.matching_topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: MentorCandidatesRanked | None = None
    more = True
    try:
        async with asyncio.timeout(30):
            while found is None or more:
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    found = _naming(records, mentor_id) or found
                more = bool(batch)
    finally:
        await consumer.stop()
    return found


def _naming(
    records: list[ConsumerRecord[bytes, bytes]], mentor_id: UUID
) -> MentorCandidatesRanked | None:
    found = None
    for record in records:
        decoded = decode(record.value)
        assert decoded is not None
        assert isinstance(decoded.payload, MentorCandidatesRanked)
        candidates = decoded.payload.candidates
        if candidates and candidates[0].mentor_id == mentor_id:
            found = decoded.payload
    return found


async def test_profiles_on_kafka_become_ranked_candidates_with_reasons_on_the_api(
    matching_settings: MatchingSettings,
) -> None:
    settings = matching_settings
    await create_topics(settings)
    programme = Programme(EventLog(), settings.profile_topic, settings.teams_topic)
    programme.everyone_joins_with_profiles()
    await produce(settings, programme.log)

    process = matching_process(settings)
    stop = asyncio.Event()
    await process.start()
    running = asyncio.create_task(process.runtime.run(stop))
    try:
        async with api(settings) as client:
            candidates = await candidates_when_ready(client, programme, expected=2)
            outsider = await client.get(
                f"/api/v1/teams/{programme.team_id}/mentees/{programme.mentee_id}"
                "/candidates",
                headers={"X-Carrel-Member": str(uuid4())},
            )
        event = await ranked_event_naming(settings, programme.near_mentor_id)
    finally:
        stop.set()
        await running
        await process.stop()

    best, other = candidates
    assert best["mentor_id"] == str(programme.near_mentor_id)
    assert other["mentor_id"] == str(programme.far_mentor_id)
    assert 0 <= other["score"] < best["score"] <= 1
    assert "covers 3 of your 4 learning goals" in best["reasons"][0]
    assert "develop information standards" in best["reasons"][0]
    assert "works as Head of Technical Services, your target role" in best["reasons"]
    assert any(
        r.startswith("same state, ") and r.endswith(" km away") for r in best["reasons"]
    )
    assert set(best["breakdown"]) >= {"goal_coverage", "place", "language"}
    assert outsider.status_code == 404
    assert event.mentee_id == programme.mentee_id
    assert event.candidates[0].reasons == best["reasons"]


async def listed_when(
    client: httpx.AsyncClient, programme: Programme, expected: list[UUID]
) -> list[UUID]:
    """The mentee's mentors once they are the ones expected (or 30 s have passed)."""
    url = f"/api/v1/teams/{programme.team_id}/mentees/{programme.mentee_id}/candidates"
    headers = {"X-Carrel-Member": str(programme.mentee_id)}
    listed: list[UUID] = []
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(30):
            while listed != expected:
                await asyncio.sleep(0.2)
                answer = await client.get(url, headers=headers)
                listed = [UUID(c["mentor_id"]) for c in answer.json()["candidates"]]
    return listed


async def ranked_lists(settings: MatchingSettings) -> list[list[UUID]]:
    """Every list MentorCandidatesRanked has told so far, in the order told."""
    consumer = AIOKafkaConsumer(
        settings.matching_topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    told: list[tuple[int, list[UUID]]] = []
    try:
        while batch := await consumer.getmany(timeout_ms=2000):
            for records in batch.values():
                told += [(r.timestamp, _mentors_of(r)) for r in records]
    finally:
        await consumer.stop()
    return [mentors for _, mentors in sorted(told, key=lambda x: x[0])]


def _mentors_of(record: ConsumerRecord[bytes, bytes]) -> list[UUID]:
    decoded = decode(record.value)
    assert decoded is not None and isinstance(decoded.payload, MentorCandidatesRanked)
    return [c.mentor_id for c in decoded.payload.candidates]


async def test_a_mentor_their_team_pauses_leaves_the_candidates_until_they_resume(
    matching_settings: MatchingSettings,
) -> None:
    settings = matching_settings
    await create_topics(settings)
    programme = Programme(EventLog(), settings.profile_topic, settings.teams_topic)
    programme.everyone_joins_with_profiles()
    await produce(settings, programme.log)
    team, near, far = (
        programme.team_id,
        programme.near_mentor_id,
        programme.far_mentor_id,
    )
    both = [near, far]

    process = matching_process(settings)
    stop = asyncio.Event()
    await process.start()
    running = asyncio.create_task(process.runtime.run(stop))
    try:
        async with api(settings) as client:
            await candidates_when_ready(client, programme, expected=2)
            programme.log.add(
                settings.teams_topic,
                team,
                t.MentorPaused(person_id=near, expired_requests=3),
                team,
            )
            await produce(settings, programme.log)
            paused = await listed_when(client, programme, [far])
            programme.log.add(
                settings.teams_topic,
                team,
                t.MentorResumed(person_id=near, resumed_by=programme.coordinator_id),
                team,
            )
            await produce(settings, programme.log)
            resumed = await listed_when(client, programme, both)
        told = await ranked_lists(settings)
    finally:
        stop.set()
        await running
        await process.stop()

    assert paused == [far]
    assert resumed == both
    assert told[-2:] == [[far], both]
