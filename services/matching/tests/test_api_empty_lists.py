"""An empty candidate list comes with the reason it is empty."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from carrel_events.contracts import profile
from carrel_events.contracts import teams as t
from carrel_matching.adapters.tables import connect
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.application import MatchingConsumer
from carrel_matching.entrypoints.http import create_app
from carrel_matching.settings import MatchingSettings

from .events import EventLog
from .programme import Programme

pytestmark = pytest.mark.integration

Apply = Callable[[Programme], None]


@pytest.fixture
def apply(matching_settings: MatchingSettings, skills: VocabularySkills) -> Apply:
    def applied(programme: Programme) -> None:
        engine = connect(
            matching_settings.database_url, matching_settings.matching_schema
        )
        consumer = MatchingConsumer(engine, skills, consumer="api-test", topic="m")
        consumer.apply_batch(programme.log.deliveries())
        engine.dispose()

    return applied


@pytest.fixture
async def client(
    matching_settings: MatchingSettings,
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(matching_settings, publish=False)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://m") as c,
    ):
        yield c


@pytest.fixture
def programme() -> Programme:
    programme = Programme(EventLog(), "profile", "teams")
    programme.everyone_joins_with_profiles()
    return programme


async def candidates_of(
    client: httpx.AsyncClient, programme: Programme, mentee_id: UUID
) -> dict[str, Any]:
    answer = await client.get(
        f"/api/v1/teams/{programme.team_id}/mentees/{mentee_id}/candidates",
        headers={"X-Carrel-Member": str(programme.coordinator_id)},
    )
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


async def test_a_ranked_list_needs_no_reason(
    client: httpx.AsyncClient, programme: Programme, apply: Apply
) -> None:
    apply(programme)
    body = await candidates_of(client, programme, programme.mentee_id)
    assert (len(body["candidates"]), body["empty_because"]) == (2, None)


async def test_when_every_mentor_is_paused_the_mentee_is_told_nobody_has_room(
    client: httpx.AsyncClient, programme: Programme, apply: Apply
) -> None:
    for mentor_id in (programme.near_mentor_id, programme.far_mentor_id):
        programme.profile(mentor_id, profile.AvailabilityChanged(available=False))
    apply(programme)

    body = await candidates_of(client, programme, programme.mentee_id)

    assert body["candidates"] == []
    assert body["empty_because"]["code"] == "no_mentor_with_room"
    assert "has room" in body["empty_because"]["reason"]


async def test_when_the_mentee_has_asked_every_mentor_the_reason_says_so(
    client: httpx.AsyncClient, programme: Programme, apply: Apply
) -> None:
    for mentor_id in (programme.near_mentor_id, programme.far_mentor_id):
        requested = t.MentorshipRequested(
            mentee_id=programme.mentee_id,
            mentor_id=mentor_id,
            expires_at=datetime.now(UTC) + timedelta(days=14),
            choice=1,
        )
        programme.log.add("teams", uuid4(), requested, programme.team_id)
    apply(programme)

    body = await candidates_of(client, programme, programme.mentee_id)

    assert body["candidates"] == []
    assert body["empty_because"] == {
        "code": "kept_out_by_rules",
        "reason": "the 2 mentor(s) with room are kept out by requests or "
        "mentorships you already have with them",
    }


async def test_a_team_without_mentors_says_none_has_joined(
    client: httpx.AsyncClient, apply: Apply
) -> None:
    programme = Programme(EventLog(), "profile", "teams")
    programme.founded()
    programme.joins(programme.coordinator_id, "coordinator")
    programme.joins(programme.mentee_id, "mentee")
    apply(programme)

    body = await candidates_of(client, programme, programme.mentee_id)

    assert body["empty_because"]["code"] == "no_mentors"


async def test_a_member_who_is_no_mentee_has_no_list_and_is_told_why(
    client: httpx.AsyncClient, programme: Programme, apply: Apply
) -> None:
    apply(programme)
    body = await candidates_of(client, programme, programme.near_mentor_id)
    assert body["empty_because"]["code"] == "not_a_mentee"
