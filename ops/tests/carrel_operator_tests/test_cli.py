"""The command line, run as an operator would, against the real stack.

The tests are synchronous: each command runs its own event loop.
"""

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from carrel_events import Topic, encode
from carrel_events.contracts import profile as p
from carrel_operator import cli
from carrel_operator import dead_letters as letters
from carrel_operator.adapters.groups import commit_offsets, committed_offsets
from carrel_operator.cli import app
from carrel_operator.settings import OperatorSettings
from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.indices import ensure_indices
from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.testing import EventScript
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


@pytest.mark.parametrize(("answer", "moved"), [("y\n", True), ("n\n", False)])
def test_an_offset_reset_in_a_terminal_asks_before_it_applies(
    topics: dict[Topic, str],
    settings: OperatorSettings,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    moved: bool,
) -> None:
    group = f"test-ops-{uuid.uuid4().hex[:8]}"
    topic = topics[Topic.TEAMS]
    asyncio.run(produce(settings.kafka_bootstrap, topic, [b"x"] * 3))
    partition = TopicPartition(topic, 0)
    asyncio.run(commit_offsets(settings.kafka_bootstrap, group, {partition: 0}))
    monkeypatch.setattr(cli, "_stdin_is_a_terminal", lambda: True)

    result = CliRunner().invoke(
        app,
        ["offsets", "reset", group, "--to", "latest"],
        env=environment(settings),
        input=answer,
    )
    after = asyncio.run(committed_offsets(settings.kafka_bootstrap, group))

    assert result.exit_code == 0, result.output
    assert "Move the commits" in result.output
    assert after[partition] == (3 if moved else 0)


async def produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, partition=0)
    finally:
        await producer.stop()


def a_dead_letter(settings: OperatorSettings, topics: dict[Topic, str]) -> str:
    """A profile event the projection's group dead-lettered; the letter's id."""
    envelope = EventScript().record(p.ProfileCreated(display_name="Ada"), uuid.uuid4())
    dlq = letters.dead_letter_topics([topics[Topic.PROFILE]])[0]
    headers = {
        "carrel-error": "RequestError: index_closed_exception",
        "carrel-error-type": "RequestError",
        "carrel-consumer": settings.projection_group,
        "carrel-original-topic": topics[Topic.PROFILE],
        "carrel-original-partition": "2",
        "carrel-original-offset": "7",
    }

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(
                dlq,
                encode(envelope),
                key=str(envelope.aggregate_id).encode(),
                headers=[(k, v.encode()) for k, v in headers.items()],
            )
            await producer.send_and_wait(dlq, b"not json", headers=[])
        finally:
            await producer.stop()

    asyncio.run(send())
    return f"{dlq}:0:0"


def test_dead_letters_are_listed_with_where_they_came_from_and_why(
    topics: dict[Topic, str], settings: OperatorSettings
) -> None:
    letter_id = a_dead_letter(settings, topics)
    env = environment(settings) | {"COLUMNS": "300"}

    listed = CliRunner().invoke(
        app, ["dead-letters", "list", "--topic", topics[Topic.PROFILE]], env=env
    )

    assert listed.exit_code == 0, listed.output
    [line] = [x for x in listed.output.splitlines() if letter_id in x]
    assert f"{topics[Topic.PROFILE]}[2]@7" in line
    assert settings.projection_group in line and "index_closed_exception" in line
    assert letter_id.replace(":0:0", ":0:1") in listed.output, "the undecodable too"


def test_a_dead_letter_is_shown_with_its_headers_and_event(
    topics: dict[Topic, str], settings: OperatorSettings
) -> None:
    letter_id = a_dead_letter(settings, topics)
    env = environment(settings) | {"COLUMNS": "300"}
    runner = CliRunner()

    shown = runner.invoke(app, ["dead-letters", "show", letter_id], env=env)
    raw = runner.invoke(
        app, ["dead-letters", "show", letter_id.replace(":0:0", ":0:1")], env=env
    )
    missing = runner.invoke(
        app, ["dead-letters", "show", letter_id.replace(":0:0", ":0:9")], env=env
    )

    assert shown.exit_code == 0, shown.output
    assert '"carrel-original-offset": "7"' in shown.output
    assert '"event_type": "ProfileCreated"' in shown.output
    assert "dead-lettered at" in shown.output
    assert raw.exit_code == 0 and "not decodable" in raw.output
    assert "not json" in raw.output
    assert missing.exit_code == 1 and "no dead letter" in missing.output


async def make_indices(settings: OperatorSettings) -> None:
    client = open_client(settings)
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


def test_topics_are_made_with_the_partitions_of_the_settings_and_once(
    settings: OperatorSettings,
) -> None:
    wanted = [f"test.ops.topics.{uuid.uuid4().hex[:8]}" for _ in range(2)]
    env = environment(settings) | {
        "CARREL_PROJECTION_TOPICS": '["' + '","'.join(wanted) + '"]',
        "CARREL_KAFKA_TOPIC_PARTITIONS": "5",
    }
    runner = CliRunner()

    first = runner.invoke(app, ["topics"], env=env)
    second = runner.invoke(app, ["topics"], env=env)

    assert first.exit_code == 0, first.output
    assert sorted(first.output.split()) == sorted(
        ["created"] * 4 + wanted + [f"{t}.dlq" for t in wanted]
    )
    assert "already there" in second.output
    partitions = asyncio.run(partition_counts(settings.kafka_bootstrap, wanted))
    assert partitions == {wanted[0]: 5, wanted[1]: 5}


async def partition_counts(bootstrap: str, topics: list[str]) -> dict[str, int]:
    """Each topic's partitions, once the cluster's metadata names them all (a
    topic made a moment ago may still be described without partitions)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        async with asyncio.timeout(30):
            while True:
                described = await admin.describe_topics(topics)
                counts = {t["topic"]: len(t["partitions"]) for t in described}
                if all(counts.get(t) for t in topics):
                    return counts
                await asyncio.sleep(0.2)
    finally:
        await admin.close()
