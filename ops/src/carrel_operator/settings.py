"""Settings of carrel-ops, from the same ``CARREL_`` variables as the services."""

from carrel_projection.settings import ProjectionSettings
from pydantic import Field


class OperatorSettings(ProjectionSettings):
    """The projection's settings (prefix, group, topics) and the operator's own.

    The operator acts on the projection's read models and consumer group, so
    it reads the very settings the projection reads.
    """

    retry_ledger_topic: str = Field(
        default="carrel-ops.retried-letters",
        description="Compacted topic recording which dead letters were retried",
    )
    rebuild_batch: int = Field(default=1000, ge=1, le=10_000)
    count_check_attempts: int = Field(
        default=10,
        ge=1,
        description="How often a rebuild compares counts before it gives up",
    )
    live_wait_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long a rebuild waits for the live group to reach its marks",
    )
