"""Teams, members, settings and groups through HTTP, on the real PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from carrel_teams.application import TeamsApplication
from carrel_teams.domain.group import Group, GroupAlreadyFormed
from carrel_teams.domain.team import Team
from carrel_teams.settings import TeamsSettings
from carrel_teams.testing import ApiProgramme, as_member, start_programme
from fastapi import FastAPI

pytestmark = pytest.mark.integration


def test_a_team_is_created_and_read_back(client: httpx.Client) -> None:
    founder = uuid4()
    created = client.post(
        "/api/v1/teams",
        json={"name": "Valley Association", "kind": "association"},
        headers=as_member(founder),
    )

    team = client.get(f"/api/v1/teams/{created.json()['id']}").json()
    members = client.get(f"/api/v1/teams/{team['id']}/members").json()

    assert created.status_code == 201
    assert (team["name"], team["kind"], team["version"]) == (
        "Valley Association",
        "association",
        2,
    )
    assert members == [
        {"person_id": str(founder), "roles": ["coordinator"], "mentor_capacity": 2}
    ]


def test_bad_input_names_the_field_and_the_rule(client: httpx.Client) -> None:
    answer = client.post(
        "/api/v1/teams",
        json={"name": "X", "kind": "club", "surplus": 1},
        headers=as_member(uuid4()),
    )

    assert answer.status_code == 422
    problems = {tuple(p["loc"]): p["type"] for p in answer.json()["detail"]}
    assert problems[("body", "kind")] == "literal_error"
    assert problems[("body", "surplus")] == "extra_forbidden"


def test_a_cohort_without_dates_is_refused(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = client.put(
        f"/api/v1/teams/{api_programme.team_id}/settings",
        json={"settings": {"mode": "cohort"}},
        headers=as_member(api_programme.coordinator),
    )

    assert answer.status_code == 422
    assert "cohort needs" in answer.json()["detail"][0]["msg"]


def test_a_domain_rule_answers_422_in_the_same_shape(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = client.delete(
        f"/api/v1/teams/{api_programme.team_id}/members/{api_programme.coordinator}",
        headers=as_member(api_programme.coordinator),
    )

    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["person_id"]
    assert problem["type"] == "value_error.last_coordinator"


def test_only_a_coordinator_changes_settings_and_a_stale_version_gets_409(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    url = f"/api/v1/teams/{api_programme.team_id}/settings"
    version = client.get(f"/api/v1/teams/{api_programme.team_id}").json()["version"]
    change = {"settings": {"request_expiry_hours": 48}, "expected_version": version}

    by_mentor = client.put(
        url, json=change, headers=as_member(api_programme.mentors[0])
    )
    by_coordinator = client.put(
        url, json=change, headers=as_member(api_programme.coordinator)
    )
    again = client.put(url, json=change, headers=as_member(api_programme.coordinator))

    assert by_mentor.status_code == 403
    assert by_coordinator.status_code == 200
    assert by_coordinator.json()["version"] == version + 1
    assert again.status_code == 409


def test_a_request_without_the_member_header_is_refused(client: httpx.Client) -> None:
    answer = client.post("/api/v1/teams", json={"name": "X", "kind": "library"})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["header", "x-carrel-member"]


def test_an_unknown_team_is_404(client: httpx.Client) -> None:
    assert client.get(f"/api/v1/teams/{uuid4()}").status_code == 404


def test_an_oversized_body_is_413(client: httpx.Client) -> None:
    answer = client.post(
        "/api/v1/teams",
        content=b"x" * 300_000,
        headers=as_member(uuid4()) | {"content-type": "application/json"},
    )

    assert answer.status_code == 413


def test_a_mentor_sets_their_own_capacity(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    mentor = api_programme.mentors[0]
    url = f"/api/v1/teams/{api_programme.team_id}/members/{mentor}/mentor-capacity"

    answer = client.put(url, json={"mentor_capacity": 4}, headers=as_member(mentor))
    members = client.get(f"/api/v1/teams/{api_programme.team_id}/members").json()

    assert answer.status_code == 200
    assert {m["person_id"]: m["mentor_capacity"] for m in members}[str(mentor)] == 4


def test_the_join_link_waits_for_approval(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    team_url = f"/api/v1/teams/{api_programme.team_id}"
    coordinator, person = as_member(api_programme.coordinator), uuid4()
    link = client.post(f"{team_url}/join-link", headers=coordinator).json()["link"]
    token = link.rsplit("token=", 1)[1]

    asked = client.post(
        f"{team_url}/join-requests",
        json={"token": token, "roles": ["mentee"]},
        headers=as_member(person),
    )
    waiting = client.get(team_url).json()["join_requests"]
    approved = client.post(
        f"{team_url}/join-requests/{person}/approve", headers=coordinator
    )
    members = client.get(f"{team_url}/members").json()

    assert asked.status_code == 201 and waiting == [str(person)]
    assert approved.status_code == 200
    assert str(person) in {m["person_id"] for m in members}


def test_groups_are_formed_renamed_and_archived_by_coordinators(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    coordinator = as_member(api_programme.coordinator)
    mentee, mentor = api_programme.mentees[0], api_programme.mentors[0]
    created = client.post(
        f"/api/v1/teams/{api_programme.team_id}/groups",
        json={
            "name": "Rural libraries",
            "member_ids": [str(mentee)],
            "suggestion_id": str(uuid4()),
        },
        headers=coordinator,
    )
    url = f"/api/v1/groups/{created.json()['id']}"

    stranger = client.post(
        f"{url}/members", json={"person_id": str(uuid4())}, headers=coordinator
    )
    added = client.post(
        f"{url}/members", json={"person_id": str(mentor)}, headers=coordinator
    )
    renamed = client.put(
        f"{url}/name", json={"name": "Small libraries"}, headers=coordinator
    )
    archived = client.post(f"{url}/archive", json={}, headers=coordinator)
    refused = client.put(f"{url}/name", json={"name": "Later"}, headers=coordinator)
    group = client.get(url).json()

    assert created.status_code == 201 and stranger.status_code == 422
    assert added.status_code == renamed.status_code == archived.status_code == 200
    assert refused.status_code == 422
    assert group["origin"] == "suggestion" and group["archived"] is True
    assert group["name"] == "Small libraries"
    assert group["member_ids"] == [str(mentee), str(mentor)]


def test_each_suggested_group_is_formed_once(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    url = f"/api/v1/teams/{api_programme.team_id}/groups"
    coordinator = as_member(api_programme.coordinator)
    body = {"name": "Group 1", "suggestion_id": str(uuid4())}

    # A suggestion proposes several groups: another one of it is formed.
    members = [str(api_programme.mentees[0])]
    other = {**body, "name": "Group 2", "member_ids": members}

    first = client.post(url, json=body, headers=coordinator)
    again = client.post(url, json=body, headers=coordinator)
    second = client.post(url, json=other, headers=coordinator)
    by_hand = [
        client.post(url, json={"name": "Mine"}, headers=coordinator) for _ in range(2)
    ]

    assert first.status_code == 201
    assert again.status_code == 409
    assert first.json()["id"] in again.json()["detail"]
    assert second.status_code == 201, second.text
    assert [answer.status_code for answer in by_hand] == [201, 201]


def test_two_forms_of_one_suggestion_at_once_make_one_group(
    base_url: str, api_programme: ApiProgramme
) -> None:
    url = f"/api/v1/teams/{api_programme.team_id}/groups"
    body = {"name": "Group 1", "suggestion_id": str(uuid4())}
    start = threading.Barrier(2)

    def form(_: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=30) as own_client:
            start.wait()
            coordinator = as_member(api_programme.coordinator)
            return own_client.post(url, json=body, headers=coordinator)

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(form, range(2)), key=lambda a: a.status_code)

    assert [a.status_code for a in answers] == [201, 409]
    assert answers[0].json()["id"] in answers[1].json()["detail"]


class SavesTogether(TeamsApplication):
    """Holds each thread's first save until both threads reach it, so both
    commands pass the check before either writes."""

    name = TeamsApplication.name  # the same event store, not one of its own

    def __init__(self, barrier: threading.Barrier, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.barrier = barrier
        self.held = threading.local()

    def save(self, *objects: Any, **kwargs: Any) -> Any:
        if not getattr(self.held, "done", False):
            self.held.done = True
            self.barrier.wait(timeout=30)
        return super().save(*objects, **kwargs)


def test_two_forms_that_both_passed_the_check_commit_one_group(
    teams_settings: TeamsSettings,
) -> None:
    setup = TeamsApplication(env=teams_settings.application_env())
    programme = start_programme(setup)
    suggestion, barrier = uuid4(), threading.Barrier(2)
    racers = [
        SavesTogether(barrier, env=teams_settings.application_env()) for _ in "ab"
    ]

    def race(index: int) -> str:
        try:
            racers[index].create_group(
                programme.team.id,
                f"Group {index}",
                [],
                suggestion,
                programme.coordinator,
                uuid4(),
            )
        except GroupAlreadyFormed:
            return "refused"
        return "formed"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(race, range(2)))

    assert outcomes == ["formed", "refused"]
    formed = setup.group(Group.create_id(programme.team.id, suggestion, []))
    assert formed.suggestion_id == suggestion and formed.version == 1
    for application in (setup, *racers):
        application.close()


def test_only_coordinators_form_groups(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = client.post(
        f"/api/v1/teams/{api_programme.team_id}/groups",
        json={"name": "Mine"},
        headers=as_member(api_programme.mentees[0]),
    )

    assert answer.status_code == 403


def test_the_service_reports_itself_live_and_ready(client: httpx.Client) -> None:
    assert client.get("/health/live").json() == {"status": "live"}
    assert client.get("/health/ready").json() == {"status": "ready"}


def test_the_request_id_becomes_the_events_correlation_id(
    client: httpx.Client, app: FastAPI
) -> None:
    request_id = uuid4()
    created = client.post(
        "/api/v1/teams",
        json={"name": "Harbour Library", "kind": "library"},
        headers=as_member(uuid4()) | {"X-Request-Id": str(request_id)},
    )
    teams: TeamsApplication = app.state.teams

    events = list(teams.events.get(UUID(created.json()["id"])))

    assert {vars(e)["correlation_id"] for e in events} == {request_id}


def test_a_cached_team_is_never_changed_in_place_when_another_process_wrote(
    teams_settings: TeamsSettings,
) -> None:
    reader = TeamsApplication(env=teams_settings.application_env())
    writer = TeamsApplication(env=teams_settings.application_env())
    team_id = start_programme(writer).team.id
    reader.team(team_id)
    cached = reader.repository.cache.get(team_id) if reader.repository.cache else None
    newcomer = uuid4()
    changed = writer.team(team_id)
    changed.admit(newcomer, ["mentee"], "invitation", None, uuid4())
    writer.save(changed)

    read = reader.team(team_id)

    assert isinstance(cached, Team)
    assert newcomer in read.members and newcomer not in cached.members
    for application in (reader, writer):
        application.close()


def test_members_and_the_mentor_pool_show_what_the_settings_let_the_caller_see(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    team = f"/api/v1/teams/{api_programme.team_id}"
    mentee = api_programme.mentees[0]

    def people(path: str, viewer: UUID | None) -> set[str]:
        headers = as_member(viewer) if viewer else {}
        answer = client.get(f"{team}/{path}", headers=headers)
        assert answer.status_code == 200, answer.text
        return {row["person_id"] for row in answer.json()}

    everyone = {
        str(p)
        for p in (
            api_programme.coordinator,
            *api_programme.mentors,
            *api_programme.mentees,
        )
    }
    mentors = {str(p) for p in api_programme.mentors}
    by_mentee = people("members", mentee)
    by_mentor = people("members", api_programme.mentors[0])
    client.put(
        f"{team}/settings",
        json={"settings": {"visibility": {"mentors_visible_to": "coordinators"}}},
        headers=as_member(api_programme.coordinator),
    ).raise_for_status()
    stranger = client.get(f"{team}/members", headers=as_member(uuid4()))

    assert by_mentee == {str(api_programme.coordinator), *mentors, str(mentee)}
    assert by_mentor == everyone
    assert people("members", None) == everyone, "the gateway's own read"
    assert people("mentor-pool", mentee) == set()
    assert people("mentor-pool", api_programme.coordinator) == mentors
    assert stranger.status_code == 403


def test_consent_and_join_answers_take_an_expected_version(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    coordinator = as_member(api_programme.coordinator)
    team = f"/api/v1/teams/{api_programme.team_id}"
    link = client.post(f"{team}/join-link", headers=coordinator).json()["link"]
    person = uuid4()
    asked = client.post(
        f"{team}/join-requests",
        json={"token": link.rsplit("token=", 1)[1], "roles": ["mentee"]},
        headers=as_member(person),
    ).json()
    approve = f"{team}/join-requests/{person}/approve"

    stale = client.post(
        approve, params={"expected_version": asked["version"] - 1}, headers=coordinator
    )
    approved = client.post(
        approve, params={"expected_version": asked["version"]}, headers=coordinator
    )

    assert stale.status_code == 409
    assert approved.status_code == 200, approved.text
