"""Fixtures for tests against the real PostgreSQL, Kafka and OpenSearch.

``stack`` is found or started once per session by the repository's root
conftest (see ``stack.py``). Tests
share those servers, so each one names what it creates with ``unique_name``
and never sees another test's topics, indices or tables.
"""

import re
import uuid
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest
from aiokafka import AIOKafkaProducer

from .backbone_support import create_topic
from .stack import Stack

TEST_DATABASE = "carrel_test"


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A fresh lowercase name, valid as topic, index, table or database name.

    It starts with a short form of the test's name, so that whatever a failed
    test leaves behind can be traced to it.
    """
    test = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())
    test = test.removeprefix("test_")[:24].strip("_")
    return f"it_{test}_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def schema(stack: Stack, unique_name: str) -> Iterator[str]:
    """A PostgreSQL schema of the test's own in the carrel_test database."""
    with psycopg.connect(stack.database_dsn(TEST_DATABASE), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {unique_name}")
        yield unique_name
        conn.execute(f"DROP SCHEMA {unique_name} CASCADE")


@pytest.fixture
async def topic(stack: Stack, unique_name: str) -> str:
    """A Kafka topic of the test's own, three partitions, with its DLQ twin."""
    name = unique_name.replace("_", ".")
    await create_topic(stack.kafka_bootstrap, name)
    return name


@pytest.fixture
async def producer(stack: Stack) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(
        bootstrap_servers=stack.kafka_bootstrap, enable_idempotence=True
    )
    await producer.start()
    yield producer
    await producer.stop()
