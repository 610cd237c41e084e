"""Signing in and acting as oneself, through the gateway to the real services."""

from uuid import UUID, uuid4

import pytest
from carrel_gateway.entrypoints.api.sessions import invitee_id
from carrel_gateway.entrypoints.http import create_app
from carrel_gateway.settings import GatewaySettings
from carrel_gateway.testing import OPERATOR_KEY, Door, bearer
from httpx import ASGITransport, AsyncClient

pytestmark = pytest.mark.integration


async def test_an_invited_person_joins_with_a_profile_and_a_cookie(door: Door) -> None:
    coordinator = await door.found_team()
    invited = await door.http.post(
        f"/api/v1/teams/{coordinator.team_id}/invitations",
        json={"name": "Ada", "email": "ada@example.org", "roles": ["mentee"]},
        headers=coordinator.headers,
    )
    token = invited.json()["link"].split("token=", 1)[1]

    accepted = await door.http.post(
        "/api/v1/sessions/invitation",
        json={
            "invitation_id": invited.json()["id"],
            "token": token,
            "display_name": "Ada",
        },
    )
    profile = await door.http.get("/api/v1/me/profile")
    me = await door.http.get("/api/v1/me")

    assert accepted.status_code == 201
    cookie = accepted.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert profile.json()["display_name"] == "Ada"
    assert me.json()["teams"] == [
        {
            "team_id": str(coordinator.team_id),
            "name": "Riverside Library",
            "roles": ["mentee"],
        }
    ]


async def test_a_new_person_without_a_name_is_told_which_field(door: Door) -> None:
    answer = await door.http.post(
        "/api/v1/sessions/invitation",
        json={"invitation_id": str(uuid4()), "token": "t"},
    )

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "display_name"]


async def test_a_wrong_invitation_token_signs_no_one_in(door: Door) -> None:
    coordinator = await door.found_team()
    invited = await door.http.post(
        f"/api/v1/teams/{coordinator.team_id}/invitations",
        json={"name": "Ada", "email": "ada@example.org", "roles": ["mentee"]},
        headers=coordinator.headers,
    )

    answer = await door.http.post(
        "/api/v1/sessions/invitation",
        json={
            "invitation_id": invited.json()["id"],
            "token": "forged",
            "display_name": "A",
        },
    )

    assert answer.status_code in (403, 404, 422)
    assert "set-cookie" not in answer.headers


async def test_a_sign_in_link_from_a_coordinator_works_once(door: Door) -> None:
    coordinator = await door.found_team()
    mentor = await door.invite(coordinator, ["mentor"])
    issued = await door.http.post(
        f"/api/v1/teams/{coordinator.team_id}/members/{mentor.member_id}/sign-in-link",
        headers=coordinator.headers,
    )
    token = issued.json()["link"].split("token=", 1)[1]

    first = await door.http.post("/api/v1/sessions/sign-in-link", json={"token": token})
    second = await door.http.post(
        "/api/v1/sessions/sign-in-link", json={"token": token}
    )

    assert first.status_code == 201
    assert first.json()["member_id"] == str(mentor.member_id)
    assert second.status_code == 401


async def test_a_header_claiming_another_member_is_ignored(door: Door) -> None:
    coordinator = await door.found_team()
    mentee = await door.invite(coordinator, ["mentee"], name="Mia")

    answer = await door.http.get(
        "/api/v1/me/profile",
        headers={**mentee.headers, "X-Carrel-Member": str(coordinator.member_id)},
    )

    assert answer.json()["id"] == str(mentee.member_id)
    assert answer.json()["display_name"] == "Mia"


async def test_every_answer_carries_a_request_id_of_the_gateway_s_making(
    door: Door,
) -> None:
    coordinator = await door.found_team()

    answer = await door.http.get(
        "/api/v1/me", headers={**coordinator.headers, "X-Request-Id": "client-made"}
    )

    assert UUID(answer.headers["X-Request-Id"])


async def test_a_write_signed_in_by_cookie_needs_the_requested_with_header(
    door: Door,
) -> None:
    coordinator = await door.found_team()
    door.http.cookies.set("carrel_session", coordinator.token)
    body = {"display_name": "Cora"}

    bare = await door.http.post("/api/v1/me/profile", json=body)
    marked = await door.http.post(
        "/api/v1/me/profile", json=body, headers={"X-Requested-With": "carrel"}
    )

    assert bare.status_code == 403
    assert marked.status_code in (201, 409)


async def test_a_profile_section_error_names_the_field(door: Door) -> None:
    coordinator = await door.found_team()

    answer = await door.http.put(
        "/api/v1/me/profile/skills",
        json={"skills": [{"skill_id": "no-such-skill", "proficiency": 9}]},
        headers=coordinator.headers,
    )

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][:2] == ["body", "skills"]


async def test_operator_routes_want_the_operator_key(door: Door) -> None:
    body = {"name": "T", "kind": "library", "coordinator_name": "C"}

    without = await door.http.post("/api/v1/operator/teams", json=body)
    wrong = await door.http.post(
        "/api/v1/operator/teams", json=body, headers={"X-Carrel-Operator-Key": "no"}
    )
    right = await door.http.post(
        "/api/v1/operator/teams",
        json=body,
        headers={"X-Carrel-Operator-Key": OPERATOR_KEY},
    )

    assert (without.status_code, wrong.status_code, right.status_code) == (
        403,
        403,
        201,
    )


async def test_sign_in_attempts_past_the_rate_are_refused(
    gateway_settings: GatewaySettings,
) -> None:
    settings = gateway_settings.model_copy(update={"sign_in_rate": "3/minute"})
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app), base_url="http://g") as http,
    ):
        answers = [
            await http.post("/api/v1/sessions/sign-in-link", json={"token": "x"})
            for _ in range(4)
        ]

    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1


async def test_a_signed_out_page_visitor_is_sent_to_sign_in(door: Door) -> None:
    coordinator = await door.found_team()

    page = await door.http.get(f"/teams/{coordinator.team_id}/profile")
    signed_in = await door.http.get(
        f"/teams/{coordinator.team_id}/coordinate/dashboard",
        headers=bearer(coordinator.token),
    )

    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in"
    assert signed_in.status_code == 200
    assert "Live dashboard" in signed_in.text


async def test_a_query_reaches_the_service_as_it_was_sent(door: Door) -> None:
    coordinator = await door.found_team()

    answer = await door.http.get(
        "/api/v1/skills",
        params={"q": "catalog", "limit": 2},
        headers=coordinator.headers,
    )

    assert answer.status_code == 200
    assert 1 <= len(answer.json()) <= 2
    assert all(
        "catalog" in m["matched"].lower() or m["score"] > 0 for m in answer.json()
    )


async def test_an_invitee_is_the_same_person_however_often_they_accept(
    door: Door,
) -> None:
    coordinator = await door.found_team("Retry Library")
    invited = await door.http.post(
        f"/api/v1/teams/{coordinator.team_id}/invitations",
        json={"name": "Rui", "email": "rui@example.org", "roles": ["mentee"]},
        headers=coordinator.headers,
    )
    body = {
        "invitation_id": invited.json()["id"],
        "token": invited.json()["link"].split("token=", 1)[1],
        "display_name": "Rui",
    }

    first = await door.http.post("/api/v1/sessions/invitation", json=body)
    door.http.cookies.clear()
    again = await door.http.post("/api/v1/sessions/invitation", json=body)

    assert first.status_code == 201
    # The second answer refuses the spent invitation, but names no new person:
    # a retry after a failed first attempt reaches the profile already made.
    assert again.status_code == 422
    profile = await door.http.get(
        "/api/v1/me/profile",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
    )
    assert profile.status_code == 200
    assert profile.json()["id"] == first.json()["member_id"]
    assert first.json()["member_id"] == str(invitee_id(UUID(body["invitation_id"])))


async def test_a_lone_surrogate_is_refused_at_the_door_naming_the_field(
    door: Door,
) -> None:
    coordinator = await door.found_team()

    invited = await door.http.post(
        f"/api/v1/teams/{coordinator.team_id}/invitations",
        content=b'{"name": "\\ud800", "email": "s@example.org", "roles": ["mentee"]}',
        headers={**coordinator.headers, "Content-Type": "application/json"},
    )
    nested = await door.http.post(
        f"/api/v1/teams/{coordinator.team_id}/invitations",
        content=b'{"name": "Ann", "email": "a@example.org", "roles": ["\\udfff"]}',
        headers={**coordinator.headers, "Content-Type": "application/json"},
    )

    assert invited.status_code == 422, invited.text
    assert "name: text must be valid Unicode" in invited.json()["detail"][0]["msg"]
    assert nested.status_code == 422, nested.text
    assert "roles[0]: text must be valid Unicode" in nested.text
