"""Invitations and the CSV import through HTTP, on the real PostgreSQL."""

from uuid import UUID, uuid4

import httpx
import pytest
from carrel_teams.application import TeamsApplication
from carrel_teams.testing import ApiProgramme, as_member
from fastapi import FastAPI

pytestmark = pytest.mark.integration

CSV = (
    "name,email,role\n"
    "Ada Lovelace,ada@example.org,mentor\n"
    "Grace Hopper,grace@example.org,mentor;mentee\n"
    "No Address,,mentee\n"
    "Bad Address,grace at example.org,mentee\n"
    "Unknown Role,kim@example.org,director\n"
    "Ada Again,ADA@example.org,mentee\n"
    "Already Invited,pending@example.org,mentee\n"
)


def import_csv(
    client: httpx.Client, programme: ApiProgramme, text: str
) -> httpx.Response:
    return client.post(
        f"/api/v1/teams/{programme.team_id}/invitations/import",
        content=text.encode(),
        headers=as_member(programme.coordinator) | {"content-type": "text/csv"},
    )


def test_the_import_answers_for_every_row(
    client: httpx.Client, api_programme: ApiProgramme, app: FastAPI
) -> None:
    client.post(
        f"/api/v1/teams/{api_programme.team_id}/invitations",
        json={"name": "P", "email": "pending@example.org", "roles": ["mentee"]},
        headers=as_member(api_programme.coordinator),
    ).raise_for_status()

    answer = import_csv(client, api_programme, CSV)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    rows = {row["row"]: row for row in body["rows"]}
    assert (body["accepted"], body["rejected"]) == (2, 5)
    assert sorted(rows) == [2, 3, 4, 5, 6, 7, 8]
    assert rows[2]["status"] == rows[3]["status"] == "accepted"
    assert rows[4]["reason"] == "missing email"
    assert rows[5]["reason"].startswith("malformed email")
    assert rows[6]["reason"].startswith("unknown role 'director'")
    assert rows[7]["reason"] == "duplicate of row 2"
    assert rows[8]["reason"] == "the address already has a pending invitation"
    teams: TeamsApplication = app.state.teams
    outbox = {m.email for m in teams.mailer_messages(api_programme.team_id)}
    assert {"ada@example.org", "grace@example.org"} <= outbox


def test_the_same_file_imported_twice_invites_nobody_twice(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    text = "name,email,role\nAda,ada@example.org,mentor\n"

    first = import_csv(client, api_programme, text).json()
    second = import_csv(client, api_programme, text).json()

    assert first["accepted"] == 1
    assert second["rows"] == [
        {
            "row": 2,
            "status": "rejected",
            "reason": "the address already has a pending invitation",
            "invitation_id": None,
            "link": None,
        }
    ]


def test_the_import_takes_a_multipart_upload(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = client.post(
        f"/api/v1/teams/{api_programme.team_id}/invitations/import",
        files={
            "file": ("people.csv", b"name,email,role\nAda,ada@example.org,mentee\n")
        },
        headers=as_member(api_programme.coordinator),
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1


def test_a_file_without_the_header_is_refused_whole(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = import_csv(client, api_programme, "Ada,ada@example.org,mentor\n")

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "file"]


def test_only_coordinators_import(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = client.post(
        f"/api/v1/teams/{api_programme.team_id}/invitations/import",
        content=b"name,email,role\nAda,ada@example.org,mentee\n",
        headers=as_member(api_programme.mentors[0]) | {"content-type": "text/csv"},
    )

    assert answer.status_code == 403


def test_a_malformed_address_is_named_in_a_single_invitation(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = client.post(
        f"/api/v1/teams/{api_programme.team_id}/invitations",
        json={"name": "Ada", "email": "ada-at-example", "roles": ["mentee"]},
        headers=as_member(api_programme.coordinator),
    )

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "email"]


def test_a_role_named_twice_in_an_invitation_is_refused(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = client.post(
        f"/api/v1/teams/{api_programme.team_id}/invitations",
        json={"name": "Ada", "email": "ada@example.org", "roles": ["mentee"] * 3},
        headers=as_member(api_programme.coordinator),
    )

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "roles"]
    assert "once" in answer.json()["detail"][0]["msg"]


def test_a_resent_invitation_retires_the_old_token_and_a_revoked_one_fails(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    coordinator = as_member(api_programme.coordinator)
    invited = client.post(
        f"/api/v1/teams/{api_programme.team_id}/invitations",
        json={"name": "Ada", "email": "ada@example.org", "roles": ["mentee"]},
        headers=coordinator,
    ).json()
    url = f"/api/v1/invitations/{invited['id']}"

    resent = client.post(
        f"{url}/resend", json={"expected_version": 1}, headers=coordinator
    )
    stale = client.post(
        f"{url}/revoke", json={"expected_version": 1}, headers=coordinator
    )
    revoked = client.post(
        f"{url}/revoke", json={"expected_version": 2}, headers=coordinator
    )
    new_token = resent.json()["link"].rsplit("token=", 1)[1]
    accepted = client.post(
        f"{url}/accept", json={"token": new_token}, headers=as_member(uuid4())
    )
    state = client.get(url, headers=coordinator).json()

    assert resent.status_code == 200 and resent.json()["link"] != invited["link"]
    assert stale.status_code == 409 and revoked.status_code == 200
    assert accepted.status_code == 422
    assert state["status"] == "revoked"


def test_the_mailer_outbox_row_is_written_with_the_invitation(
    client: httpx.Client, api_programme: ApiProgramme, app: FastAPI
) -> None:
    invited = client.post(
        f"/api/v1/teams/{api_programme.team_id}/invitations",
        json={"name": "Ada", "email": "Ada@Example.org", "roles": ["mentee"]},
        headers=as_member(api_programme.coordinator),
    ).json()
    teams: TeamsApplication = app.state.teams

    [message] = [
        m
        for m in teams.mailer_messages(api_programme.team_id)
        if m.invitation_id == UUID(invited["id"])
    ]

    assert (message.email, message.name, message.link) == (
        "ada@example.org",
        "Ada",
        invited["link"],
    )
    assert message.sent_at is None


def test_an_unclosed_quote_costs_one_row_and_a_giant_field_one_more(
    client: httpx.Client, api_programme: ApiProgramme, app: FastAPI
) -> None:
    text = (
        "name,email,role\n"
        'Ada,"ada@example.org,mentor\n'
        "Bob,bob@example.org,mentee\n"
        f"{'A' * 140_000},giant@example.org,mentee\n"
        "Cy,cy@example.org,mentee\n"
    )

    answer = import_csv(client, api_programme, text)

    assert answer.status_code == 200, answer.text[:300]
    rows = {row["row"]: row for row in answer.json()["rows"]}
    assert sorted(rows) == [2, 3, 4, 5]
    assert rows[2]["reason"].startswith("unterminated quote")
    assert rows[4]["reason"] == "row longer than 10000 characters"
    assert rows[3]["status"] == rows[5]["status"] == "accepted"
    teams: TeamsApplication = app.state.teams
    outbox = {m.email for m in teams.mailer_messages(api_programme.team_id)}
    assert {"bob@example.org", "cy@example.org"} <= outbox
    assert not {"ada@example.org", "giant@example.org"} & outbox


def test_a_lone_surrogate_in_a_name_is_a_422_that_can_be_written(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    answer = client.post(
        f"/api/v1/teams/{api_programme.team_id}/invitations",
        content=(
            b'{"name": "\\ud800", "email": "sur@example.org", "roles": ["mentee"]}'
        ),
        headers=as_member(api_programme.coordinator)
        | {"content-type": "application/json"},
    )

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", "name"]
    assert "\\ud800" in answer.text
