"""Table creation when the service's processes start at once on a fresh database."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from carrel_resources.adapters.files import PostgresFileStore
from carrel_resources.adapters.memory import MemoryDirectory
from carrel_resources.adapters.tables import connect, create_tables, creating_tables
from carrel_resources.application import ResourcesApplication
from carrel_resources.settings import ResourcesSettings
from sqlalchemy import inspect

from .conftest import TinyVocabulary

pytestmark = pytest.mark.integration

PROCESSES = 4


def at_once(start: Callable[[], None]) -> None:
    """Run ``start`` in several threads released together; re-raise any failure."""
    barrier = Barrier(PROCESSES)

    def started() -> None:
        barrier.wait()
        start()

    with ThreadPoolExecutor(PROCESSES) as pool:
        for future in [pool.submit(started) for _ in range(PROCESSES)]:
            future.result()


def test_processes_that_create_the_tables_at_once_all_start(
    pg_settings: ResourcesSettings,
) -> None:
    def start() -> None:
        engine = connect(pg_settings.database_url, pg_settings.resources_schema)
        try:
            create_tables(engine)
        finally:
            engine.dispose()

    at_once(start)

    engine = connect(pg_settings.database_url, pg_settings.resources_schema)
    names = inspect(engine).get_table_names(schema=pg_settings.resources_schema)
    engine.dispose()
    assert {"resources_stored_file", "carrel_consumer_applied"} <= set(names)


def test_processes_that_build_the_application_at_once_all_start(
    pg_settings: ResourcesSettings,
) -> None:
    def start() -> None:
        engine = connect(pg_settings.database_url, pg_settings.resources_schema)
        with creating_tables(engine):
            application = ResourcesApplication(
                vocabulary=TinyVocabulary(),
                directory=MemoryDirectory(),
                files=PostgresFileStore(engine),
                env=pg_settings.eventsourcing_env(),
                on_close=engine.dispose,
            )
        application.close()

    at_once(start)
