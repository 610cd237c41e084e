"""A rebuild against the real Kafka and OpenSearch, while events keep arriving."""

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from carrel_events import Envelope, Topic
from carrel_events.consumer import Delivery
from carrel_events.consumer.runtime import RetryPolicy
from carrel_events.contracts import profile as p
from carrel_events.contracts import teams as t
from carrel_events.contracts.common import SkillLevel
from carrel_operator import rebuild as rebuilding
from carrel_operator.adapters.read_models import (
    aliases_of,
    read_indices,
    snapshot,
    switch,
)
from carrel_operator.comparison import document_differences
from carrel_operator.determinism import check_determinism
from carrel_operator.rebuild import rebuild
from carrel_operator.settings import OperatorSettings
from carrel_operator.versions import ModelIndices
from carrel_projection.adapters.store import DocumentStore
from carrel_projection.application import Projection
from carrel_projection.domain.documents import Model
from carrel_projection.sample import Programme
from carrel_projection.testing import (
    EventScript,
    projecting,
    publish,
    wait_until_drained,
)
from opensearchpy import AsyncOpenSearch

from .conftest import StackAddresses, drop_prefix, operator_settings

pytestmark = pytest.mark.integration


async def trickle(
    bootstrap: str, envelopes: list[Envelope], topics: dict[Topic, str]
) -> None:
    """Publish a few events at a time, as a busy programme would."""
    for start in range(0, len(envelopes), 3):
        await publish(bootstrap, envelopes[start : start + 3], topics)
        await asyncio.sleep(0.05)


async def drained(settings: OperatorSettings) -> None:
    await wait_until_drained(
        settings.kafka_bootstrap,
        settings.projection_group,
        settings.projection_topics,
        seconds=120,
    )


async def test_a_rebuild_while_events_keep_arriving_ends_equal_to_the_live_models(
    stack: StackAddresses,
    topics: dict[Topic, str],
    settings: OperatorSettings,
    opensearch: AsyncOpenSearch,
) -> None:
    reference = operator_settings(stack, topics, "reference")
    recorded = Programme().record_everything().recorded
    half = len(recorded) // 2
    try:
        async with projecting(settings), projecting(reference):
            await publish(settings.kafka_bootstrap, recorded[:half], topics)
            await drained(settings)
            arriving = asyncio.create_task(
                trickle(settings.kafka_bootstrap, recorded[half:], topics)
            )
            report = await rebuild(settings)
            await arriving
            await drained(settings)
            await drained(reference)
        rebuilt = await snapshot(opensearch, aliases_of(settings.index_prefix))
        expected = await snapshot(opensearch, aliases_of(reference.index_prefix))
    finally:
        await drop_prefix(reference, reference.index_prefix)

    assert report.switched, report.count_differences
    assert report.events >= half
    assert document_differences(rebuilt, expected) == []
    assert sum(len(docs) for docs in rebuilt.values()) > 50


async def test_after_a_rebuild_the_new_version_is_live_and_the_old_one_is_kept(
    topics: dict[Topic, str],
    settings: OperatorSettings,
    opensearch: AsyncOpenSearch,
) -> None:
    recorded = Programme().record_everything().recorded
    async with projecting(settings):
        await publish(settings.kafka_bootstrap, recorded, topics)
        await drained(settings)
        first = await rebuild(settings)
        second = await rebuild(settings, drop_old=True)

    indices = await read_indices(opensearch, settings.index_prefix)
    assert (first.version, second.version) == (2, 3)
    assert first.previous[Model.PEOPLE.value] == 1
    assert ModelIndices(Model.PEOPLE, (1, 3), live=3) in indices
    assert f"{settings.index_prefix}-people-v2" in second.dropped


async def test_a_rebuild_whose_counts_differ_from_the_live_ones_does_not_switch(
    topics: dict[Topic, str], settings: OperatorSettings, opensearch: AsyncOpenSearch
) -> None:
    recorded = Programme().record_everything().recorded
    async with projecting(settings):
        await publish(settings.kafka_bootstrap, recorded, topics)
        await drained(settings)
    # The live read models miss a person the events name: counts must differ.
    people = f"{settings.index_prefix}-people"
    await opensearch.index(index=people, id="stray", body={"person_id": "stray"})
    quick = settings.model_copy(update={"count_check_attempts": 1})

    report = await rebuild(quick)

    assert not report.switched
    assert [d.model for d in report.count_differences] == [Model.PEOPLE.value]
    live = await read_indices(opensearch, settings.index_prefix)
    assert {m.live for m in live} == {1}


async def test_two_replays_of_the_same_events_build_the_same_read_models(
    topics: dict[Topic, str], settings: OperatorSettings
) -> None:
    recorded = Programme().record_everything().recorded
    await publish(settings.kafka_bootstrap, recorded, topics)

    report = await check_determinism(settings)

    assert report.events == len(recorded)
    assert report.documents > 50
    assert report.differences == []


Fault = Callable[[Sequence[Delivery]], Exception | None]


def rebuilding_with(monkeypatch: pytest.MonkeyPatch, fault: Fault) -> None:
    """The rebuild's projection raises what ``fault`` says before each batch."""

    def projection(store: DocumentStore) -> Any:
        projection = Projection(store)

        async def handle(deliveries: Sequence[Delivery]) -> None:
            error = fault(deliveries)
            if error is not None:
                raise error
            await projection(deliveries)

        return handle

    monkeypatch.setattr(rebuilding, "Projection", projection)
    quick = RetryPolicy(first_backoff_seconds=0.01, max_backoff_seconds=0.05)
    monkeypatch.setattr("carrel_operator.replay.BACKOFF", quick)


async def test_a_rebuild_waits_out_a_dependency_outage_and_skips_nothing(
    topics: dict[Topic, str],
    settings: OperatorSettings,
    opensearch: AsyncOpenSearch,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorded = Programme().record_everything().recorded
    outage = iter(range(40))

    def away(deliveries: Sequence[Delivery]) -> Exception | None:
        # More failures in a row than any fixed number of attempts absorbs.
        if next(outage, None) is None:
            return None
        return ConnectionError("OpenSearch is away")

    rebuilding_with(monkeypatch, away)
    async with projecting(settings):
        await publish(settings.kafka_bootstrap, recorded, topics)
        await drained(settings)
        report = await rebuild(settings)

    assert next(outage, None) is None, "the outage lasted forty batches"
    assert report.switched and report.failed == [] and report.skipped == 0
    assert report.applied == len(recorded)


async def test_a_rebuild_in_which_an_event_failed_does_not_switch(
    topics: dict[Topic, str],
    settings: OperatorSettings,
    opensearch: AsyncOpenSearch,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorded = Programme().record_everything().recorded
    rejected = recorded[len(recorded) // 2].event_id

    def bug(deliveries: Sequence[Delivery]) -> Exception | None:
        ids = {d.event.envelope.event_id for d in deliveries}
        return ValueError("a bug in the projection") if rejected in ids else None

    rebuilding_with(monkeypatch, bug)
    async with projecting(settings):
        await publish(settings.kafka_bootstrap, recorded, topics)
        await drained(settings)
        report = await rebuild(settings, force=True)

    assert not report.switched
    [failed] = report.failed
    assert str(rejected) in failed and "a bug in the projection" in failed
    assert report.applied == len(recorded) - 1
    live = await read_indices(opensearch, settings.index_prefix)
    assert {m.live for m in live} == {1}


async def test_what_the_live_consumer_applies_while_the_aliases_switch_is_kept(
    stack: StackAddresses,
    topics: dict[Topic, str],
    settings: OperatorSettings,
    opensearch: AsyncOpenSearch,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script, team, member = EventScript(), uuid.uuid4(), uuid.uuid4()
    joined = t.MemberJoined(person_id=member, roles=["mentee"], via="founder")
    first = [
        script.record(joined, team, team),
        script.record(p.ProfileCreated(display_name="Ada"), member),
    ]
    skills = [SkillLevel(skill_id="esco.digital-curation", proficiency=3)]
    before_switch = script.record(p.SkillsUpdated(skills=skills), member)
    after_switch = script.record(p.InterestsUpdated(interests=["maps"]), member)

    async def switch_in_traffic(client: AsyncOpenSearch, actions: Any) -> None:
        # Past the rebuild's last catch-up, the live consumer applies v3 to
        # the old indices; just after the switch, v4 to the new ones.
        await publish(settings.kafka_bootstrap, [before_switch], topics)
        await drained(settings)
        await switch(client, actions)
        await publish(settings.kafka_bootstrap, [after_switch], topics)
        await drained(settings)

    monkeypatch.setattr(rebuilding, "switch", switch_in_traffic)
    reference = operator_settings(stack, topics, "reference")
    try:
        async with projecting(settings):
            await publish(settings.kafka_bootstrap, first, topics)
            await drained(settings)
            report = await rebuild(settings)
            await drained(settings)
        async with projecting(reference):
            await drained(reference)
        rebuilt = await snapshot(opensearch, aliases_of(settings.index_prefix))
        expected = await snapshot(opensearch, aliases_of(reference.index_prefix))
    finally:
        await drop_prefix(reference, reference.index_prefix)

    assert report.switched and report.switch_window == 2
    assert document_differences(rebuilt, expected) == []
    assert report.repaired == 1
    person = rebuilt[Model.PEOPLE.value][str(member)]
    assert set(person["sections"]) == {"skills", "interests"}
