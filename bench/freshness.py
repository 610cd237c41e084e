"""How long a profile change takes to show in a directory search.

Starts, on 127.0.0.1 and each in its own process: the profile API (its event
store in a fresh schema of ``carrel_test``), its outbox relay (onto a fresh
topic), and the projection consumer (fresh topics, consumer group and index
prefix). Members join a team through ``MemberJoined`` envelopes that this
script produces itself onto the teams topic (built with the contracts): the
teams service is not part of the measurement.

Each sample writes a new headline through ``PUT /api/v1/profiles/{id}/details``
and starts the clock when the profile service answers 200 (the write is
accepted); the clock stops when a directory search (the team's filtered,
member-only directory index, matching the headline) finds it. One poller
asks for every pending change at once every ``--poll-ms``, so its own load
does not grow with the writers.

Light load: one writer, one change at a time, with a random pause of up to a
second between changes (a writer that wrote again the moment its change
showed would fall in step with the index refreshes and measure the whole
interval every time). Heavy load: ``-c`` concurrent writers without pauses.
Prints the median and p99 of each, and for comparison the light-load delay
until the change can be read by id (before any refresh).

    .venv/bin/python -m bench.freshness [--quick] [-n SAMPLES] [-c WRITERS]

Needs the local stack (``deploy/local/stack env``).
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import psycopg
from aiokafka.admin import AIOKafkaAdminClient
from carrel_events import Topic
from carrel_events.contracts import teams
from carrel_profile.settings import ProfileSettings
from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.indices import drop_indices, ensure_indices
from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.settings import ProjectionSettings
from carrel_projection.testing import EventScript, create_topics, publish
from psycopg import sql

from bench.harness import SEED, write_json

DATABASE = "carrel_test"
BENCH = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def fresh_schema(pg_dsn: str) -> Iterator[str]:
    schema = f"bench_fresh_{uuid.uuid4().hex[:10]}"
    dsn = f"{pg_dsn.rstrip('/')}/{DATABASE}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
            connection.execute(drop.format(sql.Identifier(schema)))


@contextmanager
def process(command: list[str], env: dict[str, str]) -> Iterator[None]:
    # Logs go nowhere: a pipe nobody reads would fill and stall the child.
    child = subprocess.Popen(
        command,
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready")


class Freshness:
    """Writes headlines and times their arrival in the directory."""

    def __init__(self, profile_url: str, projection: ProjectionSettings) -> None:
        self.profile_url = profile_url
        self.projection = projection
        self.team = uuid.uuid4()
        self.pending: dict[str, float] = {}
        self.members: dict[str, uuid.UUID] = {}
        self.delays: list[float] = []
        self.realtime = False
        self.think_seconds = 1.0
        self.lost = 0

    async def enrol(self, members: list[uuid.UUID], topics: dict[Topic, str]) -> None:
        """Profiles through the API; memberships as teams envelopes."""
        script = EventScript()
        for member in members:
            joined = teams.MemberJoined(
                person_id=member, roles=["mentee"], via="founder"
            )
            script.record(joined, self.team, self.team)
        await publish(self.projection.kafka_bootstrap, script.recorded, topics)
        async with httpx.AsyncClient(base_url=self.profile_url, timeout=30) as http:
            for member in members:
                body = {"id": str(member), "display_name": f"Bench {member.hex[:6]}"}
                (await http.post("/api/v1/profiles", json=body)).raise_for_status()

    async def run(
        self, members: list[uuid.UUID], samples: int, writers: int, poll_ms: int
    ) -> tuple[list[float], float]:
        """Each writer changes its own members, so no change hides another."""
        self.delays, self.pending, self.lost = [], {}, 0
        client = open_client(self.projection)
        each = max(1, samples // writers)
        started = time.perf_counter()
        poller = asyncio.create_task(self.poll(client, poll_ms / 1000))
        async with httpx.AsyncClient(base_url=self.profile_url, timeout=30) as http:
            await asyncio.gather(
                *(self.write(http, members[i::writers], each) for i in range(writers))
            )
        elapsed = time.perf_counter() - started
        poller.cancel()
        await client.close()
        return self.delays, elapsed

    async def write(
        self, http: httpx.AsyncClient, own: list[uuid.UUID], count: int
    ) -> None:
        for index in range(count):
            member = own[index % len(own)]
            token = f"fresh{uuid.uuid4().hex[:16]}"
            body = {"display_name": f"Bench {member.hex[:6]}", "headline": token}
            answer = await http.put(f"/api/v1/profiles/{member}/details", json=body)
            answer.raise_for_status()
            self.members[token] = member
            self.pending[token] = time.perf_counter()
            deadline = time.monotonic() + 30
            while token in self.pending:  # one change per writer at a time
                if time.monotonic() > deadline:
                    self.pending.pop(token, None)
                    self.lost += 1
                    break
                await asyncio.sleep(0.005)
            # A random pause, as people make; a writer that wrote again the
            # moment its change showed would fall in step with the refreshes.
            await asyncio.sleep(random.uniform(0, self.think_seconds))

    async def poll(self, client: object, interval: float) -> None:
        alias = f"{self.projection.index_prefix}-directory"
        while True:
            tokens = list(self.pending)
            if tokens:
                found = await self.search(client, alias, tokens)
                now = time.perf_counter()
                for token in found & set(tokens):
                    self.delays.append(now - self.pending.pop(token))
            await asyncio.sleep(interval)

    async def search(self, client: object, alias: str, tokens: list[str]) -> set[str]:
        if self.realtime:
            return await self.get(client, alias, tokens)
        body = {
            "size": len(tokens),
            "_source": ["headline"],
            "query": {
                "bool": {
                    "filter": [
                        {"term": {"team_id": str(self.team)}},
                        {"term": {"status": "member"}},
                    ],
                    "should": [{"match": {"headline": t}} for t in tokens],
                    "minimum_should_match": 1,
                }
            },
        }
        search = client.search  # type: ignore[attr-defined]
        answer = await search(index=alias, body=body)
        return {hit["_source"]["headline"] for hit in answer["hits"]["hits"]}

    async def get(self, client: object, alias: str, tokens: list[str]) -> set[str]:
        """The headlines already written, by realtime GET: before any refresh."""
        ids = sorted({f"{self.team}:{self.members[t]}" for t in tokens})
        mget = client.mget  # type: ignore[attr-defined]
        answer = await mget(index=alias, body={"ids": ids}, realtime=True)
        return {
            d["_source"].get("headline", "") for d in answer["docs"] if d.get("found")
        }


def report(
    label: str, writers: int, delays: list[float], elapsed: float, lost: int = 0
) -> dict[str, float]:
    ordered = sorted(delays)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    figures = {
        "writers": writers,
        "samples": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "changes_per_second": round(len(ordered) / elapsed, 1),
        "not_seen_within_30_s": lost,
    }
    print(
        f"  {label:5} writers={writers:<3} samples={len(ordered):<5} "
        f"median {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms, {len(ordered) / elapsed:.0f} changes/s, "
        f"not seen within 30 s: {lost}"
    )
    return figures


async def measure(
    profile_url: str,
    projection: ProjectionSettings,
    topics: dict[Topic, str],
    args: argparse.Namespace,
) -> None:
    bench = Freshness(profile_url, projection)
    members = [uuid.uuid4() for _ in range(args.members)]
    await bench.enrol(members, topics)
    await bench.run(members, min(len(members), 20), 8, args.poll_ms)  # warm up
    light = await bench.run(members, args.samples, 1, args.poll_ms)
    light_lost = bench.lost
    bench.think_seconds = 0.0  # heavy: every writer writes again at once
    heavy = await bench.run(members, args.samples * 4, args.writers, args.poll_ms)
    heavy_lost = bench.lost
    bench.realtime, bench.think_seconds = True, 1.0
    written = await bench.run(members, args.samples // 2, 1, args.poll_ms)
    print(
        f"freshness: profile write accepted -> visible in directory search; "
        f"members={args.members} poll={args.poll_ms} ms seed={SEED} "
        f"cores={os.cpu_count()} "
        f"(profile API, relay, projection consumer and OpenSearch on one machine, "
        f"shared and busy; "
        f"memberships produced directly as MemberJoined envelopes)"
    )
    figures = {
        "benchmark": "freshness",
        "quick": args.quick,
        "cores": os.cpu_count(),
        "seed": SEED,
        "members": args.members,
        "light": report("light", 1, *light, light_lost),
        "heavy": report("heavy", args.writers, *heavy, heavy_lost),
    }
    print("  the same change read by id (realtime GET, no refresh needed):")
    figures["read_by_id"] = report("light", 1, *written, bench.lost)
    write_json("freshness", figures)


async def prepare(projection: ProjectionSettings, topics: dict[Topic, str]) -> None:
    await create_topics(projection.kafka_bootstrap, list(topics.values()))
    client = open_client(projection)
    await ensure_indices(client, projection.index_prefix, DEFINITIONS)
    await client.close()


async def clean_up(projection: ProjectionSettings) -> None:
    client = open_client(projection)
    await drop_indices(client, projection.index_prefix, DEFINITIONS)
    await client.close()


async def delete_topics(bootstrap: str, topics: list[str]) -> None:
    """The run's topics and their dead-letter topics, gone from the shared Kafka."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics(topics + [f"{name}.dlq" for name in topics])
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run")
    parser.add_argument("-n", "--samples", type=int, default=200)
    parser.add_argument("-c", "--writers", type=int, default=32)
    parser.add_argument("-m", "--members", type=int, default=300)
    parser.add_argument("--poll-ms", type=int, default=10)
    args = parser.parse_args()
    if args.quick:
        args.samples, args.writers, args.members = 10, 4, 20
    random.seed(SEED)  # the writers' pauses
    suffix = uuid.uuid4().hex[:10]
    topics = {kind: f"bench.fresh.{kind.name.lower()}.{suffix}" for kind in Topic}
    projection = ProjectionSettings(
        index_prefix=f"bench-{suffix}",
        projection_group=f"bench-fresh-{suffix}",
        projection_topics=list(topics.values()),
    )
    asyncio.run(prepare(projection, topics))
    port = free_port()
    with ExitStack() as stack:
        schema = stack.enter_context(fresh_schema(ProfileSettings().pg_dsn))
        profile_env = {
            "CARREL_PROFILE_DATABASE": DATABASE,
            "CARREL_PROFILE_SCHEMA": schema,
            "CARREL_PROFILE_PORT": str(port),
        }
        python = sys.executable
        stack.enter_context(
            process([python, "-m", "carrel_profile.entrypoints.http"], profile_env)
        )
        wait_ready(f"http://127.0.0.1:{port}/health/ready")
        relay = [python, str(BENCH / "projection_relay.py"), topics[Topic.PROFILE]]
        stack.enter_context(process(relay, profile_env))
        consumer_env = {
            "CARREL_INDEX_PREFIX": projection.index_prefix,
            "CARREL_PROJECTION_GROUP": projection.projection_group,
            "CARREL_PROJECTION_TOPICS": json.dumps(projection.projection_topics),
        }
        consumer = [python, "-m", "carrel_projection.entrypoints.consumer"]
        stack.enter_context(process(consumer, consumer_env))
        try:
            asyncio.run(measure(f"http://127.0.0.1:{port}", projection, topics, args))
        finally:
            asyncio.run(clean_up(projection))
            topic_names = list(topics.values())
            asyncio.run(delete_topics(projection.kafka_bootstrap, topic_names))


if __name__ == "__main__":
    main()
