"""Envelopes to bytes and back, with orjson, upcasting on the way in.

Reading is tolerant, writing is strict. The models forbid unknown fields, so a
service that builds an envelope or a payload with a misspelt field fails at
once. :func:`decode` ignores fields it does not know, in the envelope, the
payload and any value inside it: a producer may add an optional field at the
same ``schema_version`` (the schema check calls that compatible) and the
consumers deployed before it go on reading, without the new field.

An event whose ``schema_version`` is newer than the reader's model raises
:class:`DecodeError`, so the consumer runtime dead-letters it with that reason.
A newer version means a breaking change (the schema check lets nothing else
through), so the payload cannot be trusted to fit the older model; skipping
it would lose it, and holding the partition would stop every event behind it.
Once the consumer is upgraded, the dead letter is replayed
(``carrel-ops dead-letters retry``).
"""

import logging
from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from carrel_events.catalogue import Catalogue, EventPayload, NewerSchemaVersion
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

    Raises :class:`DecodeError` when the message is not an envelope, its payload
    does not fit the contract or its version is newer than the reader's, so the
    caller can dead-letter it. Fields the reader does not know are dropped.
    """
    try:
        envelope = Envelope.model_validate(orjson.loads(raw), extra="ignore")
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
    except NewerSchemaVersion as error:
        raise DecodeError(f"{error}: upgrade this consumer, then replay") from error
    except (ValidationError, LookupError, ValueError) as error:
        raise DecodeError(f"bad {envelope.event_type} payload: {error}") from error
    return DecodedEvent(envelope, payload)


def _current_payload(envelope: Envelope, catalogue: Catalogue) -> EventPayload:
    fields = catalogue.upcast(
        envelope.event_type, envelope.schema_version, dict(envelope.payload)
    )
    payload_type = catalogue.payload_type(envelope.event_type)
    return payload_type.model_validate(fields, extra="ignore")
