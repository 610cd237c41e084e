"""How many teams commands per second the service sustains, and how fast.

Starts the teams API with uvicorn in its own process on 127.0.0.1, its event
store in a fresh schema of the ``carrel_test`` database. Through the API it
builds a team (mentors and mentees invited and joined; not timed), then runs
mentorships end to end from C concurrent clients: a mentee requests a random
mentor, the mentor accepts, the pair logs a session and the mentor ends it.
Each of those is one timed command, N in all. Accepts of the same mentor may
collide on the mentor's load; the service re-reads and retries them.

    .venv/bin/python bench/teams_commands.py [--quick] [-n N] [-c C]

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
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg
from carrel_teams.settings import TeamsSettings
from psycopg import sql

DATABASE = "carrel_test"
STEPS_PER_MENTORSHIP = 4


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """The status and the command's last path word, e.g. ``409 accept``."""


@dataclass(frozen=True)
class Team:
    team_id: str
    coordinator: str
    mentors: list[str]
    mentees: list[str]


def member(person: str) -> dict[str, str]:
    return {"X-Carrel-Member": person}


@contextmanager
def fresh_schema(pg_dsn: str) -> Iterator[str]:
    schema = f"bench_teams_{uuid.uuid4().hex[:10]}"
    dsn = f"{pg_dsn.rstrip('/')}/{DATABASE}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)
                )
            )


@contextmanager
def running_service(schema: str) -> Iterator[str]:
    """The teams API in its own uvicorn process; yields its base URL."""
    port = free_port()
    env = os.environ | {
        "CARREL_TEAMS_DATABASE": DATABASE,
        "CARREL_TEAMS_SCHEMA": schema,
        "CARREL_TEAMS_PORT": str(port),
        "CARREL_EXPIRY_INTERVAL_SECONDS": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "carrel_teams.entrypoints.http"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_ready(base_url)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_ready(base_url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/health/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the teams service did not become ready")


async def build_team(
    http: httpx.AsyncClient, mentors: int, mentees: int, concurrency: int
) -> Team:
    coordinator = str(uuid.uuid4())
    created = await http.post(
        "/api/v1/teams",
        json={
            "name": "Bench Library",
            "kind": "library",
            "settings": {"default_mentor_capacity": 20},
        },
        headers=member(coordinator),
    )
    created.raise_for_status()
    team_id = created.json()["id"]
    gate = asyncio.Semaphore(concurrency)

    async def join(role: str) -> str:
        async with gate:
            return await invite_and_accept(http, team_id, coordinator, role)

    joined = await asyncio.gather(
        *(join("mentor") for _ in range(mentors)),
        *(join("mentee") for _ in range(mentees)),
    )
    return Team(team_id, coordinator, joined[:mentors], joined[mentors:])


async def invite_and_accept(
    http: httpx.AsyncClient, team_id: str, coordinator: str, role: str
) -> str:
    person = str(uuid.uuid4())
    invited = await http.post(
        f"/api/v1/teams/{team_id}/invitations",
        json={"name": "Bench", "email": f"{person}@example.org", "roles": [role]},
        headers=member(coordinator),
    )
    invited.raise_for_status()
    token = invited.json()["link"].rsplit("token=", 1)[1]
    accepted = await http.post(
        f"/api/v1/invitations/{invited.json()['id']}/accept",
        json={"token": token},
        headers=member(person),
    )
    accepted.raise_for_status()
    return person


async def timed(
    tally: Tally, send: Any, url: str, body: dict[str, Any], person: str
) -> dict[str, Any] | None:
    started = time.perf_counter()
    answer = await send(url, json=body, headers=member(person))
    tally.latencies.append(time.perf_counter() - started)
    if answer.status_code not in (200, 201):
        tally.failures.append(f"{answer.status_code} {url.rsplit('/', 1)[1]}")
        return None
    result: dict[str, Any] = answer.json()
    return result


async def one_mentorship(
    http: httpx.AsyncClient, team: Team, index: int, tally: Tally
) -> None:
    rng = random.Random(index)
    mentor, mentee = rng.choice(team.mentors), rng.choice(team.mentees)
    asked = await timed(
        tally,
        http.post,
        f"/api/v1/teams/{team.team_id}/mentorships",
        {"mentor_id": mentor, "message": "Would you mentor me?"},
        mentee,
    )
    if asked is None:
        return
    url = f"/api/v1/mentorships/{asked['id']}"
    steps: list[tuple[str, dict[str, Any], str]] = [
        (f"{url}/accept", {}, mentor),
        (f"{url}/sessions", {"held_on": "2026-03-03", "minutes": 45}, mentee),
        (f"{url}/end", {"outcome": "completed"}, mentor),
    ]
    for step_url, body, person in steps:
        if await timed(tally, http.post, step_url, body, person) is None:
            return


async def drive(
    base_url: str, total: int, concurrency: int, mentors: int, mentees: int
) -> None:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as http:
        team = await build_team(http, mentors, mentees, concurrency)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(total // STEPS_PER_MENTORSHIP):
            queue.put_nowait(index)
        tally = Tally()

        async def worker() -> None:
            while not queue.empty():
                await one_mentorship(http, team, queue.get_nowait(), tally)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    report(concurrency, mentors, mentees, elapsed, tally)


def report(
    concurrency: int, mentors: int, mentees: int, elapsed: float, tally: Tally
) -> None:
    ordered = sorted(tally.latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"teams commands: N={len(ordered)} concurrency={concurrency} "
        f"mentors={mentors} mentees={mentees} cores={os.cpu_count()} "
        "(server and client on the same machine)"
    )
    print(
        f"  {len(ordered) / elapsed:.0f} commands/s, median "
        f"{statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"failures {len(tally.failures)} {sorted(set(tally.failures))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run")
    parser.add_argument("-n", "--commands", type=int, default=4000)
    parser.add_argument("-c", "--concurrency", type=int, default=16)
    parser.add_argument("--mentors", type=int, default=40)
    parser.add_argument("--mentees", type=int, default=200)
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.commands, arguments.mentors, arguments.mentees = 200, 10, 20
    settings = TeamsSettings()
    with fresh_schema(settings.pg_dsn) as schema, running_service(schema) as url:
        asyncio.run(
            drive(
                url,
                arguments.commands,
                arguments.concurrency,
                arguments.mentors,
                arguments.mentees,
            )
        )


if __name__ == "__main__":
    main()
