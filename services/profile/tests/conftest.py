"""Fixtures of the profile tests that need the real PostgreSQL.

Each test gets its own schema in the ``carrel_test`` database, so its event
store and relay position start empty and no other test sees them.
"""

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Protocol

import psycopg
import pytest
from carrel_profile.entrypoints.http import create_app
from carrel_profile.settings import ProfileSettings
from httpx import ASGITransport, AsyncClient
from psycopg import sql

TEST_DATABASE = "carrel_test"


class StackAddresses(Protocol):
    pg_dsn: str
    kafka_bootstrap: str
    opensearch_url: str


@pytest.fixture
def profile_settings(stack: StackAddresses) -> Iterator[ProfileSettings]:
    """Settings of a profile service whose event store is a fresh schema."""
    schema = f"profile_{uuid.uuid4().hex[:12]}"
    dsn = f"{stack.pg_dsn.rstrip('/')}/{TEST_DATABASE}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield ProfileSettings(
        pg_dsn=stack.pg_dsn,
        kafka_bootstrap=stack.kafka_bootstrap,
        profile_database=TEST_DATABASE,
        profile_schema=schema,
    )
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema))
        )


@pytest.fixture
async def client(profile_settings: ProfileSettings) -> AsyncIterator[AsyncClient]:
    """An HTTP client of the profile API, with the app started."""
    app = create_app(profile_settings)
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app)
        async with AsyncClient(transport=transport, base_url="http://profile") as http:
            yield http
