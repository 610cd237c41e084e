"""The whole history of one aggregate, read from the write services' event stores.

Every service's store is asked, since an operator often holds an id without
knowing which service owns it. Events that stay inside a service (their type
is not in the catalogue, so they are never relayed) are shown by name.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from carrel_events import Envelope
from carrel_events.relay import EnvelopeFactory

from carrel_operator.adapters.event_stores import EventStore


@dataclass(frozen=True)
class RecordedEvent:
    """One stored event of the aggregate, as its envelope when it has one."""

    service: str
    name: str
    version: int
    occurred_at: datetime | None
    envelope: Envelope | None


def aggregate_history(
    stores: Iterable[EventStore], aggregate_id: UUID
) -> list[RecordedEvent]:
    """Every stored event of ``aggregate_id`` in every store, oldest first."""
    to_envelope = EnvelopeFactory()
    found = []
    for store in stores:
        stored = store.application.recorder.select_events(aggregate_id)
        for item in stored:
            event = store.application.mapper.to_domain_event(item)
            found.append(_recorded(store.service, event, to_envelope(event)))
    return sorted(found, key=lambda e: (e.service, e.version))


def _recorded(service: str, event: Any, envelope: Envelope | None) -> RecordedEvent:
    timestamp = getattr(event, "timestamp", None)
    return RecordedEvent(
        service=service,
        name=type(event).__name__,
        version=int(event.originator_version),
        occurred_at=timestamp if isinstance(timestamp, datetime) else None,
        envelope=envelope,
    )
