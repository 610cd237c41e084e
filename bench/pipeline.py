"""How fast a backlog of events flows from the event store into the read models.

Commits a backlog of profile events (``-n``, 100,000 by default) to a
profile event store in a fresh schema of ``carrel_test`` while no relay runs:
profiles made with the service's own application and aggregate, five events
each (created, details, skills, interests, location; fixed seed), saved a
hundred profiles to a transaction. Then starts, each in its own process, the
profile outbox relay (onto a fresh topic) and the projection consumer (fresh
topics, consumer group and index prefix), and times the drain:

- relay: from starting the processes until Kafka holds every event (the
  topic's end offsets), and the first event's arrival (the relay's start-up);
- projection: until the consumer group has committed every event; it commits
  a batch only after OpenSearch acknowledged the batch's bulk write;
- then the ``people`` read model is refreshed and must hold one document per
  profile, or the run fails.

Events/s end to end count from starting the processes to the last commit,
start-up included; "after start-up" counts from the first event in Kafka.
Each repeat uses new names throughout and the same events.

    .venv/bin/python -m bench.pipeline [--quick] [-n EVENTS] [-r REPEATS]

Needs the local stack (``eval "$(deploy/local/stack env)"``). The two
processes' logs go to ``var/log/bench/``.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from carrel_events import Topic
from carrel_profile.adapters.libraries import load_libraries
from carrel_profile.application import ProfileApplication
from carrel_profile.domain.profile import Profile
from carrel_profile.domain.sections import Details, Location, SkillLevel
from carrel_profile.settings import ProfileSettings
from carrel_projection.adapters.client import open_client
from carrel_projection.settings import ProjectionSettings
from carrel_vocabulary import load_vocabulary

from bench.freshness import clean_up, delete_topics, fresh_schema, prepare
from bench.harness import SEED, write_json

DATABASE = "carrel_test"
BENCH = Path(__file__).resolve().parent
LOGS = BENCH.parent / "var" / "log" / "bench"
EVENTS_PER_PROFILE = 5
PROFILES_PER_TRANSACTION = 100
PARTITIONS = 3
"""As ``carrel_projection.testing.create_topics`` makes every topic."""
POLL_SECONDS = 0.25
DRAIN_TIMEOUT_S = 1800
SKILLS = [
    "esco.classify-library-materials",
    "esco.develop-information-standards",
    "esco.digital-curation",
    "onet.tech.worldcat",
    "esco.manage-staff",
]
INTERESTS = ["rare books", "digital scholarship", "metadata", "outreach", "maps"]
CITIES = [
    ("Anchorage", "US", 61.2, -149.9, "America/Anchorage"),
    ("Chicago", "US", 41.9, -87.6, "America/Chicago"),
    ("Tucson", "US", 32.2, -110.9, "America/Phoenix"),
    ("Boston", "US", 42.4, -71.1, "America/New_York"),
]


def new_profile(rng: random.Random, application: ProfileApplication) -> Profile:
    """A profile with five events pending, as five commands would leave it."""
    cause = uuid.UUID(int=rng.getrandbits(128), version=4)
    person = uuid.UUID(int=rng.getrandbits(128), version=4)
    name = f"Member {rng.randint(1, 10**6)}"
    profile = Profile(id=person, display_name=name, correlation_id=cause)
    details = Details(
        display_name=name,
        headline=rng.choice(["Cataloguer", "Archivist", "Map librarian"]),
        years_of_experience=rng.randint(0, 40),
        languages=["en"],
    )
    profile.update_details(details, application.libraries, cause)
    levels = [
        SkillLevel(skill_id=skill, proficiency=rng.randint(1, 5))
        for skill in rng.sample(SKILLS, 3)
    ]
    profile.update_skills(levels, application.vocabulary, cause)
    profile.update_interests(rng.sample(INTERESTS, 2), cause)
    profile.change_location(a_place(rng), cause)
    return profile


def a_place(rng: random.Random) -> Location:
    city, country, latitude, longitude, zone = rng.choice(CITIES)
    return Location(
        city=city,
        country=country,
        latitude=latitude,
        longitude=longitude,
        time_zone=zone,
    )


def commit_backlog(settings: ProfileSettings, profiles: int) -> float:
    """Commits the backlog with no relay running; the seconds it took."""
    application = ProfileApplication(
        settings.event_store_env(),
        load_vocabulary(settings.data_dir),
        load_libraries(settings.data_dir),
    )
    rng = random.Random(SEED)
    try:
        started = time.perf_counter()
        for first in range(0, profiles, PROFILES_PER_TRANSACTION):
            count = min(PROFILES_PER_TRANSACTION, profiles - first)
            application.save(*(new_profile(rng, application) for _ in range(count)))
        return time.perf_counter() - started
    finally:
        application.close()


@contextmanager
def started(name: str, command: list[str], env: dict[str, str]) -> Iterator[Any]:
    """A child process logging to ``var/log/bench/<name>.log``; stopped after."""
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / f"{name}.log").open("w") as log:
        child = subprocess.Popen(
            command, env=os.environ | env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield child
        finally:
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@dataclass
class Drain:
    """When each stage of the drain got how far, seconds from the start."""

    events: int
    first_in_kafka: float | None = None
    all_in_kafka: float | None = None
    first_committed: float | None = None
    all_committed: float | None = None
    progress: list[tuple[float, int, int]] = field(default_factory=list)
    """(seconds, events in Kafka, events the projection committed)."""

    def note(self, at: float, in_kafka: int, committed: int) -> None:
        self.progress.append((round(at, 2), in_kafka, committed))
        if in_kafka and self.first_in_kafka is None:
            self.first_in_kafka = at
        if in_kafka >= self.events and self.all_in_kafka is None:
            self.all_in_kafka = at
        if committed and self.first_committed is None:
            self.first_committed = at
        if committed >= self.events and self.all_committed is None:
            self.all_committed = at


async def watch(
    bootstrap: str, topic: str, group: str, drain: Drain, children: list[Any]
) -> None:
    """Polls Kafka's end offsets and the group's commits until all are in."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await consumer.start()
    await admin.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        started_at = time.perf_counter()
        while drain.all_committed is None:
            at = time.perf_counter() - started_at
            if at > DRAIN_TIMEOUT_S or any(c.poll() is not None for c in children):
                raise RuntimeError(f"drain stopped at {drain.progress[-1:]} ({LOGS})")
            ends = await consumer.end_offsets(partitions)
            committed = await admin.list_consumer_group_offsets(group)
            done = sum(o.offset for tp, o in committed.items() if tp.topic == topic)
            drain.note(at, sum(ends.values()), max(0, done))
            await asyncio.sleep(POLL_SECONDS)
    finally:
        await admin.close()
        await consumer.stop()


async def people_documents(projection: ProjectionSettings) -> int:
    """The ``people`` read model's documents, after a refresh."""
    client = open_client(projection)
    try:
        alias = f"{projection.index_prefix}-people"
        await client.indices.refresh(index=alias)
        answer = await client.count(index=alias)
        return int(answer["count"])
    finally:
        await client.close()


def one_run(profiles: int, label: str) -> dict[str, Any]:
    """Commits the backlog, drains it, checks the read model; the run's figures."""
    suffix = uuid.uuid4().hex[:10]
    topics = {kind: f"bench.pipe.{kind.name.lower()}.{suffix}" for kind in Topic}
    projection = ProjectionSettings(
        index_prefix=f"bench-pipe-{suffix}",
        projection_group=f"bench-pipe-{suffix}",
        projection_topics=list(topics.values()),
    )
    asyncio.run(prepare(projection, topics))
    try:
        with fresh_schema(ProfileSettings().pg_dsn) as schema:
            settings = ProfileSettings(profile_database=DATABASE, profile_schema=schema)
            commit_seconds = commit_backlog(settings, profiles)
            drain = drain_backlog(profiles, schema, projection, topics, label)
        documents = asyncio.run(people_documents(projection))
    finally:
        asyncio.run(clean_up(projection))
        asyncio.run(delete_topics(projection.kafka_bootstrap, list(topics.values())))
    if documents != profiles:
        raise RuntimeError(f"people holds {documents} documents, not {profiles}")
    return figures_of(drain, commit_seconds, documents)


def drain_backlog(
    profiles: int,
    schema: str,
    projection: ProjectionSettings,
    topics: dict[Topic, str],
    label: str,
) -> Drain:
    """Starts the relay and the projection; watches them drain the backlog."""
    drain = Drain(profiles * EVENTS_PER_PROFILE)
    python = sys.executable
    profile_env = {
        "CARREL_PROFILE_DATABASE": DATABASE,
        "CARREL_PROFILE_SCHEMA": schema,
    }
    consumer_env = {
        "CARREL_INDEX_PREFIX": projection.index_prefix,
        "CARREL_PROJECTION_GROUP": projection.projection_group,
        "CARREL_PROJECTION_TOPICS": json.dumps(projection.projection_topics),
    }
    relay = [python, str(BENCH / "projection_relay.py"), topics[Topic.PROFILE]]
    consumer = [python, "-m", "carrel_projection.entrypoints.consumer"]
    with ExitStack() as running:
        children = [
            running.enter_context(started(f"{label}-relay", relay, profile_env)),
            running.enter_context(
                started(f"{label}-projection", consumer, consumer_env)
            ),
        ]
        asyncio.run(
            watch(
                projection.kafka_bootstrap,
                topics[Topic.PROFILE],
                projection.projection_group,
                drain,
                children,
            )
        )
    return drain


def figures_of(drain: Drain, commit_seconds: float, documents: int) -> dict[str, Any]:
    assert drain.all_in_kafka is not None and drain.all_committed is not None
    assert drain.first_in_kafka is not None and drain.first_committed is not None
    events = drain.events
    return {
        "events": events,
        "commit_seconds": round(commit_seconds, 2),
        "commit_events_per_second": round(events / commit_seconds, 1),
        "first_in_kafka_seconds": round(drain.first_in_kafka, 2),
        "all_in_kafka_seconds": round(drain.all_in_kafka, 2),
        "relay_events_per_second": round(
            events / max(drain.all_in_kafka - drain.first_in_kafka, POLL_SECONDS), 1
        ),
        "first_projected_seconds": round(drain.first_committed, 2),
        "all_projected_seconds": round(drain.all_committed, 2),
        "projection_behind_relay_seconds": round(
            drain.all_committed - drain.all_in_kafka, 2
        ),
        "pipeline_events_per_second": round(events / drain.all_committed, 1),
        "after_start_up_events_per_second": round(
            events / max(drain.all_committed - drain.first_in_kafka, POLL_SECONDS), 1
        ),
        "people_documents": documents,
        "progress": thinned(drain.progress, 200),
    }


def thinned(points: list[tuple[float, int, int]], most: int) -> list[list[float]]:
    """At most ``most`` of the points, evenly spread, the last one kept."""
    step = max(1, len(points) // most)
    kept = points[::step]
    if points and kept[-1] != points[-1]:
        kept.append(points[-1])
    return [list(point) for point in kept]


def print_run(index: int, run: dict[str, Any]) -> None:
    print(
        f"  run {index}: commit {run['commit_seconds']} s "
        f"({run['commit_events_per_second']:,.0f} events/s, no relay running); "
        f"relay first event in Kafka after {run['first_in_kafka_seconds']} s, all "
        f"after {run['all_in_kafka_seconds']} s "
        f"({run['relay_events_per_second']:,.0f} events/s once started); "
        f"projection all committed after {run['all_projected_seconds']} s "
        f"({run['projection_behind_relay_seconds']} s behind the relay) -> "
        f"{run['pipeline_events_per_second']:,.0f} events/s end to end "
        f"({run['after_start_up_events_per_second']:,.0f} after start-up); "
        f"people documents {run['people_documents']}"
    )


MEDIANS = (
    "pipeline_events_per_second",
    "after_start_up_events_per_second",
    "commit_events_per_second",
    "relay_events_per_second",
    "all_projected_seconds",
)
"""The figures given as the median of the runs; each run's are kept too."""


def summarised(runs: list[dict[str, Any]], quick: bool) -> dict[str, Any]:
    """The whole benchmark's figures: medians of the runs, and every run."""
    medians = {name: statistics.median(run[name] for run in runs) for name in MEDIANS}
    return {
        "benchmark": "pipeline",
        "quick": quick,
        "cores": os.cpu_count(),
        "seed": SEED,
        "events": runs[0]["events"],
        "repeats": len(runs),
        **medians,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run")
    parser.add_argument("-n", "--events", type=int, default=100_000)
    parser.add_argument("-r", "--repeats", type=int, default=2)
    args = parser.parse_args()
    events, repeats = (500, 2) if args.quick else (args.events, max(1, args.repeats))
    profiles = max(1, events // EVENTS_PER_PROFILE)
    print(
        f"pipeline: backlog={profiles * EVENTS_PER_PROFILE} events "
        f"({profiles} profiles x {EVENTS_PER_PROFILE}) committed to the profile "
        f"event store, then drained by one relay process and one projection "
        f"process; topic partitions={PARTITIONS} repeats={repeats} seed={SEED} "
        f"cores={os.cpu_count()} (PostgreSQL, Kafka, OpenSearch and both "
        f"processes on this one machine, shared and busy)"
    )
    runs = []
    for index in range(repeats):
        runs.append(one_run(profiles, f"pipeline-{index}"))
        print_run(index, runs[-1])
    result = summarised(runs, args.quick)
    print(
        f"  median of {repeats}: {result['pipeline_events_per_second']:,.0f} "
        f"events/s from commit to read model"
    )
    write_json("pipeline", result)


if __name__ == "__main__":
    main()
