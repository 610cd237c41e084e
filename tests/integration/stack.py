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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
