"""The live stream tells a team's open dashboards what changed, within a second."""

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest
import uvicorn
from carrel_events import Topic
from carrel_events.contracts import profile, teams
from carrel_projection.entrypoints.http import create_app
from carrel_projection.settings import ProjectionSettings
from carrel_projection.testing import EventScript, projecting, publish

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
    # How fast is for bench/, not a timed test on a busy machine; this bound
    # only catches a stream that waits for something it should not.
    assert delay < 5, f"the change took {delay:.2f}s to reach the stream"


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
