"""Fixtures of the projection tests that need the real Kafka and OpenSearch.

Each test gets its own index prefix, its own topics and its own consumer
group, so no test sees another's documents or events.
"""

from collections.abc import AsyncIterator
from typing import Protocol
from uuid import uuid4

import pytest
from carrel_events import Topic
from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.indices import drop_indices, ensure_indices
from carrel_projection.adapters.read_models import DEFINITIONS
from carrel_projection.settings import ProjectionSettings
from carrel_projection.testing import create_topics, unique_topics
from opensearchpy import AsyncOpenSearch


class StackAddresses(Protocol):
    pg_dsn: str
    kafka_bootstrap: str
    opensearch_url: str


@pytest.fixture
async def topics(stack: StackAddresses) -> dict[Topic, str]:
    names = unique_topics("projection")
    await create_topics(stack.kafka_bootstrap, list(names.values()))
    return names


@pytest.fixture
async def projection_settings(
    stack: StackAddresses, topics: dict[Topic, str]
) -> AsyncIterator[ProjectionSettings]:
    """Settings with a fresh index prefix; its indices are dropped afterwards."""
    settings = ProjectionSettings(
        pg_dsn=stack.pg_dsn,
        kafka_bootstrap=stack.kafka_bootstrap,
        opensearch_url=stack.opensearch_url,
        index_prefix=f"test-{uuid4().hex[:12]}",
        projection_group=f"test-projection-{uuid4().hex[:12]}",
        projection_topics=list(topics.values()),
        projection_max_batch=200,
    )
    client = open_client(settings)
    await ensure_indices(client, settings.index_prefix, DEFINITIONS)
    yield settings
    await drop_indices(client, settings.index_prefix, DEFINITIONS)
    await client.close()


@pytest.fixture
async def opensearch(
    projection_settings: ProjectionSettings,
) -> AsyncIterator[AsyncOpenSearch]:
    client = open_client(projection_settings)
    yield client
    await client.close()
