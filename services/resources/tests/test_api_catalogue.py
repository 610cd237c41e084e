from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from carrel_resources.adapters.liber import read_liber
from carrel_resources.entrypoints.http import create_app
from carrel_resources.entrypoints.seed import main as seed_main
from carrel_resources.entrypoints.wiring import build_application
from carrel_resources.settings import ResourcesSettings
from httpx import ASGITransport, AsyncClient

pytestmark = pytest.mark.integration

OPERATOR = {"X-Carrel-Member": str(uuid4())}


@pytest.fixture
async def client(pg_settings: ResourcesSettings) -> AsyncIterator[AsyncClient]:
    application = build_application(pg_settings)
    transport = ASGITransport(create_app(pg_settings, application))
    async with AsyncClient(transport=transport, base_url="http://resources") as client:
        yield client
    application.close()


async def add(client: AsyncClient, url: str, **fields: object) -> dict[str, object]:
    body = {"url": url, "title": "Introduction to SPARQL", "resource_type": "tutorial"}
    response = await client.post(
        "/api/v1/catalogue/entries", json=body | fields, headers=OPERATOR
    )
    assert response.status_code == 201, response.text
    answer: dict[str, object] = response.json()
    return answer


async def test_an_operator_adds_an_entry_tagged_with_explained_skills(
    client: AsyncClient,
) -> None:
    entry = await add(
        client,
        "https://Example.org/sparql/",
        topics=["Linked Open Data in Library Use Today"],
    )

    assert entry["url"] == "https://example.org/sparql"
    assert entry["version"] == 1
    tags = entry["skill_tags"]
    assert isinstance(tags, list) and tags
    assert all(t["because"] for t in tags)
    assert any("topic 'Linked Open Data" in t["because"] for t in tags)


async def test_a_duplicate_url_answers_409_naming_the_existing_entry(
    client: AsyncClient,
) -> None:
    entry = await add(client, "https://example.org/guide")

    again = await client.post(
        "/api/v1/catalogue/entries",
        json={
            "url": "https://EXAMPLE.org/guide/#top",
            "title": "x",
            "resource_type": "reading",
        },
    )

    assert again.status_code == 409
    assert again.json()["existing_id"] == entry["id"]
    assert again.json()["retired"] is False


async def test_a_malformed_url_answers_422_naming_the_field_and_records_nothing(
    client: AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/catalogue/entries",
        json={"url": "not a url", "title": "x", "resource_type": "reading"},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "url"]
    assert (await client.get("/api/v1/catalogue/entries")).json()["total"] == 0


async def test_an_unknown_resource_type_answers_422(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/catalogue/entries",
        json={"url": "https://example.org", "title": "x", "resource_type": "rumour"},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "resource_type"]


async def test_retiring_takes_the_version_read_and_hides_the_entry(
    client: AsyncClient,
) -> None:
    entry = await add(client, "https://example.org/old")
    url = f"/api/v1/catalogue/entries/{entry['id']}/retirement"

    stale = await client.post(url, json={"reason": "moved", "expected_version": 2})
    retired = await client.post(url, json={"reason": "moved", "expected_version": 1})

    assert stale.status_code == 409
    assert retired.status_code == 200 and retired.json()["retired"] is True
    assert (await client.get("/api/v1/catalogue/entries")).json()["total"] == 0
    assert (
        await client.get(f"/api/v1/catalogue/entries/{entry['id']}")
    ).status_code == 200


async def test_a_retired_entry_is_restored_rather_than_added_again(
    client: AsyncClient,
) -> None:
    entry = await add(client, "https://example.org/moved")
    entries = "/api/v1/catalogue/entries"
    await client.post(
        f"{entries}/{entry['id']}/retirement",
        json={"reason": "dead link", "expected_version": 1},
    )
    body = {
        "url": "https://example.org/moved",
        "title": "x",
        "resource_type": "reading",
    }
    restore = f"{entries}/{entry['id']}/restoration"

    added_again = await client.post(entries, json=body, headers=OPERATOR)
    stale = await client.post(restore, json={"expected_version": 1}, headers=OPERATOR)
    restored = await client.post(
        restore, json={"reason": "link works", "expected_version": 2}, headers=OPERATOR
    )
    twice = await client.post(restore, json={"expected_version": 3}, headers=OPERATOR)

    assert added_again.status_code == 409 and added_again.json()["retired"] is True
    assert stale.status_code == 409
    assert restored.status_code == 200
    assert restored.json()["retired"] is False and restored.json()["version"] == 3
    assert twice.status_code == 422
    assert twice.json()["detail"][0]["type"] == "not_retired"
    listing = (await client.get(entries)).json()
    assert [e["id"] for e in listing["entries"]] == [entry["id"]]


async def test_an_unknown_entry_answers_404(client: AsyncClient) -> None:
    assert (await client.get(f"/api/v1/catalogue/entries/{uuid4()}")).status_code == 404
    retire = await client.post(
        f"/api/v1/catalogue/entries/{uuid4()}/retirement", json={"expected_version": 1}
    )
    assert retire.status_code == 404


async def test_the_index_filters_by_topic_type_skill_and_text(
    client: AsyncClient,
) -> None:
    lod = await add(
        client,
        "https://example.org/lod",
        topics=["Linked Open Data in Library Use Today"],
    )
    await add(
        client,
        "https://example.org/maps",
        title="Web maps",
        resource_type="reading",
        topics=["Digital Mapping"],
    )
    skill = lod["skill_tags"][0]["skill_id"]  # type: ignore[index]

    async def ids(**query: str) -> list[str]:
        page = (await client.get("/api/v1/catalogue/entries", params=query)).json()
        return [e["id"] for e in page["entries"]]

    assert await ids(topic="linked open data in library use today") == [lod["id"]]
    assert await ids(resource_type="tutorial") == [lod["id"]]
    assert await ids(skill_id=skill) == [lod["id"]]
    assert await ids(q="sparql") == [lod["id"]]
    assert len(await ids()) == 2


async def test_the_seed_loads_every_liber_row_once_and_a_second_seed_adds_nothing(
    pg_settings: ResourcesSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in {
        "CARREL_PG_DSN": pg_settings.pg_dsn,
        "CARREL_RESOURCES_DATABASE": pg_settings.resources_database,
        "CARREL_RESOURCES_SCHEMA": pg_settings.resources_schema or "",
    }.items():
        monkeypatch.setenv(name, value)
    rows = read_liber(pg_settings.data_dir)

    seed_main()
    seed_main()

    first, second = capsys.readouterr().out.strip().splitlines()
    assert first == "read 347 rows as 298 entries: 298 added, 0 already present"
    assert second == "read 347 rows as 298 entries: 0 added, 298 already present"
    application = build_application(pg_settings)
    view = application.reading
    with view() as catalogue:
        entries = list(catalogue.entries_for(None))
    application.close()
    loaded = [str(s["source_id"]) for e in entries for s in e.sources]
    assert len(entries) == 298
    assert sorted(loaded) == sorted(str(row.source_id) for row in rows)
    assert len(rows) == 347


async def test_health_says_live_and_ready(client: AsyncClient) -> None:
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/health/ready")).json() == {"status": "ready"}
