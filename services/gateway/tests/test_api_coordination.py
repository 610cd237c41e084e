"""What the coordinators' pages ask of the gateway: the team by name, CSV links,
sign-in links, resources to open; and the door's own rules: the write rate and
the request id that travels to the services' events."""

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from carrel_gateway.entrypoints import pages
from carrel_gateway.entrypoints.http import create_app
from carrel_gateway.settings import GatewaySettings
from carrel_gateway.testing import OPERATOR_KEY, Door, Member
from carrel_teams.application import TeamsApplication
from carrel_teams.settings import TeamsSettings
from httpx import ASGITransport, AsyncClient

pytestmark = pytest.mark.integration


async def import_csv(door: Door, coordinator: Member, text: str) -> dict[str, Any]:
    answer = await door.http.post(
        f"/api/v1/teams/{coordinator.team_id}/invitations/import",
        files={"file": ("people.csv", text.encode(), "text/csv")},
        headers=coordinator.headers,
    )
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    return report


async def accept(door: Door, invitation_id: str, link: str) -> int:
    answer = await door.http.post(
        "/api/v1/sessions/invitation",
        json={
            "invitation_id": invitation_id,
            "token": link.split("token=", 1)[1],
            "display_name": "Ada",
        },
    )
    door.http.cookies.clear()
    return answer.status_code


async def test_a_coordinator_reads_the_members_by_name_and_role(door: Door) -> None:
    coordinator = await door.found_team()
    mentor = await door.invite(coordinator, ["mentor"], name="Zoe")
    mentee = await door.invite(coordinator, ["mentee"], name="Ben")
    path = f"/api/v1/teams/{coordinator.team_id}/people"

    people = await door.http.get(path, headers=coordinator.headers)
    by_mentee = await door.http.get(path, headers=mentee.headers)

    assert people.status_code == 200, people.text
    assert [(p["display_name"], p["roles"]) for p in people.json()] == [
        ("Ben", ["mentee"]),
        ("Cora", ["coordinator"]),
        ("Zoe", ["mentor"]),
    ]
    assert people.json()[2]["person_id"] == str(mentor.member_id)
    assert by_mentee.status_code == 403


async def test_a_csv_import_gives_each_invited_row_its_link_and_says_why_not(
    door: Door,
) -> None:
    coordinator = await door.found_team()
    email = f"ada-{uuid4().hex[:8]}@example.org"

    report = await import_csv(
        door,
        coordinator,
        f"name,email,role\nAda,{email},mentee\nBen,not an address,mentor\n",
    )

    invited, refused = report["rows"]
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert invited["status"] == "accepted" and invited["row"] == 2
    assert f"/invitations/{invited['invitation_id']}?token=" in invited["link"]
    assert refused["status"] == "rejected" and refused["row"] == 3
    assert refused["link"] is None and refused["reason"]
    assert await accept(door, invited["invitation_id"], invited["link"]) == 201


async def test_a_resent_csv_invitation_works_with_the_new_link_only(door: Door) -> None:
    coordinator = await door.found_team()
    report = await import_csv(
        door, coordinator, f"name,email,role\nAda,{uuid4().hex}@example.org,mentee\n"
    )
    row = report["rows"][0]
    path = f"/api/v1/teams/{coordinator.team_id}/invitations/{row['invitation_id']}"

    resent = await door.http.post(
        f"{path}/resend", json={}, headers=coordinator.headers
    )

    assert resent.status_code == 200, resent.text
    assert resent.json()["link"] != row["link"]
    assert await accept(door, row["invitation_id"], row["link"]) >= 400
    assert await accept(door, row["invitation_id"], resent.json()["link"]) == 201


async def test_a_coordinator_issues_a_sign_in_link_that_signs_the_member_in(
    door: Door,
) -> None:
    coordinator = await door.found_team()
    mentee = await door.invite(coordinator, ["mentee"])
    path = (
        f"/api/v1/teams/{coordinator.team_id}/members/{mentee.member_id}/sign-in-link"
    )

    issued = await door.http.post(path, headers=coordinator.headers)
    refused = await door.http.post(path, headers=mentee.headers)
    token = await door.redeem(issued.json()["link"])
    me = await door.http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert issued.status_code == 201 and refused.status_code == 403
    assert me.json()["member_id"] == str(mentee.member_id)


async def add_central_entry(door: Door, url: str) -> str:
    added = await door.http.post(
        "/api/v1/operator/catalogue/entries",
        json={"url": url, "title": "Cataloguing basics", "resource_type": "tutorial"},
        headers={"X-Carrel-Operator-Key": OPERATOR_KEY},
    )
    assert added.status_code == 201, added.text
    return str(added.json()["id"])


async def test_a_resource_of_the_team_s_lists_opens_at_its_address(
    door: Door,
) -> None:
    coordinator = await door.found_team()
    url = f"https://example.org/cataloguing/{uuid4().hex}"
    resource_id = await add_central_entry(door, url)
    page = f"/teams/{coordinator.team_id}/resources"

    opened = await door.http.get(f"{page}/{resource_id}", headers=coordinator.headers)
    unknown = await door.http.get(f"{page}/{uuid4()}", headers=coordinator.headers)

    assert opened.status_code == 303
    assert opened.headers["location"].rstrip("/") == url
    assert unknown.status_code == 404


MATERIAL = {
    "id": "7b0e6f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    "title": "Our shelving rules",
    "description": "Tall books last.",
    "url": None,
    "attachment": None,
    "links": [{"url": "javascript:alert(1)", "title": "Not followed"}],
}


async def test_material_without_a_web_address_opens_as_a_page_of_its_own(
    door: Door, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = await door.found_team()

    async def material(*_: object) -> dict[str, Any]:
        return MATERIAL

    # The resources service hears of new teams through Kafka, which these
    # tests do not run; the page is fed the material directly.
    monkeypatch.setattr(pages, "_resource_entry", material)
    page = f"/teams/{coordinator.team_id}/resources/{MATERIAL['id']}"

    opened = await door.http.get(page, headers=coordinator.headers)

    assert opened.status_code == 200
    assert "<h1>Our shelving rules</h1>" in opened.text
    assert 'href="javascript' not in opened.text


@pytest.mark.parametrize(
    ("entry", "address"),
    [
        ({"url": "https://example.org/a"}, "https://example.org/a"),
        (
            {"url": None, "links": [{"url": "http://example.org/b"}]},
            "http://example.org/b",
        ),
        ({"url": "javascript:alert(1)"}, None),
        ({"id": "m1", "url": None, "attachment": {"name": "a.pdf"}}, "attachment"),
    ],
)
def test_a_resource_is_sent_on_only_to_a_web_address_or_its_file(
    entry: dict[str, Any], address: str | None
) -> None:
    team_id = uuid4()

    found = pages._address_of(team_id, entry)

    if address == "attachment":
        assert found == f"/api/v1/teams/{team_id}/materials/m1/attachment"
    else:
        assert found == address


@pytest.fixture
async def slow_door(gateway_settings: GatewaySettings) -> AsyncIterator[Door]:
    """A gateway that lets each member write three times a minute."""
    settings = gateway_settings.model_copy(update={"write_rate": "3/minute"})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app)
        async with AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield Door(app, http)


async def test_writes_past_the_rate_are_refused_with_429_and_a_wait(
    slow_door: Door,
) -> None:
    coordinator = await slow_door.found_team()
    path = f"/api/v1/teams/{coordinator.team_id}/join-link"

    answers = [
        await slow_door.http.post(path, headers=coordinator.headers) for _ in range(4)
    ]
    read = await slow_door.http.get(
        f"/api/v1/teams/{coordinator.team_id}", headers=coordinator.headers
    )

    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert 1 <= int(answers[3].headers["retry-after"]) <= 61
    assert read.status_code == 200


async def test_the_request_id_of_the_door_is_the_correlation_id_of_the_events(
    door: Door, stack: Any, schemas: dict[str, str]
) -> None:
    sent_by_client = str(uuid4())

    founded = await door.http.post(
        "/api/v1/operator/teams",
        json={"name": "Harbour Library", "kind": "library", "coordinator_name": "Cy"},
        headers={"X-Carrel-Operator-Key": OPERATOR_KEY, "X-Request-Id": sent_by_client},
    )

    request_id = founded.headers["x-request-id"]
    settings = TeamsSettings(
        pg_dsn=stack.pg_dsn,
        kafka_bootstrap=stack.kafka_bootstrap,
        teams_database="carrel_test",  # the database of conftest.py
        teams_schema=schemas["teams"],
    )
    reader = TeamsApplication(env=settings.application_env())
    try:
        events = list(reader.events.get(UUID(founded.json()["team_id"])))
    finally:
        reader.close()
    assert request_id != sent_by_client
    assert {str(vars(e)["correlation_id"]) for e in events} == {request_id}
