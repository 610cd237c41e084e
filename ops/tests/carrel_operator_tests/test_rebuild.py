"""A rebuild against the real Kafka and OpenSearch, while events keep arriving."""

import asyncio

import pytest
from carrel_events import Envelope, Topic
from carrel_operator.adapters.read_models import aliases_of, read_indices, snapshot
from carrel_operator.comparison import document_differences
from carrel_operator.determinism import check_determinism
from carrel_operator.rebuild import rebuild
from carrel_operator.settings import OperatorSettings
from carrel_operator.versions import ModelIndices
from carrel_projection.domain.documents import Model
from carrel_projection.sample import Programme
from carrel_projection.testing import projecting, publish, wait_until_drained
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
