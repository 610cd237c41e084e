"""The transactional outbox: a write service's notification log, relayed to Kafka."""

from carrel_events.relay.envelopes import EnvelopeFactory
from carrel_events.relay.outbox import OutboxRelay, RelaySource, run_relay
from carrel_events.relay.positions import RelayPositions

__all__ = [
    "EnvelopeFactory",
    "OutboxRelay",
    "RelayPositions",
    "RelaySource",
    "run_relay",
]
