"""Carrel under test: every process, on a Kafka of its own and behind proxies.

One rig serves the whole ``tests/faults`` package. Its Kafka is a fresh
single broker under a temporary folder, which a test may ``kill -9``; its
PostgreSQL and OpenSearch are the stack's, reached through proxies a test may
cut. The services run under the demo's supervisor (``carrel_demo.isolated``):
their own schemas, topics, consumer groups and index prefix, so nothing they
do is seen by other tests, and a process a test kills is started again.

The supervisor is asyncio; it runs on an event loop in a thread of its own, so
that the tests (sync or async) are free to use theirs.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
from carrel_demo.isolated import Isolation, isolated_carrel
from carrel_demo.supervisor import Supervisor
from carrel_gateway.testing import OPERATOR_KEY, SECRET

from tests.faults.servers import KafkaCluster, Proxy, wait_for_metadata
from tests.integration.stack import REPO, Stack

LOGS = REPO / "var" / "log" / "fault-tests"
READY_WITHIN_SECONDS = 180.0
GATEWAY_SETTINGS = {
    "CARREL_SESSION_SECRET": SECRET,
    "CARREL_OPERATOR_KEY": OPERATOR_KEY,
    # Every simulated person signs in and writes from 127.0.0.1.
    "CARREL_SIGN_IN_RATE": "100000/minute",
    "CARREL_WRITE_RATE": "100000/minute",
    "CARREL_MEMBERSHIP_CACHE_SECONDS": "1",
}

T = TypeVar("T")


def soaking() -> bool:
    """True under ``make soak``: the long forms of the tests run."""
    return os.environ.get("CARREL_SOAK", "") not in ("", "0")


@dataclass(frozen=True)
class Address:
    """Where the rig's services find PostgreSQL, Kafka and OpenSearch."""

    pg_dsn: str
    kafka_bootstrap: str
    opensearch_url: str

    def database_dsn(self, database: str) -> str:
        return f"{self.pg_dsn.rstrip('/')}/{database}"


@dataclass
class Rig:
    """A running Carrel and the levers to hurt it."""

    run: Isolation
    stack: Stack
    address: Address
    kafka: KafkaCluster
    postgres: Proxy
    opensearch: Proxy
    supervisor: Supervisor
    logs: Path

    @property
    def url(self) -> str:
        return self.run.gateway_url

    def pid_of(self, process: str) -> int:
        pid = self.supervisor.pids()[process]
        assert pid is not None, f"{process} is not running"
        return pid

    def rss_kib(self, process: str) -> int:
        """Resident memory of one of the rig's processes, in KiB."""
        status = Path(f"/proc/{self.pid_of(process)}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
        return int(line.split()[1])

    def wait_until_ready(self, within_seconds: float = 120.0) -> None:
        """Every HTTP service answers ready again (after a fault)."""
        deadline = time.monotonic() + within_seconds
        services = (
            "profile",
            "teams",
            "resources",
            "matching",
            "projection",
            "gateway",
        )
        for service in services:
            url = f"{self.run.url(service)}/health/ready"
            while True:
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"{service} is not ready"
                time.sleep(0.5)


def with_port(dsn: str, port: int) -> str:
    """The URL with its port replaced."""
    parts = urlsplit(dsn)
    credentials, _, _ = parts.netloc.rpartition("@")
    host = parts.hostname or "127.0.0.1"
    netloc = f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


@contextmanager
def running_rig(stack: Stack, folder: Path) -> Iterator[Rig]:
    """Kafka, the proxies and every Carrel process; all removed afterwards."""
    run = Isolation.new("faults")
    logs = LOGS / run.name
    logs.mkdir(parents=True, exist_ok=True)
    kafka = KafkaCluster(folder / "kafka")
    pg = urlsplit(stack.pg_dsn)
    search = urlsplit(stack.opensearch_url)
    postgres = Proxy(pg.hostname or "127.0.0.1", pg.port or 5432, logs / "pg-proxy.log")
    opensearch = Proxy(
        search.hostname or "127.0.0.1", search.port or 9200, logs / "os-proxy.log"
    )
    try:
        kafka.start()
        asyncio.run(wait_for_metadata(kafka.bootstrap))
        postgres.open()
        opensearch.open()
        address = Address(
            with_port(stack.pg_dsn, postgres.port),
            kafka.bootstrap,
            with_port(stack.opensearch_url, opensearch.port),
        )
        carrel = isolated_carrel(
            address, run, logs, GATEWAY_SETTINGS, READY_WITHIN_SECONDS
        )
        with entered_in_a_thread(carrel) as supervisor:
            yield Rig(
                run, stack, address, kafka, postgres, opensearch, supervisor, logs
            )
    finally:
        kafka.stop()
        postgres.close()
        opensearch.close()


@contextmanager
def entered_in_a_thread(manager: AbstractAsyncContextManager[T]) -> Iterator[T]:
    """Enter an async context manager on an event loop of its own thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=_run_until_stopped, args=(loop,), daemon=True)
    thread.start()
    try:
        value = asyncio.run_coroutine_threadsafe(manager.__aenter__(), loop).result()
        try:
            yield value
        finally:
            exited = asyncio.run_coroutine_threadsafe(
                manager.__aexit__(None, None, None), loop
            )
            exited.result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()


def _run_until_stopped(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
