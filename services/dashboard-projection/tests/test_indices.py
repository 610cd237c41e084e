"""Index creation when the HTTP server and the consumers start at once."""

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol
from uuid import uuid4

import pytest
from carrel_events.settings import StackSettings
from carrel_projection.adapters.client import open_client
from carrel_projection.adapters.indices import drop_indices, ensure_indices
from carrel_projection.adapters.read_models import DEFINITIONS
from opensearchpy import AsyncOpenSearch

pytestmark = pytest.mark.integration

STARTING_PROCESSES = 3


class StackAddresses(Protocol):
    opensearch_url: str


@pytest.fixture
async def clients(stack: StackAddresses) -> AsyncIterator[list[AsyncOpenSearch]]:
    """One client per process that starts, as each process has its own."""
    settings = StackSettings(opensearch_url=stack.opensearch_url)
    opened = [open_client(settings) for _ in range(STARTING_PROCESSES)]
    yield opened
    for client in opened:
        await client.close()


async def test_processes_that_create_the_indices_at_once_all_start(
    clients: list[AsyncOpenSearch],
) -> None:
    prefix = f"test-race-{uuid4().hex[:12]}"
    try:
        await asyncio.gather(
            *(ensure_indices(client, prefix, DEFINITIONS) for client in clients)
        )
        aliases = await clients[0].indices.get_alias(index=f"{prefix}-*")
    finally:
        await drop_indices(clients[0], prefix, DEFINITIONS)

    assert {index: sorted(found["aliases"]) for index, found in aliases.items()} == {
        d.index(prefix): [d.alias(prefix)] for d in DEFINITIONS
    }


async def test_an_alias_that_names_a_rebuilt_index_is_left_alone(
    clients: list[AsyncOpenSearch],
) -> None:
    prefix = f"test-race-{uuid4().hex[:12]}"
    definition = DEFINITIONS[0]
    rebuilt = f"{definition.alias(prefix)}-v9"
    client = clients[0]
    await client.indices.create(index=rebuilt, body=definition.body())
    await client.indices.put_alias(index=rebuilt, name=definition.alias(prefix))
    try:
        await ensure_indices(client, prefix, DEFINITIONS[:1])
        aliases = await client.indices.get_alias(name=definition.alias(prefix))
    finally:
        await client.indices.delete(index=rebuilt)

    assert list(aliases) == [rebuilt]
