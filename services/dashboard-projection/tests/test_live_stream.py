"""The live stream tells a team's open dashboards what changed, within a second."""

import asyncio
import dataclasses
import json
import socket
import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import pytest
import uvicorn
from carrel_events import Topic
from carrel_events.contracts import profile, teams
from carrel_projection.adapters.indices import IndexDefinition
from carrel_projection.adapters.read_models import CHANGES
from carrel_projection.entrypoints.http import create_app
from carrel_projection.settings import ProjectionSettings
from carrel_projection.testing import EventScript, projecting, publish
from opensearchpy import AsyncOpenSearch

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def base_url(projection_settings: ProjectionSettings) -> AsyncIterator[str]:
    """The read API served by uvicorn on 127.0.0.1, as a task of this loop."""
    port = free_port()
    config = uvicorn.Config(
        create_app(projection_settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await serving


async def test_a_profile_change_reaches_the_teams_stream_within_a_second(
    projection_settings: ProjectionSettings, topics: dict[Topic, str], base_url: str
) -> None:
    script, team, member = EventScript(), uuid4(), uuid4()
    joined = teams.MemberJoined(person_id=member, roles=["mentee"], via="founder")
    script.record(joined, team, team)
    script.record(profile.ProfileCreated(display_name="Ada"), member)
    bootstrap = projection_settings.kafka_bootstrap

    async with projecting(projection_settings), httpx.AsyncClient(timeout=30) as http:
        await publish(bootstrap, script.recorded, topics)
        await wait_for_member(http, base_url, team, member)
        stream_url = f"{base_url}/api/v1/teams/{team}/stream"
        headers = {"X-Carrel-Member": str(member)}
        async with http.stream("GET", stream_url, headers=headers) as stream:
            events = server_sent_events(stream)
            assert (await anext(events))[0] == "ready"
            renamed = profile.DetailsUpdated(display_name="Ada Lovelace")
            sent = time.monotonic()
            await publish(bootstrap, [script.record(renamed, member)], topics)
            kind, data = await asyncio.wait_for(anext(events), 10)
            delay = time.monotonic() - sent
    assert kind == "changed"
    assert "directory" in json.loads(data)["models"]
    # How fast is for bench/live_stream.py (median about 0.5 s, p99 about
    # 0.6 s on a busy machine); this bound, with room for a loaded test run,
    # catches a stream that waits for something it should not.
    assert delay < 2, f"the change took {delay:.2f}s to reach the stream"


async def test_after_a_rebuild_restarts_the_sequences_changes_still_reach_streams(
    projection_settings: ProjectionSettings,
    topics: dict[Topic, str],
    base_url: str,
    opensearch: AsyncOpenSearch,
) -> None:
    script, team, member = EventScript(), uuid4(), uuid4()
    joined = teams.MemberJoined(person_id=member, roles=["mentee"], via="founder")
    script.record(joined, team, team)
    script.record(profile.ProfileCreated(display_name="Ada"), member)
    bootstrap, prefix = (
        projection_settings.kafka_bootstrap,
        projection_settings.index_prefix,
    )
    alias = CHANGES.alias(prefix)
    rebuilt = dataclasses.replace(CHANGES, version=2)
    signal: dict[str, Any] = {
        "team_id": str(team),
        "models": ["directory"],
        "changed_at": "2025-03-01T00:00:00+00:00",
    }

    async with projecting(projection_settings), httpx.AsyncClient(timeout=30) as http:
        await publish(bootstrap, script.recorded, topics)
        await wait_for_member(http, base_url, team, member)
        # A team with a long history: its sequence is far along.
        await opensearch.index(
            index=alias, id=str(team), body=signal | {"sequence": 500}
        )
        stream_url = f"{base_url}/api/v1/teams/{team}/stream"
        headers = {"X-Carrel-Member": str(member)}
        try:
            async with http.stream("GET", stream_url, headers=headers) as stream:
                events = server_sent_events(stream)
                assert (await anext(events))[0] == "ready"
                await switch_to_rebuilt_changes(opensearch, prefix, rebuilt, signal)
                rebuild_seen = await asyncio.wait_for(anext(events), 10)
                renamed = profile.DetailsUpdated(display_name="Ada Lovelace")
                await publish(bootstrap, [script.record(renamed, member)], topics)
                kind, data = await asyncio.wait_for(anext(events), 10)
        finally:
            await opensearch.indices.delete(
                index=rebuilt.index(prefix), ignore_unavailable=True
            )

    assert rebuild_seen[0] == "changed", "the rebuilt models are news"
    assert kind == "changed" and json.loads(data)["models"] == ["directory"]


async def switch_to_rebuilt_changes(
    opensearch: AsyncOpenSearch,
    prefix: str,
    rebuilt: IndexDefinition,
    signal: dict[str, Any],
) -> None:
    """What a rebuild does to the change signals: a new index, sequences from 1."""
    await opensearch.indices.create(index=rebuilt.index(prefix), body=rebuilt.body())
    await opensearch.index(
        index=rebuilt.index(prefix), id=signal["team_id"], body=signal | {"sequence": 1}
    )
    alias = CHANGES.alias(prefix)
    actions = [
        {"remove": {"index": CHANGES.index(prefix), "alias": alias}},
        {"add": {"index": rebuilt.index(prefix), "alias": alias}},
    ]
    await opensearch.indices.update_aliases(body={"actions": actions})


async def wait_for_member(
    http: httpx.AsyncClient, base_url: str, team: object, member: object
) -> None:
    url = f"{base_url}/api/v1/teams/{team}/groups"
    async with asyncio.timeout(30):
        while (await http.get(url, headers={"X-Carrel-Member": str(member)})).is_error:
            await asyncio.sleep(0.1)


async def server_sent_events(
    stream: httpx.Response,
) -> AsyncIterator[tuple[str, str]]:
    """(event, data) pairs of a server-sent event stream; pings skipped."""
    kind, data = "", ""
    async for line in stream.aiter_lines():
        if line.startswith("event:"):
            kind = line.partition(":")[2].strip()
        elif line.startswith("data:"):
            data = line.partition(":")[2].strip()
        elif not line and kind:
            yield kind, data
            kind, data = "", ""
