"""The list of a member's mentorships and the read of one member, over HTTP."""

from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
import pytest
from carrel_teams.application import TeamsApplication
from carrel_teams.settings import TeamsSettings
from carrel_teams.testing import (
    ApiProgramme,
    as_member,
    start_consortium,
    start_programme,
)
from psycopg import sql

pytestmark = pytest.mark.integration


def ask(
    client: httpx.Client, programme: ApiProgramme, mentee: UUID, mentor: UUID
) -> dict[str, Any]:
    answer = client.post(
        f"/api/v1/teams/{programme.team_id}/mentorships",
        json={"mentor_id": str(mentor), "message": "About cataloguing"},
        headers=as_member(mentee),
    )
    answer.raise_for_status()
    made: dict[str, Any] = answer.json()
    return made


def listed(
    client: httpx.Client, team_id: UUID, viewer: UUID, **query: str | int
) -> httpx.Response:
    return client.get(
        f"/api/v1/teams/{team_id}/mentorships",
        params=query,
        headers=as_member(viewer),
    )


def test_a_member_lists_their_own_mentorships_with_the_other_party(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    mentor = api_programme.mentors[0]
    first, second = api_programme.mentees[:2]
    made = ask(client, api_programme, first, mentor)
    ask(client, api_programme, second, api_programme.mentors[1])
    client.post(
        f"/api/v1/mentorships/{made['id']}/accept", json={}, headers=as_member(mentor)
    ).raise_for_status()

    for_mentee = listed(client, api_programme.team_id, first).json()
    for_mentor = listed(client, api_programme.team_id, mentor).json()

    assert for_mentee["total"] == 1
    [row] = for_mentee["mentorships"]
    assert (row["id"], row["status"], row["side"]) == (made["id"], "accepted", "mentee")
    assert row["other_party_id"] == str(mentor)
    assert row["message"] == "About cataloguing"
    assert row["version"] == 2 and row["updated_at"] > row["created_at"]
    [mine] = for_mentor["mentorships"]
    assert (mine["side"], mine["other_party_id"]) == ("mentor", str(first))


def test_a_coordinator_lists_one_members_or_everyones_without_their_words(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    coordinator, team_id = api_programme.coordinator, api_programme.team_id
    mentors = api_programme.mentors * 2
    for index, mentee in enumerate(api_programme.mentees):
        ask(client, api_programme, mentee, mentors[index])

    everyone = listed(client, team_id, coordinator, all="true").json()
    one = listed(client, team_id, coordinator, member=str(api_programme.mentors[0]))
    own = listed(client, team_id, coordinator).json()

    assert everyone["total"] == 3
    assert {r["side"] for r in everyone["mentorships"]} == {None}
    assert {r["message"] for r in everyone["mentorships"]} == {None}
    assert one.json()["total"] == 2
    assert {r["side"] for r in one.json()["mentorships"]} == {"mentor"}
    assert own["total"] == 0


def test_only_a_coordinator_lists_another_members_or_everyones(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    mentee, team_id = api_programme.mentees[0], api_programme.team_id

    others = listed(client, team_id, mentee, member=str(api_programme.mentees[1]))
    everyone = listed(client, team_id, mentee, all="true")
    unknown_team = listed(client, uuid4(), mentee)

    assert (others.status_code, everyone.status_code) == (403, 403)
    assert unknown_team.status_code == 404


def test_the_list_comes_in_pages_most_recently_changed_first(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    mentee, team_id = api_programme.mentees[0], api_programme.team_id
    made = [ask(client, api_programme, mentee, m)["id"] for m in api_programme.mentors]

    first = listed(client, team_id, mentee, limit=1).json()
    second = listed(client, team_id, mentee, limit=1, offset=1).json()
    too_many = listed(client, team_id, mentee, limit=1000)

    assert (first["total"], first["limit"], first["offset"]) == (2, 1, 0)
    assert [first["mentorships"][0]["id"], second["mentorships"][0]["id"]] == [
        made[1],
        made[0],
    ]
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["query", "limit"]


def test_a_mentor_from_another_team_finds_the_request_in_their_own_teams_list(
    teams_settings: TeamsSettings,
) -> None:
    teams = TeamsApplication(env=teams_settings.application_env())
    home, afar = start_programme(teams), start_programme(teams)
    start_consortium(teams, home, afar)
    mentor = home.mentors[0]
    asked = teams.request_mentorship(
        afar.team.id, afar.mentees[0], mentor, "hi", [], uuid4()
    )

    page = teams.mentorships_in(home.team.id, mentor, None, False, (10, 0))
    teams.close()

    [row] = page.rows
    assert (row.mentorship_id, row.team_id, row.mentor_team_id) == (
        asked.id,
        afar.team.id,
        home.team.id,
    )


def test_the_read_tables_are_rebuilt_from_the_event_log(
    teams_settings: TeamsSettings, stack: Any
) -> None:
    teams = TeamsApplication(env=teams_settings.application_env())
    home, afar = start_programme(teams), start_programme(teams)
    start_consortium(teams, home, afar)
    asked = teams.request_mentorship(
        afar.team.id, afar.mentees[0], home.mentors[0], "hi", [], uuid4()
    )
    schema = sql.Identifier(teams_settings.teams_schema)
    with psycopg.connect(stack.database_dsn("carrel_test"), autocommit=True) as db:
        for table in ("teams_mentorships", "teams_consortium_member_teams"):
            db.execute(
                sql.SQL("DELETE FROM {}.{}").format(schema, sql.Identifier(table))
            )

    lost = teams.mentorships_in(afar.team.id, afar.mentees[0], None, False, (10, 0))
    written = teams.rebuild_read_tables(batch=3)
    found = teams.mentorships_in(afar.team.id, afar.mentees[0], None, False, (10, 0))
    teams.close()

    assert lost.total == 0
    assert written == 3  # one mentorship, two member teams
    assert [row.mentorship_id for row in found.rows] == [asked.id]


def test_one_member_is_read_with_roles_and_capacity_and_a_stranger_is_not_found(
    client: httpx.Client, api_programme: ApiProgramme
) -> None:
    url = f"/api/v1/teams/{api_programme.team_id}/members"
    mentor = api_programme.mentors[0]

    found = client.get(f"{url}/{mentor}")
    stranger = client.get(f"{url}/{uuid4()}")
    no_team = client.get(f"/api/v1/teams/{uuid4()}/members/{mentor}")

    assert found.json() == {
        "person_id": str(mentor),
        "roles": ["mentor"],
        "mentor_capacity": 1,
    }
    assert (stranger.status_code, no_team.status_code) == (404, 404)


def test_a_store_holding_an_open_pair_twice_still_starts_without_the_index(
    teams_settings: TeamsSettings,
) -> None:
    teams = TeamsApplication(env=teams_settings.application_env())
    programme = start_programme(teams)
    first = teams.request_mentorship(
        programme.team.id, programme.mentees[0], programme.mentors[0], "hi", [], uuid4()
    )
    schema = sql.Identifier(teams_settings.teams_schema)
    dsn = teams_settings.database_dsn(teams_settings.teams_database)
    with psycopg.connect(dsn) as connection:
        connection.execute(
            sql.SQL("DROP INDEX {}.teams_mentorships_open_pair").format(schema)
        )
        connection.execute(
            sql.SQL(
                "INSERT INTO {}.teams_mentorships SELECT %s, version, team_id,"
                " mentor_team_id, mentee_id, mentor_id, status, choice, message,"
                " expires_at, created_at, updated_at FROM {}.teams_mentorships"
                " WHERE mentorship_id = %s"
            ).format(schema, schema),
            (uuid4(), first.id),
        )

    restarted = TeamsApplication(env=teams_settings.application_env())

    mine = restarted.mentorships_in(
        programme.team.id, programme.mentees[0], None, False, (50, 0)
    )
    assert mine.total == 2
    for application in (teams, restarted):
        application.close()
