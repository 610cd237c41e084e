"""Settings of the matching service, from ``CARREL_`` environment variables."""

from pathlib import Path

from carrel_events import Topic
from carrel_events.settings import StackSettings
from pydantic import Field

_REPOSITORY = Path(__file__).resolve().parents[4]


class MatchingSettings(StackSettings):
    """Where matching keeps its state, what it reads and how it serves."""

    matching_database: str = "carrel_matching"
    matching_schema: str | None = Field(
        default=None,
        description="A PostgreSQL schema inside the database; tests use their own",
    )
    matching_port: int = 8104
    data_dir: Path = _REPOSITORY.parent / "shared" / "data"
    matching_consumer_group: str = Field(
        default="carrel-matching",
        description="The consumer group over the profile and teams topics",
    )
    profile_topic: str = Topic.PROFILE.value
    teams_topic: str = Topic.TEAMS.value
    matching_topic: str = Topic.MATCHING.value
    candidates_per_mentee: int = Field(default=10, ge=1, le=50)
    max_request_bytes: int = Field(default=64 * 1024, ge=1024)
    pause_check_seconds: float = Field(
        default=600.0,
        gt=0,
        description="How often the consumer offers again mentors whose pause ended",
    )

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the service's database (psycopg 3 driver)."""
        dsn = self.database_dsn(self.matching_database)
        return dsn.replace("postgresql://", "postgresql+psycopg://", 1)
