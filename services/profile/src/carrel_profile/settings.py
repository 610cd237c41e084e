"""Settings of the profile service, from ``CARREL_`` environment variables."""

from pathlib import Path

from carrel_events import Topic
from carrel_events.settings import StackSettings, eventsourcing_env, with_search_path
from pydantic import Field

_REPOSITORY = Path(__file__).resolve().parents[4]


class ProfileSettings(StackSettings):
    """Where the profile service keeps its events and finds its data."""

    profile_database: str = "carrel_profile"
    profile_schema: str = Field(
        default="",
        description="PostgreSQL schema of the event store; empty for the default",
    )
    profile_port: int = 8101
    profile_topic: str = Field(
        default=Topic.PROFILE.value,
        description="The Kafka topic the relay publishes to; tests use their own",
    )
    data_dir: Path = _REPOSITORY.parent / "shared" / "data"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)

    def event_store_dsn(self) -> str:
        """The profile database's URL, with the event store's schema first."""
        dsn = self.database_dsn(self.profile_database)
        return with_search_path(dsn, self.profile_schema)

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing library's settings for the profile event store."""
        database = self.profile_database
        env = eventsourcing_env(self.database_dsn(database), database)
        if self.profile_schema:
            env["POSTGRES_SCHEMA"] = self.profile_schema
        return env
