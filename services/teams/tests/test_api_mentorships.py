"""Mentorships through HTTP, on the real PostgreSQL, with racing accepts."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
import pytest
from carrel_teams.application import TeamsApplication
from carrel_teams.domain.errors import AlreadyRequested, MentorAtCapacity
from carrel_teams.domain.invitation import email_hash, invitation_id_for
from carrel_teams.settings import TeamsSettings
from carrel_teams.testing import ApiProgramme, as_member, start_programme
from eventsourcing.persistence import ProgrammingError
from fastapi import FastAPI
from psycopg import sql

pytestmark = pytest.mark.integration


def request(
    client: httpx.Client,
    programme: ApiProgramme,
    mentee: UUID,
    mentor: UUID,
    alternatives: tuple[UUID, ...] = (),
) -> dict[str, Any]:
    answer = client.post(
        f"/api/v1/teams/{programme.team_id}/mentorships",
        json={
            "mentor_id": str(mentor),
            "message": "Could you help me with digital preservation?",
            "alternative_mentor_ids": [str(a) for a in alternatives],
        },
        headers=as_member(mentee),
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def accept(client: httpx.Client, made: dict[str, Any], mentor: UUID) -> httpx.Response:
    return client.post(
        f"/api/v1/mentorships/{made['id']}/accept",
        json={"expected_version": made["version"]},
        headers=as_member(mentor),
    )


def active_pair(client: httpx.Client, programme: ApiProgramme) -> dict[str, Any]:
    mentor, mentee = programme.mentors[0], programme.mentees[0]
    made = request(client, programme, mentee, mentor)
    accepted = accept(client, made, mentor)
    assert accepted.status_code == 200, accepted.text
    return {"id": made["id"], "version": accepted.json()["version"]}


def test_two_accepts_racing_for_the_last_place_over_http_let_exactly_one_win(
    base_url: str, client: httpx.Client, api_programme: ApiProgramme
) -> None:
    mentor = api_programme.mentors[0]
    made = [
        request(client, api_programme, m, mentor) for m in api_programme.mentees[:2]
    ]
    start = threading.Barrier(2)

    def accept_racing(mentorship: dict[str, Any]) -> int:
        with httpx.Client(base_url=base_url, timeout=30) as own_client:
            start.wait()
            return accept(own_client, mentorship, mentor).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(accept_racing, made))

    assert statuses == [200, 409]
    views = [
        client.get(f"/api/v1/mentorships/{m['id']}", headers=as_member(mentor)).json()
        for m in made
    ]
    assert sorted(v["status"] for v in views) == ["accepted", "requested"]


class SavesTogether(TeamsApplication):
    """Holds each thread's first save until both threads reach it.

    So both accepts have read the mentor's load before either writes: the
    event store, not luck, has to decide.
    """

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


def test_two_accepts_that_both_read_the_last_place_commit_exactly_once(
    teams_settings: TeamsSettings, caplog: pytest.LogCaptureFixture
) -> None:
    setup = TeamsApplication(env=teams_settings.application_env())
    programme = start_programme(setup, capacity=1)
    mentor = programme.mentors[0]
    requests = [
        setup.request_mentorship(
            programme.team.id, mentee, mentor, "hi", [], UUID(int=1)
        )
        for mentee in programme.mentees[:2]
    ]
    barrier = threading.Barrier(2)
    racers = [
        SavesTogether(barrier, env=teams_settings.application_env()) for _ in requests
    ]

    def race(index: int) -> str:
        try:
            racers[index].accept_mentorship(requests[index].id, mentor, 1, UUID(int=2))
        except MentorAtCapacity:
            return "at capacity"
        return "accepted"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(race, range(2)))

    assert outcomes == ["accepted", "at capacity"]
    assert "collided" in caplog.text  # the loser's save failed, then it re-read
    statuses = sorted(setup.mentorship(r.id).status for r in requests)
    assert statuses == ["accepted", "requested"]
    for application in (setup, *racers):
        application.close()


def test_only_the_named_mentor_accepts(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    made = request(
        client, api_programme, api_programme.mentees[0], api_programme.mentors[0]
    )

    answer = accept(client, made, api_programme.mentors[1])

    assert answer.status_code == 403


def test_a_decline_needs_a_reason(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    mentor = api_programme.mentors[0]
    made = request(client, api_programme, api_programme.mentees[0], mentor)
    url = f"/api/v1/mentorships/{made['id']}/decline"

    empty = client.post(url, json={"reason": ""}, headers=as_member(mentor))
    declined = client.post(
        url, json={"reason": "diary full"}, headers=as_member(mentor)
    )

    assert empty.status_code == 422
    assert empty.json()["detail"][0]["loc"] == ["body", "reason"]
    assert declined.status_code == 200


def test_the_mentor_asks_for_more_and_the_mentee_answers(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    mentor, mentee = api_programme.mentors[0], api_programme.mentees[0]
    made = request(client, api_programme, mentee, mentor)
    url = f"/api/v1/mentorships/{made['id']}"

    client.post(
        f"{url}/information-requests",
        json={"question": "Which systems do you use?"},
        headers=as_member(mentor),
    ).raise_for_status()
    client.post(
        f"{url}/clarification", json={"answer": "Koha."}, headers=as_member(mentee)
    ).raise_for_status()
    view = client.get(url, headers=as_member(mentor)).json()

    assert (view["status"], view["question"], view["answer"]) == (
        "requested",
        "Which systems do you use?",
        "Koha.",
    )


def test_session_notes_are_seen_by_the_pair_alone(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    pair = active_pair(client, api_programme)
    url = f"/api/v1/mentorships/{pair['id']}/sessions"
    mentee = api_programme.mentees[0]
    logged = client.post(
        url,
        json={"held_on": "2026-03-03", "minutes": 50, "notes": "worried about review"},
        headers=as_member(mentee),
    )

    for_mentor = client.get(url, headers=as_member(api_programme.mentors[0])).json()
    for_coordinator = client.get(url, headers=as_member(api_programme.coordinator))
    for_other = client.get(url, headers=as_member(api_programme.mentees[1]))

    assert logged.status_code == 201
    assert for_mentor[0]["notes"] == "worried about review"
    assert for_coordinator.json()[0]["notes"] is None
    assert for_coordinator.json()[0]["minutes"] == 50
    assert for_other.status_code == 403


def test_the_pair_sets_goals_gives_feedback_and_completes(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    pair = active_pair(client, api_programme)
    url = f"/api/v1/mentorships/{pair['id']}"
    mentor, mentee = (
        as_member(p) for p in (api_programme.mentors[0], api_programme.mentees[0])
    )

    goal = client.post(
        f"{url}/goals", json={"title": "Run a workshop"}, headers=mentee
    ).json()
    progress = client.put(
        f"{url}/goals/{goal['created_id']}/progress",
        json={"progress": 60},
        headers=mentor,
    )
    too_far = client.put(
        f"{url}/goals/{goal['created_id']}/progress",
        json={"progress": 160},
        headers=mentor,
    )
    not_a_number = client.post(f"{url}/feedback", json={"rating": True}, headers=mentee)
    feedback = client.post(f"{url}/feedback", json={"rating": 5}, headers=mentee)
    ended = client.post(f"{url}/end", json={"outcome": "completed"}, headers=mentor)
    view = client.get(url, headers=mentee).json()

    assert progress.status_code == 200 and feedback.status_code == 201
    assert too_far.status_code == 422
    assert not_a_number.status_code == 422, "true is no rating"
    assert ended.status_code == 200
    assert (view["status"], view["outcome"]) == ("ended", "completed")
    assert view["goals"][0]["progress"] == 60


def test_ending_frees_the_mentors_place(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    pair = active_pair(client, api_programme)
    mentor = api_programme.mentors[0]
    waiting = request(client, api_programme, api_programme.mentees[1], mentor)

    full = accept(client, waiting, mentor)
    client.post(
        f"/api/v1/mentorships/{pair['id']}/end",
        json={"outcome": "ended_early"},
        headers=as_member(api_programme.coordinator),
    ).raise_for_status()
    freed = accept(client, waiting, mentor)

    assert full.status_code == 409 and full.json()["detail"] == "mentor is at capacity"
    assert freed.status_code == 200


def test_an_overdue_request_expires_and_the_next_choice_is_offered(
    client: httpx.Client, api_programme: ApiProgramme, app: FastAPI
) -> None:
    first, second = api_programme.mentors
    mentee = api_programme.mentees[0]
    made = request(client, api_programme, mentee, first, (second,))
    view = client.get(f"/api/v1/mentorships/{made['id']}", headers=as_member(mentee))
    teams: TeamsApplication = app.state.teams
    due = teams.mentorship(UUID(made["id"])).expires_at

    assert teams.expire_overdue_requests(due - timedelta(seconds=1)) == []
    [expired] = teams.expire_overdue_requests(due)
    following = client.get(
        f"/api/v1/mentorships/{expired.next_mentorship_id}", headers=as_member(second)
    ).json()

    assert view.json()["status"] == "requested"
    assert expired.status == "expired"
    assert (following["mentor_id"], following["choice"]) == (str(second), 2)
    assert following["message"] == "Could you help me with digital preservation?"


def test_the_mentee_withdraws_over_http_and_the_pair_is_free_again(
    client: httpx.Client, api_programme: ApiProgramme, app: FastAPI
) -> None:
    mentor, mentee = api_programme.mentors[0], api_programme.mentees[0]
    made = request(client, api_programme, mentee, mentor)
    url = f"/api/v1/mentorships/{made['id']}"

    by_mentor = client.post(f"{url}/withdraw", json={}, headers=as_member(mentor))
    stale = client.post(
        f"{url}/withdraw", json={"expected_version": 9}, headers=as_member(mentee)
    )
    withdrawn = client.post(
        f"{url}/withdraw",
        json={"expected_version": made["version"]},
        headers=as_member(mentee),
    )
    again = client.post(f"{url}/withdraw", json={}, headers=as_member(mentee))
    view = client.get(url, headers=as_member(mentee)).json()
    teams: TeamsApplication = app.state.teams

    assert by_mentor.status_code == 403 and stale.status_code == 409
    assert withdrawn.status_code == 200, withdrawn.text
    assert again.status_code == 422
    assert view["status"] == "withdrawn"
    assert teams.expire_overdue_requests(view["expires_at"]) == []
    assert request(client, api_programme, mentee, mentor)["version"] == 1


def test_a_question_keeps_a_deadline_on_postgresql_and_expires_for_the_mentee(
    client: httpx.Client, api_programme: ApiProgramme, app: FastAPI
) -> None:
    first, second = api_programme.mentors
    mentee = api_programme.mentees[0]
    made = request(client, api_programme, mentee, first, (second,))
    url = f"/api/v1/mentorships/{made['id']}"
    client.post(
        f"{url}/information-requests",
        json={"question": "Which systems?"},
        headers=as_member(first),
    ).raise_for_status()
    teams: TeamsApplication = app.state.teams
    due = teams.mentorship(UUID(made["id"])).expires_at

    [expired] = teams.expire_overdue_requests(due)
    view = client.get(url, headers=as_member(mentee)).json()

    assert expired.id == UUID(made["id"])
    assert (view["status"], view["next_mentorship_id"]) == ("expired", None)


def test_feedback_reads_back_with_its_words_for_the_pair_only(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    pair = active_pair(client, api_programme)
    url = f"/api/v1/mentorships/{pair['id']}"
    mentee = as_member(api_programme.mentees[0])
    for rating, comment in ((3, "Midway"), (5, "Now it clicks")):
        given = client.post(
            f"{url}/feedback",
            json={"rating": rating, "comment": comment},
            headers=mentee,
        )
        assert given.status_code == 201, given.text

    for_pair = client.get(url, headers=mentee).json()
    for_coordinator = client.get(
        url, headers=as_member(api_programme.coordinator)
    ).json()

    assert for_pair["feedback"] == [
        {"side": "mentee", "rating": 5, "comment": "Now it clicks"}
    ]
    assert for_coordinator["feedback"] == [
        {"side": "mentee", "rating": 5, "comment": None}
    ]


def test_two_identical_requests_at_the_same_instant_record_one(
    teams_settings: TeamsSettings,
) -> None:
    setup = TeamsApplication(env=teams_settings.application_env())
    programme = start_programme(setup)
    mentee, mentor = programme.mentees[0], programme.mentors[0]
    barrier = threading.Barrier(2)
    racers = [
        SavesTogether(barrier, env=teams_settings.application_env()) for _ in "ab"
    ]
    made: list[UUID] = []

    def race(index: int) -> str:
        try:
            made.append(
                racers[index]
                .request_mentorship(
                    programme.team.id, mentee, mentor, "hi", [], UUID(int=3)
                )
                .id
            )
        except AlreadyRequested:
            return "already requested"
        return "requested"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(race, range(2)))

    assert outcomes == ["already requested", "requested"]
    mine = setup.mentorships_in(programme.team.id, mentee, None, False, (50, 0))
    assert [row.mentorship_id for row in mine.rows] == made
    topics = [n.topic for n in setup.recorder.select_notifications(1, 10_000)]
    assert sum(topic.endswith(".MentorshipRequested") for topic in topics) == 1
    for application in (setup, *racers):
        application.close()


def test_two_identical_requests_over_http_at_once_answer_201_and_409(
    base_url: str, api_programme: ApiProgramme
) -> None:
    mentee, mentor = api_programme.mentees[0], api_programme.mentors[0]
    start = threading.Barrier(2)

    def send(_: int) -> int:
        with httpx.Client(base_url=base_url, timeout=30) as own_client:
            start.wait()
            return own_client.post(
                f"/api/v1/teams/{api_programme.team_id}/mentorships",
                json={"mentor_id": str(mentor), "message": "hi"},
                headers=as_member(mentee),
            ).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(send, range(2)))

    assert statuses == [201, 409]


def test_an_outbox_write_that_fails_leaves_no_event_behind(
    teams_settings: TeamsSettings,
) -> None:
    teams = TeamsApplication(env=teams_settings.application_env())
    programme = start_programme(teams)
    before = teams.recorder.max_notification_id()
    schema = sql.Identifier(teams_settings.teams_schema)
    dsn = teams_settings.database_dsn(teams_settings.teams_database)
    with psycopg.connect(dsn) as connection:
        connection.execute(
            sql.SQL("ALTER TABLE {}.teams_mailer_outbox RENAME TO gone").format(schema)
        )

    with pytest.raises(ProgrammingError, match="teams_mailer_outbox"):
        teams.invite(
            programme.team.id,
            "Ada",
            "ada@example.org",
            ["mentor"],
            programme.coordinator,
            uuid4(),
        )

    assert teams.recorder.max_notification_id() == before
    invited = invitation_id_for(programme.team.id, email_hash("ada@example.org"))
    assert invited not in teams.repository
    teams.close()


def test_booleans_are_no_minutes_or_progress_and_lone_surrogates_no_text(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    pair = active_pair(client, api_programme)
    url = f"/api/v1/mentorships/{pair['id']}"
    mentee = as_member(api_programme.mentees[0])
    raw = {**mentee, "content-type": "application/json"}

    true_minutes = client.post(
        f"{url}/sessions",
        json={"held_on": "2026-03-03", "minutes": True},
        headers=mentee,
    )
    lone_surrogate = client.post(
        f"{url}/sessions",
        content=b'{"held_on": "2026-03-03", "minutes": 20, "notes": "a \\ud800"}',
        headers=raw,
    )
    goal = client.post(f"{url}/goals", json={"title": "Catalogue"}, headers=mentee)
    true_progress = client.put(
        f"{url}/goals/{goal.json()['created_id']}/progress",
        json={"progress": True},
        headers=mentee,
    )
    sessions = client.get(f"{url}/sessions", headers=mentee).json()

    assert true_minutes.status_code == 422, true_minutes.text
    assert true_minutes.json()["detail"][0]["loc"] == ["body", "minutes"]
    assert true_progress.status_code == 422, true_progress.text
    assert lone_surrogate.status_code == 422, lone_surrogate.text
    refusal = lone_surrogate.json()["detail"][0]
    assert refusal["loc"] == ["body", "notes"]
    assert "unicode" in refusal["msg"]
    assert sessions == []
