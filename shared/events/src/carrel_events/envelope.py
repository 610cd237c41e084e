"""The envelope every message on Kafka travels in."""

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field


class Envelope(BaseModel):
    """One recorded domain event, as it crosses a service boundary.

    ``payload`` holds the plain JSON of the event's payload model at
    ``schema_version``; :func:`carrel_events.decode` turns it into the model.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    event_type: str = Field(min_length=1, max_length=100)
    schema_version: int = Field(ge=1)
    aggregate_type: str = Field(min_length=1, max_length=100)
    aggregate_id: UUID
    aggregate_version: int = Field(ge=1)
    team_id: UUID | None = None
    occurred_at: datetime
    correlation_id: UUID
    causation_id: UUID
    payload: dict[str, Any]


def event_id_for(aggregate_id: UUID, aggregate_version: int) -> UUID:
    """The id of the event at this position of this aggregate.

    It is derived rather than random so that an event relayed twice carries
    the same id both times, and consumers can recognise the duplicate.
    """
    return uuid5(NAMESPACE_URL, f"carrel:{aggregate_id}:{aggregate_version}")
