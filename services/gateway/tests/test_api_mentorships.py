"""A mentee withdraws a request through the gateway; no one else can."""

import pytest
from carrel_gateway.testing import Door

pytestmark = pytest.mark.integration


async def test_a_mentee_withdraws_their_request_and_may_ask_again(
    door: Door,
) -> None:
    coordinator = await door.found_team()
    mentor = await door.invite(coordinator, ["mentor"], name="Mia")
    mentee = await door.invite(coordinator, ["mentee"], name="Max")
    team = f"/api/v1/teams/{coordinator.team_id}"
    ask = {"mentor_id": str(mentor.member_id), "message": "Help me with maps?"}
    made = await door.http.post(f"{team}/mentorships", json=ask, headers=mentee.headers)
    assert made.status_code == 201, made.text
    path = f"{team}/mentorships/{made.json()['id']}"

    by_mentor = await door.http.post(
        f"{path}/withdraw", json={}, headers=mentor.headers
    )
    withdrawn = await door.http.post(
        f"{path}/withdraw",
        json={"expected_version": made.json()["version"]},
        headers=mentee.headers,
    )
    view = await door.http.get(path, headers=mentee.headers)
    again = await door.http.post(
        f"{team}/mentorships", json=ask, headers=mentee.headers
    )

    assert by_mentor.status_code == 403
    assert withdrawn.status_code == 200, withdrawn.text
    assert view.json()["status"] == "withdrawn"
    assert again.status_code == 201, again.text
