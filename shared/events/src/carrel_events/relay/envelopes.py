"""Domain events of the eventsourcing library, wrapped in Carrel's envelope."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from carrel_events.catalogue import Catalogue
from carrel_events.contracts import CATALOGUE
from carrel_events.envelope import Envelope, event_id_for


class EnvelopeFactory:
    """Builds the envelope of a domain event whose class is named for its type.

    The payload takes from the event the fields its contract declares. The
    event may also carry ``team_id``, ``correlation_id`` and ``causation_id``;
    without them the event is its own correlation and cause. Events whose type
    is not in the catalogue stay inside the service: the factory returns None.
    """

    def __init__(self, catalogue: Catalogue = CATALOGUE) -> None:
        self.catalogue = catalogue

    def __call__(self, event: DomainEventProtocol[Any]) -> Envelope | None:
        event_type = type(event).__name__
        if not self.catalogue.knows(event_type):
            return None
        contract = self.catalogue.payload_type(event_type)
        fields = {
            name: getattr(event, name)
            for name in contract.model_fields
            if hasattr(event, name)
        }
        payload = contract.model_validate(fields)
        aggregate_id = UUID(str(event.originator_id))
        event_id = event_id_for(aggregate_id, event.originator_version)
        correlation_id = getattr(event, "correlation_id", None) or event_id
        return Envelope(
            event_id=event_id,
            event_type=event_type,
            schema_version=contract.schema_version,
            aggregate_type=contract.aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=event.originator_version,
            team_id=_team_of(event),
            occurred_at=_occurred_at(event),
            correlation_id=correlation_id,
            causation_id=getattr(event, "causation_id", None) or correlation_id,
            payload=payload.model_dump(mode="json"),
        )


def _team_of(event: DomainEventProtocol[Any]) -> UUID | None:
    team_id = getattr(event, "team_id", None)
    return UUID(str(team_id)) if team_id is not None else None


def _occurred_at(event: DomainEventProtocol[Any]) -> datetime:
    timestamp = getattr(event, "timestamp", None)
    if not isinstance(timestamp, datetime):
        msg = f"{type(event).__name__} carries no timestamp"
        raise TypeError(msg)
    return timestamp
