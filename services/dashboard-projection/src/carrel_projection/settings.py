"""Settings of the dashboard projection, from ``CARREL_`` environment variables."""

from carrel_events import Topic
from carrel_events.settings import StackSettings
from pydantic import Field


class ProjectionSettings(StackSettings):
    """Where the read models live, which topics feed them, how the API serves."""

    index_prefix: str = Field(
        default="carrel",
        pattern=r"^[a-z][a-z0-9_-]{0,60}$",
        description="First part of every index and alias name; tests use their own",
    )
    projection_port: int = 8105
    projection_group: str = "carrel-projection"
    projection_topics: list[str] = Field(
        default_factory=lambda: [t.value for t in Topic],
        description="The topics the projection consumes",
    )
    projection_max_batch: int = Field(default=500, ge=1, le=5000)
    change_poll_seconds: float = Field(
        default=0.25,
        gt=0,
        le=5,
        description="How often the HTTP process looks for changed teams (SSE)",
    )
    change_visible_after_seconds: float = Field(
        default=0.5,
        ge=0,
        le=5,
        description=(
            "How long the live stream holds a change back so that a dashboard "
            "refetching on it finds it searchable: the searched indices' refresh"
        ),
    )
    stalled_after_days: int = Field(
        default=21,
        ge=1,
        le=365,
        description="A mentorship with no session for this long counts as stalled",
    )
