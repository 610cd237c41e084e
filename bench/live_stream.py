"""How long an event takes to reach an open dashboard's live stream (SSE).

Starts, on 127.0.0.1 and each in its own process, the projection consumer
and the projection's read API (fresh topics, consumer group and index
prefix). A member joins a team through a ``MemberJoined`` envelope; their
dashboard opens ``GET /api/v1/teams/{team}/stream``. Each sample publishes a
``DetailsUpdated`` envelope of that member to the profile topic (one
producer, kept open) and starts the clock just before the send; the clock
stops when the stream delivers its ``changed`` event. A random pause of up
to a second goes between samples, so the samples do not fall in step with
the API's polls.

The delay holds: Kafka to the consumer, the consumer's batch and bulk write,
the API's poll of the change signals (``CARREL_CHANGE_POLL_SECONDS``, 250 ms
by default) and the hold that lets the searched indices refresh before the
dashboard refetches (``CARREL_CHANGE_VISIBLE_AFTER_SECONDS``, 500 ms).
Prints the median and p99.

    .venv/bin/python -m bench.live_stream [--quick] [-n SAMPLES]

Needs the local stack (``deploy/local/stack env``).
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import ExitStack

import httpx
from aiokafka import AIOKafkaProducer
from carrel_events import Topic, encode
from carrel_events.contracts import profile, teams
from carrel_projection.settings import ProjectionSettings
from carrel_projection.testing import EventScript, publish

from bench.freshness import (
    clean_up,
    delete_topics,
    free_port,
    prepare,
    process,
    wait_ready,
)
from bench.harness import SEED, write_json


async def changes(stream: httpx.Response) -> AsyncIterator[str]:
    """The event names of a server-sent event stream, as they arrive."""
    kind = ""
    async for line in stream.aiter_lines():
        if line.startswith("event:"):
            kind = line.partition(":")[2].strip()
        elif not line and kind:
            yield kind
            kind = ""


async def wait_for_member(http: httpx.AsyncClient, team: uuid.UUID) -> None:
    async with asyncio.timeout(60):
        while (await http.get(f"/api/v1/teams/{team}/groups")).is_error:
            await asyncio.sleep(0.1)


async def measure(
    api_url: str, settings: ProjectionSettings, topics: dict[Topic, str], samples: int
) -> list[float]:
    script, team, member = EventScript(), uuid.uuid4(), uuid.uuid4()
    joined = teams.MemberJoined(person_id=member, roles=["mentee"], via="founder")
    script.record(joined, team, team)
    script.record(profile.ProfileCreated(display_name="Bench"), member)
    await publish(settings.kafka_bootstrap, script.recorded, topics)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    headers = {"X-Carrel-Member": str(member)}
    delays: list[float] = []
    try:
        async with httpx.AsyncClient(
            base_url=api_url, headers=headers, timeout=60
        ) as http:
            await wait_for_member(http, team)
            url = f"/api/v1/teams/{team}/stream"
            async with http.stream("GET", url) as stream:
                events = changes(stream)
                assert await anext(events) == "ready"
                for number in range(samples):
                    await asyncio.sleep(random.uniform(0, 1))
                    renamed = profile.DetailsUpdated(display_name=f"Bench {number}")
                    envelope = script.record(renamed, member)
                    sent = time.perf_counter()
                    await producer.send_and_wait(
                        topics[Topic.PROFILE],
                        encode(envelope),
                        key=str(member).encode(),
                    )
                    async with asyncio.timeout(30):
                        while await anext(events) != "changed":
                            pass
                    delays.append(time.perf_counter() - sent)
    finally:
        await producer.stop()
    return delays


def report(delays: list[float], settings: ProjectionSettings) -> dict[str, object]:
    ordered = sorted(delays)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median = statistics.median(ordered)
    print(
        f"live stream: event published -> SSE 'changed' received; "
        f"samples={len(ordered)} poll={settings.change_poll_seconds * 1000:.0f} ms "
        f"hold={settings.change_visible_after_seconds * 1000:.0f} ms "
        f"seed={SEED} cores={os.cpu_count()} "
        f"(consumer, read API and the stack on one machine, shared and busy)"
    )
    print(
        f"  median {median * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms"
    )
    return {
        "benchmark": "live_stream",
        "samples": len(ordered),
        "cores": os.cpu_count(),
        "seed": SEED,
        "poll_ms": settings.change_poll_seconds * 1000,
        "hold_ms": settings.change_visible_after_seconds * 1000,
        "median_ms": round(median * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run")
    parser.add_argument("-n", "--samples", type=int, default=100)
    args = parser.parse_args()
    samples = 10 if args.quick else args.samples
    random.seed(SEED)
    suffix = uuid.uuid4().hex[:10]
    topics = {kind: f"bench.live.{kind.name.lower()}.{suffix}" for kind in Topic}
    settings = ProjectionSettings(
        index_prefix=f"bench-live-{suffix}",
        projection_group=f"bench-live-{suffix}",
        projection_topics=list(topics.values()),
    )
    asyncio.run(prepare(settings, topics))
    port = free_port()
    env = {
        "CARREL_INDEX_PREFIX": settings.index_prefix,
        "CARREL_PROJECTION_GROUP": settings.projection_group,
        "CARREL_PROJECTION_TOPICS": json.dumps(settings.projection_topics),
        "CARREL_PROJECTION_PORT": str(port),
    }
    python = sys.executable
    with ExitStack() as stack:
        consumer = [python, "-m", "carrel_projection.entrypoints.consumer"]
        stack.enter_context(process(consumer, env))
        api = [python, "-m", "carrel_projection.entrypoints.http"]
        stack.enter_context(process(api, env))
        api_url = f"http://127.0.0.1:{port}"
        wait_ready(f"{api_url}/health/ready")
        try:
            delays = asyncio.run(measure(api_url, settings, topics, samples))
            figures = report(delays, settings)
            write_json("live_stream", {"quick": args.quick, **figures})
        finally:
            asyncio.run(clean_up(settings))
            asyncio.run(delete_topics(settings.kafka_bootstrap, list(topics.values())))


if __name__ == "__main__":
    main()
