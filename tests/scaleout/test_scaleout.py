"""Three copies of matching and of the projection, one killed, one added.

On topics of twelve partitions, three processes of matching's consumer and
three of the dashboard projection's share their consumer groups while a
stream of profile and teams events arrives. A third of the way in, one copy
of each is killed with SIGKILL (no commit, no goodbye to the group); half way,
a new copy of each joins. When everything is processed, one copy of each
replays the same topics into fresh state, and both states must be equal:
matching's tables row for row, every read model document for document, but
for the few fields that record how the work was batched or when it ran
(``HISTORY_COLUMNS``, ``HISTORY_FIELDS``). Every source aggregate's applied
version must be its last one: nothing lost, and a double application would
show as a difference in the state.
"""

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from carrel_events import encode
from carrel_events.clients import create_topics
from carrel_events.consumer.ledger import metadata as ledger_metadata
from carrel_matching.adapters.tables import connect, create_tables
from carrel_matching.adapters.tables import metadata as matching_metadata
from carrel_projection.adapters.indices import drop_indices, ensure_indices
from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.testing import snapshot
from opensearchpy import AsyncOpenSearch
from sqlalchemy import Engine, func, select

from tests.integration.stack import Stack
from tests.scaleout.copies import Deployment, differences, table_rows
from tests.scaleout.stream import Stream, programme

pytestmark = pytest.mark.integration

PARTITIONS = 12
TEAMS = int(os.environ.get("CARREL_SCALEOUT_TEAMS", "12"))
STREAM_SECONDS = float(os.environ.get("CARREL_SCALEOUT_STREAM_SECONDS", "40"))
DRAIN_SECONDS = 600


@dataclass(frozen=True)
class Run:
    """Names of this run: topics, and per setup a schema, a prefix and groups."""

    label: str

    def topic(self, kind: str) -> str:
        return f"scaleout.{self.label}.{kind}"

    def matching_topic(self, setup: str) -> str:
        return self.topic(f"matching-{setup}")

    def schema(self, setup: str) -> str:
        return f"scaleout_{self.label}_{setup}"

    def prefix(self, setup: str) -> str:
        return f"scaleout-{self.label}-{setup}"

    def group(self, kind: str, setup: str) -> str:
        return f"scaleout.{self.label}.{kind}.{setup}"

    def source_topics(self) -> list[str]:
        return [self.topic("profile"), self.topic("teams"), self.topic("resources")]


@pytest.fixture
def run() -> Run:
    return Run(uuid.uuid4().hex[:10])


@pytest.fixture
async def kafka(stack: Stack, run: Run) -> AsyncIterator["Kafka"]:
    names = run.source_topics() + [run.matching_topic(s) for s in ("multi", "single")]
    await create_topics(stack.kafka_bootstrap, names, PARTITIONS, replication=1)
    kafka = Kafka(stack.kafka_bootstrap)
    await kafka.start()
    yield kafka
    await kafka.close(names)


@pytest.fixture
def matching_schemas(stack: Stack, run: Run) -> Iterator[dict[str, Engine]]:
    dsn = stack.database_dsn("carrel_matching")
    engines = {}
    with psycopg.connect(dsn, autocommit=True) as db:
        for setup in ("multi", "single"):
            db.execute(f"CREATE SCHEMA {run.schema(setup)}")
            url = dsn.replace("postgresql://", "postgresql+psycopg://", 1)
            engines[setup] = connect(url, run.schema(setup))
            create_tables(engines[setup])
        yield engines
        for setup, engine in engines.items():
            engine.dispose()
            db.execute(f"DROP SCHEMA {run.schema(setup)} CASCADE")


@pytest.fixture
async def opensearch(stack: Stack, run: Run) -> AsyncIterator[AsyncOpenSearch]:
    client = AsyncOpenSearch(hosts=[stack.opensearch_url], timeout=60)
    for setup in ("multi", "single"):
        await ensure_indices(client, run.prefix(setup), DEFINITIONS)
    yield client
    for setup in ("multi", "single"):
        await drop_indices(client, run.prefix(setup), DEFINITIONS)
    await client.close()


class Kafka:
    """A producer for the stream and the probes that tell when groups are done."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5
        )
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.probe = AIOKafkaConsumer(bootstrap_servers=bootstrap)

    async def start(self) -> None:
        await self.producer.start()
        await self.admin.start()
        await self.probe.start()

    async def close(self, topics: list[str]) -> None:
        await self.producer.stop()
        await self.probe.stop()
        await self.admin.delete_topics(topics + [f"{t}.dlq" for t in topics])
        await self.admin.close()

    async def ends(self, topics: list[str]) -> dict[TopicPartition, int]:
        partitions = [TopicPartition(t, p) for t in topics for p in range(PARTITIONS)]
        ends: dict[TopicPartition, int] = await self.probe.end_offsets(partitions)
        return ends

    async def drained(self, group: str, topics: list[str]) -> bool:
        """Whether ``group`` committed every partition of ``topics`` to its end."""
        ends = await self.ends(topics)
        committed = await self.admin.list_consumer_group_offsets(group)
        return all(
            end == 0 or (tp in committed and committed[tp].offset >= end)
            for tp, end in ends.items()
        )

    async def messages(self, topic: str) -> int:
        return sum((await self.ends([topic])).values())


@dataclass
class Setup:
    """One way of running both consumers: several copies, or a single one."""

    name: str
    matching: Deployment
    projection: Deployment
    outbox: Engine

    async def settled(self, kafka: Kafka, run: Run) -> bool:
        """Every event processed by both groups and matching's outbox empty."""
        matching = run.group("matching", self.name)
        projection = run.group("projection", self.name)
        sources = [run.topic("profile"), run.topic("teams")]
        everything = [*run.source_topics(), run.matching_topic(self.name)]
        return (
            await kafka.drained(matching, sources)
            and await asyncio.to_thread(self._outbox_empty)
            and await kafka.drained(projection, everything)
        )

    def _outbox_empty(self) -> bool:
        outbox = matching_metadata.tables["matching_outbox"]
        with self.outbox.connect() as connection:
            return (
                connection.execute(
                    select(func.count()).select_from(outbox)
                ).scalar_one()
                == 0
            )

    def stop(self) -> None:
        self.matching.stop()
        self.projection.stop()


def setup(
    name: str, stack: Stack, run: Run, engines: dict[str, Engine], logs: Path
) -> Setup:
    common = {
        "CARREL_PG_DSN": stack.pg_dsn,
        "CARREL_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "CARREL_OPENSEARCH_URL": stack.opensearch_url,
        "PYTHONUNBUFFERED": "1",
    }
    matching = common | {
        "CARREL_MATCHING_SCHEMA": run.schema(name),
        "CARREL_MATCHING_CONSUMER_GROUP": run.group("matching", name),
        "CARREL_PROFILE_TOPIC": run.topic("profile"),
        "CARREL_TEAMS_TOPIC": run.topic("teams"),
        "CARREL_MATCHING_TOPIC": run.matching_topic(name),
    }
    topics = [*run.source_topics(), run.matching_topic(name)]
    projection = common | {
        "CARREL_INDEX_PREFIX": run.prefix(name),
        "CARREL_PROJECTION_GROUP": run.group("projection", name),
        "CARREL_PROJECTION_TOPICS": json.dumps(topics),
    }
    return Setup(
        name,
        Deployment(f"matching-{name}", matching, logs, module="matching"),
        Deployment(f"projection-{name}", projection, logs, module="projection"),
        engines[name],
    )


async def stream_with_a_kill_and_an_addition(
    kafka: Kafka, stream: Stream, multi: Setup, figures: dict[str, Any]
) -> None:
    """Send the stream evenly over STREAM_SECONDS; kill at 1/3, add at 1/2."""
    chunks = 60
    size = -(-len(stream.events) // chunks)
    started = time.monotonic()
    for index in range(chunks):
        if index == chunks // 3:
            figures["killed_pids"] = [
                multi.matching.kill_one(),
                multi.projection.kill_one(),
            ]
            figures["killed_at_s"] = round(time.monotonic() - started, 1)
        if index == chunks // 2:
            multi.matching.start_copy()
            multi.projection.start_copy()
            figures["added_at_s"] = round(time.monotonic() - started, 1)
        for topic, envelope in stream.events[index * size : (index + 1) * size]:
            key = str(envelope.aggregate_id).encode()
            await kafka.producer.send(topic, encode(envelope), key=key)
        await kafka.producer.flush()
        await asyncio.sleep(STREAM_SECONDS / chunks)
    figures["stream_s"] = round(time.monotonic() - started, 1)


async def settle(kafka: Kafka, run: Run, setup: Setup) -> float:
    """Seconds until ``setup`` has processed everything, twice in a row."""
    started = time.monotonic()
    calm = 0
    async with asyncio.timeout(DRAIN_SECONDS):
        while calm < 2:
            calm = calm + 1 if await setup.settled(kafka, run) else 0
            assert not setup.matching.crashed(), "a matching copy exited by itself"
            assert not setup.projection.crashed(), "a projection copy exited by itself"
            await asyncio.sleep(1.0)
    return round(time.monotonic() - started, 1)


def matching_state(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Matching's tables, but the outbox (empty by now) and the group's name."""
    rows = table_rows(engine, matching_metadata, {"matching_outbox"})
    applied = table_rows(engine, ledger_metadata, set())["carrel_consumer_applied"]
    rows["carrel_consumer_applied"] = [
        {k: v for k, v in row.items() if k != "consumer"} for row in applied
    ]
    return rows


# Fields that count or date how the work went rather than what it decided:
# matching bumps a team's generation once per batch that touches it and a
# candidate list's version once per republication, and the directory keeps
# when the first candidates arrived (matching's clock) and the versions of
# matching's lists it applied. Batches differ with the number of copies.
HISTORY_COLUMNS = {"matching_team": "generation", "matching_candidate_list": "version"}
HISTORY_FIELDS = ("first_ranked_at", "seconds_to_first_candidate")


def without_history(state: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        table: [
            {k: v for k, v in row.items() if k != HISTORY_COLUMNS.get(table)}
            for row in rows
        ]
        for table, rows in state.items()
    }


def read_models_without_history(
    models: dict[str, dict[str, Any]], sources: set[str]
) -> dict[str, Any]:
    """Documents without history fields; ``applied`` of source aggregates only."""
    cleaned: dict[str, Any] = {}
    for model, documents in models.items():
        cleaned[model] = {}
        for key, document in documents.items():
            kept = {k: v for k, v in document.items() if k not in HISTORY_FIELDS}
            if "applied" in kept:
                kept["applied"] = {
                    a: v for a, v in kept["applied"].items() if a in sources
                }
            cleaned[model][key] = kept
    return cleaned


async def test_three_copies_with_one_killed_and_one_added_end_as_one_copy_would(
    stack: Stack,
    run: Run,
    kafka: Kafka,
    matching_schemas: dict[str, Engine],
    opensearch: AsyncOpenSearch,
    tmp_path: Path,
) -> None:
    stream = programme(14, TEAMS, run.topic("profile"), run.topic("teams"))
    figures: dict[str, Any] = {"events": len(stream.events), "teams": TEAMS}
    multi = setup("multi", stack, run, matching_schemas, tmp_path)
    single = setup("single", stack, run, matching_schemas, tmp_path)
    try:
        for _ in range(3):
            multi.matching.start_copy()
            multi.projection.start_copy()
        await stream_with_a_kill_and_an_addition(kafka, stream, multi, figures)
        figures["multi_settled_after_stream_s"] = await settle(kafka, run, multi)
        figures["running_copies"] = [
            multi.matching.running(),
            multi.projection.running(),
        ]
        multi.stop()

        started = time.monotonic()
        single.matching.start_copy()
        single.projection.start_copy()
        await settle(kafka, run, single)
        figures["single_copy_replay_s"] = round(time.monotonic() - started, 1)
    finally:
        multi.stop()
        single.stop()

    several = await asyncio.to_thread(matching_state, multi.outbox)
    one = await asyncio.to_thread(matching_state, single.outbox)
    read_several = await snapshot(opensearch, run.prefix("multi"))
    read_one = await snapshot(opensearch, run.prefix("single"))
    figures["matching_rows"] = {name: len(rows) for name, rows in one.items()}
    figures["read_model_documents"] = {
        name: len(docs) for name, docs in read_one.items()
    }
    figures["matching_events"] = {
        s: await kafka.messages(run.matching_topic(s)) for s in ("multi", "single")
    }
    print("scale-out figures:", json.dumps(figures, indent=1))

    sources = {str(aggregate) for aggregate in stream.versions}
    applied = {
        str(r["aggregate_id"]): r["version"] for r in several["carrel_consumer_applied"]
    }
    assert applied == {str(a): v for a, v in stream.versions.items()}
    assert figures["running_copies"] == [3, 3]
    assert differences(without_history(several), without_history(one)) == {}
    assert (
        differences(
            read_models_without_history(read_several, sources),
            read_models_without_history(read_one, sources),
        )
        == {}
    )
