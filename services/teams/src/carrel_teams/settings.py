"""Settings of the teams service, from ``CARREL_`` environment variables."""

from carrel_events import Topic
from carrel_events.settings import StackSettings, eventsourcing_env
from psycopg.conninfo import make_conninfo

from carrel_teams.application import TeamsPolicy


class TeamsSettings(StackSettings):
    """Where the teams service keeps its events, and how it serves."""

    teams_database: str = "carrel_teams"
    teams_schema: str = ""
    """A PostgreSQL schema inside the database; empty means ``public``."""
    teams_topic: str = Topic.TEAMS
    """The Kafka topic the relay publishes to; tests and demos isolate theirs."""
    teams_port: int = 8102
    teams_public_url: str = "http://127.0.0.1:8102"
    """The address in invitation and join links."""
    invitation_days: int = 14
    join_link_days: int = 30
    max_csv_rows: int = 5000
    max_body_bytes: int = 2_000_000
    expiry_interval_seconds: float = 60.0
    """How often overdue mentorship requests are expired; 0 turns it off."""

    def application_env(self) -> dict[str, str]:
        database = self.teams_database
        env = eventsourcing_env(self.database_dsn(database), database)
        if self.teams_schema:
            env["POSTGRES_SCHEMA"] = self.teams_schema
        return env

    def relay_dsn(self) -> str:
        """The teams database, searched in ``teams_schema`` first if one is set.

        The relay keeps its position in a table it names without a schema, so
        the connection's search path decides where that table lands.
        """
        dsn = self.database_dsn(self.teams_database)
        if not self.teams_schema:
            return dsn
        schema = '"' + self.teams_schema.replace('"', '""') + '"'
        return make_conninfo(dsn, options=f"-c search_path={schema}")

    def policy(self) -> TeamsPolicy:
        return TeamsPolicy(
            public_url=self.teams_public_url.rstrip("/"),
            invitation_days=self.invitation_days,
            join_link_days=self.join_link_days,
            max_csv_rows=self.max_csv_rows,
        )
