"""Envelopes to bytes and back, with orjson, upcasting on the way in."""

import logging
from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from carrel_events.catalogue import Catalogue, EventPayload
from carrel_events.contracts import CATALOGUE
from carrel_events.envelope import Envelope

logger = logging.getLogger(__name__)


class DecodeError(ValueError):
    """The bytes are not a valid envelope of a known, valid event."""


@dataclass(frozen=True)
class DecodedEvent:
    """An envelope read from the wire, with its payload as the current model."""

    envelope: Envelope
    payload: EventPayload


def encode(envelope: Envelope) -> bytes:
    return orjson.dumps(envelope.model_dump(mode="json"))


def decode(raw: bytes, catalogue: Catalogue = CATALOGUE) -> DecodedEvent | None:
    """Read one message; ``None`` for an event type this reader does not know.

    Raises :class:`DecodeError` when the message is not an envelope or its
    payload does not fit the contract, so the caller can dead-letter it.
    """
    try:
        envelope = Envelope.model_validate(orjson.loads(raw))
    except (orjson.JSONDecodeError, ValidationError) as error:
        raise DecodeError(f"not an envelope: {error}") from error

    if not catalogue.knows(envelope.event_type):
        logger.warning(
            "skipping unknown event type %s (event %s)",
            envelope.event_type,
            envelope.event_id,
        )
        return None

    try:
        payload = _current_payload(envelope, catalogue)
    except (ValidationError, LookupError, ValueError) as error:
        raise DecodeError(f"bad {envelope.event_type} payload: {error}") from error
    return DecodedEvent(envelope, payload)


def _current_payload(envelope: Envelope, catalogue: Catalogue) -> EventPayload:
    fields = catalogue.upcast(
        envelope.event_type, envelope.schema_version, dict(envelope.payload)
    )
    return catalogue.payload_type(envelope.event_type).model_validate(fields)
