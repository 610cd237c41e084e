"""How many profile commands per second the service sustains, and how fast.

Starts the profile API with uvicorn in its own process, on 127.0.0.1, with
its event store in a fresh schema of the ``carrel_test`` database; creates a
pool of profiles; then sends N section commands (skills, interests, location,
mentoring in turn, each to a random profile of the pool) from C concurrent
clients with httpx, and prints commands/s with median and p99 latency.

    .venv/bin/python bench/profile_commands.py [--quick] [-n N] [-c C]

Needs the local stack's PostgreSQL (``CARREL_PG_DSN``).
"""

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
from carrel_profile.settings import ProfileSettings
from psycopg import sql

DATABASE = "carrel_test"
SKILLS = [
    "esco.classify-library-materials",
    "esco.develop-information-standards",
    "esco.digital-curation",
    "onet.tech.worldcat",
    "esco.manage-staff",
]


def command(index: int) -> tuple[str, dict[str, Any]]:
    """The section and body of the ``index``-th command of the run."""
    rng = random.Random(index)
    kind = index % 4
    if kind == 0:
        picked = rng.sample(SKILLS, 3)
        skills = [{"skill_id": s, "proficiency": rng.randint(1, 5)} for s in picked]
        return "skills", {"skills": skills}
    if kind == 1:
        return "interests", {
            "interests": rng.sample(["maps", "zines", "IIIF", "OCR"], 2)
        }
    if kind == 2:
        return "location", {
            "city": "Anchorage",
            "country": "US",
            "latitude": 61 + rng.random(),
            "longitude": -150 + rng.random(),
            "time_zone": "America/Anchorage",
        }
    return "mentoring", {"roles": ["mentor"], "mentor_capacity": rng.randint(1, 5)}


@contextmanager
def fresh_schema(pg_dsn: str) -> Iterator[str]:
    schema = f"bench_profile_{uuid.uuid4().hex[:10]}"
    dsn = f"{pg_dsn.rstrip('/')}/{DATABASE}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)
            )
            connection.execute(drop)


@contextmanager
def running_service(schema: str) -> Iterator[str]:
    """The profile API in a uvicorn process; yields its base URL."""
    port = _free_port()
    env = os.environ | {
        "CARREL_PROFILE_DATABASE": DATABASE,
        "CARREL_PROFILE_SCHEMA": schema,
        "CARREL_PROFILE_PORT": str(port),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "carrel_profile.entrypoints.http"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_ready(base_url)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_ready(base_url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/health/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the profile service did not become ready")


async def drive(base_url: str, profiles: int, total: int, concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:
        members = await _create_profiles(http, profiles, concurrency)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(total):
            queue.put_nowait(index)
        latencies: list[float] = []
        failures: list[int] = []
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _worker(http, members, queue, latencies, failures)
                for _ in range(concurrency)
            )
        )
        elapsed = time.perf_counter() - started
    _report(total, concurrency, profiles, elapsed, latencies, failures)


async def _create_profiles(
    http: httpx.AsyncClient, count: int, concurrency: int
) -> list[str]:
    members = [str(uuid.uuid4()) for _ in range(count)]
    gate = asyncio.Semaphore(concurrency)

    async def create(member: str) -> None:
        async with gate:
            body = {"id": member, "display_name": f"Bench {member[:8]}"}
            answer = await http.post("/api/v1/profiles", json=body)
            answer.raise_for_status()

    await asyncio.gather(*(create(member) for member in members))
    return members


async def _worker(
    http: httpx.AsyncClient,
    members: list[str],
    queue: "asyncio.Queue[int]",
    latencies: list[float],
    failures: list[int],
) -> None:
    while not queue.empty():
        index = queue.get_nowait()
        section, body = command(index)
        member = members[index % len(members)]
        sent = time.perf_counter()
        answer = await http.put(f"/api/v1/profiles/{member}/{section}", json=body)
        latencies.append(time.perf_counter() - sent)
        if answer.status_code != 200:
            failures.append(answer.status_code)


def _report(
    total: int,
    concurrency: int,
    profiles: int,
    elapsed: float,
    latencies: list[float],
    failures: list[int],
) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"profile commands: N={total} concurrency={concurrency} profiles={profiles} "
        f"cores={os.cpu_count()} (server and client on the same machine)"
    )
    print(
        f"  {total / elapsed:.0f} commands/s, median "
        f"{statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"failures {len(failures)} {sorted(set(failures))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run")
    parser.add_argument("-n", "--commands", type=int, default=5000)
    parser.add_argument("-c", "--concurrency", type=int, default=16)
    parser.add_argument("-p", "--profiles", type=int, default=500)
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.commands, arguments.profiles = 200, 50
    settings = ProfileSettings()
    with fresh_schema(settings.pg_dsn) as schema, running_service(schema) as url:
        asyncio.run(
            drive(url, arguments.profiles, arguments.commands, arguments.concurrency)
        )


if __name__ == "__main__":
    main()
