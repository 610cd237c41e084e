"""The read API on the real PostgreSQL: limited to the caller's team."""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import httpx
import pytest
from carrel_matching.adapters.tables import connect, outbox
from carrel_matching.adapters.vocabulary import VocabularySkills
from carrel_matching.application import MatchingConsumer
from carrel_matching.entrypoints.http import create_app
from carrel_matching.settings import MatchingSettings
from sqlalchemy import func, select

from .events import EventLog
from .programme import Programme

pytestmark = pytest.mark.integration


@pytest.fixture
async def programme(
    matching_settings: MatchingSettings,
    client: httpx.AsyncClient,
    skills: VocabularySkills,
) -> Programme:
    programme = Programme(EventLog(), "profile", "teams")
    programme.everyone_joins_with_profiles()
    engine = connect(matching_settings.database_url, matching_settings.matching_schema)
    MatchingConsumer(engine, skills, consumer="api-test", topic="m").apply_batch(
        programme.log.deliveries()
    )
    engine.dispose()
    return programme


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


def as_member(member_id: UUID) -> dict[str, str]:
    return {"X-Carrel-Member": str(member_id)}


async def test_a_mentor_sees_the_mentees_who_would_fit_them(
    client: httpx.AsyncClient, programme: Programme
) -> None:
    answer = await client.get(
        f"/api/v1/teams/{programme.team_id}/mentors/{programme.near_mentor_id}"
        "/fitting-mentees",
        headers=as_member(programme.near_mentor_id),
    )
    assert answer.status_code == 200
    mentees = answer.json()["mentees"]
    assert [m["mentee_id"] for m in mentees] == [str(programme.mentee_id)]
    assert mentees[0]["rank"] == 1


async def test_someone_from_another_team_gets_404_and_another_member_403(
    client: httpx.AsyncClient, programme: Programme
) -> None:
    url = f"/api/v1/teams/{programme.team_id}/mentees/{programme.mentee_id}/candidates"
    stranger = await client.get(url, headers=as_member(uuid4()))
    colleague = await client.get(url, headers=as_member(programme.far_mentor_id))
    coordinator = await client.get(url, headers=as_member(programme.coordinator_id))
    assert (stranger.status_code, colleague.status_code, coordinator.status_code) == (
        404,
        403,
        200,
    )


async def test_a_coordinator_previews_compares_and_publishes_a_pairing(
    client: httpx.AsyncClient, programme: Programme, matching_settings: MatchingSettings
) -> None:
    base = f"/api/v1/teams/{programme.team_id}/pairings"
    me = as_member(programme.coordinator_id)

    preview = await client.post(f"{base}/previews", json={}, headers=me)
    compared = await client.post(
        f"{base}/comparisons",
        json={
            "first": {"objective": "highest_total"},
            "second": {"objective": "most_matched", "weights": {"place": 1.0}},
        },
        headers=me,
    )
    pairing_id = preview.json()["pairing_id"]
    published = await client.post(
        f"{base}/previews/{pairing_id}/publication", headers=me
    )
    again = await client.post(f"{base}/previews/{pairing_id}/publication", headers=me)

    assert preview.status_code == 201
    pairs = preview.json()["pairs"]
    assert [(p["mentee_id"], p["mentor_id"]) for p in pairs] == [
        (str(programme.mentee_id), str(programme.near_mentor_id))
    ]
    assert pairs[0]["reasons"]
    assert preview.json()["totals"]["places"] == 4
    assert compared.status_code == 200
    assert compared.json()["second"]["weights"]["place"] == 1.0
    assert compared.json()["differences"]["pairs_in_both"] == 1
    assert (published.status_code, again.status_code) == (202, 409)
    assert (
        outbox_rows(matching_settings) == 2 + 1
    )  # the ranking, a pair, the publication


def outbox_rows(settings: MatchingSettings) -> int:
    engine = connect(settings.database_url, settings.matching_schema)
    with engine.connect() as c:
        count = int(c.execute(select(func.count()).select_from(outbox)).scalar_one())
    engine.dispose()
    return count


async def test_only_a_coordinator_may_preview_a_pairing(
    client: httpx.AsyncClient, programme: Programme
) -> None:
    answer = await client.post(
        f"/api/v1/teams/{programme.team_id}/pairings/previews",
        json={},
        headers=as_member(programme.mentee_id),
    )
    assert answer.status_code == 403


async def test_group_suggestions_split_the_team_and_say_what_groups_share(
    client: httpx.AsyncClient, programme: Programme
) -> None:
    answer = await client.post(
        f"/api/v1/teams/{programme.team_id}/group-suggestions",
        json={"basis": "geography", "smallest": 1, "largest": 2},
        headers=as_member(programme.coordinator_id),
    )
    assert answer.status_code == 201
    groups = answer.json()["groups"]
    nebraska = {str(programme.mentee_id), str(programme.near_mentor_id)}
    assert nebraska in [set(g["member_ids"]) for g in groups]
    assert any("all in NE" in g["shared"] for g in groups)


async def test_a_bad_size_range_is_refused_naming_the_rule(
    client: httpx.AsyncClient, programme: Programme
) -> None:
    answer = await client.post(
        f"/api/v1/teams/{programme.team_id}/group-suggestions",
        json={"basis": "interests", "smallest": 5, "largest": 2},
        headers=as_member(programme.coordinator_id),
    )
    assert answer.status_code == 422
    assert "largest must be at least smallest" in answer.text


async def test_an_oversized_body_is_refused(
    client: httpx.AsyncClient, programme: Programme
) -> None:
    answer = await client.post(
        f"/api/v1/teams/{programme.team_id}/group-suggestions",
        content=b"{" + b" " * 70_000 + b"}",
        headers={
            **as_member(programme.coordinator_id),
            "content-type": "application/json",
        },
    )
    assert answer.status_code == 413
