"""The write services' event stores, opened the way each service opens its own.

Each service builds its eventsourcing application with its own settings
(database, schema, transcodings, recorder), so the operator builds it through
the service's code rather than guessing tables: that way a service's
registered transcodings decode its stored events here too.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from carrel_events import Topic
from carrel_events.settings import StackSettings, with_search_path
from carrel_profile.adapters.libraries import load_libraries
from carrel_profile.application import ProfileApplication
from carrel_profile.settings import ProfileSettings
from carrel_resources.entrypoints.wiring import build_application
from carrel_resources.settings import ResourcesSettings
from carrel_teams.application import TeamsApplication
from carrel_teams.settings import TeamsSettings
from carrel_vocabulary import load_vocabulary
from eventsourcing.application import Application


@dataclass(frozen=True)
class EventStore:
    """One write service's application, and its database for psycopg."""

    service: str
    application: Application[Any]
    dsn: str
    """The database URL, with the event store's schema on the search path."""


Opener = Callable[[StackSettings, dict[str, Any]], EventStore]


def _open_profile(stack: StackSettings, overrides: dict[str, Any]) -> EventStore:
    settings = ProfileSettings(pg_dsn=stack.pg_dsn, **overrides)
    application = ProfileApplication(
        settings.event_store_env(),
        load_vocabulary(settings.data_dir),
        load_libraries(settings.data_dir),
    )
    return EventStore("profile", application, settings.event_store_dsn())


def _open_teams(stack: StackSettings, overrides: dict[str, Any]) -> EventStore:
    settings = TeamsSettings(pg_dsn=stack.pg_dsn, **overrides)
    application = TeamsApplication(settings.application_env(), settings.policy())
    dsn = settings.database_dsn(settings.teams_database)
    return EventStore(
        "teams", application, with_search_path(dsn, settings.teams_schema)
    )


def _open_resources(stack: StackSettings, overrides: dict[str, Any]) -> EventStore:
    settings = ResourcesSettings(pg_dsn=stack.pg_dsn, **overrides)
    return EventStore("resources", build_application(settings), settings.psycopg_dsn)


@dataclass(frozen=True)
class WriteService:
    name: str
    topic: str
    open: Opener


WRITE_SERVICES: dict[str, WriteService] = {
    "profile": WriteService("profile", Topic.PROFILE, _open_profile),
    "teams": WriteService("teams", Topic.TEAMS, _open_teams),
    "resources": WriteService("resources", Topic.RESOURCES, _open_resources),
}


@contextmanager
def opened(
    service: str, stack: StackSettings, overrides: dict[str, Any] | None = None
) -> Iterator[EventStore]:
    """A service's event store, closed afterwards.

    ``overrides`` are the service's own settings (``profile_schema``, say);
    without them the service reads its ``CARREL_`` variables as it always does.
    """
    if service not in WRITE_SERVICES:
        known = ", ".join(WRITE_SERVICES)
        raise KeyError(f"unknown service {service!r}; one of {known}")
    store = WRITE_SERVICES[service].open(stack, dict(overrides or {}))
    try:
        yield store
    finally:
        store.application.close()
