"""Envelopes of profile and teams events, numbered per aggregate, for tests."""

from collections import defaultdict
from datetime import UTC, datetime
from uuid import UUID, uuid4

from carrel_events import Envelope, EventPayload
from carrel_events.consumer import Delivery
from carrel_events.serialisation import DecodedEvent


class EventLog:
    """Makes envelopes as the relays would, with each aggregate's next version."""

    def __init__(self) -> None:
        self._versions: defaultdict[UUID, int] = defaultdict(int)
        self.envelopes: list[tuple[str, Envelope]] = []

    def add(
        self,
        topic: str,
        aggregate_id: UUID,
        payload: EventPayload,
        team_id: UUID | None = None,
    ) -> Envelope:
        self._versions[aggregate_id] += 1
        envelope = Envelope(
            event_id=uuid4(),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            aggregate_type=payload.aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=self._versions[aggregate_id],
            team_id=team_id,
            occurred_at=datetime.now(UTC),
            correlation_id=uuid4(),
            causation_id=uuid4(),
            payload=payload.model_dump(mode="json"),
        )
        self.envelopes.append((topic, envelope))
        return envelope

    def deliveries(self) -> list[Delivery]:
        """Everything added since the last call, as the runtime would hand it."""
        batch = [
            Delivery(topic, 0, offset, DecodedEvent(envelope, _payload(envelope)))
            for offset, (topic, envelope) in enumerate(self.envelopes)
        ]
        self.envelopes = []
        return batch


def _payload(envelope: Envelope) -> EventPayload:
    from carrel_events import CATALOGUE

    model = CATALOGUE.payload_type(envelope.event_type)
    return model.model_validate(envelope.payload)
