"""A consortium's shared pool through HTTP, on the real PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from carrel_teams.application import TeamsApplication
from carrel_teams.domain.errors import MentorAtCapacity
from carrel_teams.domain.mentorship import MentorLoad, mentor_load_id
from carrel_teams.settings import TeamsSettings
from carrel_teams.testing import (
    ApiProgramme,
    as_member,
    set_consent_through_api,
    start_consortium,
    start_consortium_through_api,
    start_programme,
    start_programme_through_api,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def other_programme(client: httpx.Client) -> ApiProgramme:
    return start_programme_through_api(client, mentors=1, mentees=1)


def ask(
    client: httpx.Client, mentee_team: ApiProgramme, mentor: UUID
) -> httpx.Response:
    return client.post(
        f"/api/v1/teams/{mentee_team.team_id}/mentorships",
        json={"mentor_id": str(mentor), "message": "Could you help with Koha?"},
        headers=as_member(mentee_team.mentees[0]),
    )


def test_a_request_to_a_mentor_of_a_consenting_team_is_recorded_in_the_mentees_team(
    client: httpx.Client, api_programme: ApiProgramme, other_programme: ApiProgramme
) -> None:
    start_consortium_through_api(client, api_programme, other_programme)
    mentor = other_programme.mentors[0]

    asked = ask(client, api_programme, mentor)
    view = client.get(
        f"/api/v1/mentorships/{asked.json()['id']}", headers=as_member(mentor)
    ).json()
    accepted = client.post(
        f"/api/v1/mentorships/{asked.json()['id']}/accept",
        json={"expected_version": asked.json()["version"]},
        headers=as_member(mentor),
    )

    assert asked.status_code == 201, asked.text
    assert view["team_id"] == str(api_programme.team_id)
    assert view["mentor_team_id"] == str(other_programme.team_id)
    assert accepted.status_code == 200, accepted.text


def test_a_request_across_teams_is_refused_until_both_consent_and_after_withdrawal(
    client: httpx.Client, api_programme: ApiProgramme, other_programme: ApiProgramme
) -> None:
    consortium = start_consortium_through_api(
        client, api_programme, other_programme, consent=False
    )
    mentor = other_programme.mentors[0]

    set_consent_through_api(client, consortium, other_programme, True)
    one_consent = ask(client, api_programme, mentor)
    set_consent_through_api(client, consortium, api_programme, True)
    both = ask(client, api_programme, mentor)
    set_consent_through_api(client, consortium, other_programme, False)
    withdrawn = ask(client, api_programme, mentor)

    assert (one_consent.status_code, both.status_code) == (422, 201)
    assert withdrawn.status_code == 422
    [problem] = withdrawn.json()["detail"]
    assert problem["loc"] == ["body", "mentor_id"]
    assert problem["type"] == "value_error.not_mentor"
    assert "both teams must consent" in problem["msg"]


def test_a_mentor_outside_any_shared_consortium_is_refused(
    client: httpx.Client, api_programme: ApiProgramme, other_programme: ApiProgramme
) -> None:
    answer = ask(client, api_programme, other_programme.mentors[0])

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "mentor_id"]


class SavesTogether(TeamsApplication):
    """Holds each thread's first save until both threads reach it."""

    name = TeamsApplication.name

    def __init__(self, barrier: threading.Barrier, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.barrier = barrier
        self.held = threading.local()

    def save(self, *objects: Any, **kwargs: Any) -> Any:
        if not getattr(self.held, "done", False):
            self.held.done = True
            self.barrier.wait(timeout=30)
        return super().save(*objects, **kwargs)


def test_accepts_from_two_teams_racing_for_a_mentors_last_place_commit_once(
    teams_settings: TeamsSettings,
) -> None:
    setup = TeamsApplication(env=teams_settings.application_env())
    home, afar = start_programme(setup), start_programme(setup)
    start_consortium(setup, home, afar)
    mentor = home.mentors[0]
    requests = [
        setup.request_mentorship(
            team.team.id, team.mentees[0], mentor, "hi", [], uuid4()
        ).id
        for team in (home, afar)
    ]
    barrier = threading.Barrier(2)
    racers = [
        SavesTogether(barrier, env=teams_settings.application_env()) for _ in requests
    ]

    def race(index: int) -> str:
        try:
            racers[index].accept_mentorship(requests[index], mentor, 1, uuid4())
        except MentorAtCapacity:
            return "at capacity"
        return "accepted"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(race, range(2)))

    load: object = setup.repository.get(mentor_load_id(home.team.id, mentor))
    assert outcomes == ["accepted", "at capacity"]
    assert isinstance(load, MentorLoad) and len(load.active) == 1
    for application in (setup, *racers):
        application.close()
