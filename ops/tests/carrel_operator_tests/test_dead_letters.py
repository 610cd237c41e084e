"""Dead letters of the live projection, retried after the fault is fixed."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from carrel_events import Topic
from carrel_events.contracts import profile as p
from carrel_events.contracts import teams as t
from carrel_events.contracts.common import SkillLevel
from carrel_operator.adapters.kafka import read_to_end
from carrel_operator.dead_letters import (
    RETRY_HEADER,
    DeadLetter,
    RetryLedger,
    dead_letter_topics,
    read_dead_letters,
    retry_letters,
)
from carrel_operator.reprojection import retry_and_reproject
from carrel_operator.settings import OperatorSettings
from carrel_projection.testing import (
    EventScript,
    projecting,
    publish,
    snapshot,
    wait_until_drained,
)
from opensearchpy import AsyncOpenSearch

from .conftest import StackAddresses, drop_prefix, operator_settings

pytestmark = pytest.mark.integration


async def letters_when_there(
    settings: OperatorSettings, count: int
) -> list[DeadLetter]:
    topics = dead_letter_topics(settings.projection_topics)
    async with asyncio.timeout(60):
        while (
            len(found := await read_dead_letters(settings.kafka_bootstrap, topics))
            < count
        ):
            await asyncio.sleep(0.5)
    return found


async def person(opensearch: AsyncOpenSearch, prefix: str, member: uuid.UUID) -> Any:
    return await opensearch.get(index=f"{prefix}-people", id=str(member), realtime=True)


@contextlib.asynccontextmanager
async def closed_people_index(
    opensearch: AsyncOpenSearch, settings: OperatorSettings
) -> AsyncIterator[None]:
    """The people index closed while the block runs: every event that touches it
    fails, and is dead-lettered, until it opens again."""
    index = f"{settings.index_prefix}-people-v1"
    async with asyncio.timeout(60):
        # The projection makes its indices as it starts.
        while not await opensearch.indices.exists(index=index):
            await asyncio.sleep(0.1)
    await opensearch.indices.close(index=index)
    try:
        yield
    finally:
        await opensearch.indices.open(index=index, wait_for_active_shards=1)


async def test_a_retried_dead_letter_is_applied_once(
    topics: dict[Topic, str], settings: OperatorSettings, opensearch: AsyncOpenSearch
) -> None:
    script, member = EventScript(), uuid.uuid4()
    script.record(p.ProfileCreated(display_name="Grace"), member)
    ledger = RetryLedger(settings.kafka_bootstrap, settings.retry_ledger_topic)
    async with projecting(settings):
        # An outage of one index: the event cannot be applied and is dead-lettered.
        async with closed_people_index(opensearch, settings):
            await publish(settings.kafka_bootstrap, script.recorded, topics)
            [letter] = await letters_when_there(settings, 1)

        first = await retry_letters(settings.kafka_bootstrap, [letter], ledger)
        second = await retry_letters(settings.kafka_bootstrap, [letter], ledger)
        await drain(settings)
        applied = await person(opensearch, settings.index_prefix, member)
        # Publishing it yet again (bypassing the ledger) must change nothing.
        await retry_letters(settings.kafka_bootstrap, [letter], ledger, again=True)
        await drain(settings)
        after = await person(opensearch, settings.index_prefix, member)

    assert letter.original_topic == topics[Topic.PROFILE]
    assert letter.error_type
    assert (first.retried, second.retried) == ([letter.letter_id], [])
    assert second.already_retried == [letter.letter_id]
    assert applied["_source"]["display_name"] == "Grace"
    assert after["_seq_no"] == applied["_seq_no"]
    assert len(await letters_when_there(settings, 1)) == 1


async def test_a_retry_carries_the_letter_it_came_from(
    topics: dict[Topic, str], settings: OperatorSettings
) -> None:
    dlq = dead_letter_topics([topics[Topic.TEAMS]])[0]
    letter = DeadLetter(
        topic=dlq,
        partition=0,
        offset=41,
        key=b"k",
        value=b"{}",
        headers={"carrel-original-topic": topics[Topic.TEAMS]},
        timestamp_ms=0,
    )
    ledger = RetryLedger(settings.kafka_bootstrap, settings.retry_ledger_topic)

    await retry_letters(settings.kafka_bootstrap, [letter], ledger)

    [copy] = await read_to_end(settings.kafka_bootstrap, [topics[Topic.TEAMS]])
    assert (copy.key, copy.value) == (b"k", b"{}")
    assert dict(copy.headers)[RETRY_HEADER] == f"{dlq}:0:41".encode()
    assert await ledger.retried() == {f"{dlq}:0:41"}


async def drain(settings: OperatorSettings) -> None:
    await wait_until_drained(
        settings.kafka_bootstrap, settings.projection_group, settings.projection_topics
    )


async def test_a_letter_retried_after_later_events_were_applied_lands_as_in_order(
    stack: StackAddresses,
    topics: dict[Topic, str],
    settings: OperatorSettings,
    opensearch: AsyncOpenSearch,
) -> None:
    script, team, member = EventScript(), uuid.uuid4(), uuid.uuid4()
    joined = t.MemberJoined(person_id=member, roles=["mentee"], via="founder")
    first = [
        script.record(joined, team, team),
        script.record(p.ProfileCreated(display_name="Grace"), member),
    ]
    skills = [SkillLevel(skill_id="esco.digital-curation", proficiency=3)]
    failing = script.record(p.SkillsUpdated(skills=skills), member)
    later = script.record(p.InterestsUpdated(interests=["maps"]), member)
    reference = operator_settings(stack, topics, "reference")
    try:
        async with projecting(settings):
            await publish(settings.kafka_bootstrap, first, topics)
            await drain(settings)
            async with closed_people_index(opensearch, settings):
                await publish(settings.kafka_bootstrap, [failing], topics)
                [letter] = await letters_when_there(settings, 1)
            # The partition goes on: v3 is applied, and v2 is now older than
            # what the person's document has taken.
            await publish(settings.kafka_bootstrap, [later], topics)
            await drain(settings)
            before = await person(opensearch, settings.index_prefix, member)

            retried, repaired = await retry_and_reproject(settings, [letter])
            await drain(settings)
        async with projecting(reference):
            await drain(reference)
        repaired_models = await snapshot(opensearch, settings.index_prefix)
        in_order = await snapshot(opensearch, reference.index_prefix)
    finally:
        await drop_prefix(reference, reference.index_prefix)

    assert "skills" not in before["_source"]["sections"], "v2 missed, as it was"
    assert retried.retried == [letter.letter_id]
    assert repaired.reprojected == [str(member)] and repaired.failed == []
    assert repaired_models == in_order
    entry = repaired_models["directory"][f"{team}:{member}"]
    assert entry["skill_ids"] == ["esco.digital-curation"]
    assert entry["interests"] == ["maps"]
