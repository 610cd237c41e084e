"""``deploy/local/stack`` itself: up from nothing, up again, down, crash.

A second stack under a temporary folder, on free ports, so that the shared
one serves the other tests undisturbed. Its artifacts come from the shared
stack's cache: the cold start measured here is a start of servers with no
data, not a first download.
"""

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.integration.stack import PrivateStack, Stack

pytestmark = pytest.mark.integration


@pytest.fixture
def private(stack: Stack, tmp_path: Path) -> Iterator[PrivateStack]:
    """A private stack; ``stack`` only makes sure the artifacts are there."""
    del stack
    servers = PrivateStack(tmp_path / "var")
    try:
        yield servers
    finally:
        servers.wipe()


def test_up_starts_every_server_down_leaves_none_and_keeps_the_data(
    private: PrivateStack,
) -> None:
    cold = private.start()
    warm = private.start()
    dsn = private.stack.database_dsn("carrel_profile")
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("create table kept (word text)")
        connection.execute("insert into kept values ('still here')")
    running = private.processes()

    private.stop()
    left = private.processes()
    again = private.start()

    print(
        f"stack start: cold {cold:.1f} s, warm {warm:.1f} s, after down {again:.1f} s"
    )
    assert len(running) >= 3, running
    assert left == [], left
    # A running server is reused: the second `up` starts nothing.
    assert warm < cold
    with psycopg.connect(dsn) as connection:
        row = connection.execute("select word from kept").fetchone()
    assert row == ("still here",)


def test_a_crashed_postgresql_recovers_every_committed_row(
    private: PrivateStack,
) -> None:
    private.start("postgres")
    dsn = private.stack.database_dsn("carrel_teams")
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("create table committed (n int)")
        connection.execute("insert into committed select generate_series(1, 1000)")

    private.crash("postgres")
    assert private.processes() == []
    private.start("postgres")

    with psycopg.connect(dsn) as connection:
        row = connection.execute("select count(*) from committed").fetchone()
    assert row == (1000,)
