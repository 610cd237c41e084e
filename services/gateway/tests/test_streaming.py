"""The proxy passes a stream on as it arrives, not when it ends.

The upstream here is a few lines of Starlette that stand for any service
answering ``text/event-stream``; the projection's own stream is tested with it.
"""

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID, uuid4

import httpx
from carrel_gateway.adapters.services import Caller, Services
from carrel_gateway.testing import free_listener, serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route


def upstream(release: threading.Event) -> Starlette:
    async def events(request: Request) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            yield f"data: {request.headers['x-carrel-member']}\n\n".encode()
            await asyncio.to_thread(release.wait, 20)
            yield b"data: last\n\n"

        return StreamingResponse(body(), media_type="text/event-stream")

    return Starlette(routes=[Route("/stream", events)])


async def read_stream(
    url: str, release: threading.Event
) -> tuple[str, list[str], httpx.Response]:
    """The first line as soon as it comes; then the rest, once released."""
    async with httpx.AsyncClient(timeout=10) as http, http.stream("GET", url) as answer:
        lines = answer.aiter_lines()
        first = await asyncio.wait_for(anext(lines), timeout=3)
        release.set()
        rest = [line async for line in lines]
    return first, rest, answer


def proxy(upstream_url: str, member: UUID) -> Starlette:
    """Forwards /s to the upstream's stream, with its own client in its own loop."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=5) as client:
            app.state.services = Services(client, {"projection": upstream_url})
            yield

    async def stream(request: Request) -> Response:
        services: Services = request.app.state.services
        caller = Caller(str(uuid4()), member)
        return await services.forward(
            request, "projection", "/stream", caller, streaming=True
        )

    return Starlette(routes=[Route("/s", stream)], lifespan=lifespan)


async def test_the_first_event_arrives_while_the_stream_is_still_open() -> None:
    release = threading.Event()
    member = uuid4()
    with (
        serving(upstream(release), free_listener()) as upstream_url,
        serving(proxy(upstream_url, member), free_listener()) as gateway_url,
    ):
        first, rest, answer = await read_stream(f"{gateway_url}/s", release)

    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.headers["x-accel-buffering"] == "no"
    assert first == f"data: {member}"
    assert "data: last" in rest
