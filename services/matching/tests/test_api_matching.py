"""The read API on the real PostgreSQL: limited to the caller's team."""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import httpx
import pytest
from carrel_events.contracts import profile
from carrel_events.contracts import teams as t
from carrel_events.contracts.profile import ProfileSection, Visibility
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


def apply(settings: MatchingSettings, skills: VocabularySkills, log: EventLog) -> None:
    engine = connect(settings.database_url, settings.matching_schema)
    MatchingConsumer(engine, skills, consumer="api-test", topic="m").apply_batch(
        log.deliveries()
    )
    engine.dispose()


async def fitting_reasons(client: httpx.AsyncClient, programme: Programme) -> str:
    answer = await client.get(
        f"/api/v1/teams/{programme.team_id}/mentors/{programme.near_mentor_id}"
        "/fitting-mentees",
        headers=as_member(programme.near_mentor_id),
    )
    assert answer.status_code == 200
    (mentee,) = answer.json()["mentees"]
    return " | ".join(mentee["reasons"])


async def test_a_mentor_reads_nothing_the_mentee_keeps_private_beside_a_fitting_mentee(
    client: httpx.AsyncClient,
    programme: Programme,
    matching_settings: MatchingSettings,
    skills: VocabularySkills,
) -> None:
    open_to_team = await fitting_reasons(client, programme)
    hidden: dict[ProfileSection, Visibility] = {
        "learning_goals": "private",
        "aspirations": "private",
        "interests": "private",
        "location": "private",
    }
    programme.profile(programme.mentee_id, profile.VisibilityChanged(sections=hidden))
    apply(matching_settings, skills, programme.log)
    kept_private = await fitting_reasons(client, programme)

    assert "covers 3 of your 4 learning goals" in open_to_team
    assert "your target role" in open_to_team and "zines" in open_to_team
    assert "km away" in open_to_team
    assert "learning goal" not in kept_private and "expert" not in kept_private
    assert "target role" not in kept_private and "aim for" not in kept_private
    assert "zines" not in kept_private and "km" not in kept_private
    assert "same state" not in kept_private
    assert "speaks English with you" in kept_private


async def test_a_mentor_their_team_paused_is_left_out_of_previews_and_groups(
    client: httpx.AsyncClient,
    programme: Programme,
    matching_settings: MatchingSettings,
    skills: VocabularySkills,
) -> None:
    team, near = programme.team_id, programme.near_mentor_id
    programme.log.add(
        "teams", team, t.MentorPaused(person_id=near, expired_requests=3), team
    )
    apply(matching_settings, skills, programme.log)
    me = as_member(programme.coordinator_id)

    preview = await client.post(
        f"/api/v1/teams/{team}/pairings/previews", json={}, headers=me
    )
    with_mentees = await client.post(
        f"/api/v1/teams/{team}/group-suggestions",
        json={"basis": "geography", "smallest": 1, "largest": 5},
        headers=me,
    )
    mentors_only = await client.post(
        f"/api/v1/teams/{team}/group-suggestions",
        json={"basis": "geography", "smallest": 1, "largest": 5, "roles": ["mentor"]},
        headers=me,
    )

    pairs = [(p["mentee_id"], p["mentor_id"]) for p in preview.json()["pairs"]]
    assert pairs == [(str(programme.mentee_id), str(programme.far_mentor_id))]
    grouped = {m for g in with_mentees.json()["groups"] for m in g["member_ids"]}
    assert str(programme.mentee_id) in grouped and str(near) not in grouped
    peers = {m for g in mentors_only.json()["groups"] for m in g["member_ids"]}
    assert peers == {str(near), str(programme.far_mentor_id)}
