"""Settings of the resources service, from ``CARREL_`` environment variables."""

from pathlib import Path

from carrel_events import Topic
from carrel_events.settings import StackSettings, eventsourcing_env, with_search_path
from pydantic import Field

_REPOSITORY = Path(__file__).resolve().parents[4]


class ResourcesSettings(StackSettings):
    """Where the resources service keeps its events and how it serves them."""

    resources_database: str = "carrel_resources"
    resources_schema: str | None = Field(
        default=None,
        description="A PostgreSQL schema inside the database; tests use their own",
    )
    resources_port: int = 8103
    data_dir: Path = _REPOSITORY.parent / "shared" / "data"
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    max_request_bytes: int = Field(default=11 * 1024 * 1024, ge=1)
    resources_consumer_group: str = Field(
        default="resources-directory",
        description="The consumer group of the directory consumer",
    )
    resources_welcome_group: str = Field(
        default="resources-welcome",
        description="The consumer group that shares welcome resources with newcomers",
    )
    resources_topic: str = Field(
        default=Topic.RESOURCES.value,
        description="The Kafka topic the relay publishes to",
    )
    resources_reads_teams_topic: str = Field(
        default=Topic.TEAMS.value,
        description="Where the directory consumer reads members and groups",
    )
    resources_reads_profile_topic: str = Field(
        default=Topic.PROFILE.value,
        description="Where the directory consumer reads learning goals",
    )

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the service's database (psycopg 3 driver)."""
        dsn = self.database_dsn(self.resources_database)
        return dsn.replace("postgresql://", "postgresql+psycopg://", 1)

    @property
    def psycopg_dsn(self) -> str:
        """The service's database for psycopg, inside its schema when it has one."""
        dsn = self.database_dsn(self.resources_database)
        return with_search_path(dsn, self.resources_schema)

    def eventsourcing_env(self) -> dict[str, str]:
        database = self.resources_database
        env = eventsourcing_env(self.database_dsn(database), database)
        if self.resources_schema:
            env["POSTGRES_SCHEMA"] = self.resources_schema
        return env
