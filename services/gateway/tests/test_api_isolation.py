"""Teams are kept apart: nobody reaches a team they do not belong to."""

import re
from uuid import uuid4

import pytest
from carrel_gateway.testing import Door, Member, served_routes

pytestmark = pytest.mark.integration

# The join page and the programme page are for people who do not belong yet;
# dashboard-projection applies the team's setting on who may read a programme
# (tested in services/dashboard-projection/tests/test_api_read_models.py).
OPEN_TEAM_PAGES = {
    "/join/{team_id}",
    "/teams/{team_id}/programme",
    "/api/v1/teams/{team_id}/programme",
}
_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def filled(path: str, team_id: object) -> str:
    """The path with the team given and fresh ids (or a plain word) elsewhere."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "team_id":
            return str(team_id)
        return "details" if name in ("section", "page") else str(uuid4())

    return _PARAMETER.sub(value, path)


async def assert_kept_out(door: Door, outsider: Member, team_id: object) -> None:
    team_routes = [
        r
        for r in served_routes(door.app)
        if "{team_id}" in r.path and r.path not in OPEN_TEAM_PAGES
    ]
    answers = {}
    for route in team_routes:
        for method in sorted(route.methods - {"HEAD"}):
            path = filled(route.path, team_id)
            body: dict[str, str] | None = None if method in ("GET", "DELETE") else {}
            answer = await door.http.request(
                method, path, json=body, headers=outsider.headers
            )
            answers[f"{method} {path}"] = answer.status_code
    let_in = {route: code for route, code in answers.items() if code not in (403, 404)}
    assert len(answers) > 60
    assert let_in == {}


async def test_a_member_of_team_a_gets_404_on_every_team_b_route(door: Door) -> None:
    team_a = await door.found_team("A")
    team_b = await door.found_team("B")
    mentee_a = await door.invite(team_a, ["mentee"])

    await assert_kept_out(door, mentee_a, team_b.team_id)


async def test_a_coordinator_of_team_a_is_kept_out_of_team_b_too(door: Door) -> None:
    team_a = await door.found_team("A")
    team_b = await door.found_team("B")

    await assert_kept_out(door, team_a, team_b.team_id)


async def test_the_live_stream_and_the_export_of_another_team_answer_404(
    door: Door,
) -> None:
    team_a = await door.found_team("A")
    team_b = await door.found_team("B")

    for path in ("stream", "export/directory.csv", "dashboard", "directory"):
        answer = await door.http.get(
            f"/api/v1/teams/{team_b.team_id}/{path}", headers=team_a.headers
        )
        assert answer.status_code == 404, path


async def test_the_team_s_own_member_is_let_in(door: Door) -> None:
    team = await door.found_team("A")
    mentee = await door.invite(team, ["mentee"])

    read = await door.http.get(f"/api/v1/teams/{team.team_id}", headers=mentee.headers)
    members = await door.http.get(
        f"/api/v1/teams/{team.team_id}/members", headers=mentee.headers
    )

    assert read.status_code == 200
    assert read.json()["name"] == "A"
    assert {m["person_id"] for m in members.json()} == {
        str(team.member_id),
        str(mentee.member_id),
    }


async def test_a_mentee_is_refused_coordinator_routes_with_403(door: Door) -> None:
    team = await door.found_team("A")
    mentee = await door.invite(team, ["mentee"])

    invited = await door.http.post(
        f"/api/v1/teams/{team.team_id}/invitations",
        json={"name": "X", "email": "x@example.org", "roles": ["mentee"]},
        headers=mentee.headers,
    )
    dashboard = await door.http.get(
        f"/api/v1/teams/{team.team_id}/dashboard", headers=mentee.headers
    )

    assert invited.status_code == 403
    assert dashboard.status_code == 403


async def test_a_group_of_another_team_is_not_found_through_one_s_own_team(
    door: Door,
) -> None:
    team_a = await door.found_team("A")
    team_b = await door.found_team("B")
    created = await door.http.post(
        f"/api/v1/teams/{team_b.team_id}/groups",
        json={"name": "Readers", "member_ids": []},
        headers=team_b.headers,
    )
    group_id = created.json()["id"]

    through_a = await door.http.get(
        f"/api/v1/teams/{team_a.team_id}/groups/{group_id}", headers=team_a.headers
    )
    through_b = await door.http.get(
        f"/api/v1/teams/{team_b.team_id}/groups/{group_id}", headers=team_b.headers
    )

    assert created.status_code == 201
    assert through_a.status_code == 404
    assert through_b.status_code == 200


async def test_no_route_of_a_team_answers_without_a_session(door: Door) -> None:
    team = await door.found_team("A")

    answer = await door.http.get(f"/api/v1/teams/{team.team_id}")

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"


async def test_a_coordinator_cannot_act_for_a_member_of_another_team(
    door: Door,
) -> None:
    team_a = await door.found_team("A")
    team_b = await door.found_team("B")
    outsider = await door.invite(team_b, ["mentee"], name="Omar")
    insider = await door.invite(team_a, ["mentee"], name="Ines")
    base = f"/api/v1/teams/{team_a.team_id}/members"

    theirs = await door.http.get(
        f"{base}/{outsider.member_id}/recommendations", headers=team_a.headers
    )
    ours = await door.http.get(
        f"{base}/{insider.member_id}/recommendations", headers=team_a.headers
    )

    assert theirs.status_code == 404
    assert ours.status_code == 200
