"""Carrel under test: every process, on servers of its own that a test may crash.

One rig serves the whole ``tests/faults`` package. Its servers are its own,
under ``$CARREL_VAR/fault-rig``, so that a test may crash them: a fresh single Kafka
broker, which a test may ``kill -9``, and a PostgreSQL and an OpenSearch
started by a private copy of ``deploy/local/stack`` (``PrivateStack``). The
services run under the demo's supervisor (``carrel_demo.isolated``):
their own schemas, topics, consumer groups and index prefix, so nothing they
do is seen by other tests, and a process a test kills is started again.

The supervisor is asyncio; it runs on an event loop in a thread of its own, so
that the tests (sync or async) are free to use theirs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from carrel_demo.isolated import Isolation, isolated_carrel
from carrel_demo.supervisor import Supervisor
from carrel_gateway.testing import OPERATOR_KEY, SECRET

from tests.faults.servers import KafkaCluster, wait_for_metadata
from tests.integration.stack import REPO, PrivateStack, Stack, shared_var
from tests.threaded import entered_in_a_thread

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


def soaking() -> bool:
    """True under ``make soak``: the long forms of the tests run."""
    return os.environ.get("CARREL_SOAK", "") not in ("", "0")


@dataclass
class Rig:
    """A running Carrel and the levers to hurt it."""

    run: Isolation
    stack: Stack
    """The rig's own servers, as clients see them."""
    kafka: KafkaCluster
    servers: PrivateStack
    """The rig's PostgreSQL and OpenSearch, to crash and start again."""
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


@contextmanager
def running_rig() -> Iterator[Rig]:
    """Servers of its own and every Carrel process; all removed afterwards.

    The servers live under ``$CARREL_VAR/fault-rig``, not in pytest's
    temporary folders: another pytest session on the machine may prune those
    while this one still runs. Their logs are kept with the run's.
    """
    run = Isolation.new("faults")
    logs = LOGS / run.name
    logs.mkdir(parents=True, exist_ok=True)
    folder = shared_var() / "fault-rig" / run.name
    kafka = KafkaCluster(folder / "kafka")
    servers = PrivateStack(folder / "stack")
    try:
        servers.start("postgres", "opensearch")
        kafka.start()
        asyncio.run(wait_for_metadata(kafka.bootstrap))
        own = servers.stack
        stack = Stack(own.pg_dsn, kafka.bootstrap, own.opensearch_url)
        carrel = isolated_carrel(
            stack, run, logs, GATEWAY_SETTINGS, READY_WITHIN_SECONDS
        )
        with entered_in_a_thread(carrel) as supervisor:
            yield Rig(run, stack, kafka, servers, supervisor, logs)
    finally:
        kafka.stop()
        servers.stop()
        shutil.copytree(folder / "stack" / "log", logs / "servers", dirs_exist_ok=True)
        servers.wipe()
        shutil.rmtree(folder, ignore_errors=True)
