"""The loader of ``make run`` on a slice of the real data, against real services.

The test starts every service through the Supervisor beside whatever else
runs on the stack: its own PostgreSQL schemas, ports, Kafka topics, consumer
groups and OpenSearch indices, so it neither sees nor feeds the demo.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from carrel_demo.__main__ import service_environment
from carrel_demo.isolated import Isolation, isolated_carrel
from carrel_demo.keys import kept_keys
from carrel_demo.loader import load_demo
from carrel_demo.settings import DemoSettings

from tests.integration.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


@pytest.fixture
async def isolated_demo(stack: Stack, tmp_path: Path) -> AsyncIterator[DemoSettings]:
    """Every Carrel service of the test's own; the loader's settings to reach it."""
    run = Isolation.new("demo")
    settings = DemoSettings(
        var_dir=tmp_path,
        gateway_url=run.gateway_url,
        demo_libraries=3,
        demo_participants=30,
        demo_mentorships=5,
        demo_shares_per_team=2,
        demo_grouped_teams=1,
        demo_matching_wait_seconds=90,
    )
    keys = kept_keys(settings.demo_folder)
    environment = service_environment(settings, keys, inherited={})
    async with isolated_carrel(stack, run, tmp_path / "logs", environment):
        yield settings


async def test_the_loader_fills_a_small_consortium_and_a_second_run_adds_nothing(
    isolated_demo: DemoSettings,
) -> None:
    settings = isolated_demo
    operator_key = kept_keys(settings.demo_folder).operator_key

    first = await load_demo(settings, operator_key)
    second = await load_demo(settings, operator_key)

    loaded = first.summary
    assert loaded.failed == {}
    assert (loaded.teams, loaded.members) == (4, 34)
    assert loaded.mentors + loaded.mentees == 30
    assert loaded.central_index_entries == 298
    assert loaded.resources_shared == 3 * 2
    assert loaded.mentorships == 5
    assert loaded.sessions_logged >= 5
    assert loaded.added_this_run["members"] == 30
    assert second.summary.added_this_run == {}
    assert second.summary.model_dump(include={"teams", "members", "mentorships"}) == (
        loaded.model_dump(include={"teams", "members", "mentorships"})
    )
    written = json.loads((settings.demo_folder / "summary.json").read_text())
    assert written["members"] == 34
    links = json.loads((settings.demo_folder / "credentials.json").read_text())
    assert "/sign-in/link?token=" in links["coordinator"]["link"]
    board = await consortium_dashboard(
        settings, links["consortium_coordinator"], loaded.mentees_with_ranked_candidates
    )
    assert [t["consenting"] for t in board["member_teams"]] == [True] * 3
    assert board["mentees"]["total"] == loaded.mentees
    assert board["mentees"]["with_candidates"] == loaded.mentees_with_ranked_candidates


async def consortium_dashboard(
    settings: DemoSettings, consortium_coordinator: dict[str, str], ranked: int
) -> dict[str, Any]:
    """The consortium's dashboard through the gateway, once it counts the
    ``ranked`` mentees matching has ranked mentors for (the projection follows a
    moment behind), or as it is after a minute."""
    token = consortium_coordinator["link"].partition("token=")[2]
    path = f"/api/v1/teams/{consortium_coordinator['team_id']}/dashboard"
    async with httpx.AsyncClient(base_url=settings.gateway_url) as gateway:
        signed_in = await gateway.post(
            "/api/v1/sessions/sign-in-link", json={"token": token}
        )
        assert signed_in.status_code == 201, signed_in.text
        bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        deadline = asyncio.get_running_loop().time() + 60
        while True:
            answer = await gateway.get(path, headers=bearer)
            assert answer.status_code == 200, answer.text
            board: dict[str, Any] = answer.json()
            done = board["mentees"]["with_candidates"] == ranked
            if done or asyncio.get_running_loop().time() > deadline:
                return board
            await asyncio.sleep(0.5)
