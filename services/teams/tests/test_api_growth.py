"""The growth loop through HTTP, on the real PostgreSQL: referrals with and
without approval, the pause after repeated expiries, graduation, rollover."""

from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from carrel_teams.application import TeamsApplication
from carrel_teams.testing import ApiProgramme, as_member
from fastapi import FastAPI

pytestmark = pytest.mark.integration


def put_settings(
    client: httpx.Client, programme: ApiProgramme, **settings: Any
) -> None:
    path = f"/api/v1/teams/{programme.team_id}"
    current = client.get(path).json()["settings"]
    client.put(
        f"{path}/settings",
        json={"settings": current | settings},
        headers=as_member(programme.coordinator),
    ).raise_for_status()


def refer(
    client: httpx.Client, programme: ApiProgramme, by: UUID, email: str
) -> httpx.Response:
    return client.post(
        f"/api/v1/teams/{programme.team_id}/referrals",
        json={"name": "Colleague", "email": email, "roles": ["mentee"]},
        headers=as_member(by),
    )


def accept(client: httpx.Client, invitation_id: str, link: str) -> httpx.Response:
    newcomer = uuid4()
    return client.post(
        f"/api/v1/invitations/{invitation_id}/accept",
        json={"token": link.rsplit("token=", 1)[1]},
        headers=as_member(newcomer),
    )


def member_roles(client: httpx.Client, programme: ApiProgramme) -> dict[str, Any]:
    members = client.get(f"/api/v1/teams/{programme.team_id}/members").json()
    return {m["person_id"]: m for m in members}


def test_a_referral_works_at_once_when_the_team_needs_no_approval(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    put_settings(client, api_programme, referrals_need_approval=False)

    referred = refer(client, api_programme, api_programme.mentors[0], "a@example.org")
    joined = accept(client, referred.json()["id"], referred.json()["link"])

    assert referred.status_code == 201, referred.text
    assert referred.json()["awaiting_approval"] is False
    assert joined.status_code == 200, joined.text
    assert len(member_roles(client, api_programme)) == 7


def test_a_referral_waits_for_a_coordinator_when_the_team_asks_for_approval(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    coordinator = as_member(api_programme.coordinator)
    referrer = api_programme.mentees[0]
    referred = refer(client, api_programme, referrer, "b@example.org").json()
    listing = f"/api/v1/teams/{api_programme.team_id}/referrals"

    waiting = client.get(listing, headers=coordinator).json()
    refused = client.get(listing, headers=as_member(referrer))
    approved = client.post(
        f"/api/v1/referrals/{referred['id']}/approve", json={}, headers=coordinator
    )
    joined = accept(client, referred["id"], approved.json()["link"])
    state = client.get(f"/api/v1/invitations/{referred['id']}", headers=coordinator)

    assert referred["awaiting_approval"] is True and referred["link"] is None
    assert [(w["email"], w["referred_by"]) for w in waiting] == [
        ("b@example.org", str(referrer))
    ]
    assert refused.status_code == 403
    assert approved.status_code == 200, approved.text
    assert joined.status_code == 200, joined.text
    assert state.json()["status"] == "accepted"
    assert client.get(listing, headers=coordinator).json() == []


def test_a_declined_referral_is_shown_declined_and_cannot_be_approved(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    coordinator = as_member(api_programme.coordinator)
    referred = refer(client, api_programme, api_programme.mentors[1], "c@example.org")
    path = f"/api/v1/referrals/{referred.json()['id']}"

    declined = client.post(f"{path}/decline", json={}, headers=coordinator)
    again = client.post(f"{path}/approve", json={}, headers=coordinator)
    state = client.get(
        f"/api/v1/invitations/{referred.json()['id']}", headers=coordinator
    )

    assert declined.status_code == 200, declined.text
    assert again.status_code == 422
    assert state.json()["status"] == "declined"


def test_a_referral_offers_mentor_or_mentee_and_only_members_refer(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    path = f"/api/v1/teams/{api_programme.team_id}/referrals"
    as_coordinator = client.post(
        path,
        json={"name": "D", "email": "d@example.org", "roles": ["coordinator"]},
        headers=as_member(api_programme.mentees[0]),
    )
    stranger = refer(client, api_programme, uuid4(), "d@example.org")

    assert as_coordinator.status_code == 422
    assert stranger.status_code == 403


def ask(
    client: httpx.Client, programme: ApiProgramme, mentee: UUID, mentor: UUID
) -> httpx.Response:
    return client.post(
        f"/api/v1/teams/{programme.team_id}/mentorships",
        json={"mentor_id": str(mentor), "message": "Could you help me?"},
        headers=as_member(mentee),
    )


def expire(app: FastAPI, mentorship_id: str) -> None:
    teams: TeamsApplication = app.state.teams
    due = teams.mentorship(UUID(mentorship_id)).expires_at
    assert len(teams.expire_overdue_requests(due)) == 1


def test_a_mentor_whose_requests_expire_repeatedly_is_paused_and_resumes(
    client: httpx.Client, api_programme: ApiProgramme, app: FastAPI
) -> None:
    put_settings(client, api_programme, pause_after_expired_requests=2)
    mentor, mentees = api_programme.mentors[0], api_programme.mentees
    for mentee in mentees[:2]:
        expire(app, ask(client, api_programme, mentee, mentor).json()["id"])
    standing = client.get(
        f"/api/v1/teams/{api_programme.team_id}/members/{mentor}/standing",
        headers=as_member(mentor),
    ).json()

    refused = ask(client, api_programme, mentees[2], mentor)
    resumed = client.post(
        f"/api/v1/teams/{api_programme.team_id}/members/{mentor}/resume",
        headers=as_member(mentor),
    )
    asked_again = ask(client, api_programme, mentees[2], mentor)

    assert standing["paused"] is True
    assert standing["paused_after_expired_requests"] == 2
    assert refused.status_code == 422
    [detail] = refused.json()["detail"]
    assert detail["type"] == "value_error.mentor_paused"
    assert "paused in this team" in detail["msg"]
    assert resumed.status_code == 200, resumed.text
    assert asked_again.status_code == 201, asked_again.text


def test_only_the_mentor_or_a_coordinator_resumes_a_paused_mentor(
    client: httpx.Client, api_programme: ApiProgramme, app: FastAPI
) -> None:
    put_settings(client, api_programme, pause_after_expired_requests=1)
    mentor = api_programme.mentors[1]
    expire(
        app, ask(client, api_programme, api_programme.mentees[0], mentor).json()["id"]
    )
    path = f"/api/v1/teams/{api_programme.team_id}/members/{mentor}/resume"

    by_other = client.post(path, headers=as_member(api_programme.mentors[0]))
    by_coordinator = client.post(path, headers=as_member(api_programme.coordinator))

    assert by_other.status_code == 403
    assert by_coordinator.status_code == 200


def test_a_completed_mentorship_with_feedback_invites_the_mentee_to_mentor(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    mentor, mentee = api_programme.mentors[0], api_programme.mentees[0]
    made = ask(client, api_programme, mentee, mentor).json()
    path = f"/api/v1/mentorships/{made['id']}"
    client.post(f"{path}/accept", json={}, headers=as_member(mentor)).raise_for_status()
    goal = client.post(
        f"{path}/goals", json={"title": "Digitise maps"}, headers=as_member(mentee)
    ).json()
    client.put(
        f"{path}/goals/{goal['created_id']}/progress",
        json={"progress": 100},
        headers=as_member(mentee),
    ).raise_for_status()
    client.post(
        f"{path}/end", json={"outcome": "completed"}, headers=as_member(mentor)
    ).raise_for_status()
    client.post(
        f"{path}/feedback", json={"rating": 5}, headers=as_member(mentee)
    ).raise_for_status()
    team = f"/api/v1/teams/{api_programme.team_id}"

    standing = client.get(
        f"{team}/members/{mentee}/standing", headers=as_member(mentee)
    ).json()
    accepted = client.post(
        f"{team}/graduation/accept",
        json={"mentor_capacity": 2},
        headers=as_member(mentee),
    )

    assert standing["graduation_invitation"] == {
        "mentorship_id": made["id"],
        "goal_titles": ["Digitise maps"],
    }
    assert accepted.status_code == 200, accepted.text
    member = member_roles(client, api_programme)[str(mentee)]
    assert (set(member["roles"]), member["mentor_capacity"]) == (
        {"mentee", "mentor"},
        2,
    )


def test_a_member_not_invited_to_mentor_cannot_accept_graduation(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = client.post(
        f"/api/v1/teams/{api_programme.team_id}/graduation/accept",
        json={"mentor_capacity": 2},
        headers=as_member(api_programme.mentees[1]),
    )

    assert answer.status_code == 404


def test_rollover_keeps_unmatched_mentees_and_opens_the_next_cohort(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    put_settings(
        client,
        api_programme,
        mode="cohort",
        cohort_starts_on="2026-01-05",
        cohort_ends_on="2026-06-30",
    )
    mentor, mentees = api_programme.mentors[0], api_programme.mentees
    made = ask(client, api_programme, mentees[0], mentor).json()
    client.post(
        f"/api/v1/mentorships/{made['id']}/accept", json={}, headers=as_member(mentor)
    ).raise_for_status()
    team = f"/api/v1/teams/{api_programme.team_id}"
    dates = {"cohort_starts_on": "2026-09-01", "cohort_ends_on": "2027-03-31"}

    by_mentor = client.post(
        f"{team}/cohort/rollover", json=dates, headers=as_member(mentor)
    )
    rolled = client.post(
        f"{team}/cohort/rollover",
        json=dates,
        headers=as_member(api_programme.coordinator),
    )
    confirmed = client.post(
        f"{team}/members/{mentor}/capacity-confirmation",
        json={"mentor_capacity": 3},
        headers=as_member(mentor),
    )
    twice = client.post(
        f"{team}/members/{mentor}/capacity-confirmation",
        json={"mentor_capacity": 3},
        headers=as_member(mentor),
    )

    assert by_mentor.status_code == 403
    assert rolled.status_code == 200, rolled.text
    assert set(rolled.json()["carried_over_mentee_ids"]) == {
        str(m) for m in mentees[1:]
    }
    assert set(rolled.json()["returning_mentor_ids"]) == {
        str(m) for m in api_programme.mentors
    }
    settings = client.get(team).json()["settings"]
    assert (settings["cohort_starts_on"], settings["cohort_ends_on"]) == (
        "2026-09-01",
        "2027-03-31",
    )
    assert confirmed.status_code == 200, confirmed.text
    assert member_roles(client, api_programme)[str(mentor)]["mentor_capacity"] == 3
    assert twice.status_code == 422


def test_a_rolling_programme_refuses_a_rollover_with_the_rule(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = client.post(
        f"/api/v1/teams/{api_programme.team_id}/cohort/rollover",
        json={"cohort_starts_on": "2026-09-01", "cohort_ends_on": "2027-03-31"},
        headers=as_member(api_programme.coordinator),
    )

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == "value_error.not_cohort"
