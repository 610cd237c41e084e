from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from carrel_events.contracts import profile, teams
from carrel_resources.entrypoints.http import create_app
from carrel_resources.entrypoints.wiring import build_application
from carrel_resources.settings import ResourcesSettings
from httpx import ASGITransport, AsyncClient

pytestmark = pytest.mark.integration

# The ``teams_feed`` fixture (conftest.py) feeds teams and profile events to
# the directory through the consumer's handler, as Kafka would.
TeamsFeed = Any

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 100


class Team:
    def __init__(self, feed: TeamsFeed) -> None:
        self.id, self.coordinator, self.ada, self.bo = (uuid4() for _ in range(4))
        feed.join(self.id, self.coordinator, "coordinator")
        feed.join(self.id, self.ada, "mentee")
        feed.join(self.id, self.bo, "mentor")

    def acting(self, member: UUID) -> dict[str, str]:
        return {"X-Carrel-Member": str(member), "X-Request-Id": str(uuid4())}


@pytest.fixture
async def client(pg_settings: ResourcesSettings) -> AsyncIterator[AsyncClient]:
    application = build_application(pg_settings)
    transport = ASGITransport(create_app(pg_settings, application))
    async with AsyncClient(transport=transport, base_url="http://resources") as client:
        yield client
    application.close()


async def publish(
    client: AsyncClient, team: Team, files: dict[str, tuple[str, bytes]] | None = None
) -> dict[str, object]:
    response = await client.post(
        f"/api/v1/teams/{team.id}/materials",
        data={
            "title": "Our metadata handbook",
            "body_markdown": "How we describe **maps**.",
            "links": '[{"url": "https://example.org/rda/", "title": "RDA"}]',
            "skill_ids": ["esco.develop-information-standards"],
        },
        files=files,
        headers=team.acting(team.coordinator),
    )
    assert response.status_code == 201, response.text
    answer: dict[str, object] = response.json()
    return answer


async def entry(client: AsyncClient, url: str) -> str:
    response = await client.post(
        "/api/v1/catalogue/entries",
        json={
            "url": url,
            "title": "Linked data for beginners",
            "resource_type": "tutorial",
            "topics": ["Linked Open Data in Library Use Today"],
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_coordinator_publishes_material_with_a_file_kept_by_its_hash(
    client: AsyncClient, teams_feed: TeamsFeed
) -> None:
    team = Team(teams_feed)

    material = await publish(client, team, {"file": ("guide.pdf", PDF)})

    attachment = material["attachment"]
    assert isinstance(attachment, dict)
    assert attachment["media_type"] == "application/pdf"
    assert attachment["size_bytes"] == len(PDF)
    assert material["links"] == [{"url": "https://example.org/rda", "title": "RDA"}]
    first_tag = material["skill_tags"][0]  # type: ignore[index]
    assert first_tag["because"].startswith("chosen by the coordinator")
    download = await client.get(
        f"/api/v1/teams/{team.id}/materials/{material['id']}/attachment"
    )
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    ("file", "status"),
    [
        (("big.pdf", PDF + b"0" * 70_000), 413),
        (("tool.pdf", b"MZ\x90\x00" + b"\x00" * 64), 415),
    ],
)
async def test_a_file_too_large_or_of_a_refused_type_records_nothing(
    client: AsyncClient, teams_feed: TeamsFeed, file: tuple[str, bytes], status: int
) -> None:
    team = Team(teams_feed)

    response = await client.post(
        f"/api/v1/teams/{team.id}/materials",
        data={"title": "Handbook"},
        files={"file": file},
        headers=team.acting(team.coordinator),
    )

    assert response.status_code == status
    listing = await client.get(f"/api/v1/teams/{team.id}/resources")
    assert listing.json()["total"] == 0


async def test_a_request_over_the_body_limit_is_refused_before_reading(
    client: AsyncClient, teams_feed: TeamsFeed
) -> None:
    team = Team(teams_feed)

    response = await client.post(
        f"/api/v1/teams/{team.id}/materials",
        data={"title": "Handbook"},
        files={"file": ("huge.txt", b"a" * 300_000)},
        headers=team.acting(team.coordinator),
    )

    assert response.status_code == 413


async def test_a_chunked_upload_over_the_body_limit_is_refused_as_it_streams(
    client: AsyncClient, teams_feed: TeamsFeed, pg_settings: ResourcesSettings
) -> None:
    team, boundary, chunk = Team(teams_feed), "carrel-upload", 16 * 1024
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="title"\r\n\r\nHandbook\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="huge.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    parts = [head, PDF, *[b"0" * chunk] * 64, f"\r\n--{boundary}--\r\n".encode()]
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for part in parts:
            pulled += len(part)
            yield part

    response = await client.post(
        f"/api/v1/teams/{team.id}/materials",
        content=body(),
        headers={
            "content-type": f"multipart/form-data; boundary={boundary}",
            **team.acting(team.coordinator),
        },
    )

    assert response.status_code == 413
    assert response.json()["detail"][0]["type"] == "body_too_large"
    assert pulled <= pg_settings.max_request_bytes + chunk
    listing = await client.get(f"/api/v1/teams/{team.id}/resources")
    assert listing.json()["total"] == 0


async def test_a_malformed_link_answers_422_naming_it(
    client: AsyncClient, teams_feed: TeamsFeed
) -> None:
    team = Team(teams_feed)

    response = await client.post(
        f"/api/v1/teams/{team.id}/materials",
        data={
            "title": "Handbook",
            "links": '[{"url": "https://ok.org"}, {"url": "nope"}]',
        },
        headers=team.acting(team.coordinator),
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "links", 1, "url"]


async def test_a_mentee_cannot_publish(
    client: AsyncClient, teams_feed: TeamsFeed
) -> None:
    team = Team(teams_feed)

    response = await client.post(
        f"/api/v1/teams/{team.id}/materials",
        data={"title": "Handbook"},
        headers=team.acting(team.ada),
    )

    assert response.status_code == 403


async def test_sharing_with_a_group_records_each_recipient_s_progress(
    client: AsyncClient, teams_feed: TeamsFeed
) -> None:
    team, group = Team(teams_feed), uuid4()
    teams_feed.send(
        group,
        team.id,
        teams.GroupCreated(
            name="Map people",
            member_ids=[team.ada, team.bo],
            origin="manual",
            created_by=team.coordinator,
        ),
    )
    resource_id = await entry(client, f"https://example.org/{uuid4()}")

    shared = await client.post(
        f"/api/v1/teams/{team.id}/shares",
        json={
            "resource_id": resource_id,
            "audience": {"kind": "group", "group_id": str(group)},
            "note": "Before our next meeting",
        },
        headers=team.acting(team.coordinator),
    )
    assert shared.status_code == 201, shared.text
    share_id = shared.json()["id"]
    progress = f"/api/v1/teams/{team.id}/resources/{resource_id}"
    opened = await client.post(f"{progress}/opening", headers=team.acting(team.ada))
    done = await client.post(f"{progress}/completion", headers=team.acting(team.bo))

    assert opened.json()["state"] == "opened" and done.json()["state"] == "completed"
    states = (await client.get(f"/api/v1/teams/{team.id}/shares/{share_id}")).json()
    assert {r["member_id"]: r["state"] for r in states["recipients"]} == {
        str(team.ada): "opened",
        str(team.bo): "completed",
    }
    received = await client.get(f"/api/v1/teams/{team.id}/members/{team.ada}/received")
    assert [r["note"] for r in received.json()] == ["Before our next meeting"]


async def share_with_group(
    client: AsyncClient, team: Team, resource_id: str, group: UUID
) -> dict[str, Any]:
    shared = await client.post(
        f"/api/v1/teams/{team.id}/shares",
        json={
            "resource_id": resource_id,
            "audience": {"kind": "group", "group_id": str(group)},
        },
        headers=team.acting(team.coordinator),
    )
    assert shared.status_code == 201, shared.text
    answer: dict[str, Any] = shared.json()
    return answer


def recipients(share: dict[str, Any]) -> set[str]:
    return {r["member_id"] for r in share["recipients"]}


async def test_a_group_share_reaches_the_members_the_group_had_when_shared(
    client: AsyncClient, teams_feed: TeamsFeed
) -> None:
    team, group, cy, di = Team(teams_feed), uuid4(), uuid4(), uuid4()
    teams_feed.join(team.id, cy)
    teams_feed.join(team.id, di)
    created = teams.GroupCreated(
        name="Map people",
        member_ids=[team.ada, team.bo],
        origin="manual",
        created_by=team.coordinator,
    )
    teams_feed.send(group, team.id, created)
    by = team.coordinator
    teams_feed.send(group, team.id, teams.GroupMemberAdded(person_id=cy, added_by=by))
    resource_id = await entry(client, f"https://example.org/{uuid4()}")

    share = await share_with_group(client, team, resource_id, group)
    teams_feed.send(
        group, team.id, teams.GroupMemberRemoved(person_id=team.ada, removed_by=by)
    )
    teams_feed.send(group, team.id, teams.GroupMemberAdded(person_id=di, added_by=by))

    shared_then = {str(team.ada), str(team.bo), str(cy)}
    assert recipients(share) == shared_then
    later = await client.get(f"/api/v1/teams/{team.id}/shares/{share['id']}")
    assert recipients(later.json()) == shared_then
    ada = await client.get(f"/api/v1/teams/{team.id}/members/{team.ada}/received")
    newcomer = await client.get(f"/api/v1/teams/{team.id}/members/{di}/received")
    assert [r["share_id"] for r in ada.json()] == [share["id"]]
    assert newcomer.json() == []
    again = await share_with_group(client, team, resource_id, group)
    assert recipients(again) == {str(team.bo), str(cy), str(di)}


async def test_a_recipient_completes_an_entry_retired_after_it_was_shared(
    client: AsyncClient, teams_feed: TeamsFeed
) -> None:
    team = Team(teams_feed)
    resource_id = await entry(client, f"https://example.org/{uuid4()}")
    shared = await client.post(
        f"/api/v1/teams/{team.id}/shares",
        json={
            "resource_id": resource_id,
            "audience": {"kind": "members", "member_ids": [str(team.ada)]},
        },
        headers=team.acting(team.coordinator),
    )
    assert shared.status_code == 201, shared.text
    retired = await client.post(
        f"/api/v1/catalogue/entries/{resource_id}/retirement",
        json={"reason": "dead link", "expected_version": 1},
    )
    assert retired.status_code == 200, retired.text
    progress = f"/api/v1/teams/{team.id}/resources/{resource_id}"

    done = await client.post(f"{progress}/completion", headers=team.acting(team.ada))
    not_shared = await client.post(f"{progress}/opening", headers=team.acting(team.bo))

    assert done.status_code == 200 and done.json()["state"] == "completed"
    assert not_shared.status_code == 404
    received = await client.get(f"/api/v1/teams/{team.id}/members/{team.ada}/received")
    assert received.json()[0]["state"] == "completed"


async def test_unknown_audience_ids_answer_422_naming_them(
    client: AsyncClient, teams_feed: TeamsFeed
) -> None:
    team, stranger, no_group = Team(teams_feed), uuid4(), uuid4()
    resource_id = await entry(client, f"https://example.org/{uuid4()}")
    url = f"/api/v1/teams/{team.id}/shares"

    members = await client.post(
        url,
        json={
            "resource_id": resource_id,
            "audience": {
                "kind": "members",
                "member_ids": [str(team.ada), str(stranger)],
            },
        },
        headers=team.acting(team.coordinator),
    )
    group = await client.post(
        url,
        json={
            "resource_id": resource_id,
            "audience": {"kind": "group", "group_id": str(no_group)},
        },
        headers=team.acting(team.coordinator),
    )
    resource = await client.post(
        url,
        json={"resource_id": str(uuid4()), "audience": {"kind": "team"}},
        headers=team.acting(team.coordinator),
    )

    assert members.status_code == 422 and str(stranger) in members.text
    assert members.json()["detail"][0]["loc"] == ["body", "audience", "member_ids", 1]
    assert group.status_code == 422 and str(no_group) in group.text
    assert resource.status_code == 422
    assert resource.json()["detail"][0]["loc"] == ["body", "resource_id"]
    received = await client.get(f"/api/v1/teams/{team.id}/members/{team.ada}/received")
    assert received.json() == []


async def test_recommendations_use_the_profile_s_goals_and_drop_completed_ones(
    client: AsyncClient, teams_feed: TeamsFeed
) -> None:
    team = Team(teams_feed)
    goal = "esco.develop-information-standards"
    teams_feed.send(team.ada, None, profile.LearningGoalsUpdated(skill_ids=[goal]))
    material = await publish(client, team)
    done = await entry(client, f"https://example.org/{uuid4()}")
    await client.post(
        f"/api/v1/teams/{team.id}/resources/{done}/completion",
        headers=team.acting(team.ada),
    )

    answer = await client.get(
        f"/api/v1/teams/{team.id}/members/{team.ada}/recommendations"
    )

    body = answer.json()
    assert body["goals"] == [goal] and body["goals_from"] == "profile"
    ids = [r["resource_id"] for r in body["recommendations"]]
    assert ids == [material["id"]]
    assert body["recommendations"][0]["reasons"][0].startswith(
        "covers your goal 'develop information standards': chosen by the coordinator"
    )


async def test_a_member_of_another_team_cannot_open_its_material(
    client: AsyncClient, teams_feed: TeamsFeed
) -> None:
    team, other = Team(teams_feed), Team(teams_feed)
    material = await publish(client, team)

    response = await client.post(
        f"/api/v1/teams/{other.id}/resources/{material['id']}/opening",
        headers=other.acting(other.ada),
    )

    assert response.status_code == 404
