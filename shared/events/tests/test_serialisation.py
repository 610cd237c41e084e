import logging
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import orjson
import pytest
from carrel_events import CATALOGUE, Catalogue, DecodeError, Envelope, decode, encode
from carrel_events.catalogue import EventPayload
from carrel_events.contracts.profile import SkillsUpdated
from pydantic import Field, ValidationError


def envelope_of(event_type: str, payload: dict[str, Any], version: int = 1) -> Envelope:
    event_id = uuid4()
    return Envelope(
        event_id=event_id,
        event_type=event_type,
        schema_version=version,
        aggregate_type="Profile",
        aggregate_id=uuid4(),
        aggregate_version=3,
        occurred_at=datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
        correlation_id=event_id,
        causation_id=event_id,
        payload=payload,
    )


def test_an_envelope_survives_the_wire_with_its_payload_as_the_model() -> None:
    skills = {"skills": [{"skill_id": "onet.metadata", "proficiency": 4}]}
    envelope = envelope_of("SkillsUpdated", skills)

    decoded = decode(encode(envelope))

    assert decoded is not None
    assert decoded.envelope == envelope
    assert isinstance(decoded.payload, SkillsUpdated)
    assert decoded.payload.skills[0].proficiency == 4


def test_an_unknown_event_type_is_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    envelope = envelope_of("SomethingNobodyKnows", {"x": 1})

    with caplog.at_level(logging.WARNING):
        assert decode(encode(envelope)) is None

    assert "SomethingNobodyKnows" in caplog.text


def test_bytes_that_are_not_an_envelope_raise_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="not an envelope"):
        decode(b"{not json")
    with pytest.raises(DecodeError, match="not an envelope"):
        decode(orjson.dumps({"event_type": "SkillsUpdated"}))


def test_a_payload_that_breaks_its_contract_raises_a_decode_error() -> None:
    bad = {"skills": [{"skill_id": "onet.metadata", "proficiency": 9}]}

    with pytest.raises(DecodeError, match="bad SkillsUpdated payload"):
        decode(encode(envelope_of("SkillsUpdated", bad)))


def test_fields_a_newer_producer_added_are_ignored_by_an_older_reader() -> None:
    skills = {
        "skills": [{"skill_id": "onet.metadata", "proficiency": 4, "since": 2019}],
        "source": "import",
    }
    wire = orjson.loads(encode(envelope_of("SkillsUpdated", skills)))
    wire["tenant"] = "added to the envelope later"

    decoded = decode(orjson.dumps(wire))

    assert decoded is not None
    assert decoded.payload == SkillsUpdated.model_validate(
        {"skills": [{"skill_id": "onet.metadata", "proficiency": 4}]}
    )


def test_a_producer_still_cannot_build_a_payload_with_an_unknown_field() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        SkillsUpdated.model_validate({"skills": [], "source": "import"})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Envelope.model_validate(
            envelope_of("SkillsUpdated", {"skills": []}).model_dump() | {"x": 1}
        )


def test_a_version_newer_than_the_reader_knows_cannot_be_read() -> None:
    newer = envelope_of("SkillsUpdated", {"skills": []}, version=2)

    with pytest.raises(DecodeError, match="SkillsUpdated v2 is newer than this reader"):
        decode(encode(newer))


class GoalSetV3(EventPayload):
    event_type = "TestGoalSet"
    schema_version = 3
    aggregate_type = "Mentorship"

    title: str
    target_sessions: int = Field(ge=0)


def test_an_old_version_is_upcast_step_by_step_when_read() -> None:
    catalogue = Catalogue()
    catalogue.register(GoalSetV3)
    catalogue.register_upcaster(
        "TestGoalSet", 1, lambda p: {"title": p["name"], "sessions": 0}
    )
    catalogue.register_upcaster(
        "TestGoalSet", 2, lambda p: {"title": p["title"], "target_sessions": 6}
    )

    decoded = decode(encode(envelope_of("TestGoalSet", {"name": "Grants"})), catalogue)

    assert decoded is not None
    assert decoded.payload == GoalSetV3(title="Grants", target_sessions=6)
    assert decoded.envelope.payload == {"name": "Grants"}


def test_a_version_without_an_upcaster_cannot_be_read() -> None:
    catalogue = Catalogue()
    catalogue.register(GoalSetV3)

    with pytest.raises(DecodeError, match="no upcaster"):
        decode(encode(envelope_of("TestGoalSet", {"name": "x"}, 2)), catalogue)


def test_an_event_type_cannot_be_registered_twice_with_different_models() -> None:
    class Impostor(EventPayload):
        event_type = "SkillsUpdated"
        aggregate_type = "Profile"

    with pytest.raises(ValueError, match="registered twice"):
        CATALOGUE.register(Impostor)
