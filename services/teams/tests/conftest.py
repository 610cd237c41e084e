"""Fixtures of the teams tests: an in-memory application and a clock to move."""

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest
from carrel_teams.application import TeamsApplication, TeamsPolicy
from carrel_teams.entrypoints.http import create_app
from carrel_teams.settings import TeamsSettings
from carrel_teams.testing import (
    ApiProgramme,
    ManualClock,
    Programme,
    running_server,
    start_programme,
    start_programme_through_api,
)
from fastapi import FastAPI
from psycopg import sql

TEST_DATABASE = "carrel_test"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def teams(clock: ManualClock) -> Iterator[TeamsApplication]:
    application = TeamsApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        policy=TeamsPolicy(max_csv_rows=50),
        clock=clock,
    )
    yield application
    application.close()


@pytest.fixture
def programme(teams: TeamsApplication) -> Programme:
    return start_programme(teams)


@pytest.fixture
def teams_settings(stack: Any) -> Iterator[TeamsSettings]:
    """Settings that point at a fresh schema of its own in ``carrel_test``."""
    schema = f"teams_{uuid4().hex[:12]}"
    dsn = stack.database_dsn(TEST_DATABASE)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield TeamsSettings(
        pg_dsn=stack.pg_dsn,
        kafka_bootstrap=stack.kafka_bootstrap,
        teams_database=TEST_DATABASE,
        teams_schema=schema,
        expiry_interval_seconds=0,
        max_body_bytes=200_000,
        max_csv_rows=1000,
    )
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema))
        )


@pytest.fixture
def app(teams_settings: TeamsSettings) -> FastAPI:
    return create_app(teams_settings)


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    """The HTTP app served by uvicorn on 127.0.0.1, on the real PostgreSQL."""
    with running_server(app) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@pytest.fixture
def api_programme(client: httpx.Client) -> ApiProgramme:
    return start_programme_through_api(client)
