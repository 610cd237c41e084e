"""How fast the outbox relay moves events from the event store to Kafka.

Throughput: a backlog of committed events is drained by one relay; events/s
counts from the first read to the last acknowledgement; the median of three
drains, each of a new backlog. The events are deterministic (no randomness).
Latency at light load: one writer commits an event every 20 ms while the
relay runs on LISTEN/NOTIFY; each event's delay runs from its command
returning (just after commit) to Kafka acknowledging it (acks=all, idempotent
producer).

    .venv/bin/python -m bench.relay [--quick]

Needs the local stack (``eval "$(deploy/local/stack env)"``).
"""

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from typing import Any

import psycopg
from aiokafka import AIOKafkaProducer
from carrel_events.relay import EnvelopeFactory, OutboxRelay, RelaySource
from carrel_events.settings import StackSettings
from psycopg import AsyncConnection

from bench.harness import write_json
from tests.integration.backbone_support import (
    Tallies,
    Tally,
    create_topic,
    schema_dsn,
    tallies_in_schema,
    tally_catalogue,
)

DATABASE = "carrel_test"


class TimedProducer:
    """An idempotent producer that notes when Kafka acknowledged each key."""

    def __init__(self, bootstrap: str) -> None:
        self.inner = AIOKafkaProducer(
            bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5
        )
        self.acknowledged: dict[bytes, float] = {}

    async def send(self, topic: str, value: bytes, key: bytes) -> Any:
        future = await self.inner.send(topic, value=value, key=key)
        future.add_done_callback(lambda _: self._note(key))
        return future

    def _note(self, key: bytes) -> None:
        self.acknowledged[key] = time.perf_counter()


def write_backlog(tallies: Tallies, aggregates: int, events_each: int) -> int:
    for index in range(aggregates):
        tally = Tally(f"t{index}")
        for amount in range(events_each - 1):
            tally.add(amount)
        tallies.save(tally)
    return aggregates * events_each


async def throughput(settings: StackSettings, schema: str, events: int) -> float:
    tallies = tallies_in_schema(settings.pg_dsn, DATABASE, schema)
    total = write_backlog(tallies, events // 50, 50)
    producer = TimedProducer(settings.kafka_bootstrap)
    relay, connection = await _relay(settings, schema, tallies, producer)
    started = time.perf_counter()
    while relay.published < total:
        await relay.relay_batch()
    elapsed = time.perf_counter() - started
    await _close(producer, connection, tallies)
    return total / elapsed


async def latency(settings: StackSettings, schema: str, events: int) -> list[float]:
    tallies = tallies_in_schema(settings.pg_dsn, DATABASE, schema)
    producer = TimedProducer(settings.kafka_bootstrap)
    relay, connection = await _relay(settings, schema, tallies, producer)
    stop = asyncio.Event()
    dsn = schema_dsn(settings.pg_dsn, DATABASE, schema)
    running = asyncio.create_task(relay.run(stop, dsn))
    committed = await asyncio.to_thread(_write_slowly, tallies, events)
    while len(producer.acknowledged) < events:
        await asyncio.sleep(0.05)
    stop.set()
    await running
    await _close(producer, connection, tallies)
    return [(producer.acknowledged[k] - t) * 1000 for k, t in committed.items()]


def _write_slowly(tallies: Tallies, events: int) -> dict[bytes, float]:
    committed = {}
    for index in range(events):
        tally_id = tallies.open(f"light{index}")
        committed[str(tally_id).encode()] = time.perf_counter()
        time.sleep(0.02)
    return committed


async def _relay(
    settings: StackSettings, schema: str, tallies: Tallies, producer: TimedProducer
) -> tuple[OutboxRelay, AsyncConnection]:
    topic = f"bench.relay.{uuid.uuid4().hex[:10]}"
    await create_topic(settings.kafka_bootstrap, topic)
    await producer.inner.start()
    dsn = schema_dsn(settings.pg_dsn, DATABASE, schema)
    connection = await AsyncConnection.connect(dsn, autocommit=True)
    relay = OutboxRelay(
        name="bench",
        source=RelaySource(tallies),
        topic=topic,
        producer=producer,  # duck-typed: the relay only calls send()
        connection=connection,
        to_envelope=EnvelopeFactory(tally_catalogue()),
    )
    await relay._positions.create_table()
    return relay, connection


async def _close(
    producer: TimedProducer, connection: AsyncConnection, tallies: Tallies
) -> None:
    await producer.inner.stop()
    await connection.close()
    tallies.close()


def fresh_schema(settings: StackSettings) -> str:
    schema = f"bench_relay_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(settings.database_dsn(DATABASE), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return schema


def drop_schema(settings: StackSettings, schema: str) -> None:
    with psycopg.connect(settings.database_dsn(DATABASE), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


async def main(quick: bool) -> dict[str, Any]:
    settings = StackSettings()
    backlog, light = (2_000, 100) if quick else (50_000, 1_000)
    repeats = 2 if quick else 3
    print(
        f"relay: backlog={backlog} events drained {repeats} times (a new schema "
        f"and topic each), then {light} events one per 20 ms; aggregates of 50 "
        f"events; cores={os.cpu_count()} (PostgreSQL, Kafka and the relay on this "
        "one machine, shared and busy)"
    )
    schemas = [fresh_schema(settings) for _ in range(repeats + 1)]
    try:
        rates = [await throughput(settings, s, backlog) for s in schemas[:-1]]
        delays = await latency(settings, schemas[-1], light)
    finally:
        for schema in schemas:
            drop_schema(settings, schema)
    return {
        "benchmark": "relay",
        "quick": quick,
        "cores": os.cpu_count(),
        "backlog_events": backlog,
        "repeats": repeats,
        "throughput_events_per_second": round(statistics.median(rates), 1),
        "runs_events_per_second": [round(rate, 1) for rate in rates],
        "light_load_events": light,
        "light_load_interval_ms": 20,
        "latency_median_ms": round(statistics.median(delays), 2),
        "latency_p99_ms": round(p99(delays), 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes")
    result = asyncio.run(main(parser.parse_args().quick))
    print(json.dumps(result, indent=2))
    write_json("relay", result)
