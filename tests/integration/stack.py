"""Where the real PostgreSQL, Kafka and OpenSearch of a test session are.

The first of these that applies wins:

1. ``CARREL_PG_DSN``, ``CARREL_KAFKA_BOOTSTRAP`` and ``CARREL_OPENSEARCH_URL``
   are all set: the stack is already running somewhere, use it.
2. A Docker engine answers: start ``deploy/compose.yaml`` through
   testcontainers and take it down at the end of the session.
3. Otherwise run ``deploy/local/stack up`` (plain processes, left running for
   the next session) and read its ``env``.

Any conftest may use :func:`running_stack`; ``tests/integration/conftest.py``
wraps it in the session fixture ``stack``.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from carrel_demo.isolated import free_ports

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
LOCAL_STACK = DEPLOY / "local" / "stack"

ENV_NAMES = ("CARREL_PG_DSN", "CARREL_KAFKA_BOOTSTRAP", "CARREL_OPENSEARCH_URL")

# A cold start may fetch Kafka and OpenSearch from Maven Central first.
LOCAL_START_TIMEOUT_S = 900


@dataclass(frozen=True)
class Stack:
    """Connection settings of the servers every integration test talks to."""

    pg_dsn: str
    """PostgreSQL URL without a database, such as ``postgresql://u:p@host:port``."""
    kafka_bootstrap: str
    opensearch_url: str

    def database_dsn(self, database: str) -> str:
        """The PostgreSQL URL of one database on this server."""
        return f"{self.pg_dsn.rstrip('/')}/{database}"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Stack:
        pg_dsn, kafka_bootstrap, opensearch_url = (environ[n] for n in ENV_NAMES)
        return cls(pg_dsn, kafka_bootstrap, opensearch_url)


@contextmanager
def running_stack() -> Iterator[Stack]:
    """Finds or starts the stack, and stops it afterwards if it started it."""
    if all(os.environ.get(name) for name in ENV_NAMES):
        logger.info("using the stack named by the CARREL_* environment")
        yield Stack.from_environment(os.environ)
    elif docker_engine_answers():
        with _compose_stack() as stack:
            yield stack
    else:
        yield _local_stack()


def docker_engine_answers() -> bool:
    """True when the Docker CLI reaches an engine within a few seconds.

    The CLI rather than the docker SDK: the SDK leaks its socket when nothing
    listens, and with warnings as errors that fails an unrelated test later.
    Compose through testcontainers needs the CLI anyway.
    """
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        probe = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            timeout=5,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0


@contextmanager
def _compose_stack() -> Iterator[Stack]:
    from testcontainers.compose import DockerCompose

    logger.info("starting deploy/compose.yaml with testcontainers")
    with DockerCompose(context=DEPLOY, compose_file_name="compose.yaml", wait=True):
        # The compose file publishes the same ports as the local stack.
        yield Stack.from_environment(_stack_command("env"))


def _local_stack() -> Stack:
    logger.info("starting the local stack: %s up", LOCAL_STACK)
    _stack_command("up")
    return Stack.from_environment(_stack_command("env"))


def _stack_command(command: str) -> dict[str, str]:
    """Runs deploy/local/stack and reads the ``export`` lines it prints."""
    done = subprocess.run(
        [str(LOCAL_STACK), command],
        capture_output=True,
        text=True,
        timeout=LOCAL_START_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"deploy/local/stack {command} failed ({done.returncode}):\n"
            + done.stderr[-4000:]
        )
    return parse_exports(done.stdout)


def parse_exports(text: str) -> dict[str, str]:
    """Reads ``export NAME=value`` lines as the shell would."""
    exports: dict[str, str] = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, _, value = words[1].partition("=")
            exports[name] = value
    return exports


def shared_var() -> Path:
    """The shared stack's folder: ``$CARREL_VAR``, else ``var/``."""
    return Path(os.environ.get("CARREL_VAR", REPO / "var"))


def shared_dist() -> Path:
    """Where the shared stack's ``deploy/local/stack`` unpacked its artifacts."""
    if dist := os.environ.get("CARREL_DIST"):
        return Path(dist)
    return shared_var() / "dist"


@dataclass
class PrivateStack:
    """A second local stack under ``folder``, for tests that must hurt one.

    Started, crashed and stopped by ``deploy/local/stack`` with a
    ``CARREL_VAR`` of its own and free ports; the artifacts come from the
    shared stack's cache, so nothing is fetched again.
    """

    folder: Path
    ports: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = (
            "CARREL_PG_PORT",
            "CARREL_KAFKA_PORT",
            "CARREL_KAFKA_CONTROLLER_PORT",
            "CARREL_OPENSEARCH_PORT",
            "CARREL_OPENSEARCH_TRANSPORT_PORT",
        )
        self.ports = dict(zip(names, free_ports(len(names)), strict=True))

    @property
    def stack(self) -> Stack:
        """Its connection settings, as ``deploy/local/stack env`` gives them."""
        return Stack.from_environment(self.run("env"))

    def start(self, *servers: str) -> float:
        """Starts the servers named (all by default); seconds until ready."""
        started = time.monotonic()
        self.run("up", *servers)
        return time.monotonic() - started

    def crash(self, server: str) -> None:
        """Kills ``server`` without a clean shutdown."""
        self.run("crash", server)

    def stop(self) -> None:
        """Stops every server, keeping the data."""
        self.run("down")

    def wipe(self) -> None:
        """Stops every server and removes the data."""
        self.run("reset")

    def processes(self) -> list[str]:
        """Command lines of the running processes that name the folder."""
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                line = cmdline.read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(self.folder) in line:
                found.append(line)
        return found

    def run(self, *arguments: str) -> dict[str, str]:
        """Runs ``deploy/local/stack``; the ``export`` lines it printed."""
        environment = {
            **os.environ,
            **{name: str(port) for name, port in self.ports.items()},
            "CARREL_VAR": str(self.folder),
            "CARREL_DIST": str(shared_dist()),
        }
        done = subprocess.run(
            [str(LOCAL_STACK), *arguments],
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"stack {' '.join(arguments)} failed:\n{done.stderr[-4000:]}"
            )
        return parse_exports(done.stdout)
