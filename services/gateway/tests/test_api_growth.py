"""The growth loop through the gateway: who may refer, approve, resume,
graduate and roll over, and a referred newcomer signing in with their link."""

from typing import Any
from uuid import uuid4

import pytest
from carrel_gateway.testing import Door, Member

pytestmark = pytest.mark.integration


async def put_settings(door: Door, coordinator: Member, **settings: Any) -> None:
    path = f"/api/v1/teams/{coordinator.team_id}"
    current = (await door.http.get(path, headers=coordinator.headers)).json()
    changed = await door.http.put(
        f"{path}/settings",
        json={"settings": current["settings"] | settings},
        headers=coordinator.headers,
    )
    changed.raise_for_status()


async def refer(door: Door, member: Member, email: str) -> dict[str, Any]:
    answer = await door.http.post(
        f"/api/v1/teams/{member.team_id}/referrals",
        json={"name": "Colleague", "email": email, "roles": ["mentee"]},
        headers=member.headers,
    )
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def sign_in_with(door: Door, invitation_id: str, link: str) -> Any:
    answer = await door.http.post(
        "/api/v1/sessions/invitation",
        json={
            "invitation_id": invitation_id,
            "token": link.split("token=", 1)[1],
            "display_name": "Newcomer",
        },
    )
    door.http.cookies.clear()
    return answer


async def test_a_referral_waits_for_the_coordinator_then_signs_the_newcomer_in(
    door: Door,
) -> None:
    coordinator = await door.found_team()
    mentee = await door.invite(coordinator, ["mentee"])
    referred = await refer(door, mentee, f"{uuid4().hex}@example.org")
    listing = f"/api/v1/teams/{coordinator.team_id}/referrals"

    by_mentee = await door.http.get(listing, headers=mentee.headers)
    waiting = (await door.http.get(listing, headers=coordinator.headers)).json()
    approve = f"{listing}/{referred['id']}/approve"
    refused = await door.http.post(approve, json={}, headers=mentee.headers)
    approved = await door.http.post(approve, json={}, headers=coordinator.headers)
    signed_in = await sign_in_with(door, referred["id"], approved.json()["link"])

    assert referred["awaiting_approval"] is True and referred["link"] is None
    assert by_mentee.status_code == 403 and refused.status_code == 403
    assert [w["referred_by"] for w in waiting] == [str(mentee.member_id)]
    assert approved.status_code == 200, approved.text
    assert signed_in.status_code == 201, signed_in.text
    newcomer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    team = await door.http.get(f"/api/v1/teams/{coordinator.team_id}", headers=newcomer)
    assert team.status_code == 200


async def test_a_referral_works_at_once_when_the_team_needs_no_approval(
    door: Door,
) -> None:
    coordinator = await door.found_team()
    await put_settings(door, coordinator, referrals_need_approval=False)
    mentor = await door.invite(coordinator, ["mentor"])

    referred = await refer(door, mentor, f"{uuid4().hex}@example.org")
    signed_in = await sign_in_with(door, referred["id"], referred["link"])

    assert signed_in.status_code == 201, signed_in.text


async def test_a_coordinator_cannot_approve_or_decline_another_teams_referral(
    door: Door,
) -> None:
    ours = await door.found_team("A")
    theirs = await door.found_team("B")
    their_mentee = await door.invite(theirs, ["mentee"])
    referred = await refer(door, their_mentee, f"{uuid4().hex}@example.org")
    base = f"/api/v1/teams/{ours.team_id}/referrals/{referred['id']}"

    approved = await door.http.post(f"{base}/approve", json={}, headers=ours.headers)
    declined = await door.http.post(f"{base}/decline", json={}, headers=ours.headers)
    waiting = await door.http.get(
        f"/api/v1/teams/{theirs.team_id}/referrals", headers=theirs.headers
    )

    # 403 like the sibling invitation routes: the teams service refuses to
    # show another team's invitation to this coordinator.
    assert {approved.status_code, declined.status_code} <= {403, 404}
    assert [w["id"] for w in waiting.json()] == [referred["id"]]


async def test_only_the_mentor_or_a_coordinator_sees_standing_and_resumes(
    door: Door,
) -> None:
    coordinator = await door.found_team()
    mentor = await door.invite(coordinator, ["mentor"], name="Mia")
    mentee = await door.invite(coordinator, ["mentee"], name="Max")
    member = f"/api/v1/teams/{coordinator.team_id}/members/{mentor.member_id}"

    own = await door.http.get(f"{member}/standing", headers=mentor.headers)
    other = await door.http.get(f"{member}/standing", headers=mentee.headers)
    by_other = await door.http.post(f"{member}/resume", headers=mentee.headers)
    not_paused = await door.http.post(f"{member}/resume", headers=mentor.headers)
    by_coordinator = await door.http.post(
        f"{member}/resume", headers=coordinator.headers
    )

    assert own.status_code == 200 and own.json()["paused"] is False
    assert other.status_code == 403 and by_other.status_code == 403
    assert not_paused.status_code == 422
    assert not_paused.json()["detail"][0]["msg"] == "the mentor is not paused"
    assert by_coordinator.status_code == 422


async def test_a_graduate_becomes_a_mentor_through_the_gateway(door: Door) -> None:
    coordinator = await door.found_team()
    mentor = await door.invite(coordinator, ["mentor"], name="Mia")
    mentee = await door.invite(coordinator, ["mentee"], name="Max")
    team = f"/api/v1/teams/{coordinator.team_id}"
    made = await door.http.post(
        f"{team}/mentorships",
        json={"mentor_id": str(mentor.member_id), "message": "Help me with maps?"},
        headers=mentee.headers,
    )
    path = f"{team}/mentorships/{made.json()['id']}"
    for step, who, body in (
        ("accept", mentor, {}),
        ("end", mentor, {"outcome": "completed"}),
        ("feedback", mentee, {"rating": 5}),
    ):
        done = await door.http.post(f"{path}/{step}", json=body, headers=who.headers)
        assert done.is_success, done.text
    graduate = f"{team}/graduation/accept"

    not_invited = await door.http.post(
        graduate, json={"mentor_capacity": 1}, headers=mentor.headers
    )
    accepted = await door.http.post(
        graduate, json={"mentor_capacity": 1}, headers=mentee.headers
    )
    members = (await door.http.get(f"{team}/members", headers=mentee.headers)).json()

    assert not_invited.status_code == 404
    assert accepted.status_code == 200, accepted.text
    roles = {m["person_id"]: set(m["roles"]) for m in members}
    assert roles[str(mentee.member_id)] == {"mentee", "mentor"}


async def test_a_coordinator_rolls_the_cohort_over_and_mentors_confirm(
    door: Door,
) -> None:
    coordinator = await door.found_team()
    mentor = await door.invite(coordinator, ["mentor"], name="Mia")
    mentee = await door.invite(coordinator, ["mentee"], name="Max")
    team = f"/api/v1/teams/{coordinator.team_id}"
    dates = {"cohort_starts_on": "2026-09-01", "cohort_ends_on": "2027-03-31"}

    rolling = await door.http.post(
        f"{team}/cohort/rollover", json=dates, headers=coordinator.headers
    )
    await put_settings(
        door,
        coordinator,
        mode="cohort",
        cohort_starts_on="2026-01-05",
        cohort_ends_on="2026-06-30",
    )
    by_mentor = await door.http.post(
        f"{team}/cohort/rollover", json=dates, headers=mentor.headers
    )
    rolled = await door.http.post(
        f"{team}/cohort/rollover", json=dates, headers=coordinator.headers
    )
    confirm = f"{team}/members/{mentor.member_id}/capacity-confirmation"
    by_mentee = await door.http.post(
        confirm, json={"mentor_capacity": 2}, headers=mentee.headers
    )
    confirmed = await door.http.post(
        confirm, json={"mentor_capacity": 2}, headers=mentor.headers
    )

    assert rolling.status_code == 422
    assert by_mentor.status_code == 403 and by_mentee.status_code == 403
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["carried_over_mentee_ids"] == [str(mentee.member_id)]
    assert rolled.json()["returning_mentor_ids"] == [str(mentor.member_id)]
    assert confirmed.status_code == 200, confirmed.text
