"""The loader of ``make run`` on a slice of the real data, against real services.

The test starts every service through the Supervisor beside whatever else
runs on the stack: its own PostgreSQL schemas, ports, Kafka topics, consumer
groups and OpenSearch indices, so it neither sees nor feeds the demo.
"""

import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import psycopg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from carrel_demo.__main__ import service_environment
from carrel_demo.keys import kept_keys
from carrel_demo.loader import load_demo
from carrel_demo.services import carrel
from carrel_demo.settings import DemoSettings
from carrel_demo.supervisor import ServiceProcess, Supervisor, child_environment

from tests.integration.backbone_support import create_topic
from tests.integration.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

HERE = Path(__file__).parent
DATABASES = ("carrel_profile", "carrel_teams", "carrel_resources", "carrel_matching")
TOPICS = ("profile", "teams", "resources", "matching")
# Stand-ins that run the services' own relay and consumer on the test's topics.
STAND_INS = {
    "profile-relay": "profile",
    "teams-relay": "teams",
    "resources-relay": "resources",
    "resources-consumer": "resources-consumer",
}


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for one in sockets:
        one.bind(("127.0.0.1", 0))
    ports = [one.getsockname()[1] for one in sockets]
    for one in sockets:
        one.close()
    return ports


def isolated_environment(
    stack: Stack, name: str, ports: dict[str, int]
) -> dict[str, str]:
    prefix = name.replace("_", "-")
    environment = {
        "CARREL_PG_DSN": stack.pg_dsn,
        "CARREL_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "CARREL_OPENSEARCH_URL": stack.opensearch_url,
        "CARREL_TEST_TOPIC_PREFIX": prefix,
        "CARREL_PROFILE_TOPIC": f"{prefix}.profile.events",
        "CARREL_TEAMS_TOPIC": f"{prefix}.teams.events",
        "CARREL_MATCHING_TOPIC": f"{prefix}.matching.events",
        "CARREL_PROJECTION_TOPICS": json.dumps(
            [f"{prefix}.{t}.events" for t in TOPICS]
        ),
        "CARREL_PROJECTION_GROUP": f"{name}-projection",
        "CARREL_INDEX_PREFIX": prefix,
        "PYTHONPATH": str(HERE),
    }
    for service in ("profile", "teams", "resources", "matching"):
        environment[f"CARREL_{service.upper()}_SCHEMA"] = name
    for service, port in ports.items():
        environment[f"CARREL_{service.upper()}_PORT"] = str(port)
        environment[f"CARREL_{service.upper()}_URL"] = f"http://127.0.0.1:{port}"
    return environment


def isolated_services(name: str, ports: dict[str, int]) -> list[ServiceProcess]:
    services = []
    for service in carrel(ports):
        if service.name in STAND_INS:
            service = replace(
                service,
                module="topic_relays",
                environment={"CARREL_TEST_RELAY": STAND_INS[service.name]},
            )
        if service.name.endswith("-consumer"):
            group = {"CARREL_CONSUMER_GROUP": f"{name}-{service.name}"}
            service = replace(service, environment={**service.environment, **group})
        services.append(service)
    return services


@pytest.fixture
async def isolated_carrel(stack: Stack, tmp_path: Path) -> AsyncIterator[DemoSettings]:
    """Every Carrel service of the test's own; the loader's settings to reach it."""
    name = f"demo_{uuid.uuid4().hex[:10]}"
    prefix = name.replace("_", "-")
    ports = dict(
        zip(
            ("profile", "teams", "resources", "matching", "projection", "gateway"),
            free_ports(6),
            strict=True,
        )
    )
    settings = DemoSettings(
        var_dir=tmp_path,
        gateway_url=f"http://127.0.0.1:{ports['gateway']}",
        demo_libraries=3,
        demo_participants=30,
        demo_mentorships=5,
        demo_shares_per_team=2,
        demo_grouped_teams=1,
        demo_matching_wait_seconds=90,
    )
    for database in DATABASES:
        with psycopg.connect(stack.database_dsn(database), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
    for topic in TOPICS:
        await create_topic(stack.kafka_bootstrap, f"{prefix}.{topic}.events")
    keys = kept_keys(settings.demo_folder)
    environment = {
        **isolated_environment(stack, name, ports),
        **service_environment(settings, keys, inherited={}),
        "CARREL_PUBLIC_URL": settings.gateway_url,
    }
    supervisor = Supervisor(
        isolated_services(name, ports),
        tmp_path / "logs",
        child_environment(environment),
    )
    await supervisor.start()
    try:
        await supervisor.wait_ready(within_seconds=180)
        yield settings
    finally:
        await supervisor.stop()
        await _clean(stack, name, prefix)


async def _clean(stack: Stack, name: str, prefix: str) -> None:
    for database in DATABASES:
        with psycopg.connect(stack.database_dsn(database), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    try:
        topics = [f"{prefix}.{t}.events" for t in TOPICS]
        await admin.delete_topics(topics + [f"{t}.dlq" for t in topics])
    finally:
        await admin.close()
    async with httpx.AsyncClient() as client:
        await client.delete(f"{stack.opensearch_url}/{prefix}*")


async def test_the_loader_fills_a_small_consortium_and_a_second_run_adds_nothing(
    isolated_carrel: DemoSettings,
) -> None:
    settings = isolated_carrel
    operator_key = kept_keys(settings.demo_folder).operator_key

    first = await load_demo(settings, operator_key)
    second = await load_demo(settings, operator_key)

    loaded = first.summary
    assert loaded.failed == {}
    assert (loaded.teams, loaded.members) == (4, 34)
    assert loaded.mentors + loaded.mentees == 30
    assert loaded.central_index_entries == 298
    assert loaded.resources_shared == 3 * 2
    assert loaded.mentorships == 5
    assert loaded.sessions_logged >= 5
    assert loaded.added_this_run["members"] == 30
    assert second.summary.added_this_run == {}
    assert second.summary.model_dump(include={"teams", "members", "mentorships"}) == (
        loaded.model_dump(include={"teams", "members", "mentorships"})
    )
    written = json.loads((settings.demo_folder / "summary.json").read_text())
    assert written["members"] == 34
    links = json.loads((settings.demo_folder / "credentials.json").read_text())
    assert "/sign-in/link?token=" in links["coordinator"]["link"]
