"""The command line, run as an operator would, against the real stack.

The tests are synchronous: each command runs its own event loop.
"""

import asyncio
import uuid

import pytest
from aiokafka import TopicPartition
from carrel_events import Topic
from carrel_operator.adapters.groups import commit_offsets, committed_offsets
from carrel_operator.cli import app
from carrel_operator.settings import OperatorSettings
from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.indices import ensure_indices
from carrel_projection.adapters.read_models import DEFINITIONS
from typer.testing import CliRunner

pytestmark = pytest.mark.integration


def environment(settings: OperatorSettings) -> dict[str, str]:
    return {
        "CARREL_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "CARREL_OPENSEARCH_URL": settings.opensearch_url,
        "CARREL_PG_DSN": settings.pg_dsn,
        "CARREL_INDEX_PREFIX": settings.index_prefix,
        "CARREL_PROJECTION_TOPICS": '["'
        + '","'.join(settings.projection_topics)
        + '"]',
        "CARREL_RETRY_LEDGER_TOPIC": settings.retry_ledger_topic,
    }


def test_an_offset_reset_without_yes_only_prints_the_plan(
    topics: dict[Topic, str], settings: OperatorSettings
) -> None:
    group = f"test-ops-{uuid.uuid4().hex[:8]}"
    partition = TopicPartition(topics[Topic.TEAMS], 0)
    asyncio.run(commit_offsets(settings.kafka_bootstrap, group, {partition: 0}))
    runner = CliRunner()

    dry = runner.invoke(
        app, ["offsets", "reset", group, "--to", "latest"], env=environment(settings)
    )
    unchanged = asyncio.run(committed_offsets(settings.kafka_bootstrap, group))

    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output
    assert unchanged == {partition: 0}


async def make_indices(settings: OperatorSettings) -> None:
    client = open_client(settings.opensearch_url)
    await ensure_indices(client, settings.index_prefix, DEFINITIONS)
    await client.close()


def test_the_live_version_is_listed_and_cannot_be_dropped(
    settings: OperatorSettings,
) -> None:
    asyncio.run(make_indices(settings))
    runner = CliRunner()

    listed = runner.invoke(app, ["indices"], env=environment(settings))
    dropped = runner.invoke(app, ["drop-index", "1"], env=environment(settings))

    assert listed.exit_code == 0, listed.output
    assert "v1" in listed.output
    assert dropped.exit_code == 1
    assert "live" in dropped.output


def test_a_retry_without_letters_or_all_is_refused(settings: OperatorSettings) -> None:
    result = CliRunner().invoke(
        app, ["dead-letters", "retry"], env=environment(settings)
    )

    assert result.exit_code == 1
    assert "--all" in result.output
