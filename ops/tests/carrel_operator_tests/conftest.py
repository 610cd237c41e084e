"""Fixtures of the operator's tests against the real Kafka, OpenSearch and PostgreSQL.

Each test gets its own topics (with their ``.dlq`` twins), index prefix,
consumer groups, retry ledger and PostgreSQL schema.
"""

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Protocol

import psycopg
import pytest
from carrel_events import Topic
from carrel_events.settings import StackSettings
from carrel_operator.adapters.event_stores import EventStore, opened
from carrel_operator.settings import OperatorSettings
from carrel_projection.adapters.client import open_client
from carrel_projection.testing import create_topics, unique_topics
from opensearchpy import AsyncOpenSearch
from psycopg import sql

TEST_DATABASE = "carrel_test"


class StackAddresses(Protocol):
    pg_dsn: str
    kafka_bootstrap: str
    opensearch_url: str


@pytest.fixture
async def topics(stack: StackAddresses) -> dict[Topic, str]:
    names = unique_topics("ops")
    await create_topics(stack.kafka_bootstrap, list(names.values()))
    return names


def operator_settings(
    stack: StackAddresses, topics: dict[Topic, str], label: str = "ops"
) -> OperatorSettings:
    """Settings of an operator (and projection) of its own, on these topics."""
    token = uuid.uuid4().hex[:10]
    return OperatorSettings(
        pg_dsn=stack.pg_dsn,
        kafka_bootstrap=stack.kafka_bootstrap,
        opensearch_url=stack.opensearch_url,
        index_prefix=f"test-{label}-{token}",
        projection_group=f"test-{label}-{token}",
        projection_topics=list(topics.values()),
        retry_ledger_topic=f"test.{label}.retried.{token}",
        live_wait_seconds=60,
    )


@pytest.fixture
async def settings(
    stack: StackAddresses, topics: dict[Topic, str]
) -> AsyncIterator[OperatorSettings]:
    """Operator settings; every index under their prefix is deleted afterwards."""
    settings = operator_settings(stack, topics)
    yield settings
    await drop_prefix(settings, settings.index_prefix)


async def drop_prefix(settings: StackSettings, prefix: str) -> None:
    client = open_client(settings)
    try:
        await client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
    finally:
        await client.close()


@pytest.fixture
async def opensearch(stack: StackAddresses) -> AsyncIterator[AsyncOpenSearch]:
    client = open_client(StackSettings(opensearch_url=stack.opensearch_url))
    yield client
    await client.close()


@pytest.fixture
def profile_store(stack: StackAddresses) -> Iterator[EventStore]:
    """The profile service's event store in a fresh schema of ``carrel_test``."""
    schema = f"ops_{uuid.uuid4().hex[:12]}"
    dsn = f"{stack.pg_dsn.rstrip('/')}/{TEST_DATABASE}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    overrides = {"profile_database": TEST_DATABASE, "profile_schema": schema}
    settings = OperatorSettings(pg_dsn=stack.pg_dsn)
    with opened("profile", settings, overrides) as store:
        yield store
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema))
        )
