"""Duplicates, reordering and poison on the real topics of a running Carrel.

Kafka delivers at least once, so every consumer must take an event once
however often and in whatever order it comes. Here every event already on the
profile and teams topics is published again, newest first and twice over;
then messages that cannot be read at all. The projection and matching must
count what they counted before, put the poison in the dead-letter topic with
the reason, and go on with what comes next.
"""

import asyncio
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from carrel_events import dead_letter_topic

from tests.faults.programme import Programme, client, ok
from tests.faults.reconcile import Report, reconciled
from tests.faults.rig import Rig

pytestmark = pytest.mark.integration

POISON = [
    b"\x00\xffnot an event at all",
    b'{"event_type": "MemberJoined", "schema_version": 1}',
    json.dumps(
        {
            "event_id": "00000000-0000-0000-0000-000000000000",
            "event_type": "MemberJoined",
            "schema_version": 1,
            "aggregate_type": "Team",
            "aggregate_id": "not-a-uuid",
            "aggregate_version": -3,
            "occurred_at": "yesterday",
            "payload": {"person_id": 42},
        }
    ).encode(),
]


@pytest.fixture
def http(rig: Rig) -> Iterator[httpx.Client]:
    with client(rig.url) as http:
        yield http


async def records_of(bootstrap: str, topic: str) -> list[Any]:
    """Every record of a topic, from the start."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()
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


async def publish(
    bootstrap: str, topic: str, messages: list[tuple[bytes | None, bytes]]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


def log_session(http: httpx.Client, programme: Programme, days_ago: int) -> None:
    team = programme.birch
    held_on = (date.today() - timedelta(days=days_ago)).isoformat()
    ok(
        http.post(
            f"/teams/{team.team_id}/mentorships/{team.mentorship_id}/sessions",
            json={"held_on": held_on, "minutes": 20},
            headers=team.mentors[0].headers,
        )
    )


def assert_clean(report: Report) -> None:
    assert report.problems == [], "\n".join(report.problems)
    assert report.relayed > 50


def test_every_event_again_newest_first_changes_no_count(
    rig: Rig, programme: Programme, http: httpx.Client
) -> None:
    assert_clean(reconciled(rig))
    replayed = 0
    for producer in ("profile", "teams", "resources"):
        topic = rig.run.topic(producer)
        records = asyncio.run(records_of(rig.kafka.bootstrap, topic))
        again = [(r.key, r.value) for r in reversed(records)] * 2
        asyncio.run(publish(rig.kafka.bootstrap, topic, again))
        replayed += len(again)

    # Something new after the flood: it must be taken, once.
    log_session(http, programme, days_ago=3)
    report = reconciled(rig)

    assert replayed > 200
    assert_clean(report)
    assert report.duplicates_on_kafka >= replayed


def test_poison_goes_to_the_dead_letter_topic_and_the_stream_goes_on(
    rig: Rig, programme: Programme, http: httpx.Client
) -> None:
    topic = rig.run.topic("teams")
    key = str(programme.birch.team_id).encode()
    asyncio.run(publish(rig.kafka.bootstrap, topic, [(key, p) for p in POISON]))

    log_session(http, programme, days_ago=2)
    report = reconciled(rig)
    dead = asyncio.run(records_of(rig.kafka.bootstrap, dead_letter_topic(topic)))

    assert_clean(report)
    for poison in POISON:
        consumers = {
            dict(r.headers)["carrel-consumer"].decode()
            for r in dead
            if r.value == poison
        }
        assert any("projection" in c for c in consumers), (poison, consumers)
        assert any("matching" in c for c in consumers), (poison, consumers)
    reasons = [dict(r.headers)["carrel-error"].decode() for r in dead]
    assert all(reasons)
