"""Fixtures of the gateway tests: the real teams, profile and resources services.

Each service runs in this process under uvicorn on a free port of 127.0.0.1,
its event store in a fresh schema of ``carrel_test``; the gateway is called
in-process through httpx's ASGI transport.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from carrel_gateway.entrypoints.http import create_app
from carrel_gateway.settings import GatewaySettings
from carrel_gateway.testing import OPERATOR_KEY, SECRET, Door, serve_services
from httpx import ASGITransport, AsyncClient
from psycopg import sql

TEST_DATABASE = "carrel_test"


@pytest.fixture
def schemas(stack: Any) -> Iterator[dict[str, str]]:
    """A fresh schema per service, dropped afterwards."""
    names = {s: f"gw_{s}_{uuid4().hex[:10]}" for s in ("teams", "profile", "resources")}
    dsn = stack.database_dsn(TEST_DATABASE)
    with psycopg.connect(dsn, autocommit=True) as connection:
        for name in names.values():
            connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    yield names
    with psycopg.connect(dsn, autocommit=True) as connection:
        for name in names.values():
            connection.execute(
                sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name))
            )


@pytest.fixture
def service_urls(stack: Any, schemas: dict[str, str]) -> Iterator[dict[str, str]]:
    """Teams, profile and resources served on 127.0.0.1."""

    with serve_services(stack, schemas, TEST_DATABASE) as urls:
        yield urls


@pytest.fixture
def gateway_settings(service_urls: dict[str, str]) -> GatewaySettings:
    return GatewaySettings(
        session_secret=SECRET,
        operator_key=OPERATOR_KEY,
        teams_url=service_urls["teams"],
        profile_url=service_urls["profile"],
        resources_url=service_urls["resources"],
        # Nothing listens here: matching and projection are not started.
        matching_url="http://127.0.0.1:9",
        projection_url="http://127.0.0.1:9",
        membership_cache_seconds=0,
        sign_in_rate="1000/minute",
        write_rate="1000/minute",
    )


@pytest.fixture
async def door(gateway_settings: GatewaySettings) -> AsyncIterator[Door]:
    """The gateway app, started, with a client that talks to it in-process."""
    app = create_app(gateway_settings)
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app)
        async with AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield Door(app, http)
