"""Every Carrel process of a test's own, beside whatever else runs on the stack.

The processes run under the :class:`~carrel_demo.supervisor.Supervisor` with
settings that keep them apart from the demo and from other tests: their own
PostgreSQL schema in each service database, free ports, Kafka topics and
consumer groups named after the run, and an OpenSearch index prefix of their
own. The loader's test and the browser tests start Carrel this way.
"""

import json
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import httpx
import psycopg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from carrel_events import dead_letter_topic
from psycopg import sql

from carrel_demo.services import carrel
from carrel_demo.supervisor import ServiceProcess, Supervisor, child_environment

logger = logging.getLogger(__name__)

DATABASES = ("carrel_profile", "carrel_teams", "carrel_resources", "carrel_matching")
TOPICS = ("profile", "teams", "resources", "matching")
SERVICES = ("profile", "teams", "resources", "matching", "projection", "gateway")
# Relays and a consumer that have no topic setting of their own run as
# stand-ins that call the same service functions on the run's topics.
STAND_INS = {
    "profile-relay": "profile",
    "teams-relay": "teams",
    "resources-relay": "resources",
    "resources-consumer": "resources-consumer",
}
TOPIC_PARTITIONS = 3


class StackAddress(Protocol):
    """Where PostgreSQL, Kafka and OpenSearch answer."""

    @property
    def pg_dsn(self) -> str: ...

    @property
    def kafka_bootstrap(self) -> str: ...

    @property
    def opensearch_url(self) -> str: ...

    def database_dsn(self, database: str) -> str: ...


@dataclass(frozen=True)
class Isolation:
    """The names and ports of one isolated run of Carrel."""

    name: str
    """The PostgreSQL schema in every service database; starts consumer groups."""
    ports: Mapping[str, int]

    @classmethod
    def new(cls, label: str) -> "Isolation":
        """A fresh run: a unique name starting with ``label``, free ports."""
        name = f"{label}_{uuid.uuid4().hex[:10]}"
        return cls(name, dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True)))

    @property
    def prefix(self) -> str:
        """The run's topic and index prefix (Kafka and OpenSearch spell it so)."""
        return self.name.replace("_", "-")

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def gateway_url(self) -> str:
        return self.url("gateway")

    def topic(self, producer: str) -> str:
        return f"{self.prefix}.{producer}.events"


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 right now (a race with other programs is possible)."""
    sockets = [socket.socket() for _ in range(count)]
    for one in sockets:
        one.bind(("127.0.0.1", 0))
    ports = [one.getsockname()[1] for one in sockets]
    for one in sockets:
        one.close()
    return ports


def isolated_environment(stack: StackAddress, run: Isolation) -> dict[str, str]:
    """The ``CARREL_`` settings that point every process at the run's own."""
    environment = {
        "CARREL_PG_DSN": stack.pg_dsn,
        "CARREL_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "CARREL_OPENSEARCH_URL": stack.opensearch_url,
        "CARREL_TEST_TOPIC_PREFIX": run.prefix,
        "CARREL_PROFILE_TOPIC": run.topic("profile"),
        "CARREL_TEAMS_TOPIC": run.topic("teams"),
        "CARREL_MATCHING_TOPIC": run.topic("matching"),
        "CARREL_PROJECTION_TOPICS": json.dumps([run.topic(t) for t in TOPICS]),
        "CARREL_PROJECTION_GROUP": f"{run.name}-projection",
        "CARREL_RESOURCES_READS_TEAMS_TOPIC": run.topic("teams"),
        "CARREL_RESOURCES_WELCOME_GROUP": f"{run.name}-resources-welcome",
        "CARREL_INDEX_PREFIX": run.prefix,
        "CARREL_PUBLIC_URL": run.gateway_url,
        "CARREL_TEAMS_PUBLIC_URL": run.gateway_url,
    }
    for service in ("profile", "teams", "resources", "matching"):
        environment[f"CARREL_{service.upper()}_SCHEMA"] = run.name
    for service, port in run.ports.items():
        environment[f"CARREL_{service.upper()}_PORT"] = str(port)
        environment[f"CARREL_{service.upper()}_URL"] = run.url(service)
    return environment


def isolated_services(run: Isolation) -> list[ServiceProcess]:
    """Every process of Carrel, stand-ins and consumer groups of the run."""
    services = []
    for service in carrel(run.ports):
        if service.name in STAND_INS:
            service = replace(
                service,
                module="carrel_demo.topic_relays",
                environment={"CARREL_TEST_RELAY": STAND_INS[service.name]},
            )
        if service.name.endswith("-consumer"):
            own = f"{run.name}-{service.name}"
            group = {
                "CARREL_CONSUMER_GROUP": own,
                "CARREL_MATCHING_CONSUMER_GROUP": own,
                "CARREL_RESOURCES_CONSUMER_GROUP": own,
                "CARREL_PROJECTION_GROUP": own,
            }
            service = replace(service, environment={**service.environment, **group})
        services.append(service)
    return services


@asynccontextmanager
async def isolated_carrel(
    stack: StackAddress,
    run: Isolation,
    log_folder: Path,
    environment: Mapping[str, str],
    ready_within_seconds: float = 180.0,
) -> AsyncIterator[Supervisor]:
    """Carrel running for ``run``, every service ready; all of it removed after.

    ``environment`` adds settings (keys, rate limits); the run's own
    addresses, ports, schemas and topics win over it, so that nothing it
    carries can send a service to another run's.
    """
    await _prepare(stack, run)
    supervisor = Supervisor(
        isolated_services(run),
        log_folder,
        child_environment({**environment, **isolated_environment(stack, run)}),
    )
    try:
        await supervisor.start()
        await supervisor.wait_ready(within_seconds=ready_within_seconds)
        yield supervisor
    finally:
        await supervisor.stop()
        await _clean(stack, run)


async def _prepare(stack: StackAddress, run: Isolation) -> None:
    for database in DATABASES:
        dsn = stack.database_dsn(database)
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(run.name))
            )
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(run.topic(t), TOPIC_PARTITIONS, 1) for t in TOPICS]
            + [NewTopic(dead_letter_topic(run.topic(t)), 1, 1) for t in TOPICS]
        )
    finally:
        await admin.close()


async def _clean(stack: StackAddress, run: Isolation) -> None:
    for database in DATABASES:
        dsn = stack.database_dsn(database)
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(run.name)
                )
            )
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    try:
        topics = [run.topic(t) for t in TOPICS]
        await admin.delete_topics(topics + [dead_letter_topic(t) for t in topics])
    finally:
        await admin.close()
    async with httpx.AsyncClient() as client:
        await client.delete(f"{stack.opensearch_url}/{run.prefix}*")
