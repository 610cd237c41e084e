"""What the write-service benchmarks share: a scratch schema, a running service,
timed commands from a pool of concurrent clients, and the figures they yield.

A benchmark builds its own team or profiles and its own commands; this module
starts the service, times what the benchmark sends, prints the setup and the
figures, and writes them to ``bench/results/<benchmark>.json`` (or to the
folder ``BENCH_RESULTS_DIR`` names).
"""

import argparse
import asyncio
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from pydantic import BaseModel, ConfigDict

DATABASE = "carrel_test"
RESULTS = Path(__file__).resolve().parent / "results"
RESULTS_VARIABLE = "BENCH_RESULTS_DIR"
"""Names another folder for the JSON results, so a test run leaves the
committed figures of a full run alone."""
READY_TIMEOUT_S = 60
SAME_MACHINE = "(server and client on the same machine, shared and busy)"
SEED = 20261204
"""Seeds every random choice of a run, so two runs send the same commands."""


def command_line(description: str, commands: int) -> argparse.ArgumentParser:
    """The options every benchmark takes: ``--quick``, ``-n``, ``-c``, ``-r``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a tiny run")
    parser.add_argument("-n", "--commands", type=int, default=commands)
    parser.add_argument("-c", "--concurrency", type=int, default=16)
    parser.add_argument(
        "-r", "--repeats", type=int, default=3, help="timed runs of N commands each"
    )
    return parser


def repeats_of(arguments: argparse.Namespace) -> int:
    """The timed runs: two in a quick run, so the repeating itself is tested."""
    return 2 if arguments.quick else max(1, int(arguments.repeats))


@contextmanager
def scratch_schema(pg_dsn: str, service: str) -> Iterator[str]:
    """A new schema in ``carrel_test`` for one run, dropped with all it holds."""
    schema = f"bench_{service}_{uuid.uuid4().hex[:10]}"
    dsn = f"{pg_dsn.rstrip('/')}/{DATABASE}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema
    finally:
        drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(drop.format(sql.Identifier(schema)))


@contextmanager
def running_service(
    service: str, schema: str, settings: Mapping[str, str] | None = None
) -> Iterator[str]:
    """The service's HTTP API in its own uvicorn process; yields its base URL.

    The service keeps its events in ``schema`` of ``carrel_test`` and listens
    on a free port; ``settings`` adds environment variables of its own. Set
    ``BENCH_VERBOSE=1`` to see the service's log on stderr.
    """
    port = _free_port()
    prefix = f"CARREL_{service.upper()}"
    env = os.environ | {
        f"{prefix}_DATABASE": DATABASE,
        f"{prefix}_SCHEMA": schema,
        f"{prefix}_PORT": str(port),
        **(settings or {}),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", f"carrel_{service}.entrypoints.http"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("BENCH_VERBOSE") else subprocess.DEVNULL,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_ready(server, base_url, service)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _free_port() -> int:
    # Another process may take the port between this probe and uvicorn's
    # bind; the service then fails to start and _wait_ready says so.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_ready(server: subprocess.Popen[bytes], base_url: str, service: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"the {service} service exited with {server.returncode} before "
                "it was ready (BENCH_VERBOSE=1 shows its log)"
            )
        try:
            if httpx.get(f"{base_url}/health/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the {service} service was not ready in {READY_TIMEOUT_S} s")


def client(base_url: str, concurrency: int) -> httpx.AsyncClient:
    """An HTTP client with one connection per concurrent worker.

    Idle connections are dropped after 2 s, before uvicorn closes them at 5 s:
    otherwise a command sent on a connection the server is closing fails with
    "Server disconnected" (seen on the busy machine between rounds).
    """
    limits = httpx.Limits(max_connections=concurrency, keepalive_expiry=2.0)
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60)


@dataclass
class Tally:
    """A run's timed commands: how long each took, which were refused, the whole."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """The status and the command's last path word, such as ``409 accept``."""
    concurrency: int = 0
    elapsed: float = 0.0
    """The timed runs' elapsed time, summed (set-up between runs excluded)."""
    runs: list[float] = field(default_factory=list)
    """Commands per second of each timed run, in order."""

    async def send(
        self,
        http: httpx.AsyncClient,
        method: str,
        url: str,
        member: str | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Sends one command as ``member`` (or with ``headers``); times it."""
        headers = dict(headers or {})
        if member:
            headers["X-Carrel-Member"] = member
        sent = time.perf_counter()
        try:
            answer = await http.request(method, url, json=body, headers=headers)
        except httpx.TransportError as error:
            # Counted as a refused command, not a crash of the whole run: the
            # report shows how many and which, and a dead server shows as all.
            answer = httpx.Response(599, text=type(error).__name__)
            self.failures.append(f"{type(error).__name__} {url.rsplit('/', 1)[1]}")
            return answer
        self.latencies.append(time.perf_counter() - sent)
        if not answer.is_success:
            self.failures.append(f"{answer.status_code} {url.rsplit('/', 1)[1]}")
        return answer

    async def run_rounds(
        self,
        rounds: int,
        concurrency: int,
        one_round: Callable[[int], Awaitable[None]],
        first: int = 0,
    ) -> None:
        """Runs rounds ``first`` on from concurrent workers; one timed run.

        Called again for each repeat, with ``first`` moved on so that each run
        sends new commands; the tally keeps every run's figures.
        """
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(first, first + rounds):
            queue.put_nowait(index)
        before = len(self.latencies)

        async def worker() -> None:
            while not queue.empty():
                await one_round(queue.get_nowait())

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        self.elapsed += elapsed
        self.runs.append((len(self.latencies) - before) / elapsed)
        self.concurrency = concurrency


class Figures(BaseModel):
    """One run's setup and results, as printed and as written to JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    benchmark: str
    quick: bool
    recorded_at: datetime
    commands: int
    concurrency: int
    cores: int
    setup: dict[str, int]
    elapsed_seconds: float
    commands_per_second: float
    median_ms: float
    p99_ms: float
    failures: int
    failure_kinds: list[str]
    repeats: int = 1
    runs_commands_per_second: list[float] = []
    """Each timed run's rate; the headline rate pools every run."""
    seed: int | None = None


def figures(
    benchmark: str, tally: Tally, setup: Mapping[str, int], quick: bool
) -> Figures:
    """The figures of a finished run, with the sizes of its ``setup``."""
    if not tally.latencies:
        raise RuntimeError(f"{benchmark} timed no command")
    ordered = sorted(tally.latencies)
    return Figures(
        benchmark=benchmark,
        quick=quick,
        recorded_at=datetime.now(UTC),
        commands=len(ordered),
        concurrency=tally.concurrency,
        cores=os.cpu_count() or 0,
        setup=dict(setup),
        elapsed_seconds=tally.elapsed,
        commands_per_second=len(ordered) / tally.elapsed,
        median_ms=statistics.median(ordered) * 1000,
        p99_ms=_nearest_rank(ordered, 0.99) * 1000,
        failures=len(tally.failures),
        failure_kinds=sorted(set(tally.failures)),
        repeats=len(tally.runs),
        runs_commands_per_second=[round(rate, 1) for rate in tally.runs],
        seed=SEED,
    )


def _nearest_rank(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def report(title: str, result: Figures) -> Path:
    """Prints the setup and figures and writes them to ``bench/results/``."""
    sizes = [f"{name}={value}" for name, value in result.setup.items()]
    setup = [f"N={result.commands}", f"concurrency={result.concurrency}", *sizes]
    setup.append(f"repeats={result.repeats} seed={result.seed}")
    print(f"{title}: {' '.join(setup)} cores={result.cores} {SAME_MACHINE}")
    runs = ", ".join(f"{rate:.0f}" for rate in result.runs_commands_per_second)
    print(
        f"  {result.commands_per_second:.0f} commands/s (runs: {runs}), median "
        f"{result.median_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"failures {result.failures} {result.failure_kinds}"
    )
    return write_result(result)


def write_result(result: Figures) -> Path:
    """Writes the figures to ``bench/results/<benchmark>.json``; the path."""
    return write_json(result.benchmark, result.model_dump(mode="json"))


def write_json(benchmark: str, figures: dict[str, Any]) -> Path:
    """Writes any benchmark's figures to ``<results>/<benchmark>.json``."""
    folder = Path(os.environ.get(RESULTS_VARIABLE) or RESULTS)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{benchmark}.json"
    # Written beside and renamed, so a reader never sees half a file.
    partial = target.with_suffix(".json.tmp")
    partial.write_text(json.dumps(figures, indent=2) + "\n")
    partial.replace(target)
    return target
