"""How many resources commands per second the service sustains, and how fast.

Starts the resources API with uvicorn in its own process, on 127.0.0.1, with
its event store in a fresh schema of the ``carrel_test`` database; puts a
team of members into its directory; then sends N commands from C concurrent
clients with httpx (in turn: catalogue an entry, share it with two members,
one opens it, the other completes it) and prints commands/s with median and
p99 latency.

    .venv/bin/python bench/resources_commands.py [--quick] [-n N] [-c C]

Needs the local stack's PostgreSQL (``CARREL_PG_DSN``).
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import psycopg
from carrel_events import Envelope
from carrel_events.consumer import Delivery
from carrel_events.contracts import teams
from carrel_events.serialisation import DecodedEvent
from carrel_resources.adapters.listening import DirectoryListener
from carrel_resources.adapters.tables import connect, create_tables
from carrel_resources.settings import ResourcesSettings
from psycopg import sql

DATABASE = "carrel_test"
MEMBERS = 50


@contextmanager
def fresh_schema(pg_dsn: str) -> Iterator[str]:
    schema = f"bench_resources_{uuid.uuid4().hex[:10]}"
    dsn = f"{pg_dsn.rstrip('/')}/{DATABASE}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            drop = sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema))
            connection.execute(drop)


def a_team(settings: ResourcesSettings) -> tuple[str, str, list[str]]:
    """A team with a coordinator and members, fed to the directory as events."""
    engine = connect(settings.database_url, settings.resources_schema)
    create_tables(engine)
    team_id, coordinator = uuid.uuid4(), uuid.uuid4()
    members = [uuid.uuid4() for _ in range(MEMBERS)]
    deliveries = [
        _joined(
            team_id,
            person,
            version,
            "coordinator" if person == coordinator else "mentee",
        )
        for version, person in enumerate([coordinator, *members], start=1)
    ]
    DirectoryListener(engine, "bench").apply_all(deliveries)
    engine.dispose()
    return str(team_id), str(coordinator), [str(m) for m in members]


def _joined(team_id: uuid.UUID, person: uuid.UUID, version: int, role: str) -> Delivery:
    payload = teams.MemberJoined(person_id=person, roles=[role], via="invitation")
    envelope = Envelope(
        event_id=uuid.uuid4(),
        event_type="MemberJoined",
        schema_version=1,
        aggregate_type="Team",
        aggregate_id=team_id,
        aggregate_version=version,
        team_id=team_id,
        occurred_at=datetime.now(UTC),
        correlation_id=uuid.uuid4(),
        causation_id=uuid.uuid4(),
        payload=payload.model_dump(mode="json"),
    )
    return Delivery("bench", 0, version, DecodedEvent(envelope, payload))


@contextmanager
def running_service(schema: str) -> Iterator[str]:
    """The resources API in a uvicorn process; yields its base URL."""
    port = _free_port()
    env = os.environ | {
        "CARREL_RESOURCES_DATABASE": DATABASE,
        "CARREL_RESOURCES_SCHEMA": schema,
        "CARREL_RESOURCES_PORT": str(port),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "carrel_resources.entrypoints.http"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("BENCH_VERBOSE") else subprocess.DEVNULL,
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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/health/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the resources service did not become ready")


class Run:
    """One bench run: a team, its commands, and what they cost."""

    def __init__(self, http: httpx.AsyncClient, team: tuple[str, str, list[str]]):
        self.http = http
        self.team_id, self.coordinator, self.members = team
        self.latencies: list[float] = []
        self.failures: list[int] = []

    async def timed(
        self, method: str, url: str, member: str, **kw: object
    ) -> httpx.Response:
        headers = {"X-Carrel-Member": member}
        sent = time.perf_counter()
        answer = await self.http.request(method, url, headers=headers, **kw)  # type: ignore[arg-type]
        self.latencies.append(time.perf_counter() - sent)
        if answer.status_code >= 400:
            self.failures.append(answer.status_code)
        return answer

    async def round(self, index: int) -> None:
        """Four commands: catalogue, share, open, complete."""
        body = {
            "url": f"https://bench.example.org/{uuid.uuid4()}",
            "title": f"Linked data exercise {index}",
            "resource_type": "tutorial",
            "topics": ["Linked Open Data in Library Use Today"],
        }
        entry = await self.timed(
            "POST", "/api/v1/catalogue/entries", self.coordinator, json=body
        )
        if entry.status_code != 201:
            return
        resource_id = entry.json()["id"]
        pair = [self.members[index % MEMBERS], self.members[(index + 1) % MEMBERS]]
        share = {
            "resource_id": resource_id,
            "audience": {"kind": "members", "member_ids": pair},
        }
        team = f"/api/v1/teams/{self.team_id}"
        await self.timed("POST", f"{team}/shares", self.coordinator, json=share)
        await self.timed("POST", f"{team}/resources/{resource_id}/opening", pair[0])
        await self.timed("POST", f"{team}/resources/{resource_id}/completion", pair[1])


async def drive(
    base_url: str, team: tuple[str, str, list[str]], total: int, concurrency: int
) -> None:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as http:
        run = Run(http, team)
        rounds: asyncio.Queue[int] = asyncio.Queue()
        for index in range(max(1, total // 4)):
            rounds.put_nowait(index)

        async def worker() -> None:
            while not rounds.empty():
                await run.round(rounds.get_nowait())

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    _report(concurrency, elapsed, run.latencies, run.failures)


def _report(
    concurrency: int, elapsed: float, latencies: list[float], failures: list[int]
) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"resources commands: N={len(ordered)} concurrency={concurrency} "
        f"members={MEMBERS} cores={os.cpu_count()} (server and client on one machine)"
    )
    print(
        f"  {len(ordered) / elapsed:.0f} commands/s, median "
        f"{statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"failures {len(failures)} {sorted(set(failures))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run")
    parser.add_argument("-n", "--commands", type=int, default=2000)
    parser.add_argument("-c", "--concurrency", type=int, default=16)
    arguments = parser.parse_args()
    total = 80 if arguments.quick else arguments.commands
    concurrency = 4 if arguments.quick else arguments.concurrency

    settings = ResourcesSettings()
    with fresh_schema(settings.pg_dsn) as schema:
        in_schema = settings.model_copy(
            update={"resources_database": DATABASE, "resources_schema": schema}
        )
        team = a_team(in_schema)
        with running_service(schema) as base_url:
            asyncio.run(drive(base_url, team, total, concurrency))


if __name__ == "__main__":
    main()
