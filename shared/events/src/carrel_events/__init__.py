"""Event contracts, the outbox relay and the consumer runtime of Carrel.

Every message on Kafka is one :class:`Envelope` whose payload is a pydantic
model registered in the catalogue under its event type and schema version.
"""

from carrel_events.catalogue import Catalogue, EventPayload
from carrel_events.contracts import CATALOGUE
from carrel_events.envelope import Envelope
from carrel_events.serialisation import DecodeError, decode, encode
from carrel_events.topics import Topic, dead_letter_topic

__all__ = [
    "CATALOGUE",
    "Catalogue",
    "DecodeError",
    "Envelope",
    "EventPayload",
    "Topic",
    "dead_letter_topic",
    "decode",
    "encode",
]
