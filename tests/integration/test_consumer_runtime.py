"""The consumer runtime against the real Kafka and PostgreSQL."""

import asyncio
import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import CommitFailedError
from carrel_events import Envelope, dead_letter_topic, encode
from carrel_events.consumer import ConsumerRuntime, Delivery, RetryPolicy
from carrel_events.consumer.runtime import is_transient
from carrel_events.envelope import event_id_for
from carrel_events.relay import EnvelopeFactory, OutboxRelay, RelaySource
from carrel_events.relay.positions import RelayPositions
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from psycopg import AsyncConnection

from .backbone_support import (
    Tallies,
    TallyAdded,
    TotalsConsumer,
    engine_in_schema,
    schema_dsn,
    tallies_in_schema,
    tally_catalogue,
)

pytestmark = pytest.mark.integration
DATABASE = "carrel_test"
FAST_RETRY = RetryPolicy(attempts=2, first_backoff_seconds=0.05)


@pytest.fixture
def totals(stack: Any, schema: str) -> Iterator[TotalsConsumer]:
    engine = engine_in_schema(stack.pg_dsn, DATABASE, schema)
    yield TotalsConsumer(engine, name=f"totals-{schema}")
    engine.dispose()


def added(tally_id: UUID, version: int, amount: int) -> Envelope:
    event_id = event_id_for(tally_id, version)
    return Envelope(
        event_id=event_id,
        event_type="TallyAdded",
        schema_version=1,
        aggregate_type="Tally",
        aggregate_id=tally_id,
        aggregate_version=version,
        occurred_at=datetime.now(UTC),
        correlation_id=event_id,
        causation_id=event_id,
        payload={"amount": amount},
    )


async def send(producer: AIOKafkaProducer, topic: str, envelope: Envelope) -> int:
    """Send the envelope keyed by its aggregate; the partition it went to."""
    metadata = await producer.send_and_wait(
        topic, encode(envelope), key=str(envelope.aggregate_id).encode()
    )
    return int(metadata.partition)


def runtime_for(
    stack: Any, topic: str, totals: TotalsConsumer, group: str
) -> ConsumerRuntime:
    return ConsumerRuntime(
        group=group,
        topics=[topic],
        bootstrap_servers=stack.kafka_bootstrap,
        handler=totals,
        catalogue=tally_catalogue(),
        retry=FAST_RETRY,
        max_batch=50,
    )


@contextlib.asynccontextmanager
async def running(runtime: ConsumerRuntime) -> AsyncIterator[None]:
    """``runtime`` started and running for the block, stopped after it."""
    stop = asyncio.Event()
    await runtime.start()
    task = asyncio.create_task(runtime.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task
        await runtime.stop()


async def run_until(runtime: ConsumerRuntime, done: Any, seconds: float = 60) -> None:
    """Run ``runtime`` until ``done()`` holds, then stop it."""
    async with running(runtime):
        await wait_for(done, seconds)


async def test_a_relay_that_dies_before_recording_progress_causes_no_double_count(
    stack: Any,
    schema: str,
    topic: str,
    producer: AIOKafkaProducer,
    totals: TotalsConsumer,
) -> None:
    tallies = tallies_in_schema(stack.pg_dsn, DATABASE, schema)
    tally_id = tallies.open("books")
    for amount in range(1, 11):
        tallies.add(tally_id, amount)

    await relay_and_die_before_recording(stack, schema, tallies, topic, producer)
    restarted = await relay_everything(stack, schema, tallies, topic, producer)
    tallies.close()

    assert restarted == 11, "the restarted relay sends the unrecorded events again"
    runtime = runtime_for(stack, topic, totals, f"g-{uuid4().hex}")
    await run_until(runtime, lambda: totals.totals().get(tally_id, (0, 0))[1] >= 10)
    await asyncio.sleep(1)  # room for a wrong second application to show
    assert totals.totals()[tally_id] == (55, 10)


class _DiesAfterPublishing(RelayPositions):
    async def set(self, relay: str, notification_id: int) -> None:
        raise ConnectionResetError("killed between publishing and recording")


def _relay(
    connection: AsyncConnection,
    tallies: Tallies,
    topic: str,
    producer: AIOKafkaProducer,
) -> OutboxRelay:
    return OutboxRelay(
        name="tallies",
        source=RelaySource(tallies),
        topic=topic,
        producer=producer,
        connection=connection,
        to_envelope=EnvelopeFactory(tally_catalogue()),
    )


async def relay_and_die_before_recording(
    stack: Any, schema: str, tallies: Tallies, topic: str, producer: AIOKafkaProducer
) -> None:
    dsn = schema_dsn(stack.pg_dsn, DATABASE, schema)
    async with await AsyncConnection.connect(dsn, autocommit=True) as connection:
        relay = _relay(connection, tallies, topic, producer)
        relay._positions = _DiesAfterPublishing(connection)
        await RelayPositions(connection).create_table()
        with pytest.raises(ConnectionResetError):
            await relay.relay_batch()


async def relay_everything(
    stack: Any, schema: str, tallies: Tallies, topic: str, producer: AIOKafkaProducer
) -> int:
    dsn = schema_dsn(stack.pg_dsn, DATABASE, schema)
    async with await AsyncConnection.connect(dsn, autocommit=True) as connection:
        relay = _relay(connection, tallies, topic, producer)
        while await relay.relay_batch():
            pass
        return relay.published


async def test_a_poison_message_goes_to_the_dead_letter_topic_and_the_stream_goes_on(
    stack: Any, topic: str, producer: AIOKafkaProducer, totals: TotalsConsumer
) -> None:
    tally_id = uuid4()
    partition = await send(producer, topic, added(tally_id, 1, 5))
    await producer.send_and_wait(
        topic, b"\x00not an envelope", key=str(tally_id).encode()
    )
    refused = added(tally_id, 2, -1)  # the handler refuses a negative amount
    await send(producer, topic, refused)
    await send(producer, topic, added(tally_id, 3, 7))
    runtime = runtime_for(stack, topic, totals, f"g-{uuid4().hex}")

    async with running(runtime):
        await wait_for(lambda: totals.totals().get(tally_id, (0, 0))[1] >= 2)
        await wait_for(lambda: scrape(runtime.group).get(("lag", partition)) == 0)
        await wait_for(lambda: scrape(runtime.group).get(("processed", None)) == 4)
        metrics = scrape(runtime.group)

    assert totals.totals()[tally_id] == (12, 2)
    assert metrics[("failed", None)] == 2
    letters = await read_dead_letters(stack, topic, 2)
    reasons = sorted(
        (headers["carrel-error-type"], headers["carrel-error"])
        for _, headers in letters
    )
    assert [kind for kind, _ in reasons] == ["DecodeError", "ValueError"]
    assert reasons[0][1].startswith("DecodeError: not an envelope")
    assert reasons[1][1] == "ValueError: negative amount -1"
    for value, headers in letters:
        assert headers["carrel-original-topic"] == topic
        assert headers["carrel-original-partition"] == str(partition)
        assert headers["carrel-consumer"] == runtime.group
        assert headers["carrel-original-offset"] in {"1", "2"}
        assert value in (b"\x00not an envelope", encode(refused))


def scrape(group: str) -> dict[tuple[str, int | None], float]:
    """The runtime's metrics of ``group`` as Prometheus reads them.

    Keyed by the metric's short name and, for the lag, the partition.
    """
    exposition = generate_latest(REGISTRY).decode()
    found: dict[tuple[str, int | None], float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.labels.get("group") != group or sample.name.endswith("_created"):
                continue
            name = sample.name.removeprefix("carrel_consumer_").removesuffix("_total")
            partition = sample.labels.get("partition")
            found[(name, None if partition is None else int(partition))] = sample.value
    return found


class Outage:
    """Wraps a handler; its store is away for the first ``failures`` calls."""

    def __init__(self, handler: TotalsConsumer, failures: int) -> None:
        self.handler, self.failures = handler, failures

    async def __call__(self, deliveries: Any) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise OSError("connection refused") from ConnectionRefusedError(111)
        await self.handler(deliveries)


async def test_while_a_dependency_is_away_nothing_is_dead_lettered_and_all_is_applied(
    stack: Any, topic: str, producer: AIOKafkaProducer, totals: TotalsConsumer
) -> None:
    tally_id = uuid4()
    for version in (1, 2, 3):
        await send(producer, topic, added(tally_id, version, 10))
    refused = added(tally_id, 4, -1)
    await send(producer, topic, refused)
    outage = Outage(totals, failures=FAST_RETRY.attempts * 4)

    runtime = ConsumerRuntime(
        group=f"g-{uuid4().hex}",
        topics=[topic],
        bootstrap_servers=stack.kafka_bootstrap,
        handler=outage,
        catalogue=tally_catalogue(),
        retry=FAST_RETRY,
    )
    await run_until(runtime, lambda: totals.totals().get(tally_id, (0, 0))[1] >= 3)

    assert outage.failures == 0, "the outage outlasted the retries of a message"
    assert totals.totals()[tally_id] == (30, 3)
    letters = await read_dead_letters(stack, topic, 1)
    assert [headers["carrel-error-type"] for _, headers in letters] == ["ValueError"]


def test_failures_of_a_dependency_are_told_from_failures_of_a_message() -> None:
    class OpenSearchAway(Exception):
        status_code = 503

    assert is_transient(ConnectionRefusedError(111))
    assert is_transient(OpenSearchAway())
    try:
        raise RuntimeError("batch failed") from TimeoutError()
    except RuntimeError as wrapped:
        assert is_transient(wrapped)
    assert not is_transient(ValueError("negative amount"))
    assert not is_transient(KeyError("mentee_id"))


async def read_dead_letters(
    stack: Any, topic: str, expected: int
) -> list[tuple[bytes, dict[str, str]]]:
    consumer = AIOKafkaConsumer(
        dead_letter_topic(topic),
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    letters: list[tuple[bytes, dict[str, str]]] = []
    try:
        async with asyncio.timeout(30):
            while len(letters) < expected:
                batches = await consumer.getmany(timeout_ms=500)
                letters.extend(
                    (r.value, {k: v.decode() for k, v in r.headers})
                    for records in batches.values()
                    for r in records
                )
    finally:
        await consumer.stop()
    return letters


async def test_two_consumers_share_partitions_and_one_takes_over_when_the_other_leaves(
    stack: Any, topic: str, producer: AIOKafkaProducer, totals: TotalsConsumer
) -> None:
    group = f"g-{uuid4().hex}"
    first, second = (runtime_for(stack, topic, totals, group) for _ in range(2))
    tally_ids = [uuid4() for _ in range(12)]
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    await first.start()
    await second.start()
    tasks = [
        asyncio.create_task(first.run(stop_first)),
        asyncio.create_task(second.run(stop_second)),
    ]
    try:
        # A rebalance settles in steps; wait for the split, not the first step.
        await wait_for(lambda: shared_fairly(first, second, partitions=3))

        await send_round(producer, topic, tally_ids, version=1)
        await wait_for(lambda: events_applied(totals) == 12)

        stop_first.set()
        await tasks[0]
        await first.stop()
        await send_round(producer, topic, tally_ids, version=2)
        await wait_for(lambda: events_applied(totals) == 24)
        await wait_for(lambda: len(second.assignment()) == 3)
    finally:
        stop_first.set()
        stop_second.set()
        await asyncio.gather(*tasks)
        await first.stop()
        await second.stop()
    assert all(totals.totals()[t] == (3, 2) for t in tally_ids)


def shared_fairly(
    first: ConsumerRuntime, second: ConsumerRuntime, partitions: int
) -> bool:
    mine, theirs = first.assignment(), second.assignment()
    return bool(mine and theirs and not mine & theirs) and (
        len(mine | theirs) == partitions
    )


async def send_round(
    producer: AIOKafkaProducer, topic: str, tally_ids: list[UUID], version: int
) -> None:
    for tally_id in tally_ids:
        await send(producer, topic, added(tally_id, version, version))


def events_applied(totals: TotalsConsumer) -> int:
    return sum(events for _, events in totals.totals().values())


async def wait_for(condition: Any, seconds: float = 60) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.1)


async def test_a_consumer_killed_mid_batch_loses_nothing_and_applies_nothing_twice(
    stack: Any,
    schema: str,
    topic: str,
    producer: AIOKafkaProducer,
    totals: TotalsConsumer,
) -> None:
    tally_ids = [uuid4() for _ in range(5)]
    for version in range(1, 41):
        await send_round(producer, topic, tally_ids, version)
    group = f"g-{uuid4().hex}"

    first = start_consumer_process(stack, schema, topic, group)
    await wait_for(lambda: events_applied(totals) > 0)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert events_applied(totals) < 200, "the kill came too late to test anything"

    second = start_consumer_process(stack, schema, topic, group)
    try:
        await wait_for(lambda: events_applied(totals) >= 200)
        await asyncio.sleep(1)
    finally:
        second.terminate()
        second.wait(30)
    assert second.returncode == 0, "SIGTERM stops the consumer gracefully"
    expected_total = sum(range(1, 41))
    assert totals.totals() == {t: (expected_total, 40) for t in tally_ids}


def start_consumer_process(
    stack: Any, schema: str, topic: str, group: str
) -> subprocess.Popen[bytes]:
    script = Path(__file__).with_name("slow_totals_consumer.py")
    env = os.environ | {
        "TEST_PG_DSN": stack.pg_dsn,
        "TEST_DATABASE": DATABASE,
        "TEST_SCHEMA": schema,
        "TEST_TOPIC": topic,
        "TEST_GROUP": group,
        "TEST_KAFKA": stack.kafka_bootstrap,
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    return subprocess.Popen([sys.executable, str(script)], env=env)


class Counting:
    """Wraps a handler, slowed down; counts each event that reaches it."""

    def __init__(self, handler: TotalsConsumer, seconds_each: float) -> None:
        self.handler, self.seconds_each = handler, seconds_each
        self.seen: Counter[UUID] = Counter()

    async def __call__(self, deliveries: Sequence[Delivery]) -> None:
        self.seen.update(d.event.envelope.event_id for d in deliveries)
        await asyncio.sleep(self.seconds_each * len(deliveries))
        await self.handler(deliveries)


def counting_runtime(
    stack: Any, topic: str, group: str, handler: Counting
) -> ConsumerRuntime:
    return ConsumerRuntime(
        group=group,
        topics=[topic],
        bootstrap_servers=stack.kafka_bootstrap,
        handler=handler,
        catalogue=tally_catalogue(),
        retry=FAST_RETRY,
        max_batch=10,
    )


async def test_a_rebalance_redelivers_nothing_that_was_already_processed(
    stack: Any, topic: str, producer: AIOKafkaProducer, totals: TotalsConsumer
) -> None:
    tally_ids = [uuid4() for _ in range(12)]
    for version in range(1, 21):
        await send_round(producer, topic, tally_ids, version)
    group = f"g-{uuid4().hex}"
    first, second = Counting(totals, 0.05), Counting(totals, 0.05)
    joining = counting_runtime(stack, topic, group, second)

    async with running(counting_runtime(stack, topic, group, first)):
        await wait_for(lambda: first.seen.total() >= 20)
        # The second member joins while the first is in the middle of a batch.
        async with running(joining):
            await wait_for(lambda: bool(joining.assignment()))
            left_at_rebalance = 240 - events_applied(totals)
            await wait_for(lambda: events_applied(totals) == 240)

    assert left_at_rebalance > 0, "the rebalance came after all was processed"
    delivered = first.seen + second.seen
    assert len(delivered) == 240
    assert [event for event, times in delivered.items() if times > 1] == []


class FirstCommitFails:
    """Wraps a consumer's commit: the first fails as when the group moved on."""

    def __init__(self, commit: Any) -> None:
        self.commit = commit
        self.failed = self.succeeded = 0

    async def __call__(self, offsets: Any = None) -> None:
        if not self.failed:
            self.failed += 1
            raise CommitFailedError("the group has already rebalanced")
        await self.commit(offsets)
        self.succeeded += 1


async def committed_offsets(stack: Any, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: committed.offset for tp, committed in offsets.items()}


async def test_a_failed_commit_is_tried_again_and_the_consumer_goes_on(
    stack: Any,
    topic: str,
    producer: AIOKafkaProducer,
    totals: TotalsConsumer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tally_id = uuid4()
    for version in range(1, 6):
        partition = await send(producer, topic, added(tally_id, version, 1))
    runtime = runtime_for(stack, topic, totals, f"g-{uuid4().hex}")
    stop = asyncio.Event()
    await runtime.start()
    commit = FirstCommitFails(runtime._consumer.commit)
    monkeypatch.setattr(runtime._consumer, "commit", commit)
    task = asyncio.create_task(runtime.run(stop))
    try:
        await wait_for(lambda: commit.failed == 1 and events_applied(totals) == 5)
        # Nothing new arrives: only a second try can commit what was processed.
        await wait_for(lambda: commit.succeeded >= 1, seconds=10)
        committed_while_running = await committed_offsets(stack, runtime.group)
        for version in range(6, 11):
            await send(producer, topic, added(tally_id, version, 1))
        await wait_for(lambda: events_applied(totals) == 10)
    finally:
        stop.set()
        await task
        monkeypatch.undo()
        await runtime.stop()

    committed = await committed_offsets(stack, runtime.group)
    assert committed_while_running[TopicPartition(topic, partition)] == 5
    assert committed[TopicPartition(topic, partition)] == 10
    assert totals.totals()[tally_id] == (10, 10)


class StoreNeverAnswers:
    """Wraps a handler: an event of amount 13 meets a store that never answers."""

    def __init__(self, handler: TotalsConsumer, group: str, topic: str) -> None:
        self.handler = handler
        self.labels = {"group": group, "topic": topic}
        self.waited: list[float] = []

    async def __call__(self, deliveries: Sequence[Delivery]) -> None:
        if any(unlucky(d) for d in deliveries):
            self.waited.append(self.wait_shown() or 0.0)
            raise ConnectionRefusedError(111, "connection refused")
        await self.handler(deliveries)

    def wait_shown(self) -> float | None:
        return REGISTRY.get_sample_value(
            "carrel_consumer_dependency_wait_seconds", self.labels
        )


def unlucky(delivery: Delivery) -> bool:
    payload = delivery.event.payload
    return isinstance(payload, TallyAdded) and payload.amount == 13


async def test_a_dependency_awaited_past_the_cap_dead_letters_the_message(
    stack: Any,
    topic: str,
    producer: AIOKafkaProducer,
    totals: TotalsConsumer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tally_id = uuid4()
    envelopes = [added(tally_id, v, amount) for v, amount in ((1, 5), (2, 13), (3, 7))]
    for envelope in envelopes:
        partition = await send(producer, topic, envelope)
    group = f"g-{uuid4().hex}"
    store = StoreNeverAnswers(totals, group, topic)
    capped = RetryPolicy(
        attempts=2,
        first_backoff_seconds=0.05,
        max_backoff_seconds=0.1,
        give_up_after_seconds=1.0,
        warn_every_seconds=0.3,
    )
    runtime = ConsumerRuntime(
        group=group,
        topics=[topic],
        bootstrap_servers=stack.kafka_bootstrap,
        handler=store,
        catalogue=tally_catalogue(),
        retry=capped,
    )

    with caplog.at_level(logging.WARNING, logger="carrel_events.consumer.runtime"):
        await run_until(runtime, lambda: events_applied(totals) >= 2)

    assert totals.totals()[tally_id] == (12, 2)
    [(value, headers)] = await read_dead_letters(stack, topic, 1)
    assert value == encode(envelopes[1])
    assert headers["carrel-error-type"] == "ConnectionRefusedError"
    assert re.fullmatch(
        r"gave up after waiting \d+s for a dependency: ConnectionRefusedError: .*",
        headers["carrel-error"],
    )
    assert headers["carrel-original-partition"] == str(partition)
    assert headers["carrel-original-offset"] == "1"
    assert max(store.waited) >= 0.5, "the gauge showed the wait while it lasted"
    assert store.wait_shown() == 0
    assert "has waited" in caplog.text, "the wait was told again while it lasted"
