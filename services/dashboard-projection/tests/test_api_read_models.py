"""The read API over read models projected from the sample programme."""

import csv
import io
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import pytest
from carrel_events import Envelope, Topic
from carrel_events.contracts import profile as p
from carrel_events.contracts import teams as team_events
from carrel_projection.adapters.client import open_client
from carrel_projection.entrypoints.http import create_app
from carrel_projection.sample import SECRET, Programme
from carrel_projection.settings import ProjectionSettings
from carrel_projection.testing import projecting, publish, wait_until_drained
from httpx import ASGITransport, AsyncClient

pytestmark = pytest.mark.integration


@pytest.fixture
async def programme(
    projection_settings: ProjectionSettings, topics: dict[Topic, str]
) -> Programme:
    programme = Programme()
    programme.record_everything()
    await project(projection_settings, topics, programme.script.recorded)
    return programme


async def project(
    settings: ProjectionSettings, topics: dict[Topic, str], envelopes: list[Envelope]
) -> None:
    """Publish the envelopes, project until they are all in, and refresh."""
    await publish(settings.kafka_bootstrap, envelopes, topics)
    async with projecting(settings):
        await wait_until_drained(
            settings.kafka_bootstrap, settings.projection_group, list(topics.values())
        )
    client = open_client(settings)
    await client.indices.refresh(index=f"{settings.index_prefix}-*")
    await client.close()


@pytest.fixture
async def api(projection_settings: ProjectionSettings) -> AsyncIterator[AsyncClient]:
    app = create_app(projection_settings)
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app)
        async with AsyncClient(
            transport=transport, base_url="http://projection"
        ) as http:
            yield http


def as_member(person: UUID) -> dict[str, str]:
    return {"X-Carrel-Member": str(person)}


async def directory(
    api: AsyncClient, programme: Programme, viewer: UUID, **params: object
) -> dict[str, object]:
    answer = await api.get(
        f"/api/v1/teams/{programme.team}/directory",
        params=params,  # type: ignore[arg-type]
        headers=as_member(viewer),
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def names(page: dict[str, object]) -> list[str]:
    return [m["display_name"] for m in page["members"]]  # type: ignore[attr-defined]


async def test_a_coordinator_sees_every_member_of_the_team_and_no_one_else(
    api: AsyncClient, programme: Programme
) -> None:
    page = await directory(api, programme, programme.coordinator, sort="name")
    assert names(page) == [
        "Cora Coordinator",
        "Eli Mentee",
        "Mika Mentor",
        "Noor Mentee",
        "Sam Šimić",
    ]
    assert "Otto Outsider" not in names(page), "another team's member"


async def test_full_text_search_finds_prefixes_and_ignores_accents(
    api: AsyncClient, programme: Programme
) -> None:
    by_prefix = await directory(api, programme, programme.coordinator, q="simi")
    assert names(by_prefix) == ["Sam Šimić"]
    by_skill_word = await directory(api, programme, programme.coordinator, q="curation")
    assert by_skill_word["total"] == 5
    erased = await directory(api, programme, programme.coordinator, q="Erin")
    assert erased["total"] == 0


async def test_facets_filters_and_distance_narrow_the_directory(
    api: AsyncClient, programme: Programme
) -> None:
    page = await directory(api, programme, programme.coordinator, role="mentee")
    assert sorted(names(page)) == ["Eli Mentee", "Mika Mentor", "Noor Mentee"]
    role_facets = page["facets"]["role"]  # type: ignore[index]
    roles = {f["value"]: f["count"] for f in role_facets}
    assert roles == {"mentee": 3, "mentor": 1}

    near = await directory(
        api,
        programme,
        programme.coordinator,
        near="61.2,-149.9",
        within_km=50,
        sort="distance",
    )
    assert names(near) == ["Cora Coordinator", "Eli Mentee"]
    assert near["members"][1]["distance_km"] < 5  # type: ignore[index]

    paused = await directory(api, programme, programme.coordinator, available="false")
    assert names(paused) == ["Mika Mentor"]


async def test_a_page_that_would_end_past_the_search_window_is_refused(
    api: AsyncClient, programme: Programme
) -> None:
    path = f"/api/v1/teams/{programme.team}/directory"
    headers = as_member(programme.coordinator)
    for offset, size in ((9990, 20), (10000, 100), (9999, 2)):
        params = {"offset": offset, "size": size}
        refused = await api.get(path, params=params, headers=headers)
        assert refused.status_code == 422, (offset, size, refused.text)
        (problem,) = refused.json()["detail"]
        assert problem["loc"] == ["query", "offset"]
        assert problem["msg"] in (
            "offset + size must be at most 10000",
            "Input should be less than or equal to 9999",
        )
    last = await api.get(path, params={"offset": 9980, "size": 20}, headers=headers)
    assert last.status_code == 200 and last.json()["members"] == []


async def test_a_member_who_never_set_availability_counts_as_available(
    api: AsyncClient,
    programme: Programme,
    projection_settings: ProjectionSettings,
    topics: dict[Topic, str],
) -> None:
    script, newcomer = programme.script, uuid4()
    already = len(script.recorded)
    script.record(p.ProfileCreated(display_name="Nia Newcomer"), newcomer)
    joined = team_events.MemberJoined(
        person_id=newcomer, roles=["mentor"], via="invitation"
    )
    script.record(joined, programme.team, programme.team)
    await project(projection_settings, topics, script.recorded[already:])

    viewer = programme.coordinator
    available = await directory(api, programme, viewer, available="true")
    assert "Nia Newcomer" in names(available)
    assert "Mika Mentor" not in names(available), "paused"
    everyone = await directory(api, programme, viewer)
    facets: dict[str, list[dict[str, object]]]
    facets = everyone["facets"]  # type: ignore[assignment]
    counts = {f["value"]: f["count"] for f in facets["availability"]}
    total: int = everyone["total"]  # type: ignore[assignment]
    assert counts == {"true": total - 1, "false": 1}


async def test_a_mentee_does_not_see_other_mentees_by_the_default_settings(
    api: AsyncClient, programme: Programme
) -> None:
    page = await directory(api, programme, programme.second_mentee, sort="name")
    assert names(page) == [
        "Cora Coordinator",
        "Mika Mentor",
        "Noor Mentee",
        "Sam Šimić",
    ]


async def test_only_members_of_a_team_may_read_it(
    api: AsyncClient, programme: Programme
) -> None:
    team = f"/api/v1/teams/{programme.team}"
    for path in (
        "/directory",
        "/dashboard",
        "/activity",
        "/groups",
        "/export/directory.csv",
    ):
        stranger = await api.get(team + path, headers=as_member(uuid4()))
        assert stranger.status_code == 404, path
        other_team = await api.get(team + path, headers=as_member(programme.outsider))
        assert other_team.status_code == 404, path
        left = await api.get(team + path, headers=as_member(programme.leaver))
        assert left.status_code == 404, path
    assert (await api.get(team + "/directory")).status_code == 401


async def test_the_other_team_sees_only_its_own_documents(
    api: AsyncClient, programme: Programme
) -> None:
    team = f"/api/v1/teams/{programme.other_team}"
    headers = as_member(programme.outsider)
    page = (await api.get(team + "/directory", headers=headers)).json()
    assert sorted(names(page)) == ["Otto Outsider", "Sam Šimić"]
    activity = (await api.get(team + "/activity", headers=headers)).json()
    assert {e["event_type"] for e in activity["entries"]} >= {"TeamCreated"}
    assert not [e for e in activity["entries"] if e["event_type"] == "GroupCreated"]
    dashboard = (await api.get(team + "/dashboard", headers=headers)).json()
    assert dashboard["members"]["total"] == 2 and dashboard["groups"] == []
    exported = (await api.get(team + "/export/mentorships.csv", headers=headers)).text
    assert exported.strip().count("\n") == 0, "header only"


async def test_the_dashboard_sums_up_the_team(
    api: AsyncClient, programme: Programme
) -> None:
    answer = await api.get(
        f"/api/v1/teams/{programme.team}/dashboard",
        params={"stalled_after_days": 1},
        headers=as_member(programme.coordinator),
    )
    board = answer.json()
    assert board["members"] == {
        "total": 5,
        "by_role": {"mentee": 3, "mentor": 2, "coordinator": 1},
    }
    assert board["mentees"] == {
        "total": 3,
        "matched": 1,
        "requested": 0,
        "unmatched": 2,
        "with_candidates": 1,
    }
    assert board["member_teams"] == [], "a library has no member teams"
    growth = board["growth"]
    assert growth["join_sources"] == {"founder": 1, "invitation": 4}
    assert sum(w["total"] for w in growth["joins_by_week"]) == 5
    assert growth["to_first_candidate"]["count"] == 1
    assert growth["to_first_candidate"]["median_seconds"] > 0
    assert growth["paused_for_silence"] == []
    assert board["highlighted_mentors"] == [], "no mentor teaches the wanted skill"
    assert board["requests"] == {
        "pending": 1,
        "expired": 1,
        "declined": 1,
        "accepted": 1,
        "ended": 1,
    }
    assert board["mentor_load"]["at_capacity"] == 0
    assert board["mentor_load"]["active_mentees"] == 1
    assert board["sessions_last_30_days"] == 1
    assert board["stalled"]["count"] == 1, "the last session was two days ago"
    assert board["skills"] == [
        {"skill_id": "onet.tech.worldcat", "supply": 0, "demand": 3},
        {"skill_id": "esco.digital-curation", "supply": 2, "demand": 0},
    ]
    assert board["groups"] == [
        {"group_id": str(programme.group), "name": "Maps and zines", "member_count": 2}
    ], "the erased person and the member who left are not counted"
    assert board["resources"] == {"shared": 1, "opened": 2, "completed": 1}


async def test_a_consortium_dashboard_counts_member_teams_only_while_they_share(
    api: AsyncClient,
    programme: Programme,
    projection_settings: ProjectionSettings,
    topics: dict[Topic, str],
) -> None:
    consortium = f"/api/v1/teams/{programme.other_team}/dashboard"
    headers = as_member(programme.outsider)
    withdrawn = (await api.get(consortium, headers=headers)).json()
    assert withdrawn["members"]["total"] == 2, "its own two members only"
    assert withdrawn["member_teams"] == [
        {
            "team_id": str(programme.team),
            "name": "Anchorage Public Library",
            "consenting": False,
            "mentors": 0,
            "mentees": 0,
            "mentees_matched": 0,
            "mentees_with_candidates": 0,
        }
    ]
    consent = team_events.ConsortiumConsentGiven(
        member_team_id=programme.team, given_by=programme.outsider
    )
    programme.script.record(consent, programme.other_team, programme.other_team)
    await project(projection_settings, topics, programme.script.recorded[-1:])

    sharing = (await api.get(consortium, headers=headers)).json()
    assert sharing["members"]["total"] == 2 + 5
    assert sharing["mentees"]["total"] == 3
    assert sharing["mentees"]["with_candidates"] == 1
    assert sharing["member_teams"][0] | {"team_id": "-"} == {
        "team_id": "-",
        "name": "Anchorage Public Library",
        "consenting": True,
        "mentors": 2,
        "mentees": 3,
        "mentees_matched": 1,
        "mentees_with_candidates": 1,
    }
    library = f"/api/v1/teams/{programme.team}/dashboard"
    board = (await api.get(library, headers=as_member(programme.coordinator))).json()
    assert board["members"]["total"] == 5, "a member team sees only itself"


async def test_a_programme_page_shows_counts_to_whom_the_team_allows(
    api: AsyncClient,
    programme: Programme,
    projection_settings: ProjectionSettings,
    topics: dict[Topic, str],
) -> None:
    page = f"/api/v1/teams/{programme.team}/programme"
    assert (await api.get(page)).status_code == 404, "members only by default"
    outsider = await api.get(page, headers=as_member(programme.outsider))
    assert outsider.status_code == 404
    seen = (await api.get(page, headers=as_member(programme.mentee))).json()
    assert (seen["name"], seen["mentors"], seen["mentees"]) == (
        "Anchorage Public Library",
        2,
        3,
    )
    assert seen["open_places"] == sum(s["places"] for s in seen["open_places_by_skill"])
    assert "display_name" not in str(seen), "only counts leave the page"

    public = team_events.ProgrammeSettings(
        programme_page_visible_to="public", programme_summary="Maps and metadata"
    )
    changed = team_events.TeamSettingsChanged(
        settings=public, changed_by=programme.outsider
    )
    programme.script.record(changed, programme.other_team, programme.other_team)
    await project(projection_settings, topics, programme.script.recorded[-1:])
    opened = await api.get(f"/api/v1/teams/{programme.other_team}/programme")
    assert opened.status_code == 200, opened.text
    assert opened.json()["summary"] == "Maps and metadata"


async def test_mentees_see_how_quickly_mentors_of_their_pool_answer(
    api: AsyncClient, programme: Programme
) -> None:
    path = f"/api/v1/teams/{programme.team}/mentors/response-times"
    asked = {"mentor_id": [str(programme.mentor), str(programme.outsider)]}
    seen = await api.get(path, params=asked, headers=as_member(programme.mentee))
    assert seen.status_code == 200, seen.text
    # A minute from request to the mentor's question; the outsider mentors
    # nowhere in this team's pool.
    assert seen.json() == {
        "typical_response_hours": {str(programme.mentor): 0.0},
        "display_names": {str(programme.mentor): "Mika Mentor"},
    }
    stranger = await api.get(path, params=asked, headers=as_member(programme.outsider))
    assert stranger.status_code == 404


async def test_the_activity_feed_pages_newest_first_with_names(
    api: AsyncClient, programme: Programme
) -> None:
    path = f"/api/v1/teams/{programme.team}/activity"
    headers = as_member(programme.coordinator)
    first = (await api.get(path, params={"size": 5}, headers=headers)).json()
    assert first["entries"][0]["event_type"] == "MemberLeft"
    second = await api.get(
        path, params={"size": 5, "before": first["next_before"]}, headers=headers
    )
    times = [e["occurred_at"] for e in first["entries"] + second.json()["entries"]]
    assert times == sorted(times, reverse=True) and len(set(times)) == 10
    joins = (await api.get(path, params={"size": 200}, headers=headers)).json()
    joined = [e for e in joins["entries"] if e["event_type"] == "MemberJoined"]
    assert "Eli Mentee" in {n for e in joined for n in e["subject_names"]}


async def test_groups_and_resources_are_listed_for_the_team(
    api: AsyncClient, programme: Programme
) -> None:
    team, headers = f"/api/v1/teams/{programme.team}", as_member(programme.mentee)
    groups = (await api.get(team + "/groups", headers=headers)).json()
    assert [g["name"] for g in groups] == ["Maps and zines"]
    current = sorted([str(programme.mentee), str(programme.second_mentee)])
    assert (groups[0]["member_ids"], groups[0]["member_count"]) == (current, 2)
    archived = (await api.get(team + "/groups?archived=true", headers=headers)).json()
    assert len(archived) == 2
    resources = (await api.get(team + "/resources", headers=headers)).json()
    [shared] = resources["shared"]
    assert (shared["title"], shared["opened"], shared["completed"]) == (
        "IIIF in practice",
        2,
        1,
    )
    assert sorted(m["status"] for m in resources["material"]) == ["active", "withdrawn"]


async def test_only_coordinators_may_export_the_team(
    api: AsyncClient, programme: Programme
) -> None:
    export = f"/api/v1/teams/{programme.team}/export"
    for viewer in (programme.second_mentee, programme.mentor):
        for model in ("directory", "mentorships", "groups", "progress", "activity"):
            answer = await api.get(f"{export}/{model}.csv", headers=as_member(viewer))
            assert answer.status_code == 403, (viewer, model)
            assert "Eli Mentee" not in answer.text
    groups = await api.get(
        f"{export}/groups.csv", headers=as_member(programme.coordinator)
    )
    [group] = [
        row
        for row in csv.DictReader(io.StringIO(groups.text))
        if row["name"] == "Maps and zines"
    ]
    assert group["member_count"] == "2"
    assert str(programme.erased) not in group["member_ids"]


async def test_a_mentee_sees_in_the_feed_only_whom_the_directory_shows_them(
    api: AsyncClient, programme: Programme
) -> None:
    path = f"/api/v1/teams/{programme.team}/activity"
    params = {"size": 200}
    seen = await api.get(
        path, params=params, headers=as_member(programme.second_mentee)
    )
    assert seen.status_code == 200, seen.text
    entries = seen.json()["entries"]
    names = {n for e in entries for n in [e["actor_name"], *e["subject_names"]]}
    ids = {i for e in entries for i in [e["actor_id"], *e["subject_ids"]]}
    assert "Eli Mentee" not in names and str(programme.mentee) not in ids
    assert str(programme.leaver) not in ids, "a former mentee is not shown either"
    assert {"Mika Mentor", "Noor Mentee", "Cora Coordinator"} <= names
    everyone = await api.get(
        path, params=params, headers=as_member(programme.coordinator)
    )
    all_names = {
        n
        for e in everyone.json()["entries"]
        for n in [e["actor_name"], *e["subject_names"]]
    }
    assert "Eli Mentee" in all_names


async def test_the_csv_export_holds_only_the_teams_members_and_nothing_private(
    api: AsyncClient, programme: Programme
) -> None:
    answer = await api.get(
        f"/api/v1/teams/{programme.team}/export/directory.csv",
        headers=as_member(programme.coordinator),
    )
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert sorted(r["display_name"] for r in rows)[0] == "Cora Coordinator"
    assert len(rows) == 5
    assert SECRET not in answer.text and "Erin" not in answer.text
    unknown = await api.get(
        f"/api/v1/teams/{programme.team}/export/people.csv",
        headers=as_member(programme.coordinator),
    )
    assert unknown.status_code == 422
