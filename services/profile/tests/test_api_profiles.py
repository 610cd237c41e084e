import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
from httpx import AsyncClient

from .support import ANCHORAGE, CATALOGUING, METADATA

pytestmark = pytest.mark.integration

PROFILES = "/api/v1/profiles"


async def new_profile(client: AsyncClient, name: str = "Ada Okafor") -> str:
    member = str(uuid4())
    answer = await client.post(PROFILES, json={"id": member, "display_name": name})
    assert answer.status_code == 201, answer.text
    return member


def errors(answer: Any) -> list[tuple[list[Any], str]]:
    return [(e["loc"], e["type"]) for e in answer.json()["detail"]]


async def test_a_profile_is_created_and_read_back_by_its_owner(
    client: AsyncClient,
) -> None:
    member = str(uuid4())

    created = await client.post(
        PROFILES,
        json={"display_name": "Ada"},
        headers={"X-Carrel-Member": member},
    )
    read = await client.get(f"{PROFILES}/{member}", headers={"X-Carrel-Member": member})

    assert created.status_code == 201
    assert created.headers["location"] == f"{PROFILES}/{member}"
    assert read.json()["id"] == member
    assert read.json()["version"] == 1
    assert read.json()["visibility"]["skills"] == "team"


async def test_each_section_command_records_one_version(client: AsyncClient) -> None:
    member = await new_profile(client)
    commands: list[tuple[str, dict[str, Any]]] = [
        (
            "details",
            {
                "display_name": "Ada",
                "institution": {"name": "Anchorage", "library_id": ANCHORAGE},
                "years_of_experience": 7,
                "degrees": [{"name": "MLIS", "library_degree": True}],
                "languages": ["en"],
            },
        ),
        ("skills", {"skills": [{"skill_id": CATALOGUING, "proficiency": 4}]}),
        ("interests", {"interests": ["zines", "local history"]}),
        ("learning-goals", {"skill_ids": [METADATA]}),
        ("aspirations", {"target_roles": ["metadata librarian"]}),
        (
            "location",
            {
                "city": "Anchorage",
                "region": "AK",
                "country": "US",
                "latitude": 61.19,
                "longitude": -149.88,
                "time_zone": "America/Anchorage",
            },
        ),
        (
            "mentoring",
            {
                "roles": ["mentor", "peer"],
                "mentor_capacity": 2,
                "meeting_preference": "remote",
                "place_weight": 0.2,
            },
        ),
        (
            "private-preferences",
            {"identities": ["first-generation"], "wants_shared_identity": True},
        ),
        ("availability", {"available": False, "paused_until": "2099-01-31"}),
        ("visibility", {"sections": {"location": "private"}}),
    ]

    for version, (section, body) in enumerate(commands, start=1):
        answer = await client.put(
            f"{PROFILES}/{member}/{section}", json={**body, "expected_version": version}
        )
        assert answer.status_code == 200, (section, answer.text)

    profile = (await client.get(f"{PROFILES}/{member}")).json()
    assert profile["version"] == 11
    assert profile["details"]["institution"]["name"] == "ANCHORAGE PUBLIC LIBRARY"
    assert profile["details"]["has_library_degree"] is True
    assert profile["skills"][0]["category"] == "cataloguing-metadata"
    assert profile["target_roles"] == ["Metadata Librarian"]
    assert profile["availability"] == {"available": False, "paused_until": "2099-01-31"}


async def test_a_stale_version_gets_409_and_changes_nothing(
    client: AsyncClient,
) -> None:
    member = await new_profile(client)
    await client.put(f"{PROFILES}/{member}/interests", json={"interests": ["maps"]})

    stale = await client.put(
        f"{PROFILES}/{member}/interests",
        json={"interests": ["zines"], "expected_version": 1},
    )

    assert stale.status_code == 409
    assert stale.json()["version"] == 2
    profile = (await client.get(f"{PROFILES}/{member}")).json()
    assert profile["interests"] == ["maps"]


@pytest.mark.parametrize(
    ("section", "body", "expected"),
    [
        (
            "skills",
            {"skills": [{"skill_id": "esco.juggling", "proficiency": 3}]},
            (["body", "skills", 0, "skill_id"], "unknown_skill"),
        ),
        (
            "skills",
            {"skills": [{"skill_id": CATALOGUING, "proficiency": 6}]},
            (["body", "skills", 0, "proficiency"], "less_than_equal"),
        ),
        (
            "skills",
            {"skills": [{"skill_id": CATALOGUING, "proficiency": "4"}]},
            (["body", "skills", 0, "proficiency"], "int_type"),
        ),
        (
            "location",
            {"latitude": 95.0, "longitude": 10.0},
            (["body", "latitude"], "less_than_equal"),
        ),
        ("location", {"latitude": 45.0}, (["body", "longitude"], "coordinates_pair")),
        (
            "mentoring",
            {"roles": ["mentor"], "mentor_capacity": -1},
            (["body", "mentor_capacity"], "greater_than_equal"),
        ),
        (
            "mentoring",
            {"roles": ["mentor"], "mentor_capacity": 500},
            (["body", "mentor_capacity"], "less_than_equal"),
        ),
        (
            "interests",
            {"interests": ["x" * 101]},
            (["body", "interests", 0], "string_too_long"),
        ),
        ("interests", {"interests": "maps"}, (["body", "interests"], "list_type")),
        (
            "interests",
            {"interests": [], "colour": "blue"},
            (["body", "colour"], "extra_forbidden"),
        ),
        (
            "details",
            {
                "display_name": "Ada",
                "institution": {"name": "Nowhere", "library_id": "ZZ:0"},
            },
            (["body", "institution", "library_id"], "unknown_library"),
        ),
        (
            "details",
            {"display_name": "Zed", "current_role": "a\u0000b"},
            (["body", "current_role"], "value_error"),
        ),
        (
            "interests",
            {"interests": ["maps\u0007"]},
            (["body", "interests"], "value_error"),
        ),
    ],
)
async def test_bad_input_gets_422_naming_the_field_and_the_rule_and_records_nothing(
    client: AsyncClient, section: str, body: dict[str, Any], expected: tuple[Any, str]
) -> None:
    member = await new_profile(client)

    answer = await client.put(f"{PROFILES}/{member}/{section}", json=body)

    assert answer.status_code == 422
    assert expected in errors(answer)
    assert (await client.get(f"{PROFILES}/{member}")).json()["version"] == 1


async def test_a_lone_surrogate_is_a_422_that_can_be_written(
    client: AsyncClient,
) -> None:
    member = await new_profile(client)

    answer = await client.put(
        f"{PROFILES}/{member}/details",
        content=b'{"display_name": "\\ud800 Bad"}',
        headers={"content-type": "application/json"},
    )

    assert answer.status_code == 422, answer.text
    assert (["body", "display_name"], "string_unicode") in errors(answer)
    assert "\\ud800" in answer.text
    assert (await client.get(f"{PROFILES}/{member}")).json()["version"] == 1


async def test_an_oversized_body_gets_413(client: AsyncClient) -> None:
    member = await new_profile(client)

    answer = await client.put(
        f"{PROFILES}/{member}/private-preferences",
        json={"note": "x" * 100_000},
    )

    assert answer.status_code == 413
    assert (await client.get(f"{PROFILES}/{member}")).json()["version"] == 1


async def test_an_oversized_body_sent_in_chunks_gets_413_not_400(
    client: AsyncClient,
) -> None:
    member = await new_profile(client)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"note": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    answer = await client.put(
        f"{PROFILES}/{member}/private-preferences",
        content=chunks(),
        headers={"content-type": "application/json"},
    )

    assert answer.status_code == 413
    assert answer.json()["detail"][0]["type"] == "body_too_large"
    assert (await client.get(f"{PROFILES}/{member}")).json()["version"] == 1


async def test_simultaneous_saves_at_one_version_let_exactly_one_win(
    client: AsyncClient,
) -> None:
    member = await new_profile(client)

    answers = await asyncio.gather(
        *(
            client.put(
                f"{PROFILES}/{member}/interests",
                json={"interests": [f"topic {i}"], "expected_version": 1},
            )
            for i in range(6)
        )
    )

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200, 409, 409, 409, 409, 409]
    winner = next(a.json() for a in answers if a.status_code == 200)
    profile = (await client.get(f"{PROFILES}/{member}")).json()
    assert profile["version"] == 2
    assert profile["interests"] == winner["interests"]


async def test_simultaneous_saves_without_a_version_are_all_applied(
    client: AsyncClient,
) -> None:
    """Found by the soak: a write that collided answered 409 to a client that
    had asked for no version check."""
    member = await new_profile(client)

    answers = await asyncio.gather(
        *(
            client.put(f"{PROFILES}/{member}/interests", json={"interests": [f"t{i}"]})
            for i in range(3)
        )
    )

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert (await client.get(f"{PROFILES}/{member}")).json()["version"] == 4


async def test_a_free_career_aspiration_is_kept_and_marked_as_not_known(
    client: AsyncClient,
) -> None:
    member = await new_profile(client)

    answer = await client.put(
        f"{PROFILES}/{member}/aspirations",
        json={"target_roles": ["metadata librarian", "Chief Wizard"]},
    )

    assert answer.status_code == 200
    assert answer.json()["target_roles"] == ["Metadata Librarian", "Chief Wizard"]
    assert answer.json()["known_titles"] == ["Metadata Librarian"]
    await client.put(
        f"{PROFILES}/{member}/visibility",
        json={"sections": {"aspirations": "private"}},
    )
    public = (await client.get(f"{PROFILES}/{member}/public?viewer_scope=team")).json()
    assert public["target_roles"] is None and public["known_titles"] is None


async def test_an_unknown_profile_is_404(client: AsyncClient) -> None:
    answer = await client.put(f"{PROFILES}/{uuid4()}/interests", json={"interests": []})

    assert answer.status_code == 404


async def test_another_member_may_not_change_or_read_a_profile(
    client: AsyncClient,
) -> None:
    member = await new_profile(client)
    stranger = {"X-Carrel-Member": str(uuid4())}

    changed = await client.put(
        f"{PROFILES}/{member}/interests", json={"interests": []}, headers=stranger
    )
    read = await client.get(f"{PROFILES}/{member}", headers=stranger)

    assert (changed.status_code, read.status_code) == (403, 403)


async def test_the_public_view_hides_what_the_viewer_may_not_see(
    client: AsyncClient,
) -> None:
    member = await new_profile(client)
    await client.put(f"{PROFILES}/{member}/interests", json={"interests": ["maps"]})
    await client.put(
        f"{PROFILES}/{member}/private-preferences",
        json={"identities": ["queer"], "wants_shared_identity": True},
    )
    await client.put(
        f"{PROFILES}/{member}/visibility",
        json={"sections": {"interests": "consortium", "location": "private"}},
    )

    team = (await client.get(f"{PROFILES}/{member}/public?viewer_scope=team")).json()
    consortium = (
        await client.get(f"{PROFILES}/{member}/public?viewer_scope=consortium")
    ).json()

    assert team["interests"] == ["maps"] and team["location"] is None
    assert team["skills"] == []
    assert consortium["interests"] == ["maps"] and consortium["skills"] is None
    assert "private_preferences" not in team and "private_preferences" not in consortium
    assert "queer" not in str(team) + str(consortium)


async def test_an_erased_profile_is_gone_and_takes_no_more_commands(
    client: AsyncClient,
) -> None:
    member = await new_profile(client)

    erased = await client.delete(f"{PROFILES}/{member}?expected_version=1")
    read = await client.get(f"{PROFILES}/{member}")
    public = await client.get(f"{PROFILES}/{member}/public")
    changed = await client.put(f"{PROFILES}/{member}/interests", json={"interests": []})
    again = await client.post(PROFILES, json={"id": member, "display_name": "Ada"})

    assert erased.status_code == 204
    assert (read.status_code, public.status_code, changed.status_code) == (
        410,
        410,
        410,
    )
    assert again.status_code == 409


async def test_lookups_answer_from_the_vocabulary_and_the_library_survey(
    client: AsyncClient,
) -> None:
    skills = (await client.get("/api/v1/skills", params={"q": "catalog"})).json()
    normalised = (
        await client.post("/api/v1/skills/normalise", json={"text": "metadata"})
    ).json()
    titles = (await client.get("/api/v1/job-titles", params={"q": "archiv"})).json()
    libraries = (
        await client.get("/api/v1/institutions", params={"q": "anchorage"})
    ).json()

    assert skills[0]["skill"]["id"] == CATALOGUING
    assert normalised[0]["category_label"] == "Cataloguing & metadata"
    assert "Archivist" in titles
    assert libraries[0]["id"] == ANCHORAGE


async def test_the_service_reports_itself_ready(client: AsyncClient) -> None:
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/health/ready")).json() == {"status": "ready"}
